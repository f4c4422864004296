// Scenario "tree-filter": the model tree's filter (ui::ModelTree, offscreen) over one schema of
// 20,000 tables x 10 columns, listed but with no table expanded, as a user types a column name
// that four tables have.
//
//   first-matches  the last keystroke until the first matching column is in the tree's model
//                  and painted (the debounce, 100 ms, included); the worst of 5 runs
//   stall          the longest gap between GUI-thread ticks of a 1 ms timer while typing (a key
//                  every 40 ms) and matching, until every hit is shown; the worst of 5 runs
//   stall-broad    the same for a text that every table matches ("col_"): the first 1,000
//                  tables inserted in slices
//
// The widgets need a QApplication, which strata-bench does not create: the scenario runs in a
// child process of this program (STRATA_BENCH_TREE_FILTER_CHILD, QT_QPA_PLATFORM=offscreen).

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "ui/model_tree.h"
#include "ui/tree_filter.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QProcess>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr int kTimeoutMs = 10 * 60 * 1000;
constexpr int kTables = 20000;
constexpr int kRuns = 5;
constexpr int kKeyIntervalMs = 40;
const QString kSchemaPg = QStringLiteral("bench_tree_filter");
// Every 5,000th table has it: t05000, t10000, t15000, t20000.
const QString kNeedle = QStringLiteral("needle_amount");

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString tableColumns(bool withNeedle)
{
    QString columns = QStringLiteral("id integer PRIMARY KEY");
    for (int c = 1; c < 9; ++c)
        columns += QStringLiteral(", col_%1 text").arg(c);
    columns += withNeedle ? QStringLiteral(", ") + kNeedle + QStringLiteral(" numeric")
                          : QStringLiteral(", col_9 numeric");
    return columns;
}

void createPg(orm::Database &db)
{
    strata::test::await(db.executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE; "
                                                        "CREATE SCHEMA %1")
                                             .arg(kSchemaPg)),
                        kTimeoutMs);
    // In chunks: one transaction creating them all runs out of lock slots.
    constexpr int chunk = 1000;
    for (int first = 1; first <= kTables; first += chunk) {
        const int last = std::min(kTables, first + chunk - 1);
        strata::test::await(
            db.executeScript(
                QStringLiteral("DO $$ BEGIN FOR i IN %1..%2 LOOP "
                               "IF i % 5000 = 0 THEN EXECUTE format('CREATE TABLE %3.t%s (%4)', "
                               "lpad(i::text, 5, '0')); "
                               "ELSE EXECUTE format('CREATE TABLE %3.t%s (%5)', "
                               "lpad(i::text, 5, '0')); END IF; END LOOP; END $$")
                    .arg(QString::number(first), QString::number(last), kSchemaPg,
                         tableColumns(true), tableColumns(false))),
            kTimeoutMs);
    }
}

void dropPg(orm::Database &db)
{
    constexpr int chunk = 1000;
    for (int first = 1; first <= kTables; first += chunk)
        strata::test::await(
            db.executeScript(
                QStringLiteral("DO $$ BEGIN FOR i IN %1..%2 LOOP EXECUTE format('DROP TABLE IF "
                               "EXISTS %3.t%s', lpad(i::text, 5, '0')); END LOOP; END $$")
                    .arg(QString::number(first),
                         QString::number(std::min(kTables, first + chunk - 1)), kSchemaPg)),
            kTimeoutMs);
    strata::test::await(db.executeScript(QStringLiteral("DROP SCHEMA %1").arg(kSchemaPg)),
                        kTimeoutMs);
}

void createSqlite(orm::Database &db)
{
    // One transaction: 20,000 CREATE TABLEs commit once.
    QString script = QStringLiteral("BEGIN;");
    for (int i = 1; i <= kTables; ++i)
        script += QStringLiteral("CREATE TABLE t%1 (%2);")
                      .arg(i, 5, 10, QLatin1Char('0'))
                      .arg(tableColumns(i % 5000 == 0));
    script += QStringLiteral("COMMIT;");
    strata::test::await(db.executeScript(script), kTimeoutMs);
}

// A matching column in the results (a field node under a table node).
bool hasMatchingColumn(const QStandardItemModel *results)
{
    for (int d = 0; d < results->rowCount(); ++d)
        for (int s = 0; s < results->item(d)->rowCount(); ++s) {
            const QStandardItem *schema = results->item(d)->child(s);
            for (int t = 0; t < schema->rowCount(); ++t)
                if (schema->child(t)->rowCount() > 0 &&
                    schema->child(t)->child(0)->data(ui::ModelTree::NodeKindRole).toInt() ==
                        int(ui::ModelTree::NodeKind::Field))
                    return true;
        }
    return false;
}

