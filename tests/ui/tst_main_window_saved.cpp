// Saved connections through the real window on real databases (SQLite and PostgreSQL): added,
// edited and removed, they apply at once (menu, tree, switcher, grid, registry); removing one
// while its model loads ends quietly; closing an open database asks while its work is
// uncommitted.

#include "main_window_fixture.h"

#include <QInputDialog>

#include "orm/schema/reflection.h"

class TestMainWindowSaved : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    // Saved connections added and edited through the window apply at once: the registry gains
    // (and connects) the database, the Connections menu, the tree and the schema switcher show
    // it; an edit replaces it under its new name, keeping the password of the open one and
    // staying active. The password never shows in the log.
    // The saved connection opened as the primary keeps the user's name ("pagila") in the
    // tree, the Connections menu and the log, not the registry's "primary".
    void thePrimaryKeepsItsSavedName()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        orm::Lifespan::Options options;
        options.hooks = orm::Lifespan::Hooks::None;
        orm::Lifespan *lifespan = orm::Lifespan::bind(&registry, qApp, options);
        MainWindow window(&registry);
        window.setPrimaryConnectionName(QStringLiteral("pagila"));
        window.show();
        strata::test::await(lifespan->startup());
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.treeModel()->item(0)->text().startsWith(QStringLiteral("pagila — connected")),
            10000);
        QAction *entry = window.connectionAction(QString());
        QVERIFY(entry);
        QVERIFY2(entry->text().startsWith(QStringLiteral("pagila — connected")),
                 qPrintable(entry->text()));
        const QString log = window.logPane()->lines().join(u'\n');
        QVERIFY2(log.contains(QStringLiteral("pagila (")), qPrintable(log));
        QVERIFY2(!log.contains(QStringLiteral("primary (")), qPrintable(log));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        strata::test::await(lifespan->shutdown());
        delete lifespan;
    }

    // A saved PostgreSQL connection without a password: the window appears and connects; only
    // when the server says a password is needed does it ask, inside the window (window-modal,
    // nothing blocks), then connects with it and keeps it in the keyring. A wrong one asks
    // again; Cancel leaves the failure shown.
    void aPasswordIsAskedOnlyWhenTheServerWantsOne()
    {
        STRATA_BACKEND_URL(url);
        if (backend != QLatin1String("postgres"))
            return; // SQLite has no passwords
        const orm::DatabaseUrl pg = orm::DatabaseUrl::parse(url);
        const QString bare = QStringLiteral("postgresql://%1@127.0.0.1:%2/%3")
                                 .arg(pg.user())
                                 .arg(pg.port())
                                 .arg(pg.databaseName());
        QTemporaryDir dir;
        strata::ui::SavedConnections saved(dir.filePath(QStringLiteral("connections.json")));
        saved.put({QStringLiteral("shop"), bare, false});
        saved.save();

        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        registry.addExtra(QStringLiteral("shop"), bare);
        orm::Lifespan::Options options;
        options.hooks = orm::Lifespan::Hooks::None;
        orm::Lifespan *lifespan = orm::Lifespan::bind(&registry, qApp, options);
        MainWindow window(&registry);
        FakeKeyring fake;
        window.setPasswordKeeper(fake.keeper());
        window.setSavedConnectionsPath(saved.path());
        window.show();
        QVERIFY(!window.findChild<QInputDialog *>(QStringLiteral("passwordPrompt")));
        strata::test::await(lifespan->startup());
        orm::Database *shop = registry.database(QStringLiteral("shop"));
        QTRY_COMPARE_WITH_TIMEOUT(shop->state(), orm::Database::State::Failed, 10000);

        const auto prompt = [&window] {
            return window.findChild<QInputDialog *>(QStringLiteral("passwordPrompt"));
        };
        QTRY_VERIFY_WITH_TIMEOUT(prompt() && prompt()->isVisible(), 5000);
        QCOMPARE(prompt()->windowModality(), Qt::WindowModal);
        QVERIFY(prompt()->labelText().contains(QStringLiteral("shop")));
        // A wrong password: it fails again and asks again.
        prompt()->setTextValue(QStringLiteral("Zq9wrong"));
        prompt()->accept();
        QTRY_VERIFY_WITH_TIMEOUT(prompt() && prompt()->isVisible(), 10000);
        QCOMPARE(shop->state(), orm::Database::State::Failed);
        prompt()->setTextValue(pg.password());
        prompt()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(shop->state(), orm::Database::State::Connected, 10000);
        QCOMPARE(fake.entries.value(QStringLiteral("shop")), pg.password());
        const QString log = window.logPane()->lines().join(u'\n');
        QVERIFY(!log.contains(pg.password()));
        QVERIFY(!log.contains(QStringLiteral("Zq9wrong")));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        strata::test::await(lifespan->shutdown());

        // Cancel: the failure stays as it is, no prompt comes back.
        orm::Registry again(strata::test::urlFor(QStringLiteral("sqlite")));
        again.addExtra(QStringLiteral("shop"), bare);
        orm::Lifespan *second = orm::Lifespan::bind(&again, qApp, options);
        MainWindow other(&again);
        other.show();
        strata::test::await(second->startup());
        QTRY_VERIFY_WITH_TIMEOUT(other.findChild<QInputDialog *>(QStringLiteral("passwordPrompt")),
                                 10000);
        other.findChild<QInputDialog *>(QStringLiteral("passwordPrompt"))->reject();
        QTest::qWait(300);
        QVERIFY(!other.findChild<QInputDialog *>(QStringLiteral("passwordPrompt")));
        QCOMPARE(again.database(QStringLiteral("shop"))->state(), orm::Database::State::Failed);
        QTRY_VERIFY_WITH_TIMEOUT(!other.isBusy(), 10000);
        strata::test::await(second->shutdown());
        delete second;
        delete lifespan;
    }

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
        const QStringList before =
            postgres ? strata::test::await(orm::reflection::listSchemas(registry.database()))
                     : QStringList();
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
        // The primary's schemas and the edited one's are the same database's. Suites running
        // beside this one create and drop schemas on that server meanwhile, so what must show
        // is every schema that existed both before the edit and after the switcher filled.
        if (postgres) {
            const QStringList after =
                strata::test::await(orm::reflection::listSchemas(registry.database()));
            const QStringList shown = switcherItems(window);
            for (const QString &schema : before)
                if (after.contains(schema))
                    QVERIFY2(shown.contains(schema), qPrintable(schema));
        }
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
};

QTEST_MAIN(TestMainWindowSaved)
#include "tst_main_window_saved.moc"
