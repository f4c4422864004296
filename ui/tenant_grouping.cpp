#include "tenant_grouping.h"

#include "natural_order.h"

#include "orm/schema/tenant_drift.h"

#include <QCoreApplication>

#include <algorithm>

namespace strata::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TenantGrouping", text);
}

bool isDefaultSchema(const QString &schema)
{
    return schema == QLatin1String("public") || schema == QLatin1String("main");
}

// A tooltip's worth of what drifts: the first few differences, then how many more.
QString driftSummary(const orm::TenantDrift &drift)
{
    constexpr int Shown = 5;
    QStringList lines;
    for (int i = 0; i < drift.items.size() && i < Shown; ++i)
        lines << drift.items[i].describe();
    if (drift.items.size() > Shown)
        lines << tr("… and %1 more").arg(drift.items.size() - Shown);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

QString TenantGrouping::label() const
{
    if (templateSchema.isEmpty())
        return tr("%1 tenants like the tenant tables").arg(alike.size());
    return tr("%1 tenants like ‘%2’").arg(QString::number(alike.size()), templateSchema);
}

QString TenantGrouping::toolTip() const
{
    const QString of = templateSchema.isEmpty() ? tr("the tenant tables the application declares")
                                                : tr("schema %1").arg(templateSchema);
    return tr("Tenants whose tables and columns are those of %1; tenants that differ are listed "
              "on their own")
        .arg(of);
}

QStringList groupableSchemas(const QStringList &schemas)
{
    QStringList tenants;
    for (const QString &schema : schemas)
        if (!isDefaultSchema(schema))
            tenants << schema;
    return tenants;
}

QCoro::Task<TenantGrouping> groupTenants(orm::Database *db, QList<orm::Model> tenantModels,
                                         QStringList schemas)
{
    QStringList tenants = groupableSchemas(schemas);
    std::sort(tenants.begin(), tenants.end(), naturalLess);
    orm::DriftReport report;
    if (!tenantModels.isEmpty()) {
        report = co_await orm::compareTenantsWithModels(db, tenantModels, tenants);
    } else if (const auto named = std::find_if(tenants.cbegin(), tenants.cend(),
                                               [](const QString &schema) {
                                                   return schema == QLatin1String("template") ||
                                                          schema == QLatin1String("tpl");
                                               });
               named != tenants.cend()) {
        const QString templateSchema = *named;
        report = co_await orm::compareTenants(db, templateSchema, tenants);
    } else {
        report = co_await orm::compareTenantsWithCommonShape(db, tenants);
    }
    TenantGrouping grouping;
    grouping.templateSchema = report.templateSchema;
    for (const orm::TenantDrift &drift : std::as_const(report.tenants)) {
        if (drift.drifts())
            grouping.drifting.insert(drift.schema, driftSummary(drift));
        else
            grouping.alike << drift.schema;
    }
    co_return grouping;
}

} // namespace strata::ui
