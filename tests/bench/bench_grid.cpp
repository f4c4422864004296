// Scenario "grid": the data grid (ui::GridModel + ui::GridView, offscreen) on a 10,000,000-row
// table, against the same table opened with QSqlTableModel + QTableView.
//
//   first-rows  time from opening the table until the first paint that shows its rows ends
//   jump-end    Ctrl+End until the last rows are loaded and painted
//   stall       the longest gap of a 1 ms timer on the GUI thread while scrolling to 1,000 random
//               positions (each waited for until its rows are shown)
//   rss         resident memory growth from before opening the table to after the scrolling
//   vs qsqltablemodel: first-rows and rss of QSqlTableModel::select() + QTableView (after
//               scrolling its own scroll bar to 1,000 random positions)
//
// The widgets need a QApplication, which strata-bench does not create: each side runs in a child
// process of this program (STRATA_BENCH_GRID_CHILD=ours|qsqltablemodel, QT_QPA_PLATFORM=offscreen),
// which also gives each its own resident-memory baseline. The parent creates the table (PostgreSQL:
// generate_series; SQLite: a recursive CTE in one transaction, in a temporary file), runs both
// children, forwards their figures and prints the ratios.

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/queryset_row_source.h"

#include <QApplication>
#include <QDir>
#include <QEventLoop>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlTableModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <vector>

