#pragma once

// The thread that owns one SQLite connection's sqlite3 handle, and the jobs that carry work to
// it and results back to the owner thread (see SqliteConnection for the threading model).
// Private to the driver; it needs no sqlite3.h.

#include "orm/core/error.h"
#include "orm/core/row_batch.h"
#include "orm/drivers/connection.h"
#include "orm/drivers/sqlite/sqlite_statement_cache.h"

#include <QByteArray>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QString>
#include <QVariantList>

#include <atomic>
#include <condition_variable>
#include <coroutine>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;
struct sqlite3_stmt;

namespace orm::drivers::sqlite {
class BindBuffers;
}

namespace orm::drivers::detail {

struct Unit {};

struct SqliteFetch {
    RowBatch batch;
    bool ended = false;       // the statement has no more rows
    qint64 rowsAffected = -1; // valid when ended
};

struct SqliteStart {
    Columns columns;
    SqliteFetch first;
};

// The outcome of one job, handed from the worker thread to the owner thread. The data passes
// under m_mutex; the queued call on the context object only wakes the awaiting coroutine up.
template <typename T>
class SqliteJob {
public:
    explicit SqliteJob(QObject *context)
        : m_context(context)
    {
    }

    void succeed(T value) { settle(std::move(value), nullptr); }
    void fail(std::exception_ptr error) { settle(std::nullopt, std::move(error)); }

    bool isDone() const
    {
        std::lock_guard lock(m_mutex);
        return m_done;
    }
    // False when the job finished meanwhile: then the coroutine goes on without suspending.
    bool setWaiter(std::coroutine_handle<> waiter)
    {
        std::lock_guard lock(m_mutex);
        if (m_done)
            return false;
        m_waiter = waiter;
        return true;
    }
    T take()
    {
        std::exception_ptr error;
        {
            std::lock_guard lock(m_mutex);
            error = m_error;
            if (!error)
                return std::move(*m_value);
        }
        std::rethrow_exception(error);
    }

private:
    void settle(std::optional<T> value, std::exception_ptr error)
    {
        std::coroutine_handle<> waiter;
        {
            std::lock_guard lock(m_mutex);
            m_value = std::move(value);
            m_error = std::move(error);
            m_done = true;
            waiter = std::exchange(m_waiter, {});
        }
        // The context outlives the worker thread (the connection joins it before deleting the
        // context); if the context is deleted before this call is delivered, Qt drops it.
        if (waiter)
            QMetaObject::invokeMethod(
                m_context, [waiter] { waiter.resume(); }, Qt::QueuedConnection);
    }

    mutable std::mutex m_mutex;
    QObject *const m_context;
    bool m_done = false;
    std::optional<T> m_value;
    std::exception_ptr m_error;
    std::coroutine_handle<> m_waiter;
};

// co_await JobAwaiter(job): the job's value, or what it threw. Keeps the job alive meanwhile.
template <typename T>
class JobAwaiter {
public:
    explicit JobAwaiter(std::shared_ptr<SqliteJob<T>> job)
        : m_job(std::move(job))
    {
    }
    bool await_ready() const { return m_job->isDone(); }
    bool await_suspend(std::coroutine_handle<> waiter) { return m_job->setWaiter(waiter); }
    T await_resume() { return m_job->take(); }

private:
    std::shared_ptr<SqliteJob<T>> m_job;
};

// The thread that owns one sqlite3 handle, and everything that runs on it. Public members
// marked "worker thread" are only ever called from jobs.
class SqliteWorker {
public:
    SqliteWorker(QObject *context, QString database);
    ~SqliteWorker();

    SqliteWorker(const SqliteWorker &) = delete;
    SqliteWorker &operator=(const SqliteWorker &) = delete;

    // Owner thread: queues fn(worker) -> T. After stop() the job fails at once.
    template <typename T, typename Fn>
    std::shared_ptr<SqliteJob<T>> post(Fn fn)
    {
        auto job = std::make_shared<SqliteJob<T>>(m_context);
        {
            std::lock_guard lock(m_queueMutex);
            if (!m_stopping) {
                m_queue.push_back([this, job, fn = std::move(fn)](bool abandon) mutable {
                    if (abandon) {
                        job->fail(std::make_exception_ptr(closedWhileQueued()));
                        return;
                    }
                    std::optional<T> value;
                    std::exception_ptr error;
                    try {
                        value.emplace(fn(*this));
                    } catch (...) {
                        error = std::current_exception();
                    }
                    // Before the hand-off: the owner reads it once the job has settled.
                    noteTransactionStatus();
                    if (error)
                        job->fail(std::move(error));
                    else
                        job->succeed(std::move(*value));
                });
                m_wake.notify_one();
                return job;
            }
        }
        job->fail(std::make_exception_ptr(
            Error(Error::Kind::Usage, QStringLiteral("the connection is closed"), m_database)));
        return job;
    }

