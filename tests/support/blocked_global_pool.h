#pragma once

// Every thread of QThreadPool::globalInstance() held busy, as long jobs of someone else would
// hold them: what runs or paints meanwhile must not need that pool. A watchdog lets the pool go
// after `limitMs` so that a test that does wait on it fails instead of hanging; released() says
// whether it had to.
//
//   strata::test::BlockedGlobalPool blocked;
//   view.repaint();
//   QVERIFY(!blocked.released());

#include <QSemaphore>
#include <QThreadPool>

#include <atomic>
#include <thread>

namespace strata::test {

class BlockedGlobalPool {
public:
    explicit BlockedGlobalPool(int limitMs = 10000)
        : m_threads(QThreadPool::globalInstance()->maxThreadCount())
    {
        QSemaphore started;
        for (int i = 0; i < m_threads; ++i)
            QThreadPool::globalInstance()->start([this, &started] {
                started.release();
                m_gate.acquire();
            });
        started.acquire(m_threads);
        m_watchdog = std::thread([this, limitMs] {
            if (!m_done.tryAcquire(1, limitMs))
                release();
        });
    }
    ~BlockedGlobalPool()
    {
        m_done.release();
        m_watchdog.join();
        release();
        QThreadPool::globalInstance()->waitForDone();
    }
    BlockedGlobalPool(const BlockedGlobalPool &) = delete;
    BlockedGlobalPool &operator=(const BlockedGlobalPool &) = delete;

    // Whether the pool was let go before the end (the watchdog's limit passed).
    bool released() const { return m_released.load(); }

private:
    void release()
    {
        if (!m_released.exchange(true))
            m_gate.release(m_threads);
    }

    const int m_threads;
    QSemaphore m_gate;
    QSemaphore m_done;
    std::atomic<bool> m_released{false};
    std::thread m_watchdog;
};

} // namespace strata::test
