// strata fanout: one statement on many databases and tenant schemas, one merged result.
//
//   strata fanout --database URL [--extra NAME=URL]... [--attach NAME=FILE]...
//                 [--tenants PATTERN | --schemas A,B,...] [--per-server N]
//                 [--format table|csv|json] [--allow-writes] "SQL"
//
// Targets: every database of the registry, and in each the tenant schemas (every user schema
// but the default one), those matching --tenants (a glob, or LIKE with '%'), or exactly
// --schemas. SQLite tenants are attached databases (--attach). The merged result has the
// `database` and `schema` columns first; columns are matched by name, and a target lacking one
// reads NULL there (said on stderr). A statement that may write is refused unless
// --allow-writes; then each target commits or rolls back on its own, and the outcome of each
// is printed. SIGINT, SIGTERM and SIGHUP cancel every target on its server.
//
// Exit codes: 0 every target succeeded; 1 some failed (what did run is printed, each failure on
// stderr naming its target); 2 a usage error (nothing ran); 128 + signal when interrupted.

#include "command.h"
#include "command_line.h"
#include "result_output.h"
#include "termination_signals.h"

#include "orm/fanout/fan_out.h"
#include "orm/sync/run_sync.h"

#include <QCommandLineParser>
#include <QFile>
#include <QTextStream>

