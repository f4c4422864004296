// Over 700 lines on purpose: this is one state machine (the socket waits, connecting, cancel and
// the four statement calls) sharing the connection's private state; values, errors and the
// connection parameters already live in postgres_values, postgres_errors, postgres_conninfo.
#include "orm/drivers/postgres/postgres_connection.h"

#include "orm/drivers/postgres/postgres_conninfo.h"
#include "orm/drivers/postgres/postgres_errors.h"
#include "orm/drivers/postgres/postgres_host_list.h"
#include "orm/drivers/postgres/postgres_values.h"

#include <libpq-fe.h>

#include <QMetaObject>
#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>

namespace orm::drivers {

using namespace std::chrono_literals;
using Kind = Error::Kind;

namespace {

// How long filling batches from buffered data may keep the event loop waiting.
constexpr auto kSlice = 4ms;

qint64 commandTuples(PGresult *result)
{
    const char *text = PQcmdTuples(result);
    return text && *text ? std::strtoll(text, nullptr, 10) : -1;
}

// Notices come to the receiver as results while libpq reads input, on the owner thread.
void receiveNotice(void *context, const PGresult *result)
{
    const auto field = [result](int code) {
        return QString::fromUtf8(PQresultErrorField(result, code));
    };
    QString severity = field(PG_DIAG_SEVERITY_NONLOCALIZED); // servers before 9.6: none
    if (severity.isEmpty())
        severity = field(PG_DIAG_SEVERITY);
    static_cast<const Connection *>(context)->notify(
        Notice{severity, field(PG_DIAG_MESSAGE_PRIMARY), field(PG_DIAG_MESSAGE_DETAIL),
               field(PG_DIAG_MESSAGE_HINT)});
}

bool isError(ExecStatusType status)
{
    return status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
           status == PGRES_NONFATAL_ERROR;
}

} // namespace

// Resumes a coroutine suspended on the socket, a zero timer (yield) or the connect deadline.
struct PostgresConnection::WakeAwaiter {
    PostgresConnection *self;
    bool read;
    bool write;
    bool yield;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle)
    {
        self->suspend(handle, read, write, yield);
    }
    Wake await_resume() const noexcept { return std::exchange(self->m_wake, Wake::None); }
};

// Shared between the owner thread and one PQcancel helper thread.
struct PostgresConnection::CancelState {
    std::mutex mutex;
    QObject *wakeTarget = nullptr; // guarded by mutex; null once the connection is gone
    bool ok = false;               // guarded by mutex
    QString error;                 // guarded by mutex
    // Owner thread only:
    std::thread thread;
    std::coroutine_handle<> waiter;
    bool abandoned = false;
};

struct PostgresConnection::CancelAwaiter {
    CancelState *state;
    bool await_ready() const noexcept { return false; }
    // The helper's wake-up is queued to this thread, so it cannot run before we suspend here.
    void await_suspend(std::coroutine_handle<> handle) { state->waiter = handle; }
    void await_resume() const noexcept {}
};

class PostgresConnection::OpGuard {
public:
    explicit OpGuard(PostgresConnection *c)
        : m_c(c)
    {
        m_c->m_opActive = true;
    }
    ~OpGuard() { m_c->m_opActive = false; }
    OpGuard(const OpGuard &) = delete;
    OpGuard &operator=(const OpGuard &) = delete;

private:
    PostgresConnection *m_c;
};

PostgresConnection::PostgresConnection(DatabaseUrl url)
    : Connection(std::move(url))
    , m_context(std::make_unique<QObject>())
    , m_deadline(std::make_unique<QTimer>())
    , m_yieldTimer(std::make_unique<QTimer>())
{
    m_deadline->setSingleShot(true);
    QObject::connect(m_deadline.get(), &QTimer::timeout, m_context.get(),
                     [this] { wake(Wake::Timeout); });
    m_yieldTimer->setSingleShot(true);
    m_yieldTimer->setInterval(0);
    QObject::connect(m_yieldTimer.get(), &QTimer::timeout, m_context.get(),
                     [this] { wake(Wake::Yield); });
}

