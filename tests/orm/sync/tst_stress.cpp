// The bridge (runSync, subloops, AsyncEnv) and per-thread connections, hundreds of times with
// randomised timings. ThreadSanitizer cannot judge code on Debian's uninstrumented Qt (see
// DESIGN.md), so this suite is what exercises our cross-thread hand-offs; CI runs it under
// AddressSanitizer too.

#include "backends.h"
#include "event_loop.h"

#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "orm/sync/async_env.h"
#include "orm/sync/run_sync.h"

#include <QCoro/QCoroTimer>
#include <QEventLoop>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <optional>

using namespace std::chrono_literals;
using orm::Database;
using orm::runSync;
using strata::test::insideRunningLoop;

namespace {

// Sleeps a random 0-2 ms (so resumptions interleave differently each time), then queries.
QCoro::Task<int> jitteredQuery(Database *db, int value, int jitterUs)
{
    if (jitterUs > 0)
        co_await QCoro::sleepFor(std::chrono::microseconds(jitterUs));
    const orm::Result result = co_await db->execute(QStringLiteral("SELECT %1").arg(value));
    co_return result.value(0, 0).toInt();
}

int jitter()
{
    return int(QRandomGenerator::global()->bounded(2000));
}

} // namespace

class TestStress : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void bridgeRandomised();
    void threadsComeAndGo();
    void timeoutsUnderLoad();
    void oneRegistryManyThreads();
};

void TestStress::bridgeRandomised()
{
    STRATA_BACKEND_URL(url);
    orm::Registry registry(url);
    orm::AsyncEnv env(registry);
    Database *db = registry.database();
    int wrong = 0;
    for (int i = 0; i < 300; ++i) {
        const int value = i;
        switch (QRandomGenerator::global()->bounded(3)) {
        case 0: // no loop: the local loop
            wrong += runSync([db, value] { return jitteredQuery(db, value, jitter()); }) != value;
            break;
        case 1: // a running loop: the subloop
            insideRunningLoop([&] {
                wrong +=
                    runSync([db, value] { return jitteredQuery(db, value, jitter()); }) != value;
            });
            break;
        default: { // a nested scope around it
            orm::AsyncEnv inner(registry);
            wrong += runSync([db, value] { return jitteredQuery(db, value, 0); }) != value;
        }
        }
    }
    QCOMPARE(wrong, 0);
}

void TestStress::threadsComeAndGo()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    runSync([&db] { return db.connect(); });
    const int before = orm::detail::subloopCount();
    std::atomic<int> wrong{0};
    for (int round = 0; round < 25; ++round) {
        // Threads with and without event loops use the database at once, then end: each closes
        // its own connections as it finishes.
        std::vector<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            const bool withLoop = t % 2 == 0;
            QThread *thread = QThread::create([&db, &wrong, withLoop, t] {
                auto work = [&] {
                    for (int q = 0; q < 4; ++q) {
                        const int value = t * 100 + q;
                        if (runSync([&db, value] { return jitteredQuery(&db, value, jitter()); }) !=
                            value)
                            ++wrong;
                    }
                };
                if (withLoop)
                    insideRunningLoop(work); // through this thread's subloop
                else
                    work(); // on this thread's local loop and own pool
            });
            threads.push_back(thread);
            thread->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
    }
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(orm::detail::subloopCount(), before); // every subloop ended with its thread
    runSync([&db] { return db.disconnect(); });
    QVERIFY(!db.isConnected());
}

void TestStress::timeoutsUnderLoad()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    runSync([&db] { return db.connect(); });
    int timedOut = 0;
    int finished = 0;
    for (int i = 0; i < 60; ++i) {
        // Timeouts around the work's own duration: some fire, some do not; both must be clean.
        const auto timeout = std::chrono::milliseconds(1 + QRandomGenerator::global()->bounded(4));
        const int value = i;
        insideRunningLoop([&] {
            try { // never let an exception cross Qt's event loop
                if (runSync([&db, value] { return jitteredQuery(&db, value, jitter()); },
                            orm::RunSyncOptions{timeout}) == value)
                    ++finished;
            } catch (const orm::Error &error) {
                if (error.kind() == orm::Error::Kind::Timeout)
                    ++timedOut;
                else
                    qWarning("neither finished nor timed out: %s", qPrintable(error.toString()));
            }
        });
    }
    QCOMPARE(timedOut + finished, 60);
    // Abandoned work settles; then the database still answers on every path.
    QTest::qWait(100);
    QCOMPARE(runSync([&db] { return jitteredQuery(&db, 7, 0); }), 7);
    insideRunningLoop([&] { QCOMPARE(runSync([&db] { return jitteredQuery(&db, 8, 0); }), 8); });
    runSync([&db] { return db.disconnect(); });
}

// Edgy's "multi-threading safe" pattern: every thread opens its own AsyncEnv scopes on one shared
// registry, over and over, while the others use it. The registry's reference count and its list
// of connected databases are shared state; nothing may close a database another thread holds.
void TestStress::oneRegistryManyThreads()
{
    STRATA_BACKEND_URL(url); // also fetches `backend`
    orm::Registry registry(url);
    registry.addExtra(QStringLiteral("other"),
                      strata::test::urlFor(backend, QStringLiteral("other")));
    constexpr int kThreads = 8;
    constexpr int kScopes = 12;
    std::atomic<int> wrong{0};
    std::atomic<int> failed{0};
    std::atomic<int> heldTooLittle{0};
    std::vector<QThread *> threads;
    for (int t = 0; t < kThreads; ++t) {
        QThread *thread = QThread::create([&registry, &wrong, &failed, &heldTooLittle, t] {
            for (int scope = 0; scope < kScopes; ++scope) {
                try {
                    orm::AsyncEnv env(registry);
                    // Inside a scope the registry is held at least by this scope.
                    if (registry.referenceCount() < 1 || !registry.database()->isConnected() ||
                        !registry.database(QStringLiteral("other"))->isConnected())
                        ++heldTooLittle;
                    const int value = t * 1000 + scope;
                    Database *primary = registry.database();
                    Database *other = registry.database(QStringLiteral("other"));
                    if (runSync([primary, value] {
                            return jitteredQuery(primary, value, jitter());
                        }) != value)
                        ++wrong;
                    if (runSync([other, value] { return jitteredQuery(other, value, 0); }) != value)
                        ++wrong;
                } catch (const std::exception &error) {
                    qWarning("scope failed: %s", error.what());
                    ++failed;
                }
            }
        });
        threads.push_back(thread);
        thread->start();
    }
    for (QThread *thread : threads) {
        QVERIFY(thread->wait(120000));
        delete thread;
    }
    QCOMPARE(failed.load(), 0);
    QCOMPARE(wrong.load(), 0);
    QCOMPARE(heldTooLittle.load(), 0);
    // Every scope gave back exactly what it took: nothing is held, everything is closed.
    QCOMPARE(registry.referenceCount(), 0);
    QVERIFY(!registry.isConnected());
    QVERIFY(!registry.database()->isConnected());
    QVERIFY(!registry.database(QStringLiteral("other"))->isConnected());
}

QTEST_GUILESS_MAIN(TestStress)
#include "tst_stress.moc"
