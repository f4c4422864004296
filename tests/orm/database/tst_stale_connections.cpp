// Pooled and console connections that the server ended while they sat idle, ended for real on
// the test server: pg_terminate_backend (what a restart, a crash or an administrator does to
// each session) and a loopback proxy cutting every link. PostgreSQL only: a SQLite connection
// is a file handle that nothing outside the process can end.

#include "await.h"
#include "backends.h"
#include "support/proxied_url.h"
#include "support/tcp_proxy.h"

#include "orm/database/database.h"
#include "orm/database/transaction.h"
#include "orm/session/console_session.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using orm::ConsoleSession;
using orm::Database;
using orm::DatabaseUrl;
using orm::Error;
using orm::Result;
using strata::test::await;

namespace {

constexpr int kPool = 4;

// The test server's URL under an application_name of its own, so that its backends can be
// counted and ended without touching other suites' sessions.
QString urlNamed(const QString &base, const QString &application)
{
    return base + (base.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
           QStringLiteral("application_name=") + application;
}

int backendsOf(Database &admin, const QString &application)
{
    const Result r = await(admin.execute(
        QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"),
        {application}));
    return r.value(0, 0).toInt();
}

// Ends every session of `application`, as a server restart would, and waits until they are gone.
bool terminateAll(Database &admin, const QString &application)
{
    await(admin.execute(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE application_name = $1"),
                        {application}));
    for (int i = 0; i < 200 && backendsOf(admin, application) > 0; ++i)
        QTest::qWait(25);
    return backendsOf(admin, application) == 0;
}

QCoro::Task<> sleepOnce(Database *db)
{
    co_await db->execute(QStringLiteral("SELECT pg_sleep(0.2)"));
}

// Leaves `kPool` idle connections in this thread's pool: that many queries at once.
void fillPool(Database &db)
{
    std::vector<QCoro::Task<>> running;
    for (int i = 0; i < kPool; ++i)
        running.push_back(sleepOnce(&db));
    for (auto &task : running)
        await(std::move(task));
}

// Seven queries one after the other, as the issue counted them: how many failed.
int failuresOfSevenQueries(Database &db)
{
    int failed = 0;
    for (int i = 0; i < 7; ++i) {
        try {
            const QVariantList params{i};
            if (await(db.execute(QStringLiteral("SELECT $1::int"), params)).value(0, 0).toInt() !=
                i)
                ++failed;
        } catch (const Error &error) {
            qWarning("query %d failed: %s", i, qPrintable(error.toString()));
            ++failed;
        }
    }
    return failed;
}

} // namespace

class TestStaleConnections : public QObject {
    Q_OBJECT

private slots:
    void init();