PostgresConnection::~PostgresConnection()
{
    m_closing = true;
    if (m_conn && statementRunning())
        fireAndForgetCancel(); // PQcancel blocks: never here
    finishConnection();
    // Calls still suspended on us end now, while our members are alive (see the header).
    while (m_waiter || !m_cancels.empty()) {
        for (const std::shared_ptr<CancelState> &state : std::exchange(m_cancels, {})) {
            {
                std::lock_guard lock(state->mutex);
                state->wakeTarget = nullptr;
            }
            if (state->thread.joinable())
                state->thread.detach(); // it owns its PGcancel and shares only `state`
            state->abandoned = true;
            if (auto waiter = std::exchange(state->waiter, {}))
                waiter.resume();
        }
        wake(Wake::Closed);
    }
}

bool PostgresConnection::isOpen() const
{
    return m_conn && !m_closing && PQstatus(m_conn) == CONNECTION_OK;
}

bool PostgresConnection::probeIdle()
{
    if (!isOpen())
        return false;
    if (m_opActive || m_streamOpen)
        return true; // not idle: the call under way will meet any failure itself
    // An idle session receives nothing unless the server ends it (an ErrorResponse such as
    // "terminating connection due to administrator command", then EOF) or sends a NOTIFY or a
    // parameter change. Read what is there; EOF may take a second read.
    for (int round = 0; round < 3; ++round) {
        pollfd readable{PQsocket(m_conn), POLLIN, 0};
        if (::poll(&readable, 1, 0) <= 0)
            return true;
        if (!PQconsumeInput(m_conn) || PQstatus(m_conn) != CONNECTION_OK)
            return false;
        PQisBusy(m_conn); // parses what arrived
        bool notified = false;
        while (PGnotify *notify = PQnotifies(m_conn)) {
            notified = true;
            PQfreemem(notify);
        }
        // Anything else sent to an idle session is the server ending it (its FATAL comes a
        // moment before the EOF): the session is as good as gone.
        if (!notified)
            return false;
    }
    return PQstatus(m_conn) == CONNECTION_OK;
}

QMap<QString, QString> PostgresConnection::connectionParameters() const
{
    QMap<QString, QString> parameters;
    if (!m_conn)
        return parameters;
    PQconninfoOption *options = PQconninfo(m_conn);
    for (PQconninfoOption *option = options; option && option->keyword; ++option) {
        // dispchar '*' marks a secret (password, sslpassword...): never handed out.
        if (option->val && !(option->dispchar && option->dispchar[0] == '*'))
            parameters.insert(QString::fromUtf8(option->keyword), QString::fromUtf8(option->val));
    }
    PQconninfoFree(options);
    return parameters;
}

int PostgresConnection::backendPid() const
{
    return m_conn ? PQbackendPID(m_conn) : 0;
}

bool PostgresConnection::isReadOnly() const
{
    if (!isOpen())
        return false;
    // Both are reported by the server as they change (PostgreSQL 14 and later): no query.
    const auto on = [this](const char *name) {
        const char *value = PQparameterStatus(m_conn, name);
        return value && qstrcmp(value, "on") == 0;
    };
    return on("default_transaction_read_only") || on("in_hot_standby");
}

TransactionStatus PostgresConnection::transactionStatus() const
{
    if (!m_conn || m_closing || PQstatus(m_conn) != CONNECTION_OK)
        return TransactionStatus::Unknown;
    // libpq learns the status from ReadyForQuery, which ends every statement: PQTRANS_ACTIVE
    // while a statement's results are still being read.
    switch (PQtransactionStatus(m_conn)) {
    case PQTRANS_IDLE:
        return TransactionStatus::Idle;
    case PQTRANS_INTRANS:
        return TransactionStatus::Open;
    case PQTRANS_INERROR:
        return TransactionStatus::Failed;
    default:
        return TransactionStatus::Unknown;
    }
}

// --- waiting ---------------------------------------------------------------------------------

PostgresConnection::WakeAwaiter PostgresConnection::waitIo(bool write)
{
    syncSocket();
    if (m_socket < 0)
        throw lostError();
    // Always readable too: consuming input while waiting to write avoids the classic deadlock.
    return WakeAwaiter{this, true, write, false};
}

PostgresConnection::WakeAwaiter PostgresConnection::yieldToLoop()
{
    return WakeAwaiter{this, false, false, true};
}

