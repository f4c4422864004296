#include "backends.h"
#include "event_loop.h"

#include "orm/database/database.h"
#include "orm/detail/connection_pool.h"
#include "orm/registry/registry.h"
#include "orm/sync/async_env.h"
#include "orm/sync/run_sync.h"

#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>

using namespace std::chrono_literals;
using orm::Database;
using orm::Error;
using orm::Registry;
using orm::runSync;
using strata::test::insideRunningLoop;

namespace {

QCoro::Task<int> answer()
{
    co_return 42;
}

QCoro::Task<int> slowAnswer(std::chrono::milliseconds delay)
{
    co_await QCoro::sleepFor(delay);
    co_return 42;
}

QCoro::Task<int> failing()
{
    co_await QCoro::sleepFor(10ms);
    throw Error(Error::Kind::Sql, QStringLiteral("boom"));
}

QCoro::Task<QThread *> whereAmI()
{
    co_await QCoro::sleepFor(1ms);
    co_return QThread::currentThread();
}

QCoro::Task<int> queryInt(Database *db, QString sql)
{
    const orm::Result result = co_await db->execute(std::move(sql));
    co_return result.value(0, 0).toInt();
}

// A statement that runs for seconds on either backend and can be cancelled.
QString slowStatement(const QString &backend)
{
    return backend == QLatin1String("postgres")
               ? QStringLiteral("SELECT pg_sleep(30)")
               : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                "FROM c WHERE x < 2000000000) SELECT count(*) FROM c");
}

// About half a second of work on either backend, answering 5.
QString halfSecondStatement(const QString &backend)
{
    return backend == QLatin1String("postgres")
               ? QStringLiteral("SELECT 5 FROM pg_sleep(0.5)")
               : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                "FROM c WHERE x < 3000000) SELECT count(*) / 3000000 + 4 FROM c");
}

} // namespace

class TestRunSync : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void withoutLoopRunsLocally();
    void localLoopIsReused();
    void exceptionsPropagate();
    void timeoutThrowsAndCancels();
    void everyTimeoutCancels();
    void aLateCancelSparesTheNextStatement();
    void insideLoopUsesSubloop();
    void subloopEndsWithItsThread();
    void explicitThread();
    void asyncEnvConnectsAndNests();
    void databaseFromTwoThreads();
};

void TestRunSync::withoutLoopRunsLocally()
{
    STRATA_BACKEND_URL(url);
    QCOMPARE(runSync(answer()), 42);
    QCOMPARE(runSync([] { return slowAnswer(20ms); }), 42);
    // The work ran on this very thread.
    QCOMPARE(runSync([] { return whereAmI(); }), QThread::currentThread());
    Database db(url);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("DatabaseNotConnected")));
    QCOMPARE(runSync([&db] { return queryInt(&db, QStringLiteral("SELECT 5")); }), 5);
}

void TestRunSync::localLoopIsReused()
{
    STRATA_BACKEND_URL(url);
    // One local loop per thread, created on the first call and reused by every later one; no
    // subloop thread is involved.
    runSync([] { return slowAnswer(1ms); });
    const int loops = orm::detail::localLoopsCreated();
    const int before = orm::detail::subloopCount();
    for (int i = 0; i < 50; ++i)
        QCOMPARE(runSync([] { return slowAnswer(1ms); }), 42);
    QCOMPARE(orm::detail::localLoopsCreated(), loops);
    QCOMPARE(orm::detail::subloopCount(), before);
    QCOMPARE(QThread::currentThread()->loopLevel(), 0);
}

void TestRunSync::exceptionsPropagate()
{
    STRATA_BACKEND_URL(url);
    try {
        runSync([] { return failing(); });
        QFAIL("no exception");
    } catch (const Error &error) {
        QCOMPARE(error.message(), QStringLiteral("boom"));
    }
    // Also through the subloop.
    insideRunningLoop([] {
        try {
            runSync([] { return failing(); });
            QFAIL("no exception");
        } catch (const Error &error) {
            QCOMPARE(error.message(), QStringLiteral("boom"));
        }
    });
    // And an SQL error from the database, with its message.
    Database db(url);
    runSync([&db] { return db.connect(); });
    try {
        runSync([&db] { return queryInt(&db, QStringLiteral("SELECT * FROM nowhere_at_all")); });
        QFAIL("no exception");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Sql);
        QVERIFY2(error.message().contains(QLatin1String("nowhere_at_all")), error.what());
    }
    runSync([&db] { return db.disconnect(); });
}

