// The tree's "Show DDL" on the real window, on SQLite and PostgreSQL: a table's CREATE TABLE
// and a view's CREATE VIEW in the viewer, a table dropped meanwhile as an error in the viewer,
// and Open in console as the text of a new console tab, not run.

#include "main_window_fixture.h"

#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/sql_editor.h"
#include "ui/ddl_viewer.h"

#include <QClipboard>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>

using strata::ui::DdlViewer;

namespace {

QModelIndex findNode(QTreeView *tree, const QString &text)
{
    const QModelIndexList hits =
        tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole, text, 1,
                             Qt::MatchStartsWith | Qt::MatchRecursive);
    return hits.value(0);
}

using strata::test::isPostgres;

} // namespace

class TestModelTreeDdl : public QObject {
    Q_OBJECT

    // The window on `url` with a table and a view in a schema of their own (PostgreSQL) or the
    // file's main, shown in the tree.
    struct Scene {
        std::unique_ptr<orm::Registry> registry;
        std::unique_ptr<MainWindow> window;
        QString schema;
    };

    bool open(Scene &scene, const QString &url, const QString &backend)
    {
        scene.registry = std::make_unique<orm::Registry>(url);
        const bool pg = isPostgres(backend);
        scene.schema =
            pg ? strata::test::uniqueName(QStringLiteral("ddl tree")) : QStringLiteral("main");
        const QString prefix = pg ? QStringLiteral("\"%1\".").arg(scene.schema) : QString();
        const QString create =
            (pg ? QStringLiteral("CREATE SCHEMA \"%1\";").arg(scene.schema) : QString()) +
            QStringLiteral("CREATE TABLE %1\"weird name\" (id INTEGER PRIMARY KEY, "
                           "\"Odd \"\"Name\"\"\" TEXT NOT NULL DEFAULT 'x');"
                           "CREATE VIEW %1\"odd view\" AS SELECT id FROM %1\"weird name\";"
                           "CREATE TABLE %1doomed (gone_soon INTEGER);")
                .arg(prefix);
        strata::test::await(scene.registry->database()->executeScript(create));
        scene.window = std::make_unique<MainWindow>(scene.registry.get());
        // Only the test changes the catalog under the tree: no probe refreshes it meanwhile.
        scene.window->modelTree()->setProbeInterval(24 * 3600 * 1000);
        scene.window->show();
        strata::test::await(scene.registry->connect(orm::Registry::ConnectMode::Lenient));
        if (!QTest::qWaitFor(
                [&] { return scene.window->schemaSwitcher()->findText(scene.schema) >= 0; }, 10000))
            return false;
        scene.window->setActiveSchema(scene.schema);
        return QTest::qWaitFor(
            [&] {
                const QStringList listed = scene.window->listedModels(QString(), scene.schema);
                return listed.contains(QStringLiteral("odd view")) &&
                       listed.contains(QStringLiteral("doomed")) && !scene.window->isBusy();
            },
            10000);
    }

    void close(Scene &scene, const QString &backend)
    {
        QTRY_VERIFY_WITH_TIMEOUT(!scene.window->isBusy(), 10000);
        if (isPostgres(backend))
            strata::test::await(scene.registry->database()->executeScript(
                QStringLiteral("DROP SCHEMA \"%1\" CASCADE").arg(scene.schema)));
        strata::test::await(scene.registry->disconnect(true));
    }

