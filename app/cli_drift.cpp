// strata drift: every tenant schema compared with a template schema, for review and for CI.
//
//   strata drift --database URL --template SCHEMA [--tenants PATTERN] [--attach NAME=FILE]...
//                [--row-counts] [--script] [--json]
//
// Tenants: every user schema but the template and the default one (public / main), or those
// matching --tenants (a glob, or LIKE with '%'). On SQLite they are attached databases
// (--attach). Each drifting tenant is listed with its differences; --script adds the statements
// that would bring it to the template (printed, never run); --row-counts adds each table's rows
// beside the template's (informative: rows differing is not drift).
//
// Exit codes: 0 no tenant drifts; 1 some tenant drifts (or the database failed: said on
// stderr); 2 a usage error (bad option, unknown template or tenant).

#include "command.h"
#include "command_line.h"
#include "result_output.h"

#include "orm/fanout/fan_out_targets.h"
#include "orm/schema/tenant_drift.h"
#include "orm/sync/run_sync.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace {

QCoro::Task<orm::DriftReport> drift(orm::Registry *registry, QString templateSchema,
                                    std::optional<QString> pattern, orm::DriftOptions options)
{
    orm::Database *db = registry->database();
    co_await db->connect();
    std::exception_ptr error;
    orm::DriftReport report;
    try {
        orm::TenantSelection selection =
            pattern ? orm::TenantSelection::matching(*pattern) : orm::TenantSelection::tenants();
        selection.databases = QStringList{QString()};
        const QList<orm::FanOutTarget> targets = co_await orm::selectTargets(registry, selection);
        QStringList tenants;
        for (const orm::FanOutTarget &target : targets) {
            if (!target.error.isEmpty())
                throw orm::Error(orm::Error::Kind::ConnectionFailed, target.error);
            if (target.schema != templateSchema)
                tenants << target.schema;
        }
        report = co_await orm::compareTenants(db, templateSchema, tenants, options);
    } catch (...) {
        error = std::current_exception();
    }
    co_await db->disconnect();
    if (error)
        std::rethrow_exception(error);
    co_return report;
}

QJsonObject toJson(const orm::TenantDrift &tenant, bool withScript)
{
    QJsonArray differences;
    for (const orm::DriftItem &item : tenant.items)
        differences.append(QJsonObject{{"kind", orm::DriftItem::kindName(item.kind)},
                                       {"table", item.table},
                                       {"name", item.name},
                                       {"expected", item.expected},
                                       {"actual", item.actual}});
    QJsonObject object{
        {"schema", tenant.schema}, {"drifts", tenant.drifts()}, {"differences", differences}};
    if (!tenant.rowCounts.empty()) {
        QJsonObject counts;
        for (const auto &[table, pair] : tenant.rowCounts)
            counts.insert(table, QJsonObject{{"template", pair.first}, {"tenant", pair.second}});
        object.insert("rowCounts", counts);
    }
    if (withScript && tenant.drifts())
        object.insert("script", QJsonArray::fromStringList(tenant.script));
    return object;
}

int runDrift(const QStringList &arguments)
{
    strata::app::CommandLine cli(
        QStringLiteral("drift"),
        QStringLiteral(
            "Compares every tenant schema with a template schema: missing and extra tables and "
            "columns, types, nullability, defaults, indexes and constraints.\n\n"
            "Exit codes: 0 no tenant drifts, 1 some tenant drifts (or a database error), 2 usage "
            "error."));
    QCommandLineParser &parser = cli.parser();
    const QCommandLineOption database = cli.addDatabase(QStringLiteral("The database's URL."));
    const QCommandLineOption templateOption(QStringLiteral("template"),
                                            QStringLiteral("The schema tenants should match."),
                                            QStringLiteral("SCHEMA"));
    const QCommandLineOption tenants(QStringLiteral("tenants"),
                                     QStringLiteral("Only schemas whose name matches PATTERN."),
                                     QStringLiteral("PATTERN"));
    parser.addOptions({templateOption, tenants});
    const QCommandLineOption attach =
        cli.addAttach(QStringLiteral("SQLite: attach FILE as schema NAME (repeatable)."));
    const QCommandLineOption rowCounts(QStringLiteral("row-counts"),
                                       QStringLiteral("Also count every table's rows."));
    const QCommandLineOption script(
        QStringLiteral("script"),
        QStringLiteral("Print, for each drifting tenant, the statements that would bring it to "
                       "the template (never run)."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Output JSON."));
    parser.addOptions({rowCounts, script, json});
    if (const std::optional<int> done = cli.parse(arguments))
        return *done;

    QString templateSchema;
    std::unique_ptr<orm::Registry> registry;
    try {
        cli.requireNoArguments();
        const QString url = cli.required(database, QStringLiteral("--database URL"));
        templateSchema = cli.required(templateOption, QStringLiteral("--template SCHEMA"));
        registry = std::make_unique<orm::Registry>(url);
        cli.attachFiles(*registry->database(), attach);
    } catch (const strata::app::UsageError &error) {
        return cli.usage(error.message);
    } catch (const orm::Error &error) {
        return cli.usage(error.toString());
    }
    orm::DriftOptions options;
    options.rowCounts = parser.isSet(rowCounts);
    std::optional<QString> pattern;
    if (parser.isSet(tenants))
        pattern = parser.value(tenants);

    orm::DriftReport report;
    try {
        report =
            orm::runSync([&] { return drift(registry.get(), templateSchema, pattern, options); });
    } catch (const orm::Error &error) {
        if (error.kind() == orm::Error::Kind::Configuration)
            return cli.usage(error.toString());
        return cli.failure(error.toString());
    }

    QTextStream out(stdout);
    const bool withScript = parser.isSet(script);
    if (parser.isSet(json)) {
        QJsonArray list;
        for (const orm::TenantDrift &tenant : std::as_const(report.tenants))
            list.append(toJson(tenant, withScript));
        out << QJsonDocument(QJsonObject{{"template", report.templateSchema},
                                         {"drifting", report.driftingCount()},
                                         {"tenants", list}})
                   .toJson(QJsonDocument::Indented);
    } else {
        for (const orm::TenantDrift &tenant : std::as_const(report.tenants)) {
            if (!tenant.drifts()) {
                out << tenant.schema << ": matches the template\n";
            } else {
                out << tenant.schema << ": " << tenant.items.size()
                    << (tenant.items.size() == 1 ? " difference\n" : " differences\n");
                for (const orm::DriftItem &item : tenant.items)
                    out << "  " << item.describe() << '\n';
            }
            for (const auto &[table, pair] : tenant.rowCounts)
                out << "  " << table << ": " << pair.second << " rows (template " << pair.first
                    << ")\n";
            if (withScript && tenant.drifts()) {
                out << "  -- the statements that would bring " << tenant.schema
                    << " to the template (not run):\n";
                for (const QString &line : tenant.script)
                    out << "  " << QString(line).replace(QLatin1Char('\n'), QStringLiteral("\n  "))
                        << '\n';
            }
        }
        out << report.driftingCount() << " of " << report.tenants.size() << " tenants drift from "
            << report.templateSchema << '\n';
    }
    return report.driftingCount() ? 1 : 0;
}

} // namespace

STRATA_COMMAND(drift, "compare every tenant schema with a template schema", runDrift);
