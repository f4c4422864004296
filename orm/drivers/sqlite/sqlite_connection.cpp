#include "orm/drivers/sqlite/sqlite_connection.h"

#include "orm/drivers/sqlite/sqlite_worker.h"

#include "orm/core/error.h"

#include <QFileInfo>
#include <QObject>
#include <QThread>

#include <limits>

namespace orm::drivers {

namespace {

using detail::JobAwaiter;
using detail::SqliteWorker;
using detail::Unit;

// Clears the busy flag when the call ends, however it ends.
struct BusyScope {
    explicit BusyScope(bool &flag)
        : m_flag(flag)
    {
        m_flag = true;
    }
    ~BusyScope() { m_flag = false; }
    BusyScope(const BusyScope &) = delete;
    BusyScope &operator=(const BusyScope &) = delete;
    bool &m_flag;
};

} // namespace

SqliteConnection::SqliteConnection(DatabaseUrl url)
    : Connection(std::move(url))
    , m_context(std::make_unique<QObject>())
{
}

SqliteConnection::~SqliteConnection()
{
    // Blocks only for as long as the running statement takes to notice the interrupt.
    if (m_worker) {
        m_worker->cancel(std::numeric_limits<quint64>::max());
        m_worker->stop();
        m_worker->join();
        m_worker.reset();
    }
    m_prefetches.clear();
    // m_context goes last: queued resumptions of coroutines still waiting are dropped with it.
}

bool SqliteConnection::isReadOnly() const
{
    return isOpen() && m_worker->isReadOnly();
}

bool SqliteConnection::isOpen() const
{
    return m_worker && m_opened && !m_closing;
}

void SqliteConnection::checkReady(const char *operation) const
{
    if (QThread::currentThread() != m_context->thread())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("%1: called from a thread that does not own the connection")
                        .arg(QLatin1String(operation)),
                    displayUrl());
    if (!isOpen())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("%1: the connection is not open").arg(QLatin1String(operation)),
                    displayUrl());
    if (m_busy)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("%1: another call on this connection has not finished")
                        .arg(QLatin1String(operation)),
                    displayUrl());
}

void SqliteConnection::discardStream()
{
    // A fetch still stepping a slow query would hold up the next operation: interrupt it. This
    // happens before the next operation is queued, and that one starts with no statement
    // active, which makes SQLite clear the interrupt first (its ids keep it from our flag).
    if (m_worker && !m_streamEnded && !m_prefetches.empty() && !m_prefetches.back()->isDone())
        m_worker->cancel(m_streamId);
    m_readyBatch.reset();
    m_prefetches.clear();
    m_streamEnded = true;
}

void SqliteConnection::prefetch()
{
    // Two in the queue keep the worker stepping even when this thread is slow to come back.
    constexpr size_t PrefetchDepth = 2;
    while (m_prefetches.size() < PrefetchDepth)
        m_prefetches.push_back(m_worker->post<detail::SqliteFetch>(
            [operation = m_streamId, rows = m_batchRows](SqliteWorker &worker) {
                return worker.fetch(operation, rows);
            }));
}

