#pragma once

// Where a fan-out runs: databases of a registry and schemas (tenants) of each, chosen as every
// tenant, a name pattern or a list.

#include "orm/registry/registry.h"

#include <QCoro/QCoroTask>
#include <QStringList>

namespace orm {

// One place a fan-out statement runs: a database of the registry and a schema of it.
struct FanOutTarget {
    QString database; // the extra's name; empty: the registry's primary
    QString schema;   // PostgreSQL: a schema; SQLite: "main" or an attached database
    // Set when the target could not even be listed (its database did not answer): the fan-out
    // reports it failed without running anything there.
    QString error;

    // The database's name as shown in the `database` column: the extra's, or "primary".
    QString databaseLabel() const;
    bool operator==(const FanOutTarget &other) const = default;
};

struct TenantSelection {
    enum class Kind {
        Tenants,    // the schemas that hold every tenant model's table (see Registry::
                    // addTenantModel); without tenant models, every user schema but the default
                    // one (PostgreSQL's public, SQLite's main)
        AllSchemas, // every user schema, the default one included
        Pattern,    // user schemas whose name matches `pattern` (see matchesSchemaPattern)
        List,       // exactly `schemas`, in that order, on each database (a missing one fails)
    };
    Kind kind = Kind::Tenants;
    QString pattern;
    QStringList schemas;
    // Which databases of the registry (extra names, "" for the primary); empty: all of them.
    std::optional<QStringList> databases;

    static TenantSelection tenants() { return {}; }
    static TenantSelection allSchemas() { return {Kind::AllSchemas, {}, {}, {}}; }
    static TenantSelection matching(QString pattern) { return {Kind::Pattern, pattern, {}, {}}; }
    static TenantSelection list(QStringList schemas) { return {Kind::List, {}, schemas, {}}; }
};

// A schema name pattern, case-sensitive, matching the whole name: with a '%' it is SQL LIKE
// ('%' any run, '_' one character); otherwise a glob ('*' any run, '?' one character, '['
// classes); a name without either matches itself only. "*" matches every schema.
bool matchesSchemaPattern(const QString &name, const QString &pattern);

// The targets `selection` names, database by database in registry order, schemas in name order
// (or the list's order). Reads each database's catalog once. A database whose schemas cannot be
// listed (down, refused) gives one target with `error` set rather than throwing, so that the
// others still run. Throws Error(Configuration) for an unknown database name.
QCoro::Task<QList<FanOutTarget>> selectTargets(Registry *registry, TenantSelection selection);

} // namespace orm
