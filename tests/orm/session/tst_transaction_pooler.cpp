// The console behind a real PgBouncer in transaction pooling mode (with-postgres.sh starts it
// with 2 server connections), with other clients busy on the same pool, so that consecutive
// transactions really land on different server sessions. What the console chose (a schema,
// read-only) must hold for every statement, and nothing it sets may reach another client.

#include "await.h"
#include "backends.h"
#include "pool_neighbours.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/session/console_session.h"

#include <QTest>

#include <memory>

using namespace strata;

using test::bouncerUrl;

class TestTransactionPooler : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Database> m_direct; // for set-up and for checking what was written
    QString m_schema;
    QString m_table;

    // Each statement as the console's editor runs it (streamed: start, then batches) or as its
    // completion does (execute); the answer is the first cell, "ok", or "error SQLSTATE".
    QCoro::Task<QStringList> runAll(orm::ConsoleSession *session, QStringList statements,
                                    bool streamed)
    {
        QStringList answers;
        for (const QString &sql : statements) {
            try {
                if (!streamed) {
                    const orm::Result r = co_await session->execute(sql);
                    answers << (r.rowCount() > 0 ? r.text(0, 0) : QStringLiteral("ok"));
                    continue;
                }
                const quint64 stream = co_await session->start(sql, 100);
                QString first = QStringLiteral("ok");
                for (;;) {
                    const std::optional<orm::RowBatch> batch = co_await session->nextBatch(stream);
                    if (!batch)
                        break;
                    if (batch->rowCount() > 0 && first == QLatin1String("ok"))
                        first = batch->text(0, 0);
                }
                answers << first;
            } catch (const orm::Error &error) {
                answers << QStringLiteral("error ") + error.sqlState();
            }
        }
        co_return answers;
    }

    // Runs `statements` on `session` while three other clients hammer the pool.
    QStringList runBusy(orm::ConsoleSession *session, const QStringList &statements,
                        QStringList *leaks, bool streamed)
    {
        test::PoolNeighbours others;
        const QStringList answers = test::await(runAll(session, statements, streamed), 60000);
        *leaks << others.stop();
        return answers;
    }

