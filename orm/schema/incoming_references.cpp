#include "orm/schema/incoming_references.h"

#include "orm/core/error.h"
#include "orm/query/sql_dialect.h"
#include "orm/schema/reflection.h"

#include <algorithm>
#include <tuple>

namespace orm::reflection {
namespace {

Error noSuchTable(const drivers::Connection *connection, const QString &schema,
                  const QString &table)
{
    return Error(Error::Kind::Configuration,
                 QStringLiteral("no table named %1.%2").arg(schema, table),
                 connection->url().toDisplayString());
}

// Rows of (schema, table, constraint, column, target column), one per key column in key
// order: consecutive rows of one constraint make one reference. SQLite tells keys apart by
// their id (column 5), PostgreSQL by name.
QList<IncomingReference> groupRows(const Result &rows)
{
    QList<IncomingReference> references;
    QString lastKey;
    for (int r = 0; r < rows.rowCount(); ++r) {
        const QString key = rows.text(r, 0) + QChar(0) + rows.text(r, 1) + QChar(0) +
                            rows.text(r, 2) + QChar(0) + rows.text(r, 5);
        if (references.isEmpty() || key != lastKey) {
            lastKey = key;
            IncomingReference reference;
            reference.schema = rows.text(r, 0);
            reference.table = rows.text(r, 1);
            reference.name = rows.text(r, 2);
            references << std::move(reference);
        }
        references.last().columns << rows.text(r, 3);
        references.last().targetColumns << (rows.isNull(r, 4) ? QString() : rows.text(r, 4));
    }
    // By code point, whatever the server's collation, and by their columns within a table
    // (SQLite's keys have no names), so that both backends list alike.
    std::stable_sort(references.begin(), references.end(),
                     [](const IncomingReference &a, const IncomingReference &b) {
                         const QString aColumns = a.columns.join(QChar(0));
                         const QString bColumns = b.columns.join(QChar(0));
                         return std::tie(a.schema, a.table, aColumns, a.name) <
                                std::tie(b.schema, b.table, bColumns, b.name);
                     });
    return references;
}

QCoro::Task<QList<IncomingReference>> pgIncoming(drivers::Connection *connection, QString schema,
                                                 QString table)
{
    const QString relationSql =
        QStringLiteral("SELECT c.oid, n.nspname FROM pg_catalog.pg_class c "
                       "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = COALESCE(NULLIF($1, ''), current_schema()) "
                       "AND c.relname = $2 AND c.relkind IN ('r', 'p')");
    const QVariantList relationParams{schema, table};
    const Result relation = co_await connection->execute(relationSql, relationParams);
    if (relation.rowCount() == 0)
        throw noSuchTable(connection,
                          schema.isEmpty() ? QStringLiteral("(current schema)") : schema, table);
    // conparentid <> 0: the copy of a partitioned table's key on each partition (or pointing
    // at each partition of a partitioned target); the parent's own constraint says it once.
    const QString sql =
        QStringLiteral(
            "SELECT n.nspname, c.relname, con.conname, a.attname, fa.attname, '' "
            "FROM pg_catalog.pg_constraint con "
            "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, "
            "fattnum, n) "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
            "JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid "
            "AND fa.attnum = k.fattnum "
            "WHERE con.contype = 'f' AND con.confrelid = $1::oid AND con.conparentid = 0 AND %1 "
            "ORDER BY n.nspname, c.relname, con.conname, k.n")
            .arg(userSchemaCondition(QStringLiteral("n.nspname")));
    const QVariantList params{relation.text(0, 0)};
    const Result rows = co_await connection->execute(sql, params);
    co_return groupRows(rows);
}

QCoro::Task<QList<IncomingReference>> sqliteIncoming(drivers::Connection *connection,
                                                     QString schema, QString table)
{
    if (schema.isEmpty())
        schema = QStringLiteral("main");
    // The schema is SQL text in "<schema>".sqlite_schema: it must be one that exists.
    const QString existsSql = QStringLiteral("SELECT 1 FROM pragma_database_list WHERE name = ?1");
    const QVariantList existsParams{schema};
    const Result found = co_await connection->execute(existsSql, existsParams);
    if (found.rowCount() == 0)
        throw Error(Error::Kind::Configuration, QStringLiteral("no schema named '%1'").arg(schema),
                    connection->url().toDisplayString());
    const QString schemaSql = quoteIdentifier(schema);
    // SQLite matches table names without regard to ASCII case, and a key names its target as
    // it was written: the stored name of the table is what the rest compares with.
    const QString tableSql = QStringLiteral("SELECT name FROM %1.sqlite_schema WHERE type = "
                                            "'table' AND name = ?1 COLLATE NOCASE")
                                 .arg(schemaSql);
    const QVariantList tableParams{table};
    const Result named = co_await connection->execute(tableSql, tableParams);
    if (named.rowCount() == 0)
        throw noSuchTable(connection, schema, table);
    table = named.text(0, 0);
    const QString sql = QStringLiteral("SELECT ?1, m.name, '', f.\"from\", f.\"to\", f.id "
                                       "FROM %1.sqlite_schema m "
                                       "JOIN pragma_foreign_key_list(m.name, ?1) f "
                                       "WHERE m.type = 'table' AND f.\"table\" = ?2 COLLATE NOCASE "
                                       "ORDER BY m.name, f.id, f.seq")
                            .arg(schemaSql);
    const QVariantList params{schema, table};
    const Result rows = co_await connection->execute(sql, params);
    QList<IncomingReference> references = groupRows(rows);
    // "REFERENCES t" without columns references t's primary key.
    bool bare = false;
    for (const IncomingReference &reference : std::as_const(references))
        bare = bare || reference.targetColumns.contains(QString());
    if (!bare)
        co_return references;
    const QString keySql =
        QStringLiteral("SELECT name FROM pragma_table_info(?1, ?2) WHERE pk > 0 ORDER BY pk");
    const QVariantList keyParams{table, schema};
    const Result key = co_await connection->execute(keySql, keyParams);
    QStringList primaryKey;
    for (int r = 0; r < key.rowCount(); ++r)
        primaryKey << key.text(r, 0);
    for (IncomingReference &reference : references)
        if (reference.targetColumns.contains(QString()) &&
            primaryKey.size() == reference.columns.size())
            reference.targetColumns = primaryKey;
    co_return references;
}

} // namespace

QCoro::Task<QList<IncomingReference>> incomingReferences(Database *db, QString schema,
                                                         QString table)
{
    // The lease lives in this frame, so the connection outlives every query; `db` may not.
    ConnectionLease lease = co_await db->acquire(QStringLiteral("incomingReferences"));
    drivers::Connection *connection = lease.get();
    if (dialectOf(connection->backend()) == Dialect::Postgres)
        co_return co_await pgIncoming(connection, std::move(schema), std::move(table));
    co_return co_await sqliteIncoming(connection, std::move(schema), std::move(table));
}

} // namespace orm::reflection
