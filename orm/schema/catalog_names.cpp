#include "orm/schema/catalog_names.h"

#include "orm/query/sql_dialect.h"
#include "orm/schema/reflection.h"

namespace orm::reflection {
namespace {

ModelKind pgKind(const QString &relkind, bool isPartition)
{
    if (relkind == QLatin1String("v"))
        return ModelKind::View;
    if (relkind == QLatin1String("m"))
        return ModelKind::MaterializedView;
    if (relkind == QLatin1String("p"))
        return ModelKind::PartitionedTable;
    return isPartition ? ModelKind::Partition : ModelKind::Table;
}

Error noSuchSchema(const drivers::Connection *connection, const QString &schema)
{
    return Error(Error::Kind::Configuration, QStringLiteral("no schema named '%1'").arg(schema),
                 connection->url().toDisplayString());
}

// Rows of (relation, kind, column), ordered by relation: consecutive rows make one relation. A
// null relation is the row an empty schema gives; a null column, a relation without columns.
QList<CatalogRelation> groupRows(const Result &rows, bool postgres)
{
    QList<CatalogRelation> relations;
    for (int r = 0; r < rows.rowCount(); ++r) {
        if (rows.isNull(r, 0))
            continue;
        const QString name = rows.text(r, 0);
        if (relations.isEmpty() || relations.constLast().name != name) {
            CatalogRelation relation;
            relation.name = name;
            if (postgres)
                relation.kind = pgKind(rows.text(r, 1), rows.text(r, 3) == QLatin1String("t"));
            else if (rows.text(r, 1) == QLatin1String("view"))
                relation.kind = ModelKind::View;
            relations << std::move(relation);
        }
        if (!rows.isNull(r, 2))
            relations.last().columns << rows.text(r, 2);
    }
    return relations;
}

QCoro::Task<QList<CatalogRelation>> pgCatalogNames(drivers::Connection *connection, QString schema)
{
    // From the namespace outwards, so that an empty schema still gives one row and a schema
    // that does not exist none.
    const QString sql =
        QStringLiteral("SELECT c.relname, c.relkind, a.attname, c.relispartition "
                       "FROM pg_catalog.pg_namespace n "
                       "LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid "
                       "AND c.relkind IN ('r', 'v', 'm', 'p') "
                       "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
                       "AND a.attnum > 0 AND NOT a.attisdropped "
                       "WHERE n.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND %1 "
                       "ORDER BY c.relname, a.attnum")
            .arg(userSchemaCondition(QStringLiteral("n.nspname")));
    const QVariantList params{schema};
    const Result rows = co_await connection->execute(sql, params);
    if (rows.rowCount() == 0)
        throw noSuchSchema(connection, schema);
    co_return groupRows(rows, true);
}

QCoro::Task<QList<CatalogRelation>> sqliteCatalogNames(drivers::Connection *connection,
                                                       QString schema)
{
    if (schema.isEmpty())
        schema = QStringLiteral("main");
    // The schema is SQL text in "<schema>".sqlite_schema: it must be one that exists.
    const QString exists = QStringLiteral("SELECT 1 FROM pragma_database_list WHERE name = ?1");
    const QVariantList existsParams{schema};
    const Result found = co_await connection->execute(exists, existsParams);
    if (found.rowCount() == 0)
        throw noSuchSchema(connection, schema);
    const QString sql = QStringLiteral("SELECT m.name, m.type, p.name "
                                       "FROM %1.sqlite_schema m "
                                       "JOIN pragma_table_info(m.name, ?1) p "
                                       "WHERE m.type IN ('table', 'view') "
                                       "AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                       "ORDER BY m.name, p.cid")
                            .arg(quoteIdentifier(schema));
    const QVariantList params{schema};
    const Result rows = co_await connection->execute(sql, params);
    co_return groupRows(rows, false);
}

} // namespace

QCoro::Task<QList<CatalogRelation>> catalogNames(Database *db, QString schema)
{
    // The lease lives in this frame, so the connection outlives every query; `db` may not.
    ConnectionLease lease = co_await db->acquire(QStringLiteral("catalogNames"));
    drivers::Connection *connection = lease.get();
    if (dialectOf(connection->backend()) == Dialect::Postgres)
        co_return co_await pgCatalogNames(connection, std::move(schema));
    co_return co_await sqliteCatalogNames(connection, std::move(schema));
}

} // namespace orm::reflection
