// The statement splitter as it was before it became linear (issue 13): sqlite3_complete on
// every prefix ending in ';'. Slow on hostile input, but it is SQLite's own function, so the
// tests and the splitter's fuzzer hold the linear splitter to it on small scripts.
#include "reference_sql_splitter.h"

#include <pg_query.h>
#include <sqlite3.h>

#include <algorithm>
#include <vector>

namespace orm::reference {
namespace {

// UTF-8 byte offset -> QString index, for every byte offset of the script (plus the end).
std::vector<int> byteToIndex(const QString &script, const QByteArray &utf8)
{
    std::vector<int> map(size_t(utf8.size()) + 1, int(script.size()));
    int byte = 0;
    for (int i = 0; i < script.size(); ++i) {
        const char32_t code = script.at(i).isHighSurrogate() && i + 1 < script.size()
                                  ? QChar::surrogateToUcs4(script.at(i), script.at(i + 1))
                                  : script.at(i).unicode();
        const int bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
        for (int b = 0; b < bytes && byte + b < utf8.size(); ++b)
            map[size_t(byte + b)] = i;
        byte += bytes;
        if (code >= 0x10000)
            ++i;
    }
    return map;
}

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

// Only whitespace and comments, as SQLite's scanner sees it: behind a ';' such text leaves
// sqlite3_complete in its "after a semicolon" state, while any token moves it on.
bool sqliteBlank(const QByteArray &piece)
{
    QByteArray probe = ";" + piece;
    while (probe.endsWith(';') && probe.size() > 1 && sqlite3_complete(probe.constData())) {
        // "; <comments> ;" is blank too: drop the final ';' and look again.
        QByteArray shorter = probe.left(probe.size() - 1);
        if (!sqlite3_complete(shorter.constData()))
            return false;
        probe = shorter;
    }
    return sqlite3_complete(probe.constData()) != 0;
}

QList<SqlStatement> splitSqlite(const QString &script);

QList<SqlStatement> splitPostgres(const QString &script)
{
    const QByteArray utf8 = script.toUtf8();
    const std::vector<int> index = byteToIndex(script, utf8);
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
        appendPiece(out, script, index[size_t(fromByte)],
                    toByte >= utf8.size() ? int(script.size()) : index[size_t(toByte)]);
    }
    pg_query_free_split_result(result);
    // The scanner finds no statement in text it cannot read as SQL at all ("SELEC 1"): run it
    // whole, so that the server says what is wrong with it, rather than nothing.
    // (Before issue 13 this asked sqliteBlank(utf8), which took "SELEC 1; -- why" for blank:
    // only the state after the last ';' counted. The oracle asks SQLite's split instead.)
    if (out.isEmpty() && !splitSqlite(script).isEmpty())
        appendPiece(out, script, 0, int(script.size()));
    return out;
}

QList<SqlStatement> splitSqlite(const QString &script)
{
    const QByteArray utf8 = script.toUtf8();
    const std::vector<int> index = byteToIndex(script, utf8);
    QList<SqlStatement> out;
    qsizetype from = 0;
    const auto take = [&](qsizetype to) {
        const QByteArray piece = utf8.mid(from, to - from);
        if (!sqliteBlank(piece))
            appendPiece(out, script, index[size_t(from)],
                        to >= utf8.size() ? int(script.size()) : index[size_t(to)]);
        from = to;
    };
    for (qsizetype i = utf8.indexOf(';'); i >= 0; i = utf8.indexOf(';', i + 1)) {
        // The scanner decides whether this ';' ends a statement or sits in a string, an
        // identifier, a comment or a trigger body.
        const QByteArray candidate = utf8.mid(from, i + 1 - from);
        if (sqlite3_complete(candidate.constData()))
            take(i + 1);
    }
    if (from < utf8.size())
        take(utf8.size());
    return out;
}

} // namespace

QList<SqlStatement> splitSqlQuadratic(const QString &script, Dialect dialect)
{
    return dialect == Dialect::Postgres ? splitPostgres(script) : splitSqlite(script);
}

} // namespace orm::reference
