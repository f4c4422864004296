#pragma once

// Reading models from a database's catalog: PostgreSQL's pg_catalog, SQLite's sqlite_schema and
// pragmas. Listing is one catalog query per schema and reads no columns, so that a schema of
// 20,000 tables lists at once; a model's fields, keys and indexes load on demand (loadModel).
// Every value (schema and table names included) is a bound parameter. Each call reads on one
// connection, leased when it starts; the Database is not used after that, so it may be deleted
// (an extra removed from its registry) while a read is under way.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>

namespace orm::reflection {

// An SQL condition true for the user schemas of PostgreSQL's catalog: `column` (a schema name)
// is none of pg_catalog, information_schema, pg_toast*, pg_temp_*. The one filter every
// catalog read uses.
QString userSchemaCondition(const QString &column);

// PostgreSQL: the user schemas (not pg_catalog, information_schema, pg_toast*, pg_temp_*);
// SQLite: "main" and every attached database. In name order, except "main" first.
QCoro::Task<QStringList> listSchemas(Database *db);

// The tables, views, materialised views, partitioned tables and partitions of `schema` (empty:
// PostgreSQL's current schema, SQLite's "main"), by name, with fieldsLoaded = false and no
// fields. Models carry the schema's real name and origin Reflected. Throws
// Error(Configuration) naming an unknown schema.
QCoro::Task<QList<Model>> listModels(Database *db, QString schema = {});

// One model with its fields, primary key, foreign keys (targetSchema set when the target lives
// in another schema), indexes and unique constraints. Throws Error(Configuration) naming
// schema.table when there is no such table or view.
QCoro::Task<Model> loadModel(Database *db, QString schema, QString table);

// A value that changes when a table, view or column of the user schemas is created, dropped,
// renamed or altered, or a schema comes or goes: compared between calls, it says whether the
// catalog must be read again. One cheap query on PostgreSQL (pg_class and pg_namespace, no
// columns read); SQLite's PRAGMA schema_version of each attached database.
QCoro::Task<QString> catalogStamp(Database *db);

} // namespace orm::reflection
