#pragma once

#include "orm/query/queryset.h"

namespace orm {

// A tenant: one schema of one database, as an explicit value carried by the query sets it
// makes. Never ambient state: two coroutines working for two tenants on one thread cannot
// see each other's schema, because nothing is stored anywhere but in the query sets.
//
//   orm::TenantScope acme(&registry, "acme");
//   auto rows = co_await acme.query(customer).filter(orm::Q("active", true)).all();
//
// Precedence, as in Edgy: an explicit usingSchema() (or using_) beats the tenant, which
// beats the model's own schema; usingModelSchema() after query() returns to the model's.
// On SQLite the schema is an attached database (ATTACH 'acme.db' AS acme on every connection).
class TenantScope {
public:
    // The tenant `schema` on the registry's primary database.
    TenantScope(Registry *registry, QString schema);
    // The tenant `schema` on `database` (the registry's primary when null).
    TenantScope(Registry *registry, Database *database, QString schema);

    const QString &schema() const { return m_schema; }
    Registry *registry() const { return m_registry; }
    // The database its query sets use; null means the registry's primary.
    Database *database() const { return m_database; }

    // A query set on `model` in this tenant's schema.
    QuerySet query(const Model &model) const;
    // `querySet` moved into this tenant's schema (and database, if the scope names one), unless
    // it chose a schema explicitly.
    QuerySet apply(const QuerySet &querySet) const;

private:
    QPointer<Registry> m_registry;
    QPointer<Database> m_database;
    QString m_schema;
};

} // namespace orm
