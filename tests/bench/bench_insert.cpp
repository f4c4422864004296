// Scenario "insert": 10,000 single-row inserts into a fresh table inside one transaction, as one
// pipelined executeBatch (ours) against one awaited execute() per row ("round-trips"), on the
// same kind of connection. SQLite: executeBatch in one transaction, as a plain time.

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/database_url.h"
#include "orm/drivers/connection.h"

#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr qint64 kDefaultRows = 10'000;
constexpr int kRounds = 2;
constexpr int kTimeoutMs = 10 * 60 * 1000;

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

enum class Mode { Pipelined, RoundTrips };

struct InsertRun {
    double seconds = 0;
    qint64 stored = 0; // rows in the table afterwards
};

QCoro::Task<InsertRun> insertOnce(orm::drivers::Connection *connection, Mode mode,
                                  QList<QVariantList> paramSets)
{
    const bool postgres = connection->backend() == orm::DatabaseUrl::Backend::Postgres;
    const QString sql = postgres ? QStringLiteral("INSERT INTO bench_insert VALUES ($1, $2)")
                                 : QStringLiteral("INSERT INTO bench_insert VALUES (?, ?)");
    co_await connection->executeScript(
        QStringLiteral("DROP TABLE IF EXISTS bench_insert;"
                       "CREATE TABLE bench_insert (id integer NOT NULL, name text NOT NULL)"));

    InsertRun run;
    const Stopwatch clock;
    co_await connection->execute(QStringLiteral("BEGIN"));
    if (mode == Mode::Pipelined) {
        const QList<qint64> changed = co_await connection->executeBatch(sql, paramSets);
        if (changed.size() != paramSets.size())
            fail(QStringLiteral("executeBatch reported %1 sets, expected %2")
                     .arg(changed.size())
                     .arg(paramSets.size()));
    } else {
        for (const QVariantList &params : std::as_const(paramSets))
            co_await connection->execute(sql, params);
    }
    co_await connection->execute(QStringLiteral("COMMIT"));
    run.seconds = clock.seconds();

    const orm::Result stored =
        co_await connection->execute(QStringLiteral("SELECT count(*) FROM bench_insert"));
    run.stored = stored.value(0, 0).toLongLong();
    co_return run;
}

QCoro::Task<> openConnection(orm::drivers::Connection *connection)
{
    co_await connection->open();
}

QCoro::Task<> closeConnection(orm::drivers::Connection *connection)
{
    co_await connection->executeScript(QStringLiteral("DROP TABLE IF EXISTS bench_insert"));
    co_await connection->close();
}

double timeInsert(orm::drivers::Connection *connection, Mode mode,
                  const QList<QVariantList> &paramSets)
{
    const InsertRun run = strata::test::await(insertOnce(connection, mode, paramSets), kTimeoutMs);
    if (run.stored != paramSets.size())
        fail(QStringLiteral("the table holds %1 rows after the inserts, expected %2")
                 .arg(run.stored)
                 .arg(paramSets.size()));
    return run.seconds;
}

} // namespace

void runInsert(const Context &context, Backend backend)
{
    const qint64 rows = context.rows(kDefaultRows);
    const Report report(QStringLiteral("insert"), backend);
    const QString tag = QStringLiteral("insert/") + backendName(backend);

    QList<QVariantList> paramSets;
    paramSets.reserve(rows);
    for (qint64 i = 0; i < rows; ++i)
        paramSets.append({QVariant(int(i)), QVariant(QStringLiteral("name-%1").arg(i))});
    const QList<QVariantList> warmSets = paramSets.mid(0, std::min<qsizetype>(1000, rows));

    QTemporaryDir dir;
    QString url = context.pgUrl;
    if (backend == Backend::Sqlite) {
        if (!dir.isValid())
            fail(QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString()));
        url = QStringLiteral("sqlite:///") +
              QDir(dir.path()).absoluteFilePath(QStringLiteral("insert.db")) +
              QStringLiteral("?create=true");
    }

    std::unique_ptr<orm::drivers::Connection> connection =
        orm::drivers::createConnection(orm::DatabaseUrl::parse(url));
    strata::test::await(openConnection(connection.get()), kTimeoutMs);

    note(QStringLiteral("%1: warm-up (%2 rows pipelined)").arg(tag, count(warmSets.size())));
    timeInsert(connection.get(), Mode::Pipelined, warmSets);

    double pipelined = 0;
    double roundTrips = 0;
    for (int round = 1; round <= kRounds; ++round) {
        const double p = timeInsert(connection.get(), Mode::Pipelined, paramSets);
        pipelined = round == 1 ? p : std::min(pipelined, p);
        note(QStringLiteral("%1: round %2 pipelined %3 rows %4 s")
                 .arg(tag)
                 .arg(round)
                 .arg(count(rows))
                 .arg(p, 0, 'f', 3));
        if (backend != Backend::Postgres)
            continue;
        const double r = timeInsert(connection.get(), Mode::RoundTrips, paramSets);
        roundTrips = round == 1 ? r : std::min(roundTrips, r);
        note(QStringLiteral("%1: round %2 round-trips %3 rows %4 s")
                 .arg(tag)
                 .arg(round)
                 .arg(count(rows))
                 .arg(r, 0, 'f', 3));
    }
    strata::test::await(closeConnection(connection.get()), kTimeoutMs);

    report.value(QStringLiteral("time"), pipelined, QStringLiteral("s"));
    if (backend == Backend::Postgres) {
        report.reference(QStringLiteral("time"), QStringLiteral("round-trips"), roundTrips,
                         QStringLiteral("s"));
        report.ratio(QStringLiteral("time"), QStringLiteral("round-trips"), pipelined, roundTrips);
    }
}

} // namespace strata::bench
