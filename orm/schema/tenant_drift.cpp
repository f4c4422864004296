#include "tenant_drift.h"

#include "orm/core/off_thread.h"
#include "orm/schema/reflection.h"

#include <QPointer>
#include <QRegularExpression>

#include <algorithm>
#include <memory>
#include <set>

namespace orm {

using Backend = DatabaseUrl::Backend;
using Shapes = std::map<QString, std::map<QString, TableShape>>;

const TableShape::Column *TableShape::column(const QString &name) const
{
    for (const Column &c : columns)
        if (c.name == name)
            return &c;
    return nullptr;
}

QString DriftItem::kindName(Kind kind)
{
    switch (kind) {
    case Kind::MissingTable:
        return QStringLiteral("missing table");
    case Kind::ExtraTable:
        return QStringLiteral("extra table");
    case Kind::MissingColumn:
        return QStringLiteral("missing column");
    case Kind::ExtraColumn:
        return QStringLiteral("extra column");
    case Kind::ColumnType:
        return QStringLiteral("type");
    case Kind::Nullability:
        return QStringLiteral("nullability");
    case Kind::Default:
        return QStringLiteral("default");
    case Kind::MissingIndex:
        return QStringLiteral("missing index");
    case Kind::ExtraIndex:
        return QStringLiteral("extra index");
    case Kind::IndexDefinition:
        return QStringLiteral("index");
    case Kind::MissingConstraint:
        return QStringLiteral("missing constraint");
    case Kind::ExtraConstraint:
        return QStringLiteral("extra constraint");
    case Kind::ConstraintDefinition:
        return QStringLiteral("constraint");
    }
    return {};
}

QString DriftItem::describe() const
{
    const QString where = name.isEmpty() ? table : table + QLatin1Char('.') + name;
    const auto shown = [](const QString &text) {
        return text.isEmpty() ? QStringLiteral("none") : text;
    };
    switch (kind) {
    case Kind::MissingTable:
    case Kind::ExtraTable:
    case Kind::MissingColumn:
    case Kind::ExtraColumn:
    case Kind::MissingIndex:
    case Kind::ExtraIndex:
    case Kind::MissingConstraint:
    case Kind::ExtraConstraint:
        return QStringLiteral("%1: %2").arg(where, kindName(kind));
    default:
        return QStringLiteral("%1: %2 %3, template has %4")
            .arg(where, kindName(kind), shown(actual), shown(expected));
    }
}

int DriftReport::driftingCount() const
{
    return int(std::count_if(tenants.begin(), tenants.end(),
                             [](const TenantDrift &t) { return t.drifts(); }));
}

namespace {

// Identifiers in the script, quoted as both dialects want (schema/ sits below query/, whose
// sql_dialect has the same rule).
QString quoteIdentifier(const QString &name)
{
    return QLatin1Char('"') + QString(name).replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}

QString qualifiedName(const QString &schema, const QString &table)
{
    return quoteIdentifier(schema) + QLatin1Char('.') + quoteIdentifier(table);
}

// A PostgreSQL text[] literal of `names`, each element quoted: bound as one parameter.
QString textArray(const QStringList &names)
{
    QStringList quoted;
    for (QString name : names)
        quoted << QLatin1Char('"') +
                      name.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
                          .replace(QLatin1Char('"'), QStringLiteral("\\\"")) +
                      QLatin1Char('"');
    return QLatin1Char('{') + quoted.join(QLatin1Char(',')) + QLatin1Char('}');
}

// A definition with its schema taken out: "acme.t_id_seq" and "t_id_seq" compare equal.
QString withoutSchema(QString definition, const QString &quotedSchema)
{
    return definition.replace(quotedSchema + QLatin1Char('.'), QString());
}

// The catalog's answers for a PostgreSQL read, turned into shapes off the awaiting thread.
struct PostgresCatalog {
    Result columns, indexes, constraints;
};

Shapes postgresShapes(const PostgresCatalog &catalog)
{
    Shapes shapes;
    const Result &columns = catalog.columns;
    for (int row = 0; row < columns.rowCount(); ++row) {
        TableShape &table = shapes[columns.text(row, 0)][columns.text(row, 1)];
        table.name = columns.text(row, 1);
        if (columns.isNull(row, 2))
            continue; // a table without columns
        TableShape::Column column;
        column.name = columns.text(row, 2);
        column.type = columns.text(row, 3);
        column.nullable = !columns.value(row, 4).toBool();
        column.defaultValue = columns.isNull(row, 5)
                                  ? QString()
                                  : withoutSchema(columns.text(row, 5), columns.text(row, 7));
        column.identity = columns.text(row, 6);
        table.columns << column;
    }
    const Result &indexes = catalog.indexes;
    for (int row = 0; row < indexes.rowCount(); ++row)
        shapes[indexes.text(row, 0)][indexes.text(row, 1)].indexes[indexes.text(row, 2)] =
            withoutSchema(indexes.text(row, 3), indexes.text(row, 4));
    const Result &constraints = catalog.constraints;
    for (int row = 0; row < constraints.rowCount(); ++row)
        shapes[constraints.text(row, 0)][constraints.text(row, 1)]
            .constraints[constraints.text(row, 2)] =
            withoutSchema(constraints.text(row, 3), constraints.text(row, 4));
    return shapes;
}

QCoro::Task<Shapes> readPostgres(Database *db, QStringList schemas, bool rowCounts)
{
    Shapes shapes;
    ConnectionLease lease = co_await db->acquire(QStringLiteral("tenant drift"));
    drivers::Connection *connection = lease.get();
    // Every name in a definition comes out schema-qualified (search_path is pg_catalog alone),
    // so taking the schema out treats every tenant alike.
    co_await connection->execute(QStringLiteral("BEGIN READ ONLY"));
    std::exception_ptr error;
    try {
        co_await connection->execute(
            QStringLiteral("SELECT pg_catalog.set_config('search_path', 'pg_catalog', true)"));
        const QVariantList names{textArray(schemas)};
        Result columns = co_await connection->execute(
            QStringLiteral(
                "SELECT n.nspname, c.relname, a.attname, "
                "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
                "pg_catalog.quote_ident(n.nspname) "
                "FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
                "AND NOT a.attisdropped "
                "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
                "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                "AND n.nspname = ANY ($1::text[]) "
                "ORDER BY n.nspname, c.relname, a.attnum"),
            names);
        // Indexes that back a constraint are compared as the constraint.
        Result indexes = co_await connection->execute(
            QStringLiteral(
                "SELECT n.nspname, c.relname, i.relname, pg_catalog.pg_get_indexdef(x.indexrelid), "
                "pg_catalog.quote_ident(n.nspname) "
                "FROM pg_catalog.pg_index x "
                "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_catalog.pg_class c ON c.oid = x.indrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                "AND n.nspname = ANY ($1::text[]) AND NOT EXISTS (SELECT 1 FROM "
                "pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN "
                "('p', 'u', 'x'))"),
            names);
        Result constraints = co_await connection->execute(
            QStringLiteral("SELECT n.nspname, c.relname, k.conname, "
                           "pg_catalog.pg_get_constraintdef(k.oid), "
                           "pg_catalog.quote_ident(n.nspname) "
                           "FROM pg_catalog.pg_constraint k "
                           "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
                           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                           "AND k.contype IN ('p', 'u', 'f', 'c', 'x') "
                           "AND n.nspname = ANY ($1::text[])"),
            names);
        // Moved, not copied: copying or freeing 70,000 rows here is what the worker is for.
        PostgresCatalog catalog{std::move(columns), std::move(indexes), std::move(constraints)};
        // Named first: GCC 12 and a lambda inside co_await (docs/DEVELOPING.md).
        auto parse = [catalog = std::move(catalog)] { return postgresShapes(catalog); };
        QCoro::Task<Shapes> parsed = offThread<Shapes>(std::move(parse));
        shapes = co_await std::move(parsed);
        if (rowCounts) {
            QStringList parts;
            QVariantList params;
            for (const auto &[schema, tables] : shapes)
                for (const auto &[name, table] : tables) {
                    params << schema << name;
                    parts << QStringLiteral("SELECT $%1::text, $%2::text, count(*) FROM %3")
                                 .arg(params.size() - 1)
                                 .arg(params.size())
                                 .arg(qualifiedName(schema, name));
                }
            // In slices: a statement has at most 65535 parameters.
            for (qsizetype from = 0; from < parts.size(); from += 1000) {
                const QStringList slice = parts.mid(from, 1000);
                QString sql = slice.join(QStringLiteral(" UNION ALL "));
                QVariantList sliceParams = params.mid(from * 2, slice.size() * 2);
                // Renumber the slice's placeholders from $1.
                for (int p = int(slice.size() * 2); p >= 1; --p)
                    sql.replace(QStringLiteral("$%1::").arg(from * 2 + p),
                                QStringLiteral("$%1::").arg(p));
                const Result counts = co_await connection->execute(sql, sliceParams);
                for (int row = 0; row < counts.rowCount(); ++row)
                    shapes[counts.text(row, 0)][counts.text(row, 1)].rows =
                        counts.value(row, 2).toLongLong();
            }
        }
    } catch (...) {
        error = std::current_exception();
    }
    try {
        co_await connection->execute(QStringLiteral("ROLLBACK"));
    } catch (const Error &) {
    }
    if (error)
        std::rethrow_exception(error);
    co_return std::move(shapes);
}

// The CHECK constraints of a CREATE TABLE as SQLite stored it, column and table ones alike, each
// as "CHECK (expression)" normalised (whitespace only where it separates two words, words
// outside quotes in lower case), so that the same constraint typed differently compares equal.
// SQLite's catalog has no other record of them.
QStringList sqliteChecks(const QString &createSql)
{
    QStringList checks;
    const qsizetype n = createSql.size();
    const auto isWord = [](QChar c) { return c.isLetterOrNumber() || c == QLatin1Char('_'); };
    // The end of a quoted string or identifier starting at `i`, or of a comment; `i` if none.
    const auto skipQuoted = [&](qsizetype i) -> qsizetype {
        const QChar c = createSql[i];
        if (c == QLatin1Char('-') && i + 1 < n && createSql[i + 1] == QLatin1Char('-')) {
            const qsizetype end = createSql.indexOf(QLatin1Char('\n'), i);
            return end < 0 ? n : end + 1;
        }
        if (c == QLatin1Char('/') && i + 1 < n && createSql[i + 1] == QLatin1Char('*')) {
            const qsizetype end = createSql.indexOf(QStringLiteral("*/"), i + 2);
            return end < 0 ? n : end + 2;
        }
        QChar close;
        if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`'))
            close = c;
        else if (c == QLatin1Char('['))
            close = QLatin1Char(']');
        else
            return i;
        qsizetype j = i + 1;
        while (j < n) {
            if (createSql[j] == close) {
                if (close != QLatin1Char(']') && j + 1 < n && createSql[j + 1] == close) {
                    j += 2; // a doubled quote
                    continue;
                }
                return j + 1;
            }
            ++j;
        }
        return n;
    };
    qsizetype i = 0;
    while (i < n) {
        const qsizetype quoted = skipQuoted(i);
        if (quoted != i) {
            i = quoted;
            continue;
        }
        if (!isWord(createSql[i])) {
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < n && isWord(createSql[end]))
            ++end;
        const bool check =
            createSql.mid(i, end - i).compare(QLatin1String("CHECK"), Qt::CaseInsensitive) == 0;
        i = end;
        if (!check)
            continue;
        while (i < n && createSql[i].isSpace())
            ++i;
        if (i >= n || createSql[i] != QLatin1Char('('))
            continue;
        // The balanced parentheses, normalised as they are copied.
        QString expression;
        int depth = 0;
        bool spaced = false;
        while (i < n) {
            const qsizetype after = skipQuoted(i);
            if (after != i) {
                const QString text = createSql.mid(i, after - i);
                if (!text.startsWith(QLatin1String("--")) &&
                    !text.startsWith(QLatin1String("/*"))) {
                    if (spaced && !expression.isEmpty() && isWord(expression.back()))
                        expression += QLatin1Char(' ');
                    expression += text;
                }
                spaced = false;
                i = after;
                continue;
            }
            const QChar c = createSql[i++];
            if (c.isSpace()) {
                spaced = true;
                continue;
            }
            if (spaced && isWord(c) && !expression.isEmpty() && isWord(expression.back()))
                expression += QLatin1Char(' ');
            spaced = false;
            expression += c.toLower();
            if (c == QLatin1Char('('))
                ++depth;
            else if (c == QLatin1Char(')') && --depth == 0)
                break;
        }
        checks << QStringLiteral("CHECK ") + expression;
    }
    return checks;
}

QCoro::Task<Shapes> readSqlite(Database *db, QStringList schemas, bool rowCounts)
{
    Shapes shapes;
    ConnectionLease lease = co_await db->acquire(QStringLiteral("tenant drift"));
    drivers::Connection *connection = lease.get();
    for (const QString &schema : std::as_const(schemas)) {
        const QString q = quoteIdentifier(schema);
        const QString literal = QLatin1Char('\'') +
                                QString(schema).replace(QLatin1Char('\''), QStringLiteral("''")) +
                                QLatin1Char('\'');
        auto &tables = shapes[schema];
        const Result columns = co_await connection->execute(
            QStringLiteral("SELECT m.name, m.sql, p.name, p.type, p.\"notnull\", p.dflt_value, "
                           "p.pk FROM %1.sqlite_schema m JOIN pragma_table_xinfo(m.name, %2) p "
                           "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                           "ORDER BY m.name, p.cid")
                .arg(q, literal));
        std::map<QString, QList<std::pair<int, QString>>> primaryKeys;
        for (int row = 0; row < columns.rowCount(); ++row) {
            TableShape &table = tables[columns.text(row, 0)];
            table.name = columns.text(row, 0);
            table.createSql = columns.text(row, 1);
            TableShape::Column column;
            column.name = columns.text(row, 2);
            column.type = columns.text(row, 3).toUpper();
            column.nullable = columns.value(row, 4).toInt() == 0;
            column.defaultValue = columns.isNull(row, 5) ? QString() : columns.text(row, 5);
            table.columns << column;
            if (const int pk = columns.value(row, 6).toInt(); pk > 0)
                primaryKeys[table.name] << std::pair{pk, quoteIdentifier(column.name)};
        }
        for (auto &[name, key] : primaryKeys) {
            std::sort(key.begin(), key.end());
            QStringList names;
            for (const auto &[position, column] : key)
                names << column;
            const QString definition =
                QStringLiteral("PRIMARY KEY (%1)").arg(names.join(QStringLiteral(", ")));
            tables[name].constraints[definition] = definition;
        }
        for (auto &[name, table] : tables)
            for (const QString &check : sqliteChecks(table.createSql))
                table.constraints[check] = check;
        // Unique constraints: the automatic indexes SQLite makes for them, by their columns.
        const Result uniques = co_await connection->execute(
            QStringLiteral("SELECT m.name, il.name, ii.name FROM %1.sqlite_schema m "
                           "JOIN pragma_index_list(m.name, %2) il "
                           "JOIN pragma_index_info(il.name, %2) ii "
                           "WHERE m.type = 'table' AND il.origin = 'u' ORDER BY m.name, il.name, "
                           "ii.seqno")
                .arg(q, literal));
        std::map<std::pair<QString, QString>, QStringList> uniqueColumns;
        for (int row = 0; row < uniques.rowCount(); ++row)
            uniqueColumns[{uniques.text(row, 0), uniques.text(row, 1)}]
                << quoteIdentifier(uniques.text(row, 2));
        for (const auto &[key, names] : uniqueColumns) {
            const QString definition =
                QStringLiteral("UNIQUE (%1)").arg(names.join(QStringLiteral(", ")));
            tables[key.first].constraints[definition] = definition;
        }
        const Result foreign = co_await connection->execute(
            QStringLiteral("SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM "
                           "%1.sqlite_schema m JOIN pragma_foreign_key_list(m.name, %2) f "
                           "WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq")
                .arg(q, literal));
        std::map<std::pair<QString, int>, std::tuple<QString, QStringList, QStringList>> keys;
        for (int row = 0; row < foreign.rowCount(); ++row) {
            auto &[target, from, to] = keys[{foreign.text(row, 0), foreign.value(row, 1).toInt()}];
            target = foreign.text(row, 2);
            from << quoteIdentifier(foreign.text(row, 3));
            to << (foreign.isNull(row, 4) ? QString() : quoteIdentifier(foreign.text(row, 4)));
        }
        for (const auto &[key, value] : keys) {
            const auto &[target, from, to] = value;
            const QString definition =
                QStringLiteral("FOREIGN KEY (%1) REFERENCES %2 (%3)")
                    .arg(from.join(QStringLiteral(", ")), quoteIdentifier(target),
                         to.join(QStringLiteral(", ")));
            tables[key.first].constraints[definition] = definition;
        }
        // Indexes made by CREATE INDEX (those of constraints have no SQL).
        const Result indexes = co_await connection->execute(
            QStringLiteral("SELECT tbl_name, name, sql FROM %1.sqlite_schema WHERE type = "
                           "'index' AND sql IS NOT NULL")
                .arg(q));
        static const QRegularExpression head(
            QStringLiteral("^\\s*CREATE\\s+(UNIQUE\\s+)?INDEX\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"
                           "(\"(?:[^\"]|\"\")*\"|`[^`]*`|\\[[^\\]]*\\]|\\S+)\\s+ON\\s+"),
            QRegularExpression::CaseInsensitiveOption);
        for (int row = 0; row < indexes.rowCount(); ++row) {
            const QString sql = indexes.text(row, 2);
            const QRegularExpressionMatch match = head.match(sql);
            // Compared without its name: "UNIQUE ON t (a)"; the script rebuilds it from this.
            const QString definition = match.hasMatch()
                                           ? (match.capturedLength(1) ? QStringLiteral("UNIQUE ON ")
                                                                      : QStringLiteral("ON ")) +
                                                 sql.mid(match.capturedEnd()).simplified()
                                           : sql.simplified();
            tables[indexes.text(row, 0)].indexes[indexes.text(row, 1)] = definition;
        }
        if (rowCounts)
            for (auto &[name, table] : tables) {
                const Result count = co_await connection->execute(
                    QStringLiteral("SELECT count(*) FROM %1").arg(qualifiedName(schema, name)));
                table.rows = count.value(0, 0).toLongLong();
            }
    }
    co_return shapes;
}

// --- the script ------------------------------------------------------------------------------

QString columnDefinition(const TableShape::Column &column, Backend backend)
{
    QString type = column.type;
    QString definition = quoteIdentifier(column.name);
    bool withDefault = !column.defaultValue.isEmpty();
    if (backend == Backend::Postgres && column.defaultValue.startsWith(QLatin1String("nextval("))) {
        // A serial column: its sequence is made with it (the template's belongs to the template).
        static const QMap<QString, QString> serials{
            {QStringLiteral("integer"), QStringLiteral("serial")},
            {QStringLiteral("bigint"), QStringLiteral("bigserial")},
            {QStringLiteral("smallint"), QStringLiteral("smallserial")}};
        if (serials.contains(type)) {
            type = serials.value(type);
            withDefault = false;
        }
    }
    definition += type.isEmpty() ? QString() : QLatin1Char(' ') + type;
    if (column.identity == QLatin1String("a"))
        definition += QStringLiteral(" GENERATED ALWAYS AS IDENTITY");
    else if (column.identity == QLatin1String("d"))
        definition += QStringLiteral(" GENERATED BY DEFAULT AS IDENTITY");
    if (withDefault)
        definition += QStringLiteral(" DEFAULT ") + column.defaultValue;
    if (!column.nullable)
        definition += QStringLiteral(" NOT NULL");
    return definition;
}

QString identityText(const QString &identity)
{
    if (identity == QLatin1String("a"))
        return QStringLiteral("GENERATED ALWAYS AS IDENTITY");
    if (identity == QLatin1String("d"))
        return QStringLiteral("GENERATED BY DEFAULT AS IDENTITY");
    return {};
}

// The default as drift shows it: an identity is a kind of default.
QString defaultText(const TableShape::Column &column)
{
    const QString identity = identityText(column.identity);
    return identity.isEmpty() ? column.defaultValue : identity;
}

// PostgreSQL's CREATE INDEX of the template, aimed at the tenant's table.
QString postgresIndex(const QString &definition, const QString &tenant)
{
    static const QRegularExpression on(QStringLiteral(" ON (ONLY )?"));
    const QRegularExpressionMatch match = on.match(definition);
    if (!match.hasMatch())
        return definition;
    return definition.left(match.capturedEnd()) + quoteIdentifier(tenant) + QLatin1Char('.') +
           definition.mid(match.capturedEnd());
}

QString sqliteIndex(const QString &name, const QString &definition, const QString &tenant)
{
    // definition: "ON t (a)" or "UNIQUE ON t (a)"
    const bool unique = definition.startsWith(QLatin1String("UNIQUE "));
    return QStringLiteral("CREATE %1INDEX %2.%3 %4")
        .arg(unique ? QStringLiteral("UNIQUE ") : QString(), quoteIdentifier(tenant),
             quoteIdentifier(name), unique ? definition.mid(7) : definition);
}

// The template's CREATE TABLE for `table` made in the tenant under `as`.
QString sqliteCreate(const TableShape &table, const QString &tenant, const QString &as)
{
    static const QRegularExpression head(
        QStringLiteral("^\\s*CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"
                       "(\"(?:[^\"]|\"\")*\"|`[^`]*`|\\[[^\\]]*\\]|[^\\s(]+)\\s*"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = head.match(table.createSql);
    return QStringLiteral("CREATE TABLE %1.%2 ").arg(quoteIdentifier(tenant), quoteIdentifier(as)) +
           table.createSql.mid(match.hasMatch() ? match.capturedEnd() : 0);
}

bool isForeignKey(const QString &definition)
{
    return definition.startsWith(QLatin1String("FOREIGN KEY"));
}

void postgresScript(TenantDrift &drift, const std::map<QString, TableShape> &templateTables,
                    const std::map<QString, TableShape> &tenantTables)
{
    const QString tenant = quoteIdentifier(drift.schema);
    const auto table = [&](const QString &name) {
        return tenant + QLatin1Char('.') + quoteIdentifier(name);
    };
    QStringList dropConstraints, dropIndexes, dropTables, createTables, alter, addConstraints,
        addForeignKeys, createIndexes;
    for (const DriftItem &item : std::as_const(drift.items)) {
        const QString t = table(item.table);
        const QString column = quoteIdentifier(item.name);
        switch (item.kind) {
        case DriftItem::Kind::MissingTable: {
            const TableShape &shape = templateTables.at(item.table);
            QStringList columns;
            for (const TableShape::Column &c : shape.columns)
                columns << QStringLiteral("    ") + columnDefinition(c, Backend::Postgres);
            createTables << QStringLiteral("CREATE TABLE %1 (\n%2\n);")
                                .arg(t, columns.join(QStringLiteral(",\n")));
            for (const auto &[name, definition] : shape.constraints)
                (isForeignKey(definition) ? addForeignKeys : addConstraints)
                    << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 %3;")
                           .arg(t, quoteIdentifier(name), definition);
            for (const auto &[name, definition] : shape.indexes)
                createIndexes << postgresIndex(definition, drift.schema) + QLatin1Char(';');
            break;
        }
        case DriftItem::Kind::ExtraTable:
            dropTables << QStringLiteral("-- drops the table and its rows") +
                              QStringLiteral("\nDROP TABLE %1;").arg(t);
            break;
        case DriftItem::Kind::MissingColumn: {
            const TableShape::Column &c = *templateTables.at(item.table).column(item.name);
            if (!c.nullable && c.defaultValue.isEmpty() && c.identity.isEmpty())
                alter << QStringLiteral("-- NOT NULL without a default: fails if %1 has rows")
                             .arg(item.table);
            alter << QStringLiteral("ALTER TABLE %1 ADD COLUMN %2;")
                         .arg(t, columnDefinition(c, Backend::Postgres));
            break;
        }
        case DriftItem::Kind::ExtraColumn:
            alter << QStringLiteral("-- drops the column and its values") +
                         QStringLiteral("\nALTER TABLE %1 DROP COLUMN %2;").arg(t, column);
            break;
        case DriftItem::Kind::ColumnType:
            alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 TYPE %3 USING %2::%3;")
                         .arg(t, column, item.expected);
            break;
        case DriftItem::Kind::Nullability:
            alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 %3 NOT NULL;")
                         .arg(t, column,
                              item.expected == QLatin1String("NOT NULL") ? QStringLiteral("SET")
                                                                         : QStringLiteral("DROP"));
            break;
        case DriftItem::Kind::Default: {
            const TableShape::Column &want = *templateTables.at(item.table).column(item.name);
            const TableShape::Column &have = *tenantTables.at(item.table).column(item.name);
            if (!have.identity.isEmpty() && have.identity != want.identity)
                alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 DROP IDENTITY;")
                             .arg(t, column);
            if (!want.identity.isEmpty() && have.identity != want.identity) {
                if (!have.defaultValue.isEmpty())
                    alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 DROP DEFAULT;")
                                 .arg(t, column);
                alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 ADD %3;")
                             .arg(t, column, identityText(want.identity));
            } else if (want.defaultValue.isEmpty()) {
                if (!have.defaultValue.isEmpty())
                    alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 DROP DEFAULT;")
                                 .arg(t, column);
            } else {
                alter << QStringLiteral("ALTER TABLE %1 ALTER COLUMN %2 SET DEFAULT %3;")
                             .arg(t, column, want.defaultValue);
            }
            break;
        }
        case DriftItem::Kind::MissingIndex:
            createIndexes << postgresIndex(item.expected, drift.schema) + QLatin1Char(';');
            break;
        case DriftItem::Kind::ExtraIndex:
            dropIndexes << QStringLiteral("DROP INDEX %1.%2;").arg(tenant, column);
            break;
        case DriftItem::Kind::IndexDefinition:
            dropIndexes << QStringLiteral("DROP INDEX %1.%2;").arg(tenant, column);
            createIndexes << postgresIndex(item.expected, drift.schema) + QLatin1Char(';');
            break;
        case DriftItem::Kind::MissingConstraint:
            (isForeignKey(item.expected) ? addForeignKeys : addConstraints)
                << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 %3;")
                       .arg(t, column, item.expected);
            break;
        case DriftItem::Kind::ExtraConstraint:
            dropConstraints << QStringLiteral("ALTER TABLE %1 DROP CONSTRAINT %2;").arg(t, column);
            break;
        case DriftItem::Kind::ConstraintDefinition:
            dropConstraints << QStringLiteral("ALTER TABLE %1 DROP CONSTRAINT %2;").arg(t, column);
            (isForeignKey(item.expected) ? addForeignKeys : addConstraints)
                << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 %3;")
                       .arg(t, column, item.expected);
            break;
        }
    }
    // Foreign keys go first and come back last, so that nothing they reference is in the way.
    std::stable_partition(dropConstraints.begin(), dropConstraints.end(),
                          [](const QString &s) { return s.contains(QLatin1String("_fkey")); });
    drift.script << QStringLiteral("BEGIN;")
                 << QStringLiteral("-- unqualified names in defaults and references are the "
                                   "tenant's")
                 << QStringLiteral("SET LOCAL search_path TO %1;").arg(tenant);
    drift.script << dropConstraints << dropIndexes << dropTables << createTables << alter
                 << addConstraints << addForeignKeys << createIndexes;
    drift.script << QStringLiteral("COMMIT;");
}

void sqliteScript(TenantDrift &drift, const std::map<QString, TableShape> &templateTables,
                  const std::map<QString, TableShape> &tenantTables)
{
    const QString tenant = quoteIdentifier(drift.schema);
    const auto table = [&](const QString &name) {
        return tenant + QLatin1Char('.') + quoteIdentifier(name);
    };
    // Tables SQLite can only bring to the template by rebuilding them: a column's type,
    // nullability or default, a constraint, or a column ALTER TABLE cannot add or drop.
    std::set<QString> rebuild;
    for (const DriftItem &item : std::as_const(drift.items)) {
        switch (item.kind) {
        case DriftItem::Kind::ColumnType:
        case DriftItem::Kind::Nullability:
        case DriftItem::Kind::Default:
        case DriftItem::Kind::MissingConstraint:
        case DriftItem::Kind::ExtraConstraint:
        case DriftItem::Kind::ConstraintDefinition:
            rebuild.insert(item.table);
            break;
        case DriftItem::Kind::MissingColumn: {
            const TableShape::Column &c = *templateTables.at(item.table).column(item.name);
            if (!c.nullable && c.defaultValue.isEmpty())
                rebuild.insert(item.table);
            break;
        }
        case DriftItem::Kind::ExtraColumn:
            // DROP COLUMN refuses a column in a key or an index: rebuilding never does.
            for (const auto &[name, definition] : tenantTables.at(item.table).constraints)
                if (definition.contains(quoteIdentifier(item.name)))
                    rebuild.insert(item.table);
            for (const auto &[name, definition] : tenantTables.at(item.table).indexes)
                if (definition.contains(item.name))
                    rebuild.insert(item.table);
            break;
        default:
            break;
        }
    }
    QStringList drops, creates, alter, indexes;
    for (const DriftItem &item : std::as_const(drift.items)) {
        if (rebuild.count(item.table))
            continue;
        const QString t = table(item.table);
        switch (item.kind) {
        case DriftItem::Kind::MissingTable: {
            const TableShape &shape = templateTables.at(item.table);
            creates << sqliteCreate(shape, drift.schema, item.table) + QLatin1Char(';');
            for (const auto &[name, definition] : shape.indexes)
                indexes << sqliteIndex(name, definition, drift.schema) + QLatin1Char(';');
            break;
        }
        case DriftItem::Kind::ExtraTable:
            drops << QStringLiteral("-- drops the table and its rows\nDROP TABLE %1;").arg(t);
            break;
        case DriftItem::Kind::MissingColumn:
            alter << QStringLiteral("ALTER TABLE %1 ADD COLUMN %2;")
                         .arg(t, columnDefinition(*templateTables.at(item.table).column(item.name),
                                                  Backend::Sqlite));
            break;
        case DriftItem::Kind::ExtraColumn:
            alter << QStringLiteral("-- drops the column and its values\nALTER TABLE %1 DROP "
                                    "COLUMN %2;")
                         .arg(t, quoteIdentifier(item.name));
            break;
        case DriftItem::Kind::MissingIndex:
            indexes << sqliteIndex(item.name, item.expected, drift.schema) + QLatin1Char(';');
            break;
        case DriftItem::Kind::ExtraIndex:
            drops << QStringLiteral("DROP INDEX %1.%2;").arg(tenant, quoteIdentifier(item.name));
            break;
        case DriftItem::Kind::IndexDefinition:
            drops << QStringLiteral("DROP INDEX %1.%2;").arg(tenant, quoteIdentifier(item.name));
            indexes << sqliteIndex(item.name, item.expected, drift.schema) + QLatin1Char(';');
            break;
        default:
            break;
        }
    }
    QStringList rebuilds;
    for (const QString &name : rebuild) {
        const TableShape &want = templateTables.at(name);
        const TableShape &have = tenantTables.at(name);
        const QString temporary = name + QStringLiteral("__strata_rebuild");
        QStringList common;
        for (const TableShape::Column &c : want.columns)
            if (have.column(c.name))
                common << quoteIdentifier(c.name);
        rebuilds << QStringLiteral("-- %1: SQLite changes a column's type, nullability or "
                                   "default, or a constraint, only by rebuilding the table: "
                                   "its rows are copied into the template's shape")
                        .arg(name)
                 << sqliteCreate(want, drift.schema, temporary) + QLatin1Char(';')
                 << QStringLiteral("INSERT INTO %1.%2 (%3) SELECT %3 FROM %4;")
                        .arg(tenant, quoteIdentifier(temporary), common.join(QStringLiteral(", ")),
                             table(name))
                 << QStringLiteral("DROP TABLE %1;").arg(table(name))
                 << QStringLiteral("ALTER TABLE %1.%2 RENAME TO %3;")
                        .arg(tenant, quoteIdentifier(temporary), quoteIdentifier(name));
        for (const auto &[index, definition] : want.indexes) // dropped with the old table
            indexes << sqliteIndex(index, definition, drift.schema) + QLatin1Char(';');
    }
    drift.script << QStringLiteral("BEGIN;") << drops << creates << alter << rebuilds << indexes
                 << QStringLiteral("COMMIT;");
}

} // namespace

TenantDrift compareShapes(const std::map<QString, TableShape> &templateTables,
                          const std::map<QString, TableShape> &tenantTables,
                          const QString &tenantSchema, Backend backend)
{
    using Kind = DriftItem::Kind;
    TenantDrift drift;
    drift.schema = tenantSchema;
    for (const auto &[name, want] : templateTables) {
        const auto found = tenantTables.find(name);
        if (found == tenantTables.end()) {
            drift.items << DriftItem{Kind::MissingTable, name, {}, {}, {}};
            continue;
        }
        const TableShape &have = found->second;
        if (want.rows && have.rows)
            drift.rowCounts[name] = {*want.rows, *have.rows};
        for (const TableShape::Column &c : want.columns) {
            const TableShape::Column *h = have.column(c.name);
            if (!h) {
                drift.items << DriftItem{Kind::MissingColumn, name, c.name, c.type, {}};
                continue;
            }
            if (h->type != c.type)
                drift.items << DriftItem{Kind::ColumnType, name, c.name, c.type, h->type};
            if (h->nullable != c.nullable) {
                const auto text = [](bool nullable) {
                    return nullable ? QStringLiteral("NULL") : QStringLiteral("NOT NULL");
                };
                drift.items << DriftItem{Kind::Nullability, name, c.name, text(c.nullable),
                                         text(h->nullable)};
            }
            if (defaultText(*h) != defaultText(c))
                drift.items << DriftItem{Kind::Default, name, c.name, defaultText(c),
                                         defaultText(*h)};
        }
        for (const TableShape::Column &h : have.columns)
            if (!want.column(h.name))
                drift.items << DriftItem{Kind::ExtraColumn, name, h.name, {}, h.type};
        for (const auto &[index, definition] : want.indexes) {
            const auto other = have.indexes.find(index);
            if (other == have.indexes.end())
                drift.items << DriftItem{Kind::MissingIndex, name, index, definition, {}};
            else if (other->second != definition)
                drift.items << DriftItem{Kind::IndexDefinition, name, index, definition,
                                         other->second};
        }
        for (const auto &[index, definition] : have.indexes)
            if (!want.indexes.count(index))
                drift.items << DriftItem{Kind::ExtraIndex, name, index, {}, definition};
        for (const auto &[constraint, definition] : want.constraints) {
            const auto other = have.constraints.find(constraint);
            if (other == have.constraints.end())
                drift.items << DriftItem{Kind::MissingConstraint, name, constraint, definition, {}};
            else if (other->second != definition)
                drift.items << DriftItem{Kind::ConstraintDefinition, name, constraint, definition,
                                         other->second};
        }
        for (const auto &[constraint, definition] : have.constraints)
            if (!want.constraints.count(constraint))
                drift.items << DriftItem{Kind::ExtraConstraint, name, constraint, {}, definition};
    }
    for (const auto &[name, have] : tenantTables)
        if (!templateTables.count(name))
            drift.items << DriftItem{Kind::ExtraTable, name, {}, {}, {}};
    if (drift.drifts()) {
        if (backend == Backend::Postgres)
            postgresScript(drift, templateTables, tenantTables);
        else
            sqliteScript(drift, templateTables, tenantTables);
    }
    return drift;
}

QCoro::Task<Shapes> readShapes(Database *db, QStringList schemas, bool rowCounts)
{
    if (db->url().backend() == Backend::Postgres)
        co_return co_await readPostgres(db, schemas, rowCounts);
    co_return co_await readSqlite(db, schemas, rowCounts);
}

namespace {

// The Database after an await: it may have been removed from its registry meanwhile.
Database *stillThere(const QPointer<Database> &db, const QString &where)
{
    if (!db)
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("the database was removed while its tenants were compared"),
                    where);
    return db.data();
}

} // namespace

QCoro::Task<DriftReport> compareTenants(Database *db, QString templateSchema, QStringList tenants,
                                        DriftOptions options)
{
    // Taken before the first await: the Database may be removed while the catalog is read.
    const QPointer<Database> guard(db);
    const Backend backend = db->url().backend();
    const QString where = db->displayUrl();
    const QStringList known = co_await reflection::listSchemas(db);
    for (const QString &schema : QStringList{templateSchema} + tenants)
        if (!known.contains(schema))
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("no schema named '%1'").arg(schema), where);
    tenants.removeAll(templateSchema);
    const QStringList schemas = QStringList{templateSchema} + tenants;
    Shapes shapes = co_await readShapes(stillThere(guard, where), schemas, options.rowCounts);
    if (shapes[templateSchema].empty())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("the template schema '%1' has no table").arg(templateSchema),
                    where);
    // Off the awaiting thread: 500 tenants' comparisons and scripts stalled the window.
    auto compare = [shapes = std::move(shapes), templateSchema, tenants, backend]() mutable {
        DriftReport report;
        report.templateSchema = templateSchema;
        const std::map<QString, TableShape> &templateTables = shapes[templateSchema];
        for (const QString &tenant : std::as_const(tenants))
            report.tenants << compareShapes(templateTables, shapes[tenant], tenant, backend);
        return report;
    };
    QCoro::Task<DriftReport> compared = offThread<DriftReport>(std::move(compare));
    DriftReport report = co_await std::move(compared);
    co_return report;
}

} // namespace orm

