// strata-bench: the benchmark program (docs/BENCHMARKS.md, DESIGN.md "Benchmarks").
//
//   strata-bench --list                       scenario names, one per line
//   strata-bench SCENARIO [--rows N] [--backend postgres|sqlite]
//   strata-bench all [...]                    every scenario in table order
//
// Figures go to stdout as one JSON object per line; progress and diagnostics go to stderr.
// PostgreSQL comes from STRATA_BENCH_PG_URL (or STRATA_TEST_PG_URL, which
// tests/support/with-postgres.sh exports); without either the postgres runs are skipped.

#include "bench_support.h"
#include "scenarios.h"

#include "orm/core/error.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <exception>
#include <limits>

namespace strata::bench {
namespace {

// The scenario table: name -> function, in the order `all` runs them.
const QList<Scenario> &scenarios()
{
    static const QList<Scenario> table = {
        {QStringLiteral("fetch"),
         QStringLiteral("1,000,000 rows x 5 columns through our driver vs libpq, QPSQL, sqlite3, "
                        "QSQLITE; event-loop stall"),
         {Backend::Postgres, Backend::Sqlite},
         runFetch},
        {QStringLiteral("insert"),
         QStringLiteral("10,000 single-row inserts: pipelined executeBatch vs round trips"),
         {Backend::Postgres, Backend::Sqlite},
         runInsert},
        {QStringLiteral("connect"),
         QStringLiteral("registry of 3 databases vs 1, through a 200 ms proxy"),
         {Backend::Postgres},
         runConnect},
        {QStringLiteral("reconnect"),
         QStringLiteral("first query after a server restart vs a fresh connect; quitting the "
                        "window mid-statement"),
         {Backend::Postgres},
         runReconnect},
        {QStringLiteral("failover"),
         QStringLiteral("first query through a multi-host URL after the standby's promote"),
         {Backend::Postgres},
         runFailover},
        {QStringLiteral("runsync"),
         QStringLiteral("runSync round trip, no loop and subloop, vs awaiting directly"),
         {Backend::Postgres, Backend::Sqlite},
         runRunSync},
        {QStringLiteral("not-connected"),
         QStringLiteral("queries on an unconnected database vs a connected one"),
         {Backend::Postgres, Backend::Sqlite},
         runNotConnected},
        {QStringLiteral("reflect"),
         QStringLiteral("20,000 tables x 10 columns: list the models, reflect one model"),
         {Backend::Postgres},
         runReflect},
        {QStringLiteral("bulk"),
         QStringLiteral("QuerySet::bulkCreate of 100,000 rows vs one insert per round trip"),
         {Backend::Postgres},
         runBulk},
        {QStringLiteral("console"),
         QStringLiteral(
             "console SELECT of 10,000,000 rows: first rows, memory; CSV export vs psql"),
         {Backend::Postgres, Backend::Sqlite},
         runConsole},
        {QStringLiteral("split"),
         QStringLiteral("console statement splitter on 10 MB hostile scripts: time, GUI stall"),
         {Backend::Postgres, Backend::Sqlite},
         runSplit},
        {QStringLiteral("grid"),
         QStringLiteral("data grid on 10,000,000 rows: first rows, Ctrl+End, stall, memory; vs "
                        "QSqlTableModel"),
         {Backend::Postgres, Backend::Sqlite},
         runGrid},
        {QStringLiteral("fanout"),
         QStringLiteral("SELECT count(*) over 200 tenant schemas vs one schema of all their rows; "
                        "first rows"),
         {Backend::Postgres},
         runFanOut},
        {QStringLiteral("drift"),
         QStringLiteral("500 tenant schemas x 20 tables compared with a template; stall"),
         {Backend::Postgres},
         runDrift},
        {QStringLiteral("tenant-switch"),
         QStringLiteral("the window's open table switched between two of 500 tenant schemas "
                        "that differ: rows visible"),
         {Backend::Postgres},
         runTenantSwitch},
        {QStringLiteral("ddl-refresh"),
         QStringLiteral("a table created by another client until the tree shows it; probe "
                        "queries per minute"),
         {Backend::Postgres, Backend::Sqlite},
         runDdlRefresh},
        {QStringLiteral("edit"),
         QStringLiteral("10,000 staged cell changes committed vs the same UPDATEs pipelined by "
                        "hand; stall"),
         {Backend::Postgres, Backend::Sqlite},
         runEdit},
        {QStringLiteral("tree-filter"),
         QStringLiteral("the tree's filter over 20,000 tables x 10 columns: first matching column "
                        "painted, stall"),
         {Backend::Postgres, Backend::Sqlite},
         runTreeFilter},
    };
    return table;
}

void usage(FILE *to)
{
    std::fputs("usage: strata-bench --list\n"
               "       strata-bench SCENARIO|all [--rows N] [--backend postgres|sqlite]\n"
               "Figures: one JSON object per line on stdout. PostgreSQL: STRATA_BENCH_PG_URL.\n"
               "Scenarios:\n",
               to);
    for (const Scenario &scenario : scenarios())
        std::fprintf(to, "  %-10s %s\n", qPrintable(scenario.name), qPrintable(scenario.summary));
}

QString postgresUrl()
{
    QString url = qEnvironmentVariable("STRATA_BENCH_PG_URL");
    if (url.isEmpty())
        url = qEnvironmentVariable("STRATA_TEST_PG_URL");
    return url;
}

// Runs one scenario on each backend it supports; returns the number of runs that failed.
int runScenario(const Scenario &scenario, const Context &context)
{
    int failures = 0;
    if (context.options.backend && !scenario.backends.contains(*context.options.backend))
        note(QStringLiteral("%1: nothing to run on %2")
                 .arg(scenario.name, backendName(*context.options.backend)));
    for (const Backend backend : scenario.backends) {
        if (context.options.backend && *context.options.backend != backend)
            continue;
        const QString tag = scenario.name + QLatin1Char('/') + backendName(backend);
        if (backend == Backend::Postgres && context.pgUrl.isEmpty()) {
            note(QStringLiteral("%1: skipped, STRATA_BENCH_PG_URL is not set (run through "
                                "tests/support/with-postgres.sh or `make bench`)")
                     .arg(tag));
            continue;
        }
        note(tag + QStringLiteral(": running"));
        const Stopwatch clock;
        try {
            scenario.run(context, backend);
            note(QStringLiteral("%1: done in %2 s").arg(tag).arg(clock.seconds(), 0, 'f', 1));
        } catch (const orm::Error &error) {
            note(QStringLiteral("%1: FAILED: %2").arg(tag, error.toString()));
            ++failures;
        } catch (const std::exception &error) {
            note(QStringLiteral("%1: FAILED: %2").arg(tag, QString::fromUtf8(error.what())));
            ++failures;
        }
    }
    return failures;
}

} // namespace
} // namespace strata::bench