    // Any thread: the transaction status as sqlite3_get_autocommit gave it after the last job.
    TransactionStatus transactionStatus() const;

    // Owner thread: cancels operations up to this id, including the one running now.
    void cancel(quint64 upToOperation);

    // Owner thread: the worker finishes its current job, fails the queued ones, closes the
    // database and exits; the returned job completes just before the thread ends.
    std::shared_ptr<SqliteJob<Unit>> stop();

    void join();

    // Worker thread.
    void openDatabase(const DatabaseUrl &url, const QString &path);
    // Any thread, once openDatabase() succeeded: whether the file opened read-only.
    bool isReadOnly() const;

    // Worker thread: prepares and binds, describes the columns and steps the first batch.
    SqliteStart startStream(quint64 operation, const QByteArray &sql, const QVariantList &params,
                            int batchRows);

    // Worker thread: up to batchRows more rows of the stream.
    SqliteFetch fetch(quint64 operation, int batchRows);

    // Worker thread: one statement over every parameter set, without returning in between.
    QList<qint64> runBatch(quint64 operation, const QByteArray &sql,
                           const QList<QVariantList> &paramSets);

    // Worker thread: every statement of the script in turn (what sqlite3_exec does, but
    // knowing where each statement starts, so that errors get their position in the script).
    void runScript(quint64 operation, const QByteArray &sql);

private:
    static constexpr int DefaultBusyTimeoutMs = 5000;

    void run();

    void closeDatabase();

    // Worker thread: SQLite has no aborted transaction; an error leaves the transaction open,
    // or ends it when SQLite rolled it back (ON CONFLICT ROLLBACK, RAISE(ROLLBACK), a full
    // disk), which is what sqlite3_get_autocommit tells.
    void noteTransactionStatus();

    void endStream();

    // A cached statement, reset and unbound; nullptr for SQL without a statement.
    sqlite3_stmt *prepare(const QByteArray &sql);

    // With `buffers`, texts and blobs are bound in place (sqlite::BindBuffers): `params` and
    // `buffers` must outlive the bindings.
    void bind(sqlite3_stmt *stmt, const QVariantList &params,
              sqlite::BindBuffers *buffers = nullptr);

    void throwIfCancelled(quint64 operation) const;

    Error cancelled() const;

    Error closedWhileQueued() const;

    // The error of the call that just returned rc; `base` is where the statement that SQLite
    // saw starts in `sql` (scripts), for the position.
    Error sqlError(int rc, const QByteArray &sql = {}, qsizetype base = 0) const;

    // Why a statement gave up with SQLITE_BUSY: who holds the file locked, and for how long
    // it waited.
    QString lockedMessage() const;

    QObject *const m_context;
    const QString m_database; // display URL, for errors

    std::mutex m_queueMutex;
    std::condition_variable m_wake;
    std::deque<std::function<void(bool abandon)>> m_queue;
    bool m_stopping = false;
    std::shared_ptr<SqliteJob<Unit>> m_stopped;

    std::atomic<quint64> m_cancelUpTo{0};
    std::atomic<TransactionStatus> m_transactionStatus{TransactionStatus::Unknown};
    std::atomic<bool> m_readOnly{false};
    // Written only by the worker, under m_dbMutex; the owner reads it under m_dbMutex for
    // sqlite3_interrupt, which must not race with sqlite3_close.
    std::mutex m_dbMutex;
    sqlite3 *m_db = nullptr;

    // Worker thread only.
    StatementCache m_cache;
    sqlite3_stmt *m_stream = nullptr; // the current stream's statement (owned by the cache)
    quint64 m_streamOperation = 0;
    QByteArray m_streamSql;
    bool m_streamIsDml = false;
    qsizetype m_bytesPerRow = 64;
    int m_busyTimeoutMs = DefaultBusyTimeoutMs;
    QString m_path; // the file's absolute path; empty in memory

    std::thread m_thread; // last: starts once everything above exists
};

} // namespace orm::drivers::detail
