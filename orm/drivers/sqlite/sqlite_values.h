#pragma once

// SQLite's side of values, apart from the worker thread's I/O: QVariant parameters bound with
// sqlite3_bind_*, result cells read into a RowBatch, declared types as logical types.
// Private to the driver: it needs sqlite3.h, which sqlite_connection.h does not.

#include "orm/core/row_batch.h"

#include <sqlite3.h>

#include <QByteArray>
#include <QVariant>

#include <vector>

namespace orm::drivers::sqlite {

// The declared type's logical type: well-known names first, then SQLite's affinity rules.
LogicalType logicalType(const char *declared);
// The statement's result columns, with their declared and logical types.
Columns describeColumns(sqlite3_stmt *stmt);

// Where a batch's parameters are bound from (SqliteWorker::runBatch): texts are converted to
// UTF-8 into one buffer per parameter, kept from row to row, and texts and blobs are bound
// SQLITE_STATIC, so a row's binds neither allocate nor make SQLite copy. What is bound must
// stay put until the parameter is bound again or the statement's bindings are cleared: the
// buffers and the QVariants bound (their QByteArray's bytes are bound in place).
class BindBuffers {
public:
    // A buffer of at least `bytes` for parameter `index` (1-based), its earlier text dropped.
    char *text(int index, qsizetype bytes);
    // A text converted elsewhere (non-ASCII), kept for parameter `index` as the buffer.
    const QByteArray &keep(int index, QByteArray utf8);

private:
    std::vector<QByteArray> m_texts; // by index - 1
};

// Binds one parameter (1-based index): SQLITE_OK, an SQLite error code, or -1 for a type with
// no text form (the rules are in sqlite_connection.h). Without `buffers` SQLite copies texts
// and blobs (SQLITE_TRANSIENT); with them, see BindBuffers.
int bindValue(sqlite3_stmt *stmt, int index, const QVariant &value, BindBuffers *buffers = nullptr);

// Appends the row the statement stands on (after SQLITE_ROW) to `batch`, which has `columns`
// columns; returns the bytes its cells hold.
qsizetype appendRow(RowBatch &batch, sqlite3_stmt *stmt, int columns);

} // namespace orm::drivers::sqlite