QCoro::Task<> SqliteConnection::open()
{
    if (QThread::currentThread() != m_context->thread())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("open(): called from a thread that does not own the connection"),
                    displayUrl());
    if (m_worker)
        throw Error(Error::Kind::Usage, QStringLiteral("open(): the connection is already open"),
                    displayUrl());
    const QString path =
        url().isMemory() ? url().path() : QFileInfo(url().path()).absoluteFilePath();
    m_worker = std::make_unique<SqliteWorker>(m_context.get(), displayUrl());
    SqliteWorker *const worker = m_worker.get();

    std::exception_ptr failure;
    {
        BusyScope busy(m_busy);
        // GCC 12 mishandles temporaries inside a co_await operand (double destruction): jobs
        // are built into named locals first, here and below.
        auto job = worker->post<Unit>([target = url(), path](SqliteWorker &w) {
            w.openDatabase(target, path);
            return Unit{};
        });
        try {
            co_await JobAwaiter(std::move(job));
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (m_closing || m_worker.get() != worker) {
        // close() ran meanwhile and takes care of the worker.
        if (failure)
            std::rethrow_exception(failure);
        throw Error(Error::Kind::Cancelled,
                    QStringLiteral("open(): the connection was closed while opening"),
                    displayUrl());
    }
    if (failure) {
        m_closing = true;
        auto stopped = worker->stop();
        co_await JobAwaiter(std::move(stopped));
        worker->join();
        m_worker.reset();
        m_closing = false;
        std::rethrow_exception(failure);
    }
    m_opened = true;
}

QCoro::Task<> SqliteConnection::close()
{
    if (!m_worker || m_closing)
        co_return;
    m_closing = true;
    m_opened = false;
    SqliteWorker *const worker = m_worker.get();
    worker->cancel(std::numeric_limits<quint64>::max());
    auto stopped = worker->stop();
    try {
        co_await JobAwaiter(std::move(stopped));
    } catch (...) {
        // The stop job only ever succeeds; close() never throws in any case.
    }
    worker->join();
    m_worker.reset();
    m_closing = false;
    discardStream();
}

QCoro::Task<> SqliteConnection::start(QString sql, QVariantList params, int batchRows)
{
    checkReady("start()");
    if (batchRows < 1)
        throw Error(Error::Kind::Usage, QStringLiteral("start(): batchRows must be at least 1"),
                    displayUrl());
    discardStream();
    const quint64 operation = ++m_lastOperation;
    m_streamId = operation;
    m_batchRows = batchRows;
    m_columns.clear();
    m_rowsAffected = -1;

    BusyScope busy(m_busy);
    auto job = m_worker->post<detail::SqliteStart>([operation, utf8 = sql.toUtf8(),
                                                    params = std::move(params),
                                                    batchRows](SqliteWorker &worker) {
        return worker.startStream(operation, utf8, params, batchRows);
    });
    detail::SqliteStart started = co_await JobAwaiter(std::move(job));
    m_columns = std::move(started.columns);
    m_streamEnded = started.first.ended;
    if (started.first.ended)
        m_rowsAffected = started.first.rowsAffected;
    if (!started.first.batch.isEmpty())
        m_readyBatch = std::move(started.first.batch);
    if (!m_streamEnded && isOpen())
        prefetch(); // the worker steps the next batches while the caller takes this one
}

QCoro::Task<std::optional<RowBatch>> SqliteConnection::nextBatch()
{
    checkReady("nextBatch()");
    if (m_readyBatch) {
        std::optional<RowBatch> batch = std::move(m_readyBatch);
        m_readyBatch.reset();
        co_return batch;
    }
    if (m_streamEnded)
        co_return std::nullopt;
    prefetch();
    std::shared_ptr<FetchJob> job = std::move(m_prefetches.front());
    m_prefetches.pop_front();

    BusyScope busy(m_busy);
    detail::SqliteFetch fetched;
    try {
        fetched = co_await JobAwaiter(std::move(job));
    } catch (...) {
        // The worker has reset the statement; fetches queued behind this one find no stream.
        m_streamEnded = true;
        m_prefetches.clear();
        throw;
    }
    if (fetched.ended) {
        m_streamEnded = true;
        m_rowsAffected = fetched.rowsAffected;
        m_prefetches.clear();
    } else if (isOpen()) {
        prefetch();
    }
    if (fetched.batch.isEmpty())
        co_return std::nullopt;
    co_return std::move(fetched.batch);
}

QCoro::Task<QList<qint64>> SqliteConnection::executeBatch(QString sql,
                                                          QList<QVariantList> paramSets)
{
    checkReady("executeBatch()");
    discardStream();
    const quint64 operation = ++m_lastOperation;
    m_columns.clear();
    m_rowsAffected = -1;

    BusyScope busy(m_busy);
    auto job = m_worker->post<QList<qint64>>(
        [operation, utf8 = sql.toUtf8(), sets = std::move(paramSets)](SqliteWorker &worker) {
            return worker.runBatch(operation, utf8, sets);
        });
    QList<qint64> changes = co_await JobAwaiter(std::move(job));
    co_return changes;
}

QCoro::Task<> SqliteConnection::executeScript(QString sql)
{
    checkReady("executeScript()");
    discardStream();
    const quint64 operation = ++m_lastOperation;
    m_columns.clear();
    m_rowsAffected = -1;

    BusyScope busy(m_busy);
    auto job = m_worker->post<Unit>([operation, utf8 = sql.toUtf8()](SqliteWorker &worker) {
        worker.runScript(operation, utf8);
        return Unit{};
    });
    co_await JobAwaiter(std::move(job));
}

TransactionStatus SqliteConnection::transactionStatus() const
{
    return isOpen() ? m_worker->transactionStatus() : TransactionStatus::Unknown;
}

QCoro::Task<> SqliteConnection::cancel()
{
    // Only when something runs: a stray interrupt could otherwise hit a later statement (SQLite
    // clears it only once no statement is active; the operation ids guard the rest).
    if (m_worker && !m_closing && (m_busy || !m_streamEnded))
        m_worker->cancel(m_lastOperation);
    co_return;
}

void SqliteConnection::abandon()
{
    if (m_worker && !m_closing && (m_busy || !m_streamEnded))
        m_worker->cancel(m_lastOperation);
}

} // namespace orm::drivers