int tablesShown(const QStandardItemModel *results)
{
    int tables = 0;
    for (int d = 0; d < results->rowCount(); ++d)
        for (int s = 0; s < results->item(d)->rowCount(); ++s)
            tables += results->item(d)->child(s)->rowCount();
    return tables;
}

// Notes the first paint of the results view that shows a matching column.
class PaintWatch : public QObject {
public:
    PaintWatch(ui::ModelTree &tree)
        : m_tree(tree)
    {
        tree.resultsView()->viewport()->installEventFilter(this);
    }
    void arm(const Stopwatch *clock)
    {
        m_clock = clock;
        m_at = -1;
    }
    double at() const { return m_at; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_clock && m_at < 0 && !m_pending &&
            hasMatchingColumn(m_tree.filterResults())) {
            // Timed once this paint is done: what the user sees.
            m_pending = true;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_at = m_clock->seconds() * 1e3;
                    m_pending = false;
                },
                Qt::QueuedConnection);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    ui::ModelTree &m_tree;
    const Stopwatch *m_clock = nullptr;
    double m_at = -1;
    bool m_pending = false;
};

// Types `text` into the filter a key every kKeyIntervalMs; returns (first painted match after
// the last key in ms, the longest stall while typing and matching in ms).
std::pair<double, double> typeAndMeasure(ui::ModelTree &tree, PaintWatch &watch,
                                         const QString &text, int expectTables)
{
    tree.filter()->clear();
    if (!waitUntil([&] { return !tree.isFiltering(); }, 60000))
        fail(QStringLiteral("the filter never cleared"));
    settle(100);
    StallProbe stall;
    stall.start();
    Stopwatch clock;
    for (int i = 0; i + 1 < text.size(); ++i) {
        QTest::keyClick(tree.filter(), text.at(i).toLatin1());
        settle(kKeyIntervalMs);
    }
    clock.restart();
    watch.arm(&clock);
    QTest::keyClick(tree.filter(), text.back().toLatin1());
    if (!waitUntil([&] { return watch.at() >= 0; }, 60000))
        fail(QStringLiteral("no match of %1 was ever painted").arg(text));
    const double first = watch.at();
    if (!waitUntil([&] { return !tree.isFiltering(); }, 60000))
        fail(QStringLiteral("the search for %1 never ended").arg(text));
    settle(20);
    stall.stop();
    const int shown = tablesShown(tree.filterResults());
    if (shown != expectTables)
        fail(QStringLiteral("%1 found %2 tables, not %3").arg(text).arg(shown).arg(expectTables));
    note(QStringLiteral("tree-filter: %1: longest stall %2 ms, of which the GUI thread ran %3 ms")
             .arg(text)
             .arg(stall.maxStallMs(), 0, 'f', 1)
             .arg(stall.maxStallCpuMs(), 0, 'f', 1));
    return {first, stall.maxStallMs()};
}