void PostgresConnection::suspend(std::coroutine_handle<> handle, bool read, bool write, bool yield)
{
    Q_ASSERT(!m_waiter);
    m_waiter = handle;
    if (yield) {
        m_yieldTimer->start();
        return;
    }
    if (read && m_readNotifier)
        m_readNotifier->setEnabled(true);
    if (write && m_writeNotifier)
        m_writeNotifier->setEnabled(true);
}

void PostgresConnection::wake(Wake why)
{
    if (!m_waiter)
        return;
    // Level-triggered notifiers: off while nobody waits, or they would fire in a loop.
    if (m_readNotifier)
        m_readNotifier->setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    m_yieldTimer->stop();
    m_wake = why;
    std::exchange(m_waiter, {}).resume();
}

void PostgresConnection::syncSocket()
{
    // libpq may open a new socket per connection attempt (several hosts or addresses).
    const int fd = m_conn ? PQsocket(m_conn) : -1;
    if (fd == m_socket && (fd < 0 || m_readNotifier))
        return;
    dropNotifiers();
    m_socket = fd;
    if (fd < 0)
        return;
    m_readNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    m_readNotifier->setEnabled(false);
    QObject::connect(m_readNotifier.get(), &QSocketNotifier::activated, m_context.get(),
                     [this] { wake(Wake::Read); });
    m_writeNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    m_writeNotifier->setEnabled(false);
    QObject::connect(m_writeNotifier.get(), &QSocketNotifier::activated, m_context.get(),
                     [this] { wake(Wake::Write); });
}

void PostgresConnection::dropNotifiers()
{
    // Qt allows deleting a notifier from its own activated() handler.
    m_readNotifier.reset();
    m_writeNotifier.reset();
    m_socket = -1;
}

void PostgresConnection::consumeInput()
{
    if (!PQconsumeInput(m_conn))
        throw lostErrorWithServerReason();
}

Error PostgresConnection::lostErrorWithServerReason() const
{
    // The server often says why before it closes ("FATAL: terminating connection due to
    // administrator command"): that text, already read, beats libpq's generic "server closed
    // the connection unexpectedly".
    PQisBusy(m_conn);
    std::optional<Error> reason;
    for (int i = 0; i < 8; ++i) {
        PGresult *r = PQgetResult(m_conn);
        if (!r)
            break;
        if (!reason && isError(PQresultStatus(r)) && PQresultErrorField(r, PG_DIAG_SQLSTATE))
            reason.emplace(resultError(r));
        PQclear(r);
    }
    if (!reason)
        return lostError();
    return Error(Kind::ConnectionLost, reason->message(), displayUrl(), reason->sqlState());
}

void PostgresConnection::checkWake(Wake why)
{
    if (why == Wake::Closed)
        throw Error(Kind::Cancelled, QStringLiteral("the connection was closed during the call"),
                    displayUrl());
}

bool PostgresConnection::sliceExpired() const
{
    return std::chrono::steady_clock::now() - m_sliceStart > kSlice;
}

// --- errors ----------------------------------------------------------------------------------

Error PostgresConnection::lostError() const
{
    return postgres::lostError(m_conn, displayUrl());
}

Error PostgresConnection::resultError(const pg_result *r, const QString &prefix) const
{
    return postgres::resultError(m_conn, r, displayUrl(), prefix);
}

Error PostgresConnection::connectError() const
{
    return postgres::connectError(m_conn, displayUrl());
}

Error PostgresConnection::sendError() const
{
    if (!m_conn || PQstatus(m_conn) == CONNECTION_BAD)
        return lostError();
    return Error(Kind::Usage, postgres::trimmedMessage(PQerrorMessage(m_conn)), displayUrl());
}

void PostgresConnection::ensureUsable() const
{
    if (!m_conn || m_closing)
        throw Error(Kind::Usage, QStringLiteral("the connection is not open"), displayUrl());
    if (m_opActive)
        throw Error(Kind::Usage, QStringLiteral("another call is still running on this connection"),
                    displayUrl());
    if (PQstatus(m_conn) != CONNECTION_OK)
        throw lostError();
}

// --- open / close ----------------------------------------------------------------------------

