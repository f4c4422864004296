#include "orm/core/error.h"

#include <QStringList>

namespace orm {

Error::Error(Kind kind, QString message, QString database, QString sqlState, int position)
    : m_kind(kind)
    , m_message(std::move(message))
    , m_database(std::move(database))
    , m_sqlState(std::move(sqlState))
    , m_position(position)
{
    m_what = toString().toUtf8();
}

QString Error::toString() const
{
    QString text = m_database.isEmpty() ? m_message : m_database + QStringLiteral(": ") + m_message;
    QStringList details;
    if (!m_sqlState.isEmpty())
        details << QStringLiteral("SQLSTATE %1").arg(m_sqlState);
    if (m_position > 0)
        details << QStringLiteral("at character %1").arg(m_position);
    if (!details.isEmpty())
        text += QStringLiteral(" (") + details.join(QStringLiteral(", ")) + QLatin1Char(')');
    return text;
}

QString Error::kindName(Kind kind)
{
    switch (kind) {
    case Kind::InvalidUrl:
        return QStringLiteral("invalid URL");
    case Kind::Configuration:
        return QStringLiteral("configuration error");
    case Kind::ConnectionFailed:
        return QStringLiteral("connection failed");
    case Kind::Authentication:
        return QStringLiteral("authentication failed");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::FileNotFound:
        return QStringLiteral("file not found");
    case Kind::Sql:
        return QStringLiteral("SQL error");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::ConnectionLost:
        return QStringLiteral("connection lost");
    case Kind::Usage:
        return QStringLiteral("usage error");
    case Kind::UnknownField:
        return QStringLiteral("unknown field");
    case Kind::NoRow:
        return QStringLiteral("no row");
    case Kind::SeveralRows:
        return QStringLiteral("several rows");
    }
    return {};
}

} // namespace orm
