#include "orm/drivers/sqlite/sqlite_connection.h"

#include "orm/core/error.h"

#include <QDate>
#include <QDateTime>
#include <QFileInfo>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTime>
#include <QUuid>

#include <sqlite3.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <coroutine>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

#ifdef __linux__
#include <pthread.h>
#endif

namespace orm::drivers {
namespace detail {

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

namespace {

constexpr int CacheCapacity = 64;
constexpr qsizetype MaxBatchBytes = 64 << 20; // a batch of wide rows ends early past this
constexpr int DefaultBusyTimeoutMs = 5000;

// The symbolic name of an (extended) result code, as Error::sqlState().
QString codeName(int code)
{
    switch (code) {
#define X(c)                                                                                       \
    case c:                                                                                        \
        return QStringLiteral(#c);
        // clang-format off
        X(SQLITE_ERROR) X(SQLITE_INTERNAL) X(SQLITE_PERM) X(SQLITE_ABORT) X(SQLITE_BUSY)
        X(SQLITE_LOCKED) X(SQLITE_NOMEM) X(SQLITE_READONLY) X(SQLITE_INTERRUPT) X(SQLITE_IOERR)
        X(SQLITE_CORRUPT) X(SQLITE_NOTFOUND) X(SQLITE_FULL) X(SQLITE_CANTOPEN) X(SQLITE_PROTOCOL)
        X(SQLITE_EMPTY) X(SQLITE_SCHEMA) X(SQLITE_TOOBIG) X(SQLITE_CONSTRAINT) X(SQLITE_MISMATCH)
        X(SQLITE_MISUSE) X(SQLITE_NOLFS) X(SQLITE_AUTH) X(SQLITE_FORMAT) X(SQLITE_RANGE)
        X(SQLITE_NOTADB) X(SQLITE_NOTICE) X(SQLITE_WARNING) X(SQLITE_ERROR_MISSING_COLLSEQ)
        X(SQLITE_ERROR_RETRY) X(SQLITE_ERROR_SNAPSHOT) X(SQLITE_IOERR_READ)
        X(SQLITE_IOERR_SHORT_READ) X(SQLITE_IOERR_WRITE) X(SQLITE_IOERR_FSYNC)
        X(SQLITE_IOERR_DIR_FSYNC) X(SQLITE_IOERR_TRUNCATE) X(SQLITE_IOERR_FSTAT)
        X(SQLITE_IOERR_UNLOCK) X(SQLITE_IOERR_RDLOCK) X(SQLITE_IOERR_DELETE) X(SQLITE_IOERR_BLOCKED)
        X(SQLITE_IOERR_NOMEM) X(SQLITE_IOERR_ACCESS) X(SQLITE_IOERR_CHECKRESERVEDLOCK)
        X(SQLITE_IOERR_LOCK) X(SQLITE_IOERR_CLOSE) X(SQLITE_IOERR_DIR_CLOSE) X(SQLITE_IOERR_SHMOPEN)
        X(SQLITE_IOERR_SHMSIZE) X(SQLITE_IOERR_SHMLOCK) X(SQLITE_IOERR_SHMMAP) X(SQLITE_IOERR_SEEK)
        X(SQLITE_IOERR_DELETE_NOENT) X(SQLITE_IOERR_MMAP) X(SQLITE_IOERR_GETTEMPPATH)
        X(SQLITE_IOERR_CONVPATH) X(SQLITE_IOERR_VNODE) X(SQLITE_IOERR_AUTH)
        X(SQLITE_IOERR_BEGIN_ATOMIC) X(SQLITE_IOERR_COMMIT_ATOMIC) X(SQLITE_IOERR_ROLLBACK_ATOMIC)
        X(SQLITE_IOERR_DATA) X(SQLITE_IOERR_CORRUPTFS) X(SQLITE_LOCKED_SHAREDCACHE)
        X(SQLITE_LOCKED_VTAB) X(SQLITE_BUSY_RECOVERY) X(SQLITE_BUSY_SNAPSHOT) X(SQLITE_BUSY_TIMEOUT)
        X(SQLITE_CANTOPEN_NOTEMPDIR) X(SQLITE_CANTOPEN_ISDIR) X(SQLITE_CANTOPEN_FULLPATH)
        X(SQLITE_CANTOPEN_CONVPATH) X(SQLITE_CANTOPEN_DIRTYWAL) X(SQLITE_CANTOPEN_SYMLINK)
        X(SQLITE_CORRUPT_VTAB) X(SQLITE_CORRUPT_SEQUENCE) X(SQLITE_CORRUPT_INDEX)
        X(SQLITE_READONLY_RECOVERY) X(SQLITE_READONLY_CANTLOCK) X(SQLITE_READONLY_ROLLBACK)
        X(SQLITE_READONLY_DBMOVED) X(SQLITE_READONLY_CANTINIT) X(SQLITE_READONLY_DIRECTORY)
        X(SQLITE_ABORT_ROLLBACK) X(SQLITE_CONSTRAINT_CHECK) X(SQLITE_CONSTRAINT_COMMITHOOK)
        X(SQLITE_CONSTRAINT_FOREIGNKEY) X(SQLITE_CONSTRAINT_FUNCTION) X(SQLITE_CONSTRAINT_NOTNULL)
        X(SQLITE_CONSTRAINT_PRIMARYKEY) X(SQLITE_CONSTRAINT_TRIGGER) X(SQLITE_CONSTRAINT_UNIQUE)
        X(SQLITE_CONSTRAINT_VTAB) X(SQLITE_CONSTRAINT_ROWID) X(SQLITE_CONSTRAINT_PINNED)
        X(SQLITE_CONSTRAINT_DATATYPE) X(SQLITE_NOTICE_RECOVER_WAL) X(SQLITE_NOTICE_RECOVER_ROLLBACK)
        X(SQLITE_WARNING_AUTOINDEX) X(SQLITE_AUTH_USER) X(SQLITE_OK_LOAD_PERMANENTLY)
        X(SQLITE_OK_SYMLINK)
        // clang-format on
#undef X
    }
    return QString::number(code);
}

// 1-based position in code points of the byte offset into UTF-8 text; 0 if unknown.
int characterPosition(const QByteArray &sql, qsizetype byteOffset)
{
    if (byteOffset < 0 || byteOffset > sql.size())
        return 0;
    int characters = 0;
    for (qsizetype i = 0; i < byteOffset; ++i)
        if ((uchar(sql[i]) & 0xC0) != 0x80)
            ++characters;
    return characters + 1;
}

// The declared type's logical type: well-known names first, then SQLite's affinity rules
// (https://sqlite.org/datatype3.html#determination_of_column_affinity).
LogicalType logicalType(const char *declared)
{
    if (!declared || !*declared)
        return LogicalType::Unknown;
    const QByteArray t = QByteArray(declared).toUpper();
    if (t.contains("BOOL"))
        return LogicalType::Bool;
    if (t.contains("JSON"))
        return LogicalType::Json;
    if (t.contains("UUID"))
        return LogicalType::Uuid;
    if (t.startsWith("TIMESTAMP") || t.startsWith("DATETIME")) {
        const bool zoned =
            (t.contains("TZ") || t.contains("WITH TIME ZONE")) && !t.contains("WITHOUT");
        return zoned ? LogicalType::TimestampTz : LogicalType::Timestamp;
    }
    if (t.startsWith("DATE"))
        return LogicalType::Date;
    if (t.startsWith("TIME"))
        return LogicalType::Time;
    if (t.contains("NUMERIC") || t.contains("DECIMAL"))
        return LogicalType::Numeric;
    if (t.contains("INT"))
        return LogicalType::Integer;
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT"))
        return LogicalType::Text;
    if (t.contains("BLOB"))
        return LogicalType::Bytes;
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB"))
        return LogicalType::Real;
    return LogicalType::Numeric;
}

// Whether the statement is INSERT/UPDATE/DELETE/REPLACE (possibly behind WITH): only those set
// sqlite3_changes64(); for anything else it still holds an earlier statement's count.
bool isDml(sqlite3_stmt *stmt)
{
    if (sqlite3_stmt_readonly(stmt))
        return false;
    const char *p = sqlite3_sql(stmt);
    if (!p)
        return false;
    for (;;) {
        while (*p && std::isspace(uchar(*p)))
            ++p;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                ++p;
        } else if (p[0] == '/' && p[1] == '*') {
            p = std::strstr(p + 2, "*/");
            if (!p)
                return false;
            p += 2;
        } else {
            break;
        }
    }
    for (const char *keyword : {"INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"}) {
        const size_t n = std::strlen(keyword);
        if (qstrnicmp(p, keyword, n) == 0 && !std::isalnum(uchar(p[n])) && p[n] != '_')
            return true;
    }
    return false;
}

QByteArray isoDateTime(const QDateTime &dt)
{
    const QDateTime withOffset =
        dt.timeSpec() == Qt::UTC ? dt : dt.toOffsetFromUtc(dt.offsetFromUtc());
    return withOffset.toString(Qt::ISODateWithMs).toUtf8();
}

int bindText(sqlite3_stmt *stmt, int index, const QByteArray &utf8)
{
    return sqlite3_bind_text64(stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
}

// SQLITE_OK, an SQLite error code, or -1 for a type with no text form.
int bindValue(sqlite3_stmt *stmt, int index, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return sqlite3_bind_null(stmt, index);
    switch (value.typeId()) {
    case QMetaType::Bool:
        return sqlite3_bind_int64(stmt, index, value.toBool() ? 1 : 0);
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
        return sqlite3_bind_int64(stmt, index, value.toLongLong());
    case QMetaType::ULong:
    case QMetaType::ULongLong: {
        const quint64 v = value.toULongLong();
        if (v <= quint64(std::numeric_limits<qint64>::max()))
            return sqlite3_bind_int64(stmt, index, qint64(v));
        return bindText(stmt, index, QByteArray::number(v)); // keeps every digit
    }
    case QMetaType::Float:
    case QMetaType::Double:
        return sqlite3_bind_double(stmt, index, value.toDouble());
    case QMetaType::QByteArray: {
        const QByteArray bytes = value.toByteArray();
        if (bytes.isNull())
            return sqlite3_bind_null(stmt, index);
        if (bytes.isEmpty()) // a zero-length blob, not NULL
            return sqlite3_bind_zeroblob(stmt, index, 0);
        return sqlite3_bind_blob64(stmt, index, bytes.constData(), sqlite3_uint64(bytes.size()),
                                   SQLITE_TRANSIENT);
    }
    case QMetaType::QString: {
        const QString text = value.toString();
        return text.isNull() ? sqlite3_bind_null(stmt, index)
                             : bindText(stmt, index, text.toUtf8());
    }
    case QMetaType::QDateTime: {
        const QDateTime dt = value.toDateTime();
        return dt.isValid() ? bindText(stmt, index, isoDateTime(dt))
                            : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QDate: {
        const QDate d = value.toDate();
        return d.isValid() ? bindText(stmt, index, d.toString(Qt::ISODate).toUtf8())
                           : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QTime: {
        const QTime t = value.toTime();
        return t.isValid() ? bindText(stmt, index, t.toString(Qt::ISODateWithMs).toUtf8())
                           : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QUuid: {
        const QUuid u = value.toUuid();
        return u.isNull() ? sqlite3_bind_null(stmt, index)
                          : bindText(stmt, index, u.toByteArray(QUuid::WithoutBraces));
    }
    default:
        if (!value.canConvert<QString>())
            return -1;
        return bindText(stmt, index, value.toString().toUtf8());
    }
}

// Prepared statements by SQL text, least recently used evicted first.
class StatementCache {
public:
    ~StatementCache() { clear(); }

    sqlite3_stmt *find(const QByteArray &sql)
    {
        const auto it = m_index.constFind(sql);
        if (it == m_index.cend())
            return nullptr;
        m_entries.splice(m_entries.begin(), m_entries, it.value());
        return it.value()->stmt;
    }
    // Evicts the least recently used beyond the capacity; the newest entry is never evicted.
    void insert(const QByteArray &sql, sqlite3_stmt *stmt)
    {
        m_entries.push_front({sql, stmt});
        m_index.insert(sql, m_entries.begin());
        while (m_entries.size() > size_t(CacheCapacity)) {
            m_index.remove(m_entries.back().sql);
            sqlite3_finalize(m_entries.back().stmt);
            m_entries.pop_back();
        }
    }
    void clear()
    {
        for (const Entry &entry : m_entries)
            sqlite3_finalize(entry.stmt);
        m_entries.clear();
        m_index.clear();
    }

private:
    struct Entry {
        QByteArray sql;
        sqlite3_stmt *stmt;
    };
    std::list<Entry> m_entries; // most recently used first
    QHash<QByteArray, std::list<Entry>::iterator> m_index;
};

} // namespace

// The thread that owns one sqlite3 handle, and everything that runs on it. Public members
// marked "worker thread" are only ever called from jobs.
class SqliteWorker {
public:
    SqliteWorker(QObject *context, QString database)
        : m_context(context)
        , m_database(std::move(database))
        , m_thread([this] { run(); })
    {
#ifdef __linux__
        pthread_setname_np(m_thread.native_handle(), "strata-sqlite");
#endif
    }

    ~SqliteWorker()
    {
        stop();
        join();
    }

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
    TransactionStatus transactionStatus() const
    {
        return m_transactionStatus.load();
    }

    // Owner thread: cancels operations up to this id, including the one running now.
    void cancel(quint64 upToOperation)
    {
        if (m_cancelUpTo.load() < upToOperation)
            m_cancelUpTo.store(upToOperation);
        std::lock_guard lock(m_dbMutex);
        if (m_db)
            sqlite3_interrupt(m_db); // the one sqlite3 call allowed from another thread
    }

    // Owner thread: the worker finishes its current job, fails the queued ones, closes the
    // database and exits; the returned job completes just before the thread ends.
    std::shared_ptr<SqliteJob<Unit>> stop()
    {
        std::lock_guard lock(m_queueMutex);
        m_stopping = true;
        if (!m_stopped)
            m_stopped = std::make_shared<SqliteJob<Unit>>(m_context);
        m_wake.notify_one();
        return m_stopped;
    }

    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }

    // Worker thread.
    void openDatabase(const DatabaseUrl &url, const QString &path)
    {
        const bool memory = url.isMemory();
        const QString mode = url.option(QStringLiteral("mode"));
        const bool readOnly = mode == QLatin1String("ro");
        const bool create =
            !readOnly && (memory || mode == QLatin1String("rwc") ||
                          url.option(QStringLiteral("create")) == QLatin1String("true"));
        if (!memory && !create && !QFileInfo::exists(path))
            throw Error(Error::Kind::FileNotFound,
                        QStringLiteral("database file '%1' does not exist (add ?create=true to "
                                       "create it)")
                            .arg(path),
                        m_database);

        int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
        if (create)
            flags |= SQLITE_OPEN_CREATE;
        flags |= SQLITE_OPEN_NOMUTEX; // only this thread uses the handle (interrupt is safe)
        sqlite3 *db = nullptr;
        const QByteArray nativePath = path.toUtf8();
        int rc = sqlite3_open_v2(nativePath.constData(), &db, flags, nullptr);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(db, 1);
            m_busyTimeoutMs =
                url.option(QStringLiteral("busy_timeout"), QString::number(DefaultBusyTimeoutMs))
                    .toInt();
            rc = sqlite3_busy_timeout(db, m_busyTimeoutMs);
        }
        // journal_mode reads the file: this is where "file is not a database" shows up.
        if (rc == SQLITE_OK && !memory && !readOnly)
            rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) {
            const QString message =
                db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
            const int code = db ? sqlite3_extended_errcode(db) : rc;
            sqlite3_close_v2(db); // a failed open still allocates a handle
            if (!memory && !create && !QFileInfo::exists(path))
                throw Error(Error::Kind::FileNotFound,
                            QStringLiteral("database file '%1' does not exist").arg(path),
                            m_database, codeName(code));
            throw Error(Error::Kind::ConnectionFailed,
                        QStringLiteral("cannot open database file '%1': %2").arg(path, message),
                        m_database, codeName(code));
        }
        std::lock_guard lock(m_dbMutex);
        m_db = db;
    }

    // Worker thread: prepares and binds, describes the columns and steps the first batch.
    SqliteStart startStream(quint64 operation, const QByteArray &sql, const QVariantList &params,
                            int batchRows)
    {
        endStream();
        throwIfCancelled(operation);
        SqliteStart start;
        sqlite3_stmt *stmt = prepare(sql);
        if (!stmt) { // only whitespace or comments
            start.first.ended = true;
            return start;
        }
        bind(stmt, params);
        const int columnCount = sqlite3_column_count(stmt);
        start.columns.reserve(columnCount);
        for (int i = 0; i < columnCount; ++i) {
            const char *declared = sqlite3_column_decltype(stmt, i);
            Column column;
            column.name = QString::fromUtf8(sqlite3_column_name(stmt, i));
            column.typeName = declared ? QString::fromUtf8(declared) : QString();
            column.type = logicalType(declared);
            start.columns.append(std::move(column));
        }
        m_stream = stmt;
        m_streamOperation = operation;
        m_streamSql = sql;
        m_streamIsDml = isDml(stmt);
        m_bytesPerRow = qMax<qsizetype>(16, 16 * qsizetype(columnCount));
        start.first = fetch(operation, batchRows);
        return start;
    }

    // Worker thread: up to batchRows more rows of the stream.
    SqliteFetch fetch(quint64 operation, int batchRows)
    {
        SqliteFetch out;
        if (!m_stream || operation != m_streamOperation) {
            out.ended = true; // discarded by a later operation
            return out;
        }
        if (m_cancelUpTo.load() >= operation) {
            endStream();
            throw cancelled();
        }
        sqlite3_stmt *const stmt = m_stream;
        const int columns = sqlite3_column_count(stmt);
        RowBatch &batch = out.batch;
        batch = RowBatch(columns);
        const int reserveRows = int(qMin<qsizetype>(batchRows, MaxBatchBytes / m_bytesPerRow));
        batch.reserve(qMin(reserveRows, 65536), m_bytesPerRow);
        qsizetype bytes = 0;
        int rows = 0;
        while (rows < batchRows && bytes < MaxBatchBytes) {
            const int rc = sqlite3_step(stmt);
            if (rc == SQLITE_ROW) {
                for (int c = 0; c < columns; ++c) {
                    // One sqlite3_column_* call per cell: each goes through SQLite's API exit
                    // bookkeeping, the sqlite3_value_* accessors do not. The value is used only
                    // here, on the one thread that owns the connection.
                    sqlite3_value *value = sqlite3_column_value(stmt, c);
                    switch (sqlite3_value_type(value)) {
                    case SQLITE_INTEGER:
                        batch.appendInteger(sqlite3_value_int64(value));
                        bytes += 8;
                        break;
                    case SQLITE_FLOAT:
                        batch.appendReal(sqlite3_value_double(value));
                        bytes += 8;
                        break;
                    case SQLITE_TEXT: {
                        const auto *text =
                            reinterpret_cast<const char *>(sqlite3_value_text(value));
                        const int size = sqlite3_value_bytes(value);
                        batch.appendText(text, size);
                        bytes += size;
                        break;
                    }
                    case SQLITE_BLOB: {
                        const void *blob = sqlite3_value_blob(value);
                        const int size = sqlite3_value_bytes(value);
                        batch.appendBlob(blob, size);
                        bytes += size;
                        break;
                    }
                    default:
                        batch.appendNull();
                        break;
                    }
                }
                ++rows;
            } else if (rc == SQLITE_DONE) {
                out.ended = true;
                out.rowsAffected = m_streamIsDml ? sqlite3_changes64(m_db) : -1;
                endStream();
                break;
            } else {
                Error error = sqlError(rc, m_streamSql);
                endStream();
                throw error;
            }
        }
        if (rows > 0)
            m_bytesPerRow = qMax<qsizetype>(8, bytes / rows + 1);
        return out;
    }

    // Worker thread: one statement over every parameter set, without returning in between.
    QList<qint64> runBatch(quint64 operation, const QByteArray &sql,
                           const QList<QVariantList> &paramSets)
    {
        endStream();
        throwIfCancelled(operation);
        QList<qint64> changes;
        changes.reserve(paramSets.size());
        sqlite3_stmt *stmt = prepare(sql);
        if (!stmt) {
            changes.fill(-1, paramSets.size());
            return changes;
        }
        const bool dml = isDml(stmt);
        const qsizetype total = paramSets.size();
        // All or nothing, as PostgreSQL's pipeline (one implicit transaction) is: a savepoint
        // works inside the caller's transaction and, outside one, makes the batch a transaction.
        sqlite3_exec(m_db, "SAVEPOINT strata_batch", nullptr, nullptr, nullptr);
        for (qsizetype i = 0; i < total; ++i) {
            if (i > 0) {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
            }
            try {
                // Between sets no statement is active, so SQLite itself may have cleared an
                // interrupt that arrived there: our own flag catches it.
                throwIfCancelled(operation);
                bind(stmt, paramSets[i]);
                int rc;
                while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
                }
                if (rc != SQLITE_DONE)
                    throw sqlError(rc, sql);
            } catch (const Error &error) {
                sqlite3_reset(stmt);
                sqlite3_exec(m_db, "ROLLBACK TO strata_batch; RELEASE strata_batch", nullptr,
                             nullptr, nullptr);
                if (error.kind() == Error::Kind::Cancelled)
                    throw;
                throw Error(error.kind(),
                            QStringLiteral("parameter set %1 of %2: %3")
                                .arg(i)
                                .arg(total)
                                .arg(error.message()),
                            error.database(), error.sqlState(), error.position());
            }
            changes.append(dml ? sqlite3_changes64(m_db) : -1);
        }
        sqlite3_reset(stmt);
        sqlite3_exec(m_db, "RELEASE strata_batch", nullptr, nullptr, nullptr);
        return changes;
    }

