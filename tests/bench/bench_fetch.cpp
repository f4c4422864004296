// Scenario "fetch": read 1,000,000 rows x 5 columns (int, text, numeric, timestamptz, bool)
// through our driver into row batches, and the same rows through the references measured in
// the same run: blocking libpq in single-row mode and Qt's QPSQL on PostgreSQL, the sqlite3 step
// loop and Qt's QSQLITE on SQLite. Also the longest event-loop stall during our fetch.

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/drivers/connection.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QVariant>

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr qint64 kDefaultRows = 1'000'000;
constexpr int kRounds = 2; // each path is timed this many times (after a warm-up); best kept
constexpr int kTimeoutMs = 10 * 60 * 1000;
const char *const kScenario = "fetch";
const char *const kSelect = "SELECT id, name, amount, created, flag FROM bench_fetch";

// Folded from every cell a reference reads, so that no read can be optimised away.
volatile quint64 g_sink = 0;

struct FetchRun {
    qint64 rows = 0;
    qint64 batches = 0;
    double seconds = 0;
};

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

void checkRows(const QString &path, const FetchRun &run, qint64 expected)
{
    if (run.rows != expected)
        fail(QStringLiteral("%1 read %2 rows, expected %3").arg(path).arg(run.rows).arg(expected));
}

// ---- data ----------------------------------------------------------------------------------