namespace strata::bench {
namespace {

constexpr int kTimeoutMs = 30 * 60 * 1000;
constexpr int kPositions = 1000;
const QString kTable = QStringLiteral("bench_grid");

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

// The rows the grid view shows are all loaded (and, with `lastId`, the last one is the table's).
bool visibleRowsLoaded(const ui::GridView &view)
{
    const ui::GridModel *model = view.model();
    const qint64 total = model->totalRows();
    if (total <= 0)
        return false;
    const qint64 top = view.topRow();
    const qint64 bottom = std::min(total, top + view.visibleRows()) - 1;
    return model->isRowLoaded(top) && model->isRowLoaded(bottom);
}

bool lastRowsShown(const ui::GridView &view, qint64 rows)
{
    const ui::GridModel *model = view.model();
    const qint64 total = model->totalRows();
    return visibleRowsLoaded(view) && view.topRow() + view.visibleRows() >= total &&
           model->cellText(total - 1, 0) == QString::number(rows);
}

// The median of 21 synchronous repaints of a view's viewport (its rows already loaded): what one
// frame of the grid costs the GUI thread, the delegate's text drawing most of it.
double medianRepaintMs(QWidget *viewport)
{
    std::vector<double> times;
    for (int i = 0; i < 21; ++i) {
        const Stopwatch clock;
        viewport->repaint();
        times.push_back(clock.seconds() * 1e3);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// When the first paint of a viewport that shows loaded rows ended, on `clock` (ms): the moment
// the user sees them. The paint is let through the viewport's own handling (the scroll area's
// filter) and timed around it; a caller whose rows are in but not yet painted repaints.
class FirstRowsPaint final : public QObject {
public:
    FirstRowsPaint(QWidget *viewport, std::function<bool()> rowsShown, const Stopwatch &clock)
        : m_viewport(viewport)
        , m_rowsShown(std::move(rowsShown))
        , m_clock(clock)
    {
        m_viewport->installEventFilter(this);
    }

    // The end of that paint, after a synchronous repaint if none came yet.
    double endedMs()
    {
        if (m_endedMs < 0)
            m_viewport->repaint();
        return m_endedMs;
    }
    // How long that paint took.
    double tookMs() const { return m_tookMs; }
    // The paints before it (of rows not loaded yet), and the time they took.
    int earlierPaints() const { return m_earlierPaints; }
    double earlierMs() const { return m_earlierMs; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched != m_viewport || event->type() != QEvent::Paint || m_endedMs >= 0)
            return false;
        const bool shown = m_rowsShown();
        if (shown)
            m_viewport->removeEventFilter(this);
        const double start = m_clock.seconds() * 1e3;
        QCoreApplication::sendEvent(m_viewport, event);
        const double ended = m_clock.seconds() * 1e3;
        if (!shown) {
            ++m_earlierPaints;
            m_earlierMs += ended - start;
            return true;
        }
        m_endedMs = ended;
        m_tookMs = m_endedMs - start;
        return true;
    }

private:
    QWidget *const m_viewport;
    const std::function<bool()> m_rowsShown;
    const Stopwatch &m_clock;
    double m_endedMs = -1;
    double m_tookMs = 0;
    int m_earlierPaints = 0;
    double m_earlierMs = 0;
};

// -- The children ------------------------------------------------------------------------------

void childOurs(const Report &report, const QString &url, qint64 rows)
{
    orm::Registry registry(url);
    strata::test::await(registry.connect(), kTimeoutMs);
    const QList<orm::Model> models = strata::test::await(registry.reflectedModels(), kTimeoutMs);
    std::optional<orm::Model> found;
    for (const orm::Model &model : models)
        if (model.table == kTable)
            found = model;
    if (!found)
        fail(QStringLiteral("no table %1 reflected").arg(kTable));
    const orm::Model model = strata::test::await(registry.loadFields(*found), kTimeoutMs);

    ui::GridModel gridModel;
    ui::GridView view;
    view.resize(1200, 800);
    view.setModel(&gridModel);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        fail(QStringLiteral("the grid window was never exposed"));
    settle(200);
    const qint64 rss0 = currentRss();

    // first-rows: the source set (as opening a model does) until the rows are painted.
    Stopwatch clock;
    FirstRowsPaint firstPaint(
        view.table()->viewport(), [&] { return visibleRowsLoaded(view); }, clock);
    double sourceSet = 0, rowsIn = 0, painted = 0;
    QObject::connect(&gridModel, &ui::GridModel::rowsLoaded, &gridModel, [&] {
        if (rowsIn == 0)
            rowsIn = clock.seconds() * 1e3;
    });
    gridModel.setSource(
        std::make_shared<ui::QuerySetRowSource>(&registry, registry.database(), QString(), model));
    sourceSet = clock.seconds() * 1e3;
    if (!waitUntil([&] { return visibleRowsLoaded(view); }, 60000))
        fail(QStringLiteral("the first rows never arrived: %1").arg(gridModel.lastError()));
    const double seen = clock.seconds() * 1e3;
    painted = firstPaint.endedMs();
    report.value(QStringLiteral("first-rows"), painted, QStringLiteral("ms"));
    // Where first-rows goes: setSource itself, the page until its rows reach the model, the
    // moment the bench saw them loaded, the end of the paint that showed them.
    note(QStringLiteral("grid: first rows: setSource %1 ms, rows in the model at %2 ms, seen at "
                        "%3 ms, painted at %4 ms (the paint took %5 ms; %6 paints before it took "
                        "%7 ms)")
             .arg(sourceSet, 0, 'f', 1)
             .arg(rowsIn, 0, 'f', 1)
             .arg(seen, 0, 'f', 1)
             .arg(painted, 0, 'f', 1)
             .arg(firstPaint.tookMs(), 0, 'f', 1)
             .arg(firstPaint.earlierPaints())
             .arg(firstPaint.earlierMs(), 0, 'f', 1));

    // jump-end: Ctrl+End on the table, as a user presses it (the count may still be running).
    clock.restart();
    QTest::keyClick(view.table(), Qt::Key_End, Qt::ControlModifier);
    if (!waitUntil([&] { return lastRowsShown(view, rows); }, 60000)) {
        const qint64 total = gridModel.totalRows();
        fail(QStringLiteral("the last rows never showed within 60 s: total %1 (exact %2, counting "
                            "%3), top %4, visible %5, base %6, last row loaded %7 id '%8', "
                            "loading %9, error '%10'")
                 .arg(total)
                 .arg(gridModel.isCountKnown())
                 .arg(gridModel.isCounting())
                 .arg(view.topRow())
                 .arg(view.visibleRows())
                 .arg(gridModel.base())
                 .arg(gridModel.isRowLoaded(total - 1))
                 .arg(gridModel.cellText(total - 1, 0))
                 .arg(gridModel.isLoading())
                 .arg(gridModel.lastError()));
    }
    view.table()->viewport()->repaint();
    const double jumpEnd = clock.seconds() * 1e3;
    note(QStringLiteral("grid: count known: %1").arg(gridModel.isCountKnown()));
    report.value(QStringLiteral("jump-end"), jumpEnd, QStringLiteral("ms"));

    // stall: 1,000 random positions over the whole table, each shown before the next.
    waitUntil([&] { return gridModel.isCountKnown(); }, kTimeoutMs);
    QRandomGenerator random(42);
    StallProbe probe;
    probe.start();
    for (int i = 0; i < kPositions; ++i) {
        const qint64 target = random.bounded(rows);
        view.scrollToRow(target);
        if (!waitUntil([&] { return visibleRowsLoaded(view); }, 20000))
            fail(QStringLiteral("position %1 (row %2, top %3, base %4, loading %5) never loaded")
                     .arg(i)
                     .arg(target)
                     .arg(view.topRow())
                     .arg(gridModel.base())
                     .arg(gridModel.isLoading()) +
                 QStringLiteral(": ") + gridModel.lastError());
    }
    settle(20);
    probe.stop();
    report.value(QStringLiteral("stall"), probe.maxStallMs(), QStringLiteral("ms"));
    report.value(QStringLiteral("rss"), double(currentRss() - rss0) / (1024.0 * 1024.0),
                 QStringLiteral("MB"));
    note(QStringLiteral("grid: longest stall %1 ms, of which the GUI thread ran %2 ms; longest "
                        "GUI-thread run between two ticks %3 ms")
             .arg(probe.maxStallMs(), 0, 'f', 1)
             .arg(probe.maxStallCpuMs(), 0, 'f', 1)
             .arg(probe.maxCpuMs(), 0, 'f', 1));
    note(QStringLiteral("grid: ours: a viewport repaint takes %1 ms (median of 21)")
             .arg(medianRepaintMs(view.table()->viewport()), 0, 'f', 2));
    note(QStringLiteral("grid: ours: %1 pages cached, %2 seeks, %3 evicted")
             .arg(gridModel.cachedPages())
             .arg(gridModel.stats().seek)
             .arg(gridModel.stats().evicted));

    view.setModel(nullptr);
    gridModel.setSource(nullptr);
    strata::test::await(registry.disconnect(true), kTimeoutMs);
}

void childQSqlTableModel(const Report &report, Backend backend, const QString &url)
{
    const QString reference = QStringLiteral("qsqltablemodel");
    const QString connection = QStringLiteral("strata-bench-grid");
    {
        QSqlDatabase db;
        const orm::DatabaseUrl parsed = orm::DatabaseUrl::parse(url);
        if (backend == Backend::Postgres) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(parsed.host().isEmpty() ? QStringLiteral("127.0.0.1") : parsed.host());
            if (parsed.port())
                db.setPort(parsed.port());
            db.setUserName(parsed.user());
            db.setPassword(parsed.password());
            db.setDatabaseName(parsed.databaseName());
        } else {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(parsed.path());
        }
        if (!db.open())
            fail(QStringLiteral("%1 open: %2").arg(db.driverName(), db.lastError().text()));

        QTableView view;
        view.resize(1200, 800);
        view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view.show();
        if (!QTest::qWaitForWindowExposed(&view))
            fail(QStringLiteral("the table window was never exposed"));
        settle(200);
        const qint64 rss0 = currentRss();

        Stopwatch clock;
        auto *model = new QSqlTableModel(&view, db);
        FirstRowsPaint firstPaint(
            view.viewport(), [&] { return view.model() == model && model->rowCount() > 0; }, clock);
        model->setTable(kTable);
        model->setEditStrategy(QSqlTableModel::OnManualSubmit);
        if (!model->select())
            fail(QStringLiteral("select: %1").arg(model->lastError().text()));
        const double selected = clock.seconds() * 1e3;
        view.setModel(model);
        if (!waitUntil([&] { return model->rowCount() > 0; }, kTimeoutMs))
            fail(QStringLiteral("QSqlTableModel showed no rows"));
        const double seen = clock.seconds() * 1e3;
        const double painted = firstPaint.endedMs();
        note(QStringLiteral("grid: qsqltablemodel first rows: select() %1 ms, seen at %2 ms, "
                            "painted at %3 ms (the paint took %4 ms; %5 paints before it took "
                            "%6 ms)")
                 .arg(selected, 0, 'f', 1)
                 .arg(seen, 0, 'f', 1)
                 .arg(painted, 0, 'f', 1)
                 .arg(firstPaint.tookMs(), 0, 'f', 1)
                 .arg(firstPaint.earlierPaints())
                 .arg(firstPaint.earlierMs(), 0, 'f', 1));
        report.reference(QStringLiteral("first-rows"), reference, painted, QStringLiteral("ms"));

        // The same number of random positions, within what its own scroll bar reaches.
        QRandomGenerator random(42);
        QScrollBar *bar = view.verticalScrollBar();
        for (int i = 0; i < kPositions; ++i) {
            bar->setValue(int(random.bounded(qint64(bar->maximum()) + 1)));
            QCoreApplication::processEvents();
        }
        settle(20);
        note(QStringLiteral("grid: qsqltablemodel: rowCount %1 after scrolling")
                 .arg(model->rowCount()));
        note(QStringLiteral("grid: qsqltablemodel: a viewport repaint takes %1 ms (median of 21)")
                 .arg(medianRepaintMs(view.viewport()), 0, 'f', 2));
        report.reference(QStringLiteral("rss"), reference,
                         double(currentRss() - rss0) / (1024.0 * 1024.0), QStringLiteral("MB"));
        view.setModel(nullptr);
        delete model;
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
}

// -- The parent --------------------------------------------------------------------------------

void createTable(const QString &url, Backend backend, qint64 rows)
{
    orm::Database db(url);
    strata::test::await(db.connect(), kTimeoutMs);
    const Stopwatch clock;
    if (backend == Backend::Postgres) {
        strata::test::await(db.executeScript(QStringLiteral("DROP TABLE IF EXISTS %1").arg(kTable)),
                            kTimeoutMs);
        strata::test::await(
            db.executeScript(
                QStringLiteral(
                    "CREATE UNLOGGED TABLE %1 (id bigint NOT NULL, name text, amount "
                    "numeric(12,2), created timestamptz, flag boolean);"
                    "INSERT INTO %1 SELECT g, 'name-' || g, (g % 100000) / 100.0, "
                    "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g % 2 = 0 "
                    "FROM generate_series(1, %2) g;"
                    "ALTER TABLE %1 ADD PRIMARY KEY (id);")
                    .arg(kTable)
                    .arg(rows)),
            kTimeoutMs);
        strata::test::await(db.execute(QStringLiteral("VACUUM ANALYZE %1").arg(kTable)),
                            kTimeoutMs);
    } else {
        strata::test::await(
            db.executeScript(
                QStringLiteral(
                    "BEGIN;"
                    "CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT, amount REAL, created "
                    "TEXT, flag INTEGER);"
                    "INSERT INTO %1 WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                    "FROM c WHERE x < %2) SELECT x, 'name-' || x, (x % 100000) / 100.0, "
                    "'2024-01-01 00:00:' || (x % 60), x % 2 FROM c;"
                    "COMMIT;")
                    .arg(kTable)
                    .arg(rows)),
            kTimeoutMs);
    }
    note(QStringLiteral("grid: %1 rows created in %2 s")
             .arg(count(rows))
             .arg(clock.seconds(), 0, 'f', 1));
    strata::test::await(db.disconnect(), kTimeoutMs);
}

void dropTable(const QString &url)
{
    orm::Database db(url);
    strata::test::await(db.execute(QStringLiteral("DROP TABLE IF EXISTS %1").arg(kTable)),
                        kTimeoutMs);
}

// Runs one side in a child process; forwards its figures and returns them by metric.
QMap<QString, double> runChild(const QString &mode, Backend backend, const QString &url,
                               qint64 rows)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("STRATA_BENCH_GRID_CHILD"), mode);
    env.insert(QStringLiteral("STRATA_BENCH_GRID_URL"), url);
    env.insert(QStringLiteral("STRATA_BENCH_GRID_BACKEND"), backendName(backend));
    env.insert(QStringLiteral("STRATA_BENCH_GRID_ROWS"), QString::number(rows));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("grid")});
    if (!child.waitForStarted())
        fail(QStringLiteral("cannot start the %1 child: %2").arg(mode, child.errorString()));
    child.waitForFinished(kTimeoutMs);
    const QByteArray out = child.readAllStandardOutput();
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    std::fflush(stdout);
    if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
        fail(QStringLiteral("the %1 child failed (exit %2)").arg(mode).arg(child.exitCode()));
    QMap<QString, double> figures;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.contains(QLatin1String("value")))
            figures.insert(object.value(QLatin1String("metric")).toString(),
                           object.value(QLatin1String("value")).toDouble());
    }
    return figures;
}

} // namespace

