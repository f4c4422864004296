#pragma once

// The console's own connection to one database: opened for a console tab and held for its life,
// apart from the database's pool, so that what the console changes on it (search_path,
// read-only mode, an open transaction) never reaches the browsing connections, and a long
// console query never holds one of them up.
//
// Calls are serialised: a statement, a result stream pulling its next batch, a commit, each wait
// their turn (the driver takes one call at a time). A stream belongs to the statement that
// opened it; the next statement ends it (isCurrent() turns false). Inside a PostgreSQL
// transaction that means reading the rest of its rows first: cancelling it would abort the
// transaction.

#include "orm/core/wait_queue.h"
#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QObject>

#include <chrono>
#include <memory>
#include <optional>

namespace orm {

class ConsoleSession : public QObject {
    Q_OBJECT

public:
    explicit ConsoleSession(Database *database, QObject *parent = nullptr);
    ~ConsoleSession() override;

    Database *database() const { return m_database; }
    Dialect dialect() const { return m_dialect; }
    // The database's URL with the password masked (history keys, titles).
    QString displayUrl() const;

    // Opens the connection in `schema` (empty: the default). PostgreSQL: SET search_path on
    // this connection only; SQLite: the attached database becomes the one unqualified names
    // resolve to (the connection opens its file as main; the other attachments are attached).
    // Re-opening (another schema) closes the previous connection first.
    QCoro::Task<> open(QString schema = {});
    QCoro::Task<> close();
    bool isOpen() const;
    QString schema() const { return m_schema; }

    // Where a read-only change took effect.
    enum class ReadOnlyEffect {
        Now,             // the open transaction too, if there is one
        NextTransaction, // PostgreSQL: the open transaction keeps its mode until it ends
    };
    Q_ENUM(ReadOnlyEffect)
    // Read-only: PostgreSQL default_transaction_read_only, SQLite PRAGMA query_only. Applied at
    // once when open, and on every re-open; on PostgreSQL again once the transaction open at the
    // time has ended (a rollback would undo it). On PostgreSQL an open transaction is made read-
    // only too (SET transaction_read_only); it is made read-write again only before its first
    // query (the server refuses it after), and a failed transaction takes no SET at all: both
    // answer NextTransaction.
    QCoro::Task<ReadOnlyEffect> setReadOnly(bool readOnly);
    bool isReadOnly() const { return m_readOnly; }

    // Manual transactions: the first statement after Commit or Rollback opens one (BEGIN).
    // Turning autocommit on leaves an open transaction as it is: switchToAutocommit() ends it.
    void setAutocommit(bool autocommit);
    bool isAutocommit() const { return m_autocommit; }
    enum class TransactionEnd { Commit, Rollback };
    Q_ENUM(TransactionEnd)
    // Ends the open transaction, if any, with COMMIT or ROLLBACK and turns autocommit on, in one
    // turn: no statement waiting its turn runs between the two. Answers like commit() (false:
    // the server rolled back a failed transaction instead), true after a rollback or with no
    // transaction. When ending it throws, autocommit goes on only if no transaction is left open.
    QCoro::Task<bool> switchToAutocommit(TransactionEnd end);

    // The server's transaction state after the last statement, commit or rollback: what the
    // driver reports (PostgreSQL's PQtransactionStatus, SQLite's sqlite3_get_autocommit), and
    // while a statement's rows are still being read on PostgreSQL (the server says it only at
    // the end) what the statement's leading keywords imply.
    enum class TransactionState {
        None,   // no transaction
        Open,   // a transaction is open
        Failed, // PostgreSQL: an error aborted the transaction; only its end (ROLLBACK) helps,
                // and COMMIT rolls it back too. SQLite has no such state.
    };
    Q_ENUM(TransactionState)
    TransactionState transactionState() const { return m_transactionState; }
    // Open or failed: a transaction waits for Commit or Rollback.
    bool isTransactionOpen() const { return m_transactionState != TransactionState::None; }
    bool isTransactionFailed() const { return m_transactionState == TransactionState::Failed; }
    // Ends the transaction with COMMIT. False when the server rolled it back instead: PostgreSQL
    // answers COMMIT of a failed transaction with ROLLBACK.
    QCoro::Task<bool> commit();
    QCoro::Task<> rollback();

    // Runs one statement and returns once its columns are known; rows are then read with
    // nextBatch(stream) until it returns nullopt. Throws the statement's orm::Error.
    QCoro::Task<quint64> start(QString sql, int batchRows = 4096);
    const Columns &columns() const;
    qint64 rowsAffected() const;
    // The next batch of stream `stream` (what start() returned), or nullopt when it ended, or
    // when a later statement has replaced it.
    QCoro::Task<std::optional<RowBatch>> nextBatch(quint64 stream);
    bool isCurrent(quint64 stream) const { return stream == m_stream && m_streamOpen; }