QCoro::Task<> PostgresConnection::open()
{
    if (m_opActive || m_closing)
        throw Error(Kind::Usage, QStringLiteral("another call is still running on this connection"),
                    displayUrl());
    if (m_conn) {
        if (PQstatus(m_conn) == CONNECTION_OK)
            co_return;
        finishConnection(); // lost: connect afresh
    }
    OpGuard guard(this);

    const DatabaseUrl &u = url();
    // libpq would resolve host names synchronously, blocking this thread: they are resolved
    // off the thread first and libpq gets the addresses (the names stay for TLS checks).
    postgres::HostList hosts = co_await postgres::HostList::resolve(u, displayUrl());
    const bool preferStandby =
        u.option(QStringLiteral("target_session_attrs")) == QLatin1String("prefer-standby");
    const auto failed = [&] {
        return postgres::connectError(m_conn, displayUrl(), hosts.notes(),
                                      u.option(QStringLiteral("target_session_attrs")),
                                      u.hostsText());
    };

    // libpq ignores connect_timeout in asynchronous mode: enforce it here as libpq does in
    // blocking mode, per host: a host silent for connect_timeout is given up and the next one
    // tried. The whole connect is bounded by connect_timeout x the number of hosts (a second
    // pass of prefer-standby included).
    const int timeout = u.connectTimeoutSeconds();
    const auto perHost = std::chrono::milliseconds(qint64(timeout) * 1000);
    const auto overallEnd = std::chrono::steady_clock::now() + perHost * u.hosts().size();
    bool armedForOverall = false;
    const auto armDeadline = [&] {
        if (timeout <= 0)
            return;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            overallEnd - std::chrono::steady_clock::now());
        armedForOverall = left <= perHost;
        m_deadline->start(int(std::clamp<qint64>(std::min(left, perHost).count(), 0,
                                                 std::numeric_limits<int>::max())));
    };
    const auto timedOut = [&] {
        QString message = QStringLiteral("could not connect within %1 s").arg(timeout);
        if (u.isHostList())
            message += QStringLiteral(" to any of %1:\n").arg(u.hostsText()) +
                       hosts.notes().join(QLatin1Char('\n'));
        return Error(Kind::Timeout, message, displayUrl());
    };
    try {
        for (bool connected = false; !connected;) {
            {
                postgres::ConnectParameters parameters(u, hosts.hosts(), hosts.addresses());
                m_conn = PQconnectStartParams(parameters.keywords(), parameters.values(), 0);
                parameters.clear(); // the password
            }
            if (!m_conn)
                throw Error(Kind::ConnectionFailed, QStringLiteral("out of memory"), displayUrl());
            PQsetNoticeReceiver(m_conn, receiveNotice, static_cast<Connection *>(this));
            const auto followHost = [&] {
                if (PQstatus(m_conn) == CONNECTION_BAD)
                    return; // done: which host it was on no longer matters
                const char *port = PQport(m_conn);
                if (hosts.follow(QString::fromUtf8(PQhost(m_conn)) + QLatin1Char(':') +
                                 QString::fromUtf8(port ? port : "")))
                    armDeadline(); // libpq moved on: the new host gets its own connect_timeout
            };
            followHost();
            PostgresPollingStatusType status =
                PQstatus(m_conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
            while (status != PGRES_POLLING_OK) {
                if (status == PGRES_POLLING_FAILED)
                    throw failed();
                if (status != PGRES_POLLING_ACTIVE) {
                    syncSocket();
                    if (m_socket < 0)
                        throw failed();
                    const Wake why = co_await WakeAwaiter{this, status == PGRES_POLLING_READING,
                                                          status == PGRES_POLLING_WRITING, false};
                    if (why == Wake::Timeout) {
                        // What libpq said of the hosts before this one, then this one's silence
                        // (libpq has already written the start of its line: "... failed:").
                        QString before = postgres::trimmedMessage(PQerrorMessage(m_conn));
                        if (before.endsWith(QLatin1String("failed:")))
                            before.truncate(
                                std::max<qsizetype>(0, before.lastIndexOf(QLatin1Char('\n'))));
                        const DatabaseUrl::HostPort &host = hosts.current();
                        const QString silent =
                            QStringLiteral("connection to server at \"%1\", port %2 failed: no "
                                           "answer within %3 s")
                                .arg(host.host.isEmpty() ? QString::fromUtf8(PQhost(m_conn))
                                                         : host.host,
                                     host.port > 0 ? QString::number(host.port)
                                                   : QString::fromUtf8(PQport(m_conn)))
                                .arg(timeout);
                        const QString note =
                            before.isEmpty() ? silent : before + QLatin1Char('\n') + silent;
                        if (!hosts.dropCurrent(note, preferStandby) || armedForOverall)
                            throw timedOut();
                        finishConnection();
                        break; // a new libpq connect, for the hosts left
                    }
                    if (why == Wake::Closed)
                        throw Error(Kind::ConnectionFailed,
                                    QStringLiteral("the connection was closed while connecting"),
                                    displayUrl());
                }
                status = PQconnectPoll(m_conn);
                followHost();
            }
            connected = status == PGRES_POLLING_OK;
        }
    } catch (...) {
        finishConnection();
        throw;
    }
    m_deadline->stop();
    if (PQsetnonblocking(m_conn, 1) != 0) {
        const Error error = lostError();
        finishConnection();
        throw error;
    }
    syncSocket();
}

