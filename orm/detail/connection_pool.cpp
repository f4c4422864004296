#include "orm/detail/connection_pool.h"

#include "orm/core/error.h"
#include "orm/core/logging.h"

#include "orm/detail/sync_outcome.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <optional>

namespace orm::detail {
namespace {

// Closes posted to this thread and still under way (waiting out a lease's grace): a thread that
// ends waits for them, or their frames would be left suspended on timers that die with it.
thread_local int t_closesUnderWay = 0;

QCoro::Task<> closePool(std::shared_ptr<ConnectionPool> pool)
{
    ++t_closesUnderWay;
    struct Done {
        ~Done() { --t_closesUnderWay; }
    } done; // a pool's coroutines resume on its own thread only
    co_await pool->close();
}

QCoro::Task<> cancelQuietly(drivers::Connection *connection)
{
    try {
        co_await connection->cancel();
    } catch (const std::exception &) {
        // The statement may have ended meanwhile; the connection is closed on return anyway.
    }
}

// Wakes the waiters of `queue` at the deadline, so a wait for stragglers cannot hang. The
// returned flag says the deadline has passed (the clock cannot: a timer may fire early).
std::shared_ptr<bool> notifyAt(WaitQueue *queue, std::shared_ptr<ConnectionPool> keepAlive,
                               std::chrono::milliseconds after)
{
    auto expired = std::make_shared<bool>(false);
    QTimer::singleShot(after, threadContext(), [queue, keepAlive, expired] {
        *expired = true;
        queue->notifyAll();
    });
    return expired;
}

} // namespace

void closeDetached(std::unique_ptr<drivers::Connection> connection)
{
    // Freed at once rather than through an awaited close(): a program whose event loop has
    // stopped (a command-line tool, a test) would never finish that close and leak the
    // connection. The drivers' destructors close without waiting on the network (libpq's
    // PQfinish only queues Terminate; SQLite's worker is idle between statements).
    connection.reset();
}

std::pair<quint64, AttachmentList::Entries> AttachmentList::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return {m_generation.load(std::memory_order_relaxed), m_entries};
}

void AttachmentList::attach(const QString &schema, const QString &path)
{
    std::lock_guard lock(m_mutex);
    m_entries[schema] = Entry{path, ++m_serial};
    m_generation.fetch_add(1, std::memory_order_release);
}

bool AttachmentList::detach(const QString &schema)
{
    std::lock_guard lock(m_mutex);
    if (m_entries.erase(schema) == 0)
        return false;
    m_generation.fetch_add(1, std::memory_order_release);
    return true;
}

QMap<QString, QString> AttachmentList::paths() const
{
    std::lock_guard lock(m_mutex);
    QMap<QString, QString> paths;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        paths.insert(it->first, it->second.path);
    return paths;
}

QCoro::Task<> applyAttachments(drivers::Connection *connection,
                               std::shared_ptr<const AttachmentList> list,
                               AppliedAttachments *applied)
{
    if (!list || connection->backend() != DatabaseUrl::Backend::Sqlite)
        co_return;
    const auto snapshot = list->snapshot();
    const quint64 generation = snapshot.first;
    const AttachmentList::Entries &wanted = snapshot.second;
    if (applied->generation == generation)
        co_return;

    // Detached, or re-attached under the same name (maybe to a new file): detach first.
    QStringList stale;
    for (auto it = applied->serials.cbegin(); it != applied->serials.cend(); ++it) {
        const auto found = wanted.find(it->first);
        if (found == wanted.end() || found->second.serial != it->second)
            stale << it->first;
    }
    for (const QString &schema : stale) {
        applied->serials.erase(schema);
        const QVariantList params{schema};
        try {
            const QString sql = QStringLiteral("DETACH DATABASE ?");
            co_await connection->execute(sql, params);
        } catch (const std::exception &error) {
            qCWarning(lcDatabase).noquote()
                << "could not detach" << schema << "from a pooled connection:" << error.what();
        }
    }
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        if (applied->serials.count(it->first))
            continue;
        // Both the file and the schema name are bound: nothing in them can change the SQL.
        // A path is a path: SQLite would read one starting with "file:" as a URI
        // (?mode=memory, ?vfs=...), which "./" keeps it from doing.
        const QString &path = it->second.path;
        const QString file =
            path.startsWith(QLatin1String("file:")) ? QStringLiteral("./") + path : path;
        const QVariantList params{file, it->first};
        try {
            const QString sql = QStringLiteral("ATTACH DATABASE ? AS ?");
            co_await connection->execute(sql, params);
            applied->serials[it->first] = it->second.serial;
        } catch (const std::exception &error) {
            qCWarning(lcDatabase).noquote()
                << "could not attach" << it->second.path << "as" << it->first
                << "on a pooled connection:" << error.what();
        }
    }
    applied->generation = generation;
}