    // Stops the running statement on the server (the waiting call throws Error(Cancelled));
    // the connection stays usable. A server or link that does not answer the cancel within
    // cancelGrace() (a link gone silent) has the connection dropped instead, so that Cancel
    // always gives the console back: the waiting call throws Error(Cancelled) saying so, and
    // the next statement opens a new session.
    QCoro::Task<> cancel();
    static constexpr std::chrono::milliseconds kDefaultCancelGrace{5000};
    void setCancelGrace(std::chrono::milliseconds grace) { m_cancelGrace = grace; }
    std::chrono::milliseconds cancelGrace() const { return m_cancelGrace; }
    bool isBusy() const { return m_busy; }

    // Runs a statement with bound parameters and collects all its rows (catalog queries for
    // completion). Not the user's statement: in manual mode it opens no transaction.
    QCoro::Task<Result> execute(QString sql, QVariantList params = {});
    // The same for the tool's own queries between the user's (completion's catalog reads): where
    // a statement's result is still being read it leaves that result alone and throws
    // Error(Usage) instead, so that the caller tries again later.
    QCoro::Task<Result> executeAside(QString sql, QVariantList params = {});

signals:
    // isTransactionOpen() changed.
    void transactionChanged(bool open);
    // transactionState() changed (also from Open to Failed and back).
    void transactionStateChanged(orm::ConsoleSession::TransactionState state);
    void busyChanged(bool busy);
    // The server had ended the session (restart, terminated backend, cut link) and a new one
    // was opened before the next statement; `message` says what was lost with the old one.
    void sessionReset(const QString &message);
    // The server said something beside a result (PostgreSQL: RAISE NOTICE, WARNING, INFO):
    // `severity` untranslated, `text` the message with its DETAIL and HINT lines. Emitted while
    // a call reads the server's answer, before that call returns.
    void noticeReceived(const QString &severity, const QString &text);

private:
    QCoro::Task<> lock();
    void unlock();
    // open() for a caller that holds the turn.
    QCoro::Task<> openInTurn(QString schema);
    QCoro::Task<Result> executeInTurn(QString sql, QVariantList params);
    // Replaces a session the server ended; throws if a transaction was lost with it.
    QCoro::Task<> resetSession();
    QCoro::Task<> applySettings();
    // PostgreSQL keeps the schema and read-only mode in each transaction, never in the session
    // (a transaction pooler such as PgBouncer hands the session to other clients between
    // transactions): the user's transactions get them as they open, and an autocommit statement
    // runs in a transaction of the console's own, its carrier, ended once its result is read.
    bool carriesSettings() const;
    QString transactionSettings() const; // SET TRANSACTION READ ONLY; SET LOCAL search_path
    QCoro::Task<> beginTransaction();    // BEGIN with the settings, in one round trip
    // Before a statement with `words`: opens the user's transaction (manual mode, for the
    // user's statements only) or a carrier.
    QCoro::Task<> beginFor(const QString &words, bool usersStatement);
    QCoro::Task<> endCarrier();  // COMMIT; keeps the statement's row count
    QCoro::Task<> dropCarrier(); // ROLLBACK after an error; throws nothing
    QCoro::Task<> drainStream();
    // commit() and rollback() for a caller that holds the turn.
    QCoro::Task<bool> commitInTurn();
    QCoro::Task<> rollbackInTurn();
    // Keeps m_snapshotTaken for a statement about to run.
    void noteStatement(const QString &leadingWords);
    // Applies the settings again if a transaction may have undone them and has now ended.
    QCoro::Task<> applyPendingSettings();
    // Ends the open stream before the next call. The driver would cancel a stream not read to
    // its end, and PostgreSQL aborts the transaction of a cancelled statement: inside a
    // transaction the rest is read and dropped instead, so that the next statement (a COMMIT
    // above all) finds the transaction as the reader left it. Throws the rest's error.
    QCoro::Task<> endStream();
    void setTransactionState(TransactionState state);
    // Takes the driver's status; `guess` stands in while the driver does not know it.
    void updateTransactionState(std::optional<TransactionState> guess = std::nullopt);
    // The cancel of statement `stream` went unanswered: drop the connection.
    void dropUnanswered(quint64 stream);
    // After a call failed: if its connection was dropped, throws what the user needs to know.
    void throwIfDropped();

    QPointer<Database> m_database;
    Dialect m_dialect;
    std::unique_ptr<drivers::Connection> m_connection;
    QString m_schema;
    bool m_readOnly = false;
    bool m_autocommit = true;
    bool m_settingsPending = false; // set inside a PostgreSQL transaction: apply once it ends
    // PostgreSQL: a statement that takes a snapshot ran in the open transaction, which can then
    // no longer turn read-write. Conservative: only statements known to take none leave it false.
    bool m_snapshotTaken = false;
    TransactionState m_transactionState = TransactionState::None;
    bool m_carrier = false; // the running statement's transaction is the console's own
    std::optional<qint64> m_carriedRowsAffected; // the statement's count, kept past its COMMIT
    bool m_busy = false;
    quint64 m_nextTicket = 0; // lock(): the turn each call waits for, in the order they came
    quint64 m_nowServing = 0;
    bool m_running = false; // a statement or a batch is on the server (cancel has something)
    quint64 m_stream = 0;
    bool m_streamOpen = false;
    std::chrono::milliseconds m_cancelGrace = kDefaultCancelGrace;
    QString m_dropped; // why the connection was dropped under the running call
    WaitQueue m_idle;
};

} // namespace orm
