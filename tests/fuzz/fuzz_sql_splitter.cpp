// The console's statement splitter on arbitrary text, in both dialects. Properties:
// - statements come in order, do not overlap, lie inside the script, are trimmed, and their
//   text is the script's text at their position;
// - on scripts up to 4 KB the result is the quadratic splitter's (sqlite3_complete on every
//   prefix, tests/support/reference_sql_splitter), which the linear one replaced.

#include "fuzz_check.h"

#include "orm/session/sql_splitter.h"
#include "reference_sql_splitter.h"

namespace {

QString describe(const QList<orm::SqlStatement> &statements)
{
    QStringList parts;
    for (const orm::SqlStatement &s : statements)
        parts << QStringLiteral("[%1+%2]").arg(s.start).arg(s.length);
    return parts.join(QLatin1Char(' '));
}

void check(const QString &script, orm::Dialect dialect)
{
    const char *name = dialect == orm::Dialect::Postgres ? "postgres" : "sqlite";
    const QList<orm::SqlStatement> statements = orm::splitSql(script, dialect);
    int end = 0;
    for (const orm::SqlStatement &s : statements) {
        FUZZ_CHECK(s.start >= end && s.length > 0 && s.end() <= script.size(),
                   QLatin1String(name) + QStringLiteral(": ") + describe(statements));
        FUZZ_CHECK(s.text == script.mid(s.start, s.length), QLatin1String(name));
        FUZZ_CHECK(!s.text.front().isSpace() && !s.text.back().isSpace(), QLatin1String(name));
        end = s.end();
    }
    if (script.size() <= 4096) {
        const QList<orm::SqlStatement> expected =
            orm::reference::splitSqlQuadratic(script, dialect);
        FUZZ_CHECK(statements == expected,
                   QStringLiteral("%1: %2 vs the reference's %3")
                       .arg(QLatin1String(name), describe(statements), describe(expected)));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QString script = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    check(script, orm::Dialect::Postgres);
    check(script, orm::Dialect::Sqlite);
    return 0;
}
