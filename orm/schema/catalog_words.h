#pragma once

// The names the console's completion offers: the tables, views (materialised too) and
// partitioned tables of every schema a connection sees (the relations reflection lists as
// models) with their columns, read with the same system-schema filter as reflection.

#include "orm/core/result.h"
#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QCoro/QCoroTask>

#include <functional>

namespace orm::reflection {

// Runs one catalog query with bound parameters on the connection whose names are read (the
// console's own session: its search_path and attachments decide what it sees).
using CatalogQuery = std::function<QCoro::Task<Result>(QString sql, QVariantList params)>;

// Every schema, table, schema.table, column and table.column, each once, in catalog order.
// PostgreSQL lists the schemas of the search_path first, so that the row limit a huge catalog
// meets never drops them; SQLite lists main (the active schema), then every attached database.
QCoro::Task<QStringList> completionWords(Dialect dialect, CatalogQuery query);
// The same on a connection leased from `db` (the Database is not used once it is leased).
QCoro::Task<QStringList> completionWords(Database *db);

} // namespace orm::reflection
