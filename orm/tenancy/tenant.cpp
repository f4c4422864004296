#include "orm/tenancy/tenant.h"

#include "orm/registry/registry.h"

namespace orm {

TenantScope::TenantScope(Registry *registry, QString schema)
    : TenantScope(registry, nullptr, std::move(schema))
{
}

TenantScope::TenantScope(Registry *registry, Database *database, QString schema)
    : m_registry(registry)
    , m_database(database)
    , m_schema(std::move(schema))
{
}

QuerySet TenantScope::query(const Model &model) const
{
    if (!m_registry && !m_database)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("tenant \"%1\": no registry or database").arg(m_schema));
    QuerySet querySet =
        m_registry ? QuerySet(m_registry.data(), model) : QuerySet(m_database.data(), model);
    return apply(querySet);
}

QuerySet TenantScope::apply(const QuerySet &querySet) const
{
    QuerySet bound = m_database ? querySet.usingDatabase(m_database.data()) : querySet;
    return bound.withTenantSchema(m_schema);
}

// Registry's own member, defined here so that the registry does not depend on the tenancy layer
// above it (registry.h only declares TenantScope).
TenantScope Registry::tenant(const QString &schema)
{
    return TenantScope(this, schema);
}

} // namespace orm
