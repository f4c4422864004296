// The console's transactions and read-only mode: manual transactions, failed ones shown and
// ended, leaving manual mode, read-only in and across transactions, an unread result inside a
// transaction.
#include "console_fixture.h"

using namespace strata;
using test::MessageBoxAnswerer;

class TestConsoleTransactions : public test::ConsoleFixture {
    Q_OBJECT

private slots:
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

    // A database that takes no changes (PostgreSQL: the hot standby; SQLite: a file opened
    // read-only) makes the console read-only, says why, and Read-only cannot be turned off;
    // aimed back at a writable database the console takes changes again.
    void aDatabaseThatTakesNoChangesMakesTheConsoleReadOnly()
    {
        QString url;
        if (isPg()) {
            url = qEnvironmentVariable("STRATA_TEST_PG_STANDBY_URL");
            if (url.isEmpty()) {
                if (qEnvironmentVariableIsSet("CI"))
                    QFAIL("STRATA_TEST_PG_STANDBY_URL is not set: this must not skip in CI");
                QSKIP("no standby (run through `make test`)");
            }
        } else {
            const QString file = test::urlFor(m_backend, QStringLiteral("readonly"));
            orm::Database writer(file);
            test::await(writer.executeScript(QStringLiteral("CREATE TABLE kept (n integer)")));
            url = file.section(QLatin1Char('?'), 0, 0) + QStringLiteral("?mode=ro");
        }
        orm::Database target(url);
        test::await(target.connect());
        QVERIFY(target.isReadOnly());
        auto tab = newTab();
        QAction *readOnly = action(tab.get(), "readOnlyAction");
        tab->setTarget(&target, {});
        QVERIFY(readOnly->isChecked());
        QVERIFY(!readOnly->isEnabled());
        QVERIFY2(tab->messages().contains(QStringLiteral("The database takes no changes")),
                 qPrintable(tab->messages()));
        const QString table = test::uniqueName(QStringLiteral("on_replica"));
        QVERIFY(
            !test::await(tab->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table), 0)));
        QVERIFY2(lastMessage(tab.get()).contains(QStringLiteral("the database takes no changes")),
                 qPrintable(tab->messages()));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 1"), 0)));

        tab->setTarget(db(), {});
        QVERIFY(readOnly->isEnabled());
        QVERIFY(!readOnly->isChecked());
        QVERIFY(test::await(
            tab->run(QStringLiteral("CREATE TABLE %1 (n integer); DROP TABLE %1").arg(table), 0)));
        tab.reset();
        QTest::qWait(50);
        test::await(target.disconnect(true));
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
        QTRY_VERIFY2(!tab->session()->isTransactionOpen(), qPrintable(tab->messages()));
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
};

QTEST_MAIN(TestConsoleTransactions)
#include "tst_console_transactions.moc"
