#include "orm/schema/reflection.h"

#include <QMap>

namespace orm::reflection {
namespace {

using Backend = DatabaseUrl::Backend;
using drivers::Connection;

// A catalog boolean: PostgreSQL's text "t"/"f", SQLite's integers.
bool flag(const Result &result, int row, int column)
{
    const QString text = result.text(row, column);
    return text == QLatin1String("t") || text == QLatin1String("true") ||
           (!text.isEmpty() && text != QLatin1String("0") && text != QLatin1String("f") &&
            text != QLatin1String("false"));
}

int number(const Result &result, int row, int column)
{
    return result.text(row, column).toInt();
}

// An identifier for SQL text, quoted as both dialects want. Only schema names ever need it
// (SQLite's "<schema>".sqlite_schema); everything else is bound.
QString quoted(const QString &identifier)
{
    QString inner = identifier;
    inner.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + inner + QLatin1Char('"');
}

QString sqliteSchema(const QString &schema)
{
    return schema.isEmpty() ? QStringLiteral("main") : schema;
}

Error unknownSchema(const Connection *connection, const QString &schema)
{
    return Error(Error::Kind::Configuration, QStringLiteral("no schema named '%1'").arg(schema),
                 connection->url().toDisplayString());
}

Error unknownTable(const Connection *connection, const QString &schema, const QString &table)
{
    return Error(Error::Kind::Configuration,
                 QStringLiteral("no table or view named %1.%2").arg(schema, table),
                 connection->url().toDisplayString());
}

// -- PostgreSQL ------------------------------------------------------------------------------

ModelKind kindOfRelkind(const QString &relkind, bool isPartition)
{
    if (relkind == QLatin1String("v"))
        return ModelKind::View;
    if (relkind == QLatin1String("m"))
        return ModelKind::MaterializedView;
    if (relkind == QLatin1String("p"))
        return ModelKind::PartitionedTable; // even when itself a partition (sub-partitioning)
    return isPartition ? ModelKind::Partition : ModelKind::Table;
}

// The parent of a partition: its name, qualified when it lives in another schema.
QString parentName(const Result &r, int row, int nameColumn, int schemaColumn,
                   const QString &ownSchema)
{
    if (r.isNull(row, nameColumn))
        return {};
    const QString parentSchema = r.text(row, schemaColumn);
    const QString parent = r.text(row, nameColumn);
    return parentSchema == ownSchema ? parent : parentSchema + QLatin1Char('.') + parent;
}

const QString PgSchemaArgument = QStringLiteral("COALESCE(NULLIF($1, ''), current_schema())");

QCoro::Task<QStringList> pgListSchemas(Connection *connection)
{
    const QString sql =
        QStringLiteral("SELECT nspname FROM pg_catalog.pg_namespace WHERE %1 ORDER BY nspname")
            .arg(userSchemaCondition(QStringLiteral("nspname")));
    const Result r = co_await connection->execute(sql);
    QStringList schemas;
    for (int row = 0; row < r.rowCount(); ++row)
        schemas << r.text(row, 0);
    co_return schemas;
}

QCoro::Task<> pgCheckSchema(Connection *connection, QString schema)
{
    const QString sql = QStringLiteral("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %1")
                            .arg(PgSchemaArgument);
    const QVariantList params{schema};
    const Result r = co_await connection->execute(sql, params);
    if (r.rowCount() == 0)
        throw unknownSchema(connection, schema);
}

QCoro::Task<QList<Model>> pgListModels(Connection *connection, QString schema)
{
    const QString sql =
        QStringLiteral(
            "SELECT c.relname, c.relkind, c.relispartition, p.relname, pn.nspname, n.nspname "
            "FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid "
            "LEFT JOIN pg_catalog.pg_class p ON p.oid = i.inhparent "
            "LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace "
            "WHERE n.nspname = %1 AND c.relkind IN ('r', 'v', 'm', 'p') "
            "ORDER BY c.relname")
            .arg(PgSchemaArgument);
    const QVariantList params{schema};
    const Result r = co_await connection->execute(sql, params);
    if (r.rowCount() == 0)
        co_await pgCheckSchema(connection, schema); // an empty schema, or none at all?
    QList<Model> models;
    models.reserve(r.rowCount());
    for (int row = 0; row < r.rowCount(); ++row) {
        Model model;
        model.name = model.table = r.text(row, 0);
        model.schema = r.text(row, 5);
        model.kind = kindOfRelkind(r.text(row, 1), flag(r, row, 2));
        model.partitionOf = parentName(r, row, 3, 4, model.schema);
        model.origin = ModelOrigin::Reflected;
        model.fieldsLoaded = false;
        models << std::move(model);
    }
    co_return models;
}

LogicalType pgLogicalType(const Result &r, int row)
{
    // Columns of the field query: 6 typtype, 7 typcategory, 8 base type, 9 base typcategory.
    const QString typtype = r.text(row, 6);
    if (r.text(row, 7) == QLatin1String("A"))
        return LogicalType::Text; // arrays: their text form
    if (typtype == QLatin1String("e") || typtype == QLatin1String("c") ||
        typtype == QLatin1String("r") || typtype == QLatin1String("m"))
        return LogicalType::Text;      // enums, composites, ranges
    if (typtype == QLatin1String("d")) // a domain behaves as its base type
        return r.text(row, 9) == QLatin1String("A") ? LogicalType::Text
                                                    : logicalTypeOf(r.text(row, 8));
    return logicalTypeOf(r.text(row, 1));
}

QCoro::Task<Model> pgLoadModel(Connection *connection, QString schema, QString table)
{
    const QString relationSql =
        QStringLiteral(
            "SELECT c.oid, c.relkind, c.relispartition, p.relname, pn.nspname, n.nspname "
            "FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid "
            "LEFT JOIN pg_catalog.pg_class p ON p.oid = i.inhparent "
            "LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace "
            "WHERE n.nspname = %1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p')")
            .arg(PgSchemaArgument);
    const QVariantList relationParams{schema, table};
    const Result relation = co_await connection->execute(relationSql, relationParams);
    if (relation.rowCount() == 0)
        throw unknownTable(connection,
                           schema.isEmpty() ? QStringLiteral("(current schema)") : schema, table);

    Model model;
    model.name = model.table = table;
    model.schema = relation.text(0, 5);
    model.kind = kindOfRelkind(relation.text(0, 1), flag(relation, 0, 2));
    model.partitionOf = parentName(relation, 0, 3, 4, model.schema);
    model.origin = ModelOrigin::Reflected;
    const QVariantList oid{relation.text(0, 0)};

    // format_type shows enums and domains by their name, and modifiers: varchar(40).
    const QString fieldSql = QStringLiteral(
        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
        "t.typtype, t.typcategory, pg_catalog.format_type(t.typbasetype, t.typtypmod), "
        "bt.typcategory "
        "FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype "
        "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum");
    const Result fields = co_await connection->execute(fieldSql, oid);
    for (int row = 0; row < fields.rowCount(); ++row) {
        Field field;
        field.name = fields.text(row, 0);
        field.sqlType = fields.text(row, 1);
        field.type = pgLogicalType(fields, row);
        field.nullable = !flag(fields, row, 2);
        const QString expression = fields.isNull(row, 3) ? QString() : fields.text(row, 3);
        field.generated = !fields.text(row, 5).isEmpty();
        if (field.generated)
            field.generatedExpression = expression;
        else
            field.defaultExpression = expression;
        field.identity = !fields.text(row, 4).isEmpty() ||
                         expression.startsWith(QLatin1String("nextval(")); // serial
        model.fields << std::move(field);
    }

    // One row per key column of each index; expression columns shown as their expression.
    const QString indexSql = QStringLiteral(
        "SELECT ic.relname, i.indisunique, i.indisprimary, "
        "CASE WHEN i.indkey[k.n] = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n + 1, true) "
        "ELSE a.attname END, i.indpred IS NOT NULL "
        "FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
        "CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) AS k(n) "
        "LEFT JOIN pg_catalog.pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] "
        "WHERE i.indrelid = $1::oid "
        "ORDER BY ic.relname, k.n");
    const Result indexes = co_await connection->execute(indexSql, oid);
    for (int row = 0; row < indexes.rowCount(); ++row) {
        const QString name = indexes.text(row, 0);
        if (model.indexes.isEmpty() || model.indexes.last().name != name)
            model.indexes << Index{
                name, {}, flag(indexes, row, 1), flag(indexes, row, 2), flag(indexes, row, 4)};
        model.indexes.last().columns << indexes.text(row, 3);
    }
    for (const Index &index : std::as_const(model.indexes))
        if (index.primary)
            for (Field &field : model.fields)
                if (index.columns.contains(field.name))
                    field.primaryKey = true;

    const QString foreignKeySql = QStringLiteral(
        "SELECT con.conname, fn.nspname, fc.relname, a.attname, fa.attname "
        "FROM pg_catalog.pg_constraint con "
        "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, "
        "fattnum, n) "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
        "JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid "
        "JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
        "JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = "
        "k.fattnum "
        "WHERE con.conrelid = $1::oid AND con.contype = 'f' "
        "ORDER BY con.conname, k.n");
    const Result keys = co_await connection->execute(foreignKeySql, oid);
    for (int row = 0; row < keys.rowCount(); ++row) {
        const QString name = keys.text(row, 0);
        if (model.foreignKeys.isEmpty() || model.foreignKeys.last().name != name) {
            ForeignKey key;
            key.name = name;
            const QString targetSchema = keys.text(row, 1);
            key.targetSchema = targetSchema == model.schema ? QString() : targetSchema;
            key.targetTable = keys.text(row, 2);
            model.foreignKeys << std::move(key);
        }
        model.foreignKeys.last().columns << keys.text(row, 3);
        model.foreignKeys.last().targetColumns << keys.text(row, 4);
    }
    co_return model;
}

// -- SQLite ----------------------------------------------------------------------------------

QCoro::Task<QStringList> sqliteListSchemas(Connection *connection)
{
    const QString sql = QStringLiteral("SELECT name FROM pragma_database_list ORDER BY seq");
    const Result r = co_await connection->execute(sql);
    QStringList attached;
    for (int row = 0; row < r.rowCount(); ++row) {
        const QString name = r.text(row, 0);
        if (name != QLatin1String("main") && name != QLatin1String("temp"))
            attached << name;
    }
    attached.sort();
    co_return QStringList{QStringLiteral("main")} + attached;
}

// Runs a catalog query of `schema`; an SQL error because the schema is not attached becomes
// Error(Configuration) naming it.
QCoro::Task<Result> sqliteCatalogQuery(Connection *connection, QString schema, QString sql,
                                       QVariantList params)
{
    std::optional<Error> failure;
    try {
        co_return co_await connection->execute(sql, params);
    } catch (const Error &error) {
        if (error.kind() != Error::Kind::Sql)
            throw;
        failure = error;
    }
    const QStringList schemas = co_await sqliteListSchemas(connection);
    if (!schemas.contains(schema))
        throw unknownSchema(connection, schema);
    throw *failure;
}

QCoro::Task<QList<Model>> sqliteListModels(Connection *connection, QString schema)
{
    schema = sqliteSchema(schema);
    const QString sql = QStringLiteral("SELECT name, type FROM %1.sqlite_schema "
                                       "WHERE type IN ('table', 'view') "
                                       "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                       "ORDER BY name")
                            .arg(quoted(schema));
    const QVariantList noParams;
    const Result r = co_await sqliteCatalogQuery(connection, schema, sql, noParams);
    QList<Model> models;
    models.reserve(r.rowCount());
    for (int row = 0; row < r.rowCount(); ++row) {
        Model model;
        model.name = model.table = r.text(row, 0);
        model.schema = schema;
        model.kind = r.text(row, 1) == QLatin1String("view") ? ModelKind::View : ModelKind::Table;
        model.origin = ModelOrigin::Reflected;
        model.fieldsLoaded = false;
        models << std::move(model);
    }
    co_return models;
}

QCoro::Task<Model> sqliteLoadModel(Connection *connection, QString schema, QString table)
{
    schema = sqliteSchema(schema);
    const QString typeSql = QStringLiteral("SELECT type FROM %1.sqlite_schema "
                                           "WHERE name = ? AND type IN ('table', 'view')")
                                .arg(quoted(schema));
    const QVariantList typeParams{table};
    const Result type = co_await sqliteCatalogQuery(connection, schema, typeSql, typeParams);
    if (type.rowCount() == 0)
        throw unknownTable(connection, schema, table);

    Model model;
    model.name = model.table = table;
    model.schema = schema;
    model.kind = type.text(0, 0) == QLatin1String("view") ? ModelKind::View : ModelKind::Table;
    model.origin = ModelOrigin::Reflected;
    // The pragmas' table-valued forms take the table and the schema as bound arguments.
    const QVariantList params{table, schema};

    const QString fieldSql =
        QStringLiteral("SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                       "FROM pragma_table_xinfo(?, ?) ORDER BY cid");
    const Result fields = co_await connection->execute(fieldSql, params);
    int keyColumns = 0;
    for (int row = 0; row < fields.rowCount(); ++row) {
        const int hidden = number(fields, row, 5);
        if (hidden == 1)
            continue; // a virtual table's hidden column
        Field field;
        field.name = fields.text(row, 0);
        field.sqlType = fields.text(row, 1);
        field.type = logicalTypeOf(field.sqlType);
        field.nullable = !flag(fields, row, 2);
        field.defaultExpression = fields.isNull(row, 3) ? QString() : fields.text(row, 3);
        field.primaryKey = number(fields, row, 4) > 0;
        field.generated = hidden == 2 || hidden == 3; // VIRTUAL, STORED
        keyColumns += field.primaryKey ? 1 : 0;
        model.fields << std::move(field);
    }

    // Key columns of every index in one query (index_info's rows joined to index_list's).
    const QString indexSql =
        QStringLiteral("SELECT il.name, il.\"unique\", il.origin, ii.cid, ii.name, il.partial "
                       "FROM pragma_index_list(?1, ?2) AS il, pragma_index_info(il.name, ?2) AS ii "
                       "ORDER BY il.name, ii.seqno");
    const Result indexes = co_await connection->execute(indexSql, params);
    bool primaryIndex = false;
    for (int row = 0; row < indexes.rowCount(); ++row) {
        const QString name = indexes.text(row, 0);
        if (model.indexes.isEmpty() || model.indexes.last().name != name) {
            const bool primary = indexes.text(row, 2) == QLatin1String("pk");
            primaryIndex = primaryIndex || primary;
            model.indexes << Index{name, {}, flag(indexes, row, 1), primary, flag(indexes, row, 5)};
        }
        const int cid = number(indexes, row, 3);
        model.indexes.last().columns << (cid == -2   ? QStringLiteral("(expression)")
                                         : cid == -1 ? QStringLiteral("rowid")
                                                     : indexes.text(row, 4));
    }
    // INTEGER PRIMARY KEY is the rowid: the one primary key SQLite numbers by itself. A table
    // WITHOUT ROWID (or any other key) has a "pk" index instead.
    if (model.kind == ModelKind::Table && keyColumns == 1 && !primaryIndex)
        for (Field &field : model.fields)
            if (field.primaryKey &&
                field.sqlType.compare(QLatin1String("INTEGER"), Qt::CaseInsensitive) == 0) {
                field.identity = true;
                field.nullable = false;
            }

    const QString foreignKeySql =
        QStringLiteral("SELECT id, \"table\", \"from\", \"to\" "
                       "FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq");
    const Result keys = co_await connection->execute(foreignKeySql, params);
    int lastId = -1;
    for (int row = 0; row < keys.rowCount(); ++row) {
        const int id = number(keys, row, 0);
        if (id != lastId) {
            lastId = id;
            ForeignKey key;
            key.targetTable = keys.text(row, 1);
            model.foreignKeys << std::move(key);
        }
        ForeignKey &key = model.foreignKeys.last();
        key.columns << keys.text(row, 2);
        key.targetColumns << (keys.isNull(row, 3) ? QString() : keys.text(row, 3));
    }
    // "REFERENCES t" without columns means t's primary key.
    for (ForeignKey &key : model.foreignKeys) {
        if (!key.targetColumns.contains(QString()))
            continue;
        const QVariantList targetParams{key.targetTable, schema};
        const QString targetSql =
            QStringLiteral("SELECT name FROM pragma_table_info(?, ?) WHERE pk > 0 ORDER BY pk");
        const Result target = co_await connection->execute(targetSql, targetParams);
        QStringList columns;
        for (int row = 0; row < target.rowCount(); ++row)
            columns << target.text(row, 0);
        if (columns.size() == key.columns.size())
            key.targetColumns = columns;
    }
    co_return model;
}

} // namespace

QString userSchemaCondition(const QString &column)
{
    return QStringLiteral("%1 NOT IN ('pg_catalog', 'information_schema') "
                          "AND %1 NOT LIKE 'pg\\_toast%' AND %1 NOT LIKE 'pg\\_temp\\_%'")
        .arg(column);
}

// Each read runs on one leased connection, and nothing of the Database is used after the lease
// is taken: Registry::removeExtra may delete it while the read is under way (the lease keeps its
// connection, and the pool, alive on their own). A removal cancels the statement running on a
// pooled connection, and closes it after the pool's grace.

QCoro::Task<QStringList> listSchemas(Database *db)
{
    ConnectionLease lease = co_await db->acquire(QStringLiteral("listSchemas"));
    if (lease->backend() == Backend::Sqlite)
        co_return co_await sqliteListSchemas(lease.get());
    co_return co_await pgListSchemas(lease.get());
}

QCoro::Task<QList<Model>> listModels(Database *db, QString schema)
{
    ConnectionLease lease = co_await db->acquire(QStringLiteral("listModels"));
    if (lease->backend() == Backend::Sqlite)
        co_return co_await sqliteListModels(lease.get(), schema);
    co_return co_await pgListModels(lease.get(), schema);
}

namespace {

// Table oids, column counts and names (a rename, a column added or dropped), and the schemas.
QCoro::Task<QString> pgCatalogStamp(Connection *connection)
{
    const QString sql =
        QStringLiteral(
            "SELECT md5(coalesce(string_agg(c.oid::text || ':' || c.relnatts::text || ':' || "
            "c.relname, ',' ORDER BY c.oid), '')), (SELECT md5(string_agg(nspname, ',' ORDER BY "
            "oid)) FROM pg_catalog.pg_namespace) "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'v', 'm', 'p') AND %1")
            .arg(userSchemaCondition(QStringLiteral("n.nspname")));
    const Result r = co_await connection->execute(sql);
    co_return r.text(0, 0) + QLatin1Char('/') + r.text(0, 1);
}

QCoro::Task<QString> sqliteCatalogStamp(Connection *connection)
{
    const QStringList schemas = co_await sqliteListSchemas(connection);
    QStringList versions;
    for (const QString &schema : schemas) {
        QString quoted = schema;
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        const QString sql = QStringLiteral("PRAGMA \"%1\".schema_version").arg(quoted);
        const Result r = co_await connection->execute(sql);
        versions << schema + QLatin1Char(':') + r.text(0, 0);
    }
    co_return versions.join(QLatin1Char(','));
}

} // namespace

QCoro::Task<Model> loadModel(Database *db, QString schema, QString table)
{
    ConnectionLease lease = co_await db->acquire(QStringLiteral("loadModel"));
    if (lease->backend() == Backend::Sqlite)
        co_return co_await sqliteLoadModel(lease.get(), schema, table);
    co_return co_await pgLoadModel(lease.get(), schema, table);
}

QCoro::Task<QString> catalogStamp(Database *db)
{
    ConnectionLease lease = co_await db->acquire(QStringLiteral("catalogStamp"));
    if (lease->backend() == Backend::Sqlite)
        co_return co_await sqliteCatalogStamp(lease.get());
    co_return co_await pgCatalogStamp(lease.get());
}

} // namespace orm::reflection
