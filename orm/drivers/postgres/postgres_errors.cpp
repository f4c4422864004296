#include "orm/drivers/postgres/postgres_errors.h"

#include <libpq-fe.h>

namespace orm::drivers::postgres {

using Kind = Error::Kind;

QString trimmedMessage(const char *message)
{
    return QString::fromUtf8(message ? message : "").trimmed();
}

Error lostError(const pg_conn *conn, const QString &database)
{
    QString message = conn ? trimmedMessage(PQerrorMessage(conn)) : QString();
    if (message.isEmpty())
        message = QStringLiteral("the connection to the server was lost");
    return Error(Kind::ConnectionLost, message, database);
}

Error resultError(const pg_conn *conn, const pg_result *r, const QString &database,
                  const QString &prefix)
{
    auto field = [r](int code) { return trimmedMessage(PQresultErrorField(r, code)); };
    QString message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.isEmpty())
        message = trimmedMessage(PQresultErrorMessage(r));
    if (message.isEmpty())
        message = trimmedMessage(PQerrorMessage(conn));
    if (const QString detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.isEmpty())
        message += QStringLiteral("\nDETAIL: ") + detail;
    if (const QString hint = field(PG_DIAG_MESSAGE_HINT); !hint.isEmpty())
        message += QStringLiteral("\nHINT: ") + hint;
    const QString state = field(PG_DIAG_SQLSTATE);
    const int position = field(PG_DIAG_STATEMENT_POSITION).toInt();

    Kind kind = Kind::Sql;
    if (state == QLatin1String("57014"))
        kind = Kind::Cancelled;
    else if (state.startsWith(QLatin1String("08")) || state.startsWith(QLatin1String("57P")) ||
             PQstatus(conn) == CONNECTION_BAD)
        kind = Kind::ConnectionLost; // admin_shutdown (pg_terminate_backend), crash, broken link
    return Error(kind, prefix + message, database, state, position);
}

Error connectError(const pg_conn *conn, const QString &database, const QStringList &earlier,
                   const QString &wanted, const QString &hosts)
{
    QString message = conn ? trimmedMessage(PQerrorMessage(conn)) : QString();
    if (message.isEmpty())
        message = QStringLiteral("could not connect to the server");
    if (!earlier.isEmpty())
        message = earlier.join(QLatin1Char('\n')) + QLatin1Char('\n') + message;
    // libpq's words for a server of the wrong kind, per target_session_attrs.
    static const struct {
        const char *wanted;
        const char *refusal;
        const char *summary;
    } kinds[] = {
        {"read-write", "session is read-only", "no server accepting read-write sessions"},
        {"read-only", "session is not read-only", "no read-only server"},
        {"primary", "server is in hot standby mode", "no primary server"},
        {"standby", "server is not in hot standby mode", "no standby server"},
    };
    for (const auto &kind : kinds)
        if (wanted == QLatin1String(kind.wanted) && message.contains(QLatin1String(kind.refusal)))
            message = QStringLiteral("%1 was found among %2 (target_session_attrs=%3):\n%4")
                          .arg(QLatin1String(kind.summary), hosts, wanted, message);
    // libpq gives no SQLSTATE for connection failures: recognise the server's wording.
    Kind kind = Kind::ConnectionFailed;
    QString state;
    if (message.contains(QLatin1String("password authentication failed"))) {
        kind = Kind::Authentication;
        state = QStringLiteral("28P01");
    } else if (message.contains(QLatin1String("no pg_hba.conf entry")) ||
               (message.contains(QLatin1String("role \"")) &&
                message.contains(QLatin1String("does not exist")))) {
        kind = Kind::Authentication;
        state = QStringLiteral("28000");
    } else if (message.contains(QLatin1String("authentication failed")) ||
               message.contains(QLatin1String("no password supplied")) ||
               message.contains(QLatin1String("password is required"))) {
        kind = Kind::Authentication;
    }
    return Error(kind, message, database, state);
}

} // namespace orm::drivers::postgres
