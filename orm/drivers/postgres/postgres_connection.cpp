#include "orm/drivers/postgres/postgres_connection.h"

#include "orm/drivers/postgres/resolve_host.h"

#include <libpq-fe.h>

#include <QDate>
#include <QDateTime>
#include <QMetaObject>
#include <QObject>
#include <QSocketNotifier>
#include <QTime>
#include <QTimer>
#include <QUuid>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace orm::drivers {

using namespace std::chrono_literals;
using Kind = Error::Kind;

namespace {

constexpr Oid kByteaOid = 17;
// How long filling batches from buffered data may keep the event loop waiting.
constexpr auto kSlice = 4ms;

struct TypeInfo {
    Oid oid;
    const char *name;
    LogicalType type;
};

constexpr TypeInfo kTypes[] = {
    {16, "bool", LogicalType::Bool},
    {17, "bytea", LogicalType::Bytes},
    {18, "char", LogicalType::Text},
    {19, "name", LogicalType::Text},
    {20, "int8", LogicalType::Integer},
    {21, "int2", LogicalType::Integer},
    {23, "int4", LogicalType::Integer},
    {25, "text", LogicalType::Text},
    {26, "oid", LogicalType::Integer},
    {114, "json", LogicalType::Json},
    {142, "xml", LogicalType::Text},
    {700, "float4", LogicalType::Real},
    {701, "float8", LogicalType::Real},
    {1042, "bpchar", LogicalType::Text},
    {1043, "varchar", LogicalType::Text},
    {1082, "date", LogicalType::Date},
    {1083, "time", LogicalType::Time},
    {1114, "timestamp", LogicalType::Timestamp},
    {1184, "timestamptz", LogicalType::TimestampTz},
    {1186, "interval", LogicalType::Text},
    {1266, "timetz", LogicalType::Text}, // "12:00:00+02" is no QTime
    {1700, "numeric", LogicalType::Numeric},
    {2950, "uuid", LogicalType::Uuid},
    {3802, "jsonb", LogicalType::Json},
    // Arrays stay text ("{1,2,3}").
    {1000, "_bool", LogicalType::Text},
    {1001, "_bytea", LogicalType::Text},
    {1002, "_char", LogicalType::Text},
    {1003, "_name", LogicalType::Text},
    {1016, "_int8", LogicalType::Text},
    {1005, "_int2", LogicalType::Text},
    {1007, "_int4", LogicalType::Text},
    {1009, "_text", LogicalType::Text},
    {1028, "_oid", LogicalType::Text},
    {199, "_json", LogicalType::Text},
    {143, "_xml", LogicalType::Text},
    {1021, "_float4", LogicalType::Text},
    {1022, "_float8", LogicalType::Text},
    {1014, "_bpchar", LogicalType::Text},
    {1015, "_varchar", LogicalType::Text},
    {1182, "_date", LogicalType::Text},
    {1183, "_time", LogicalType::Text},
    {1115, "_timestamp", LogicalType::Text},
    {1185, "_timestamptz", LogicalType::Text},
    {1187, "_interval", LogicalType::Text},
    {1270, "_timetz", LogicalType::Text},
    {1231, "_numeric", LogicalType::Text},
    {2951, "_uuid", LogicalType::Text},
    {3807, "_jsonb", LogicalType::Text},
};

const TypeInfo *findType(Oid oid)
{
    for (const TypeInfo &t : kTypes)
        if (t.oid == oid)
            return &t;
    return nullptr;
}

QString trimmedMessage(const char *message)
{
    return QString::fromUtf8(message ? message : "").trimmed();
}

qint64 commandTuples(PGresult *result)
{
    const char *text = PQcmdTuples(result);
    return text && *text ? std::strtoll(text, nullptr, 10) : -1;
}

void ignoreNotice(void *, const char *)
{
}

bool isError(ExecStatusType status)
{
    return status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE ||
           status == PGRES_NONFATAL_ERROR;
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isBindable(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::QByteArray:
    case QMetaType::QDateTime:
    case QMetaType::QDate:
    case QMetaType::QTime:
    case QMetaType::QUuid:
        return true;
    default:
        return !v.isValid() || v.isNull() || v.canConvert<QString>();
    }
}

// Text (or, for QByteArray, binary bytea) of one parameter; false for SQL NULL.
bool encode(const QVariant &v, QByteArray &out, bool &binary)
{
    binary = false;
    if (!v.isValid() || v.isNull())
        return false;
    switch (v.typeId()) {
    case QMetaType::Bool:
        out = v.toBool() ? QByteArrayLiteral("t") : QByteArrayLiteral("f");
        break;
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
    case QMetaType::Char:
        out = QByteArray::number(v.toLongLong());
        break;
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar:
        out = QByteArray::number(v.toULongLong());
        break;
    case QMetaType::Double:
        out = QByteArray::number(v.toDouble(), 'g', 17);
        break;
    case QMetaType::Float:
        out = QByteArray::number(double(v.toFloat()), 'g', 9);
        break;
    case QMetaType::QByteArray:
        out = v.toByteArray();
        binary = true;
        break;
    case QMetaType::QDate: {
        const QDate d = v.toDate();
        if (!d.isValid())
            return false;
        out = d.toString(Qt::ISODate).toLatin1();
        break;
    }
    case QMetaType::QTime: {
        const QTime t = v.toTime();
        if (!t.isValid())
            return false;
        out = t.toString(Qt::ISODateWithMs).toLatin1();
        break;
    }
    case QMetaType::QDateTime: {
        const QDateTime dt = v.toDateTime();
        if (!dt.isValid())
            return false;
        // Always with an explicit offset, so the server's TimeZone does not matter.
        out = dt.toOffsetFromUtc(dt.offsetFromUtc()).toString(Qt::ISODateWithMs).toLatin1();
        break;
    }
    case QMetaType::QUuid:
        out = v.toUuid().toByteArray(QUuid::WithoutBraces);
        break;
    default:
        out = v.toString().toUtf8();
        break;
    }
    return true;
}

// One statement's bound parameters, kept alive until libpq has copied them.
struct Params {
    std::vector<QByteArray> storage;
    std::vector<const char *> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;

