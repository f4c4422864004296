#pragma once

// Every table and view name of one schema with its column names, read in one catalog query so
// that a schema of 20,000 tables can be searched by column without loading each model (the
// model tree's filter). Names only: no types, keys or indexes.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>

namespace orm::reflection {

// One relation of a schema: its name, its kind, and its columns in table order (dropped
// columns left out).
struct CatalogRelation {
    QString name;
    ModelKind kind = ModelKind::Table;
    QStringList columns;
};

// The tables, views, materialised views and partitioned tables of `schema` (empty:
// PostgreSQL's current schema, SQLite's "main"; the relations listModels lists), by name. One
// query over pg_class/pg_namespace/pg_attribute on PostgreSQL; on SQLite, one over the
// attached database's sqlite_schema joined with pragma_table_info. Throws Error(Configuration)
// naming a schema that does not exist (or is a system schema).
QCoro::Task<QList<CatalogRelation>> catalogNames(Database *db, QString schema = {});

} // namespace orm::reflection