    // Worker thread: every statement of the script in turn (what sqlite3_exec does, but
    // knowing where each statement starts, so that errors get their position in the script).
    void runScript(quint64 operation, const QByteArray &sql)
    {
        endStream();
        const char *const begin = sql.constData();
        const char *const end = begin + sql.size();
        const char *p = begin;
        while (p < end) {
            throwIfCancelled(operation);
            sqlite3_stmt *stmt = nullptr;
            const char *tail = nullptr;
            int rc = sqlite3_prepare_v2(m_db, p, int(end - p), &stmt, &tail);
            if (rc != SQLITE_OK)
                throw sqlError(rc, sql, p - begin);
            if (stmt) {
                while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
                }
                if (rc != SQLITE_DONE) {
                    Error error = sqlError(rc, sql, p - begin);
                    sqlite3_finalize(stmt);
                    throw error;
                }
                sqlite3_finalize(stmt);
            }
            if (!tail || tail <= p)
                break;
            p = tail;
        }
    }

private:
    void run()
    {
        for (;;) {
            std::function<void(bool)> job;
            {
                std::unique_lock lock(m_queueMutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_stopping)
                    break;
                job = std::move(m_queue.front());
                m_queue.pop_front();
            }
            job(false);
        }
        std::deque<std::function<void(bool)>> abandoned;
        std::shared_ptr<SqliteJob<Unit>> stopped;
        {
            std::lock_guard lock(m_queueMutex);
            abandoned.swap(m_queue);
            stopped = m_stopped;
        }
        for (auto &job : abandoned)
            job(true);
        closeDatabase();
        stopped->succeed(Unit{});
    }