    void terminatedIdleConnectionsAreReplaced();
    void linksCutWhileIdleAreReplaced();
    void serverReasonIsKeptWhenTerminatedMidFetch();
    void statementOfALostTransactionIsNeverReplayed();
    void consoleSaysItsSessionWasReset();
    void consoleNeverReplaysALostTransaction();
    void consoleCancelWorksOnASilentLink();
    void keepalivesAreOnByDefault();
    void stateSaysLostWhileTheServerIsDown();

private:
    QString m_base;
    std::optional<Database> m_admin;
};

void TestStaleConnections::init()
{
    m_base = strata::test::postgresUrl();
    if (m_base.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    m_admin.reset();
    m_admin.emplace(m_base);
    await(m_admin->connect());
}

// After a restart every idle pooled connection is dead: the pool must notice before handing
// one out, so no query fails (4 of 7 did, with a pool of 4).
void TestStaleConnections::terminatedIdleConnectionsAreReplaced()
{
    const QString app = strata::test::uniqueName(QStringLiteral("stale_terminated"));
    Database db(urlNamed(m_base, app));
    db.setPoolSize(kPool);
    await(db.connect());
    fillPool(db);
    QCOMPARE(backendsOf(*m_admin, app), kPool);
    QVERIFY(terminateAll(*m_admin, app));

    QCOMPARE(failuresOfSevenQueries(db), 0);
    QVERIFY(db.isConnected());
    QVERIFY(backendsOf(*m_admin, app) >= 1);
    await(db.disconnect());
    QTRY_COMPARE(backendsOf(*m_admin, app), 0);
}

// The same through a link that a proxy drops (failover, an idle cut by a firewall).
void TestStaleConnections::linksCutWhileIdleAreReplaced()
{
    const DatabaseUrl pg = DatabaseUrl::parse(m_base);
    strata::test::TcpProxy proxy(pg.host(), quint16(pg.port()));
    Database db(strata::test::throughProxy(m_base, proxy));
    db.setPoolSize(kPool);
    await(db.connect());
    fillPool(db);
    QCOMPARE(proxy.openConnections(), kPool);
    proxy.cutAll();
    QTRY_COMPARE(proxy.openConnections(), 0);

    QCOMPARE(failuresOfSevenQueries(db), 0);
    await(db.disconnect());
}

// The server says why it ended the session; that text must reach the user, not only libpq's
// "server closed the connection unexpectedly".
void TestStaleConnections::serverReasonIsKeptWhenTerminatedMidFetch()
{
    const QString app = strata::test::uniqueName(QStringLiteral("stale_midfetch"));
    Database db(urlNamed(m_base, app));
    await(db.connect());
    orm::ConnectionLease lease = await(db.acquire());
    // Rows large enough to be sent at once, then a pause: the server is not blocked writing
    // to a full socket when it is told to end, so it can send its reason.
    await(lease->start(QStringLiteral("SELECT s FROM (SELECT repeat('x', 100000) AS s FROM "
                                      "generate_series(1, 5) UNION ALL SELECT "
                                      "pg_sleep(30)::text) q"),
                       {}, 1));
    QVERIFY(await(lease->nextBatch()).has_value());
    await(m_admin->execute(QStringLiteral("SELECT pg_terminate_backend(pid) FROM "
                                          "pg_stat_activity WHERE application_name = $1"),
                           {app}));
    std::optional<Error> failure;
    for (int i = 0; i < 1000000 && !failure; ++i) {
        try {
            if (!await(lease->nextBatch()).has_value())
                break;
        } catch (const Error &error) {
            failure = error;
        }
    }
    QVERIFY2(failure.has_value(), "the stream ended without the server's error");
    QCOMPARE(failure->kind(), Error::Kind::ConnectionLost);
    QVERIFY2(failure->message().contains(
                 QStringLiteral("terminating connection due to administrator command")),
             qPrintable(failure->message()));
    lease.release();
    await(db.disconnect());
}

// A statement inside a transaction whose session was lost is not run again elsewhere: the rows
// the transaction wrote are gone with it, and the next statement fails.
void TestStaleConnections::statementOfALostTransactionIsNeverReplayed()
{
    const QString app = strata::test::uniqueName(QStringLiteral("stale_tx"));
    const QString table = strata::test::uniqueName(QStringLiteral("stale_tx"));
    await(m_admin->execute(QStringLiteral("CREATE TABLE %1 (n int)").arg(table)));
    Database db(urlNamed(m_base, app));
    await(db.connect());
    {
        orm::Transaction tx = await(orm::Transaction::begin(&db));
        await(tx.execute(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table)));
        QVERIFY(terminateAll(*m_admin, app));
        bool threw = false;
        try {
            await(tx.execute(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table)));
        } catch (const Error &error) {
            threw = true;
            QCOMPARE(error.kind(), Error::Kind::ConnectionLost);
        }
        QVERIFY2(threw, "a statement of the lost transaction ran");
    }
    QCOMPARE(await(m_admin->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)))
                 .value(0, 0)
                 .toInt(),
             0);
    // The database itself carries on with a fresh connection.
    QCOMPARE(failuresOfSevenQueries(db), 0);
    await(db.disconnect());
    await(m_admin->execute(QStringLiteral("DROP TABLE %1").arg(table)));
}