QCoro::Task<> PostgresConnection::close()
{
    if (!m_conn || m_closing)
        co_return;
    m_closing = true;
    if (statementRunning())
        co_await sendCancel(); // best effort: PQfinish follows anyway
    finishConnection();
    m_closing = false;
    wake(Wake::Closed); // a call still waiting on the socket throws
}

void PostgresConnection::setColumns(const pg_result *r)
{
    m_columns = postgres::describeColumns(r, m_byteaColumns);
}

void PostgresConnection::appendRow(RowBatch &batch, const pg_result *r)
{
    m_batchBytes += postgres::appendRow(batch, r, m_byteaColumns, m_scratch);
}

void PostgresConnection::resetStream()
{
    if (m_firstRow) {
        PQclear(m_firstRow);
        m_firstRow = nullptr;
    }
    m_streamOpen = false;
    m_finalSeen = false;
}

void PostgresConnection::finishConnection()
{
    m_deadline->stop();
    resetStream();
    dropNotifiers();
    if (m_conn) {
        PQfinish(m_conn);
        m_conn = nullptr;
    }
}

// --- cancel ----------------------------------------------------------------------------------

bool PostgresConnection::statementRunning() const
{
    return m_conn && PQstatus(m_conn) == CONNECTION_OK &&
           (m_opActive || (m_streamOpen && !m_finalSeen));
}

QCoro::Task<> PostgresConnection::cancel()
{
    if (!statementRunning())
        co_return; // nothing runs: nothing to stop
    const QString failure = co_await sendCancel();
    if (!failure.isEmpty())
        throw Error(Kind::ConnectionFailed,
                    QStringLiteral("could not send the cancel request: ") + failure, displayUrl());
}

QString PostgresConnection::serverAddress() const
{
    if (!isOpen())
        return {};
    const QString host = QString::fromUtf8(PQhost(m_conn));
    const QString port = QString::fromUtf8(PQport(m_conn));
    return host.contains(u':') ? QStringLiteral("[%1]:%2").arg(host, port)
                               : QStringLiteral("%1:%2").arg(host, port);
}

void PostgresConnection::abandon()
{
    if (!m_conn || m_closing)
        return;
    m_closing = true;
    finishConnection(); // no cancel first: the link is what does not answer
    m_closing = false;
    wake(Wake::Closed); // the waiting call throws
}