struct PgConnCloser {
    void operator()(PGconn *conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

PgConnPtr libpqConnect(const QString &url)
{
    PgConnPtr conn(PQconnectdb(url.toUtf8().constData()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        fail(
            QStringLiteral("libpq connect: %1").arg(QString::fromUtf8(PQerrorMessage(conn.get()))));
    return conn;
}

void libpqExec(PGconn *conn, const QString &sql)
{
    PGresult *result = PQexec(conn, sql.toUtf8().constData());
    const ExecStatusType status = PQresultStatus(result);
    const QString message = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(QStringLiteral("%1: %2").arg(sql.left(60), message));
}

void createPostgresTable(const QString &url, qint64 rows)
{
    PgConnPtr conn = libpqConnect(url);
    libpqExec(conn.get(), QStringLiteral("SET client_min_messages = warning"));
    libpqExec(conn.get(), QStringLiteral("DROP TABLE IF EXISTS bench_fetch"));
    libpqExec(conn.get(), QStringLiteral("CREATE TABLE bench_fetch (id integer NOT NULL, "
                                         "name text NOT NULL, amount numeric(12,2) NOT NULL, "
                                         "created timestamptz NOT NULL, flag boolean NOT NULL)"));
    libpqExec(conn.get(),
              QStringLiteral("INSERT INTO bench_fetch SELECT g, 'name-' || g, "
                             "(g % 100000) / 100.0 + 0.25, "
                             "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', "
                             "g % 3 = 0 FROM generate_series(1, %1) AS g")
                  .arg(rows));
    libpqExec(conn.get(), QStringLiteral("VACUUM ANALYZE bench_fetch"));
}

void dropPostgresTable(const QString &url)
{
    PgConnPtr conn = libpqConnect(url);
    libpqExec(conn.get(), QStringLiteral("DROP TABLE IF EXISTS bench_fetch"));
}

void sqliteExec(sqlite3 *db, const QString &sql)
{
    char *error = nullptr;
    if (sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, &error) != SQLITE_OK) {
        const QString message = QString::fromUtf8(error ? error : sqlite3_errmsg(db));
        sqlite3_free(error);
        fail(QStringLiteral("sqlite: %1").arg(message));
    }
}

sqlite3 *sqliteOpen(const QString &path)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
        const QString message = QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_close(db);
        fail(QStringLiteral("sqlite open %1: %2").arg(path, message));
    }
    return db;
}

void createSqliteFile(const QString &path, qint64 rows)
{
    sqlite3 *db = sqliteOpen(path);
    try {
        sqliteExec(db, QStringLiteral(
                           "BEGIN;"
                           "CREATE TABLE bench_fetch (id INTEGER NOT NULL, name TEXT NOT NULL, "
                           "amount REAL NOT NULL, created TEXT NOT NULL, flag INTEGER NOT NULL);"
                           "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s "
                           "WHERE g < %1) "
                           "INSERT INTO bench_fetch SELECT g, 'name-' || g, "
                           "(g % 100000) / 100.0 + 0.25, "
                           "strftime('%Y-%m-%dT%H:%M:%SZ', 1704067200 + g, 'unixepoch'), "
                           "g % 3 = 0 FROM s;"
                           "COMMIT;")
                           .arg(rows));
    } catch (...) {
        sqlite3_close(db);
        throw;
    }
    sqlite3_close(db);
}

// ---- ours ----------------------------------------------------------------------------------

QCoro::Task<FetchRun> fetchOurs(QString url, StallProbe *probe)
{
    std::unique_ptr<orm::drivers::Connection> connection =
        orm::drivers::createConnection(orm::DatabaseUrl::parse(url));
    co_await connection->open();

    FetchRun run;
    if (probe)
        probe->start();
    const Stopwatch clock;
    co_await connection->start(QString::fromLatin1(kSelect));
    while (std::optional<orm::RowBatch> batch = co_await connection->nextBatch()) {
        run.rows += batch->rowCount();
        ++run.batches;
    }
    run.seconds = clock.seconds();
    if (probe)
        probe->stop();

    co_await connection->close();
    co_return run;
}

FetchRun ours(const QString &url, StallProbe *probe = nullptr)
{
    return strata::test::await(fetchOurs(url, probe), kTimeoutMs);
}

// ---- references ----------------------------------------------------------------------------

// Blocking libpq in single-row mode, reading every cell's value and length.
FetchRun libpqRaw(const QString &url)
{
    PgConnPtr conn = libpqConnect(url);
    FetchRun run;
    quint64 sink = 0;
    const Stopwatch clock;
    if (!PQsendQuery(conn.get(), kSelect) || !PQsetSingleRowMode(conn.get()))
        fail(QStringLiteral("libpq: %1").arg(QString::fromUtf8(PQerrorMessage(conn.get()))));
    QString error;
    while (PGresult *result = PQgetResult(conn.get())) {
        switch (PQresultStatus(result)) {
        case PGRES_SINGLE_TUPLE: {
            const int columns = PQnfields(result);
            for (int c = 0; c < columns; ++c) {
                const char *value = PQgetvalue(result, 0, c);
                sink += quint64(PQgetlength(result, 0, c)) + quint8(value[0]);
            }
            ++run.rows;
            break;
        }
        case PGRES_TUPLES_OK:
            break;
        default:
            error = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
        }
        PQclear(result);
    }
    run.seconds = clock.seconds();
    g_sink = g_sink + sink;
    if (!error.isEmpty())
        fail(QStringLiteral("libpq: %1").arg(error));
    return run;
}

// A forward-only QSqlQuery reading value(i) of every cell.
FetchRun qtSqlFetch(const QSqlDatabase &db)
{
    FetchRun run;
    quint64 sink = 0;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    const Stopwatch clock;
    if (!query.exec(QString::fromLatin1(kSelect)))
        fail(QStringLiteral("%1: %2").arg(db.driverName(), query.lastError().text()));
    const int columns = 5;
    while (query.next()) {
        for (int c = 0; c < columns; ++c) {
            const QVariant value = query.value(c);
            sink += quint64(value.isNull() ? 0 : 1 + value.typeId());
        }
        ++run.rows;
    }
    run.seconds = clock.seconds();
    g_sink = g_sink + sink;
    if (query.lastError().isValid())
        fail(QStringLiteral("%1: %2").arg(db.driverName(), query.lastError().text()));
    return run;
}

FetchRun qpsql(const QString &url)
{
    const orm::DatabaseUrl parsed = orm::DatabaseUrl::parse(url);
    const QString name = QStringLiteral("strata-bench-qpsql");
    FetchRun run;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(parsed.host().isEmpty() ? QStringLiteral("127.0.0.1") : parsed.host());
        if (parsed.port())
            db.setPort(parsed.port());
        db.setUserName(parsed.user());
        db.setPassword(parsed.password());
        db.setDatabaseName(parsed.databaseName());
        QStringList options;
        for (auto it = parsed.options().cbegin(); it != parsed.options().cend(); ++it)
            options += it.key() + QLatin1Char('=') + it.value();
        db.setConnectOptions(options.join(QLatin1Char(';')));
        if (!db.open())
            fail(QStringLiteral("QPSQL open: %1").arg(db.lastError().text()));
        run = qtSqlFetch(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return run;
}

FetchRun qsqlite(const QString &path)
{
    const QString name = QStringLiteral("strata-bench-qsqlite");
    FetchRun run;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open())
            fail(QStringLiteral("QSQLITE open: %1").arg(db.lastError().text()));
        run = qtSqlFetch(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return run;
}

// sqlite3_step, reading each column with the call that fits its type.
FetchRun sqliteRaw(const QString &path)
{
    sqlite3 *db = sqliteOpen(path);
    FetchRun run;
    quint64 sink = 0;
    const Stopwatch clock;
    sqlite3_stmt *stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, kSelect, -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            sink += quint64(sqlite3_column_int64(stmt, 0));
            const unsigned char *name = sqlite3_column_text(stmt, 1);
            sink += quint64(sqlite3_column_bytes(stmt, 1)) + (name ? name[0] : 0);
            sink += quint64(sqlite3_column_double(stmt, 2));
            const unsigned char *created = sqlite3_column_text(stmt, 3);
            sink += quint64(sqlite3_column_bytes(stmt, 3)) + (created ? created[0] : 0);
            sink += quint64(sqlite3_column_int64(stmt, 4));
            ++run.rows;
        }
    }
    run.seconds = clock.seconds();
    const QString message = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    g_sink = g_sink + sink;
    if (rc != SQLITE_DONE)
        fail(QStringLiteral("sqlite3_step: %1").arg(message));
    return run;
}

