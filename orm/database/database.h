#pragma once

#include "orm/core/error.h"
#include "orm/core/logging.h"
#include "orm/core/wait_queue.h"
#include "orm/drivers/connection.h"

#include <QLoggingCategory>
#include <QMap>
#include <QObject>

#include <map>
#include <memory>
#include <mutex>
#include <optional>

class QThread;

namespace orm {

namespace detail {
class AttachmentList;
class ConnectionPool;
class LinkHealth;
} // namespace detail

// A connection borrowed from a Database for one operation or a series of them (a stream, a
// transaction). It goes back to its pool when the lease ends; a one-off connection (opened
// because the database was not connected) is closed instead.
class ConnectionLease {
public:
    ConnectionLease() = default;
    ConnectionLease(ConnectionLease &&other) noexcept = default;
    ConnectionLease &operator=(ConnectionLease &&other) noexcept;
    ~ConnectionLease() { release(); }

    drivers::Connection *get() const { return m_connection.get(); }
    drivers::Connection *operator->() const { return m_connection.get(); }
    drivers::Connection &operator*() const { return *m_connection; }
    explicit operator bool() const { return bool(m_connection); }
    bool isOneOff() const { return m_connection && !m_pool; }

    // Gives the connection back now rather than when the lease is destroyed.
    void release();

private:
    friend class Database;
    ConnectionLease(std::shared_ptr<detail::ConnectionPool> pool,
                    std::unique_ptr<drivers::Connection> connection);

    std::shared_ptr<detail::ConnectionPool> m_pool;
    std::unique_ptr<drivers::Connection> m_connection;
};

// One database: its URL, a reference-counted connected state, and a small pool of connections
// per thread (connections belong to the thread that opened them).
//
// connect()/disconnect() nest: the first connect opens, the last disconnect closes. Used while
// not connected, an operation still runs on a connection opened for it alone, and the
// DatabaseNotConnected warning is logged (category "strata.orm.database") and emitted as
// notConnectedWarning(): that path is slow, which is what the warning is about.
class Database : public QObject {
    Q_OBJECT

public:
    // Lost: connected (the references hold), but the last connection broke or a new one could
    // not be opened; the next one that opens makes it Connected again ("reconnected").
    enum class State { Disconnected, Connecting, Connected, Failed, Lost };
    Q_ENUM(State)

    // Throws Error(InvalidUrl) for a malformed URL.
    explicit Database(const QString &url, QObject *parent = nullptr);
    explicit Database(DatabaseUrl url, QObject *parent = nullptr);
    ~Database() override;

    const DatabaseUrl &url() const { return m_url; }
    // Gives the URL a password, for the next connect: when the server asked for one the URL did
    // not have (the window asks the user). Only while nothing is open (Disconnected or Failed),
    // else Error(Usage): connections being opened read the URL.
    void setPassword(const QString &password);
    // The URL with the password masked.
    QString displayUrl() const { return m_url.toDisplayString(); }

    // Connections per thread that may be open at once; queries beyond that wait their turn.
    int poolSize() const;
    void setPoolSize(int size);

    // Opens the database on the first call (one connection, so that failures show at once);
    // later calls only count. Throws the connection's error, leaving the count unchanged.
    QCoro::Task<> connect();
    // Counts down; the last one closes every connection, cancelling statements still running.
    // force=true drops the count to zero at once, and abandons a first connect under way (it
    // throws Error(Cancelled) at once rather than at its timeout): for quitting.
    QCoro::Task<> disconnect(bool force = false);
    // Closes the database for good, before it is deleted (Registry::removeExtra): a connect
    // under way ends first, then every reference is dropped and every connection closed
    // (leased ones after the pool's grace), and disconnects already under way finish. From
    // then on connect() throws Error(Usage); operations take the not-connected path.
    QCoro::Task<> retire();
    // True while connected, Lost included: operations go on, on new connections.
    bool isConnected() const;
    int referenceCount() const;
    State state() const;
    // The last connect's error; empty unless state() is Failed.
    std::optional<Error> failure() const;
    // Why the last connect failed; empty unless state() is Failed.
    QString failureReason() const;
    // Whether the database can only be read, as its connections found when connect() last
    // succeeded: SQLite's mode=ro, or a file (or directory) this user may not write, which
    // opens read-only by itself; PostgreSQL's read-only sessions (a standby,
    // default_transaction_read_only). False before the first connect.
    bool isReadOnly() const;

    // A connection of this thread's pool; `operation` names the work for the not-connected
    // warning. Waits while every connection of the pool is busy.
    QCoro::Task<ConnectionLease> acquire(QString operation = QStringLiteral("query"));

    // Runs one statement on a pooled connection and returns all of its rows.
    QCoro::Task<Result> execute(QString sql, QVariantList params = {});
    // The statement once per parameter set, pipelined on PostgreSQL (see Connection).
    QCoro::Task<QList<qint64>> executeBatch(QString sql, QList<QVariantList> paramSets);
    // Several statements without parameters (schema scripts).
    QCoro::Task<> executeScript(QString sql);

    // SQLite: databases attached as schemas on every connection (ATTACH is per connection).
    // Connections opened later attach them as they open; idle ones catch up before they are
    // handed out, so the change shows on the next operation of every pool, on every thread.
    // Registering does not check the file: the connection that attaches it logs a failure.
    // `path` is a file's path, never a URI ("file:x?mode=memory" names a file so called).
    // Throws Error(Usage) on PostgreSQL, Error(Configuration) for an empty schema name.
    void attach(const QString &schema, const QString &path);
    // Forgets an attachment; connections detach it before their next operation. Returns
    // whether `schema` was attached.
    bool detach(const QString &schema);
    // Schema name -> file path (":memory:" for an in-memory one).
    QMap<QString, QString> attachments() const;

signals:
    // An operation ran on an unconnected database (once per operation).
    void notConnectedWarning(const QString &operation, const QString &database);
    void stateChanged(orm::Database::State state, const QString &reason);

private:
    std::shared_ptr<detail::ConnectionPool> poolForCurrentThread();
    void setState(State state, const QString &reason);

    DatabaseUrl m_url; // changed only by setPassword(), while nothing is open
    // False once destroyed: what coroutines that outlive it look at before touching it.
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    mutable std::mutex m_mutex; // guards everything below
    int m_poolSize = 4;
    int m_references = 0;
    State m_state = State::Disconnected;
    std::optional<Error> m_failure;
    bool m_readOnly = false;
    std::map<QThread *, std::shared_ptr<detail::ConnectionPool>> m_pools;
    WaitQueue m_connectDone; // open unless a first connect is under way
    bool m_retired = false;
    bool m_abandoning = false; // a forced disconnect is abandoning the connect under way
    int m_closing = 0;         // disconnects closing their pools
    WaitQueue m_closeDone;     // open unless m_closing > 0
    // Shared with the pools, which may outlive this object: each has its own lock.
    const std::shared_ptr<detail::AttachmentList> m_attachments;
    const std::shared_ptr<detail::LinkHealth> m_health;
};

} // namespace orm