int main(int argc, char **argv)
{
    using namespace strata::bench;
    // A child of the grid scenario: the widgets need a QApplication of their own.
    if (qEnvironmentVariableIsSet("STRATA_BENCH_GRID_CHILD"))
        return gridChildMain(argc, argv);
    if (qEnvironmentVariableIsSet("STRATA_BENCH_WINDOW_CHILD"))
        return windowChildMain(argc, argv);
    if (qEnvironmentVariableIsSet("STRATA_BENCH_TREE_FILTER_CHILD"))
        return treeFilterChildMain(argc, argv);
    QCoreApplication app(argc, argv);
    // The ORM's connect/disconnect chatter would drown the progress notes; its warnings stay.
    // QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.*.info=false\n"
                                                    "strata.orm.*.debug=false"));
    const QStringList args = app.arguments().mid(1);

    Context context;
    QString name;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (arg == QLatin1String("--list")) {
            for (const Scenario &scenario : scenarios())
                std::printf("%s\n", qPrintable(scenario.name));
            return 0;
        }
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            usage(stdout);
            return 0;
        }
        if (arg == QLatin1String("--rows") && i + 1 < args.size()) {
            bool ok = false;
            const qint64 rows = args[++i].toLongLong(&ok);
            if (!ok || rows <= 0 || rows > std::numeric_limits<int>::max()) {
                std::fprintf(stderr, "strata-bench: --rows wants a positive count, got '%s'\n",
                             qPrintable(args[i]));
                return 2;
            }
            context.options.rows = rows;
        } else if (arg == QLatin1String("--backend") && i + 1 < args.size()) {
            const QString backend = args[++i];
            if (backend == QLatin1String("postgres")) {
                context.options.backend = Backend::Postgres;
            } else if (backend == QLatin1String("sqlite")) {
                context.options.backend = Backend::Sqlite;
            } else {
                std::fprintf(stderr, "strata-bench: --backend is postgres or sqlite, got '%s'\n",
                             qPrintable(backend));
                return 2;
            }
        } else if (!arg.startsWith(QLatin1Char('-')) && name.isEmpty()) {
            name = arg;
        } else {
            std::fprintf(stderr, "strata-bench: unexpected argument '%s'\n", qPrintable(arg));
            usage(stderr);
            return 2;
        }
    }
    if (name.isEmpty()) {
        usage(stderr);
        return 2;
    }

    QList<Scenario> selected;
    for (const Scenario &scenario : scenarios())
        if (name == QLatin1String("all") || scenario.name == name)
            selected += scenario;
    if (selected.isEmpty()) {
        std::fprintf(stderr, "strata-bench: unknown scenario '%s'\n", qPrintable(name));
        usage(stderr);
        return 2;
    }

    context.pgUrl = postgresUrl();
    int failures = 0;
    for (const Scenario &scenario : selected)
        failures += runScenario(scenario, context);
    if (failures)
        note(QStringLiteral("%1 run(s) failed").arg(failures));
    return failures ? 1 : 0;
}
