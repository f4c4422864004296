#pragma once

// SQLite's side of values, apart from the worker thread's I/O: QVariant parameters bound with
// sqlite3_bind_*, result cells read into a RowBatch, declared types as logical types.
// Private to the driver: it needs sqlite3.h, which sqlite_connection.h does not.

#include "orm/core/row_batch.h"

#include <sqlite3.h>

#include <QVariant>

namespace orm::drivers::sqlite {

// The declared type's logical type: well-known names first, then SQLite's affinity rules.
LogicalType logicalType(const char *declared);
// The statement's result columns, with their declared and logical types.
Columns describeColumns(sqlite3_stmt *stmt);

// Binds one parameter (1-based index): SQLITE_OK, an SQLite error code, or -1 for a type with
// no text form (the rules are in sqlite_connection.h).
int bindValue(sqlite3_stmt *stmt, int index, const QVariant &value);

// Appends the row the statement stands on (after SQLITE_ROW) to `batch`, which has `columns`
// columns; returns the bytes its cells hold.
qsizetype appendRow(RowBatch &batch, sqlite3_stmt *stmt, int columns);

} // namespace orm::drivers::sqlite
