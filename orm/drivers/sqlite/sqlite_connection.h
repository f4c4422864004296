#pragma once

#include "orm/drivers/connection.h"

#include <deque>
#include <memory>
#include <optional>

class QObject;

namespace orm::drivers {

namespace detail {
class SqliteWorker;
struct SqliteFetch;
template <typename T>
class SqliteJob;
} // namespace detail

// The SQLite driver.
//
// Threading: each open connection owns one worker thread (std::thread) that holds the sqlite3
// handle and makes every sqlite3 call except sqlite3_interrupt. The owner thread (the one that
// created the object) posts jobs to the worker's queue and suspends until the worker hands
// the result back; the resumption is a queued call on a QObject living on the owner thread.
// Streams are buffered ahead: while the owner works on one batch the worker steps the next
// ones (two at most), so a stream's memory stays bounded.
//
// URL options: create=true or mode=rwc creates a missing file, mode=ro opens read-only,
// busy_timeout=<ms> (default 5000). Opening changes nothing in an existing file: it keeps its
// journal mode (only a file created here is made WAL), and one this user may not write (or
// whose directory it may not write) opens read-only by itself (isReadOnly()). Connections get
// foreign_keys=ON. A file another process holds locked fails after the busy timeout with a
// message naming that process (/proc/locks).
//
// Parameters bind by position (? or ?NNN). An invalid QVariant, nullptr, and a null QString,
// QByteArray, QDateTime, QDate or QTime bind NULL (Qt's QSQLITE convention); bool and integers
// bind as 64-bit integers, double/float as real, QByteArray as a blob, QDateTime as ISO 8601
// text with milliseconds and offset ("2024-01-31T12:00:00.500+01:00", UTC as "Z"), QDate and
// QTime as ISO text, anything else as its text. A wrong parameter count throws Error(Sql,
// sqlState "SQLITE_RANGE").
//
// Errors: Error::sqlState() holds the symbolic name of SQLite's extended result code
// ("SQLITE_ERROR", "SQLITE_CONSTRAINT_UNIQUE", ...; the number as text for a code this build
// does not know). Error::position() is the 1-based character (code point) position from
// sqlite3_error_offset, 0 when SQLite does not give one. executeBatch() prefixes a failing
// set's error with "parameter set <i> of <n>: ", i counting from 0 like the list. A missing
// file without create is Error(FileNotFound) naming the absolute path; an unreadable or
// non-database file is Error(ConnectionFailed). Calls on a closed connection, a second call
// while one is waiting, and several statements given to start() are Error(Usage).
//
// start() takes one statement; executeScript() runs each statement of a script in turn (like
// sqlite3_exec, discarding rows), stopping at the first error. start(), executeBatch() and
// executeScript() all discard the rest of a stream still open.
class SqliteConnection : public Connection {
public:
    explicit SqliteConnection(DatabaseUrl url);
    ~SqliteConnection() override;

    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    DatabaseUrl::Backend backend() const override { return DatabaseUrl::Backend::Sqlite; }

    QCoro::Task<> open() override;
    QCoro::Task<> close() override;
    bool isOpen() const override;

    QCoro::Task<> start(QString sql, QVariantList params = {}, int batchRows = 4096) override;
    QCoro::Task<std::optional<RowBatch>> nextBatch() override;
    const Columns &columns() const override { return m_columns; }
    qint64 rowsAffected() const override { return m_rowsAffected; }

    QCoro::Task<QList<qint64>> executeBatch(QString sql, QList<QVariantList> paramSets) override;
    QCoro::Task<> executeScript(QString sql) override;
    QCoro::Task<> cancel() override;
    void abandon() override;
    TransactionStatus transactionStatus() const override;
    bool isReadOnly() const override;

private:
    using FetchJob = detail::SqliteJob<detail::SqliteFetch>;

    // Throws Error(Usage) unless called on the owner thread on an open, idle connection.
    void checkReady(const char *operation) const;
    // Drops the current stream; the worker discards its rest when the next operation starts.
    void discardStream();
    // Keeps PrefetchDepth fetches queued on the worker while the stream has rows.
    void prefetch();

    // Lives on the owner thread; the worker's hand-offs are queued calls on it. Deleted last,
    // after the worker thread has been joined, which drops any hand-off still queued.
    std::unique_ptr<QObject> m_context;
    std::unique_ptr<detail::SqliteWorker> m_worker; // null while closed
    bool m_opened = false;                          // open() succeeded and close() has not begun
    bool m_closing = false;                         // close() is waiting for the worker to finish
    bool m_busy = false;         // a call is waiting on the worker (one at a time)
    quint64 m_lastOperation = 0; // id of the latest start/executeBatch/executeScript

    Columns m_columns;
    qint64 m_rowsAffected = -1;

    // The current stream, seen from the owner thread.
    quint64 m_streamId = 0;
    bool m_streamEnded = true; // the worker has no more rows for it
    int m_batchRows = 4096;
    std::optional<RowBatch> m_readyBatch; // delivered by start(), not yet handed out
    // The next batches, in order, being stepped by the worker ahead of the caller.
    std::deque<std::shared_ptr<FetchJob>> m_prefetches;
};

} // namespace orm::drivers
