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
#include "result_output.h"
#include "termination_signals.h"

#include "orm/fanout/fan_out.h"
#include "orm/sync/run_sync.h"

#include <QCommandLineParser>
#include <QFile>
#include <QTextStream>

namespace {

int usage(const QString &message)
{
    QTextStream(stderr) << "strata fanout: " << message << "\n"
                        << "Try 'strata fanout --help'.\n";
    return 2;
}

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
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs one SQL statement on every target (database and schema) and prints one merged "
        "result, with the database and schema columns first.\n\n"
        "Targets: each database's tenant schemas (every user schema but public / main), those "
        "matching --tenants (a glob such as 'acme_*', or a LIKE pattern with '%'), or exactly "
        "--schemas. On SQLite, tenants are attached databases (--attach); the statement runs "
        "with the tenant's file as its main database.\n\n"
        "Exit codes: 0 every target succeeded, 1 some target failed, 2 usage error."));
    parser.addHelpOption();
    const QCommandLineOption database({QStringLiteral("d"), QStringLiteral("database")},
                                      QStringLiteral("The primary database's URL."),
                                      QStringLiteral("URL"));
    const QCommandLineOption extra(
        QStringLiteral("extra"), QStringLiteral("An extra database of the registry (repeatable)."),
        QStringLiteral("NAME=URL"));
    const QCommandLineOption attach(
        QStringLiteral("attach"),
        QStringLiteral("SQLite: attach FILE as schema NAME of the primary (repeatable)."),
        QStringLiteral("NAME=FILE"));
    const QCommandLineOption tenants(QStringLiteral("tenants"),
                                     QStringLiteral("Schemas whose name matches PATTERN."),
                                     QStringLiteral("PATTERN"));
    const QCommandLineOption schemas(QStringLiteral("schemas"),
                                     QStringLiteral("Exactly these schemas, comma-separated."),
                                     QStringLiteral("A,B"));
    const QCommandLineOption perServer(QStringLiteral("per-server"),
                                       QStringLiteral("Statements at once per server (default 4)."),
                                       QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output: table (default), csv or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption allowWrites(
        QStringLiteral("allow-writes"),
        QStringLiteral("Run a statement that may write: each target in its own transaction."));
    parser.addOptions({database, extra, attach, tenants, schemas, perServer, format, allowWrites});
    parser.addPositionalArgument(QStringLiteral("SQL"),
                                 QStringLiteral("The statement; '-' or none reads it from stdin."));

    if (!parser.parse(QStringList(QStringLiteral("strata fanout")) + arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const QString url = parser.value(database);
    if (url.isEmpty())
        return usage(QStringLiteral("--database URL is required"));
    const std::optional<strata::app::OutputFormat> output =
        strata::app::parseOutputFormat(parser.value(format));
    if (!output)
        return usage(
            QStringLiteral("unknown format '%1' (table, csv or json)").arg(parser.value(format)));
    if (parser.isSet(tenants) && parser.isSet(schemas))
        return usage(QStringLiteral("--tenants and --schemas exclude each other"));
    orm::FanOutOptions options;
    bool ok = false;
    options.perServer = parser.value(perServer).toInt(&ok);
    if (!ok || options.perServer < 1 || options.perServer > 64)
        return usage(QStringLiteral("--per-server expects a number from 1 to 64, got '%1'")
                         .arg(parser.value(perServer)));
    options.allowWrites = parser.isSet(allowWrites);
    orm::TenantSelection selection = orm::TenantSelection::tenants();
    if (parser.isSet(tenants)) {
        selection = orm::TenantSelection::matching(parser.value(tenants));
    } else if (parser.isSet(schemas)) {
        QStringList names;
        for (const QString &name : parser.value(schemas).split(QLatin1Char(',')))
            if (!name.trimmed().isEmpty())
                names << name.trimmed();
        if (names.isEmpty())
            return usage(QStringLiteral("--schemas expects a comma-separated list of names"));
        selection = orm::TenantSelection::list(names);
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return usage(QStringLiteral("one SQL statement expected, got %1 arguments (quote the "
                                    "statement)")
                         .arg(positional.size()));
    QString sql = positional.value(0);
    if (sql.isEmpty() || sql == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return usage(QStringLiteral("cannot read the statement from stdin"));
        sql = QString::fromUtf8(in.readAll());
    }
    if (sql.trimmed().isEmpty())
        return usage(QStringLiteral("no SQL statement given"));

    std::unique_ptr<orm::Registry> registry;
    try {
        registry = std::make_unique<orm::Registry>(url);
        QString name, value;
        for (const QString &entry : parser.values(extra)) {
            if (!strata::app::splitNamedValue(entry, &name, &value))
                return usage(QStringLiteral("--extra expects NAME=URL"));
            registry->addExtra(name, value);
        }
        for (const QString &entry : parser.values(attach)) {
            if (!strata::app::splitNamedValue(entry, &name, &value))
                return usage(QStringLiteral("--attach expects NAME=FILE, got '%1'").arg(entry));
            registry->database()->attach(name, value);
        }
    } catch (const orm::Error &error) {
        return usage(error.toString());
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
            return usage(error.toString());
        QTextStream(stderr) << "strata fanout: " << error.toString() << '\n';
        return 1;
    }
    if (run.noTargets)
        return usage(QStringLiteral("no schema matches: nothing to run"));

    const orm::FanOut &done = *run.fanOut;
    const orm::Result merged = done.result().toResult();
    if (merged.columnCount() > 2) {
        strata::app::printResult(merged, *output);
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
            *output);
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
