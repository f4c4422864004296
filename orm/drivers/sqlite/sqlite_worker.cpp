#include "orm/drivers/sqlite/sqlite_worker.h"

#include "orm/drivers/sqlite/sqlite_lock_holder.h"
#include "orm/drivers/sqlite/sqlite_values.h"

#include <QFileInfo>

#include <sqlite3.h>

#include <cctype>
#include <cstring>

#ifdef __linux__
#include <pthread.h>
#endif

namespace orm::drivers::detail {
namespace {

constexpr qsizetype MaxBatchBytes = 64 << 20; // a batch of wide rows ends early past this

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

} // namespace

SqliteWorker::SqliteWorker(QObject *context, QString database)
    : m_context(context)
    , m_database(std::move(database))
    , m_thread([this] { run(); })
{
#ifdef __linux__
    pthread_setname_np(m_thread.native_handle(), "strata-sqlite");
#endif
}

SqliteWorker::~SqliteWorker()
{
    stop();
    join();
}

TransactionStatus SqliteWorker::transactionStatus() const
{
    return m_transactionStatus.load();
}

void SqliteWorker::cancel(quint64 upToOperation)
{
    if (m_cancelUpTo.load() < upToOperation)
        m_cancelUpTo.store(upToOperation);
    std::lock_guard lock(m_dbMutex);
    if (m_db)
        sqlite3_interrupt(m_db); // the one sqlite3 call allowed from another thread
}

std::shared_ptr<SqliteJob<Unit>> SqliteWorker::stop()
{
    std::lock_guard lock(m_queueMutex);
    m_stopping = true;
    if (!m_stopped)
        m_stopped = std::make_shared<SqliteJob<Unit>>(m_context);
    m_wake.notify_one();
    return m_stopped;
}

void SqliteWorker::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void SqliteWorker::openDatabase(const DatabaseUrl &url, const QString &path)
{
    const bool memory = url.isMemory();
    const QString mode = url.option(QStringLiteral("mode"));
    const bool create = mode != QLatin1String("ro") &&
                        (memory || mode == QLatin1String("rwc") ||
                         url.option(QStringLiteral("create")) == QLatin1String("true"));
    const bool existed = memory || QFileInfo::exists(path);
    if (!existed && !create)
        throw Error(Error::Kind::FileNotFound,
                    QStringLiteral("database file '%1' does not exist (add ?create=true to "
                                   "create it)")
                        .arg(path),
                    m_database);
    // A file this user may not write, or one in a directory where no journal can be created,
    // opens read-only by itself rather than failing on its first write.
    const bool readOnly =
        mode == QLatin1String("ro") || (!memory && existed &&
                                        (!QFileInfo(path).isWritable() ||
                                         !QFileInfo(QFileInfo(path).absolutePath()).isWritable()));

    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !readOnly)
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
    m_path = memory ? QString() : path;
    // Looking at a file changes nothing in it: a user's file keeps its journal mode. Only a
    // file this connection has just created is made WAL (readers then never block a writer).
    if (rc == SQLITE_OK && !existed)
        rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    // A read of the header: this is where "file is not a database", and a file another
    // process holds locked, show up.
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        QString message =
            db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(rc));
        const int code = db ? sqlite3_extended_errcode(db) : rc;
        sqlite3_close_v2(db); // a failed open still allocates a handle
        if (!memory && !create && !QFileInfo::exists(path))
            throw Error(Error::Kind::FileNotFound,
                        QStringLiteral("database file '%1' does not exist").arg(path), m_database,
                        codeName(code));
        if ((code & 0xff) == SQLITE_BUSY)
            message = lockedMessage();
        throw Error(Error::Kind::ConnectionFailed,
                    QStringLiteral("cannot open database file '%1': %2").arg(path, message),
                    m_database, codeName(code));
    }
    m_readOnly.store(sqlite3_db_readonly(db, "main") == 1);
    std::lock_guard lock(m_dbMutex);
    m_db = db;
}

QString SqliteWorker::lockedMessage() const
{
    const QString holder = m_path.isEmpty() ? QString() : sqliteLockHolder(m_path);
    return QStringLiteral("the database file is locked by %1; gave up after the busy timeout "
                          "of %2 ms (busy_timeout=<ms> in the URL waits longer)")
        .arg(holder.isEmpty() ? QStringLiteral("another connection or process") : holder)
        .arg(m_busyTimeoutMs);
}

bool SqliteWorker::isReadOnly() const
{
    return m_readOnly.load();
}

SqliteStart SqliteWorker::startStream(quint64 operation, const QByteArray &sql,
                                      const QVariantList &params, int batchRows)
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
    start.columns = sqlite::describeColumns(stmt);
    const int columnCount = int(start.columns.size());
    m_stream = stmt;
    m_streamOperation = operation;
    m_streamSql = sql;
    m_streamIsDml = isDml(stmt);
    m_bytesPerRow = qMax<qsizetype>(16, 16 * qsizetype(columnCount));
    start.first = fetch(operation, batchRows);
    return start;
}