void TestRunSync::timeoutThrowsAndCancels()
{
    STRATA_BACKEND_URL(url);
    QElapsedTimer clock;
    clock.start();
    try {
        runSync([] { return slowAnswer(1500ms); }, 200ms);
        QFAIL("no timeout");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Timeout);
        QVERIFY2(error.message().contains(QLatin1String("200 ms")), error.what());
    }
    QVERIFY(clock.elapsed() < 1400);
    // The abandoned work ends on its own later; let it, so nothing is left suspended at exit.
    QTest::qWait(1500);

    // A long statement is really cancelled: the database is usable right after.
    Database db(url);
    runSync([&db] { return db.connect(); });
    const QString slow = slowStatement(backend);
    clock.restart();
    insideRunningLoop([&] {
        try {
            runSync([&db, slow] { return queryInt(&db, slow); }, orm::RunSyncOptions{300ms});
            QFAIL("no timeout");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::Timeout);
        }
        QCOMPARE(runSync([&db] { return queryInt(&db, QStringLiteral("SELECT 8")); }), 8);
    });
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    runSync([&db] { return db.disconnect(); });
}

// One connection, timed out on twice: the second cancel must go out too (it used to be
// skipped, the first one's still counted as under way, and the follow-up query waited 30 s).
void TestRunSync::everyTimeoutCancels()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    db.setPoolSize(1);
    runSync([&db] { return db.connect(); });
    const QString slow = slowStatement(backend);
    QElapsedTimer clock;
    clock.start();
    insideRunningLoop([&] {
        for (int attempt = 0; attempt < 3; ++attempt) {
            try {
                runSync([&db, slow] { return queryInt(&db, slow); }, orm::RunSyncOptions{200ms});
                QFAIL("no timeout");
            } catch (const Error &error) {
                QCOMPARE(error.kind(), Error::Kind::Timeout);
            }
            try {
                QCOMPARE(runSync([&db] { return queryInt(&db, QStringLiteral("SELECT 8")); },
                                 orm::RunSyncOptions{5s}),
                         8);
            } catch (const Error &error) {
                QFAIL(qPrintable(QStringLiteral("attempt %1: %2").arg(attempt).arg(error.what())));
            }
        }
    });
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    runSync([&db] { return db.disconnect(); });
}

// A timeout's cancel reaches the pool's thread later, through its event queue. By then the
// work may have ended and the same connection may run the caller's next statement: the cancel
// is only for the leases taken before the timeout.
void TestRunSync::aLateCancelSparesTheNextStatement()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    db.setPoolSize(1);
    runSync([&db] { return db.connect(); });
    QCOMPARE(runSync(queryInt(&db, QStringLiteral("SELECT 1"))), 1);
    const auto pools = orm::detail::ConnectionPool::poolsOf(QThread::currentThread());
    QCOMPARE(pools.size(), size_t(1));
    const std::shared_ptr<orm::detail::ConnectionPool> pool = pools.front();
    const QString half = halfSecondStatement(backend);

    // The cancel of the lease that ran SELECT 1 lands while the next statement runs.
    const quint64 timedOutLease = pool->lastLease();
    QTimer::singleShot(100ms, [pool, timedOutLease] { pool->cancelRunning(timedOutLease); });
    try {
        QCOMPARE(runSync(queryInt(&db, half)), 5);
    } catch (const Error &error) {
        QFAIL(error.what());
    }

    // The same cancel for the statement's own lease does stop it: the test can tell.
    QTimer::singleShot(100ms, [pool] { pool->cancelRunning(pool->lastLease()); });
    try {
        runSync(queryInt(&db, half));
        QFAIL("the statement was not cancelled");
    } catch (const Error &error) {
        QVERIFY2(error.kind() == Error::Kind::Cancelled || error.kind() == Error::Kind::Sql,
                 error.what());
    }
    QCOMPARE(runSync(queryInt(&db, QStringLiteral("SELECT 9"))), 9);
    runSync([&db] { return db.disconnect(); });
}

void TestRunSync::insideLoopUsesSubloop()
{
    STRATA_BACKEND_URL(url);
    insideRunningLoop([] {
        // No timer of this thread may fire while runSync waits: no nested event loop here.
        bool timerFired = false;
        QTimer probe;
        probe.setInterval(1);
        QObject::connect(&probe, &QTimer::timeout, [&] { timerFired = true; });
        probe.start();

        QThread *first = runSync([] { return whereAmI(); });
        QThread *second = runSync([] { return whereAmI(); });
        QVERIFY(first != QThread::currentThread());
        QCOMPARE(first, second); // the same subloop serves consecutive calls
        QCOMPARE(runSync([] { return slowAnswer(50ms); }), 42);
        QVERIFY(!timerFired);
        // A started task cannot move threads: that use is refused with a clear message.
        try {
            runSync(answer());
            QFAIL("accepted a started task inside a running loop");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::Usage);
            QVERIFY2(error.message().contains(QLatin1String("pass a callable")), error.what());
        }
    });
}

