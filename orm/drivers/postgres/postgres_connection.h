#pragma once

#include "orm/core/error.h"
#include "orm/drivers/connection.h"

#include <QByteArray>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <vector>

class QObject;
class QSocketNotifier;
class QTimer;

// libpq's handles, declared so that users of this header need no libpq include path.
struct pg_conn;
struct pg_result;

namespace orm::drivers {

// The PostgreSQL driver: libpq's non-blocking API driven by QSocketNotifier on the owner thread.
//
// - start() streams in single-row mode; nextBatch() fills batches from buffered rows and hands
//   the event loop back at least every ~4 ms.
// - executeBatch() pipelines every set (one round trip) behind one Sync: the sets share the
//   statement's implicit transaction, so in autocommit a failing set also undoes the earlier
//   ones; its error names the set's 0-based index ("parameter set 5 of 10000: ...").
// - cancel() runs PQcancel on a helper thread holding its own PGcancel.
//
// Only one call at a time may be in flight (another one throws Error(Usage)), except cancel()
// and close(). Destroying the connection while one of its calls is suspended makes that call
// throw at once, from inside the destructor: its handler must not touch the connection again.
// libpq resolves host names synchronously while connecting: give an IP address (or hostaddr)
// where a slow DNS would matter.
class PostgresConnection final : public Connection {
public:
    explicit PostgresConnection(DatabaseUrl url);
    ~PostgresConnection() override;

    PostgresConnection(const PostgresConnection &) = delete;
    PostgresConnection &operator=(const PostgresConnection &) = delete;

    DatabaseUrl::Backend backend() const override { return DatabaseUrl::Backend::Postgres; }

    QCoro::Task<> open() override;
    QCoro::Task<> close() override;
    bool isOpen() const override;
    bool probeIdle() override;
    QMap<QString, QString> connectionParameters() const override;

    QCoro::Task<> start(QString sql, QVariantList params = {}, int batchRows = 4096) override;
    QCoro::Task<std::optional<RowBatch>> nextBatch() override;
    const Columns &columns() const override { return m_columns; }
    qint64 rowsAffected() const override { return m_rowsAffected; }

    QCoro::Task<QList<qint64>> executeBatch(QString sql, QList<QVariantList> paramSets) override;
    QCoro::Task<> executeScript(QString sql) override;
    QCoro::Task<> cancel() override;
    void abandon() override;
    QString serverAddress() const override;
    TransactionStatus transactionStatus() const override;
    bool isReadOnly() const override;

    // The server process serving this connection (0 when closed), for diagnostics.
    int backendPid() const;

private:
    enum class Wake { None, Read, Write, Timeout, Yield, Closed };
    struct WakeAwaiter;
    struct CancelState;
    struct CancelAwaiter;
    class OpGuard;

    WakeAwaiter waitIo(bool write);
    WakeAwaiter yieldToLoop();
    void suspend(std::coroutine_handle<> handle, bool read, bool write, bool yield);
    void wake(Wake why);
    void syncSocket();
    void dropNotifiers();
    void consumeInput();
    void checkWake(Wake why);

    QCoro::Task<> flushOutgoing();
    QCoro::Task<pg_result *> nextResult();
    QCoro::Task<> drainResults();
    QCoro::Task<> discardStream();
    QCoro::Task<QString> sendCancel();
    bool statementRunning() const;
    void fireAndForgetCancel();
    void appendRow(RowBatch &batch, const pg_result *row);
    bool sliceExpired() const;
    void setColumns(const pg_result *result);
    void resetStream();
    void finishConnection();

    void ensureUsable() const;
    Error lostError() const;
    // lostError(), with the server's own reason when it sent one before closing.
    Error lostErrorWithServerReason() const;
    Error sendError() const;
    Error resultError(const pg_result *result, const QString &prefix = {}) const;
    Error connectError() const;

    pg_conn *m_conn = nullptr;
    int m_socket = -1;
    bool m_closing = false;
    bool m_opActive = false;
    std::unique_ptr<QObject> m_context; // owner-thread target of cross-thread wake-ups
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    std::unique_ptr<QTimer> m_deadline;
    std::unique_ptr<QTimer> m_yieldTimer;
    std::coroutine_handle<> m_waiter;
    Wake m_wake = Wake::None;
    std::vector<std::shared_ptr<CancelState>> m_cancels;

    // The current statement's stream.
    Columns m_columns;
    qint64 m_rowsAffected = -1;
    bool m_streamOpen = false; // results remain to be read
    bool m_finalSeen = false;  // its last result (not a row) has arrived
    pg_result *m_firstRow = nullptr;
    int m_batchRows = 4096;
    qsizetype m_bytesPerRow = 64;
    std::vector<std::uint8_t> m_byteaColumns;
    qsizetype m_batchBytes = 0;
    QByteArray m_scratch;
    std::chrono::steady_clock::time_point m_sliceStart;
};

} // namespace orm::drivers