SqliteFetch SqliteWorker::fetch(quint64 operation, int batchRows)
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
            bytes += sqlite::appendRow(batch, stmt, columns);
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

QList<qint64> SqliteWorker::runBatch(quint64 operation, const QByteArray &sql,
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
    // Every set binds every parameter, so no set's bindings need clearing before the next's;
    // texts and blobs bound in place stay valid to the end of this call, where they are
    // cleared (the cached statement keeps no pointer into `paramSets` or `buffers`).
    sqlite::BindBuffers buffers;
    for (qsizetype i = 0; i < total; ++i) {
        if (i > 0)
            sqlite3_reset(stmt);
        try {
            // Between sets no statement is active, so SQLite itself may have cleared an
            // interrupt that arrived there: our own flag catches it.
            throwIfCancelled(operation);
            bind(stmt, paramSets[i], &buffers);
            int rc;
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            }
            if (rc != SQLITE_DONE)
                throw sqlError(rc, sql);
        } catch (const Error &error) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            sqlite3_exec(m_db, "ROLLBACK TO strata_batch; RELEASE strata_batch", nullptr, nullptr,
                         nullptr);
            if (error.kind() == Error::Kind::Cancelled)
                throw;
            throw Error(
                error.kind(),
                QStringLiteral("parameter set %1 of %2: %3").arg(i).arg(total).arg(error.message()),
                error.database(), error.sqlState(), error.position());
        }
        changes.append(dml ? sqlite3_changes64(m_db) : -1);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    sqlite3_exec(m_db, "RELEASE strata_batch", nullptr, nullptr, nullptr);
    return changes;
}

void SqliteWorker::runScript(quint64 operation, const QByteArray &sql)
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

void SqliteWorker::run()
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

void SqliteWorker::closeDatabase()
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

void SqliteWorker::noteTransactionStatus()
{
    TransactionStatus status = TransactionStatus::Unknown;
    if (m_db)
        status = sqlite3_get_autocommit(m_db) ? TransactionStatus::Idle : TransactionStatus::Open;
    m_transactionStatus.store(status);
}

void SqliteWorker::endStream()
{
    if (m_stream) {
        sqlite3_reset(m_stream); // ends its read transaction, releases locks
        m_stream = nullptr;
    }
}

sqlite3_stmt *SqliteWorker::prepare(const QByteArray &sql)
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

void SqliteWorker::bind(sqlite3_stmt *stmt, const QVariantList &params,
                        sqlite::BindBuffers *buffers)
{
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (params.size() != expected)
        throw Error(Error::Kind::Sql,
                    QStringLiteral("the statement takes %1 parameter(s) but %2 were given")
                        .arg(expected)
                        .arg(params.size()),
                    m_database, codeName(SQLITE_RANGE));
    for (int i = 0; i < expected; ++i) {
        const int rc = sqlite::bindValue(stmt, i + 1, params[i], buffers);
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

void SqliteWorker::throwIfCancelled(quint64 operation) const
{
    if (m_cancelUpTo.load() >= operation)
        throw cancelled();
}

Error SqliteWorker::cancelled() const
{
    return Error(Error::Kind::Cancelled, QStringLiteral("query cancelled"), m_database,
                 codeName(SQLITE_INTERRUPT));
}

Error SqliteWorker::closedWhileQueued() const
{
    return Error(Error::Kind::Cancelled,
                 QStringLiteral("query cancelled: the connection was closed"), m_database,
                 codeName(SQLITE_INTERRUPT));
}

Error SqliteWorker::sqlError(int rc, const QByteArray &sql, qsizetype base) const
{
    int code = sqlite3_extended_errcode(m_db);
    if ((code & 0xff) != (rc & 0xff))
        code = rc;
    // An interrupt that lands while SQLite reads its schema surfaces as SQLITE_ERROR with the
    // interrupt's own text; it is still a cancellation.
    const char *errmsg = sqlite3_errmsg(m_db);
    if ((code & 0xff) == SQLITE_INTERRUPT || qstrcmp(errmsg, sqlite3_errstr(SQLITE_INTERRUPT)) == 0)
        return cancelled();
    QString message = QString::fromUtf8(errmsg);
    if ((code & 0xff) == SQLITE_BUSY)
        message += QStringLiteral(": ") + lockedMessage();
    const int offset = sqlite3_error_offset(m_db);
    const int position = offset >= 0 && !sql.isEmpty() ? characterPosition(sql, base + offset) : 0;
    return Error(Error::Kind::Sql, message, m_database, codeName(code), position);
}

} // namespace orm::drivers::detail
