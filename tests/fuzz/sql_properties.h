#pragma once

// What any SQL the compiler writes must look like, whatever the query: values are bound, never
// written in (the only quote is LIKE's ESCAPE '\'), identifiers are quoted whole, and the
// placeholders are exactly $1..$n (PostgreSQL) or ?1..?n (SQLite) for n parameters.

#include "fuzz_check.h"

#include "orm/query/sql_compiler.h"

#include <QRegularExpression>

#include <vector>

namespace strata::fuzz {

inline void checkCompiled(const orm::CompiledQuery &query, orm::Dialect dialect)
{
    QString sql = query.sql;
    // Quoted identifiers: out of the way first (a name may hold anything, even a quote).
    static const QRegularExpression identifier(QStringLiteral("\"([^\"]|\"\")*\""));
    sql.replace(identifier, QStringLiteral("I"));
    FUZZ_CHECK(!sql.contains(QLatin1Char('"')), QStringLiteral("unbalanced quote: ") + query.sql);
    sql.remove(QStringLiteral(" ESCAPE '\\'"));
    FUZZ_CHECK(!sql.contains(QLatin1Char('\'')), QStringLiteral("a literal: ") + query.sql);
    static const QRegularExpression placeholder(QStringLiteral("[$?]([0-9]+)"));
    const QChar sigil = dialect == orm::Dialect::Postgres ? QLatin1Char('$') : QLatin1Char('?');
    std::vector<bool> seen(size_t(query.params.size()) + 1);
    for (const QRegularExpressionMatch &m : placeholder.globalMatch(sql)) {
        FUZZ_CHECK(m.captured(0).front() == sigil, query.sql);
        const qsizetype n = m.captured(1).toLongLong();
        FUZZ_CHECK(n >= 1 && n <= query.params.size(),
                   QStringLiteral("placeholder %1 of %2 parameters: %3")
                       .arg(m.captured(0), QString::number(query.params.size()), query.sql));
        seen[size_t(n)] = true;
    }
    for (qsizetype n = 1; n <= query.params.size(); ++n)
        FUZZ_CHECK(seen[size_t(n)], QStringLiteral("parameter %1 unused: ").arg(n) + query.sql);
}

} // namespace strata::fuzz