// The console keeps one session; when the server ended it while idle, the next statement runs on
// a new one, and the console says what the old one took with it.
void TestStaleConnections::consoleSaysItsSessionWasReset()
{
    const QString app = strata::test::uniqueName(QStringLiteral("stale_console"));
    Database db(urlNamed(m_base, app));
    await(db.connect());
    ConsoleSession session(&db);
    await(session.open());
    await(session.execute(QStringLiteral("SET work_mem = '5MB'")));
    QSignalSpy reset(&session, &ConsoleSession::sessionReset);
    QVERIFY(terminateAll(*m_admin, app));

    const quint64 stream = await(session.start(QStringLiteral("SELECT 7")));
    const std::optional<orm::RowBatch> batch = await(session.nextBatch(stream));
    QVERIFY(batch.has_value());
    QCOMPARE(batch->value(0, 0).toInt(), 7);
    QCOMPARE(reset.count(), 1);
    const QString message = reset.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("SET")), qPrintable(message));
    QVERIFY2(!message.contains(QStringLiteral("rolled back")), qPrintable(message));
    await(session.close());
    await(db.disconnect());
}

void TestStaleConnections::consoleNeverReplaysALostTransaction()
{
    const QString app = strata::test::uniqueName(QStringLiteral("stale_console_tx"));
    const QString table = strata::test::uniqueName(QStringLiteral("stale_console_tx"));
    await(m_admin->execute(QStringLiteral("CREATE TABLE %1 (n int)").arg(table)));
    Database db(urlNamed(m_base, app));
    await(db.connect());
    ConsoleSession session(&db);
    await(session.open());
    session.setAutocommit(false);
    const quint64 first =
        await(session.start(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table)));
    while (await(session.nextBatch(first)).has_value()) {
    }
    QVERIFY(session.isTransactionOpen());
    QVERIFY(terminateAll(*m_admin, app));

    std::optional<Error> failure;
    try {
        await(session.start(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table)));
    } catch (const Error &error) {
        failure = error;
    }
    QVERIFY2(failure.has_value(), "the statement ran on the new session");
    QCOMPARE(failure->kind(), Error::Kind::ConnectionLost);
    QVERIFY2(failure->message().contains(QStringLiteral("rolled back")),
             qPrintable(failure->message()));
    QVERIFY2(failure->message().contains(QStringLiteral("not run")),
             qPrintable(failure->message()));
    QVERIFY(!session.isTransactionOpen());
    QCOMPARE(await(m_admin->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)))
                 .value(0, 0)
                 .toInt(),
             0);
    // The new session works.
    const quint64 next = await(session.start(QStringLiteral("SELECT 8")));
    QCOMPARE(await(session.nextBatch(next))->value(0, 0).toInt(), 8);
    await(session.rollback());
    await(session.close());
    await(db.disconnect());
    await(m_admin->execute(QStringLiteral("DROP TABLE %1").arg(table)));
}

// A link that goes silent mid-statement (sockets open, no byte either way) cannot hold the
// console: the cancel goes unanswered, and past the grace the connection is dropped, the
// statement fails saying what was lost, and the next statement runs on a new session.
void TestStaleConnections::consoleCancelWorksOnASilentLink()
{
    strata::test::TcpProxy proxy(QStringLiteral("127.0.0.1"),
                                 quint16(DatabaseUrl::parse(m_base).port()));
    const QString app = strata::test::uniqueName(QStringLiteral("silent_cancel"));
    const QString table = strata::test::uniqueName(QStringLiteral("silent_cancel"));
    await(m_admin->execute(QStringLiteral("CREATE TABLE %1 (n int)").arg(table)));
    Database db(urlNamed(strata::test::throughProxy(m_base, proxy), app));
    ConsoleSession session(&db);
    session.setCancelGrace(std::chrono::milliseconds(700));
    QSignalSpy resets(&session, &ConsoleSession::sessionReset);
    await(session.open());
    session.setAutocommit(false);
    const quint64 insert =
        await(session.start(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table)));
    while (await(session.nextBatch(insert)).has_value()) {
    }
    QVERIFY(session.isTransactionOpen());

    QCoro::Task<quint64> sleeping = session.start(QStringLiteral("SELECT pg_sleep(30)"));
    QTRY_COMPARE_WITH_TIMEOUT(
        await(m_admin->execute(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                              "application_name = $1 AND state = 'active'"),
                               {app}))
            .value(0, 0)
            .toInt(),
        1, 10000);
    proxy.setStalled(true);
    QCoro::Task<> cancelling = session.cancel(); // held by the stalled link: never answered
    std::optional<Error> failure;
    try {
        await(std::move(sleeping));
    } catch (const Error &error) {
        failure = error;
    }
    QVERIFY2(failure.has_value(), "the statement ended although the link was silent");
    QCOMPARE(failure->kind(), Error::Kind::Cancelled);
    QVERIFY2(failure->message().contains(QStringLiteral("did not answer the cancel within 0.7 s")),
             qPrintable(failure->message()));
    QVERIFY2(failure->message().contains(QStringLiteral("transaction is lost")),
             qPrintable(failure->message()));
    QVERIFY(!session.isTransactionOpen());
    QVERIFY(!session.isBusy());

    proxy.setStalled(false); // what the stall held reaches the server: the cancel, the goodbye
    await(std::move(cancelling));
    const quint64 next = await(session.start(QStringLiteral("SELECT 8")));
    QCOMPARE(await(session.nextBatch(next))->value(0, 0).toInt(), 8);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(await(m_admin->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)))
                 .value(0, 0)
                 .toInt(),
             0);
    await(session.rollback());
    await(session.close());
    await(m_admin->execute(QStringLiteral("DROP TABLE %1").arg(table)));
}

