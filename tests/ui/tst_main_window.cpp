// The real window on real databases (SQLite and PostgreSQL): the tree follows the Connections
// menu, the grid fills, sorting and filtering change the SQL that runs and the rows shown,
// switching schema changes the rows, a failed extra shows as failed, saved connections added,
// edited and removed apply at once, quitting asks while work is uncommitted and closes
// everything.

#include "await.h"
#include "backends.h"
#include "fake_keyring.h"
#include "message_box_answerer.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "orm/sync/lifespan.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"
#include "ui/queryset_row_source.h"
#include "ui/saved_connections.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using strata::test::MessageBoxAnswerer;
using strata::ui::MainWindow;

namespace {

// Whether the Connections menu lists `name`'s database, and the tree shows it.
bool menuLists(MainWindow &window, const QString &name)
{
    for (QAction *action : window.connectionsMenu()->actions())
        if (action->isCheckable() && action->data().toString() == name)
            return action == window.connectionAction(name);
    return false;
}

bool treeShows(MainWindow &window, const QString &name)
{
    QStandardItemModel *model = window.treeModel();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->item(row)->data(MainWindow::DatabaseRole).toString() == name)
            return true;
    return false;
}

QStringList switcherItems(MainWindow &window)
{
    QStringList items;
    for (int i = 0; i < window.schemaSwitcher()->count(); ++i)
        items << window.schemaSwitcher()->itemText(i);
    return items;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QString m_table;

    static QString row0(MainWindow &window, int column)
    {
        return window.gridModel()->cellText(0, column);
    }

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void browseSortFilter()
    {
        STRATA_BACKEND_URL(url);
        const QString table = strata::test::uniqueName(QStringLiteral("item"));
        QTemporaryDir dir;
        orm::Registry registry(url);
        // An extra that cannot connect: shown as failed while the others work.
        registry.addExtra(QStringLiteral("broken"),
                          QStringLiteral("sqlite:///%1/missing.db").arg(dir.path()));
        registry.addExtra(QStringLiteral("second"),
                          strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("second")));
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT, note TEXT);"
                           "INSERT INTO %1 VALUES (1, 'pear', NULL), (2, 'apple', ''), "
                           "(3, 'fig', 'x'), (4, 'banana', 'y');")
                .arg(table)));
        strata::test::await(registry.database(QStringLiteral("second"))
                                ->executeScript(QStringLiteral("CREATE TABLE only_here (id "
                                                               "INTEGER PRIMARY KEY);")));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));

        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(table), 10000);
        QVERIFY(window.connectionAction(QStringLiteral("broken"))
                    ->text()
                    .contains(QStringLiteral("failed")));
        QVERIFY(window.connectionAction(QString())->text().contains(QStringLiteral("connected")));

        // Opening a model fills the grid.
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(3), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 4);
        QCOMPARE(row0(window, 1), QStringLiteral("pear"));
        QVERIFY(window.gridModel()->isCellNull(0, 2));
        QVERIFY(!window.gridModel()->isCellNull(1, 2));
        const QString before = window.rowSource()->lastExecutedSql();

        // Sorting by clicking the header: new SQL, new first row.
        QTableView *table_ = window.grid()->table();
        QTest::mouseClick(table_->horizontalHeader()->viewport(), Qt::LeftButton, {},
                          QPoint(table_->horizontalHeader()->sectionViewportPosition(1) + 10, 5));
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("apple"), 10000);
        QVERIFY(window.rowSource()->lastExecutedSql() != before);
        QVERIFY(window.rowSource()->lastExecutedSql().contains(QStringLiteral("\"name\"")));

        // Filtering through the filter row.
        QLineEdit *filter = window.grid()->filterEditor(1);
        QVERIFY(filter);
        filter->setText(QStringLiteral("an"));
        QTest::keyClick(filter, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.gridModel()->isCountKnown() && window.gridModel()->totalRows() == 1, 10000);
        // The count may finish before the first page: wait for the row itself.
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("banana"), 10000);
        QVERIFY(window.rowSource()->lastExecutedSql().contains(QStringLiteral("WHERE")));

        // Choosing a connection from the menu changes the tree.
        window.connectionAction(QStringLiteral("second"))->trigger();
        QCOMPARE(window.activeDatabase(), QStringLiteral("second"));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QStringLiteral("second"), QStringLiteral("main"))
                .contains(QStringLiteral("only_here")),
            10000);
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        strata::test::await(registry.disconnect(true));
    }

    // A filter that does not compile is shown to the user: on its editor (red, the message as
    // tooltip) and in the log; the rows of the query in force stay and keep loading.
    void filterCompileErrorIsShown()
    {
        STRATA_BACKEND_URL(url);
        const QString table = strata::test::uniqueName(QStringLiteral("flt"));
        orm::Registry registry(url);
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT);"
                           "INSERT INTO %1 VALUES (1, 'a'), (2, 'b'), (3, 'c');")
                .arg(table)));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 3);
        const QString sql = window.gridModel()->selectSql();

        QLineEdit *id = window.grid()->filterEditor(0);
        QVERIFY(id);
        id->setText(QStringLiteral(">abc"));
        QTest::keyClick(id, Qt::Key_Return);
        const QString error = window.grid()->filterError(0);
        QVERIFY2(error.contains(QStringLiteral("'>abc'")) || error.contains(QStringLiteral("abc")),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("id")), qPrintable(error));
        QCOMPARE(id->toolTip(), error);
        QVERIFY(!id->styleSheet().isEmpty());
        QVERIFY(window.logPane()->lines().join(u'\n').contains(QStringLiteral("abc")));
        // Nothing changed underneath.
        QCOMPARE(window.gridModel()->selectSql(), sql);
        QVERIFY(window.gridModel()->lastError().isEmpty());
        QCOMPARE(window.gridModel()->totalRows(), 3);

        // Corrected, it applies and the mark goes.
        id->setText(QStringLiteral(">1"));
        QTest::keyClick(id, Qt::Key_Return);
        QVERIFY(window.grid()->filterError(0).isEmpty());
        QVERIFY(id->styleSheet().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            window.gridModel()->isCountKnown() && window.gridModel()->totalRows() == 2, 10000);
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        strata::test::await(registry.disconnect(true));
    }

    // The schema/tenant switcher changes the rows the grid shows: two tenants with the same
    // table (PostgreSQL: two schemas; SQLite: two attached databases).
    void switchingSchemaChangesRows()
    {
        STRATA_BACKEND_URL(url);
        const bool postgres = backend == QLatin1String("postgres");
        orm::Registry registry(url);
        QString a = QStringLiteral("acme");
        QString b = QStringLiteral("globex");
        const auto fill = [](const QString &prefix, const QString &tag, int rows) {
            QStringList values;
            for (int n = 1; n <= rows; ++n)
                values << QStringLiteral("(%1, '%2-%1')").arg(n).arg(tag);
            return QStringLiteral("CREATE TABLE %1widget (id INTEGER PRIMARY KEY, label TEXT);"
                                  "INSERT INTO %1widget VALUES %2;")
                .arg(prefix, values.join(u','));
        };
        if (postgres) {
            a = strata::test::uniqueName(QStringLiteral("tenant_a"));
            b = strata::test::uniqueName(QStringLiteral("tenant_b"));
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("CREATE SCHEMA %1; CREATE SCHEMA %2;").arg(a, b) +
                fill(a + u'.', QStringLiteral("a"), 3) + fill(b + u'.', QStringLiteral("b"), 5)));
        } else {
            const QString fileA = strata::test::urlFor(backend, QStringLiteral("acme"));
            const QString fileB = strata::test::urlFor(backend, QStringLiteral("globex"));
            for (const auto &[file, tag, rows] : {std::tuple{fileA, QStringLiteral("a"), 3},
                                                  std::tuple{fileB, QStringLiteral("b"), 5}}) {
                orm::Database tenant(file);
                strata::test::await(tenant.executeScript(fill(QString(), tag, rows)));
            }
            registry.database()->attach(a, orm::DatabaseUrl::parse(fileA).path());
            registry.database()->attach(b, orm::DatabaseUrl::parse(fileB).path());
        }
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QComboBox *switcher = window.schemaSwitcher();
        QTRY_VERIFY_WITH_TIMEOUT(switcher->findText(a) >= 0 && switcher->findText(b) >= 0, 10000);

        // Choose the first tenant in the toolbar, as a user does, and open its table.
        const auto choose = [&](const QString &schema) {
            switcher->setCurrentIndex(switcher->findText(schema));
            emit switcher->textActivated(schema);
        };
        choose(a);
        QCOMPARE(window.activeSchema(), a);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), a).contains(QStringLiteral("widget")), 10000);
        window.openModel(QStringLiteral("widget"));
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("a-1"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 3);
        QVERIFY(window.rowSource()->lastExecutedSql().contains(a));

        // Switching the tenant shows the other tenant's rows of the same table.
        choose(b);
        QCOMPARE(window.activeSchema(), b);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("b-1"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 5);
        QVERIFY(window.rowSource()->lastExecutedSql().contains(b));
        QCOMPARE(window.openedModel(), QStringLiteral("widget"));

        // And back.
        choose(a);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("a-1"), 10000);
        if (postgres)
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE; DROP SCHEMA %2 CASCADE;").arg(a, b)));
        strata::test::await(registry.disconnect(true));
    }

    // Saved connections added and edited through the window apply at once: the registry gains
    // (and connects) the database, the Connections menu, the tree and the schema switcher show
    // it; an edit replaces it under its new name, keeping the password of the open one and
    // staying active. The password never shows in the log.
    void savedConnectionChangesApplyAtOnce()
    {
        STRATA_BACKEND_URL(url);
        const bool postgres = backend == QLatin1String("postgres");
        QTemporaryDir dir;
        const QString table = strata::test::uniqueName(QStringLiteral("saved"));
        // Where the saved connection points first, and after the edit.
        const QString firstUrl = postgres ? url : strata::test::urlFor(backend, "first");
        const QString editedTag = strata::test::uniqueName(QStringLiteral("strata_edited"));
        const QString editedUrl = postgres ? url + (url.contains(u'?') ? u'&' : u'?') +
                                                 QStringLiteral("application_name=") + editedTag
                                           : strata::test::urlFor(backend, "edited");
        for (const QString &target : {firstUrl, editedUrl}) {
            orm::Database setup(target);
            strata::test::await(setup.executeScript(
                QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (id INTEGER PRIMARY KEY)")
                    .arg(table)));
        }
        const QString password = orm::DatabaseUrl::parse(firstUrl).password();

        orm::Registry registry(url);
        MainWindow window(&registry);
        FakeKeyring fake;
        QMap<QString, QString> &keyring = fake.entries;
        window.setPasswordKeeper(fake.keeper());
        window.setSavedConnectionsPath(dir.filePath(QStringLiteral("connections.json")));
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        const QStringList primarySchemas = switcherItems(window);

        // Add: in the menu and the tree at once, connected shortly after.
        QVERIFY(window.saveConnection(
            {QStringLiteral("shop"), strata::ui::withoutPassword(firstUrl), false}, password));
        QCOMPARE(registry.extraNames(), QStringList{"shop"});
        QVERIFY(menuLists(window, QStringLiteral("shop")));
        QVERIFY(treeShows(window, QStringLiteral("shop")));
        const QPointer<orm::Database> shop = registry.database(QStringLiteral("shop"));
        QTRY_VERIFY_WITH_TIMEOUT(shop->isConnected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.connectionAction(QStringLiteral("shop"))
                                     ->text()
                                     .endsWith(QStringLiteral("— connected")),
                                 10000);
        window.connectionAction(QStringLiteral("shop"))->trigger();
        QCOMPARE(window.activeDatabase(), QStringLiteral("shop"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QStringLiteral("shop"), window.activeSchema()).contains(table),
            10000);

        // Edit (renamed, pointing elsewhere, password left empty): the old entry goes at once,
        // the new one takes its place and stays active; the open password is kept.
        QVERIFY(window.saveConnection(
            {QStringLiteral("store"), strata::ui::withoutPassword(editedUrl), false}, QString(),
            QStringLiteral("shop")));
        QVERIFY(!menuLists(window, QStringLiteral("shop")));
        QVERIFY(!treeShows(window, QStringLiteral("shop")));
        QVERIFY(!window.connectionAction(QStringLiteral("shop")));
        QVERIFY(menuLists(window, QStringLiteral("store")));
        QVERIFY(treeShows(window, QStringLiteral("store")));
        QCOMPARE(registry.extraNames(), QStringList{"store"});
        QCOMPARE(window.activeDatabase(), QStringLiteral("store"));
        orm::Database *store = registry.database(QStringLiteral("store"));
        QCOMPARE(store->url().password(), password);
        QVERIFY(store->displayUrl().contains(postgres ? editedTag : QStringLiteral("edited")));
        QTRY_VERIFY_WITH_TIMEOUT(shop.isNull(), 10000); // closed and deleted
        QTRY_VERIFY_WITH_TIMEOUT(store->isConnected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QStringLiteral("store"), window.activeSchema()).contains(table),
            10000);
        QTRY_COMPARE_WITH_TIMEOUT(switcherItems(window).isEmpty(), false, 10000);
        if (postgres) // the primary's schemas and the edited one's are the same database's
            QCOMPARE(switcherItems(window), primarySchemas);
        QCOMPARE(keyring.value(QStringLiteral("store")), password);
        QVERIFY(!keyring.contains(QStringLiteral("shop")));

        const QString log = window.logPane()->lines().join(u'\n');
        QVERIFY(log.contains(QStringLiteral("store")));
        if (!password.isEmpty())
            QVERIFY2(!log.contains(password), qPrintable(log));
        strata::test::await(registry.disconnect(true));
        for (const QString &target : {firstUrl, editedUrl}) {
            orm::Database cleanup(target);
            strata::test::await(
                cleanup.executeScript(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table)));
        }
    }

    // Removing the active database (its model open in the grid) through the window: gone from
    // the menu, the tree and the registry at once; the window, the switcher and the grid fall
    // back to the primary; its connections close and it is deleted.
    void removingTheActiveDatabaseFallsBackToThePrimary()
    {
        STRATA_BACKEND_URL(url);
        QTemporaryDir dir;
        const QString table = strata::test::uniqueName(QStringLiteral("doomed"));
        const QString extraUrl = strata::test::urlFor(backend, "doomed");
        {
            orm::Database setup(extraUrl);
            strata::test::await(
                setup.executeScript(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY);"
                                                   "INSERT INTO %1 VALUES (1), (2);")
                                        .arg(table)));
        }
        orm::Registry registry(url);
        registry.addExtra(QStringLiteral("doomed"), extraUrl);
        MainWindow window(&registry);
        window.setPasswordKeeper({[](const QString &, const QString &, QString *) { return true; },
                                  [](const QString &) { return true; }});
        window.setSavedConnectionsPath(dir.filePath(QStringLiteral("connections.json")));
        strata::ui::SavedConnections saved(window.savedConnectionsPath());
        saved.put({QStringLiteral("doomed"), strata::ui::withoutPassword(extraUrl), false});
        saved.save();
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        const QStringList primarySchemas = switcherItems(window);
        const QString primarySchema = window.activeSchema();

        window.connectionAction(QStringLiteral("doomed"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(1), 10000);
        QCOMPARE(window.openedModel(), table);
        const QPointer<orm::Database> doomed = registry.database(QStringLiteral("doomed"));
        QVERIFY(!window.connectionAction(QString())->isChecked());

        QSignalSpy activeChanged(&window, &MainWindow::activeDatabaseChanged);
        QVERIFY(window.removeSavedConnection(QStringLiteral("doomed")));
        // At once, before any event is processed.
        QVERIFY(registry.extraNames().isEmpty());
        QVERIFY(!menuLists(window, QStringLiteral("doomed")));
        QVERIFY(!treeShows(window, QStringLiteral("doomed")));
        QCOMPARE(window.activeDatabase(), QString());
        QCOMPARE(activeChanged.count(), 1);
        QCOMPARE(activeChanged.at(0).at(0).toString(), QString());
        QVERIFY(window.connectionAction(QString())->isChecked());
        QCOMPARE(window.activeSchema(), primarySchema);
        QCOMPARE(switcherItems(window), primarySchemas);
        QVERIFY(window.openedModel().isEmpty());
        QVERIFY(!window.rowSource());
        QVERIFY(window.logPane()->lines().join(u'\n').contains(QStringLiteral("doomed")));
        // Then its connections close and it is deleted.
        QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), 10000);
        saved.load();
        QVERIFY(saved.connections().isEmpty());
        strata::test::await(registry.disconnect(true));
        orm::Database cleanup(extraUrl);
        strata::test::await(cleanup.executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
    }

    // Removing a saved connection while its model is still loading in the grid: its fields being
    // read, or its rows and row count running (on a view that takes seconds to read). Nothing
    // crashes and nothing is asked: the window falls back to the primary at once, the work under
    // way ends without an error line, and the database is deleted.
    void removingADatabaseWhileItsModelLoads_data()
    {
        QTest::addColumn<bool>("rowsLoading");
        // Removed right after openModel(): while its fields are read (or, when a pooled SQLite
        // connection answered the catalog at once, while its rows load).
        QTest::newRow("fields loading") << false;
        QTest::newRow("rows loading") << true;
    }

    void removingADatabaseWhileItsModelLoads()
    {
        STRATA_BACKEND_URL(url);
        QFETCH(bool, rowsLoading);
        const bool postgres = backend == QLatin1String("postgres");
        QTemporaryDir dir;
        const QString view = strata::test::uniqueName(QStringLiteral("slow"));
        const QString extraUrl = strata::test::urlFor(backend, "slow");
        {
            // PostgreSQL sleeps, SQLite counts through a recursive CTE: seconds either way.
            const QString body =
                postgres ? QStringLiteral("SELECT 1 AS id FROM pg_sleep(4)")
                         : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + "
                                          "1 FROM c WHERE x < 6000000) SELECT max(x) AS id FROM c");
            orm::Database setup(extraUrl);
            strata::test::await(
                setup.executeScript(QStringLiteral("CREATE VIEW %1 AS %2").arg(view, body)));
        }
        orm::Registry registry(url);
        registry.addExtra(QStringLiteral("slow"), extraUrl);
        MainWindow window(&registry);
        window.setPasswordKeeper({[](const QString &, const QString &, QString *) { return true; },
                                  [](const QString &) { return true; }});
        window.setSavedConnectionsPath(dir.filePath(QStringLiteral("connections.json")));
        strata::ui::SavedConnections saved(window.savedConnectionsPath());
        saved.put({QStringLiteral("slow"), strata::ui::withoutPassword(extraUrl), false});
        saved.save();
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        const QString primarySchema = window.activeSchema();

        window.connectionAction(QStringLiteral("slow"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QStringLiteral("slow"), window.activeSchema()).contains(view),
            10000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        window.openModel(view);
        if (rowsLoading) {
            QTRY_VERIFY_WITH_TIMEOUT(window.rowSource(), 10000);
            QVERIFY(window.gridModel()->isLoading());
            QVERIFY(window.gridModel()->isCounting());
        } else {
            QVERIFY(window.isBusy());
        }
        const QPointer<orm::Database> doomed = registry.database(QStringLiteral("slow"));
        const qsizetype logged = window.logPane()->lines().size();

        MessageBoxAnswerer answer(QMessageBox::NoButton); // would dismiss any box that opened
        QVERIFY(window.removeSavedConnection(QStringLiteral("slow")));
        QVERIFY(registry.extraNames().isEmpty());
        QVERIFY(!menuLists(window, QStringLiteral("slow")));
        QCOMPARE(window.activeDatabase(), QString());
        QCOMPARE(window.activeSchema(), primarySchema);
        QVERIFY(window.openedModel().isEmpty());
        QVERIFY(!window.rowSource());
        // Its connections close (statements cancelled), it is deleted, the work under way ends.
        QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QCOMPARE(answer.seen, 0);
        const QStringList lines = window.logPane()->lines().mid(logged);
        QVERIFY2(lines.join(u'\n').contains(QStringLiteral("slow: removed")),
                 qPrintable(lines.join(u'\n')));
        for (const QString &line : lines)
            QVERIFY2(!line.contains(QStringLiteral("  error  ")), qPrintable(line));
        // The primary still works.
        QCOMPARE(strata::test::await(registry.database()->execute(QStringLiteral("SELECT 5")))
                     .value(0, 0)
                     .toInt(),
                 5);
        strata::test::await(registry.disconnect(true));
        orm::Database cleanup(extraUrl);
        strata::test::await(cleanup.executeScript(QStringLiteral("DROP VIEW %1").arg(view)));
    }

    // Removing or editing a saved connection whose open database has console transactions
    // holding uncommitted work asks first, naming them; No keeps the database and the file as
    // they were, Yes goes on. Work on another database is not asked about.
    void closingAnExtraAsksWhileItsWorkIsUncommitted()
    {
        STRATA_BACKEND_URL(url);
        QTemporaryDir dir;
        const QString busyUrl = strata::test::urlFor(backend, "busy");
        const QString calmUrl = strata::test::urlFor(backend, "calm");
        orm::Registry registry(url);
        registry.addExtra(QStringLiteral("busy"), busyUrl);
        registry.addExtra(QStringLiteral("calm"), calmUrl);
        MainWindow window(&registry);
        window.setPasswordKeeper({[](const QString &, const QString &, QString *) { return true; },
                                  [](const QString &) { return true; }});
        strata::ui::SavedConnections saved(dir.filePath(QStringLiteral("connections.json")));
        saved.put({QStringLiteral("busy"), strata::ui::withoutPassword(busyUrl), false});
        saved.put({QStringLiteral("calm"), strata::ui::withoutPassword(calmUrl), false});
        saved.save();
        window.setSavedConnectionsPath(saved.path()); // the menus list what the file holds
        const QPointer<orm::Database> busy = registry.database(QStringLiteral("busy"));
        window.setUncommittedWorkProbe([&](const orm::Database *database) {
            return database == busy.data() ? QStringList{QStringLiteral("console tab 3")}
                                           : QStringList();
        });
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        const auto removeAction = [&](const QString &name) {
            return window.findChild<QAction *>(QStringLiteral("remove_%1").arg(name));
        };
        QVERIFY(removeAction(QStringLiteral("busy")));

        {
            MessageBoxAnswerer answer(QMessageBox::No);
            removeAction(QStringLiteral("busy"))->trigger();
            QCOMPARE(answer.seen, 1);
            QVERIFY2(answer.text.contains(QStringLiteral("console tab 3")) &&
                         answer.text.contains(QStringLiteral("uncommitted")),
                     qPrintable(answer.text));
        }
        QCOMPARE(registry.extraNames(), (QStringList{"busy", "calm"}));
        {
            MessageBoxAnswerer answer(QMessageBox::No);
            QVERIFY(!window.saveConnection(
                {QStringLiteral("busy"), strata::ui::withoutPassword(calmUrl), false}, QString(),
                QStringLiteral("busy")));
            QCOMPARE(answer.seen, 1);
            QVERIFY2(answer.text.contains(QStringLiteral("console tab 3")),
                     qPrintable(answer.text));
        }
        QCOMPARE(registry.database(QStringLiteral("busy")), busy.data());
        saved.load();
        QCOMPARE(saved.connections().size(), 2);
        QCOMPARE(saved.connections().first().name, QStringLiteral("busy"));
        QCOMPARE(saved.connections().first().url, strata::ui::withoutPassword(busyUrl));

        {
            // The other database: asked only the usual question, which mentions no work.
            MessageBoxAnswerer answer(QMessageBox::Yes);
            removeAction(QStringLiteral("calm"))->trigger();
            QCOMPARE(answer.seen, 1);
            QVERIFY2(!answer.text.contains(QStringLiteral("console tab")), qPrintable(answer.text));
        }
        QCOMPARE(registry.extraNames(), QStringList{"busy"});
        {
            MessageBoxAnswerer answer(QMessageBox::Yes);
            removeAction(QStringLiteral("busy"))->trigger();
            QCOMPARE(answer.seen, 1);
        }
        QVERIFY(registry.extraNames().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(busy.isNull(), 10000);
        strata::test::await(registry.disconnect(true));
    }

    // Closing the window asks first while the probe reports uncommitted work: No (or Escape)
    // keeps the window open, Yes closes it; with nothing reported it closes without a question.
    void quitAsksWhileWorkIsUncommitted()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        MainWindow window(&registry);
        int probed = 0;
        window.setUncommittedWorkProbe([&probed](const orm::Database *database) {
            if (database)
                return QStringList();
            ++probed;
            return QStringList{QStringLiteral("console tab 2")};
        });
        window.show();
        {
            MessageBoxAnswerer answer(QMessageBox::No);
            QVERIFY(!window.close());
            QCOMPARE(answer.seen, 1);
            QVERIFY2(answer.text.contains(QStringLiteral("console tab 2")),
                     qPrintable(answer.text));
            QVERIFY(window.isVisible());
        }
        {
            MessageBoxAnswerer answer(QMessageBox::NoButton); // Escape
            QVERIFY(!window.close());
            QCOMPARE(answer.seen, 1);
            QVERIFY(window.isVisible());
        }
        {
            MessageBoxAnswerer answer(QMessageBox::Yes);
            QVERIFY(window.close());
            QCOMPARE(answer.seen, 1);
            QVERIFY(!window.isVisible());
        }
        QCOMPARE(probed, 3);
    }

    void quitWithoutUncommittedWorkDoesNotAsk()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        {
            MainWindow window(&registry); // no probe set
            window.show();
            MessageBoxAnswerer answer(QMessageBox::No); // would keep it open, were it asked
            QVERIFY(window.close());
            QCOMPARE(answer.seen, 0);
        }
        MainWindow window(&registry);
        int probed = 0;
        window.setUncommittedWorkProbe([&probed](const orm::Database *database) {
            if (database)
                return QStringList();
            ++probed;
            return QStringList();
        });
        window.show();
        MessageBoxAnswerer answer(QMessageBox::No);
        QVERIFY(window.close());
        QCOMPARE(answer.seen, 0);
        QCOMPARE(probed, 1);
        QVERIFY(!window.isVisible());
    }

    // Quitting (the window closes, the lifespan disconnects) leaves no connection open:
    // PostgreSQL: no backend with our application_name in pg_stat_activity; SQLite: the file's
    // -wal is gone, which SQLite does only when its last connection closes.
    void quittingLeavesNoConnectionOpen()
    {
        STRATA_BACKEND_URL(url);
        const bool postgres = backend == QLatin1String("postgres");
        const QString application = strata::test::uniqueName(QStringLiteral("strata_quit"));
        const QString appUrl = postgres ? url + (url.contains(u'?') ? u'&' : u'?') +
                                              QStringLiteral("application_name=") + application
                                        : url;
        const QString table = strata::test::uniqueName(QStringLiteral("quit"));
        {
            orm::Database setup(url);
            strata::test::await(setup.executeScript(
                QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT);"
                               "INSERT INTO %1 VALUES (1, 'a'), (2, 'b'), (3, 'c');")
                    .arg(table)));
        }
        // PostgreSQL: watches from its own connection. SQLite: must not hold the file open.
        orm::Database observer(url);
        if (postgres)
            strata::test::await(observer.connect());
        const auto serverConnections = [&] {
            const orm::Result result = strata::test::await(observer.execute(
                QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"),
                {application}));
            return result.value(0, 0).toLongLong();
        };

        auto *registry = new orm::Registry(appUrl);
        registry->addExtra(QStringLiteral("second"), appUrl);
        orm::Lifespan::Options options;
        options.hooks = orm::Lifespan::Hooks::None; // the test plays the application's part
        orm::Lifespan *lifespan = orm::Lifespan::bind(registry, qApp, options);
        auto *window = new MainWindow(registry);
        window->show();
        strata::test::await(lifespan->startup());
        QTRY_VERIFY_WITH_TIMEOUT(!window->activeSchema().isEmpty(), 10000);
        // Everything that holds a connection at some point: the tree, the grid's pages and its
        // count, a second database.
        window->openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window->gridModel()->isRowLoaded(2), 10000);
        window->setActiveDatabase(QStringLiteral("second"));
        QTRY_VERIFY_WITH_TIMEOUT(!window->activeSchema().isEmpty(), 10000);
        const QString primaryPath = postgres ? QString() : orm::DatabaseUrl::parse(url).path();
        if (postgres)
            QVERIFY(serverConnections() >= 2);
        else
            QVERIFY(QFile::exists(primaryPath + QStringLiteral("-wal")));

        // Quit: the window closes, the lifespan disconnects (as aboutToQuit runs it).
        QVERIFY(window->close());
        strata::test::await(lifespan->shutdown());
        delete window;
        // Every connection to the file is closed (no descriptor of this process points at it).
        if (!postgres) {
            QDir fds(QStringLiteral("/proc/self/fd"));
            for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries))
                QVERIFY2(!QFile::symLinkTarget(fds.filePath(fd)).startsWith(primaryPath),
                         qPrintable(QFile::symLinkTarget(fds.filePath(fd))));
            // Regression: SqliteConnection::close() used to sqlite3_interrupt() the idle handle
            // and leave the interrupt pending, so sqlite3_close's WAL checkpoint aborted and
            // -wal/-shm stayed although every connection had closed (fixed in orm, 7997b3b).
        }
        if (postgres)
            QTRY_COMPARE_WITH_TIMEOUT(serverConnections(), 0, 5000);
        else
            QVERIFY2(!QFile::exists(primaryPath + QStringLiteral("-wal")),
                     "a connection to the SQLite file is still open after quitting");
        delete lifespan;
        delete registry;
        strata::test::await(observer.execute(QStringLiteral("DROP TABLE %1").arg(table)));
        if (postgres)
            strata::test::await(observer.disconnect());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
