#include "orm/session/sql_splitter.h"

#include "orm/core/off_thread.h"
#include "orm/session/sqlite_statement_scanner.h"

#include <QRegularExpression>

#include <pg_query.h>

#include <algorithm>
#include <memory>

namespace orm {
namespace {

// UTF-8 byte offsets -> QString indexes, asked for in increasing order, so that a whole script
// costs one pass (a table of every offset would be four bytes per byte of script).
class ByteIndex {
public:
    explicit ByteIndex(const QString &script)
        : m_script(script)
    {
    }

    // The index of the character that holds byte `offset` (the script's size at its end).
    int at(qsizetype offset)
    {
        if (offset < m_byte) { // not expected; start over rather than answer wrongly
            m_byte = 0;
            m_index = 0;
        }
        const qsizetype size = m_script.size();
        while (m_index < size) {
            const char16_t c = m_script.at(m_index).unicode();
            const bool pair = QChar::isHighSurrogate(c) && m_index + 1 < size &&
                              m_script.at(m_index + 1).isLowSurrogate();
            // As QString::toUtf8 writes it: a lone surrogate becomes '?'.
            const int bytes = pair                    ? 4
                              : QChar::isSurrogate(c) ? 1
                              : c < 0x80              ? 1
                              : c < 0x800             ? 2
                                                      : 3;
            if (m_byte + bytes > offset)
                break;
            m_byte += bytes;
            m_index += pair ? 2 : 1;
        }
        return int(m_index);
    }

private:
    const QString &m_script;
    qsizetype m_byte = 0;
    qsizetype m_index = 0;
};

// Appends script[from, to) as a statement, whitespace trimmed, unless nothing is left.
void appendPiece(QList<SqlStatement> &out, const QString &script, int from, int to)
{
    while (from < to && script.at(from).isSpace())
        ++from;
    while (to > from && script.at(to - 1).isSpace())
        --to;
    if (to <= from)
        return;
    out.append(SqlStatement{from, to - from, script.mid(from, to - from)});
}

// `limit` >= 0: stop after that many statements.
QList<SqlStatement> splitSqlite(const QString &script, int limit = -1)
{
    const QByteArray utf8 = script.toUtf8();
    ByteIndex index(script);
    QList<SqlStatement> out;
    sqlite_scan::forEachStatement(utf8.constData(), utf8.size(), [&](qsizetype from, qsizetype to) {
        const int start = index.at(from);
        appendPiece(out, script, start, to >= utf8.size() ? int(script.size()) : index.at(to));
        return limit < 0 || out.size() < limit;
    });
    return out;
}

QList<SqlStatement> splitPostgres(const QString &script)
{
    const QByteArray utf8 = script.toUtf8();
    ByteIndex index(script);
    QList<SqlStatement> out;
    PgQuerySplitResult result = pg_query_split_with_scanner(utf8.constData());
    if (result.error) {
        // The scanner stopped at something unfinished (a string, a comment): the statements
        // before it stand, and the one it is in runs to the end, for the server to reject.
        const int at = std::clamp(result.error->cursorpos - 1, 0, int(utf8.size()));
        pg_query_free_split_result(result);
        QList<SqlStatement> head;
        if (at > 0 && at < utf8.size())
            head = splitPostgres(QString::fromUtf8(utf8.left(at)));
        int from = 0;
        for (int i = 0; i + 1 < head.size(); ++i) {
            out.append(head[i]);
            from = head[i].end();
        }
        if (!head.isEmpty())
            from = head.last().start;
        appendPiece(out, script, from, int(script.size()));
        return out;
    }
    out.reserve(result.n_stmts);
    for (int i = 0; i < result.n_stmts; ++i) {
        const PgQuerySplitStmt *stmt = result.stmts[i];
        int fromByte = stmt->stmt_location;
        int toByte = stmt->stmt_location + stmt->stmt_len;
        if (stmt->stmt_len == 0) // the last statement: to the end of the script
            toByte = int(utf8.size());
        // Include the ';' that ends it, if the script has one right there.
        int semicolon = toByte;
        if (semicolon < utf8.size() && utf8.at(semicolon) == ';')
            toByte = semicolon + 1;
        const int from = index.at(fromByte);
        appendPiece(out, script, from,
                    toByte >= utf8.size() ? int(script.size()) : index.at(toByte));
    }
    pg_query_free_split_result(result);
    // The scanner finds no statement in text it cannot read as SQL at all ("SELEC 1"): run it
    // whole, so that the server says what is wrong with it, rather than nothing, unless it is
    // blank as SQLite's scanner sees it (whitespace, comments and ';').
    if (out.isEmpty() && !splitSqlite(script, 1).isEmpty())
        appendPiece(out, script, 0, int(script.size()));
    return out;
}

} // namespace

QList<SqlStatement> splitSql(const QString &script, Dialect dialect)
{
    return dialect == Dialect::Postgres ? splitPostgres(script) : splitSqlite(script);
}

QCoro::Task<QList<SqlStatement>> splitSqlOffThread(QString script, Dialect dialect)
{
    // The work and its task named first: GCC 12 and co_await (docs/DEVELOPING.md).
    auto split = [script = std::move(script), dialect] { return splitSql(script, dialect); };
    QCoro::Task<QList<SqlStatement>> splitting = offThread<QList<SqlStatement>>(std::move(split));
    QList<SqlStatement> statements = co_await std::move(splitting);
    co_return statements;
}

int statementAt(const QList<SqlStatement> &statements, int position)
{
    int before = -1;
    for (int i = 0; i < statements.size(); ++i) {
        const SqlStatement &s = statements[i];
        if (position >= s.start && position <= s.end())
            return i;
        if (s.end() <= position)
            before = i;
    }
    if (before >= 0)
        return before;
    return statements.isEmpty() ? -1 : 0;
}

QString leadingKeywords(const QString &sql)
{
    static const QRegularExpression comments(QStringLiteral("^(\\s+|--[^\\n]*\\n?|/\\*.*?\\*/)+"),
                                             QRegularExpression::DotMatchesEverythingOption);
    // Matched in place, not removed from a copy: a statement may be megabytes long.
    const QRegularExpressionMatch leading = comments.match(sql);
    const qsizetype from = leading.hasMatch() ? leading.capturedEnd() : 0;
    return sql.mid(from, 40).simplified().toUpper();
}

bool controlsTransaction(const QString &words)
{
    for (const char *verb : {"BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "ABORT",
                             "SAVEPOINT", "RELEASE", "PREPARE TRANSACTION"})
        if (words.startsWith(QLatin1String(verb)))
            return true;
    return false;
}

bool refusedInTransactions(const QString &words)
{
    for (const char *verb :
         {"VACUUM", "CREATE DATABASE", "DROP DATABASE", "ALTER SYSTEM", "CREATE TABLESPACE",
          "DROP TABLESPACE", "DISCARD ALL", "CREATE SUBSCRIPTION", "DROP SUBSCRIPTION",
          "ALTER SUBSCRIPTION", "REINDEX SYSTEM", "REINDEX DATABASE"})
        if (words.startsWith(QLatin1String(verb)))
            return true;
    if (words == QLatin1String("CLUSTER") || words == QLatin1String("CLUSTER VERBOSE"))
        return true;
    const bool index = words.startsWith(QLatin1String("CREATE INDEX")) ||
                       words.startsWith(QLatin1String("CREATE UNIQUE INDEX")) ||
                       words.startsWith(QLatin1String("DROP INDEX")) ||
                       words.startsWith(QLatin1String("REINDEX"));
    return index && words.contains(QLatin1String(" CONCURRENTLY"));
}

} // namespace orm