QCoro::Task<QString> PostgresConnection::sendCancel()
{
    PGcancel *handle = m_conn ? PQgetCancel(m_conn) : nullptr;
    if (!handle)
        co_return QStringLiteral("the connection is not open");
    auto state = std::make_shared<CancelState>();
    state->wakeTarget = m_context.get();
    m_cancels.push_back(state);
    // The helper owns its PGcancel and shares only `state`: it may outlive the connection.
    state->thread = std::thread([state, handle] {
        char message[256] = {};
        const int ok = PQcancel(handle, message, sizeof message);
        PQfreeCancel(handle);
        std::lock_guard lock(state->mutex);
        state->ok = ok != 0;
        state->error = postgres::trimmedMessage(message);
        if (state->wakeTarget)
            QMetaObject::invokeMethod(
                state->wakeTarget,
                [state] {
                    if (auto waiter = std::exchange(state->waiter, {}))
                        waiter.resume();
                },
                Qt::QueuedConnection);
    });
    co_await CancelAwaiter{state.get()};
    if (state->abandoned)
        co_return QStringLiteral("the connection was closed"); // from our destructor
    state->thread.join(); // it has finished: it posted our wake-up last
    std::erase(m_cancels, state);
    std::lock_guard lock(state->mutex);
    co_return state->ok ? QString() : state->error;
}

void PostgresConnection::fireAndForgetCancel()
{
    if (PGcancel *handle = PQgetCancel(m_conn)) {
        std::thread([handle] {
            char message[256];
            PQcancel(handle, message, sizeof message);
            PQfreeCancel(handle);
        }).detach();
    }
}

// --- statements ------------------------------------------------------------------------------

QCoro::Task<> PostgresConnection::flushOutgoing()
{
    for (;;) {
        const int r = PQflush(m_conn);
        if (r == 0)
            co_return;
        if (r < 0)
            throw lostError();
        const Wake why = co_await waitIo(true);
        checkWake(why);
        if (why == Wake::Read)
            consumeInput();
    }
}

QCoro::Task<pg_result *> PostgresConnection::nextResult()
{
    for (;;) {
        while (PQisBusy(m_conn)) {
            checkWake(co_await waitIo(false));
            consumeInput();
        }
        m_sliceStart = std::chrono::steady_clock::now();
        PGresult *r = PQgetResult(m_conn);
        if (!r)
            co_return nullptr;
        const ExecStatusType status = PQresultStatus(r);
        if (status == PGRES_COPY_IN) {
            PQclear(r);
            int sent;
            while ((sent = PQputCopyEnd(m_conn, "COPY FROM STDIN is not supported here")) == 0)
                co_await flushOutgoing();
            if (sent < 0)
                throw lostError();
            co_await flushOutgoing();
            continue;
        }
        if (status == PGRES_COPY_OUT) {
            PQclear(r);
            for (;;) {
                char *row = nullptr;
                const int n = PQgetCopyData(m_conn, &row, 1);
                if (n > 0) {
                    PQfreemem(row);
                } else if (n == 0) {
                    checkWake(co_await waitIo(false));
                    consumeInput();
                } else {
                    break; // done (-1) or failed (-2): the result says which
                }
            }
            // The rows had nowhere to go: say so rather than report success with nothing,
            // once the rest of the statement's results are read (the connection stays usable).
            for (;;) { // named, not in the loop's condition: GCC 12 (docs/DEVELOPING.md)
                PGresult *rest = co_await nextResult();
                if (!rest)
                    break;
                PQclear(rest);
            }
            resetStream();
            throw Error(Kind::Usage,
                        QStringLiteral("COPY ... TO STDOUT is not supported: its rows have "
                                       "nowhere to go here. Run the query itself (COPY (query) "
                                       "TO STDOUT becomes the query) and export its result"),
                        displayUrl());
        }
        co_return r;
    }
}

QCoro::Task<> PostgresConnection::drainResults()
{
    while (PGresult *r = co_await nextResult())
        PQclear(r);
}

QCoro::Task<> PostgresConnection::discardStream()
{
    if (m_firstRow) {
        PQclear(m_firstRow);
        m_firstRow = nullptr;
    }
    // What is already buffered may hold the end: then no cancel is needed.
    bool ended = false;
    while (!ended && !PQisBusy(m_conn)) {
        PGresult *r = PQgetResult(m_conn);
        if (!r) {
            ended = true;
            break;
        }
        if (PQresultStatus(r) != PGRES_SINGLE_TUPLE)
            m_finalSeen = true;
        PQclear(r);
    }
    if (!ended) {
        if (!m_finalSeen)
            co_await sendCancel(); // a failed cancel only makes the drain longer
        co_await drainResults();
    }
    resetStream();
}

