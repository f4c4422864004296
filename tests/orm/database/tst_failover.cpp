// Failover on a real primary/standby pair of the test's own (with-postgres.sh's pair.sh:
// initdb, pg_basebackup -R, pg_ctl promote), reached through a multi-host URL with
// target_session_attrs=read-write: the primary stops, the standby is promoted, and the next
// query lands on the new primary with nothing failed, the database saying where it went.

#include "await.h"
#include "server_pair.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <vector>

using orm::Database;
using strata::test::await;
using strata::test::pairScript;
using strata::test::runPair;

namespace {

QCoro::Task<> sleepBriefly(Database *db)
{
    co_await db->execute(QStringLiteral("SELECT pg_sleep(0.1)"));
}

int serverPort(Database &db)
{
    return await(db.execute(QStringLiteral("SELECT inet_server_port()"))).value(0, 0).toInt();
}

} // namespace

class TestFailover : public QObject {
    Q_OBJECT

private slots:
    void nextQueryFindsThePromotedStandby()
    {
        const QString base = qEnvironmentVariable("STRATA_TEST_PG_URL");
        if (base.isEmpty() || pairScript().isEmpty()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("STRATA_TEST_PG_PAIR is not set: the failover suite must not skip in CI");
            QSKIP("no PostgreSQL pair (run through `make test`)");
        }
        const QStringList ports =
            runPair({QStringLiteral("create"), QStringLiteral("failover")}).split(u' ');
        QCOMPARE(ports.size(), 2);
        const QString url = strata::test::pairUrl(base, ports);
        orm::Registry registry(url);
        await(registry.connect());
        Database *db = registry.database();
        QCOMPARE(serverPort(*db), ports[0].toInt());
        {
            std::vector<QCoro::Task<>> running; // four idle pooled connections, as in use
            for (int i = 0; i < 4; ++i)
                running.push_back(sleepBriefly(db));
            for (QCoro::Task<> &task : running)
                await(std::move(task));
        }
        QSignalSpy changes(db, &Database::stateChanged);

        QVERIFY(runPair({QStringLiteral("stop-primary"), QStringLiteral("failover")}).isEmpty());
        QVERIFY(QProcess::execute(pairScript(),
                                  {QStringLiteral("promote"), QStringLiteral("failover")}) == 0);
        int failed = 0;
        for (int i = 0; i < 7; ++i) {
            try {
                await(db->execute(QStringLiteral("SELECT 1")));
            } catch (const orm::Error &error) {
                qWarning("query %d failed: %s", i, qPrintable(error.toString()));
                ++failed;
            }
        }
        QCOMPARE(failed, 0);
        QCOMPARE(serverPort(*db), ports[1].toInt());
        // Writes work: it is the primary now.
        await(db->execute(QStringLiteral("CREATE TABLE failed_over (n int)")));
        QTRY_VERIFY_WITH_TIMEOUT(!changes.isEmpty(), 5000);
        QCOMPARE(changes.last().at(0).value<Database::State>(), Database::State::Connected);
        QCOMPARE(changes.last().at(1).toString(),
                 QStringLiteral("reconnected to 127.0.0.1:%1 after failover").arg(ports[1]));
        QCOMPARE(db->state(), Database::State::Connected);
        await(registry.disconnect());
    }
};

QTEST_GUILESS_MAIN(TestFailover)
#include "tst_failover.moc"
