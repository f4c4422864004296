#pragma once

// A table's (or view's) DDL, generated from the catalog, for reading and copying: what
// `pg_dump -s -t` or SQLite's `.schema` would print for that one relation.

#include "orm/database/database.h"

#include <QCoro/QCoroTask>

namespace orm::reflection {

// PostgreSQL: CREATE TABLE (columns, defaults, identity and generated columns, collations, named
// constraints, PARTITION BY / PARTITION OF), CREATE VIEW or CREATE MATERIALIZED VIEW, then the
// indexes that back no constraint, the comments and the user's triggers. Read in one read-only
// transaction with an empty search_path, so that every name is schema-qualified (quoted only when
// it needs to be) and the text runs the same wherever it is pasted. Types, sequences and
// functions the table uses are not included.
// SQLite: the statements stored in sqlite_schema for the table or view, its indexes and
// triggers, each ending with ';' (auto-indexes have none and are left out).
// `schema` empty: PostgreSQL's current schema, SQLite's "main". Leases one connection and never
// writes. Throws Error(Configuration) naming schema.table when there is no such table or view.
QCoro::Task<QString> tableDdl(Database *db, QString schema, QString name);

} // namespace orm::reflection
