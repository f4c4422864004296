// Running in the console: a query, the selection and the statement under the cursor, a script's
// result tabs, cancelling, errors marked in the editor, the active schema, and a large result
// read lazily.
#include "console_fixture.h"

using namespace strata;
using test::MessageBoxAnswerer;

class TestConsoleRun : public test::ConsoleFixture {
    Q_OBJECT

private slots:
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

    // A statement holding %1 or %2 is quoted as typed: the lines were built with chained
    // QString::arg, which read the statement's own markers as theirs (issue 13).
    void messagesQuoteStatementsAsTyped()
    {
        auto tab = newTab();
        const QString table = test::uniqueName(QStringLiteral("console_percent"));
        const QString create = QStringLiteral("CREATE TABLE %1 (t text)").arg(table);
        const QString insert =
            QStringLiteral("INSERT INTO ") + table + QStringLiteral(" VALUES ('%1 %2 %L3')");
        const QString select = QStringLiteral("SELECT '%2%1' AS p, t FROM ") + table;
        QVERIFY(test::await(tab->run(create + QStringLiteral(";\n") + insert +
                                         QStringLiteral(";\n") + select + QStringLiteral(";"),
                                     0)));
        const QString messages = tab->messages();
        QVERIFY2(messages.contains(insert + QStringLiteral("; — 1 row(s) affected")),
                 qPrintable(messages));
        QVERIFY2(messages.contains(QStringLiteral("Result 1: ") + select + QStringLiteral(";")),
                 qPrintable(messages));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("%2%1"));
        QCOMPARE(cell(tab->result(0), 0, 1), QStringLiteral("%1 %2 %L3"));
        QVERIFY(test::await(tab->run(QStringLiteral("DROP TABLE ") + table, 0)));
    }

    // RAISE NOTICE and the server's warnings show in Messages, as psql prints them.
    void noticesShowInMessages()
    {
        if (!isPg())
            QSKIP("SQLite has no server notices");
        auto tab = newTab();
        QVERIFY(test::await(
            tab->run(QStringLiteral("DO $$ BEGIN RAISE NOTICE 'counted %', 3; "
                                    "RAISE WARNING 'careful' USING HINT = 'look first'; "
                                    "END $$;\nDROP TABLE IF EXISTS strata_never_there;"),
                     0)));
        const QString messages = tab->messages();
        QVERIFY2(messages.contains(QStringLiteral("NOTICE:  counted 3")), qPrintable(messages));
        QVERIFY2(messages.contains(QStringLiteral("WARNING:  careful\nHINT: look first")),
                 qPrintable(messages));
        QVERIFY2(messages.contains(QStringLiteral("NOTICE:  table \"strata_never_there\" does "
                                                  "not exist, skipping")),
                 qPrintable(messages));
        // Before the statement's own line: in the order the server said them.
        QVERIFY(messages.indexOf(QStringLiteral("counted 3")) <
                messages.indexOf(QStringLiteral("DO $$")));
    }

    // COPY ... TO STDOUT said nothing and showed nothing: now it says why.
    void copyToStdoutIsRefused()
    {
        if (!isPg())
            QSKIP("SQLite has no COPY");
        auto tab = newTab();
        QVERIFY(!test::await(tab->run(QStringLiteral("COPY (SELECT 1) TO STDOUT"), 0)));
        QVERIFY2(tab->messages().contains(QStringLiteral("COPY ... TO STDOUT is not supported")),
                 qPrintable(tab->messages()));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));
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
        // The time it has run so far shows while it runs, and goes when it ends.
        QTRY_VERIFY(tab->elapsedLabel()->text().contains(QStringLiteral("running")));
        QTRY_VERIFY(tab->elapsedLabel()->text().contains(QStringLiteral(" s")));
        QElapsedTimer timer;
        timer.start();
        QTest::keyClick(tab->editor(), Qt::Key_Escape);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(tab->messages().contains(QStringLiteral("Cancelled")));
        QVERIFY(tab->elapsedLabel()->text().isEmpty());
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
        // The toolbar says where its statements run.
        tab->setTargetName(QStringLiteral("pagila"));
        QCOMPARE(tab->targetLabel()->text().trimmed(),
                 QStringLiteral("on pagila · %1").arg(schema));
        QVERIFY(tab->targetLabel()->isVisible());
        QVERIFY(!tab->targetLabel()->toolTip().contains(QStringLiteral("password")));
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

QTEST_MAIN(TestConsoleRun)
#include "tst_console_run.moc"