void TestRunSync::subloopEndsWithItsThread()
{
    STRATA_BACKEND_URL(url);
    const int before = orm::detail::subloopCount();
    std::atomic<QThread *> subloop{nullptr};
    QThread parent;
    QObject worker;
    worker.moveToThread(&parent);
    // Queued, so that it runs inside the parent's running event loop (the subloop case).
    QObject::connect(
        &parent, &QThread::started, &worker,
        [&] {
            subloop = runSync([] { return whereAmI(); });
            QThread::currentThread()->quit();
        },
        Qt::QueuedConnection);
    parent.start();
    QVERIFY(parent.wait(10000));
    QVERIFY(subloop.load() != nullptr);
    QVERIFY(subloop.load() != &parent);
    // The parent ended, and its subloop with it: no thread leaked.
    QCOMPARE(orm::detail::subloopCount(), before);
}

void TestRunSync::explicitThread()
{
    STRATA_BACKEND_URL(url);
    QThread worker;
    worker.start();
    QThread *ranOn = runSync([] { return whereAmI(); }, orm::RunSyncOptions{0ms, &worker});
    QCOMPARE(ranOn, &worker);
    worker.quit();
    QVERIFY(worker.wait(5000));
}

void TestRunSync::asyncEnvConnectsAndNests()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    Database *extra =
        registry.addExtra(QStringLiteral("extra"), strata::test::urlFor(backend, "extra"));
    QSignalSpy warnings(&registry, &Registry::notConnectedWarning);
    {
        orm::AsyncEnv env(registry);
        QVERIFY(registry.database()->isConnected());
        QVERIFY(extra->isConnected());
        {
            orm::AsyncEnv inner(registry); // nested: shares the connection
            QCOMPARE(registry.referenceCount(), 2);
            QCOMPARE(runSync([&registry] {
                         return queryInt(registry.database(), QStringLiteral("SELECT 3"));
                     }),
                     3);
        }
        QVERIFY(registry.database()->isConnected());
        // From a running loop too (the subloop gets its own connections, no warning).
        insideRunningLoop([&] {
            QCOMPARE(runSync([extra] { return queryInt(extra, QStringLiteral("SELECT 4")); }), 4);
        });
    }
    QVERIFY(!registry.database()->isConnected());
    QVERIFY(!extra->isConnected());
    QCOMPARE(warnings.count(), 0);

    // A failing database makes the scope throw, leaving nothing connected.
    Registry broken(url);
    broken.addExtra(QStringLiteral("missing"), QStringLiteral("sqlite:////no/such/dir/x.db"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not connect")));
    try {
        orm::AsyncEnv env(broken);
        QFAIL("AsyncEnv connected a missing database");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::FileNotFound);
    }
    QVERIFY(!broken.database()->isConnected());
}

void TestRunSync::databaseFromTwoThreads()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    runSync([&db] { return db.connect(); });
    const QString table = strata::test::uniqueName(QStringLiteral("threads"));
    runSync([&db, table] {
        return db.executeScript(QStringLiteral("CREATE TABLE %1 (k INTEGER, v INTEGER);"
                                               "INSERT INTO %1 VALUES (1, 100), (2, 200);")
                                    .arg(table));
    });
    std::atomic<int> wrong{0};
    auto reader = [&](int key, int expected) {
        for (int i = 0; i < 30; ++i) {
            const int got = runSync([&db, table, key] {
                return queryInt(
                    &db, QStringLiteral("SELECT v FROM %1 WHERE k = %2").arg(table).arg(key));
            });
            if (got != expected)
                ++wrong;
        }
    };
    QThread *a = QThread::create(reader, 1, 100);
    QThread *b = QThread::create(reader, 2, 200);
    a->start();
    b->start();
    QVERIFY(a->wait(30000));
    QVERIFY(b->wait(30000));
    delete a;
    delete b;
    QCOMPARE(wrong.load(), 0);
    runSync([&db] { return db.disconnect(); });
    QVERIFY(!db.isConnected());
}

QTEST_GUILESS_MAIN(TestRunSync)
#include "tst_run_sync.moc"
