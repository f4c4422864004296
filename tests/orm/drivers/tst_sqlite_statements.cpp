// The SQLite driver's statements on its worker thread: streams, batches, transactions, cancel
// and the statement cache.

#include "sqlite_suite.h"

#include <QElapsedTimer>
#include <QTest>
#include <QTimer>

#include <optional>

using orm::Error;
using orm::Result;
using orm::RowBatch;
using orm::drivers::SqliteConnection;
using namespace strata::test;

class TestSqliteStatements : public strata::test::SqliteSuite {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void streaming()
    {
        auto db = memory();
        const int total = 100000;
        const int batchRows = 1000;
        await(db->start(QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c WHERE x < ?) SELECT x, 'row ' || x, x * 0.5 FROM c"),
                        {total}, batchRows));
        QCOMPARE(db->columns().size(), 3);
        QCOMPARE(db->columns()[0].name, QStringLiteral("x"));
        int rows = 0;
        int batches = 0;
        while (std::optional<RowBatch> batch = await(db->nextBatch())) {
            ++batches;
            QVERIFY(batch->rowCount() > 0);
            QVERIFY(batch->rowCount() <= batchRows);
            QCOMPARE(batch->columnCount(), 3);
            for (int i = 0; i < batch->rowCount(); ++i) {
                ++rows;
                if (batch->value(i, 0).toLongLong() != rows)
                    QFAIL(qPrintable(QStringLiteral("row %1 out of order").arg(rows)));
            }
            QCOMPARE(batch->text(batch->rowCount() - 1, 1), QStringLiteral("row %1").arg(rows));
        }
        QCOMPARE(rows, total);
        QCOMPARE(batches, total / batchRows);
        QCOMPARE(db->rowsAffected(), -1);
        QVERIFY(!await(db->nextBatch())); // stays ended
    }

    void abandonStreamAndStartAnother()
    {
        auto db = openUrl(fileUrl(QStringLiteral("abandon.db")));
        await(db->executeScript(QStringLiteral(
            "CREATE TABLE big(x INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
            "FROM c WHERE x < 50000) INSERT INTO big SELECT x FROM c;")));
        await(db->start(QStringLiteral("SELECT x FROM big ORDER BY x"), {}, 100));
        std::optional<RowBatch> first = await(db->nextBatch());
        QVERIFY(first);
        QCOMPARE(first->rowCount(), 100);
        // A new statement discards the rest of the old one...
        Result r = await(db->execute(QStringLiteral("SELECT count(*) FROM big")));
        QCOMPARE(r.value(0, 0), QVariant(qint64(50000)));
        // ...and has released its read, so the table can be dropped.
        await(db->start(QStringLiteral("SELECT x FROM big"), {}, 10));
        QVERIFY(await(db->nextBatch()));
        await(db->executeScript(QStringLiteral("DROP TABLE big")));
        QCOMPARE(
            await(db->execute(QStringLiteral("SELECT count(*) FROM sqlite_schema"))).value(0, 0),
            QVariant(qint64(0)));
        // The same statement text restarted from the beginning.
        await(db->executeScript(
            QStringLiteral("CREATE TABLE s(x); INSERT INTO s VALUES (1),(2),(3)")));
        const QString sql = QStringLiteral("SELECT x FROM s ORDER BY x");
        await(db->start(sql, {}, 1));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(1)));
        await(db->start(sql, {}, 1));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(1)));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(2)));
    }

    void abandoningASlowStreamDoesNotWaitForIt()
    {
        auto db = memory();
        // Each row takes millions of steps: a prefetch is busy for a long time.
        const QString slow = QStringLiteral(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT x FROM c WHERE x % 2000000 = 0");
        QElapsedTimer timer;
        timer.start();
        await(db->start(slow, {}, 1));
        const qint64 perBatch = timer.elapsed();
        QVERIFY(await(db->nextBatch()));
        timer.start();
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 42"))).value(0, 0), QVariant(qint64(42)));
        const qint64 next = timer.elapsed();
        qInfo("a batch of the slow stream: %lld ms; the next statement: %lld ms", perBatch, next);
        QVERIFY2(next < perBatch / 2, qPrintable(QString::number(next)));
    }

    // Many quick hand-offs between the threads, with streams abandoned and cancelled on the way
    // (the design's substitute for ThreadSanitizer: hammer the hand-offs, check every value).

    void stressHandOffs()
    {
        auto db = memory();
        const QString sql = QStringLiteral(
            "WITH RECURSIVE c(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM c WHERE x < ? + 19) "
            "SELECT x FROM c");
        for (int i = 0; i < 1500; ++i) {
            await(db->start(sql, {i, i}, 1 + i % 3));
            qint64 expected = i;
            bool cancelled = false;
            bool cancelSent = false;
            while (true) {
                if (i % 7 == 3 && expected >= i + 5 && !cancelSent) {
                    await(db->cancel());
                    cancelSent = true;
                }
                std::optional<RowBatch> batch;
                try {
                    batch = await(db->nextBatch());
                } catch (const Error &error) {
                    QCOMPARE(error.kind(), Error::Kind::Cancelled);
                    cancelled = true;
                    break;
                }
                if (!batch)
                    break;
                for (int r = 0; r < batch->rowCount(); ++r)
                    if (batch->value(r, 0).toLongLong() != expected++)
                        QFAIL(qPrintable(QStringLiteral("wrong row in round %1").arg(i)));
                if (i % 5 == 1 && expected > i + 10)
                    break; // abandon
            }
            if (!cancelled && i % 5 != 1)
                QCOMPARE(expected, qint64(i + 20));
            QVERIFY(cancelled == (i % 7 == 3) || i % 5 == 1);
        }
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 7"))).value(0, 0), QVariant(qint64(7)));
    }

    void rowsAffected()
    {
        auto db = memory();
        await(db->executeScript(
            QStringLiteral("CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3)")));
        QCOMPARE(await(db->execute(QStringLiteral("UPDATE t SET x = x + 1"))).rowsAffected, 3);
        QCOMPARE(await(db->execute(QStringLiteral("DELETE FROM t WHERE x > 100"))).rowsAffected, 0);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT * FROM t"))).rowsAffected, -1);
        QCOMPARE(await(db->execute(QStringLiteral("CREATE TABLE u(y)"))).rowsAffected, -1);
        Result returning = await(db->execute(
            QStringLiteral("WITH d AS (SELECT 2) DELETE FROM t WHERE x <= 3 RETURNING x")));
        QCOMPARE(returning.rowCount(), 2);
        QCOMPARE(returning.rowsAffected, 2);
    }

    void transactionStatus()
    {
        using Status = orm::drivers::TransactionStatus;
        SqliteConnection db(orm::DatabaseUrl::parse(fileUrl(QStringLiteral("transaction.db"))));
        QCOMPARE(db.transactionStatus(), Status::Unknown); // closed
        await(db.open());
        QCOMPARE(db.transactionStatus(), Status::Idle);
        await(db.executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY)")));
        await(db.execute(QStringLiteral("BEGIN")));
        QCOMPARE(db.transactionStatus(), Status::Open);
        await(db.execute(QStringLiteral("INSERT INTO t VALUES (1)")));
        QCOMPARE(db.transactionStatus(), Status::Open);

        // SQLite has no failed transaction: after a failing statement the transaction is open
        // and keeps what it did.
        const std::optional<Error> duplicate =
            errorOf(db.execute(QStringLiteral("INSERT INTO t VALUES (1)")));
        QVERIFY(duplicate);
        QCOMPARE(duplicate->sqlState(), QStringLiteral("SQLITE_CONSTRAINT_PRIMARYKEY"));
        QCOMPARE(db.transactionStatus(), Status::Open);
        QVERIFY(errorOf(db.execute(QStringLiteral("SELECT nosuchcolumn FROM t"))));
        QCOMPARE(db.transactionStatus(), Status::Open);
        QCOMPARE(await(db.execute(QStringLiteral("SELECT count(*) FROM t"))).text(0, 0),
                 QStringLiteral("1"));

        // Unless SQLite rolls it back for the error.
        QVERIFY(errorOf(db.execute(QStringLiteral("INSERT OR ROLLBACK INTO t VALUES (1)"))));
        QCOMPARE(db.transactionStatus(), Status::Idle);
        QCOMPARE(await(db.execute(QStringLiteral("SELECT count(*) FROM t"))).text(0, 0),
                 QStringLiteral("0"));

        await(db.execute(QStringLiteral("BEGIN")));
        await(db.execute(QStringLiteral("INSERT INTO t VALUES (2)")));
        await(db.execute(QStringLiteral("COMMIT")));
        QCOMPARE(db.transactionStatus(), Status::Idle);
        await(db.close());
        QCOMPARE(db.transactionStatus(), Status::Unknown);
    }

    void executeBatchInsertsInOneTransaction()
    {
        auto db = openUrl(fileUrl(QStringLiteral("batch.db")));
        await(
            db->executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 10000; ++i)
            sets.append(QVariantList{i, QStringLiteral("name %1").arg(i)});
        QElapsedTimer timer;
        timer.start();
        await(db->executeScript(QStringLiteral("BEGIN")));
        const QList<qint64> changed =
            await(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?, ?)"), sets));
        await(db->executeScript(QStringLiteral("COMMIT")));
        qInfo("10000 inserts: %lld ms", qint64(timer.elapsed()));
        QCOMPARE(changed.size(), 10000);
        QVERIFY(std::all_of(changed.begin(), changed.end(), [](qint64 n) { return n == 1; }));
        Result r = await(db->execute(QStringLiteral("SELECT count(*), max(name) FROM t")));
        QCOMPARE(r.value(0, 0), QVariant(qint64(10000)));
        QCOMPARE(r.text(0, 1), QStringLiteral("name 9999"));
    }

    void executeBatchReportsFailingSet()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 10; ++i)
            sets.append(QVariantList{i == 5 ? 0 : i}); // set 5 repeats id 0
        std::optional<Error> error =
            errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->message(),
                 QStringLiteral("parameter set 5 of 10: UNIQUE constraint failed: t.id"));
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_CONSTRAINT_PRIMARYKEY"));
        // All or nothing, as on PostgreSQL: the sets before it were undone too.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(0)));
        // Inside the caller's transaction, only the batch is undone.
        await(db->executeScript(QStringLiteral("BEGIN; INSERT INTO t VALUES (1000)")));
        QVERIFY(errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets)));
        await(db->executeScript(QStringLiteral("COMMIT")));
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(1)));

        sets = {{100}, {101, 102}};
        error = errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets));
        QVERIFY(error);
        QCOMPARE(error->message(), QStringLiteral("parameter set 1 of 2: the statement takes 1 "
                                                  "parameter(s) but 2 were given"));
        QVERIFY(await(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), {})).isEmpty());
    }

    void cancelLongQuery()
    {
        auto db = memory();
        QCoro::Task<> canceller = cancelAfter(db.get(), 200);
        QElapsedTimer timer;
        timer.start();
        std::optional<Error> error = errorOf(db->execute(countTo(1000000000)), 10000);
        const qint64 elapsed = timer.elapsed();
        await(std::move(canceller));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QCOMPARE(error->message(), QStringLiteral("query cancelled"));
        QVERIFY2(elapsed >= 150 && elapsed < 1000, qPrintable(QString::number(elapsed)));
        // The connection stays usable, and the same statement runs again.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 1"))).value(0, 0), QVariant(qint64(1)));
        QCOMPARE(await(db->execute(countTo(1000))).value(0, 0), QVariant(qint64(1000)));
    }

    void cancelStreamAndBatch()
    {
        auto db = memory();
        // A stream in progress throws at its next batch that needs the worker.
        await(db->start(countTo(100000).replace(QLatin1String("count(*)"), QLatin1String("x")), {},
                        10));
        QVERIFY(await(db->nextBatch()));
        await(db->cancel());
        std::optional<Error> error;
        for (int i = 0; i < 3 && !error; ++i)
            error = errorOf(db->nextBatch());
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QVERIFY(!await(db->nextBatch()));

        // A batch of many quick statements is cancelled between sets too.
        await(db->executeScript(QStringLiteral("CREATE TABLE t(x)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 3000000; ++i)
            sets.append(QVariantList{i});
        QCoro::Task<> canceller = cancelAfter(db.get(), 200);
        error = errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets), 20000);
        await(std::move(canceller));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 2"))).value(0, 0), QVariant(qint64(2)));
    }

    void lateCancelDoesNotBreakNextStatement()
    {
        auto db = memory();
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(await(db->execute(countTo(1000))).value(0, 0), QVariant(qint64(1000)));
            await(db->cancel()); // after the statement finished
            QCOMPARE(await(db->execute(countTo(20000))).value(0, 0), QVariant(qint64(20000)));
        }
        // Cancelling an idle connection that has never run anything.
        auto fresh = memory();
        await(fresh->cancel());
        QCOMPARE(await(fresh->execute(countTo(10000))).value(0, 0), QVariant(qint64(10000)));
    }

    void eventLoopKeepsRunning()
    {
        auto db = memory();
        int ticks = 0;
        QTimer timer;
        timer.setInterval(10);
        connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
        timer.start();
        QElapsedTimer elapsed;
        elapsed.start();
        Result r = await(db->execute(countTo(5000000)));
        const qint64 ms = elapsed.elapsed();
        timer.stop();
        QCOMPARE(r.value(0, 0), QVariant(qint64(5000000)));
        qInfo("query took %lld ms, timer ticked %d times", ms, ticks);
        QVERIFY2(ms >= 100, "the query was too quick to prove anything");
        QVERIFY2(ticks >= ms / 10 / 3, qPrintable(QString::number(ticks)));
    }

    void busyCallIsAUsageError()
    {
        auto db = memory();
        QCoro::Task<Result> running = db->execute(countTo(2000000));
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT 1")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Usage);
        QCOMPARE(await(std::move(running)).value(0, 0), QVariant(qint64(2000000)));
    }

    void statementCacheReuse()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(k INTEGER, v TEXT)")));
        const QString insert = QStringLiteral("INSERT INTO t VALUES (?, ?)");
        const QString select = QStringLiteral("SELECT v FROM t WHERE k = ?");
        for (int i = 0; i < 5; ++i)
            await(db->execute(insert, {i, QStringLiteral("v%1").arg(i)}));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(await(db->execute(select, {i})).text(0, 0), QStringLiteral("v%1").arg(i));
        // A bound value does not linger into the next use.
        QCOMPARE(await(db->execute(select, {QVariant()})).rowCount(), 0);
        // More distinct statements than the cache holds, then the first ones again.
        for (int i = 0; i < 100; ++i)
            QCOMPARE(await(db->execute(QStringLiteral("SELECT %1 + ?").arg(i), {1})).value(0, 0),
                     QVariant(qint64(i + 1)));
        QCOMPARE(await(db->execute(select, {3})).text(0, 0), QStringLiteral("v3"));
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 0 + ?"), {5})).value(0, 0),
                 QVariant(qint64(5)));
        // A cached statement survives a schema change.
        await(db->executeScript(QStringLiteral("ALTER TABLE t ADD COLUMN w")));
        QCOMPARE(await(db->execute(select, {4})).text(0, 0), QStringLiteral("v4"));
    }
};

QTEST_GUILESS_MAIN(TestSqliteStatements)
#include "tst_sqlite_statements.moc"
