#pragma once

// Tenant drift: every tenant schema compared with a template schema (tables, columns and their
// types, nullability and defaults, indexes, constraints; optionally row counts), and for each
// tenant that drifts a script that would bring it to the template. The script is text to
// review: nothing here runs it.
//
// The catalog is read once per database for the template and every tenant together (a few
// queries whatever the number of tenants), so that 500 tenants of 20 tables compare in well
// under two seconds. Names inside definitions that carry the schema (a default's
// nextval('acme.t_id_seq'), a foreign key's REFERENCES acme.t) are compared with the schema
// taken out, so that a tenant matches the template it was made from.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QStringList>

#include <map>
#include <optional>

namespace orm {

// One table as drift compares it.
struct TableShape {
    struct Column {
        QString name;
        QString type; // format_type on PostgreSQL; the declared type on SQLite
        bool nullable = true;
        QString defaultValue; // the default expression, schema taken out; empty: none
        QString identity;     // PostgreSQL: "a" (ALWAYS), "d" (BY DEFAULT) or empty
        bool operator==(const Column &) const = default;
    };
    QString name;
    QList<Column> columns;                  // in column order
    std::map<QString, QString> indexes;     // name -> definition (schema taken out); PostgreSQL
                                            // leaves out those of constraints
    std::map<QString, QString> constraints; // name -> definition (PostgreSQL; on SQLite the
                                            // primary key, unique and foreign keys, by position)
    QString createSql;                      // SQLite: the table's CREATE TABLE as stored
    std::optional<qint64> rows;             // when row counts were asked for

    const Column *column(const QString &name) const;
};

// One difference between a tenant and the template.
struct DriftItem {
    enum class Kind {
        MissingTable,
        ExtraTable,
        MissingColumn,
        ExtraColumn,
        ColumnType,
        Nullability,
        Default,
        MissingIndex,
        ExtraIndex,
        IndexDefinition,
        MissingConstraint,
        ExtraConstraint,
        ConstraintDefinition,
    };
    Kind kind;
    QString table;
    QString name;     // the column, index or constraint; empty for a table
    QString expected; // what the template has (empty when it has nothing)
    QString actual;   // what the tenant has (empty when it has nothing)

    static QString kindName(Kind kind);
    // One line for people: "orders.total: type numeric(10,2), template has numeric(12,2)".
    QString describe() const;
};

struct TenantDrift {
    QString schema;
    QList<DriftItem> items; // empty: the tenant matches the template
    // Row counts per table present in both, when asked for: table -> {template, tenant}.
    // Informative only: rows differing is not drift.
    std::map<QString, std::pair<qint64, qint64>> rowCounts;
    // The statements that would bring the tenant to the template, in an order that runs; a
    // comment line (starting with --) says what a statement does when it may lose data.
    QStringList script;

    bool drifts() const { return !items.isEmpty(); }
};

struct DriftOptions {
    bool rowCounts = false;
};

struct DriftReport {
    QString templateSchema;
    QList<TenantDrift> tenants; // in the order the tenants were given
    int driftingCount() const;
};

// The shape of every table of `schemas` (PostgreSQL: schemas; SQLite: main or attached
// databases), read in one pass over the catalog: schema -> table -> shape.
QCoro::Task<std::map<QString, std::map<QString, TableShape>>>
readShapes(Database *db, QStringList schemas, bool rowCounts = false);

// Compares each tenant with the template. Throws Error(Configuration) when the template schema
// does not exist or has no table, or a tenant does not exist.
QCoro::Task<DriftReport> compareTenants(Database *db, QString templateSchema, QStringList tenants,
                                        DriftOptions options = {});

// The template as models declare it (the registry's tenant models): their tables and columns,
// types in the catalog's spelling (varchar(40) reads character varying(40) on PostgreSQL, upper
// case on SQLite), nullability. Models say nothing of indexes, constraints or defaults the way
// the catalog does, so a comparison with them leaves those out.
std::map<QString, TableShape> shapesOfModels(const QList<Model> &models,
                                             DatabaseUrl::Backend backend);

// Compares each tenant with `models` (shapesOfModels): missing and extra tables, columns, types
// and nullability. report.templateSchema is empty. Throws Error(Configuration) when there is no
// model or a tenant does not exist.
QCoro::Task<DriftReport> compareTenantsWithModels(Database *db, QList<Model> models,
                                                  QStringList tenants, DriftOptions options = {});

// When no template is named: the schema among `schemas` whose shape most of the others share
// (the first in the given order on a tie; a schema with no table is never chosen) becomes
// report.templateSchema, and every other schema is compared with it. Grouping and comparing run
// on a pool thread; a schema that does not exist reads as one with no table. One catalog read,
// the Database not used after it began. Throws Error(Configuration) when no schema has a table.
QCoro::Task<DriftReport> compareTenantsWithCommonShape(Database *db, QStringList schemas);

// The comparison and the script alone, on shapes already read (exposed for tests and benches).
TenantDrift compareShapes(const std::map<QString, TableShape> &templateTables,
                          const std::map<QString, TableShape> &tenantTables,
                          const QString &tenantSchema, DatabaseUrl::Backend backend);

} // namespace orm
