// The console pane on real databases (offscreen): runs, splitting in the editor, cancel, errors,
// schemas, read-only mode, transactions (failed ones too), history and tabs across restarts,
// re-running and searching history, completion, copying cells, export and plots.
#include "await.h"
#include "backends.h"
#include "message_box_answerer.h"

#include "orm/core/error.h"
#include "orm/registry/registry.h"
#include "orm/session/console_session.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/plot_view.h"
#include "ui/console/result_view.h"
#include "ui/console/sql_editor.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"

#include <Qsci/qsciabstractapis.h>
#include <Qsci/qscilexer.h>

#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>

#include <memory>

using namespace strata;
using test::MessageBoxAnswerer;

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
    using TxState = orm::ConsoleSession::TransactionState;
    static TxState txState(ui::ConsoleTab *tab)
    {
        return tab->session() ? tab->session()->transactionState() : TxState::None;
    }
    static QLabel *stateLabel(ui::ConsoleTab *tab)
    {
        return tab->findChild<QLabel *>(QStringLiteral("transactionState"));
    }
    static QAction *action(ui::ConsoleTab *tab, const char *name)
    {
        return tab->findChild<QAction *>(QLatin1String(name));
    }
    // Clicks the action's button on the tab's toolbar, as the user does.
    static bool clickToolButton(ui::ConsoleTab *tab, QAction *action)
    {
        auto *bar = tab->findChild<QToolBar *>();
        QWidget *button = bar && action ? bar->widgetForAction(action) : nullptr;
        if (!button || !button->isVisible())
            return false;
        QTest::mouseClick(button, Qt::LeftButton);
        return true;
    }
    // Rows in `table`, as another connection sees them (what was committed).
    QString committedRows(const QString &table)
    {
        const orm::Result rows =
            test::await(db()->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        return rows.text(0, 0);
    }
    static QString lastMessage(ui::ConsoleTab *tab)
    {
        return tab->messages().section(QLatin1Char('\n'), -1);
    }
    // Rows 1..5 as x, x², 10 - x and the text 'c<x>' (a label).
    QString fiveRows() const
    {
        return isPg() ? QStringLiteral("SELECT g AS x, g * g AS square, 10 - g AS down, "
                                       "'c' || g AS label FROM generate_series(1, 5) g ORDER BY g")
                      : QStringLiteral("WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM g WHERE x < 5) SELECT x, x * x AS square, "
                                       "10 - x AS down, 'c' || x AS label FROM g ORDER BY x");
    }
    static QList<QPointF> pointsOf(QAbstractSeries *series)
    {
        auto *xy = qobject_cast<QXYSeries *>(series);
        return xy ? xy->points() : QList<QPointF>();
    }
    // Starts an export without waiting for it (as the Export button does).
    static QCoro::Task<> exportInBackground(ui::ResultView *view, QString path)
    {
        co_await view->exportTo(path);
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
        // Counted, not wait()ed for: on a loaded machine the worker can finish every step before
        // the GUI thread looks, and the run then ends within runSelection().
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
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
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
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

    void readOnlyHoldsAfterARollback()
    {
        // Read-only turned on inside a transaction stays on once the transaction rolls back
        // (PostgreSQL undoes a SET made in a transaction that rolls back).
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_ro_tx"));
        tab->setManualTransactions(true);
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        tab->setReadOnly(true);
        QTRY_VERIFY(!tab->session()->isBusy());
        QVERIFY(tab->session()->isReadOnly());
        tab->rollback();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        QTRY_VERIFY(!tab->session()->isBusy());
        QVERIFY(
            !test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        QVERIFY2(tab->messages().contains(QStringLiteral("this console is read-only")),
                 qPrintable(tab->messages()));
        tab->rollback();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        tab->setManualTransactions(false);
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

    void failedTransactionIsShown()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_failed"));
        QVERIFY(test::await(
            tab->run(QStringLiteral("CREATE TABLE %1 (n integer PRIMARY KEY)").arg(table), 0)));
        QLabel *label = stateLabel(tab.get());
        QAction *commit = action(tab.get(), "commitAction");
        QAction *rollback = action(tab.get(), "rollbackAction");
        QVERIFY(label && commit && rollback);
        QCOMPARE(txState(tab.get()), TxState::None);
        QVERIFY(!commit->isEnabled());
        QVERIFY(!rollback->isEnabled());

        tab->setManualTransactions(true);
        const QString insertOne = QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table);
        QVERIFY(test::await(tab->run(insertOne, 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        QVERIFY2(label->text().contains(QStringLiteral("transaction open")),
                 qPrintable(label->text()));
        const QString openStyle = label->styleSheet();
        QVERIFY(commit->isEnabled());
        QVERIFY(rollback->isEnabled());
        QCOMPARE(commit->text(), QStringLiteral("Commit"));

        // The same key again: an error inside the transaction.
        QVERIFY(!test::await(tab->run(insertOne, 0)));
        QVERIFY(!tab->lastErrorState().isEmpty());
        if (isPg()) {
            QCOMPARE(tab->lastErrorState(), QStringLiteral("23505"));
            QCOMPARE(txState(tab.get()), TxState::Failed);
            QVERIFY(tab->session()->isTransactionOpen()); // still one to end
            QVERIFY2(label->text().contains(QStringLiteral("transaction failed — roll back")),
                     qPrintable(label->text()));
            QVERIFY(!label->text().contains(QStringLiteral("transaction open")));
            QVERIFY(!label->styleSheet().isEmpty());
            QVERIFY(label->styleSheet() != openStyle);
            QVERIFY(rollback->isEnabled());
            QVERIFY(commit->isEnabled());
            QCOMPARE(commit->text(), QStringLiteral("Commit (rolls back)"));
            QVERIFY2(commit->toolTip().contains(QStringLiteral("rolls it back")),
                     qPrintable(commit->toolTip()));
            QVERIFY2(tab->messages().contains(QStringLiteral("Roll back to go on")),
                     qPrintable(tab->messages()));

            // The server refuses everything until the transaction ends; the state stays.
            QVERIFY(!test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
            QCOMPARE(tab->lastErrorState(), QStringLiteral("25P02"));
            QCOMPARE(txState(tab.get()), TxState::Failed);

            tab->rollback();
            QTRY_COMPARE(txState(tab.get()), TxState::None);
            QTRY_VERIFY(!rollback->isEnabled());
            QVERIFY(!commit->isEnabled());
            QCOMPARE(commit->text(), QStringLiteral("Commit"));
            QVERIFY2(label->text().contains(QStringLiteral("manual")), qPrintable(label->text()));
            QVERIFY(label->styleSheet().isEmpty());

            // The next query works, in a new transaction; the failed one left nothing behind.
            QVERIFY(test::await(
                tab->run(QStringLiteral("SELECT count(*) AS n FROM %1").arg(table), 0)));
            QVERIFY(waitShown(tab->result(0)));
            QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("0"));
            QCOMPARE(txState(tab.get()), TxState::Open);

            // Commit of a failed transaction: the server rolls it back, and the console says so.
            QVERIFY(test::await(tab->run(insertOne, 0)));
            QVERIFY(!test::await(tab->run(QStringLiteral("SELECT 1 / 0 FROM %1").arg(table), 0)));
            QCOMPARE(txState(tab.get()), TxState::Failed);
            tab->commit();
            QTRY_COMPARE(txState(tab.get()), TxState::None);
            QTRY_VERIFY(tab->messages().contains(QStringLiteral("rolled it back instead")));
        } else {
            // SQLite has no failed state: the statement failed, the transaction stays open and
            // keeps the first row.
            QCOMPARE(tab->lastErrorState(), QStringLiteral("SQLITE_CONSTRAINT_PRIMARYKEY"));
            QCOMPARE(txState(tab.get()), TxState::Open);
            QVERIFY(label->text().contains(QStringLiteral("transaction open")));
            QVERIFY(!label->text().contains(QStringLiteral("failed")));
            QCOMPARE(commit->text(), QStringLiteral("Commit"));
            QVERIFY(test::await(
                tab->run(QStringLiteral("SELECT count(*) AS n FROM %1").arg(table), 0)));
            QVERIFY(waitShown(tab->result(0)));
            QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("1"));
            QCOMPARE(txState(tab.get()), TxState::Open);

            // An error that SQLite answers with a rollback ends the transaction.
            QVERIFY(!test::await(
                tab->run(QStringLiteral("INSERT OR ROLLBACK INTO %1 VALUES (1)").arg(table), 0)));
            QCOMPARE(txState(tab.get()), TxState::None);
            QVERIFY2(label->text().contains(QStringLiteral("manual")), qPrintable(label->text()));
            QVERIFY(!rollback->isEnabled());
        }
        const orm::Result rows =
            test::await(db()->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("0"));
        tab->setManualTransactions(false);
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::None);
    }

    // Turning manual transactions off with a transaction open asks how to end it: Commit keeps
    // the rows, Roll back drops them, and both switch to autocommit; Cancel keeps manual mode and
    // the transaction. With no transaction open it switches without asking.
    void leavingManualModeEndsTheTransaction_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("kept"); // rows committed once the question is answered
        QTest::newRow("commit") << QStringLiteral("commitTransactionButton") << QStringLiteral("1");
        QTest::newRow("roll back")
            << QStringLiteral("rollbackTransactionButton") << QStringLiteral("0");
        QTest::newRow("cancel") << QStringLiteral("cancelSwitchButton") << QStringLiteral("0");
    }
    void leavingManualModeEndsTheTransaction()
    {
        QFETCH(QString, answer);
        QFETCH(QString, kept);
        const bool cancel = answer == QLatin1String("cancelSwitchButton");
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_leave"));
        QAction *manual = action(tab.get(), "manualTransactionAction");
        QLabel *label = stateLabel(tab.get());
        QVERIFY(manual && label);
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        QVERIFY(clickToolButton(tab.get(), manual));
        QVERIFY(manual->isChecked());
        QVERIFY(!tab->session()->isAutocommit());
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);

        {
            MessageBoxAnswerer answerer(answer);
            QVERIFY(clickToolButton(tab.get(), manual));
            QTRY_COMPARE(answerer.seen, 1);
            QVERIFY2(answerer.text.contains(QStringLiteral("A transaction is open")),
                     qPrintable(answerer.text));
            QVERIFY2(answerer.buttons.contains(QStringLiteral("commitTransactionButton")) &&
                         answerer.buttons.contains(QStringLiteral("rollbackTransactionButton")) &&
                         answerer.buttons.contains(QStringLiteral("cancelSwitchButton")),
                     qPrintable(answerer.buttons.join(u' ')));
        }
        QTRY_VERIFY(!tab->findChild<QMessageBox *>());
        QTRY_VERIFY(!tab->session()->isBusy());
        if (cancel) {
            QVERIFY(manual->isChecked());
            QVERIFY(!tab->session()->isAutocommit());
            QCOMPARE(txState(tab.get()), TxState::Open);
            QVERIFY2(label->text().contains(QStringLiteral("transaction open")),
                     qPrintable(label->text()));
            QCOMPARE(committedRows(table), QStringLiteral("0"));
            // The transaction goes on: a second row joins it, and Commit ends it with both.
            QVERIFY(
                test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table), 0)));
            QCOMPARE(txState(tab.get()), TxState::Open);
            tab->commit();
            QTRY_COMPARE(txState(tab.get()), TxState::None);
            QTRY_VERIFY(!tab->session()->isBusy());
            QCOMPARE(committedRows(table), QStringLiteral("2"));
            kept = QStringLiteral("2");
            // No transaction open now: the switch asks nothing (the box would be open by now).
            QVERIFY(clickToolButton(tab.get(), manual));
            QVERIFY(!tab->findChild<QMessageBox *>());
        } else {
            QTRY_VERIFY(tab->session()->isAutocommit());
            QCOMPARE(txState(tab.get()), TxState::None);
            QCOMPARE(committedRows(table), kept);
            const QString said = answer == QLatin1String("commitTransactionButton")
                                     ? QStringLiteral("Committed; autocommit is on")
                                     : QStringLiteral("Rolled back; autocommit is on");
            QVERIFY2(tab->messages().contains(said), qPrintable(tab->messages()));
        }
        QVERIFY(!manual->isChecked());
        QVERIFY(tab->session()->isAutocommit());
        QVERIFY2(label->text().contains(QStringLiteral("autocommit")), qPrintable(label->text()));

        // Autocommit from here on: the next row is committed at once, no transaction left open.
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (3)").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::None);
        QCOMPARE(committedRows(table), QString::number(kept.toInt() + 1));
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    // A failed PostgreSQL transaction cannot be committed: the question offers Roll back and
    // Cancel only, and says why.
    void leavingManualModeWithAFailedTransaction()
    {
        if (!isPg())
            QSKIP("SQLite has no failed transaction state: an error leaves the transaction open");
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_leave_failed"));
        QAction *manual = action(tab.get(), "manualTransactionAction");
        QVERIFY(manual);
        QVERIFY(test::await(
            tab->run(QStringLiteral("CREATE TABLE %1 (n integer PRIMARY KEY)").arg(table), 0)));
        QVERIFY(clickToolButton(tab.get(), manual));
        const QString insertOne = QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table);
        QVERIFY(test::await(tab->run(insertOne, 0)));
        QVERIFY(!test::await(tab->run(insertOne, 0)));
        QCOMPARE(txState(tab.get()), TxState::Failed);

        {
            // Escape is Cancel: manual mode and the failed transaction stay.
            MessageBoxAnswerer answerer(QString{});
            QVERIFY(clickToolButton(tab.get(), manual));
            QTRY_COMPARE(answerer.seen, 1);
            QVERIFY2(!answerer.buttons.contains(QStringLiteral("commitTransactionButton")) &&
                         answerer.buttons.contains(QStringLiteral("rollbackTransactionButton")) &&
                         answerer.buttons.contains(QStringLiteral("cancelSwitchButton")),
                     qPrintable(answerer.buttons.join(u' ')));
            QVERIFY2(answerer.text.contains(QStringLiteral("transaction failed")) &&
                         answerer.text.contains(QStringLiteral("can only be rolled back")),
                     qPrintable(answerer.text));
        }
        QTRY_VERIFY(!tab->findChild<QMessageBox *>());
        QVERIFY(manual->isChecked());
        QVERIFY(!tab->session()->isAutocommit());
        QCOMPARE(txState(tab.get()), TxState::Failed);

        {
            MessageBoxAnswerer answerer(QStringLiteral("rollbackTransactionButton"));
            QVERIFY(clickToolButton(tab.get(), manual));
            QTRY_COMPARE(answerer.seen, 1);
        }
        QTRY_VERIFY(tab->session()->isAutocommit());
        QTRY_VERIFY(!tab->session()->isBusy());
        QCOMPARE(txState(tab.get()), TxState::None);
        QVERIFY(!manual->isChecked());
        QVERIFY2(tab->messages().contains(QStringLiteral("Rolled back; autocommit is on")),
                 qPrintable(tab->messages()));
        QCOMPARE(committedRows(table), QStringLiteral("0"));
        QVERIFY(test::await(tab->run(insertOne, 0)));
        QCOMPARE(txState(tab.get()), TxState::None);
        QCOMPARE(committedRows(table), QStringLiteral("1"));
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    // Read-only turned on with a transaction open holds in that transaction at once: its next
    // write is refused (PostgreSQL: SET transaction_read_only; SQLite: query_only).
    void readOnlyAppliesToTheOpenTransaction()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_ro_open"));
        QAction *readOnly = action(tab.get(), "readOnlyAction");
        QVERIFY(readOnly);
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        tab->setManualTransactions(true);
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);

        QVERIFY(clickToolButton(tab.get(), readOnly));
        QVERIFY(readOnly->isChecked());
        QTRY_VERIFY2(lastMessage(tab.get()).contains(QStringLiteral("in the open transaction too")),
                     qPrintable(tab->messages()));
        QTRY_VERIFY(!tab->session()->isBusy());
        QCOMPARE(txState(tab.get()), TxState::Open);
        if (isPg()) {
            QVERIFY(test::await(tab->run(QStringLiteral("SHOW transaction_read_only"), 0)));
            QVERIFY(waitShown(tab->result(0)));
            QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("on"));
        }
        QVERIFY(!test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table), 0)));
        if (isPg()) {
            QCOMPARE(tab->lastErrorState(), QStringLiteral("25006"));
            QCOMPARE(txState(tab.get()), TxState::Failed);
        } else {
            QVERIFY2(tab->lastErrorState().startsWith(QLatin1String("SQLITE_READONLY")),
                     qPrintable(tab->lastErrorState()));
            QCOMPARE(txState(tab.get()), TxState::Open);
        }
        QVERIFY2(tab->messages().contains(QStringLiteral("this console is read-only")),
                 qPrintable(tab->messages()));
        tab->rollback();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        QTRY_VERIFY(!tab->session()->isBusy());
        QCOMPARE(committedRows(table), QStringLiteral("0"));

        // The next transaction is read-only too.
        QVERIFY(!test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (3)").arg(table), 0)));
        tab->rollback();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        tab->setManualTransactions(false);
        QVERIFY(clickToolButton(tab.get(), readOnly));
        QVERIFY(!readOnly->isChecked());
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (4)").arg(table), 0)));
        QCOMPARE(committedRows(table), QStringLiteral("1"));
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    // Read-only turned off with a transaction open: PostgreSQL keeps a transaction that has run
    // a query read-only to its end, so it applies from the next transaction and the log says so
    // (the transaction is not harmed by trying); before the first query it applies at once.
    // SQLite's query_only always applies at once.
    void readOnlyOffInTheOpenTransaction()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_ro_off"));
        QAction *readOnly = action(tab.get(), "readOnlyAction");
        QVERIFY(readOnly);
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        QVERIFY(clickToolButton(tab.get(), readOnly));
        tab->setManualTransactions(true);
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT count(*) FROM %1").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);

        QVERIFY(clickToolButton(tab.get(), readOnly));
        QVERIFY(!readOnly->isChecked());
        QTRY_VERIFY2(lastMessage(tab.get()).contains(QStringLiteral("Read-only off")),
                     qPrintable(tab->messages()));
        QTRY_VERIFY(!tab->session()->isBusy());
        QCOMPARE(txState(tab.get()), TxState::Open);
        const QString insertOne = QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table);
        if (isPg()) {
            QVERIFY2(lastMessage(tab.get()).contains(QStringLiteral("from the next transaction")),
                     qPrintable(tab->messages()));
            QVERIFY(!test::await(tab->run(insertOne, 0)));
            QCOMPARE(tab->lastErrorState(), QStringLiteral("25006"));
            tab->rollback();
            QTRY_COMPARE(txState(tab.get()), TxState::None);
        } else {
            QVERIFY2(!lastMessage(tab.get()).contains(QStringLiteral("next transaction")),
                     qPrintable(tab->messages()));
        }
        QVERIFY(test::await(tab->run(insertOne, 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        tab->commit();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        QTRY_VERIFY(!tab->session()->isBusy());
        QCOMPARE(committedRows(table), QStringLiteral("1"));

        // A transaction begun by hand that has run no query yet turns read-write at once.
        tab->setManualTransactions(false);
        QVERIFY(clickToolButton(tab.get(), readOnly));
        QTRY_VERIFY(!tab->session()->isBusy());
        QVERIFY(test::await(tab->run(QStringLiteral("BEGIN"), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        QVERIFY(clickToolButton(tab.get(), readOnly));
        QTRY_VERIFY2(lastMessage(tab.get()).contains(QStringLiteral("Read-only off")),
                     qPrintable(tab->messages()));
        QVERIFY2(!lastMessage(tab.get()).contains(QStringLiteral("next transaction")),
                 qPrintable(tab->messages()));
        QTRY_VERIFY(!tab->session()->isBusy());
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        QVERIFY(test::await(tab->run(QStringLiteral("COMMIT"), 0)));
        QCOMPARE(txState(tab.get()), TxState::None);
        QCOMPARE(committedRows(table), QStringLiteral("2"));
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    void unreadResultKeepsTheTransaction()
    {
        // The next statement ends a result still loading; inside a transaction that must not
        // cost the transaction (PostgreSQL aborts it when a statement is cancelled).
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_unread"));
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        tab->setManualTransactions(true);
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table), 0)));
        const QString big =
            isPg() ? QStringLiteral("SELECT g FROM generate_series(1, 500000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 500000) SELECT n FROM g");
        QVERIFY(test::await(tab->run(big, 0)));
        QVERIFY(waitShown(tab->result(0)));
        QVERIFY(!tab->result(0)->stream()->isFinished());
        QVERIFY(test::await(tab->run(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table), 0)));
        QCOMPARE(txState(tab.get()), TxState::Open);
        // A result still loading when Commit is pressed: the commit commits.
        QVERIFY(test::await(tab->run(big, 0)));
        QVERIFY(!tab->result(0)->stream()->isFinished());
        tab->commit();
        QTRY_COMPARE(txState(tab.get()), TxState::None);
        QTRY_VERIFY(tab->messages().contains(QStringLiteral("Committed")));
        const orm::Result rows =
            test::await(db()->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("2"));
        tab->setManualTransactions(false);
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE %1").arg(table), 0)));
    }

    void copySelectionAsTsv()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT 1 AS n, NULL::text AS z, ''::text AS e, E'a\\tb' AS t "
                                    "UNION ALL SELECT 2, 'x', 'y', 'say \"hi\"'")
                   : QStringLiteral("SELECT 1 AS n, NULL AS z, '' AS e, 'a' || char(9) || 'b' "
                                    "AS t UNION ALL SELECT 2, 'x', 'y', 'say \"hi\"'");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QTRY_COMPARE(view->model()->totalRows(), 2);
        auto *copy = view->findChild<QPushButton *>(QStringLiteral("copyButton"));
        QVERIFY(copy);
        QVERIFY(copy->isVisible());
        QTableView *table = view->grid()->table();

        // Everything: NULL is written NULL, the empty string stays empty, fields holding a tab or
        // a quote are quoted.
        table->selectAll();
        QApplication::clipboard()->setText(QStringLiteral("stale"));
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("1\tNULL\t\t\"a\tb\"\n2\tx\ty\t\"say \"\"hi\"\"\""));

        // A block of cells: just those, by row.
        table->clearSelection();
        QAbstractItemModel *model = table->model();
        table->selectionModel()->select(QItemSelection(model->index(0, 1), model->index(1, 2)),
                                        QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("NULL\t\nx\ty"));

        // One empty-string cell copies as nothing, one NULL as NULL.
        table->clearSelection();
        table->selectionModel()->select(model->index(0, 2), QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QString());
        table->clearSelection();
        table->selectionModel()->select(model->index(0, 1), QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("NULL"));
    }

    void barAndScatterPlots()
    {
        auto tab = newTab();
        QVERIFY(test::await(tab->run(fiveRows(), 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        auto *plotButton = view->findChild<QPushButton *>(QStringLiteral("plotButton"));
        QVERIFY(plotButton);
        QTest::mouseClick(plotButton, Qt::LeftButton);
        ui::PlotView *plot = view->plot();
        QTRY_VERIFY(plot->isVisible());
        auto *xBox = plot->findChild<QComboBox *>(QStringLiteral("plotX"));
        auto *yList = plot->findChild<QListWidget *>(QStringLiteral("plotY"));
        auto *kindBox = plot->findChild<QComboBox *>(QStringLiteral("plotKind"));
        QVERIFY(xBox && yList && kindBox);
        QCOMPARE(xBox->count(), 4);
        QCOMPARE(yList->count(), 4);
        QChartView *chartView = plot->chartView();

        // Bars: X the label column, Y two numeric columns.
        QSignalSpy replotted(plot, &ui::PlotView::replotted);
        xBox->setCurrentIndex(3);
        yList->item(1)->setCheckState(Qt::Checked);
        yList->item(2)->setCheckState(Qt::Checked);
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Bar));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_VERIFY(chartView->chart()->series().size() == 1 &&
                    chartView->chart()->series().first()->type() == QAbstractSeries::SeriesTypeBar);
        auto *bars = qobject_cast<QBarSeries *>(chartView->chart()->series().first());
        QVERIFY(bars);
        QCOMPARE(bars->barSets().size(), 2);
        QCOMPARE(bars->barSets()[0]->label(), QStringLiteral("square"));
        QCOMPARE(bars->barSets()[1]->label(), QStringLiteral("down"));
        QCOMPARE(plot->pointCount(0), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(bars->barSets()[0]->at(i), double((i + 1) * (i + 1)));
            QCOMPARE(bars->barSets()[1]->at(i), double(10 - (i + 1)));
        }
        const QList<QAbstractAxis *> xAxes = chartView->chart()->axes(Qt::Horizontal);
        QCOMPARE(xAxes.size(), 1);
        auto *categories = qobject_cast<QBarCategoryAxis *>(xAxes.first());
        QVERIFY(categories);
        QCOMPARE(categories->categories(), QStringList({"c1", "c2", "c3", "c4", "c5"}));

        // Scatter over the same picks: a text X places the points by row (0, 1, ...).
        replotted.clear();
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Scatter));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().size(), 2);
        for (QAbstractSeries *series : chartView->chart()->series())
            QCOMPARE(series->type(), QAbstractSeries::SeriesTypeScatter);
        QCOMPARE(chartView->chart()->series()[0]->name(), QStringLiteral("square"));
        QList<QPointF> points = pointsOf(chartView->chart()->series()[0]);
        QCOMPARE(points.size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(points[i], QPointF(i, (i + 1) * (i + 1)));

        // A numeric X: the points sit at its values; one Y column only.
        replotted.clear();
        xBox->setCurrentIndex(0);
        yList->item(2)->setCheckState(Qt::Unchecked);
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().size(), 1);
        QCOMPARE(chartView->chart()->series()[0]->type(), QAbstractSeries::SeriesTypeScatter);
        QCOMPARE(plot->seriesCount(), 1);
        QCOMPARE(plot->pointCount(0), 5);
        points = pointsOf(chartView->chart()->series()[0]);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(points[i], QPointF(i + 1, (i + 1) * (i + 1)));

        // And back to bars, with the numbers as categories.
        replotted.clear();
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Bar));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().first()->type(), QAbstractSeries::SeriesTypeBar);
        categories =
            qobject_cast<QBarCategoryAxis *>(chartView->chart()->axes(Qt::Horizontal).first());
        QVERIFY(categories);
        QCOMPARE(categories->categories(), QStringList({"1", "2", "3", "4", "5"}));
    }

    void historyReRunsAndFilters()
    {
        const QString token = test::uniqueName(QStringLiteral("rerun"));
        const QString first = QStringLiteral("SELECT '%1_first' AS m").arg(token);
        const QString second = QStringLiteral("SELECT '%1_second' AS m, 2 AS k").arg(token);
        ui::ConsolePane pane(m_registry.get());
        pane.resize(1000, 700);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        ui::ConsoleTab *tab = pane.currentTab();
        QVERIFY(tab);
        QVERIFY(test::await(tab->run(first, 0)));
        QVERIFY(test::await(tab->run(second, 0)));

        // The search narrows the list as the reader types.
        QListWidget *list = pane.historyList();
        QTest::keyClicks(pane.historySearch(), token);
        QCOMPARE(list->count(), 2);
        QVERIFY(list->item(0)->text().contains(token + QStringLiteral("_second"))); // newest first
        QVERIFY(list->item(1)->text().contains(token + QStringLiteral("_first")));
        QTest::keyClicks(pane.historySearch(), QStringLiteral("_FIRST")); // case does not matter
        QCOMPARE(list->count(), 1);
        QVERIFY(list->item(0)->text().contains(token + QStringLiteral("_first")));
        pane.historySearch()->setText(token + QStringLiteral("_nothing"));
        QCOMPARE(list->count(), 0);
        pane.historySearch()->clear();
        QVERIFY(list->count() >= 2);

        // Double-click runs the entry again, in the current tab.
        pane.historySearch()->setText(token + QStringLiteral("_first"));
        QCOMPARE(list->count(), 1);
        tab->setText(QStringLiteral("SELECT 'something else'"));
        QSignalSpy finished(tab, &ui::ConsoleTab::runFinished);
        const QRect rect = list->visualItemRect(list->item(0));
        QVERIFY(rect.isValid());
        // A double-click as the window system delivers it: press and release, then the second
        // press as a double-click and its release.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(tab->text(), first);
        QCOMPARE(tab->resultCount(), 1);
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), token + QStringLiteral("_first"));
        // The re-run is history too, and the filter still applies.
        QTRY_COMPARE(list->count(), 2);
    }

    void completionOffersNamesAndKeywords()
    {
        QString schema;
        const QString table = test::uniqueName(QStringLiteral("comp_table"));
        const QString view = test::uniqueName(QStringLiteral("comp_view"));
        QTemporaryDir dir;
        if (isPg()) {
            schema = test::uniqueName(QStringLiteral("comp_schema"));
            test::await(db()->executeScript(
                QStringLiteral("CREATE SCHEMA %1; "
                               "CREATE TABLE %1.%2 (alpha_col integer, beta_col text); "
                               "CREATE MATERIALIZED VIEW %1.%3 AS SELECT 1 AS gamma_col")
                    .arg(schema, table, view)));
        } else {
            // The active schema is an attached database.
            schema = QStringLiteral("comp");
            const QString path = dir.filePath(QStringLiteral("comp.db"));
            orm::Database other(QStringLiteral("sqlite:///%1?create=true").arg(path));
            test::await(other.executeScript(
                QStringLiteral("CREATE TABLE %1 (alpha_col integer, beta_col text); "
                               "CREATE VIEW %2 AS SELECT 1 AS gamma_col")
                    .arg(table, view)));
            db()->attach(schema, path);
        }
        auto tab = newTab();
        tab->setTarget(db(), schema);
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0))); // connects

        // What the registry reflects for the active schema, with every model's fields.
        QList<orm::Model> models = test::await(m_registry->reflectedModels({}, schema));
        QCOMPARE(models.size(), 2);
        ui::SqlEditor *editor = tab->editor();
        const QString qualifier = isPg() ? schema : QStringLiteral("main");
        QTRY_VERIFY_WITH_TIMEOUT(editor->completionWords().contains(table), 10000);
        const QStringList words = editor->completionWords();
        for (const orm::Model &listed : std::as_const(models)) {
            const orm::Model model = test::await(m_registry->loadFields(listed));
            QVERIFY(!model.fields.isEmpty());
            QVERIFY2(words.contains(model.table), qPrintable(model.table));
            QVERIFY2(words.contains(qualifier + QLatin1Char('.') + model.table),
                     qPrintable(model.table));
            for (const orm::Field &field : model.fields) {
                QVERIFY2(words.contains(field.name), qPrintable(field.name));
                QVERIFY2(words.contains(model.table + QLatin1Char('.') + field.name),
                         qPrintable(field.name));
            }
        }
        QVERIFY(words.contains(view));
        QVERIFY(words.contains(QStringLiteral("gamma_col")));
        QVERIFY(words.contains(qualifier));
        for (const char *keyword : {"SELECT", "FROM", "WHERE", "JOIN"})
            QVERIFY2(words.contains(QLatin1String(keyword)), keyword);
        QVERIFY(words.contains(isPg() ? QStringLiteral("ILIKE") : QStringLiteral("PRAGMA")));

        // QScintilla asks the editor's word list: a prefix of the table offers it.
        QStringList offered;
        editor->lexer()->apis()->updateAutoCompletionList({table.left(12)}, offered);
        QVERIFY2(offered.contains(table), qPrintable(offered.join(u' ')));
        QVERIFY(!offered.contains(QStringLiteral("SELECT")));

        // And in the editor: typing the prefix and accepting the list completes the name.
        const QString typed = QStringLiteral("SELECT alpha_col FROM ") + table;
        editor->setText(QStringLiteral("SELECT alpha_col FROM ") + table.left(table.size() - 2));
        editor->setCursorIndex(int(editor->text().size()));
        editor->autoCompleteFromAPIs();
        QVERIFY(editor->isListActive());
        QTest::keyClick(editor, Qt::Key_Tab);
        QCOMPARE(editor->text(), typed);

        if (isPg())
            test::await(db()->executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schema)));
    }

    // Tables created (or dropped) in the console are offered (or no longer) once the statement
    // ran, without reconnecting; a result still being read is left alone.
    void completionFollowsDdl()
    {
        const QString table = test::uniqueName(QStringLiteral("ddl_table"));
        auto tab = newTab();
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0))); // connects
        ui::SqlEditor *editor = tab->editor();
        QTRY_VERIFY_WITH_TIMEOUT(editor->completionWords().contains(QStringLiteral("SELECT")),
                                 10000);
        QVERIFY(!editor->completionWords().contains(table));
        QVERIFY(test::await(tab->run(
            QStringLiteral("/* new */ CREATE TABLE %1 (ddl_column_one integer)").arg(table), 0)));
        QTRY_VERIFY_WITH_TIMEOUT(editor->completionWords().contains(table), 10000);
        QVERIFY(editor->completionWords().contains(QStringLiteral("ddl_column_one")));

        // DDL then a large SELECT: its rows stay readable (no catalog query ends the stream).
        const QString big =
            isPg() ? QStringLiteral("SELECT g FROM generate_series(1, 100000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 100000) SELECT n FROM g");
        QVERIFY(test::await(tab->run(
            QStringLiteral("ALTER TABLE %1 ADD COLUMN ddl_column_two integer; %2").arg(table, big),
            0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QTest::qWait(200);
        QVERIFY(!view->stream()->isTruncated());
        QVERIFY(!view->stream()->isFinished());

        // The next run that leaves no result open reads the names: both changes show.
        const QString other = test::uniqueName(QStringLiteral("ddl_other"));
        QVERIFY(test::await(tab->run(QStringLiteral("CREATE TABLE %1 (c integer)").arg(other), 0)));
        QTRY_VERIFY_WITH_TIMEOUT(editor->completionWords().contains(other), 10000);
        QVERIFY(editor->completionWords().contains(QStringLiteral("ddl_column_two")));

        QVERIFY(test::await(
            tab->run(QStringLiteral("DROP TABLE %1; DROP TABLE %2").arg(table, other), 0)));
        QTRY_VERIFY_WITH_TIMEOUT(!editor->completionWords().contains(table), 10000);
    }

    // Reals show the shortest text that reads back as the same number (0.1 + 0.2 is not 0.3),
    // and numbers align right even where the column has no declared type (SQLite expressions).
    void numbersShowExactlyAndAlignRight()
    {
        auto tab = newTab();
        QVERIFY(test::await(
            tab->run(QStringLiteral("SELECT 1 + 1 AS n, 'x' AS t, 10.2 AS r, 0.1 + 0.2 AS s"), 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QCOMPARE(cell(view, 0, 0), QStringLiteral("2"));
        QCOMPARE(cell(view, 0, 2), QStringLiteral("10.2"));
        // PostgreSQL adds numerics exactly; SQLite's REAL arithmetic does not.
        QCOMPARE(cell(view, 0, 3),
                 isPg() ? QStringLiteral("0.3") : QStringLiteral("0.30000000000000004"));
        const auto alignment = [&](int column) {
            return Qt::Alignment(view->model()
                                     ->data(view->model()->index(0, column), Qt::TextAlignmentRole)
                                     .toInt());
        };
        QVERIFY(alignment(0) & Qt::AlignRight);
        QVERIFY(alignment(1) & Qt::AlignLeft);
        QVERIFY(alignment(2) & Qt::AlignRight);
        QVERIFY(alignment(3) & Qt::AlignRight);
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

    // The export runs in the background with a progress bar and a Cancel button; cancelling
    // removes the unfinished file, hides both, and the result and the console go on.
    void exportShowsProgressAndCancels()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g, 'row ' || g AS name FROM "
                                    "(SELECT generate_series(1, 5000000) AS g) s")
                   : QStringLiteral("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 "
                                    "FROM s WHERE g < 5000000) SELECT g, 'row ' || g AS name "
                                    "FROM s");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        auto *progress = view->findChild<QProgressBar *>(QStringLiteral("exportProgress"));
        auto *cancel = view->findChild<QPushButton *>(QStringLiteral("cancelExportButton"));
        QVERIFY(progress && cancel);
        QVERIFY(!progress->isVisible() && !cancel->isVisible());

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.csv"));
        QSignalSpy finished(view, &ui::ResultView::exportFinished);
        exportInBackground(view, path);
        QTRY_VERIFY(progress->isVisible() && cancel->isVisible());
        QTRY_VERIFY(progress->format().endsWith(QLatin1String(" rows")));
        QVERIFY(QFile::exists(path)); // being written
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished[0][0].toBool(), false);
        QVERIFY2(finished[0][1].toString().contains(QLatin1String("cancel")),
                 qPrintable(finished[0][1].toString()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!progress->isVisible() && !cancel->isVisible());
        QVERIFY(view->stream()->rowsRead() < 5000000);
        QCOMPARE(cell(view, 0, 0), QStringLiteral("1"));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 2"), 0)));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("2"));
    }

    void largeResultStaysLazy()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g FROM generate_series(1, 10000000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 10000000) SELECT n FROM g");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QVERIFY(view->stream()->rowsRead() < 20000);
        QCOMPARE(cell(view, 0, 0), QStringLiteral("1"));
        // A second run ends the stream at once, without reading it.
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
    }
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