ConnectionPool::ConnectionPool(DatabaseUrl url, int maxSize,
                               std::shared_ptr<const AttachmentList> attachments,
                               std::shared_ptr<LinkHealth> health)
    : m_url(std::move(url))
    , m_maxSize(qMax(1, maxSize))
    , m_attachments(std::move(attachments))
    , m_health(health ? std::move(health) : std::make_shared<LinkHealth>())
    , m_thread(QThread::currentThread())
    , m_context(threadContext())
{
    m_closeFinished.open();
}

QCoro::Task<std::unique_ptr<drivers::Connection>> ConnectionPool::openNew()
{
    if (m_closed)
        throw closedError();
    ++m_opening;
    auto connection = drivers::createConnection(m_url);
    // close() abandons it while it opens (a silent host must not hold up quitting).
    m_openingConnections.insert(connection.get());
    std::optional<Error> failure;
    try {
        co_await connection->open();
    } catch (const Error &error) {
        failure = error;
    }
    m_openingConnections.erase(connection.get());
    --m_opening;
    if (failure) {
        m_released.notifyAll(); // a slot is free again for whoever waits
        if (m_closed)
            throw closedError();
        m_health->lost(failure->toString());
        throw *failure;
    }
    m_health->healthy(connection->serverAddress());
    co_return connection;
}

Error ConnectionPool::closedError() const
{
    return Error(Error::Kind::ConnectionLost,
                 QStringLiteral("the database was disconnected while waiting for a connection"),
                 m_url.toDisplayString());
}

QCoro::Task<> ConnectionPool::catchUp(drivers::Connection *connection)
{
    if (!m_attachments || m_applied[connection].generation == m_attachments->generation())
        co_return;
    AppliedAttachments applied = m_applied[connection];
    co_await applyAttachments(connection, m_attachments, &applied);
    m_applied[connection] = std::move(applied);
}

QCoro::Task<> ConnectionPool::openOne()
{
    const auto self = shared_from_this();
    auto connection = co_await openNew();
    ++m_opening; // still counted by size() while it catches up
    co_await catchUp(connection.get());
    --m_opening;
    if (m_closed) {
        retire(self, std::move(connection));
        co_return;
    }
    m_idle.push_back(std::move(connection));
    m_released.notifyAll();
}

QCoro::Task<std::unique_ptr<drivers::Connection>> ConnectionPool::take()
{
    // Keeps the pool alive while this coroutine waits, whatever the Database does meanwhile.
    const auto self = shared_from_this();
    for (;;) {
        if (m_closed)
            throw closedError();
        while (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            if (!connection->probeIdle()) {
                // Died while idle (a server restart, a terminated backend, a cut link): drop
                // it and use another, so that the caller never meets it.
                qCInfo(lcDatabase).noquote() << "dropped a pooled connection the server had closed:"
                                             << m_url.toDisplayString();
                m_health->lost(QStringLiteral("the server closed the connection; reconnecting"));
                m_applied.erase(connection.get());
                retire(self, std::move(connection));
                continue;
            }
            m_health->healthy(connection->serverAddress());
            m_busy.emplace(connection.get(), ++m_lastLease);
            if (auto it = m_cancels.find(connection.get()); it != m_cancels.end()) {
                QCoro::Task<> cancel = std::move(it->second);
                m_cancels.erase(it);
                co_await cancel;
            }
            co_await catchUp(connection.get());
            if (m_closed) {
                m_busy.erase(connection.get());
                retire(self, std::move(connection));
                continue;
            }
            co_return connection;
        }
        if (m_closed)
            continue; // closed while a connection caught up: the loop's head throws
        if (size() < m_maxSize) {
            auto connection = co_await openNew();
            // Busy while it catches up, so that the pool's size counts it.
            m_busy.emplace(connection.get(), ++m_lastLease);
            if (!m_closed)
                co_await catchUp(connection.get());
            if (m_closed) {
                m_busy.erase(connection.get());
                retire(self, std::move(connection));
                continue;
            }
            co_return connection;
        }
        co_await m_released.wait();
    }
}

void ConnectionPool::giveBack(std::unique_ptr<drivers::Connection> connection)
{
    m_busy.erase(connection.get());
    if (!m_closed && !connection->isOpen())
        m_health->lost(QStringLiteral("the connection to the server was lost"));
    if (m_closed || !connection->isOpen())
        retire(shared_from_this(), std::move(connection));
    else
        m_idle.push_back(std::move(connection));
    m_released.notifyAll();
}

QCoro::Task<> ConnectionPool::retire(std::shared_ptr<ConnectionPool> self,
                                     std::unique_ptr<drivers::Connection> connection)
{
    ++m_retiring;
    m_applied.erase(connection.get());
    // A cancel still in flight refers to the connection: let it finish before freeing it.
    if (auto it = m_cancels.find(connection.get()); it != m_cancels.end()) {
        QCoro::Task<> cancel = std::move(it->second);
        m_cancels.erase(it);
        co_await cancel;
    }
    co_await connection->close();
    connection.reset();
    --m_retiring;
    self->m_released.notifyAll();
}

