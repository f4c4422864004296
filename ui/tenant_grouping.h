#pragma once

// Hundreds of tenant schemas in the tree: those with the template's structure collapse into one
// node ("487 tenants like ‘tpl’") and the drifting ones stay apart, each saying what drifts.
// The template is the registry's tenant tables when it declares some, else a schema named
// template or tpl, else the schema whose structure most others share. The comparison is
// orm/schema/tenant_drift's: one catalog read, then shapes compared on a pool thread.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QMap>
#include <QStringList>

namespace orm {
class Registry;
}

namespace strata::ui {

struct TenantGrouping {
    QString templateSchema;          // empty: the registry's tenant tables are the template
    QStringList alike;               // the tenants that match it, in natural order
    QMap<QString, QString> drifting; // tenant -> what drifts, for its tooltip
    // How the group node reads: "487 tenants like ‘tpl’".
    QString label() const;
    QString toolTip() const;
};

// Beyond this many schemas a database's tenants are grouped.
constexpr int TenantGroupThreshold = 20;

// The schemas a grouping considers: all but the default one (public, main).
QStringList groupableSchemas(const QStringList &schemas);

// Compares the tenants among `schemas` with the template (see above). Throws what the drift
// comparison throws (a template with no table, a schema gone meanwhile).
QCoro::Task<TenantGrouping> groupTenants(orm::Database *db, QList<orm::Model> tenantModels,
                                         QStringList schemas);

} // namespace strata::ui
