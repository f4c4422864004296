// Scenarios "tenant-switch" and "ddl-refresh": the real window (ui::MainWindow, offscreen) on a
// database, as a user meets it.
//
//   tenant-switch  rows-visible: the open table switched between two of 500 tenant schemas whose
//                  columns differ (one has an extra column, the other another type), from the
//                  switch until the target tenant's own columns and first rows are painted; the
//                  longest of 20 switches, and their median. PostgreSQL only: SQLite attaches at
//                  most 10 databases.
//   ddl-refresh    appears: a table created by another client (its own connection) until the
//                  tree lists it, the longest of 5; probe-queries: the catalog probes the tree
//                  sent per minute per database while idle (the window counts what it sends).
//
// The widgets need a QApplication, which strata-bench does not create: each scenario runs in a
// child process of this program (STRATA_BENCH_WINDOW_CHILD=scenario, QT_QPA_PLATFORM=offscreen).

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/main_window.h"
#include "ui/model_tree.h"

#include <QApplication>
#include <QDir>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr int kTimeoutMs = 10 * 60 * 1000;
constexpr int kTenants = 500;
constexpr int kSwitches = 20;
constexpr int kCreates = 5;
const QString kPrefix = QStringLiteral("bench_ts_");

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString tenant(int i)
{
    return kPrefix + QStringLiteral("%1").arg(i, 3, 10, QLatin1Char('0'));
}

// 500 tenants of one table "orders" that are not all alike: every third has an extra column,
// the next another type of amount.
void createTenants(orm::Database &db)
{
    QString script;
    for (int i = 0; i < kTenants; ++i) {
        const QString extra = i % 3 == 1 ? QStringLiteral(", note text DEFAULT 'n'") : QString();
        const QString amount = i % 3 == 2 ? QStringLiteral("text") : QStringLiteral("numeric");
        script += QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE; CREATE SCHEMA %1;"
                                 "CREATE TABLE %1.orders (id int PRIMARY KEY, amount %2, "
                                 "placed date%3);"
                                 "INSERT INTO %1.orders (id, amount, placed) SELECT g, g * 2, "
                                 "date '2024-01-01' + g FROM generate_series(1, 200) g;")
                      .arg(tenant(i), amount, extra);
    }
    strata::test::await(db.executeScript(script), kTimeoutMs);
}

void dropTenants(orm::Database &db)
{
    QString script;
    for (int i = 0; i < kTenants; ++i)
        script += QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE;").arg(tenant(i));
    strata::test::await(db.executeScript(script), kTimeoutMs);
}

// The grid shows `columns` columns and its first rows, for the table opened in `schema`.
bool showsTenant(ui::MainWindow &window, const QString &schema, int columns)
{
    return window.activeSchema() == schema && window.openedModel() == QLatin1String("orders") &&
           window.gridModel()->columnCount() == columns && window.gridModel()->isRowLoaded(0) &&
           window.gridModel()->lastError().isEmpty();
}

void childTenantSwitch(const Report &report, const QString &url)
{
    orm::Database setup(url);
    strata::test::await(setup.connect(), kTimeoutMs);
    note(QStringLiteral("tenant-switch: creating %1 tenant schemas").arg(kTenants));
    createTenants(setup);
    try {
        orm::Registry registry(url);
        ui::MainWindow window(&registry);
        window.resize(1280, 800);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            fail(QStringLiteral("the window was never exposed"));
        strata::test::await(registry.connect(), kTimeoutMs);
        if (!waitUntil([&] { return !window.activeSchema().isEmpty(); }, 60000))
            fail(QStringLiteral("no schema became active"));
        // Two neighbours that differ: 1 has the extra column (4 columns), 2 a text amount (3).
        const QString a = tenant(1), b = tenant(2);
        window.setActiveSchema(a);
        window.openModel(QStringLiteral("orders"));
        if (!waitUntil([&] { return showsTenant(window, a, 4); }, 60000))
            fail(QStringLiteral("orders never opened in %1").arg(a));
        settle(200);
        QList<double> times;
        for (int i = 0; i < kSwitches; ++i) {
            const QString to = i % 2 == 0 ? b : a;
            const int columns = to == a ? 4 : 3;
            Stopwatch clock;
            window.setActiveSchema(to);
            if (!waitUntil([&] { return showsTenant(window, to, columns); }, 60000))
                fail(QStringLiteral("switch %1 to %2 never showed its rows: %3")
                         .arg(i)
                         .arg(to, window.gridModel()->lastError()));
            window.grid()->table()->viewport()->repaint();
            times << clock.seconds() * 1e3;
            settle(50);
        }
        std::sort(times.begin(), times.end());
        report.value(QStringLiteral("rows-visible"), times.last(), QStringLiteral("ms"));
        note(QStringLiteral("tenant-switch: median %1 ms, fastest %2 ms over %3 switches")
                 .arg(times[times.size() / 2], 0, 'f', 1)
                 .arg(times.first(), 0, 'f', 1)
                 .arg(kSwitches));
        strata::test::await(registry.disconnect(), kTimeoutMs);
    } catch (...) {
        dropTenants(setup);
        throw;
    }
    dropTenants(setup);
}

