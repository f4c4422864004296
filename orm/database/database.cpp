#include "orm/database/database.h"

#include "orm/detail/connection_pool.h"
#include "orm/detail/link_health.h"

#include <QCoreApplication>
#include <QThread>

#include <exception>

namespace orm {

ConnectionLease::ConnectionLease(std::shared_ptr<detail::ConnectionPool> pool,
                                 std::unique_ptr<drivers::Connection> connection)
    : m_pool(std::move(pool))
    , m_connection(std::move(connection))
{
}

ConnectionLease &ConnectionLease::operator=(ConnectionLease &&other) noexcept
{
    if (this != &other) {
        release();
        m_pool = std::move(other.m_pool);
        m_connection = std::move(other.m_connection);
    }
    return *this;
}

void ConnectionLease::release()
{
    if (!m_connection)
        return;
    if (m_pool)
        m_pool->giveBack(std::move(m_connection));
    else
        detail::closeDetached(std::move(m_connection));
    m_pool.reset();
}

Database::Database(const QString &url, QObject *parent)
    : Database(DatabaseUrl::parse(url), parent)
{
}

Database::Database(DatabaseUrl url, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_attachments(std::make_shared<detail::AttachmentList>())
    , m_health(std::make_shared<detail::LinkHealth>())
{
    m_connectDone.open();
    m_closeDone.open();
    // Called on the pool's thread; the signal reaches receivers through their own loops.
    m_health->setListener([this](bool lost, const QString &reason) {
        {
            // Only a connected database can lose its link or regain it: a first connect that
            // fails is its own failure (Failed), said by connect().
            std::lock_guard lock(m_mutex);
            if (m_state != State::Connected)
                return;
        }
        if (lost)
            qCWarning(lcDatabase).noquote() << "connection lost:" << displayUrl() << reason;
        else
            qCInfo(lcDatabase).noquote() << displayUrl() << reason;
        setState(lost ? State::Lost : State::Connected, reason);
    });
}

Database::~Database()
{
    *m_alive = false;
    m_health->setListener(nullptr);
    // Pools still referenced by leases or waiting coroutines live on until those end; the rest
    // close their connections as they are freed.
    std::lock_guard lock(m_mutex);
    for (auto &[thread, pool] : m_pools)
        if (pool->thread() != QThread::currentThread())
            detail::ConnectionPool::closeOnItsThread(pool);
}

int Database::poolSize() const
{
    std::lock_guard lock(m_mutex);
    return m_poolSize;
}

void Database::setPoolSize(int size)
{
    std::lock_guard lock(m_mutex);
    m_poolSize = qMax(1, size);
}

bool Database::isReadOnly() const
{
    std::lock_guard lock(m_mutex);
    return m_readOnly;
}

bool Database::isConnected() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Connected;
}

int Database::referenceCount() const
{
    std::lock_guard lock(m_mutex);
    return m_references;
}

Database::State Database::state() const
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Connected && m_health->isLost())
        return State::Lost;
    return m_state;
}

std::optional<Error> Database::failure() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Failed ? m_failure : std::nullopt;
}

void Database::setPassword(const QString &password)
{
    std::lock_guard lock(m_mutex);
    if (m_state != State::Disconnected && m_state != State::Failed)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("a password can only be set while the database is not "
                                   "connected or connecting"),
                    m_url.toDisplayString());
    m_url = m_url.withPassword(password); // pools are made afresh by the next connect
}

QString Database::failureReason() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Failed && m_failure ? m_failure->toString() : QString();
}

void Database::setState(State state, const QString &reason)
{
    emit stateChanged(state, reason);
}

namespace {
// Connections are closed on their own thread: a thread other than the main one closes its
// pools as it finishes (QThread::finished is emitted on that thread, after its loop ended).
void closePoolsWhenThreadEnds(QThread *thread)
{
    thread_local bool hooked = false;
    if (hooked || !QCoreApplication::instance() || thread == QCoreApplication::instance()->thread())
        return;
    hooked = true;
    QObject::connect(thread, &QThread::finished, threadContext(),
                     &detail::ConnectionPool::closeAllOfThisThreadNow, Qt::DirectConnection);
}
} // namespace