int gridChildMain(int argc, char **argv)
{
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.*.info=false\n"
                                                    "strata.orm.*.debug=false"));
    const QString mode = qEnvironmentVariable("STRATA_BENCH_GRID_CHILD");
    const QString url = qEnvironmentVariable("STRATA_BENCH_GRID_URL");
    const Backend backend =
        qEnvironmentVariable("STRATA_BENCH_GRID_BACKEND") == backendName(Backend::Postgres)
            ? Backend::Postgres
            : Backend::Sqlite;
    const qint64 rows = qEnvironmentVariable("STRATA_BENCH_GRID_ROWS").toLongLong();
    const Report report(QStringLiteral("grid"), backend);
    try {
        if (mode == QLatin1String("ours"))
            childOurs(report, url, rows);
        else
            childQSqlTableModel(report, backend, url);
    } catch (const orm::Error &error) {
        note(QStringLiteral("grid/%1 (%2): FAILED: %3")
                 .arg(backendName(backend), mode, error.toString()));
        return 1;
    } catch (const std::exception &error) {
        note(QStringLiteral("grid/%1 (%2): FAILED: %3")
                 .arg(backendName(backend), mode, QString::fromUtf8(error.what())));
        return 1;
    }
    return 0;
}

void runGrid(const Context &context, Backend backend)
{
    const Report report(QStringLiteral("grid"), backend);
    const qint64 rows = context.rows(10'000'000);
    QTemporaryDir dir;
    const QString url = backend == Backend::Postgres
                            ? context.pgUrl
                            : QStringLiteral("sqlite:///") +
                                  QDir(dir.path()).absoluteFilePath(QStringLiteral("grid.db")) +
                                  QStringLiteral("?create=true");
    createTable(url, backend, rows);
    try {
        const QMap<QString, double> ours = runChild(QStringLiteral("ours"), backend, url, rows);
        const QMap<QString, double> theirs =
            runChild(QStringLiteral("qsqltablemodel"), backend, url, rows);
        for (const QString &metric : {QStringLiteral("first-rows"), QStringLiteral("rss")})
            if (ours.contains(metric) && theirs.contains(metric))
                report.ratio(metric, QStringLiteral("qsqltablemodel"), ours.value(metric),
                             theirs.value(metric));
    } catch (...) {
        if (backend == Backend::Postgres)
            dropTable(url);
        throw;
    }
    if (backend == Backend::Postgres)
        dropTable(url);
}

} // namespace strata::bench
