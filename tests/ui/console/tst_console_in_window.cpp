// The console as the application docks it in the real window, with a table open in the grid:
// F5 runs the console's script while the editor has the focus and refreshes the grid's rows
// while the grid has it (a window-wide Refresh made F5 ambiguous, so it did nothing); a table
// the console creates shows in the tree at once, with no wait for the catalog probe.
#include "console_fixture.h"

#include "ui/main_window.h"
#include "ui/model_tree.h"

using namespace strata;

class TestConsoleInWindow : public test::ConsoleFixture {
    Q_OBJECT

private slots:
    void f5RunsTheConsoleOrRefreshesTheGridByFocus()
    {
        const QString table = test::uniqueName(QStringLiteral("fkey"));
        test::await(db()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY); INSERT INTO %1 VALUES (1);")
                .arg(table)));
        ui::MainWindow window(m_registry.get());
        auto *console = new ui::ConsolePane(m_registry.get());
        window.addPane(QStringLiteral("consoleDock"), QStringLiteral("Console"), console,
                       Qt::BottomDockWidgetArea);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(table), 10000);
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QSignalSpy gridQueries(window.gridModel(), &ui::GridModel::queryChanged);

        console->setActive(QString(), window.activeSchema());
        ui::ConsoleTab *tab = console->currentTab();
        QVERIFY(tab);
        tab->setText(QStringLiteral("SELECT 42 AS answer"));
        QSignalSpy finished(tab, &ui::ConsoleTab::runFinished);
        tab->editor()->setFocus();
        QTRY_VERIFY(tab->editor()->hasFocus());
        QTest::keyClick(tab->editor(), Qt::Key_F5);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(finished.first().first().toBool());
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("42"));
        QCOMPARE(gridQueries.count(), 0);

        window.grid()->table()->setFocus();
        QTRY_VERIFY(window.grid()->table()->hasFocus());
        QTest::keyClick(window.grid()->table(), Qt::Key_F5);
        QTRY_COMPARE_WITH_TIMEOUT(gridQueries.count(), 1, 10000);
        QCOMPARE(finished.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        test::await(db()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
    }

    void ddlInTheConsoleShowsInTheTreeAtOnce()
    {
        const QString table = test::uniqueName(QStringLiteral("made"));
        ui::MainWindow window(m_registry.get());
        window.modelTree()->setProbeInterval(24 * 3600 * 1000); // only the console's run tells
        auto *console = new ui::ConsolePane(m_registry.get());
        window.addPane(QStringLiteral("consoleDock"), QStringLiteral("Console"), console,
                       Qt::BottomDockWidgetArea);
        // As app/explorer.cpp wires them.
        connect(console, &ui::ConsolePane::statementsRan, window.modelTree(),
                &ui::ModelTree::catalogMayHaveChanged);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.modelTree()->hasModels(QString(), window.activeSchema()),
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        console->setActive(QString(), window.activeSchema());
        ui::ConsoleTab *tab = console->currentTab();
        QSignalSpy finished(tab, &ui::ConsoleTab::runFinished);
        tab->setText(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY)").arg(table));
        tab->runAll();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(finished.first().first().toBool());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(table), 10000);
        // And it opens.
        window.openModel(table);
        QTRY_COMPARE_WITH_TIMEOUT(window.openedModel(), table, 10000);
        test::await(db()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
    }
};

QTEST_MAIN(TestConsoleInWindow)
#include "tst_console_in_window.moc"
