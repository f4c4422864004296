#pragma once

// Splitting a script into statements with each database's own scanner: PostgreSQL's (through
// libpg_query's pg_query_split_with_scanner, so strings, quoted identifiers, comments and dollar
// quoting are read exactly as the server reads them) and SQLite's sqlite3_complete (which knows
// its strings, comments and CREATE TRIGGER bodies). SQLite's is sqlite3_complete's own state
// machine run once over the script (sqlite_statement_scanner.h): calling sqlite3_complete on
// every prefix was quadratic. Both are linear in the script's length.

#include "orm/query/sql_dialect.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>

namespace orm {

// One statement of a script: where it is (QString indexes into the script, leading and trailing
// whitespace excluded, a final ';' included when there is one) and its text.
struct SqlStatement {
    int start = 0;
    int length = 0;
    QString text;

    int end() const { return start + length; }
    bool operator==(const SqlStatement &other) const = default;
};

// The statements of `script`, in order. Pieces holding only whitespace and comments are left
// out. A statement the scanner cannot finish (an unterminated string, say) runs to the end.
QList<SqlStatement> splitSql(const QString &script, Dialect dialect);

// splitSql on a pool thread: a script of megabytes takes a noticeable time to split, which the
// calling (GUI) thread spends in its event loop instead. Resumes on the caller's thread.
QCoro::Task<QList<SqlStatement>> splitSqlOffThread(QString script, Dialect dialect);

// The index of the statement under `position` (a QString index into the script): the one that
// contains it, else the one ending just before it (the cursor after a ';'), else the next one.
// -1 when there is none.
int statementAt(const QList<SqlStatement> &statements, int position);

// A statement's first words, comments and whitespace skipped, upper-cased (40 characters at
// most): enough to tell BEGIN, COMMIT or CREATE TABLE typed by hand without parsing.
QString leadingKeywords(const QString &sql);
// On leadingKeywords(): a statement that opens, ends or steers a transaction (BEGIN, COMMIT,
// SAVEPOINT, ...), which must not be wrapped in a transaction of the tool's own.
bool controlsTransaction(const QString &words);
// On leadingKeywords(): a statement PostgreSQL refuses inside a transaction block (VACUUM,
// CREATE DATABASE, CREATE INDEX CONCURRENTLY, ...). All of them change something.
bool refusedInTransactions(const QString &words);

} // namespace orm