void childTreeFilter(const Report &report, Backend backend, const QString &url)
{
    orm::Database setup(url);
    strata::test::await(setup.connect(), kTimeoutMs);
    note(QStringLiteral("tree-filter/%1: creating %2 tables x 10 columns")
             .arg(backendName(backend))
             .arg(kTables));
    const QString schema = backend == Backend::Postgres ? kSchemaPg : QStringLiteral("main");
    if (backend == Backend::Postgres)
        createPg(setup);
    else
        createSqlite(setup);
    const auto cleanUp = [&] {
        if (backend == Backend::Postgres)
            dropPg(setup);
        strata::test::await(setup.disconnect(), kTimeoutMs);
    };
    try {
        orm::Registry registry(url);
        ui::ModelTree tree(&registry);
        tree.setProbeInterval(24 * 3600 * 1000); // nothing else reads meanwhile
        tree.resize(400, 800);
        tree.addDatabase(QString());
        tree.show();
        if (!QTest::qWaitForWindowExposed(&tree))
            fail(QStringLiteral("the tree was never exposed"));
        tree.activateWindow();
        strata::test::await(registry.connect(), kTimeoutMs);
        tree.listSchemas(QString());
        if (!waitUntil([&] { return tree.hasSchemas(QString()); }, 60000))
            fail(QStringLiteral("no schemas were listed"));
        tree.showDatabase(QString());
        tree.showSchema(QString(), schema);
        if (!waitUntil([&] { return tree.hasModels(QString(), schema) && tree.pendingWork() == 0; },
                       kTimeoutMs))
            fail(QStringLiteral("the schema's models were never listed"));
        if (tree.models(QString(), schema).size() != kTables)
            fail(QStringLiteral("%1 models listed, not %2")
                     .arg(tree.models(QString(), schema).size())
                     .arg(kTables));
        settle(200);

        // The names are read once the filter is used (its focus, or text); the window may have
        // given it the focus already, so this waits rather than times it.
        tree.filter()->setFocus(Qt::MouseFocusReason);
        if (!waitUntil(
                [&] { return tree.hasFilterNames(QString(), schema) && tree.pendingWork() == 0; },
                kTimeoutMs))
            fail(QStringLiteral("the filter never read the names"));
        settle(200);

        PaintWatch watch(tree);
        QList<double> firsts, stalls;
        for (int run = 0; run < kRuns; ++run) {
            const auto [first, stall] = typeAndMeasure(tree, watch, kNeedle, 4);
            firsts << first;
            stalls << stall;
        }
        std::sort(firsts.begin(), firsts.end());
        std::sort(stalls.begin(), stalls.end());
        report.value(QStringLiteral("first-matches"), firsts.last(), QStringLiteral("ms"));
        report.value(QStringLiteral("stall"), stalls.last(), QStringLiteral("ms"));
        note(QStringLiteral("tree-filter/%1: first-matches median %2 ms, stall median %3 ms "
                            "over %4 runs")
                 .arg(backendName(backend))
                 .arg(firsts[firsts.size() / 2], 0, 'f', 1)
                 .arg(stalls[stalls.size() / 2], 0, 'f', 1)
                 .arg(kRuns));
        const auto [broadFirst, broadStall] =
            typeAndMeasure(tree, watch, QStringLiteral("col_"), ui::TreeFilter::MaxTables);
        report.value(QStringLiteral("stall-broad"), broadStall, QStringLiteral("ms"));
        note(QStringLiteral("tree-filter/%1: \"col_\" (every table): first match painted after "
                            "%2 ms")
                 .arg(backendName(backend))
                 .arg(broadFirst, 0, 'f', 1));
        tree.filter()->clear();
        if (!waitUntil([&] { return tree.pendingWork() == 0 && !tree.isFiltering(); }, 60000))
            fail(QStringLiteral("the tree never settled"));
        strata::test::await(registry.disconnect(), kTimeoutMs);
    } catch (...) {
        cleanUp();
        throw;
    }
    cleanUp();
}

} // namespace

int treeFilterChildMain(int argc, char **argv)
{
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.*.info=false\n"
                                                    "strata.orm.*.debug=false"));
    const QString url = qEnvironmentVariable("STRATA_BENCH_TREE_FILTER_URL");
    const Backend backend =
        qEnvironmentVariable("STRATA_BENCH_TREE_FILTER_CHILD") == backendName(Backend::Postgres)
            ? Backend::Postgres
            : Backend::Sqlite;
    const Report report(QStringLiteral("tree-filter"), backend);
    try {
        childTreeFilter(report, backend, url);
    } catch (const orm::Error &error) {
        note(QStringLiteral("tree-filter/%1: FAILED: %2")
                 .arg(backendName(backend), error.toString()));
        return 1;
    } catch (const std::exception &error) {
        note(QStringLiteral("tree-filter/%1: FAILED: %2")
                 .arg(backendName(backend), QString::fromUtf8(error.what())));
        return 1;
    }
    return 0;
}

void runTreeFilter(const Context &context, Backend backend)
{
    QTemporaryDir dir;
    const QString url = backend == Backend::Postgres
                            ? context.pgUrl
                            : QStringLiteral("sqlite:///") +
                                  QDir(dir.path()).absoluteFilePath(QStringLiteral("filter.db")) +
                                  QStringLiteral("?create=true");
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("STRATA_BENCH_TREE_FILTER_CHILD"), backendName(backend));
    env.insert(QStringLiteral("STRATA_BENCH_TREE_FILTER_URL"), url);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("tree-filter")});
    if (!child.waitForStarted())
        fail(QStringLiteral("cannot start the tree-filter child: %1").arg(child.errorString()));
    child.waitForFinished(kTimeoutMs);
    const QByteArray out = child.readAllStandardOutput();
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
        fail(QStringLiteral("the tree-filter child failed (exit %1)").arg(child.exitCode()));
}

} // namespace strata::bench