    void closeDatabase()
    {
        sqlite3 *db = nullptr;
        {
            std::lock_guard lock(m_dbMutex);
            db = std::exchange(m_db, nullptr);
        }
        m_stream = nullptr;
        m_cache.clear(); // finalizes; sqlite3_close_v2 would otherwise keep the handle alive
        if (db) {
            // close() interrupts first, and SQLite keeps an interrupt that found no statement
            // running until one finishes; the checkpoint that ends WAL mode on close would see
            // it and give up, leaving -wal and -shm behind. A throwaway statement consumes it.
            sqlite3_exec(db, "SELECT 1", nullptr, nullptr, nullptr);
            sqlite3_close_v2(db);
        }
    }

    // Worker thread: SQLite has no aborted transaction; an error leaves the transaction open,
    // or ends it when SQLite rolled it back (ON CONFLICT ROLLBACK, RAISE(ROLLBACK), a full
    // disk), which is what sqlite3_get_autocommit tells.
    void noteTransactionStatus()
    {
        TransactionStatus status = TransactionStatus::Unknown;
        if (m_db)
            status =
                sqlite3_get_autocommit(m_db) ? TransactionStatus::Idle : TransactionStatus::Open;
        m_transactionStatus.store(status);
    }

    void endStream()
    {
        if (m_stream) {
            sqlite3_reset(m_stream); // ends its read transaction, releases locks
            m_stream = nullptr;
        }
    }