void ConnectionPool::cancelRunning(quint64 upTo)
{
    for (const auto &[busy, lease] : m_busy) {
        if (lease > upTo)
            continue;
        if (auto it = m_cancels.find(busy); it != m_cancels.end()) {
            if (!it->second.isReady())
                continue; // one is on its way already
            m_cancels.erase(it);
        }
        m_cancels.emplace(busy, cancelQuietly(busy));
    }
}

QCoro::Task<> ConnectionPool::close(std::chrono::milliseconds grace)
{
    const auto self = shared_from_this();
    if (m_closed) {
        // A close is under way (or done): end with it, so that whoever waits for this one (a
        // thread that is ending) knows every connection is closed.
        co_await m_closeFinished.wait();
        co_return;
    }
    m_closed = true;
    m_closeFinished.close();
    cancelRunning();
    // Network connects under way are abandoned: their open() fails at once. (A SQLite open is
    // a local file's, quick, and its worker's job cannot be withdrawn: it is let finish.)
    const std::vector<drivers::Connection *> opening(m_openingConnections.begin(),
                                                     m_openingConnections.end());
    for (drivers::Connection *connection : opening)
        if (m_openingConnections.count(connection) &&
            connection->backend() == DatabaseUrl::Backend::Postgres)
            co_await connection->close();
    auto idle = std::move(m_idle);
    m_idle.clear();
    for (auto &connection : idle) {
        m_applied.erase(connection.get());
        co_await connection->close();
    }
    m_released.notifyAll();

    // Statements were cancelled: wait until their connections come back and are closed.
    if (!m_busy.empty() || m_retiring > 0) {
        const std::shared_ptr<bool> expired = notifyAt(&m_released, self, grace);
        while ((!m_busy.empty() || m_retiring > 0) && !*expired)
            co_await m_released.wait();
    }

    // Leases still held after that (a stream a window keeps open, say): close their connections
    // under them, so that nothing stays open. The holder's next call fails; giving the
    // connection back later only closes it again, which does nothing.
    if (!m_busy.empty()) {
        std::vector<drivers::Connection *> held;
        for (const auto &[connection, lease] : m_busy)
            held.push_back(connection);
        for (drivers::Connection *connection : held) {
            QCoro::Task<> before;
            if (auto it = m_cancels.find(connection); it != m_cancels.end()) {
                before = std::move(it->second);
                m_cancels.erase(it);
            }
            ++m_forceClosing;
            // retire() waits for this before it frees the connection.
            m_cancels.emplace(connection, forceClose(self, std::move(before), connection));
        }
        const std::shared_ptr<bool> expired = notifyAt(&m_released, self, std::chrono::seconds(5));
        while (m_forceClosing > 0 && !*expired)
            co_await m_released.wait();
    }
    m_closeFinished.open();
}

QCoro::Task<> ConnectionPool::forceClose(std::shared_ptr<ConnectionPool> self, QCoro::Task<> before,
                                         drivers::Connection *connection)
{
    try {
        if (!before.isReady())
            co_await before;
    } catch (const std::exception &) {
    }
    co_await connection->close();
    --m_forceClosing;
    self->m_released.notifyAll();
}

namespace {
std::mutex g_poolsMutex;
std::vector<std::weak_ptr<ConnectionPool>> g_pools;

QCoro::Task<> closeAll(std::vector<std::shared_ptr<ConnectionPool>> pools)
{
    for (auto &pool : pools)
        co_await pool->close();
}
} // namespace

void ConnectionPool::track(const std::shared_ptr<ConnectionPool> &pool)
{
    std::lock_guard lock(g_poolsMutex);
    std::erase_if(g_pools, [](const auto &weak) { return weak.expired(); });
    g_pools.push_back(pool);
}

std::vector<std::shared_ptr<ConnectionPool>> ConnectionPool::poolsOf(QThread *thread)
{
    std::vector<std::shared_ptr<ConnectionPool>> found;
    std::lock_guard lock(g_poolsMutex);
    for (const auto &weak : g_pools)
        if (auto pool = weak.lock(); pool && pool->thread() == thread)
            found.push_back(std::move(pool));
    return found;
}

void ConnectionPool::closeAllOfThisThreadNow()
{
    auto pools = poolsOf(QThread::currentThread());
    if (pools.empty() && t_closesUnderWay == 0)
        return;
    auto state = std::make_shared<SyncState<void>>();
    driveInto<void>(closeAll(std::move(pools)), state);
    // Not a QEventLoop: after QThread::quit() every exec() on this thread returns at once, so
    // events are pumped by hand until the connections are closed.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    QTimer wake; // so that the wait below looks at the deadline now and then
    wake.start(100);
    for (;;) {
        {
            std::lock_guard lock(state->mutex);
            if (state->done && t_closesUnderWay == 0)
                break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            qWarning("strata: connections of an ending thread did not close within 30 s");
            break;
        }
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
}

void ConnectionPool::closeOnItsThread(std::shared_ptr<ConnectionPool> pool)
{
    QObject *context = pool->context();
    if (!context)
        return; // the thread has ended: its connections close as the pool is freed
    QMetaObject::invokeMethod(
        context, [pool] { closePool(pool); }, Qt::QueuedConnection);
}

} // namespace orm::detail
