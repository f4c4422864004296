// Scenario "failover": a registry on a multi-host URL (target_session_attrs=read-write) over a
// primary/standby pair of its own (with-postgres.sh's pair.sh); the primary stops, the standby
// is promoted. "failover": seconds from the promote command's return to the first successful
// query through the registry (target <= 1.5 s); "failed": the queries the caller saw fail from
// the primary's stop on (target <= 1, the one in flight; here none is in flight).
// "pooled": the console's cost per statement (a schema chosen and read-only, so that each
// statement carries its settings in its own transaction) through PgBouncer in transaction
// pooling mode, against the same console connected directly (target ratio <= 1.3).

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "orm/session/console_session.h"

#include <QProcess>
#include <QUrl>

#include <algorithm>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr int kRounds = 2;

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString pair(const QStringList &arguments)
{
    const QString script = qEnvironmentVariable("STRATA_TEST_PG_PAIR");
    if (script.isEmpty())
        fail(QStringLiteral("failover needs STRATA_TEST_PG_PAIR (run it through make bench)"));
    QProcess process;
    process.start(script, arguments);
    if (!process.waitForFinished(120000) || process.exitCode() != 0)
        fail(QStringLiteral("pair.sh %1 failed: %2")
                 .arg(arguments.join(u' '), QString::fromUtf8(process.readAllStandardError())));
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QCoro::Task<int> untilAnswered(orm::Database *db, int *failed)
{
    for (int attempt = 0; attempt < 1000; ++attempt) {
        try {
            co_return (co_await db->execute(QStringLiteral("SELECT inet_server_port()")))
                .value(0, 0)
                .toInt();
        } catch (const orm::Error &error) {
            note(QStringLiteral("failover/postgres: a query failed: %1").arg(error.toString()));
            ++*failed;
        }
    }
    fail(QStringLiteral("no query succeeded after the promote"));
}

constexpr int kStatements = 2000;

// Seconds per statement for the console on `url`, run as its editor runs them (start, then
// batches), in the best of three rounds.
double perStatement(const QString &url)
{
    orm::Database db(url);
    strata::test::await(db.connect());
    orm::ConsoleSession session(&db);
    strata::test::await(session.open(QStringLiteral("public")));
    strata::test::await(session.setReadOnly(true));
    auto run = [&session]() -> QCoro::Task<> {
        for (int i = 0; i < kStatements; ++i) {
            const quint64 stream = co_await session.start(QStringLiteral("SELECT 1"), 100);
            for (;;) {
                const std::optional<orm::RowBatch> batch = co_await session.nextBatch(stream);
                if (!batch)
                    break;
            }
        }
    };
    double best = 1e9;
    for (int round = 0; round < 3; ++round) {
        const Stopwatch clock;
        strata::test::await(run(), 120000);
        best = std::min(best, clock.seconds() / kStatements);
    }
    strata::test::await(session.close());
    strata::test::await(db.disconnect(true));
    return best;
}

} // namespace

void runFailover(const Context &context, Backend backend)
{
    if (backend != Backend::Postgres)
        return;
    const Report report(QStringLiteral("failover"), backend);
    const orm::DatabaseUrl server = orm::DatabaseUrl::parse(context.pgUrl);
    double slowest = 0;
    int failedTotal = 0;
    for (int round = 1; round <= kRounds; ++round) {
        const QString name = QStringLiteral("bench%1").arg(round);
        const QStringList ports = pair({QStringLiteral("create"), name}).split(u' ');
        if (ports.size() != 2)
            fail(QStringLiteral("pair.sh create printed no ports"));
        const QString url =
            QStringLiteral("postgresql://%1:%2@127.0.0.1:%3,127.0.0.1:%4/postgres"
                           "?target_session_attrs=read-write&connect_timeout=2")
                .arg(server.user(), QString::fromLatin1(QUrl::toPercentEncoding(server.password())),
                     ports[0], ports[1]);
        orm::Registry registry(url);
        strata::test::await(registry.connect());
        int failed = 0;
        strata::test::await(untilAnswered(registry.database(), &failed));
        pair({QStringLiteral("stop-primary"), name});
        pair({QStringLiteral("promote"), name});
        const Stopwatch clock;
        const int port = strata::test::await(untilAnswered(registry.database(), &failed), 60000);
        const double seconds = clock.seconds();
        if (port != ports[1].toInt())
            fail(QStringLiteral("the query after the promote ran on port %1").arg(port));
        strata::test::await(registry.disconnect());
        slowest = std::max(slowest, seconds);
        failedTotal += failed;
        note(QStringLiteral("failover/postgres: round %1: first query on the new primary %2 s "
                            "after the promote, %3 failed")
                 .arg(round)
                 .arg(seconds, 0, 'f', 4)
                 .arg(failed));
    }
    report.value(QStringLiteral("failover"), slowest, QStringLiteral("s"));
    report.value(QStringLiteral("failed"), failedTotal, QStringLiteral("queries"));

    const QString bouncer = qEnvironmentVariable("STRATA_TEST_PGBOUNCER_URL");
    if (bouncer.isEmpty())
        fail(QStringLiteral("pooled needs STRATA_TEST_PGBOUNCER_URL (run it through make bench)"));
    const double direct = perStatement(context.pgUrl);
    const double pooled = perStatement(bouncer);
    note(QStringLiteral("failover/postgres: console statement %1 ms direct, %2 ms through "
                        "PgBouncer (transaction pooling)")
             .arg(direct * 1000, 0, 'f', 4)
             .arg(pooled * 1000, 0, 'f', 4));
    report.ratio(QStringLiteral("pooled"), QStringLiteral("direct"), pooled, direct);
}

} // namespace strata::bench
