// The console pane on real databases (offscreen): runs, splitting in the editor, cancel, errors,
// schemas, read-only mode, history and tabs across restarts, export.
#include "await.h"
#include "backends.h"

#include "orm/console_session.h"
#include "orm/error.h"
#include "orm/registry.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/plot_view.h"
#include "ui/console/result_view.h"
#include "ui/console/sql_editor.h"
#include "ui/grid_model.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

using namespace strata;

class TestConsole : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Registry> m_registry;
    QString m_backend;

    bool isPg() const { return m_backend == QLatin1String("postgres"); }
    orm::Database *db() const { return m_registry->database(); }

    std::unique_ptr<ui::ConsoleTab> newTab()
    {
        auto tab = std::make_unique<ui::ConsoleTab>();
        tab->setTarget(db(), {});
        tab->resize(900, 600);
        tab->show();
        return tab;
    }
    QString cell(ui::ResultView *view, qint64 row, int column)
    {
        return view->model()->cellText(row, column);
    }
    bool waitShown(ui::ResultView *view)
    {
        QElapsedTimer t;
        t.start();
        while (!view->model()->isRowLoaded(0) && t.elapsed() < 10000)
            QTest::qWait(10);
        return view->model()->isRowLoaded(0);
    }

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        STRATA_BACKEND_URL(url);
        m_backend = backend;
        m_registry = std::make_unique<orm::Registry>(url);
        test::await(m_registry->connect());
    }
    void cleanup()
    {
        // The tab is gone: let the resumptions it left queued (a stream's waiters) run now, as
        // the application's event loop would, rather than never.
        QTest::qWait(100);
        if (m_registry)
            test::await(m_registry->disconnect(true));
        m_registry.reset();
    }

    void runQuery()
    {
        auto tab = newTab();
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1 AS a, 'x' AS b UNION ALL "
                                                    "SELECT 2, 'y'"),
                                     0)));
        QCOMPARE(tab->resultCount(), 1);
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QCOMPARE(view->model()->columnCount(), 2);
        QCOMPARE(cell(view, 0, 0), QStringLiteral("1"));
        QCOMPARE(cell(view, 1, 1), QStringLiteral("y"));
        QTRY_COMPARE(view->model()->totalRows(), 2);
        QVERIFY(tab->messages().contains(QStringLiteral("first rows in")));
    }

    void runSelectionAndStatementUnderCursor()
    {
        auto tab = newTab();
        const QString text =
            QStringLiteral("SELECT 1 AS a;\nSELECT 2 AS b;\nSELECT 3 AS c, 'semi;colon' AS d;");
        tab->setText(text);
        const int second = int(text.indexOf(QStringLiteral("SELECT 2")));
        tab->editor()->selectRange(second, second + 13);
        QSignalSpy finished(tab.get(), &ui::ConsoleTab::runFinished);
        tab->runSelection();
        QVERIFY(finished.wait(10000));
        QCOMPARE(tab->resultCount(), 1);
        QCOMPARE(tab->result(0)->model()->headerData(0, Qt::Horizontal).toString(),
                 QStringLiteral("b"));

        tab->editor()->setCursorIndex(int(text.indexOf(QStringLiteral("semi"))));
        QTest::keyClick(tab->editor(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 10000);
        QCOMPARE(tab->resultCount(), 1);
        QCOMPARE(tab->result(0)->model()->headerData(0, Qt::Horizontal).toString(),
                 QStringLiteral("c"));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 1), QStringLiteral("semi;colon"));
    }

    void scriptGivesTabs()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_script"));
        const QString script = QStringLiteral("CREATE TABLE %1 (n integer);\n"
                                              "INSERT INTO %1 VALUES (1), (2), (3);\n"
                                              "SELECT n FROM %1 ORDER BY n;\n"
                                              "SELECT count(*) AS total FROM %1;\n"
                                              "DROP TABLE %1;")
                                   .arg(table);
        QVERIFY(test::await(tab->run(script, 0)));
        QCOMPARE(tab->resultCount(), 2);
        QVERIFY(waitShown(tab->result(0)));
        QTRY_COMPARE(tab->result(0)->model()->totalRows(), 3);
        QCOMPARE(cell(tab->result(1), 0, 0), QStringLiteral("3"));
        QVERIFY2(tab->messages().contains(QStringLiteral("3 row(s) affected")),
                 qPrintable(tab->messages()));
    }

    void cancelStopsTheQuery()
    {
        auto tab = newTab();
        const QString slow =
            isPg() ? QStringLiteral("SELECT pg_sleep(30)")
                   : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                    "FROM c) SELECT count(*) FROM c");
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0))); // connected
        QSignalSpy finished(tab.get(), &ui::ConsoleTab::runFinished);
        tab->setText(slow);
        tab->runAll();
        QTest::qWait(300);
        QVERIFY(tab->isRunning());
        QElapsedTimer timer;
        timer.start();
        QTest::keyClick(tab->editor(), Qt::Key_Escape);
        QVERIFY(finished.wait(5000));
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(tab->messages().contains(QStringLiteral("Cancelled")));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 42 AS answer"), 0)));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("42"));
    }

    void errorMarksPosition()
    {
        auto tab = newTab();
        const QString text =
            QStringLiteral("SELECT 1;\nSELECT nosuchcolumn FROM (SELECT 1 AS x) s;");
        tab->setText(text);
        QVERIFY(!test::await(tab->run(text, 0)));
        QCOMPARE(tab->editor()->errorIndex(), int(text.indexOf(QStringLiteral("nosuchcolumn"))));
        QVERIFY(tab->messages().contains(QStringLiteral("nosuchcolumn")));
        if (isPg())
            QVERIFY(tab->messages().contains(QStringLiteral("SQLSTATE 42703")));
        else
            QVERIFY(tab->messages().contains(QStringLiteral("SQLSTATE SQLITE_ERROR")));
        QCOMPARE(tab->resultCount(), 1); // the first statement's result stays
    }

    void activeSchemaIsQueriedAndDoesNotLeak()
    {
        QString schema;
        const QString table = test::uniqueName(QStringLiteral("console_where"));
        QTemporaryDir dir;
        if (isPg()) {
            schema = test::uniqueName(QStringLiteral("console_schema"));
            test::await(
                db()->executeScript(QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.%2 (v text); "
                                                   "INSERT INTO %1.%2 VALUES ('tenant')")
                                        .arg(schema, table)));
        } else {
            schema = QStringLiteral("other");
            const QString path = dir.filePath(QStringLiteral("other.db"));
            orm::Database other(QStringLiteral("sqlite:///%1?create=true").arg(path));
            test::await(other.executeScript(
                QStringLiteral("CREATE TABLE %1 (v text); INSERT INTO %1 VALUES ('tenant')")
                    .arg(table)));
            test::await(db()->executeScript(
                QStringLiteral("CREATE TABLE %1 (v text); INSERT INTO %1 VALUES ('main')")
                    .arg(table)));
            db()->attach(schema, path);
        }
        auto tab = newTab();
        tab->setTarget(db(), schema);
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT v FROM %1").arg(table), 0)));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("tenant"));
        if (isPg()) {
            const orm::Result path = test::await(db()->execute(QStringLiteral("SHOW search_path")));
            QVERIFY2(!path.text(0, 0).contains(schema), qPrintable(path.text(0, 0)));
            test::await(db()->executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schema)));
        } else {
            const orm::Result rows =
                test::await(db()->execute(QStringLiteral("SELECT v FROM %1").arg(table)));
            QCOMPARE(rows.text(0, 0), QStringLiteral("main"));
        }
    }

    void readOnlyRefusesWrites()
    {
        auto tab = newTab();
        tab->setReadOnly(true);
        const QString table = test::uniqueName(QStringLiteral("console_ro"));
        QVERIFY(
            !test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        QVERIFY2(tab->messages().contains(QStringLiteral("read-only")),
                 qPrintable(tab->messages()));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
        tab->setReadOnly(false);
        QVERIFY(test::await(
            tab->run(QStringLiteral("CREATE TABLE %1 (n integer); DROP TABLE %1").arg(table), 0)));
    }

    void manualTransaction()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_tx"));
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        tab->setManualTransactions(true);
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table), 0)));
        QVERIFY(tab->session()->isTransactionOpen());
        tab->rollback();
        QTRY_VERIFY(!tab->session()->isTransactionOpen());
        const orm::Result rows =
            test::await(db()->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("0"));
        tab->setManualTransactions(false);
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    void historyAndTabsSurviveRestart()
    {
        const QString marker = test::uniqueName(QStringLiteral("history"));
        {
            ui::ConsolePane pane(m_registry.get());
            while (pane.tabCount() > 1)
                pane.closeTab(1);
            pane.tab(0)->setText(QStringLiteral("SELECT 1 AS first_tab"));
            ui::ConsoleTab *second = pane.addTab(QStringLiteral("SELECT 2 AS second_tab"));
            QVERIFY(test::await(second->run(QStringLiteral("SELECT '%1' AS m").arg(marker), 0)));
            QVERIFY(!test::await(
                second->run(QStringLiteral("ALTER USER nobody PASSWORD 'secret123'"), 0)));
        }
        ui::ConsolePane pane(m_registry.get());
        QCOMPARE(pane.tabCount(), 2);
        QCOMPARE(pane.tab(0)->text(), QStringLiteral("SELECT 1 AS first_tab"));
        QCOMPARE(pane.tab(1)->text(), QStringLiteral("SELECT 2 AS second_tab"));
        pane.historySearch()->setText(marker);
        QCOMPARE(pane.historyList()->count(), 1);
        QVERIFY(pane.historyList()->item(0)->text().contains(marker));
        const QList<ui::HistoryEntry> all = pane.tab(0)->history()->entries();
        QVERIFY(!all.isEmpty());
        QVERIFY(!all.first().ok);
        QVERIFY(!all.first().sql.contains(QStringLiteral("secret123")));
        QFile file(pane.tab(0)->history()->filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray stored = file.readAll();
        QVERIFY(!stored.contains("secret123"));
        if (!m_registry->database()->url().password().isEmpty())
            QVERIFY(!stored.contains(m_registry->database()->url().password().toUtf8()));
    }

    void exportWritesExactlyTheRows()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g AS n, 'v,' || g AS s, NULL::text AS z "
                                    "FROM generate_series(1, 20000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 20000) SELECT n, 'v,' || n AS s, NULL AS z "
                                    "FROM g");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QVERIFY(!view->stream()->isFinished()); // lazily read so far
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY(test::await(view->exportTo(csv)));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 20002); // header, rows, the empty piece after the last newline
        QCOMPARE(lines[0], QByteArray("n,s,z\r"));
        QCOMPARE(lines[1], QByteArray("1,\"v,1\",\r"));
        QCOMPARE(lines[20000], QByteArray("20000,\"v,20000\",\r"));
        const QString json = dir.filePath(QStringLiteral("out.json"));
        QVERIFY(test::await(view->exportTo(json)));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray array = QJsonDocument::fromJson(jf.readAll()).array();
        QCOMPARE(array.size(), 20000);
        QCOMPARE(array.last().toObject().value(QStringLiteral("n")).toInt(), 20000);
        QVERIFY(array.first().toObject().value(QStringLiteral("z")).isNull());
        QTRY_COMPARE(view->model()->totalRows(), 20000);

        ui::PlotView *plot = view->plot();
        plot->setXColumn(0);
        plot->setYColumns({0});
        test::await(plot->replot());
        QCOMPARE(plot->seriesCount(), 1);
        QCOMPARE(plot->pointCount(0), ui::PlotView::kMaxPoints);
    }

    void largeResultStaysLazy()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g FROM generate_series(1, 10000000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 10000000) SELECT n FROM g");
        QElapsedTimer timer;
        timer.start();
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QVERIFY(timer.elapsed() < 5000);
        QVERIFY(view->stream()->rowsRead() < 20000);
        QCOMPARE(cell(view, 0, 0), QStringLiteral("1"));
        // A second run ends the stream at once, without reading it.
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
    }
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