    void bind(const QVariantList &list)
    {
        const size_t n = size_t(list.size());
        storage.resize(n);
        values.assign(n, nullptr);
        lengths.assign(n, 0);
        formats.assign(n, 0);
        types.assign(n, 0); // let the server infer: a typed text would not fit a jsonb column
        for (size_t i = 0; i < n; ++i) {
            bool binary = false;
            if (!encode(list[qsizetype(i)], storage[i], binary))
                continue;
            values[i] = storage[i].constData();
            lengths[i] = int(storage[i].size());
            formats[i] = binary ? 1 : 0;
            if (binary)
                types[i] = kByteaOid;
        }
    }
};

// The index of the first parameter that cannot be bound, or -1. Messages are built by the
// caller only when one fails: this runs once per row of a 100,000-row batch.
qsizetype firstUnbindable(const QVariantList &params)
{
    for (qsizetype i = 0; i < params.size(); ++i)
        if (!isBindable(params[i]))
            return i;
    return -1;
}

[[noreturn]] void throwUnbindable(const QVariantList &params, qsizetype index,
                                  const QString &database, const QString &where)
{
    throw Error(Kind::Usage,
                QStringLiteral("%1parameter $%2 has a type that cannot be bound: %3")
                    .arg(where)
                    .arg(index + 1)
                    .arg(QString::fromLatin1(params[index].typeName())),
                database);
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

int PostgresConnection::backendPid() const
{
    return m_conn ? PQbackendPID(m_conn) : 0;
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
        throw lostError();
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
    QString message = m_conn ? trimmedMessage(PQerrorMessage(m_conn)) : QString();
    if (message.isEmpty())
        message = QStringLiteral("the connection to the server was lost");
    return Error(Kind::ConnectionLost, message, displayUrl());
}

Error PostgresConnection::sendError() const
{
    if (!m_conn || PQstatus(m_conn) == CONNECTION_BAD)
        return lostError();
    return Error(Kind::Usage, trimmedMessage(PQerrorMessage(m_conn)), displayUrl());
}

Error PostgresConnection::resultError(const pg_result *r, const QString &prefix) const
{
    auto field = [r](int code) { return trimmedMessage(PQresultErrorField(r, code)); };
    QString message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.isEmpty())
        message = trimmedMessage(PQresultErrorMessage(r));
    if (message.isEmpty())
        message = trimmedMessage(PQerrorMessage(m_conn));
    if (const QString detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.isEmpty())
        message += QStringLiteral("\nDETAIL: ") + detail;
    if (const QString hint = field(PG_DIAG_MESSAGE_HINT); !hint.isEmpty())
        message += QStringLiteral("\nHINT: ") + hint;
    const QString state = field(PG_DIAG_SQLSTATE);
    const int position = field(PG_DIAG_STATEMENT_POSITION).toInt();

    Kind kind = Kind::Sql;
    if (state == QLatin1String("57014"))
        kind = Kind::Cancelled;
    else if (state.startsWith(QLatin1String("08")) || state.startsWith(QLatin1String("57P")) ||
             PQstatus(m_conn) == CONNECTION_BAD)
        kind = Kind::ConnectionLost; // admin_shutdown (pg_terminate_backend), crash, broken link
    return Error(kind, prefix + message, displayUrl(), state, position);
}

Error PostgresConnection::connectError() const
{
    QString message = m_conn ? trimmedMessage(PQerrorMessage(m_conn)) : QString();
    if (message.isEmpty())
        message = QStringLiteral("could not connect to the server");
    // libpq gives no SQLSTATE for connection failures: recognise the server's wording.
    Kind kind = Kind::ConnectionFailed;
    QString state;
    if (message.contains(QLatin1String("password authentication failed"))) {
        kind = Kind::Authentication;
        state = QStringLiteral("28P01");
    } else if (message.contains(QLatin1String("no pg_hba.conf entry")) ||
               (message.contains(QLatin1String("role \"")) &&
                message.contains(QLatin1String("does not exist")))) {
        kind = Kind::Authentication;
        state = QStringLiteral("28000");
    } else if (message.contains(QLatin1String("authentication failed")) ||
               message.contains(QLatin1String("no password supplied")) ||
               message.contains(QLatin1String("password is required"))) {
        kind = Kind::Authentication;
    }
    return Error(kind, message, displayUrl(), state);
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
    // libpq would resolve a host name synchronously, blocking this thread: resolve it off the
    // thread first and give libpq the address (the name stays for TLS checks).
    QString address;
    if (!u.options().contains(QStringLiteral("hostaddr")) &&
        !orm::detail::isNumericOrLocalHost(u.host()))
        address = co_await orm::detail::resolveHost(u.host(), displayUrl());
    std::vector<QByteArray> keys;
    std::vector<QByteArray> values;
    auto add = [&](const char *key, const QString &value) {
        keys.emplace_back(key);
        values.push_back(value.toUtf8());
    };
    if (!u.host().isEmpty())
        add("host", u.host());
    if (!address.isEmpty())
        add("hostaddr", address);
    if (u.port() > 0)
        add("port", QString::number(u.port()));
    if (!u.databaseName().isEmpty())
        add("dbname", u.databaseName());
    if (!u.user().isEmpty())
        add("user", u.user());
    if (u.hasPassword())
        add("password", u.password());
    for (auto it = u.options().cbegin(); it != u.options().cend(); ++it)
        add(it.key().toUtf8().constData(), it.value());
    if (!u.options().contains(QStringLiteral("application_name")))
        add("application_name", QStringLiteral("strata"));
    // Cells are stored as UTF-8 bytes.
    if (!u.options().contains(QStringLiteral("client_encoding")))
        add("client_encoding", QStringLiteral("UTF8"));
    std::vector<const char *> keyPtrs;
    std::vector<const char *> valuePtrs;
    for (size_t i = 0; i < keys.size(); ++i) {
        keyPtrs.push_back(keys[i].constData());
        valuePtrs.push_back(values[i].constData());
    }
    keyPtrs.push_back(nullptr);
    valuePtrs.push_back(nullptr);

    m_conn = PQconnectStartParams(keyPtrs.data(), valuePtrs.data(), 0);
    values.clear(); // the password
    if (!m_conn)
        throw Error(Kind::ConnectionFailed, QStringLiteral("out of memory"), displayUrl());
    PQsetNoticeProcessor(m_conn, ignoreNotice, nullptr);

    // libpq ignores connect_timeout in asynchronous mode: enforce it here.
    const int timeout = u.connectTimeoutSeconds();
    if (timeout > 0)
        m_deadline->start(timeout * 1000);
    try {
        PostgresPollingStatusType status =
            PQstatus(m_conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
        while (status != PGRES_POLLING_OK) {
            if (status == PGRES_POLLING_FAILED)
                throw connectError();
            if (status != PGRES_POLLING_ACTIVE) {
                syncSocket();
                if (m_socket < 0)
                    throw connectError();
                const Wake why = co_await WakeAwaiter{this, status == PGRES_POLLING_READING,
                                                      status == PGRES_POLLING_WRITING, false};
                if (why == Wake::Timeout)
                    throw Error(Kind::Timeout,
                                QStringLiteral("could not connect within %1 s").arg(timeout),
                                displayUrl());
                if (why == Wake::Closed)
                    throw Error(Kind::ConnectionFailed,
                                QStringLiteral("the connection was closed while connecting"),
                                displayUrl());
            }
            status = PQconnectPoll(m_conn);
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
        state->error = trimmedMessage(message);
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
            continue;
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

void PostgresConnection::setColumns(const pg_result *r)
{
    const int n = PQnfields(r);
    m_columns.clear();
    m_columns.reserve(n);
    m_byteaColumns.assign(size_t(n), 0);
    for (int c = 0; c < n; ++c) {
        Column column;
        column.name = QString::fromUtf8(PQfname(r, c));
        column.typeOid = PQftype(r, c);
        if (const TypeInfo *type = findType(column.typeOid)) {
            column.typeName = QString::fromLatin1(type->name);
            column.type = type->type;
        }
        m_byteaColumns[size_t(c)] = column.typeOid == kByteaOid;
        m_columns.append(std::move(column));
    }
}

void PostgresConnection::appendRow(RowBatch &batch, const pg_result *r)
{
    const int n = int(m_byteaColumns.size());
    for (int c = 0; c < n; ++c) {
        if (PQgetisnull(r, 0, c)) {
            batch.appendNull();
            continue;
        }
        const char *value = PQgetvalue(r, 0, c);
        const int length = PQgetlength(r, 0, c);
        m_batchBytes += length;
        if (!m_byteaColumns[size_t(c)]) {
            batch.appendText(value, length);
            continue;
        }
        // bytea arrives as "\x0a1b..." (hex output); anything else goes through libpq.
        if (length >= 2 && value[0] == '\\' && value[1] == 'x') {
            const int bytes = (length - 2) / 2;
            m_scratch.resize(bytes);
            char *out = m_scratch.data();
            for (int i = 0; i < bytes; ++i)
                out[i] = char(hexDigit(value[2 + 2 * i]) << 4 | hexDigit(value[3 + 2 * i]));
            batch.appendBlob(out, bytes);
        } else {
            size_t size = 0;
            unsigned char *raw =
                PQunescapeBytea(reinterpret_cast<const unsigned char *>(value), &size);
            batch.appendBlob(raw, qsizetype(size));
            PQfreemem(raw);
        }
    }
}

QCoro::Task<> PostgresConnection::start(QString sql, QVariantList params, int batchRows)
{
    ensureUsable();
    if (const qsizetype bad = firstUnbindable(params); bad >= 0)
        throwUnbindable(params, bad, displayUrl(), {});
    OpGuard guard(this);
    if (m_streamOpen)
        co_await discardStream();
    m_columns.clear();
    m_byteaColumns.clear();
    m_rowsAffected = -1;
    m_batchRows = qMax(1, batchRows);

    Params bound;
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
            co_await drainResults();
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
        if (const qsizetype bad = firstUnbindable(paramSets[i]); bad >= 0)
            throwUnbindable(paramSets[i], bad, displayUrl(), where());
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

    // Declare bytea where a set binds bytes (sent in binary); the server infers the rest.
    std::vector<Oid> types(size_t(paramCount), 0);
    for (const QVariantList &set : paramSets)
        for (qsizetype p = 0; p < paramCount; ++p)
            if (set[p].typeId() == QMetaType::QByteArray)
                types[size_t(p)] = kByteaOid;

    const QByteArray text = sql.toUtf8();
    if (!PQenterPipelineMode(m_conn))
        throw sendError();
    // One unnamed prepared statement, then one Bind/Execute per set, then one Sync.
    if (!PQsendPrepare(m_conn, "", text.constData(), int(paramCount), types.data()))
        throw sendError();
    m_sliceStart = std::chrono::steady_clock::now();
    Params bound;
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
