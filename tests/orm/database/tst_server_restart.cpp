// A real restart of the test server (pg_ctl restart, through the script with-postgres.sh
// writes), under a registry holding idle pooled connections and a console session. CTest runs
// this suite alone (RUN_SERIAL): every other suite's sessions would be ended too.

#include "await.h"
#include "backends.h"

#include "orm/registry/registry.h"
#include "orm/session/console_session.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using orm::Database;
using orm::Error;
using orm::Registry;
using strata::test::await;

namespace {

QCoro::Task<> sleepOnce(Database *db)
{
    co_await db->execute(QStringLiteral("SELECT pg_sleep(0.2)"));
}

bool restartServer()
{
    QProcess restart;
    restart.start(qEnvironmentVariable("STRATA_TEST_PG_RESTART"), {});
    if (!restart.waitForFinished(90000)) {
        qWarning("the restart did not end: %s", restart.readAllStandardError().constData());
        return false;
    }
    if (restart.exitCode() != 0)
        qWarning("the restart failed: %s", restart.readAllStandardError().constData());
    return restart.exitStatus() == QProcess::NormalExit && restart.exitCode() == 0;
}

} // namespace

class TestServerRestart : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void queriesAfterARestartAllSucceed();
};

void TestServerRestart::initTestCase()
{
    if (strata::test::postgresUrl().isEmpty() ||
        qEnvironmentVariable("STRATA_TEST_PG_RESTART").isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("no restartable PostgreSQL server: run through tests/support/with-postgres.sh");
        QSKIP("no restartable PostgreSQL server (run through `make test`)");
    }
}

// The count: with a pool of 4, 4 of 7 sequential queries failed after a restart before
// one succeeded. Now none fails, the console tells its session was reset, and the database
// stays connected.
void TestServerRestart::queriesAfterARestartAllSucceed()
{
    Registry registry(strata::test::postgresUrl());
    Database *db = registry.database();
    db->setPoolSize(4);
    await(registry.connect());
    std::vector<QCoro::Task<>> running;
    for (int i = 0; i < 4; ++i)
        running.push_back(sleepOnce(db));
    for (auto &task : running)
        await(std::move(task));
    orm::ConsoleSession console(db);
    await(console.open());
    QSignalSpy reset(&console, &orm::ConsoleSession::sessionReset);

    QVERIFY(restartServer());

    int failed = 0;
    for (int i = 0; i < 7; ++i) {
        try {
            const QVariantList params{i};
            if (await(db->execute(QStringLiteral("SELECT $1::int"), params)).value(0, 0).toInt() !=
                i)
                ++failed;
        } catch (const Error &error) {
            qWarning("query %d failed: %s", i, qPrintable(error.toString()));
            ++failed;
        }
    }
    QCOMPARE(failed, 0);
    QVERIFY(db->isConnected());

    const quint64 stream = await(console.start(QStringLiteral("SELECT 9")));
    QCOMPARE(await(console.nextBatch(stream))->value(0, 0).toInt(), 9);
    QCOMPARE(reset.count(), 1);
    await(console.close());
    await(registry.disconnect());
}

QTEST_GUILESS_MAIN(TestServerRestart)
#include "tst_server_restart.moc"
