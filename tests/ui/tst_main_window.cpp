// The real window on real databases (SQLite and PostgreSQL): the tree follows the Connections
// menu, the grid fills, sorting and filtering change the SQL that runs and the rows shown,
// switching schema changes the rows, a failed extra shows as failed, quitting asks while work is
// uncommitted and closes everything. Saved connections: tst_main_window_saved.cpp.

#include "main_window_fixture.h"

#include <QScrollBar>

class TestMainWindow : public QObject {
    Q_OBJECT

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

    // Every column type gets a filter that runs, or one refused before anything runs: text
    // matching on enums, arrays, tsvector, inet and interval (their text form), a partial date
    // on dates and timestamps meaning that period, "a..b" including the whole end day.
    void everyColumnTypeFilters()
    {
        STRATA_BACKEND_URL(url);
        const bool postgres = backend == QLatin1String("postgres");
        const QString table = strata::test::uniqueName(QStringLiteral("types"));
        const QString mood = strata::test::uniqueName(QStringLiteral("mood"));
        orm::Registry registry(url);
        if (postgres)
            strata::test::await(registry.database()->executeScript(
                QStringLiteral(
                    "CREATE TYPE %2 AS ENUM ('sad', 'happy');"
                    "CREATE TABLE %1 (id INTEGER PRIMARY KEY, label VARCHAR(20), at TIMESTAMP, "
                    "day DATE, mood %2, tags TEXT[], doc TSVECTOR, addr INET, span INTERVAL, "
                    "atz TIMESTAMPTZ);"
                    "INSERT INTO %1 VALUES "
                    "(1, 'Alpha', '2022-05-03 10:00', '2022-05-03', 'happy', '{red,green}', "
                    "to_tsvector('simple', 'quick fox'), '10.0.0.1', '1 day', "
                    "'2022-05-03 10:00+00'),"
                    "(2, 'beta', '2022-12-31 23:30', '2022-12-31', 'sad', '{blue}', "
                    "to_tsvector('simple', 'lazy dog'), '192.168.1.7', '2 hours', "
                    "'2022-08-01 12:00+00'),"
                    "(3, 'Gamma', '2023-01-01 00:00', '2023-01-01', 'happy', '{}', "
                    "to_tsvector('simple', 'slow cat'), '10.1.2.3', '3 days', "
                    "'2023-03-01 12:00+00');")
                    .arg(table, mood)));
        else
            strata::test::await(registry.database()->executeScript(
                QStringLiteral(
                    "CREATE TABLE %1 (id INTEGER PRIMARY KEY, label VARCHAR(20), at TIMESTAMP, "
                    "day DATE);"
                    "INSERT INTO %1 VALUES (1, 'Alpha', '2022-05-03 10:00:00', '2022-05-03'),"
                    "(2, 'beta', '2022-12-31 23:30:00', '2022-12-31'),"
                    "(3, 'Gamma', '2023-01-01 00:00:00', '2023-01-01');")
                    .arg(table)));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(table), 10000);
        window.openModel(table);
        strata::ui::GridModel *grid = window.gridModel();
        QTRY_VERIFY_WITH_TIMEOUT(grid->isCountKnown(), 10000);
        QCOMPARE(grid->totalRows(), 3);