// ---- the scenario --------------------------------------------------------------------------

struct Path {
    QString name; // "ours" or the reference's name
    FetchRun (*run)(const QString &target);
    double best = 0;
};

FetchRun oursPath(const QString &url)
{
    return ours(url);
}

// Warm-up, the stall run, then kRounds rounds over every path (interleaved, so that drift on a
// shared machine hits them alike); reports the best time of each.
void measure(const Report &report, Backend backend, const QString &ourUrl, const QString &target,
             QList<Path> paths, qint64 rows)
{
    note(QStringLiteral("fetch/%1: warm-up read").arg(backendName(backend)));
    const FetchRun warm = ours(ourUrl);
    checkRows(QStringLiteral("ours"), warm, rows);
    note(QStringLiteral("fetch/%1: warm-up %2 s, %3 batches")
             .arg(backendName(backend))
             .arg(warm.seconds, 0, 'f', 3)
             .arg(warm.batches));

    // Stall: a separate read with the 1 ms probe running, so the probe costs the timed reads
    // nothing. Peak memory of the same read, for the notes.
    StallProbe probe;
    const qint64 rssBefore = currentRss();
    const bool peakReset = resetPeakRss();
    const FetchRun probed = ours(ourUrl, &probe);
    checkRows(QStringLiteral("ours"), probed, rows);
    note(QStringLiteral("fetch/%1: probed read %2 s, %3 ticks, longest stall %4 ms%5")
             .arg(backendName(backend))
             .arg(probed.seconds, 0, 'f', 3)
             .arg(probe.ticks())
             .arg(probe.maxStallMs(), 0, 'f', 1)
             .arg(peakReset ? QStringLiteral(", peak RSS +%1 MB over %2 MB")
                                  .arg(double(peakRss() - rssBefore) / 1e6, 0, 'f', 1)
                                  .arg(double(rssBefore) / 1e6, 0, 'f', 1)
                            : QString()));

    for (int round = 1; round <= kRounds; ++round) {
        for (Path &path : paths) {
            const FetchRun run = path.run(path.name == QLatin1String("ours") ? ourUrl : target);
            checkRows(path.name, run, rows);
            path.best = round == 1 ? run.seconds : std::min(path.best, run.seconds);
            note(QStringLiteral("fetch/%1: round %2 %3 %4 s")
                     .arg(backendName(backend))
                     .arg(round)
                     .arg(path.name)
                     .arg(run.seconds, 0, 'f', 3));
        }
    }

    const double oursBest = paths.first().best;
    report.value(QStringLiteral("time"), oursBest, QStringLiteral("s"));
    for (const Path &path : paths.mid(1))
        report.reference(QStringLiteral("time"), path.name, path.best, QStringLiteral("s"));
    for (const Path &path : paths.mid(1))
        report.ratio(QStringLiteral("time"), path.name, oursBest, path.best);
    report.value(QStringLiteral("stall"), probe.maxStallMs(), QStringLiteral("ms"));
}

} // namespace

void runFetch(const Context &context, Backend backend)
{
    const qint64 rows = context.rows(kDefaultRows);
    const Report report(QString::fromLatin1(kScenario), backend);

    if (backend == Backend::Postgres) {
        note(QStringLiteral("fetch/postgres: creating bench_fetch with %1 rows").arg(count(rows)));
        const Stopwatch setup;
        createPostgresTable(context.pgUrl, rows);
        note(QStringLiteral("fetch/postgres: data ready in %1 s").arg(setup.seconds(), 0, 'f', 1));
        try {
            measure(report, backend, context.pgUrl, context.pgUrl,
                    {{QStringLiteral("ours"), oursPath},
                     {QStringLiteral("libpq-raw"), libpqRaw},
                     {QStringLiteral("qpsql"), qpsql}},
                    rows);
        } catch (...) {
            dropPostgresTable(context.pgUrl);
            throw;
        }
        dropPostgresTable(context.pgUrl);
        return;
    }

    QTemporaryDir dir;
    if (!dir.isValid())
        fail(QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString()));
    const QString path = QDir(dir.path()).absoluteFilePath(QStringLiteral("bench.db"));
    note(QStringLiteral("fetch/sqlite: creating %1 with %2 rows").arg(path, count(rows)));
    const Stopwatch setup;
    createSqliteFile(path, rows);
    note(QStringLiteral("fetch/sqlite: data ready in %1 s").arg(setup.seconds(), 0, 'f', 1));
    measure(report, backend, QStringLiteral("sqlite:///") + path, path,
            {{QStringLiteral("ours"), oursPath},
             {QStringLiteral("sqlite-raw"), sqliteRaw},
             {QStringLiteral("qsqlite"), qsqlite}},
            rows);
}

} // namespace strata::bench
