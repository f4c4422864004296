#pragma once

// The foreign keys that point at one table: what "Referenced by" lists for a row of it. Read
// from the catalog, the other way round from Model::foreignKeys: PostgreSQL's pg_constraint
// (contype 'f' whose confrelid is the table, from any user schema); SQLite's
// pragma_foreign_key_list of every table of the same attached database (a SQLite key never
// reaches into another one).

#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>
#include <QStringList>

namespace orm::reflection {

struct IncomingReference {
    QString schema;      // the referencing table's schema, by its real name ("main" on SQLite)
    QString table;       // the referencing table
    QString name;        // the constraint's name (SQLite: empty, its pragma does not say)
    QStringList columns; // in the referencing table
    QStringList targetColumns; // in the referenced table, in the same order
};

// The keys referencing `schema`.`table` (schema empty: PostgreSQL's current schema, SQLite's
// "main"), a self-reference included, ordered by schema, table and the key's columns (by
// code point), each key's columns in its own order; one catalog query (SQLite: one more for keys
// that name no columns, which reference the primary key). A partitioned table's keys are listed
// once, not once per partition. Throws Error(Configuration) naming a schema or table that does not
// exist.
QCoro::Task<QList<IncomingReference>> incomingReferences(Database *db, QString schema,
                                                         QString table);

} // namespace orm::reflection