QCoro::Task<> PostgresConnection::start(QString sql, QVariantList params, int batchRows)
{
    ensureUsable();
    if (const qsizetype bad = postgres::firstUnbindable(params); bad >= 0)
        postgres::throwUnbindable(params, bad, displayUrl(), {});
    OpGuard guard(this);
    if (m_streamOpen)
        co_await discardStream();
    m_columns.clear();
    m_byteaColumns.clear();
    m_rowsAffected = -1;
    m_batchRows = qMax(1, batchRows);

    postgres::Params bound;
    bound.bind(params);
    const QByteArray text = sql.toUtf8();
    if (!PQsendQueryParams(m_conn, text.constData(), int(params.size()), bound.types.data(),
                           bound.values.data(), bound.lengths.data(), bound.formats.data(), 0))
        throw sendError();
    PQsetSingleRowMode(m_conn); // must come right after the send
    m_streamOpen = true;
    m_finalSeen = false;
    try {
        co_await flushOutgoing();
        PGresult *r = co_await nextResult();
        if (!r) {
            resetStream();
            co_return;
        }
        const ExecStatusType status = PQresultStatus(r);
        if (status == PGRES_SINGLE_TUPLE) {
            setColumns(r);
            m_firstRow = r;
            m_bytesPerRow = 16 * qsizetype(m_columns.size()) + 16;
            co_return;
        }
        m_finalSeen = true;
        if (isError(status)) {
            const Error error = resultError(r);
            PQclear(r);
            try {
                co_await drainResults();
            } catch (const Error &) {
                // The server's error (a FATAL before it closed, say) says more than the
                // broken link that followed it.
            }
            resetStream();
            throw error;
        }
        setColumns(r);
        m_rowsAffected = commandTuples(r);
        PQclear(r);
    } catch (...) {
        if (m_conn && PQstatus(m_conn) == CONNECTION_BAD)
            resetStream();
        throw;
    }
}

QCoro::Task<std::optional<RowBatch>> PostgresConnection::nextBatch()
{
    if (!m_streamOpen)
        co_return std::nullopt;
    ensureUsable();
    OpGuard guard(this);
    const int columnCount = int(m_columns.size());
    RowBatch batch(columnCount);
    if (columnCount > 0)
        batch.reserve(m_batchRows, m_bytesPerRow);
    m_batchBytes = 0;
    int rows = 0;
    std::optional<Error> failure;
    try {
        if (m_firstRow) {
            appendRow(batch, m_firstRow);
            PQclear(m_firstRow);
            m_firstRow = nullptr;
            ++rows;
        }
        while (rows < m_batchRows) {
            if (PQisBusy(m_conn)) {
                checkWake(co_await waitIo(false));
                m_sliceStart = std::chrono::steady_clock::now();
                consumeInput();
                continue;
            }
            PGresult *r = PQgetResult(m_conn);
            if (!r) {
                resetStream();
                break;
            }
            const ExecStatusType status = PQresultStatus(r);
            if (status == PGRES_SINGLE_TUPLE) {
                appendRow(batch, r);
                PQclear(r);
                ++rows;
                // Buffered rows can keep us busy for long: let the event loop breathe.
                if ((rows & 127) == 0 && sliceExpired()) {
                    checkWake(co_await yieldToLoop());
                    m_sliceStart = std::chrono::steady_clock::now();
                }
                continue;
            }
            m_finalSeen = true;
            if (isError(status)) {
                if (!failure)
                    failure.emplace(resultError(r));
            } else {
                m_rowsAffected = commandTuples(r);
            }
            PQclear(r);
        }
    } catch (...) {
        if (!m_conn || PQstatus(m_conn) == CONNECTION_BAD)
            resetStream();
        if (failure)
            throw *failure; // the server's error beats the broken link that followed it
        throw;
    }
    if (failure)
        throw *failure; // the stream has ended: the connection is idle again
    if (rows == 0)
        co_return std::nullopt;
    // Size the next batch's buffer from this one, so it rarely grows.
    m_bytesPerRow = qMax<qsizetype>(m_batchBytes / rows + 8, 8);
    co_return std::optional<RowBatch>(std::move(batch));
}