namespace orm {

namespace {

// A declared PostgreSQL type as format_type spells it.
QString postgresTypeName(const QString &declared)
{
    QString type = declared.simplified().toLower();
    QString modifier;
    if (const qsizetype open = type.indexOf(QLatin1Char('(')); open >= 0) {
        modifier = type.mid(open).remove(QLatin1Char(' '));
        type = type.left(open).trimmed();
    }
    static const QMap<QString, QString> aliases{
        {QStringLiteral("int"), QStringLiteral("integer")},
        {QStringLiteral("int4"), QStringLiteral("integer")},
        {QStringLiteral("serial"), QStringLiteral("integer")},
        {QStringLiteral("serial4"), QStringLiteral("integer")},
        {QStringLiteral("int8"), QStringLiteral("bigint")},
        {QStringLiteral("bigserial"), QStringLiteral("bigint")},
        {QStringLiteral("serial8"), QStringLiteral("bigint")},
        {QStringLiteral("int2"), QStringLiteral("smallint")},
        {QStringLiteral("smallserial"), QStringLiteral("smallint")},
        {QStringLiteral("serial2"), QStringLiteral("smallint")},
        {QStringLiteral("bool"), QStringLiteral("boolean")},
        {QStringLiteral("varchar"), QStringLiteral("character varying")},
        {QStringLiteral("char"), QStringLiteral("character")},
        {QStringLiteral("bpchar"), QStringLiteral("character")},
        {QStringLiteral("decimal"), QStringLiteral("numeric")},
        {QStringLiteral("float8"), QStringLiteral("double precision")},
        {QStringLiteral("float"), QStringLiteral("double precision")},
        {QStringLiteral("float4"), QStringLiteral("real")},
        {QStringLiteral("timestamptz"), QStringLiteral("timestamp with time zone")},
        {QStringLiteral("timestamp"), QStringLiteral("timestamp without time zone")},
        {QStringLiteral("timetz"), QStringLiteral("time with time zone")},
        {QStringLiteral("time"), QStringLiteral("time without time zone")},
    };
    type = aliases.value(type, type);
    // format_type puts a timestamp's precision after "timestamp": timestamp(3) with time zone.
    if (!modifier.isEmpty() && type.contains(QLatin1String(" with")))
        return type.section(QLatin1Char(' '), 0, 0) + modifier + QLatin1Char(' ') +
               type.section(QLatin1Char(' '), 1);
    return type + modifier;
}

// What a comparison with models looks at: tables, columns, types and nullability. A primary
// key's columns are NOT NULL whatever SQLite's catalog says of them.
std::map<QString, TableShape> columnsOnly(std::map<QString, TableShape> tables)
{
    for (auto &[name, table] : tables) {
        for (const auto &[constraint, definition] : table.constraints) {
            if (!definition.startsWith(QLatin1String("PRIMARY KEY")))
                continue;
            // "PRIMARY KEY (id, \"Other\")": the names between the parentheses.
            const qsizetype open = definition.indexOf(QLatin1Char('('));
            const QStringList names =
                definition.mid(open + 1, definition.lastIndexOf(QLatin1Char(')')) - open - 1)
                    .split(QStringLiteral(", "));
            for (TableShape::Column &column : table.columns)
                if (names.contains(column.name) || names.contains(quoteIdentifier(column.name)))
                    column.nullable = false;
        }
        table.indexes.clear();
        table.constraints.clear();
        for (TableShape::Column &column : table.columns) {
            column.defaultValue.clear();
            column.identity.clear();
        }
    }
    return tables;
}

} // namespace

std::map<QString, TableShape> shapesOfModels(const QList<Model> &models, Backend backend)
{
    std::map<QString, TableShape> tables;
    for (const Model &model : models) {
        const QString name = model.table.isEmpty() ? model.name : model.table;
        TableShape &table = tables[name];
        table.name = name;
        QStringList definitions;
        QStringList key;
        for (const Field &field : model.fields) {
            TableShape::Column column;
            column.name = field.name;
            column.type = backend == Backend::Postgres ? postgresTypeName(field.sqlType)
                                                       : field.sqlType.simplified().toUpper();
            column.nullable = field.nullable && !field.primaryKey;
            table.columns << column;
            definitions << quoteIdentifier(column.name) +
                               (column.type.isEmpty() ? QString()
                                                      : QLatin1Char(' ') + column.type) +
                               (column.nullable ? QString() : QStringLiteral(" NOT NULL"));
            if (field.primaryKey)
                key << quoteIdentifier(field.name);
        }
        if (!key.isEmpty())
            definitions << QStringLiteral("PRIMARY KEY (%1)").arg(key.join(QStringLiteral(", ")));
        // SQLite's script makes and rebuilds tables from the template's CREATE TABLE.
        table.createSql = QStringLiteral("CREATE TABLE %1 (%2)")
                              .arg(quoteIdentifier(name), definitions.join(QStringLiteral(", ")));
    }
    return tables;
}

QCoro::Task<DriftReport> compareTenantsWithModels(Database *db, QList<Model> models,
                                                  QStringList tenants, DriftOptions options)
{
    if (models.isEmpty())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("no tenant model to compare the tenants with"),
                    db->displayUrl());
    const QPointer<Database> guard(db);
    const Backend backend = db->url().backend();
    const QString where = db->displayUrl();
    const QStringList known = co_await reflection::listSchemas(db);
    for (const QString &schema : std::as_const(tenants))
        if (!known.contains(schema))
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("no schema named '%1'").arg(schema), where);
    Shapes shapes = co_await readShapes(stillThere(guard, where), tenants, options.rowCounts);
    auto compare = [shapes = std::move(shapes), models, tenants, backend]() mutable {
        DriftReport report;
        const std::map<QString, TableShape> templateTables = shapesOfModels(models, backend);
        for (const QString &tenant : std::as_const(tenants))
            report.tenants << compareShapes(templateTables, columnsOnly(shapes[tenant]), tenant,
                                            backend);
        return report;
    };
    QCoro::Task<DriftReport> compared = offThread<DriftReport>(std::move(compare));
    DriftReport report = co_await std::move(compared);
    co_return report;
}

