// The console's history and completion: re-running and searching history, history and tabs
// across restarts, the names completion offers and how they follow DDL.
#include "console_fixture.h"

using namespace strata;
using test::MessageBoxAnswerer;

class TestConsoleHistoryCompletion : public test::ConsoleFixture {
    Q_OBJECT

private slots:
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

        // Double-click puts the entry into the editor at the cursor, as an undoable edit, and
        // runs nothing.
        pane.historySearch()->setText(token + QStringLiteral("_first"));
        QCOMPARE(list->count(), 1);
        const QString script = QStringLiteral("SELECT 'something else';");
        tab->setText(script);
        tab->editor()->setCursorIndex(int(script.size()));
        QSignalSpy historyChanged(tab, &ui::ConsoleTab::historyChanged);
        QSignalSpy finished(tab, &ui::ConsoleTab::runFinished);
        const int resultsBefore = tab->resultCount();
        const QRect rect = list->visualItemRect(list->item(0));
        QVERIFY(rect.isValid());
        // A double-click as the window system delivers it: press and release, then the second
        // press as a double-click and its release.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(tab->text(), script + u'\n' + first);
        QVERIFY(tab->editor()->hasFocus() || !QApplication::focusWindow());
        // A run, even one queued by the click, would be running once the queue is empty.
        QCoreApplication::processEvents();
        QVERIFY(!tab->isRunning());
        QCOMPARE(historyChanged.count(), 0);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(tab->resultCount(), resultsBefore);
        QCOMPARE(list->count(), 1); // nothing new ran, so nothing new in history
        // Ctrl+Z takes it out again, leaving the script as it was.
        tab->editor()->undo();
        QCOMPARE(tab->text(), script);
        // Over a selection it replaces the selection; Run then runs it.
        tab->editor()->selectAll();
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(tab->text(), first);
        tab->runAll();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(finished.first().first().toBool(), true);
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), token + QStringLiteral("_first"));
        // The run is history, and the filter still applies.
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

        // A name typed in full with the list showing: Enter is a new line, not swallowed.
        editor->setText(QStringLiteral("SELECT alpha_col FROM ") + table);
        editor->setCursorIndex(int(editor->text().size()));
        editor->autoCompleteFromAPIs();
        QVERIFY(editor->isListActive());
        QTest::keyClick(editor, Qt::Key_Return);
        QVERIFY(!editor->isListActive());
        QCOMPARE(editor->text(), typed + u'\n');
        // A prefix still completes with Enter.
        editor->setText(QStringLiteral("SELECT alpha_col FROM ") + table.left(table.size() - 2));
        editor->setCursorIndex(int(editor->text().size()));
        editor->autoCompleteFromAPIs();
        QVERIFY(editor->isListActive());
        QTest::keyClick(editor, Qt::Key_Return);
        QCOMPARE(editor->text(), typed);

        if (isPg())
            test::await(db()->executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schema)));
    }

    // Tables created (or dropped) in the console are offered (or no longer) once the statement
    // ran, without reconnecting; a result still being read is left alone.
    // Hundreds of tenants with the same tables: each table is offered once, never once per
    // tenant; after "tenant." its tables, after "table." its columns (any case).
    void completionDoesNotMultiplyPerTenant()
    {
        QStringList names;
        for (int t = 0; t < 300; ++t) {
            const QString tenant = QStringLiteral("tenant_%1").arg(t);
            names << tenant << QStringLiteral("orders") << QStringLiteral("invoices")
                  << tenant + QStringLiteral(".orders") << tenant + QStringLiteral(".invoices")
                  << QStringLiteral("amount") << QStringLiteral("orders.amount");
        }
        names << QStringLiteral("tenant_7.refunds"); // one tenant that differs
        ui::SqlEditor editor;
        editor.setCatalogNames(names);
        QsciAbstractAPIs *apis = editor.lexer()->apis();
        QStringList offered;
        apis->updateAutoCompletionList({QStringLiteral("or")}, offered);
        QCOMPARE(offered.count(QStringLiteral("orders")), 1); // beside the keywords OR, ORDER
        for (const QString &word : std::as_const(offered))
            QVERIFY2(!word.contains(QLatin1Char('.')), qPrintable(word));
        QCOMPARE(offered.size(), 3);
        offered.clear();
        apis->updateAutoCompletionList({QStringLiteral("tenant_29")}, offered);
        QCOMPARE(offered.size(), 11); // tenant_29 and tenant_290 to 299, not their tables
        for (const QString &word : std::as_const(offered))
            QVERIFY2(!word.contains(QLatin1Char('.')), qPrintable(word));
        offered.clear();
        apis->updateAutoCompletionList({QStringLiteral("Tenant_7"), QString()}, offered);
        QCOMPARE(offered, (QStringList{"invoices", "orders", "refunds"}));
        offered.clear();
        apis->updateAutoCompletionList({QStringLiteral("tenant_8"), QStringLiteral("re")}, offered);
        QVERIFY(offered.isEmpty());
        offered.clear();
        apis->updateAutoCompletionList({QStringLiteral("orders"), QStringLiteral("am")}, offered);
        QCOMPARE(offered, QStringList({QStringLiteral("amount")}));
        // An alias the catalog does not know: the plain names.
        offered.clear();
        apis->updateAutoCompletionList({QStringLiteral("o"), QStringLiteral("amo")}, offered);
        QCOMPARE(offered, QStringList({QStringLiteral("amount")}));
    }

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
};

QTEST_MAIN(TestConsoleHistoryCompletion)
#include "tst_console_history_completion.moc"