        // The rows one filter typed into a column's editor leaves, or -1 if it failed.
        const auto rowsWith = [&](const QString &column, const QString &text) -> qint64 {
            int index = -1;
            for (int c = 0; c < grid->columnCount(); ++c)
                if (grid->headerData(c, Qt::Horizontal).toString() == column)
                    index = c;
            QLineEdit *editor = window.grid()->filterEditor(index);
            if (!editor)
                return -2;
            editor->setText(text);
            QTest::keyClick(editor, Qt::Key_Return);
            if (!window.grid()->filterError(index).isEmpty())
                return -3;
            const bool settled =
                QTest::qWaitFor([&] { return !grid->isCounting() && !grid->isLoading(); }, 10000);
            const qint64 rows = settled && grid->lastError().isEmpty() && grid->isCountKnown()
                                    ? grid->totalRows()
                                    : -1;
            editor->clear(); // applies the empty filter: every row again
            if (!QTest::qWaitFor([&] { return grid->isCountKnown() && !grid->isLoading(); }, 10000))
                qWarning("the grid did not settle after its filter was cleared");
            return rows;
        };
        QCOMPARE(rowsWith(QStringLiteral("label"), QStringLiteral("alp")), 1);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("2022")), 2);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("2022-05")), 1);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("2022-12-31")), 1);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("2022-05-03..2022-12-31")), 2);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral(">2022")), 1);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("<=2022")), 2);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("<2022-12-31")), 1);
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("!2022")), 1);
        QCOMPARE(rowsWith(QStringLiteral("day"), QStringLiteral("2022-05-03..2022-12-31")), 2);
        QCOMPARE(rowsWith(QStringLiteral("day"), QStringLiteral("2023")), 1);
        // Not a date: refused on the editor, nothing runs.
        QCOMPARE(rowsWith(QStringLiteral("at"), QStringLiteral("soon")), -3);
        QVERIFY(grid->lastError().isEmpty());
        if (postgres) {
            QCOMPARE(rowsWith(QStringLiteral("mood"), QStringLiteral("app")), 2);
            QCOMPARE(rowsWith(QStringLiteral("mood"), QStringLiteral("=sad")), 1);
            QCOMPARE(rowsWith(QStringLiteral("tags"), QStringLiteral("blue")), 1);
            QCOMPARE(rowsWith(QStringLiteral("doc"), QStringLiteral("fox")), 1);
            QCOMPARE(rowsWith(QStringLiteral("addr"), QStringLiteral("10.")), 2);
            QCOMPARE(rowsWith(QStringLiteral("span"), QStringLiteral("day")), 2);
            QCOMPARE(rowsWith(QStringLiteral("atz"), QStringLiteral("2022")), 2);
            QCOMPARE(rowsWith(QStringLiteral("atz"), QStringLiteral("2022-08")), 1);
        }
        QVERIFY(!window.logPane()->lines().join(u'\n').contains(QStringLiteral("ERROR")));
        strata::test::await(registry.database()->executeScript(
            postgres ? QStringLiteral("DROP TABLE %1; DROP TYPE %2;").arg(table, mood)
                     : QStringLiteral("DROP TABLE %1").arg(table)));
        strata::test::await(registry.disconnect(true));
    }

    // Double-clicking a table in the tree opens it once (one query for its first page, one
    // count) and leaves its node folded as it was; a schema node still folds with it.
    void doubleClickOpensATableOnce()
    {
        STRATA_BACKEND_URL(url);
        const QString table = strata::test::uniqueName(QStringLiteral("dbl"));
        orm::Registry registry(url);
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY); INSERT INTO %1 VALUES (1);")
                .arg(table)));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(table), 10000);
        QTreeView *tree = window.tree();
        QModelIndex node;
        QTRY_VERIFY_WITH_TIMEOUT((node =
                                      [&] {
                                          const QModelIndexList hits = tree->model()->match(
                                              tree->model()->index(0, 0), Qt::DisplayRole, table, 1,
                                              Qt::MatchStartsWith | Qt::MatchRecursive);
                                          return hits.value(0);
                                      }())
                                     .isValid(),
                                 10000);
        tree->scrollTo(node);
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        QSignalSpy queries(window.gridModel(), &strata::ui::GridModel::queryChanged);
        const bool expandedBefore = tree->isExpanded(node);
        const QPoint at = tree->visualRect(node).center();
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown() && !window.isBusy(), 10000);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(queries.count(), 1);
        QCOMPARE(window.gridModel()->stats().first, 1);
        QCOMPARE(tree->isExpanded(node), expandedBefore);

        // A schema node: a double-click folds it.
        const QModelIndex schema = node.parent();
        QVERIFY(tree->isExpanded(schema));
        const QPoint schemaAt = tree->visualRect(schema).center();
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, schemaAt);
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, schemaAt);
        QVERIFY(!tree->isExpanded(schema));
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        strata::test::await(registry.disconnect(true));
    }

    // A table opened after another starts at its first column, wherever the previous one was
    // scrolled to.
    void newTableStartsAtItsFirstColumn()
    {
        STRATA_BACKEND_URL(url);
        const QString wide = strata::test::uniqueName(QStringLiteral("wide"));
        const QString other = strata::test::uniqueName(QStringLiteral("next"));
        QStringList columns;
        for (int c = 1; c <= 30; ++c)
            columns << QStringLiteral("c%1 TEXT").arg(c);
        orm::Registry registry(url);
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, %2); INSERT INTO %1 (id) "
                           "VALUES (1); CREATE TABLE %3 (id INTEGER PRIMARY KEY, %2); INSERT "
                           "INTO %3 (id) VALUES (1);")
                .arg(wide, columns.join(QStringLiteral(", ")), other)));
        MainWindow window(&registry);
        window.resize(900, 600);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), window.activeSchema()).contains(other), 10000);
        window.openModel(wide);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0), 10000);
        QScrollBar *across = window.grid()->table()->horizontalScrollBar();
        QTRY_VERIFY(across->maximum() > 0);
        across->setValue(across->maximum());
        QVERIFY(across->value() > 0);
        window.openModel(other);
        QTRY_COMPARE_WITH_TIMEOUT(window.openedModel(), other, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0), 10000);
        QCOMPARE(across->value(), 0);
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("DROP TABLE %1; DROP TABLE %2;").arg(wide, other)));
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

    // Panes come through addPane: the log and the model tree are two, under the names tests and
    // the application use; another bottom pane joins the log's tabs, and each pane has its
    // toggle in the View menu.
    void panesAreAddedThroughOneCall()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        MainWindow window(&registry);
        auto *logDock = window.findChild<QDockWidget *>(QStringLiteral("logDock"));
        auto *modelDock = window.findChild<QDockWidget *>(QStringLiteral("modelDock"));
        QVERIFY(logDock && modelDock);
        QCOMPARE(logDock->widget(), window.logPane());
        QCOMPARE(window.dockWidgetArea(logDock), Qt::BottomDockWidgetArea);
        QCOMPARE(window.dockWidgetArea(modelDock), Qt::LeftDockWidgetArea);
        QVERIFY(modelDock->isAncestorOf(window.tree()));

        auto *extra = new QLabel(QStringLiteral("extra"));
        QDockWidget *dock = window.addPane(QStringLiteral("extraDock"), QStringLiteral("Extra"),
                                           extra, Qt::BottomDockWidgetArea);
        QCOMPARE(dock->objectName(), QStringLiteral("extraDock"));
        QCOMPARE(dock->widget(), extra);
        QCOMPARE(window.findChild<QDockWidget *>(QStringLiteral("extraDock")), dock);
        QCOMPARE(window.tabifiedDockWidgets(logDock), QList<QDockWidget *>{dock});

        QMenu *view = nullptr;
        for (QAction *action : window.menuBar()->actions())
            if (action->menu() && action->text() == QStringLiteral("&View"))
                view = action->menu();
        QVERIFY(view);
        const QList<QAction *> entries = view->actions();
        QCOMPARE(entries.mid(0, 3),
                 (QList<QAction *>{logDock->toggleViewAction(), modelDock->toggleViewAction(),
                                   dock->toggleViewAction()}));
        QVERIFY(entries.size() > 3); // the grid's entries follow the panes'
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