void childDdlRefresh(const Report &report, const QString &url)
{
    const QString table = QStringLiteral("bench_ddl_%1").arg(QCoreApplication::applicationPid());
    orm::Registry registry(url);
    ui::MainWindow window(&registry);
    window.show();
    strata::test::await(registry.connect(), kTimeoutMs);
    if (!waitUntil([&] { return !window.activeSchema().isEmpty(); }, 60000))
        fail(QStringLiteral("no schema became active"));
    const QString schema = window.activeSchema();
    if (!waitUntil([&] { return !window.isBusy(); }, 60000))
        fail(QStringLiteral("the tree never settled"));

    // Another client: a connection of its own, as psql would be.
    orm::Database other(url);
    strata::test::await(other.connect(), kTimeoutMs);
    QList<double> times;
    for (int i = 0; i < kCreates; ++i) {
        const QString name = QStringLiteral("%1_%2").arg(table).arg(i);
        settle(700 * i % 1900); // not in step with the probe
        Stopwatch clock;
        strata::test::await(
            other.executeScript(QStringLiteral("CREATE TABLE %1 (id int PRIMARY KEY)").arg(name)),
            kTimeoutMs);
        if (!waitUntil([&] { return window.listedModels(QString(), schema).contains(name); },
                       30000))
            fail(QStringLiteral("%1 never appeared in the tree").arg(name));
        times << clock.seconds();
    }
    std::sort(times.begin(), times.end());
    report.value(QStringLiteral("appears"), times.last(), QStringLiteral("s"));
    note(QStringLiteral("ddl-refresh: median %1 s, fastest %2 s over %3 tables")
             .arg(times[times.size() / 2], 0, 'f', 2)
             .arg(times.first(), 0, 'f', 2)
             .arg(kCreates));

    // Idle: what the tree sends to keep up, per minute.
    const int before = window.modelTree()->probesSent();
    Stopwatch idle;
    settle(20'000);
    const double perMinute = (window.modelTree()->probesSent() - before) * 60.0 / idle.seconds();
    report.value(QStringLiteral("probe-queries"), perMinute, QStringLiteral("per-minute"));

    QString drop;
    for (int i = 0; i < kCreates; ++i)
        drop += QStringLiteral("DROP TABLE %1_%2;").arg(table).arg(i);
    strata::test::await(other.executeScript(drop), kTimeoutMs);
    strata::test::await(registry.disconnect(), kTimeoutMs);
}

void runWindowChild(const QString &scenario, Backend backend, const QString &url)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("STRATA_BENCH_WINDOW_CHILD"), scenario);
    env.insert(QStringLiteral("STRATA_BENCH_WINDOW_URL"), url);
    env.insert(QStringLiteral("STRATA_BENCH_WINDOW_BACKEND"), backendName(backend));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {scenario});
    if (!child.waitForStarted())
        fail(QStringLiteral("cannot start the %1 child: %2").arg(scenario, child.errorString()));
    child.waitForFinished(kTimeoutMs);
    const QByteArray out = child.readAllStandardOutput();
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
        fail(QStringLiteral("the %1 child failed (exit %2)").arg(scenario).arg(child.exitCode()));
}

} // namespace

int windowChildMain(int argc, char **argv)
{
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.*.info=false\n"
                                                    "strata.orm.*.debug=false"));
    const QString scenario = qEnvironmentVariable("STRATA_BENCH_WINDOW_CHILD");
    const QString url = qEnvironmentVariable("STRATA_BENCH_WINDOW_URL");
    const Backend backend =
        qEnvironmentVariable("STRATA_BENCH_WINDOW_BACKEND") == backendName(Backend::Postgres)
            ? Backend::Postgres
            : Backend::Sqlite;
    const Report report(scenario, backend);
    try {
        if (scenario == QLatin1String("tenant-switch"))
            childTenantSwitch(report, url);
        else
            childDdlRefresh(report, url);
    } catch (const orm::Error &error) {
        note(QStringLiteral("%1/%2: FAILED: %3")
                 .arg(scenario, backendName(backend), error.toString()));
        return 1;
    } catch (const std::exception &error) {
        note(QStringLiteral("%1/%2: FAILED: %3")
                 .arg(scenario, backendName(backend), QString::fromUtf8(error.what())));
        return 1;
    }
    return 0;
}

void runTenantSwitch(const Context &context, Backend backend)
{
    runWindowChild(QStringLiteral("tenant-switch"), backend, context.pgUrl);
}

void runDdlRefresh(const Context &context, Backend backend)
{
    QTemporaryDir dir;
    const QString url = backend == Backend::Postgres
                            ? context.pgUrl
                            : QStringLiteral("sqlite:///") +
                                  QDir(dir.path()).absoluteFilePath(QStringLiteral("ddl.db")) +
                                  QStringLiteral("?create=true");
    runWindowChild(QStringLiteral("ddl-refresh"), backend, url);
}

} // namespace strata::bench
