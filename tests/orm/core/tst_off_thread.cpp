// orm::offThread: work runs on Strata's own pool, never Qt's global one (whose threads Qt's
// raster engine waits for while it paints), and its value or error comes back on the awaiting
// thread, after the caller got its event loop back.
#include "orm/core/off_thread.h"

#include "blocked_global_pool.h"

#include <QSemaphore>
#include <QTest>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace {

class TstOffThread : public QObject {
    Q_OBJECT

private slots:
    void runsOnStrataPoolAndReturnsOnTheAwaitingThread()
    {
        QThread *const main = QThread::currentThread();
        bool onOurPool = false, onQtPool = true, done = false;
        QThread *resumedOn = nullptr;
        int value = 0;
        const auto body = [&]() -> QCoro::Task<> {
            // Work and task named first: GCC 12 and co_await (docs/DEVELOPING.md).
            const auto work = [&] {
                onOurPool = orm::backgroundPool().contains(QThread::currentThread());
                onQtPool = QThreadPool::globalInstance()->contains(QThread::currentThread());
                return 42;
            };
            QCoro::Task<int> running = orm::offThread<int>(work);
            value = co_await std::move(running);
            resumedOn = QThread::currentThread();
            done = true;
        };
        QCoro::Task<> task = body(); // the lambda outlives its coroutine
        QTRY_VERIFY(done);
        QCOMPARE(value, 42);
        QVERIFY(onOurPool);
        QVERIFY(!onQtPool);
        QCOMPARE(resumedOn, main);
    }

    void callerGetsItsLoopBackFirst()
    {
        bool done = false;
        const auto body = [&]() -> QCoro::Task<> {
            QCoro::Task<int> running = orm::offThread<int>([] { return 1; });
            co_await std::move(running);
            done = true;
        };
        QCoro::Task<> task = body(); // the lambda outlives its coroutine
        QVERIFY(!done);              // never resumed inside the call that started it
        QTRY_VERIFY(done);
    }

    void rethrowsWhatTheWorkThrew()
    {
        QString caught;
        bool done = false;
        const auto body = [&]() -> QCoro::Task<> {
            try {
                QCoro::Task<int> running =
                    orm::offThread<int>([]() -> int { throw std::runtime_error("no table t"); });
                co_await std::move(running);
            } catch (const std::runtime_error &error) {
                caught = QString::fromUtf8(error.what());
            }
            done = true;
        };
        QCoro::Task<> task = body(); // the lambda outlives its coroutine
        QTRY_VERIFY(done);
        QCOMPARE(caught, QStringLiteral("no table t"));
    }

    // Long jobs of ours, one per thread of our pool, leave Qt's pool free for its own work (a
    // paint's fills); and our jobs still run while something else holds all of Qt's pool.
    void longJobsAndQtsPoolNeverWaitForEachOther()
    {
        QSemaphore gate;
        const int jobs = orm::backgroundPool().maxThreadCount();
        std::atomic<int> running{0};
        int finished = 0;
        std::vector<QCoro::Task<>> tasks;
        const auto job = [&]() -> QCoro::Task<> {
            const auto work = [&] {
                ++running;
                return gate.tryAcquire(1, 20000);
            };
            QCoro::Task<bool> waiting = orm::offThread<bool>(work);
            co_await std::move(waiting);
            ++finished;
        };
        for (int i = 0; i < jobs; ++i)
            tasks.push_back(job());
        QTRY_COMPARE(running.load(), jobs);
        std::atomic<bool> qtRan{false};
        QThreadPool::globalInstance()->start([&] { qtRan = true; });
        QTRY_VERIFY_WITH_TIMEOUT(qtRan.load(), 5000);
        gate.release(jobs);
        QTRY_COMPARE(finished, jobs);

        strata::test::BlockedGlobalPool blocked;
        bool done = false;
        const auto body = [&]() -> QCoro::Task<> {
            QCoro::Task<int> running = orm::offThread<int>([] { return 0; });
            co_await std::move(running);
            done = true;
        };
        QCoro::Task<> task = body(); // the lambda outlives its coroutine
        QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
        QVERIFY(!blocked.released());
    }
};

} // namespace

QTEST_GUILESS_MAIN(TstOffThread)
#include "tst_off_thread.moc"
