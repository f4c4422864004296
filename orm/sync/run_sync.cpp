#include "orm/sync/run_sync.h"

#include "orm/core/logging.h"

#include "orm/core/thread_context.h"
#include "orm/detail/connection_pool.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <future>
#include <map>

namespace orm::detail {
namespace {

// A worker thread with its own event loop, serving runSync calls made while its parent
// thread's loop runs. Before it ends it closes the connections it opened, on itself.
class Subloop final : public QThread {
public:
    explicit Subloop(QThread *parent)
        : m_parent(parent)
    {
        setObjectName(QStringLiteral("strata-subloop"));
    }

    QObject *context() const { return m_context; }

    // Starts the thread and returns once it can take work.
    void launch()
    {
        std::promise<void> ready;
        m_ready = &ready;
        start();
        ready.get_future().wait();
        m_ready = nullptr;
    }

protected:
    void run() override
    {
        m_context = threadContext();
        m_ready->set_value();
        exec();
        ConnectionPool::closeAllOfThisThreadNow();
    }

private:
    QThread *const m_parent;
    QObject *m_context = nullptr;
    std::promise<void> *m_ready = nullptr;
};

// The subloops by parent thread. Guarded by a std::mutex: runSync may be called from any thread.
class Subloops {
public:
    ~Subloops() { stopAll(); }

    QThread *forCurrentThread()
    {
        QThread *parent = QThread::currentThread();
        std::unique_lock lock(m_mutex);
        if (auto it = m_byParent.find(parent); it != m_byParent.end())
            return it->second;
        auto *subloop = new Subloop(parent);
        subloop->launch();
        m_byParent.emplace(parent, subloop);
        lock.unlock();
        // End it with its parent: finished is emitted on the parent thread itself, and for the
        // main thread aboutToQuit stands in.
        if (parent == QCoreApplication::instance()->thread())
            QObject::connect(
                QCoreApplication::instance(), &QCoreApplication::aboutToQuit,
                QCoreApplication::instance(), [this, parent] { stop(parent); },
                Qt::DirectConnection);
        else
            QObject::connect(
                parent, &QThread::finished, parent, [this, parent] { stop(parent); },
                Qt::DirectConnection);
        qCDebug(lcRunSync) << "started a subloop for" << parent;
        return subloop;
    }

    QObject *contextOf(QThread *thread)
    {
        std::lock_guard lock(m_mutex);
        for (auto &[parent, subloop] : m_byParent)
            if (subloop == thread)
                return subloop->context();
        return nullptr;
    }

    void stop(QThread *parent)
    {
        Subloop *subloop = nullptr;
        {
            std::lock_guard lock(m_mutex);
            auto it = m_byParent.find(parent);
            if (it == m_byParent.end())
                return;
            subloop = it->second;
            m_byParent.erase(it);
        }
        subloop->quit();
        subloop->wait();
        delete subloop;
        qCDebug(lcRunSync) << "ended the subloop of" << parent;
    }

    void stopAll()
    {
        std::vector<QThread *> parents;
        {
            std::lock_guard lock(m_mutex);
            for (auto &[parent, subloop] : m_byParent)
                parents.push_back(parent);
        }
        for (QThread *parent : parents)
            stop(parent);
    }

    int count()
    {
        std::lock_guard lock(m_mutex);
        return int(m_byParent.size());
    }

private:
    std::mutex m_mutex;
    std::map<QThread *, Subloop *> m_byParent;
};

Subloops &subloops()
{
    static Subloops instance;
    return instance;
}

// Stands for an explicit target thread: a QObject living there, made on first use.
QObject *contextFor(QThread *thread)
{
    if (QObject *subloopContext = subloops().contextOf(thread))
        return subloopContext;
    static std::mutex mutex;
    static std::map<QThread *, QPointer<QObject>> contexts;
    std::lock_guard lock(mutex);
    QPointer<QObject> &context = contexts[thread];
    if (!context) {
        auto *object = new QObject;
        object->moveToThread(thread);
        QObject::connect(thread, &QThread::finished, object, &QObject::deleteLater);
        context = object;
    }
    return context;
}

std::atomic<int> g_localLoopsCreated{0};

} // namespace

bool eventLoopRunning()
{
    return QThread::currentThread()->loopLevel() > 0;
}

bool runLocalLoop(SyncOutcome &outcome, std::chrono::milliseconds timeout)
{
    // One loop per thread, reused: Edgy's "an idling loop is reused".
    thread_local std::unique_ptr<QEventLoop> loop;
    if (!loop) {
        loop = std::make_unique<QEventLoop>();
        g_localLoopsCreated.fetch_add(1, std::memory_order_relaxed);
    }
    {
        std::lock_guard lock(outcome.mutex);
        if (outcome.done)
            return true;
        outcome.localLoop = loop.get();
    }
    QTimer deadline;
    if (timeout.count() > 0) {
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, loop.get(), &QEventLoop::quit);
        deadline.start(timeout);
    }
    loop->exec();
    std::lock_guard lock(outcome.mutex);
    outcome.localLoop = nullptr;
    return outcome.done;
}

QThread *subloopThread()
{
    return subloops().forCurrentThread();
}

void post(QThread *thread, std::function<void()> job)
{
    if (thread == QThread::currentThread())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("runSync on the calling thread itself would wait forever"));
    QMetaObject::invokeMethod(contextFor(thread), std::move(job), Qt::QueuedConnection);
}

bool block(SyncOutcome &outcome, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(outcome.mutex);
    if (timeout.count() > 0)
        return outcome.finished.wait_for(lock, timeout, [&] { return outcome.done; });
    outcome.finished.wait(lock, [&] { return outcome.done; });
    return true;
}

void cancelWorkOn(QThread *thread)
{
    if (!thread)
        thread = QThread::currentThread();
    for (auto &pool : ConnectionPool::poolsOf(thread)) {
        if (thread == QThread::currentThread())
            pool->cancelRunning();
        else if (QObject *context = pool->context())
            // Only the leases taken by now: the cancel lands later, maybe after the work has
            // ended and the thread has started the caller's next statement.
            QMetaObject::invokeMethod(
                context, [pool, upTo = pool->lastLease()] { pool->cancelRunning(upTo); },
                Qt::QueuedConnection);
    }
}

void throwTimeout(std::chrono::milliseconds timeout)
{
    throw Error(Error::Kind::Timeout,
                QStringLiteral("runSync gave up after %1 ms; the work's running statements "
                               "were cancelled")
                    .arg(timeout.count()));
}

int subloopCount()
{
    return subloops().count();
}

int localLoopsCreated()
{
    return g_localLoopsCreated.load(std::memory_order_relaxed);
}

} // namespace orm::detail