private slots:
    void initTestCase()
    {
        STRATA_REQUIRE_PGBOUNCER();
        m_direct = std::make_unique<orm::Database>(test::postgresUrl());
        test::await(m_direct->connect());
        m_schema = test::uniqueName(QStringLiteral("Pooled Tenant"));
        m_table = test::uniqueName(QStringLiteral("pooled"));
        test::await(m_direct->executeScript(
            QStringLiteral("CREATE SCHEMA \"%1\"; CREATE TABLE \"%1\".%2 (n integer); "
                           "CREATE TABLE public.%2 (n integer);")
                .arg(m_schema, m_table)));
    }
    void cleanupTestCase()
    {
        if (!m_direct)
            return;
        test::await(m_direct->executeScript(
            QStringLiteral("DROP SCHEMA \"%1\" CASCADE; DROP TABLE public.%2;")
                .arg(m_schema, m_table)));
        test::await(m_direct->disconnect(true));
    }

    void init()
    {
        test::await(
            m_direct->executeScript(QStringLiteral("DELETE FROM \"%1\".%2; DELETE FROM public.%2;")
                                        .arg(m_schema, m_table)));
    }

    // 31 of 300 statements used to run outside the schema and outside read-only mode, the
    // "read-only" console wrote rows, and the other clients inherited its settings.
    void schemaAndReadOnlyHoldForEveryStatement_data()
    {
        QTest::addColumn<bool>("streamed");
        QTest::newRow("streamed") << true;
        QTest::newRow("executed") << false;
    }
    void schemaAndReadOnlyHoldForEveryStatement()
    {
        QFETCH(bool, streamed);
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        test::await(session.setReadOnly(true));
        QStringList statements;
        for (int i = 0; i < 60; ++i)
            statements << QStringLiteral("SELECT current_schema()")
                       << QStringLiteral("SELECT current_setting('transaction_read_only')")
                       << QStringLiteral("INSERT INTO %1 VALUES (%2)").arg(m_table).arg(i);
        QStringList leaks;
        const QStringList answers = runBusy(&session, statements, &leaks, streamed);
        for (int i = 0; i < answers.size(); i += 3) {
            QCOMPARE(answers[i], m_schema);
            QCOMPARE(answers[i + 1], QStringLiteral("on"));
            QCOMPARE(answers[i + 2], QStringLiteral("error 25006"));
        }
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        const orm::Result written = test::await(m_direct->execute(
            QStringLiteral("SELECT (SELECT count(*) FROM \"%1\".%2) + (SELECT count(*) FROM "
                           "public.%2)")
                .arg(m_schema, m_table)));
        QCOMPARE(written.text(0, 0), QStringLiteral("0"));
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }

    // Read-write in the chosen schema: every write lands there, none in public.
    void writesLandInTheChosenSchema_data() { schemaAndReadOnlyHoldForEveryStatement_data(); }
    void writesLandInTheChosenSchema()
    {
        QFETCH(bool, streamed);
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        QStringList statements;
        for (int i = 0; i < 40; ++i)
            statements << QStringLiteral("INSERT INTO %1 VALUES (%2)").arg(m_table).arg(i);
        QStringList leaks;
        const QStringList answers = runBusy(&session, statements, &leaks, streamed);
        QCOMPARE(answers.count(QStringLiteral("ok")), 40);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        const orm::Result rows = test::await(m_direct->execute(
            QStringLiteral("SELECT (SELECT count(*) FROM \"%1\".%2), (SELECT count(*) FROM "
                           "public.%2)")
                .arg(m_schema, m_table)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("40"));
        QCOMPARE(rows.text(0, 1), QStringLiteral("0"));
        test::await(
            m_direct->execute(QStringLiteral("DELETE FROM \"%1\".%2").arg(m_schema, m_table)));
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }

    // A manual transaction holds one server connection by nature: it sees its own writes, in
    // the schema, and a rollback drops them.
    void manualTransactionsKeepWorking()
    {
        const bool streamed = true; // as the editor runs them: execute() opens no transaction
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        session.setAutocommit(false);
        QStringList statements{QStringLiteral("INSERT INTO %1 VALUES (1)").arg(m_table),
                               QStringLiteral("SELECT count(*) FROM %1").arg(m_table),
                               QStringLiteral("SELECT current_schema()")};
        QStringList leaks;
        const QStringList answers = runBusy(&session, statements, &leaks, streamed);
        QCOMPARE(answers, (QStringList{"ok", "1", m_schema}));
        QVERIFY(session.isTransactionOpen());
        test::await(session.rollback());
        QVERIFY(!session.isTransactionOpen());
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        const orm::Result rows = test::await(m_direct->execute(
            QStringLiteral("SELECT count(*) FROM \"%1\".%2").arg(m_schema, m_table)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("0"));
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }

    // A result the user stops reading ends with the next statement: a read-write statement's
    // changes are kept (its rest is read, then its transaction commits); a read-only one is
    // cancelled. Either way the next statement runs in the schema, outside any transaction.
    void partlyReadResultsEndCleanly()
    {
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        const quint64 insert = test::await(session.start(
            QStringLiteral("INSERT INTO %1 SELECT g FROM generate_series(1, 5000) g RETURNING n")
                .arg(m_table),
            100));
        QVERIFY(test::await(session.nextBatch(insert)));
        QVERIFY(!session.isTransactionOpen()); // autocommit: the carrier is not the user's
        QCOMPARE(
            test::await(session.execute(QStringLiteral("SELECT count(*) FROM %1").arg(m_table)))
                .text(0, 0),
            QStringLiteral("5000"));
        test::await(session.setReadOnly(true));
        const quint64 select = test::await(
            session.start(QStringLiteral("SELECT g FROM generate_series(1, 1000000) g"), 100));
        QVERIFY(test::await(session.nextBatch(select)));
        QCOMPARE(test::await(session.execute(QStringLiteral("SELECT current_schema()"))).text(0, 0),
                 m_schema);
        QVERIFY(!session.isTransactionOpen());
        QCOMPARE(test::await(
                     m_direct->execute(
                         QStringLiteral("SELECT count(*) FROM \"%1\".%2").arg(m_schema, m_table)))
                     .text(0, 0),
                 QStringLiteral("5000"));
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }

    // VACUUM and its kind cannot run in a transaction, so they cannot carry the settings: they
    // run as they are, and a read-only console refuses them before they reach the server.
    void statementsThatRefuseTransactions()
    {
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        const QString vacuum = QStringLiteral("VACUUM \"%1\".%2").arg(m_schema, m_table);
        test::await(session.execute(vacuum));
        const quint64 stream = test::await(session.start(vacuum));
        QVERIFY(!test::await(session.nextBatch(stream)));
        test::await(session.setReadOnly(true));
        try {
            test::await(session.execute(vacuum));
            QFAIL("VACUUM ran on a read-only console");
        } catch (const orm::Error &error) {
            QCOMPARE(error.sqlState(), QStringLiteral("25006"));
            QVERIFY2(error.message().contains(QLatin1String("VACUUM")),
                     qPrintable(error.message()));
        }
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }

    // The user's own BEGIN in autocommit mode gets the schema and read-only mode at once.
    void theUsersBeginGetsTheSettings()
    {
        orm::Database pooled(bouncerUrl());
        test::await(pooled.connect());
        orm::ConsoleSession session(&pooled);
        test::await(session.open(m_schema));
        test::await(session.setReadOnly(true));
        const quint64 begin = test::await(session.start(QStringLiteral("BEGIN")));
        QVERIFY(!test::await(session.nextBatch(begin)));
        QVERIFY(session.isTransactionOpen());
        QCOMPARE(test::await(session.execute(QStringLiteral("SELECT current_schema()"))).text(0, 0),
                 m_schema);
        QCOMPARE(
            test::await(session.execute(QStringLiteral("SHOW transaction_read_only"))).text(0, 0),
            QStringLiteral("on"));
        test::await(session.execute(QStringLiteral("ROLLBACK")));
        QVERIFY(!session.isTransactionOpen());
        test::await(session.close());
        test::await(pooled.disconnect(true));
    }
};

QTEST_GUILESS_MAIN(TestTransactionPooler)
#include "tst_transaction_pooler.moc"