    // Opens the node's context menu as the user does and chooses Show DDL: the viewer.
    DdlViewer *showDdl(MainWindow &window, const QString &node)
    {
        QTreeView *tree = window.tree();
        const QModelIndex index = findNode(tree, node);
        if (!index.isValid())
            return nullptr;
        tree->scrollTo(index);
        const QList<DdlViewer *> before = window.findChildren<DdlViewer *>();
        emit tree->customContextMenuRequested(tree->visualRect(index).center());
        QMenu *menu = nullptr;
        if (!QTest::qWaitFor(
                [&] {
                    return (menu = window.modelTree()->findChild<QMenu *>(
                                QStringLiteral("treeContextMenu"))) != nullptr;
                },
                5000))
            return nullptr;
        QAction *show = nullptr;
        for (QAction *action : menu->actions())
            if (action->objectName() == QLatin1String("showDdlAction"))
                show = action;
        if (!show)
            return nullptr;
        show->trigger();
        menu->close();
        delete menu; // WA_DeleteOnClose deletes it later: the next lookup must not find it
        for (DdlViewer *viewer : window.findChildren<DdlViewer *>())
            if (!before.contains(viewer))
                return viewer;
        return nullptr;
    }

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void tableShowsItsCreateTable()
    {
        STRATA_BACKEND_URL(url);
        Scene scene;
        QVERIFY(open(scene, url, backend));
        QPointer<DdlViewer> viewer = showDdl(*scene.window, QStringLiteral("weird name"));
        QVERIFY(viewer);
        const QString qualified = scene.schema + QStringLiteral(".weird name");
        QCOMPARE(viewer->windowTitle(), QStringLiteral("DDL — %1").arg(qualified));
        QVERIFY(!viewer->isModal());
        if (viewer->isLoading())
            QCOMPARE(viewer->statusText(), QStringLiteral("Reading the DDL of %1…").arg(qualified));
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->isLoading(), 10000);
        const QString ddl = viewer->text()->toPlainText();
        QCOMPARE(ddl, viewer->ddl());
        QVERIFY(viewer->text()->isReadOnly());
        QVERIFY2(ddl.contains(QLatin1String("CREATE TABLE ")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("\"weird name\"")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("\"Odd \"\"Name\"\"\"")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("id ")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("NOT NULL")), qPrintable(ddl));
        if (isPostgres(backend))
            QVERIFY2(ddl.contains(
                         QStringLiteral("CREATE TABLE \"%1\".\"weird name\" (").arg(scene.schema)),
                     qPrintable(ddl));
        QVERIFY(viewer->copyButton()->isEnabled());
        viewer->copyButton()->click();
        QCOMPARE(QApplication::clipboard()->text(), ddl);
        viewer->close();
        QTRY_VERIFY(viewer.isNull()); // deleted on close
        close(scene, backend);
    }

    void viewShowsItsCreateView()
    {
        STRATA_BACKEND_URL(url);
        Scene scene;
        QVERIFY(open(scene, url, backend));
        DdlViewer *viewer = showDdl(*scene.window, QStringLiteral("odd view"));
        QVERIFY(viewer);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->isLoading(), 10000);
        const QString ddl = viewer->ddl();
        QVERIFY2(ddl.contains(QLatin1String("CREATE VIEW ")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("\"odd view\"")), qPrintable(ddl));
        QVERIFY2(ddl.contains(QLatin1String("weird name")), qPrintable(ddl));
        QVERIFY2(!ddl.contains(QLatin1String("CREATE TABLE")), qPrintable(ddl));
        close(scene, backend);
    }

    void droppedTableIsAnErrorInTheViewer()
    {
        STRATA_BACKEND_URL(url);
        Scene scene;
        QVERIFY(open(scene, url, backend));
        // Dropped by another client: the tree still lists it.
        {
            orm::Database other(url);
            strata::test::await(other.executeScript(
                isPostgres(backend) ? QStringLiteral("DROP TABLE \"%1\".doomed").arg(scene.schema)
                                    : QStringLiteral("DROP TABLE doomed")));
        }
        QVERIFY(
            scene.window->listedModels(QString(), scene.schema).contains(QStringLiteral("doomed")));
        DdlViewer *viewer = showDdl(*scene.window, QStringLiteral("doomed"));
        QVERIFY(viewer);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->isLoading(), 10000);
        QVERIFY(viewer->ddl().isEmpty());
        QVERIFY(viewer->text()->toPlainText().isEmpty());
        QVERIFY2(viewer->statusText().contains(
                     QStringLiteral("no table or view named %1.doomed").arg(scene.schema)),
                 qPrintable(viewer->statusText()));
        QVERIFY(!viewer->copyButton()->isEnabled());
        QVERIFY(!viewer->openInConsoleButton()->isEnabled());
        QVERIFY(viewer->isVisible());
        close(scene, backend);
    }

    void openInConsolePutsTheTextInANewTab()
    {
        STRATA_BACKEND_URL(url);
        Scene scene;
        QVERIFY(open(scene, url, backend));
        auto *console = new strata::ui::ConsolePane(scene.registry.get());
        scene.window->addPane(QStringLiteral("consoleDock"), QStringLiteral("Console"), console,
                              Qt::BottomDockWidgetArea);
        // As app/explorer.cpp wires them.
        connect(scene.window.get(), &MainWindow::consoleTextRequested, console,
                &strata::ui::ConsolePane::openInNewTab);
        const int tabsBefore = console->tabCount();
        DdlViewer *viewer = showDdl(*scene.window, QStringLiteral("weird name"));
        QVERIFY(viewer);
        QTRY_VERIFY_WITH_TIMEOUT(!viewer->isLoading(), 10000);
        QVERIFY(viewer->openInConsoleButton()->isEnabled());
        viewer->openInConsoleButton()->click();
        QCOMPARE(console->tabCount(), tabsBefore + 1);
        strata::ui::ConsoleTab *tab = console->currentTab();
        QCOMPARE(tab, console->tab(console->tabCount() - 1));
        QCOMPARE(tab->editor()->text(), viewer->ddl());
        // Not run: nothing is running, no result, no history entry.
        QVERIFY(!tab->isRunning());
        QCOMPARE(tab->resultCount(), 0);
        QVERIFY(tab->lastError().isEmpty());
        QTest::qWait(0);
        QVERIFY(!tab->isRunning());
        QCOMPARE(tab->resultCount(), 0);
        close(scene, backend);
    }
};

QTEST_MAIN(TestModelTreeDdl)
#include "tst_model_tree_ddl.moc"