QCoro::Task<DriftReport> compareTenantsWithCommonShape(Database *db, QStringList schemas)
{
    // Taken before the one await: the Database may be removed while the catalog is read.
    const Backend backend = db->url().backend();
    const QString where = db->displayUrl();
    Shapes shapes = co_await readShapes(db, schemas, false);
    if (std::all_of(shapes.cbegin(), shapes.cend(), [](const auto &s) { return s.second.empty(); }))
        throw Error(Error::Kind::Configuration, QStringLiteral("no schema has a table"), where);
    auto compare = [shapes = std::move(shapes), schemas, backend]() mutable {
        // Each schema joins the first group whose first member it matches. Past a few groups a
        // schema is left alone: hundreds of all-different schemas must not cost n² comparisons.
        constexpr int MaxGroups = 8;
        QList<QStringList> groups;
        for (const QString &schema : std::as_const(schemas)) {
            if (shapes[schema].empty())
                continue;
            bool joined = false;
            for (QStringList &group : groups)
                if (!compareShapes(shapes[group.first()], shapes[schema], schema, backend)
                         .drifts()) {
                    group << schema;
                    joined = true;
                    break;
                }
            if (!joined && groups.size() < MaxGroups)
                groups << QStringList{schema};
        }
        const QStringList *largest = &groups.first();
        for (const QStringList &group : std::as_const(groups))
            if (group.size() > largest->size())
                largest = &group;
        DriftReport report;
        report.templateSchema = largest->first();
        const std::map<QString, TableShape> &templateTables = shapes[report.templateSchema];
        for (const QString &schema : std::as_const(schemas))
            if (schema != report.templateSchema)
                report.tenants << compareShapes(templateTables, shapes[schema], schema, backend);
        return report;
    };
    QCoro::Task<DriftReport> compared = offThread<DriftReport>(std::move(compare));
    DriftReport report = co_await std::move(compared);
    co_return report;
}

} // namespace orm