std::shared_ptr<detail::ConnectionPool> Database::poolForCurrentThread()
{
    QThread *const thread = QThread::currentThread();
    std::shared_ptr<detail::ConnectionPool> created;
    {
        std::lock_guard lock(m_mutex);
        auto &pool = m_pools[thread];
        // A pool whose thread has ended is stale: its context is gone, or the thread closed it
        // as it finished (and a new thread may have been given the same QThread address).
        if (pool && pool->context() && !pool->isClosed())
            return pool;
        pool = created =
            std::make_shared<detail::ConnectionPool>(m_url, m_poolSize, m_attachments, m_health);
    }
    detail::ConnectionPool::track(created);
    closePoolsWhenThreadEnds(thread);
    return created;
}

QCoro::Task<> Database::connect()
{
    for (;;) {
        std::unique_lock lock(m_mutex);
        if (m_retired)
            throw Error(Error::Kind::Usage,
                        QStringLiteral("connect(): the database was removed from its registry"),
                        displayUrl());
        if (m_state == State::Connected) {
            ++m_references;
            co_return;
        }
        if (m_state != State::Connecting)
            break;
        // Another caller is opening it: wait for that outcome rather than open twice.
        lock.unlock();
        co_await m_connectDone.wait();
        lock.lock();
        if (m_state == State::Failed && m_failure)
            throw *m_failure;
    }
    {
        std::lock_guard lock(m_mutex);
        m_state = State::Connecting;
        m_failure.reset();
        m_health->reset();
        m_connectDone.close();
    }
    setState(State::Connecting, {});
    bool readOnly = false;
    try {
        const auto pool = poolForCurrentThread();
        co_await pool->openOne();
        // SQLite decides as it opens whether a file can only be read: ask the one just opened.
        auto opened = co_await pool->take();
        readOnly = opened->isReadOnly();
        pool->giveBack(std::move(opened));
    } catch (const Error &thrown) {
        Error error = thrown;
        {
            std::lock_guard lock(m_mutex);
            if (std::exchange(m_abandoning, false))
                error = Error(Error::Kind::Cancelled,
                              QStringLiteral("the connect was abandoned: the database was "
                                             "disconnected while it was connecting"),
                              displayUrl());
            m_state = State::Failed;
            m_failure = error;
            m_pools.clear();
        }
        m_connectDone.open();
        qCWarning(lcDatabase).noquote() << "could not connect:" << error.toString();
        setState(State::Failed, error.toString());
        throw error;
    }
    {
        std::lock_guard lock(m_mutex);
        m_state = State::Connected;
        m_abandoning = false;
        m_readOnly = readOnly;
        ++m_references;
    }
    m_connectDone.open();
    qCDebug(lcDatabase).noquote() << "connected to" << displayUrl();
    setState(State::Connected, {});
}

