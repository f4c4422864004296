#pragma once

// The closed lists of values some columns hold, for the grid's editors: a PostgreSQL enum
// column's labels (in the enum's sort order, pg_enum.enumsortorder), and on SQLite, which has no
// enum type, the list of a `CHECK (column IN ('a', 'b', ...))` constraint in the table's stored
// SQL. Read once per opened table, in one query.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QMap>

namespace orm::reflection {

// Column name -> its values, in order; columns without a closed list are not in it.
using ColumnValueLists = QMap<QString, QStringList>;

// The columns of `table` in `schema` (empty: PostgreSQL's current schema, SQLite's "main") that
// hold one of a list of values. PostgreSQL: columns whose type is an enum (or a domain over
// one), wherever the type lives; an array of enums is not one. SQLite: see sqliteCheckLists.
// A table that does not exist gives no lists.
QCoro::Task<ColumnValueLists> enumValues(Database *db, QString schema, QString table);

// The lists of the CHECK constraints of a CREATE TABLE as SQLite stored it, read conservatively:
// only a constraint that is exactly `column IN ('a', 'b', ...)` (string literals only; the name
// bare or quoted any way SQLite allows) counts, and a column with more than one such
// constraint has none (unsure which wins). `columns` are the table's column names: what the
// constraint names is matched to them as SQLite does, ignoring ASCII case.
ColumnValueLists sqliteCheckLists(const QString &createSql, const QStringList &columns);

} // namespace orm::reflection