QCoro::Task<QList<qint64>> PostgresConnection::executeBatch(QString sql,
                                                            QList<QVariantList> paramSets)
{
    ensureUsable();
    const int total = int(paramSets.size());
    const qsizetype paramCount = total ? paramSets.first().size() : 0;
    for (int i = 0; i < total; ++i) {
        const auto where = [&] {
            return QStringLiteral("parameter set %1 of %2: ").arg(i).arg(total);
        };
        if (paramSets[i].size() != paramCount)
            throw Error(Kind::Usage,
                        where() + QStringLiteral("%1 values where the first set has %2")
                                      .arg(paramSets[i].size())
                                      .arg(paramCount),
                        displayUrl());
        if (const qsizetype bad = postgres::firstUnbindable(paramSets[i]); bad >= 0)
            postgres::throwUnbindable(paramSets[i], bad, displayUrl(), where());
    }
    OpGuard guard(this);
    if (m_streamOpen)
        co_await discardStream();
    m_columns.clear();
    m_byteaColumns.clear();
    m_rowsAffected = -1;
    QList<qint64> counts(total, -1);
    if (total == 0)
        co_return counts;

    const std::vector<Oid> types = postgres::declaredTypes(paramSets, paramCount);

    const QByteArray text = sql.toUtf8();
    if (!PQenterPipelineMode(m_conn))
        throw sendError();
    // One unnamed prepared statement, then one Bind/Execute per set, then one Sync.
    if (!PQsendPrepare(m_conn, "", text.constData(), int(paramCount), types.data()))
        throw sendError();
    m_sliceStart = std::chrono::steady_clock::now();
    postgres::Params bound;
    for (int i = 0; i < total; ++i) {
        bound.bind(paramSets[i]);
        if (!PQsendQueryPrepared(m_conn, "", int(paramCount), bound.values.data(),
                                 bound.lengths.data(), bound.formats.data(), 0))
            throw sendError();
        if ((i & 255) == 255) {
            if (PQflush(m_conn) < 0)
                throw lostError();
            if (sliceExpired()) {
                checkWake(co_await yieldToLoop());
                m_sliceStart = std::chrono::steady_clock::now();
            }
        }
    }
    if (!PQpipelineSync(m_conn))
        throw sendError();
    co_await flushOutgoing();

    std::optional<Error> failure;
    int index = -1; // the Prepare's result comes first
    int nulls = 0;
    for (;;) {
        while (PQisBusy(m_conn)) {
            checkWake(co_await waitIo(false));
            consumeInput();
        }
        PGresult *r = PQgetResult(m_conn);
        if (!r) {
            // NULL ends each command's results; two in a row would mean libpq lost track.
            if (++nulls > 1 && !PQisBusy(m_conn))
                throw lostError();
            continue;
        }
        nulls = 0;
        const ExecStatusType status = PQresultStatus(r);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            if (index >= 0 && index < total)
                counts[index] = commandTuples(r);
        } else if (status != PGRES_PIPELINE_ABORTED && !failure) {
            failure.emplace(resultError(
                r, index < 0 ? QString()
                             : QStringLiteral("parameter set %1 of %2: ").arg(index).arg(total)));
        }
        PQclear(r);
        ++index;
    }
    if (!PQexitPipelineMode(m_conn))
        throw sendError();
    if (failure)
        throw *failure;
    if (!counts.isEmpty())
        m_rowsAffected = counts.last();
    co_return counts;
}

QCoro::Task<> PostgresConnection::executeScript(QString sql)
{
    ensureUsable();
    OpGuard guard(this);
    if (m_streamOpen)
        co_await discardStream();
    m_columns.clear();
    m_byteaColumns.clear();
    m_rowsAffected = -1;
    const QByteArray text = sql.toUtf8();
    if (!PQsendQuery(m_conn, text.constData()))
        throw sendError();
    co_await flushOutgoing();
    std::optional<Error> failure;
    while (PGresult *r = co_await nextResult()) {
        const ExecStatusType status = PQresultStatus(r);
        if (isError(status)) {
            if (!failure)
                failure.emplace(resultError(r));
        } else {
            m_rowsAffected = commandTuples(r);
        }
        PQclear(r);
    }
    if (failure)
        throw *failure;
}

} // namespace orm::drivers