namespace {

QString targetName(const orm::FanOutTarget &target)
{
    return target.schema.isEmpty() ? target.databaseLabel()
                                   : target.databaseLabel() + QLatin1Char('/') + target.schema;
}

struct Run {
    std::unique_ptr<orm::FanOut> fanOut;
    bool noTargets = false;
};

QCoro::Task<> fanOut(orm::Registry *registry, orm::TenantSelection selection, QString sql,
                     orm::FanOutOptions options, Run *run)
{
    co_await registry->connect(orm::Registry::ConnectMode::Lenient);
    std::exception_ptr error;
    try {
        const QList<orm::FanOutTarget> targets = co_await orm::selectTargets(registry, selection);
        if (targets.isEmpty()) {
            run->noTargets = true;
        } else {
            run->fanOut = std::make_unique<orm::FanOut>(registry, targets, sql, options);
            co_await run->fanOut->run();
        }
    } catch (...) {
        error = std::current_exception();
    }
    co_await registry->disconnect();
    if (error)
        std::rethrow_exception(error);
}

int runFanOut(const QStringList &arguments)
{
    strata::app::CommandLine cli(
        QStringLiteral("fanout"),
        QStringLiteral(
            "Runs one SQL statement on every target (database and schema) and prints one merged "
            "result, with the database and schema columns first.\n\n"
            "Targets: each database's tenant schemas (every user schema but public / main), those "
            "matching --tenants (a glob such as 'acme_*', or a LIKE pattern with '%'), or exactly "
            "--schemas. On SQLite, tenants are attached databases (--attach); the statement runs "
            "with the tenant's file as its main database.\n\n"
            "Exit codes: 0 every target succeeded, 1 some target failed, 2 usage error."));
    QCommandLineParser &parser = cli.parser();
    const QCommandLineOption database =
        cli.addDatabase(QStringLiteral("The primary database's URL."));
    const QCommandLineOption extra = cli.addExtra();
    const QCommandLineOption attach = cli.addAttach(
        QStringLiteral("SQLite: attach FILE as schema NAME of the primary (repeatable)."));
    const QCommandLineOption tenants(QStringLiteral("tenants"),
                                     QStringLiteral("Schemas whose name matches PATTERN."),
                                     QStringLiteral("PATTERN"));
    const QCommandLineOption schemas(QStringLiteral("schemas"),
                                     QStringLiteral("Exactly these schemas, comma-separated."),
                                     QStringLiteral("A,B"));
    const QCommandLineOption perServer(QStringLiteral("per-server"),
                                       QStringLiteral("Statements at once per server (default 4)."),
                                       QStringLiteral("N"), QStringLiteral("4"));
    parser.addOptions({tenants, schemas, perServer});
    const QCommandLineOption format = cli.addFormat();
    const QCommandLineOption allowWrites(
        QStringLiteral("allow-writes"),
        QStringLiteral("Run a statement that may write: each target in its own transaction."));
    parser.addOption(allowWrites);
    cli.addStatement();
    if (const std::optional<int> done = cli.parse(arguments))
        return *done;

    strata::app::OutputFormat output{};
    orm::FanOutOptions options;
    orm::TenantSelection selection = orm::TenantSelection::tenants();
    QString sql;
    std::unique_ptr<orm::Registry> registry;
    try {
        const QString url = cli.required(database, QStringLiteral("--database URL"));
        output = cli.outputFormat(format);
        if (parser.isSet(tenants) && parser.isSet(schemas))
            return cli.usage(QStringLiteral("--tenants and --schemas exclude each other"));
        bool ok = false;
        options.perServer = parser.value(perServer).toInt(&ok);
        if (!ok || options.perServer < 1 || options.perServer > 64)
            return cli.usage(QStringLiteral("--per-server expects a number from 1 to 64, got '%1'")
                                 .arg(parser.value(perServer)));
        options.allowWrites = parser.isSet(allowWrites);
        if (parser.isSet(tenants)) {
            selection = orm::TenantSelection::matching(parser.value(tenants));
        } else if (parser.isSet(schemas)) {
            QStringList names;
            for (const QString &name : parser.value(schemas).split(QLatin1Char(',')))
                if (!name.trimmed().isEmpty())
                    names << name.trimmed();
            if (names.isEmpty())
                return cli.usage(
                    QStringLiteral("--schemas expects a comma-separated list of names"));
            selection = orm::TenantSelection::list(names);
        }
        sql = cli.statement();
        registry = std::make_unique<orm::Registry>(url);
        cli.addExtras(*registry, extra);
        cli.attachFiles(*registry->database(), attach);
    } catch (const strata::app::UsageError &error) {
        return cli.usage(error.message);
    } catch (const orm::Error &error) {
        return cli.usage(error.toString());
    }

    Run run;
    int interruptedWith = 0;
    strata::app::TerminationSignals terminations;
    QObject::connect(&terminations, &strata::app::TerminationSignals::received, [&](int signal) {
        if (interruptedWith)
            return;
        interruptedWith = strata::app::TerminationSignals::exitCodeFor(signal);
        QTextStream(stderr) << "strata fanout: interrupted by "
                            << strata::app::TerminationSignals::nameOf(signal)
                            << ": cancelling every target on its server\n";
        if (run.fanOut)
            run.fanOut->cancel();
    });
    try {
        orm::runSync([&] { return fanOut(registry.get(), selection, sql, options, &run); });
    } catch (const orm::Error &error) {
        if (error.kind() == orm::Error::Kind::Usage ||
            error.kind() == orm::Error::Kind::Configuration)
            return cli.usage(error.toString());
        return cli.failure(error.toString());
    }
    if (run.noTargets)
        return cli.usage(QStringLiteral("no schema matches: nothing to run"));

    const orm::FanOut &done = *run.fanOut;
    const orm::Result merged = done.result().toResult();
    if (merged.columnCount() > 2) {
        strata::app::printResult(merged, output);
    } else {
        // No target returned columns (a write, or every target failed): each target's outcome.
        QList<QStringList> rows;
        for (int i = 0; i < done.targets().size(); ++i) {
            const orm::TargetOutcome &outcome = done.outcomes()[i];
            rows << QStringList{
                done.targets()[i].databaseLabel(), done.targets()[i].schema,
                orm::TargetOutcome::statusName(outcome.status),
                outcome.rowsAffected >= 0 ? QString::number(outcome.rowsAffected) : QString(),
                outcome.succeeded()
                    ? (outcome.committed ? QStringLiteral("yes") : QStringLiteral("no"))
                    : QStringLiteral("no")};
        }
        strata::app::printResult(
            strata::app::textResult({QStringLiteral("database"), QStringLiteral("schema"),
                                     QStringLiteral("status"), QStringLiteral("rows_affected"),
                                     QStringLiteral("committed")},
                                    rows),
            output);
    }
    QTextStream err(stderr);
    for (int i = 0; i < done.targets().size(); ++i) {
        const orm::TargetOutcome &outcome = done.outcomes()[i];
        const QString name = targetName(done.targets()[i]);
        if (!outcome.succeeded())
            err << "strata fanout: " << name << ": "
                << orm::TargetOutcome::statusName(outcome.status) << ": " << outcome.error
                << (outcome.rows ? QStringLiteral(" (after %1 rows)").arg(outcome.rows) : QString())
                << '\n';
        if (!outcome.missingColumns.isEmpty() && outcome.succeeded())
            err << "strata fanout: " << name << ": columns differ: no "
                << outcome.missingColumns.join(QStringLiteral(", ")) << " (NULL in its rows)\n";
        if (!outcome.typeConflicts.isEmpty())
            err << "strata fanout: " << name
                << ": column types differ: " << outcome.typeConflicts.join(QStringLiteral(", "))
                << '\n';
    }
    const int failed = done.failedCount();
    if (failed)
        err << "strata fanout: " << failed << " of " << done.targets().size()
            << " targets did not succeed\n";
    if (interruptedWith)
        return interruptedWith;
    return failed ? 1 : 0;
}

} // namespace

STRATA_COMMAND(fanout, "run one SQL statement on many databases and tenant schemas", runFanOut);
