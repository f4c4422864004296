// Scenarios "runsync" and "not-connected": what the synchronous bridge costs, and why the
// DatabaseNotConnected warning exists.
//
// runsync: one runSync round trip of a trivial query, from code with no event loop running (a
// local loop) and from inside a running loop (the subloop path), each against the same query
// awaited directly in a coroutine ("await").
// not-connected: small queries on a database that was never connected (a connection opened
// and closed per query) against the same queries on a connected one.

#include "scenarios.h"
#include "support/await.h"

#include "orm/database/database.h"
#include "orm/sync/run_sync.h"

#include <QDir>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>

#include <stdexcept>

namespace strata::bench {
namespace {

constexpr int kTimeoutMs = 5 * 60 * 1000;

QString urlFor(const Context &context, Backend backend, const QTemporaryDir &dir)
{
    if (backend == Backend::Postgres)
        return context.pgUrl;
    return QStringLiteral("sqlite:///") +
           QDir(dir.path()).absoluteFilePath(QStringLiteral("b.db")) +
           QStringLiteral("?create=true");
}

// `count` awaited queries in one coroutine; seconds per query.
QCoro::Task<double> awaitQueries(orm::Database *db, int count)
{
    const Stopwatch clock;
    for (int i = 0; i < count; ++i)
        co_await db->execute(QStringLiteral("SELECT 1"));
    co_return clock.seconds() / count;
}

double runSyncQueries(orm::Database *db, int count)
{
    const Stopwatch clock;
    for (int i = 0; i < count; ++i)
        orm::runSync([db] { return db->execute(QStringLiteral("SELECT 1")); });
    return clock.seconds() / count;
}

// The same, from a slot of a running event loop: runSync goes through the subloop.
double runSyncQueriesInsideLoop(orm::Database *db, int count)
{
    double perQuery = 0;
    QEventLoop loop;
    QTimer::singleShot(0, &loop, [&] {
        orm::runSync([db] { return db->execute(QStringLiteral("SELECT 1")); }); // warm the subloop
        perQuery = runSyncQueries(db, count);
        loop.quit();
    });
    loop.exec();
    return perQuery;
}

} // namespace

void runRunSync(const Context &context, Backend backend)
{
    const Report report(QStringLiteral("runsync"), backend);
    const int count = int(context.rows(2000));
    QTemporaryDir dir;
    orm::Database db(urlFor(context, backend, dir));
    strata::test::await(db.connect(), kTimeoutMs);
    strata::test::await(awaitQueries(&db, 100), kTimeoutMs); // warm-up

    const double awaited = strata::test::await(awaitQueries(&db, count), kTimeoutMs);
    const double local = runSyncQueries(&db, count);
    const double subloop = runSyncQueriesInsideLoop(&db, count);

    report.value(QStringLiteral("no-loop"), local * 1e6, QStringLiteral("us"));
    report.reference(QStringLiteral("no-loop"), QStringLiteral("await"), awaited * 1e6,
                     QStringLiteral("us"));
    report.ratio(QStringLiteral("no-loop"), QStringLiteral("await"), local, awaited);
    report.value(QStringLiteral("subloop"), subloop * 1e6, QStringLiteral("us"));
    report.ratio(QStringLiteral("subloop"), QStringLiteral("await"), subloop, awaited);
    strata::test::await(db.disconnect(), kTimeoutMs);
}

void runNotConnected(const Context &context, Backend backend)
{
    const Report report(QStringLiteral("not-connected"), backend);
    const int count = int(context.rows(1000));
    QTemporaryDir dir;
    const QString url = urlFor(context, backend, dir);

    orm::Database connected(url);
    strata::test::await(connected.connect(), kTimeoutMs);
    strata::test::await(awaitQueries(&connected, 100), kTimeoutMs); // warm-up
    const double withConnection = strata::test::await(awaitQueries(&connected, count), kTimeoutMs);
    strata::test::await(connected.disconnect(), kTimeoutMs);

    // One warning per query is the point of the path, but 1,000 of them on stderr are not.
    QLoggingCategory::setFilterRules(QStringLiteral("strata.orm.database.warning=false"));
    orm::Database unconnected(url);
    int warnings = 0;
    QObject::connect(&unconnected, &orm::Database::notConnectedWarning, [&] { ++warnings; });
    const double without = strata::test::await(awaitQueries(&unconnected, count), kTimeoutMs);
    QLoggingCategory::setFilterRules(QString());
    if (warnings != count)
        throw std::runtime_error("expected one DatabaseNotConnected warning per query");

    report.value(QStringLiteral("time"), without * 1e6, QStringLiteral("us"));
    report.reference(QStringLiteral("time"), QStringLiteral("connected"), withConnection * 1e6,
                     QStringLiteral("us"));
    report.ratio(QStringLiteral("time"), QStringLiteral("connected"), without, withConnection);
}

} // namespace strata::bench
