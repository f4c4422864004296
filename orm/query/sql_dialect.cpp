#include "orm/query/sql_dialect.h"

namespace orm {

Dialect dialectOf(DatabaseUrl::Backend backend)
{
    return backend == DatabaseUrl::Backend::Postgres ? Dialect::Postgres : Dialect::Sqlite;
}

QString dialectName(Dialect dialect)
{
    return dialect == Dialect::Postgres ? QStringLiteral("postgres") : QStringLiteral("sqlite");
}

QString quoteIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString qualifiedName(const QString &schema, const QString &table)
{
    return schema.isEmpty() ? quoteIdentifier(table)
                            : quoteIdentifier(schema) + QLatin1Char('.') + quoteIdentifier(table);
}

QString placeholder(Dialect dialect, int n)
{
    return (dialect == Dialect::Postgres ? QLatin1Char('$') : QLatin1Char('?')) +
           QString::number(n);
}

QString escapeLike(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 4);
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('%') || c == QLatin1Char('_'))
            escaped += QLatin1Char('\\');
        escaped += c;
    }
    return escaped;
}

QString escapeGlob(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 4);
    for (const QChar c : text) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('['))
            escaped += QLatin1Char('[') + c + QLatin1Char(']');
        else
            escaped += c;
    }
    return escaped;
}

} // namespace orm
