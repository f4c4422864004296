#pragma once

#include "orm/core/database_url.h"
#include "orm/core/result.h"

#include <QCoro/QCoroTask>
#include <QMap>
#include <QVariantList>

#include <functional>
#include <memory>
#include <optional>

namespace orm::drivers {

// Where the connection's session stands with respect to transactions, as the server last said.
enum class TransactionStatus {
    Unknown, // not known now: closed, broken, or (PostgreSQL) a statement's results still arrive
    Idle,    // no transaction: every statement commits on its own
    Open,    // inside a transaction block
    Failed,  // inside a transaction that an error aborted (PostgreSQL): only ROLLBACK helps
};

// What the server says beside a statement's result: PostgreSQL's notices and warnings (RAISE
// NOTICE, "table does not exist, skipping"). SQLite has none.
struct Notice {
    QString severity; // NOTICE, WARNING, INFO, LOG, DEBUG (not translated)
    QString message;
    QString detail;
    QString hint;
};

// One physical connection to a database, behind which each backend's driver sits.
//
// A Connection belongs to the thread that created it: every call, and every resumption of a
// call, happens on that thread, and no call ever blocks it waiting for I/O. Failures throw
// orm::Error carrying the database's display URL (password masked).
class Connection {
public:
    virtual ~Connection();

    virtual DatabaseUrl::Backend backend() const = 0;
    const DatabaseUrl &url() const { return m_url; }

    // Opens the connection. PostgreSQL honours connect_timeout; SQLite refuses a missing file
    // unless the URL says create=true (or mode=rwc).
    virtual QCoro::Task<> open() = 0;
    // Closes it; never throws. A statement still running is cancelled first.
    virtual QCoro::Task<> close() = 0;
    virtual bool isOpen() const = 0;
    // Whether an idle connection is still usable, learnt without a round trip: false once the
    // server has closed it (a restart, pg_terminate_backend, a proxy that dropped the link).
    // The pool asks before handing an idle connection out, so that a query never meets a
    // connection that died while it sat in the pool. Consumes what the server sent meanwhile.
    virtual bool probeIdle() { return isOpen(); }

    // Runs one statement with bound parameters ($1.. on PostgreSQL, ? or ?N on SQLite).
    // Returns once the statement's columns are known, or throws its error. Rows are then
    // pulled with nextBatch() (at most batchRows each) until it returns std::nullopt; a new
    // start() before that discards the rest of the previous statement.
    virtual QCoro::Task<> start(QString sql, QVariantList params = {}, int batchRows = 4096) = 0;
    virtual QCoro::Task<std::optional<RowBatch>> nextBatch() = 0;
    // The running (or last) statement's columns.
    virtual const Columns &columns() const = 0;
    // Rows changed by the last statement, valid once its stream ended; -1 if not reported.
    virtual qint64 rowsAffected() const = 0;

    // The same statement once per parameter set, pipelined where the backend can (PostgreSQL
    // pipeline mode: one round trip for the lot). Rows changed per set. All or nothing: if a
    // set fails, the error names its (0-based) index and no set of the batch is applied.
    virtual QCoro::Task<QList<qint64>> executeBatch(QString sql, QList<QVariantList> paramSets) = 0;

    // Several ';'-separated statements without parameters or rows (schema scripts).
    virtual QCoro::Task<> executeScript(QString sql) = 0;

    // Asks the server to stop the running statement; the call waiting on it then throws
    // Error(Cancelled) and the connection stays usable. Returns once the request is delivered,
    // without blocking this thread (libpq's PQcancel runs on a helper thread).
    virtual QCoro::Task<> cancel() = 0;
    // Drops the link now, without a word to the server: for a server or link that no longer
    // answers, not even a cancel. The call waiting on it throws Error(Cancelled) and the
    // connection is closed (the server rolls back what was open, if it ever hears). SQLite is
    // in-process and always hears a cancel: there it interrupts once more.
    virtual void abandon() = 0;

    // The transaction status after the last call that ended. PostgreSQL: PQtransactionStatus,
    // known once a statement's results have all been read (Unknown while a stream is open);
    // SQLite: sqlite3_get_autocommit (Idle or Open: SQLite has no aborted state, an error either
    // leaves the transaction open or rolls it back).
    virtual TransactionStatus transactionStatus() const = 0;

    // The connection settings in effect, secrets left out (PostgreSQL: what libpq reports with
    // PQconninfo, defaults included). Empty where the backend has none (SQLite).
    virtual QMap<QString, QString> connectionParameters() const { return {}; }

    // Where the open connection is ("127.0.0.1:5433": the host of a multi-host URL that it
    // landed on); empty where that means nothing (SQLite) or when closed.
    virtual QString serverAddress() const { return {}; }

    // Whether the open connection can only read: SQLite opens a file read-only by itself when
    // this user may not write it or its directory (or the URL says mode=ro); PostgreSQL when
    // the server makes sessions read-only (a standby, default_transaction_read_only).
    virtual bool isReadOnly() const { return false; }

    // Runs a statement and collects all of its rows.
    QCoro::Task<Result> execute(QString sql, QVariantList params = {});

    // Called on the connection's thread, while a call reads the server's answer, for every
    // notice. It must not call into this connection. Without one, notices are dropped.
    using NoticeHandler = std::function<void(const Notice &)>;
    void setNoticeHandler(NoticeHandler handler) { m_noticeHandler = std::move(handler); }
    // For the driver: hands a notice to the handler.
    void notify(const Notice &notice) const
    {
        if (m_noticeHandler)
            m_noticeHandler(notice);
    }

protected:
    explicit Connection(DatabaseUrl url)
        : m_url(std::move(url))
    {
    }
    QString displayUrl() const { return m_url.toDisplayString(); }

private:
    DatabaseUrl m_url;
    NoticeHandler m_noticeHandler;
};

// The driver for the URL's backend; the connection is not open yet.
std::unique_ptr<Connection> createConnection(const DatabaseUrl &url);

} // namespace orm::drivers