    // A cached statement, reset and unbound; nullptr for SQL without a statement.
    sqlite3_stmt *prepare(const QByteArray &sql)
    {
        if (sqlite3_stmt *cached = m_cache.find(sql)) {
            sqlite3_reset(cached);
            sqlite3_clear_bindings(cached);
            return cached;
        }
        sqlite3_stmt *stmt = nullptr;
        const char *tail = nullptr;
        // Passing the terminating NUL in the size spares SQLite a copy.
        int rc = sqlite3_prepare_v3(m_db, sql.constData(), int(sql.size()) + 1,
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
        if (rc != SQLITE_OK)
            throw sqlError(rc, sql);
        const char *const end = sql.constData() + sql.size();
        if (stmt && tail && tail < end) {
            // Anything after the first statement must be blank or comments.
            sqlite3_stmt *extra = nullptr;
            rc = sqlite3_prepare_v2(m_db, tail, int(end - tail), &extra, nullptr);
            if (rc != SQLITE_OK || extra) {
                Error error =
                    extra ? Error(Error::Kind::Usage,
                                  QStringLiteral("only one statement can run here; use "
                                                 "executeScript() for several"),
                                  m_database, {}, characterPosition(sql, tail - sql.constData()))
                          : sqlError(rc, sql, tail - sql.constData());
                sqlite3_finalize(extra);
                sqlite3_finalize(stmt);
                throw error;
            }
        }
        if (stmt)
            m_cache.insert(sql, stmt);
        return stmt;
    }

    void bind(sqlite3_stmt *stmt, const QVariantList &params)
    {
        const int expected = sqlite3_bind_parameter_count(stmt);
        if (params.size() != expected)
            throw Error(Error::Kind::Sql,
                        QStringLiteral("the statement takes %1 parameter(s) but %2 were given")
                            .arg(expected)
                            .arg(params.size()),
                        m_database, codeName(SQLITE_RANGE));
        for (int i = 0; i < expected; ++i) {
            const int rc = bindValue(stmt, i + 1, params[i]);
            if (rc == -1)
                throw Error(Error::Kind::Usage,
                            QStringLiteral("parameter %1: cannot bind a value of type %2")
                                .arg(i + 1)
                                .arg(QLatin1String(params[i].typeName())),
                            m_database);
            if (rc != SQLITE_OK)
                throw sqlError(rc);
        }
    }

    void throwIfCancelled(quint64 operation) const
    {
        if (m_cancelUpTo.load() >= operation)
            throw cancelled();
    }

    Error cancelled() const
    {
        return Error(Error::Kind::Cancelled, QStringLiteral("query cancelled"), m_database,
                     codeName(SQLITE_INTERRUPT));
    }

    Error closedWhileQueued() const
    {
        return Error(Error::Kind::Cancelled,
                     QStringLiteral("query cancelled: the connection was closed"), m_database,
                     codeName(SQLITE_INTERRUPT));
    }

    // The error of the call that just returned rc; `base` is where the statement that SQLite
    // saw starts in `sql` (scripts), for the position.
    Error sqlError(int rc, const QByteArray &sql = {}, qsizetype base = 0) const
    {
        int code = sqlite3_extended_errcode(m_db);
        if ((code & 0xff) != (rc & 0xff))
            code = rc;
        if ((code & 0xff) == SQLITE_INTERRUPT)
            return cancelled();
        QString message = QString::fromUtf8(sqlite3_errmsg(m_db));
        if (code == SQLITE_BUSY)
            message += QStringLiteral(" (another connection held its lock for longer than the "
                                      "busy timeout of %1 ms)")
                           .arg(m_busyTimeoutMs);
        const int offset = sqlite3_error_offset(m_db);
        const int position =
            offset >= 0 && !sql.isEmpty() ? characterPosition(sql, base + offset) : 0;
        return Error(Error::Kind::Sql, message, m_database, codeName(code), position);
    }

    QObject *const m_context;
    const QString m_database; // display URL, for errors

    std::mutex m_queueMutex;
    std::condition_variable m_wake;
    std::deque<std::function<void(bool abandon)>> m_queue;
    bool m_stopping = false;
    std::shared_ptr<SqliteJob<Unit>> m_stopped;

    std::atomic<quint64> m_cancelUpTo{0};
    std::atomic<TransactionStatus> m_transactionStatus{TransactionStatus::Unknown};
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

    std::thread m_thread; // last: starts once everything above exists
};

} // namespace detail

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

} // namespace orm::drivers