// A link that goes silent is noticed in about a minute, not the system's two hours: the client
// socket of every connection has TCP keepalives with Strata's idle time, unless the URL says.
void TestStaleConnections::keepalivesAreOnByDefault()
{
    const QString app = strata::test::uniqueName(QStringLiteral("keepalive"));
    Database db(urlNamed(m_base, app));
    await(db.connect());
    // The server sees the client's keepalive settings only for its own side; the client's are
    // read back from the connection's parameters, as libpq was given them.
    const Result r = await(db.execute(QStringLiteral("SELECT 1")));
    QCOMPARE(r.value(0, 0).toInt(), 1);
    orm::ConnectionLease lease = await(db.acquire());
    const QMap<QString, QString> used = lease->connectionParameters();
    QCOMPARE(used.value(QStringLiteral("keepalives")), QStringLiteral("1"));
    QCOMPARE(used.value(QStringLiteral("keepalives_idle")), QStringLiteral("30"));
    lease.release();
    await(db.disconnect());

    Database own(urlNamed(m_base, app) + QStringLiteral("&keepalives_idle=7"));
    await(own.connect());
    orm::ConnectionLease ownLease = await(own.acquire());
    QCOMPARE(ownLease->connectionParameters().value(QStringLiteral("keepalives_idle")),
             QStringLiteral("7"));
    ownLease.release();
    await(own.disconnect());
}

// With the server unreachable the database must not keep saying "connected": a failed query
// makes it Lost, with the reason; the first connection that opens again makes it Connected.
void TestStaleConnections::stateSaysLostWhileTheServerIsDown()
{
    const DatabaseUrl pg = DatabaseUrl::parse(m_base);
    strata::test::TcpProxy proxy(pg.host(), quint16(pg.port()));
    Database db(strata::test::throughProxy(m_base, proxy) + QStringLiteral("?connect_timeout=2"));
    await(db.connect());
    QCOMPARE(db.state(), Database::State::Connected);
    QSignalSpy changes(&db, &Database::stateChanged);

    proxy.setRefuseNew(true); // the server is down: links cut, new ones refused
    proxy.cutAll();
    QTRY_COMPARE(proxy.openConnections(), 0);
    bool failed = false;
    try {
        await(db.execute(QStringLiteral("SELECT 1")), 20000);
    } catch (const Error &) {
        failed = true;
    }
    QVERIFY2(failed, "a query reached a server that is down");
    QCOMPARE(db.state(), Database::State::Lost);
    QVERIFY(db.isConnected()); // still held: the next query tries again
    QTRY_VERIFY(!changes.isEmpty());
    QCOMPARE(changes.first().first().value<Database::State>(), Database::State::Lost);

    proxy.setRefuseNew(false); // back up
    QCOMPARE(await(db.execute(QStringLiteral("SELECT 2"))).value(0, 0).toInt(), 2);
    QCOMPARE(db.state(), Database::State::Connected);
    QTRY_COMPARE(changes.last().first().value<Database::State>(), Database::State::Connected);
    QCOMPARE(changes.last().at(1).toString(), QStringLiteral("reconnected"));
    await(db.disconnect());
}

QTEST_GUILESS_MAIN(TestStaleConnections)
#include "tst_stale_connections.moc"