QCoro::Task<> Database::disconnect(bool force)
{
    std::map<QThread *, std::shared_ptr<detail::ConnectionPool>> pools;
    {
        std::lock_guard lock(m_mutex);
        if (m_references == 0 && force && m_state == State::Connecting) {
            // Quitting while the first connect waits on a host that does not answer: close the
            // pool it opens in, so that connect() fails now instead of at its timeout.
            m_abandoning = true;
            for (auto &[thread, pool] : m_pools)
                detail::ConnectionPool::closeOnItsThread(pool);
        }
        if (m_references == 0)
            co_return;
        m_references = force ? 0 : m_references - 1;
        if (m_references > 0)
            co_return;
        m_state = State::Disconnected;
        pools.swap(m_pools);
        if (m_closing++ == 0)
            m_closeDone.close();
    }
    // Each pool closes on its own thread; this thread's pool is awaited here.
    std::shared_ptr<detail::ConnectionPool> own;
    for (auto &[thread, pool] : pools) {
        if (thread == QThread::currentThread())
            own = pool;
        else
            detail::ConnectionPool::closeOnItsThread(pool);
    }
    std::exception_ptr failure;
    if (own) {
        try {
            co_await own->close();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    {
        std::lock_guard lock(m_mutex);
        if (--m_closing == 0)
            m_closeDone.open();
    }
    if (failure)
        std::rethrow_exception(failure);
    qCDebug(lcDatabase).noquote() << "disconnected from" << displayUrl();
    setState(State::Disconnected, {});
}

QCoro::Task<> Database::retire()
{
    {
        std::lock_guard lock(m_mutex);
        m_retired = true;
    }
    // A first connect under way would open connections after the close: let it end first.
    co_await m_connectDone.wait();
    co_await disconnect(true);
    co_await m_closeDone.wait();
}

QCoro::Task<ConnectionLease> Database::acquire(QString operation)
{
    if (!isConnected()) {
        const QString shown = displayUrl();
        qCWarning(lcDatabase).noquote()
            << "DatabaseNotConnected:" << operation << "on" << shown
            << "runs on a connection opened just for it; connect() the database first";
        emit notConnectedWarning(operation, shown);
        // Nothing of this object is used after the first suspension: a Database removed from
        // its registry may be deleted while a one-off connection still opens.
        auto connection = drivers::createConnection(m_url);
        std::shared_ptr<const detail::AttachmentList> attachments = m_attachments;
        co_await connection->open();
        detail::AppliedAttachments applied;
        co_await detail::applyAttachments(connection.get(), std::move(attachments), &applied);
        co_return ConnectionLease(nullptr, std::move(connection));
    }
    // A Database removed from its registry may be deleted while this waits for a connection:
    // after the wait, `this` is touched only while the token says it lives.
    const std::shared_ptr<const bool> alive = m_alive;
    for (int attempt = 0;; ++attempt) {
        auto pool = poolForCurrentThread();
        try {
            auto connection = co_await pool->take();
            co_return ConnectionLease(std::move(pool), std::move(connection));
        } catch (const Error &error) {
            // The pool was closed under us by a disconnect that another thread's connect has
            // since undone: the database is connected again, with a new pool for this thread.
            if (error.kind() != Error::Kind::ConnectionLost || !pool->isClosed() || !*alive ||
                !isConnected() || attempt >= 2)
                throw;
        }
    }
}

QCoro::Task<Result> Database::execute(QString sql, QVariantList params)
{
    ConnectionLease lease = co_await acquire(QStringLiteral("execute"));
    co_return co_await lease->execute(std::move(sql), std::move(params));
}

QCoro::Task<QList<qint64>> Database::executeBatch(QString sql, QList<QVariantList> paramSets)
{
    ConnectionLease lease = co_await acquire(QStringLiteral("executeBatch"));
    co_return co_await lease->executeBatch(std::move(sql), std::move(paramSets));
}

QCoro::Task<> Database::executeScript(QString sql)
{
    ConnectionLease lease = co_await acquire(QStringLiteral("executeScript"));
    co_await lease->executeScript(std::move(sql));
}

void Database::attach(const QString &schema, const QString &path)
{
    if (m_url.backend() != DatabaseUrl::Backend::Sqlite)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("attach('%1'): only SQLite databases attach files as schemas")
                        .arg(schema),
                    displayUrl());
    if (schema.trimmed().isEmpty())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("an attached database needs a schema name (it was empty)"),
                    displayUrl());
    m_attachments->attach(schema, path);
}

bool Database::detach(const QString &schema)
{
    return m_attachments->detach(schema);
}

QMap<QString, QString> Database::attachments() const
{
    return m_attachments->paths();
}

} // namespace orm
