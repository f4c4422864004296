#include "orm/schema/table_ddl.h"

#include <exception>
#include <optional>

namespace orm::reflection {
namespace {

using Backend = DatabaseUrl::Backend;
using drivers::Connection;

Error unknownTable(const Connection *connection, const QString &schema, const QString &table)
{
    return Error(Error::Kind::Configuration,
                 QStringLiteral("no table or view named %1.%2").arg(schema, table),
                 connection->url().toDisplayString());
}

QString textOrEmpty(const Result &r, int row, int column)
{
    return r.isNull(row, column) ? QString() : r.text(row, column);
}

// -- PostgreSQL ------------------------------------------------------------------------------

// The relation, resolved before the search_path is emptied (current_schema() needs it).
const QString PgRelationSql = QStringLiteral(
    "SELECT c.oid, n.nspname FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND c.relname = $2 "
    "AND c.relkind IN ('r', 'v', 'm', 'p')");

// Everything below runs with search_path '': the pg_get_* functions then qualify every name.
const QString PgHeadSql = QStringLiteral(
    "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), "
    "c.relkind, c.relpersistence, pg_catalog.array_to_string(c.reloptions, ', '), "
    "CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, "
    "CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, "
    "(SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname) "
    " FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent "
    " JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace "
    " WHERE c.relispartition AND i.inhrelid = c.oid), "
    "CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END, "
    "pg_catalog.quote_literal(pg_catalog.obj_description(c.oid, 'pg_class')) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid = $1::oid");

// A column's collation is written only when it is not its type's.
const QString PgColumnSql = QStringLiteral(
    "SELECT pg_catalog.quote_ident(a.attname), "
    "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
    "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN "
    " pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END, "
    "pg_catalog.quote_literal(pg_catalog.col_description(a.attrelid, a.attnum)), a.attislocal "
    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
    "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "
    "LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");

// The table's own constraints (not those a partition inherits), keys first as pg_dump orders
// them. NOT NULL is the column's; constraint triggers come with the triggers.
const QString PgConstraintSql = QStringLiteral(
    "SELECT pg_catalog.quote_ident(conname), pg_catalog.pg_get_constraintdef(oid, true) "
    "FROM pg_catalog.pg_constraint "
    "WHERE conrelid = $1::oid AND contype IN ('p', 'u', 'c', 'f', 'x') AND conislocal "
    "ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 "
    "ELSE 4 END, conname");

// Indexes that back no key or exclusion constraint, and are no partition of the parent's index
// (the parent's CREATE INDEX makes those).
const QString PgIndexSql =
    QStringLiteral("SELECT pg_catalog.pg_get_indexdef(i.indexrelid) FROM pg_catalog.pg_index i "
                   "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
                   "WHERE i.indrelid = $1::oid AND NOT ic.relispartition AND NOT EXISTS ("
                   " SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conrelid = i.indrelid "
                   " AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')) "
                   "ORDER BY ic.relname");

// The user's triggers: not the internal ones of foreign keys, not those cloned from a parent.
const QString PgTriggerSql =
    QStringLiteral("SELECT pg_catalog.pg_get_triggerdef(oid, true) FROM pg_catalog.pg_trigger "
                   "WHERE tgrelid = $1::oid AND NOT tgisinternal AND tgparentid = 0 "
                   "ORDER BY tgname");

QString withoutFinalSemicolon(QString statement)
{
    statement = statement.trimmed();
    while (statement.endsWith(QLatin1Char(';')))
        statement = statement.chopped(1).trimmed();
    return statement;
}

QString pgColumnDefinition(const Result &r, int row)
{
    QString column = r.text(row, 0) + QLatin1Char(' ') + r.text(row, 1);
    const QString collation = textOrEmpty(r, row, 6);
    if (!collation.isEmpty())
        column += QLatin1String(" COLLATE ") + collation;
    const QString expression = textOrEmpty(r, row, 3);
    const QString identity = r.text(row, 4);
    if (!r.text(row, 5).isEmpty())
        column += QLatin1String(" GENERATED ALWAYS AS (") + expression + QLatin1String(") STORED");
    else if (!expression.isEmpty())
        column += QLatin1String(" DEFAULT ") + expression;
    const QString notNull = r.text(row, 2);
    if (notNull == QLatin1String("t"))
        column += QLatin1String(" NOT NULL");
    if (identity == QLatin1String("a"))
        column += QLatin1String(" GENERATED ALWAYS AS IDENTITY");
    else if (identity == QLatin1String("d"))
        column += QLatin1String(" GENERATED BY DEFAULT AS IDENTITY");
    return column;
}

QCoro::Task<QString> pgDdl(Connection *connection, QString oid)
{
    const QVariantList params{oid};
    const Result head = co_await connection->execute(PgHeadSql, params);
    const Result columns = co_await connection->execute(PgColumnSql, params);
    const QString qualified = head.text(0, 0);
    const QString relkind = head.text(0, 1);
    QStringList statements;
    statements << QStringLiteral(
        "-- Types, sequences and functions the relation uses are not included.\n");

    if (relkind == QLatin1String("v") || relkind == QLatin1String("m")) {
        const bool materialized = relkind == QLatin1String("m");
        QString view = materialized ? QStringLiteral("CREATE MATERIALIZED VIEW ")
                                    : QStringLiteral("CREATE VIEW ");
        view += qualified;
        const QString options = textOrEmpty(head, 0, 3);
        if (!options.isEmpty())
            view += QLatin1String(" WITH (") + options + QLatin1Char(')');
        view +=
            QLatin1String(" AS\n") + withoutFinalSemicolon(head.text(0, 7)) + QLatin1String(";\n");
        statements << view;
    } else {
        const Result constraints = co_await connection->execute(PgConstraintSql, params);
        const QString parent = textOrEmpty(head, 0, 6);
        QStringList elements;
        for (int row = 0; row < columns.rowCount(); ++row)
            if (parent.isEmpty()) // a partition's columns are its parent's
                elements << pgColumnDefinition(columns, row);
        for (int row = 0; row < constraints.rowCount(); ++row)
            elements << QLatin1String("CONSTRAINT ") + constraints.text(row, 0) + QLatin1Char(' ') +
                            constraints.text(row, 1);
        QString table = head.text(0, 2) == QLatin1String("u")
                            ? QStringLiteral("CREATE UNLOGGED TABLE ")
                            : QStringLiteral("CREATE TABLE ");
        table += qualified;
        if (!parent.isEmpty())
            table += QLatin1String(" PARTITION OF ") + parent;
        if (!elements.isEmpty() || parent.isEmpty())
            table += QLatin1String(" (\n    ") + elements.join(QLatin1String(",\n    ")) +
                     QLatin1String("\n)");
        if (!parent.isEmpty())
            table += QLatin1Char('\n') + head.text(0, 5);
        const QString partitionKey = textOrEmpty(head, 0, 4);
        if (!partitionKey.isEmpty())
            table += QLatin1String("\nPARTITION BY ") + partitionKey;
        const QString options = textOrEmpty(head, 0, 3);
        if (!options.isEmpty())
            table += QLatin1String("\nWITH (") + options + QLatin1Char(')');
        statements << table + QLatin1String(";\n");

        const Result indexes = co_await connection->execute(PgIndexSql, params);
        for (int row = 0; row < indexes.rowCount(); ++row)
            statements << indexes.text(row, 0) + QLatin1String(";\n");
    }
    if (relkind == QLatin1String("m")) {
        const Result indexes = co_await connection->execute(PgIndexSql, params);
        for (int row = 0; row < indexes.rowCount(); ++row)
            statements << indexes.text(row, 0) + QLatin1String(";\n");
    }

    const QString kindWord = relkind == QLatin1String("v")   ? QStringLiteral("VIEW")
                             : relkind == QLatin1String("m") ? QStringLiteral("MATERIALIZED VIEW")
                                                             : QStringLiteral("TABLE");
    QString comments;
    if (!head.isNull(0, 8))
        comments +=
            QStringLiteral("COMMENT ON %1 %2 IS %3;\n").arg(kindWord, qualified, head.text(0, 8));
    for (int row = 0; row < columns.rowCount(); ++row)
        if (!columns.isNull(row, 7))
            comments += QLatin1String("COMMENT ON COLUMN ") + qualified + QLatin1Char('.') +
                        columns.text(row, 0) + QLatin1String(" IS ") + columns.text(row, 7) +
                        QLatin1String(";\n");
    if (!comments.isEmpty())
        statements << comments;

    const Result triggers = co_await connection->execute(PgTriggerSql, params);
    for (int row = 0; row < triggers.rowCount(); ++row)
        statements << triggers.text(row, 0) + QLatin1String(";\n");
    co_return statements.join(QLatin1Char('\n'));
}

// One read-only transaction whose search_path is empty only inside it (SET LOCAL): behind a
// transaction pooler nothing of the session is relied on, and nothing is left set.
QCoro::Task<QString> pgTableDdl(Connection *connection, QString schema, QString name)
{
    const QString begin = QStringLiteral("BEGIN READ ONLY");
    co_await connection->executeScript(begin);
    std::exception_ptr failure;
    QString ddl;
    try {
        const QVariantList params{schema, name};
        const Result relation = co_await connection->execute(PgRelationSql, params);
        if (relation.rowCount() == 0)
            throw unknownTable(
                connection, schema.isEmpty() ? QStringLiteral("(current schema)") : schema, name);
        const QString emptyPath =
            QStringLiteral("SELECT pg_catalog.set_config('search_path', '', true)");
        co_await connection->execute(emptyPath);
        ddl = co_await pgDdl(connection, relation.text(0, 0));
    } catch (...) {
        failure = std::current_exception();
    }
    const QString rollback = QStringLiteral("ROLLBACK"); // nothing was written
    co_await connection->executeScript(rollback);
    if (failure)
        std::rethrow_exception(failure);
    co_return ddl;
}

// -- SQLite ----------------------------------------------------------------------------------

QString sqliteQuoted(const QString &identifier)
{
    QString inner = identifier;
    inner.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + inner + QLatin1Char('"');
}

QCoro::Task<Result> sqliteRead(Connection *connection, QString schema, QString sql,
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
    // Not attached? Then say so, as reflection does.
    const QString listSql = QStringLiteral("SELECT 1 FROM pragma_database_list WHERE name = ?");
    const QVariantList listParams{schema};
    const Result attached = co_await connection->execute(listSql, listParams);
    if (attached.rowCount() == 0)
        throw Error(Error::Kind::Configuration, QStringLiteral("no schema named '%1'").arg(schema),
                    connection->url().toDisplayString());
    throw *failure;
}

QCoro::Task<QString> sqliteTableDdl(Connection *connection, QString schema, QString name)
{
    schema = schema.isEmpty() ? QStringLiteral("main") : schema;
    // The table or view first, then its indexes, then its triggers, each in creation order.
    const QString sql =
        QStringLiteral("SELECT type, name, sql FROM %1.sqlite_schema "
                       "WHERE (tbl_name = ?1 OR (name = ?1 AND type IN ('table', 'view'))) "
                       "AND sql IS NOT NULL "
                       "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 0 "
                       "WHEN 'index' THEN 1 ELSE 2 END, rowid")
            .arg(sqliteQuoted(schema));
    const QVariantList params{name};
    const Result r = co_await sqliteRead(connection, schema, sql, params);
    QStringList statements;
    bool found = false;
    for (int row = 0; row < r.rowCount(); ++row) {
        const QString type = r.text(row, 0);
        found = found || ((type == QLatin1String("table") || type == QLatin1String("view")) &&
                          r.text(row, 1) == name);
        statements << withoutFinalSemicolon(r.text(row, 2)) + QLatin1String(";\n");
    }
    if (!found)
        throw unknownTable(connection, schema, name);
    co_return statements.join(QLatin1Char('\n'));
}

} // namespace

QCoro::Task<QString> tableDdl(Database *db, QString schema, QString name)
{
    ConnectionLease lease = co_await db->acquire(QStringLiteral("tableDdl"));
    if (lease->backend() == Backend::Sqlite)
        co_return co_await sqliteTableDdl(lease.get(), schema, name);
    co_return co_await pgTableDdl(lease.get(), schema, name);
}

} // namespace orm::reflection
