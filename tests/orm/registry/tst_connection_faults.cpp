// Connections under faults injected for real on loopback: a host that accepts and never answers,
// connects that overlap (on one thread and on many), a silent extra next to a healthy primary.

#include "await.h"
#include "backends.h"
#include "silent_listener.h"
#include "support/proxied_url.h"

#include "orm/registry/registry.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

#include <chrono>
#include <optional>

using orm::Database;
using orm::DatabaseUrl;
using orm::Error;
using orm::Registry;
using strata::test::await;
using strata::test::SilentListener;

namespace {

std::optional<Error> failureOf(QCoro::Task<> task, int deadlineMs)
{
    try {
        await(std::move(task), deadlineMs);
    } catch (const Error &error) {
        return error;
    }
    return std::nullopt;
}

QCoro::Task<> connectStrict(Registry *registry)
{
    co_await registry->connect(Registry::ConnectMode::Strict);
}

// A silent host is a network fault: it concerns PostgreSQL; SQLite opens local files.
#define POSTGRES_ONLY()                                                                            \
    QFETCH_GLOBAL(QString, backend);                                                               \
    if (backend != QLatin1String("postgres"))                                                      \
        QSKIP("a network fault: SQLite opens local files");

} // namespace

class TestConnectionFaults : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void silentHostTimesOut();
    void silentHostHasADefaultTimeout();
    void concurrentConnectsCompleteTogether();
    void concurrentStrictConnectsFailTogether();
    void silentExtraDoesNotHoldUpThePrimary();
    void forcedDisconnectAbandonsAConnectUnderWay();
    void forcedDisconnectAbandonsASilentDatabase();
};

void TestConnectionFaults::silentHostTimesOut()
{
    POSTGRES_ONLY();
    SilentListener silent;
    Database db(silent.postgresUrl(QStringLiteral("connect_timeout=1")));
    QElapsedTimer clock;
    clock.start();
    const std::optional<Error> error = failureOf(db.connect(), 15000);
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), Error::Kind::Timeout);
    QVERIFY2(error->message().contains(QStringLiteral("within 1 s")), qPrintable(error->message()));
    QVERIFY2(!error->toString().contains(QStringLiteral("secret")), "the password leaked");
    QVERIFY2(clock.elapsed() < 10000, "the timeout was not applied");
    QCOMPARE(db.state(), Database::State::Failed);
}

// No connect_timeout in the URL: 10 s, not forever (libpq's own default waits without bound).
void TestConnectionFaults::silentHostHasADefaultTimeout()
{
    POSTGRES_ONLY();
    SilentListener silent;
    // The built-in 10 s is tst_database_url's; here the default as Preferences set it.
    DatabaseUrl::setDefaultConnectTimeoutSeconds(2);
    const auto restore = qScopeGuard([] {
        DatabaseUrl::setDefaultConnectTimeoutSeconds(DatabaseUrl::kDefaultConnectTimeoutSeconds);
    });
    Database db(silent.postgresUrl());
    const std::optional<Error> error = failureOf(db.connect(), 30000);
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), Error::Kind::Timeout);
    QVERIFY2(error->message().contains(QStringLiteral("within 2 s")), qPrintable(error->message()));
}

// A connect() called while the first is still opening completes when the databases are
// connected: its queries take the pooled path, not the not-connected one.
void TestConnectionFaults::concurrentConnectsCompleteTogether()
{
    STRATA_BACKEND_URL(url);
    std::optional<strata::test::TcpProxy> proxy;
    QString target = url;
    if (backend == QLatin1String("postgres")) { // latency, so the two calls surely overlap
        const DatabaseUrl pg = DatabaseUrl::parse(url);
        proxy.emplace(pg.host(), quint16(pg.port()), std::chrono::milliseconds(150));
        target = strata::test::throughProxy(url, *proxy);
    }
    Registry registry(target);
    registry.addExtra(QStringLiteral("other"), backend == QLatin1String("postgres")
                                                   ? target
                                                   : strata::test::urlFor(backend, "other"));
    int notConnected = 0;
    QObject::connect(&registry, &Registry::notConnectedWarning, [&] { ++notConnected; });
    QCoro::Task<> first = connectStrict(&registry);
    QCoro::Task<> second = connectStrict(&registry);
    await(std::move(second), 30000);
    for (Database *db : registry.databases())
        QVERIFY2(db->isConnected(), qPrintable(db->displayUrl()));
    await(registry.database()->execute(QStringLiteral("SELECT 1")));
    QCOMPARE(notConnected, 0);
    await(std::move(first), 30000);
    QCOMPARE(registry.referenceCount(), 2);
    await(registry.disconnect());
    QVERIFY(registry.database()->isConnected()); // the other caller still holds it
    await(registry.disconnect());
    for (Database *db : registry.databases())
        QVERIFY(!db->isConnected());
}

// Strict mode: a connect() that waited for a first one that failed fails the same way.
void TestConnectionFaults::concurrentStrictConnectsFailTogether()
{
    POSTGRES_ONLY();
    SilentListener silent;
    Registry registry(silent.postgresUrl(QStringLiteral("connect_timeout=1")));
    QCoro::Task<> first = connectStrict(&registry);
    QCoro::Task<> second = connectStrict(&registry);
    const std::optional<Error> secondError = failureOf(std::move(second), 15000);
    const std::optional<Error> firstError = failureOf(std::move(first), 15000);
    QVERIFY(firstError.has_value());
    QVERIFY(secondError.has_value());
    QCOMPARE(firstError->kind(), Error::Kind::Timeout);
    QCOMPARE(secondError->kind(), Error::Kind::Timeout);
    QCOMPARE(registry.referenceCount(), 0);
    QVERIFY(!registry.isConnected());
}

// Lenient mode, as the window connects: an unrelated extra on a silent host fails on its own
// timeout while the primary is usable.
void TestConnectionFaults::silentExtraDoesNotHoldUpThePrimary()
{
    STRATA_BACKEND_URL(primary);
    SilentListener silent;
    Registry registry(primary);
    registry.addExtra(QStringLiteral("far"),
                      silent.postgresUrl(QStringLiteral("connect_timeout=1")));
    const QList<orm::ConnectOutcome> outcomes =
        await(registry.connect(Registry::ConnectMode::Lenient), 15000);
    QCOMPARE(outcomes.size(), 2);
    QVERIFY(outcomes[0].ok());
    QVERIFY(!outcomes[1].ok());
    QCOMPARE(outcomes[1].error->kind(), Error::Kind::Timeout);
    QCOMPARE(
        await(registry.database()->execute(QStringLiteral("SELECT 41 + 1"))).value(0, 0).toInt(),
        42);
    await(registry.disconnect());
}

// Quitting while an extra waits on a silent host (default timeout: 10 s): the forced disconnect
// ends the connect at once, undoes what did connect, and leaves nothing connected.
void TestConnectionFaults::forcedDisconnectAbandonsAConnectUnderWay()
{
    STRATA_BACKEND_URL(primary);
    SilentListener silent;
    Registry registry(primary);
    registry.addExtra(QStringLiteral("far"), silent.postgresUrl());
    QCoro::Task<QList<orm::ConnectOutcome>> connecting =
        registry.connect(Registry::ConnectMode::Lenient);
    QTest::qWait(300); // the primary has connected, the extra waits on the silent host
    QElapsedTimer clock;
    clock.start();
    await(registry.disconnect(true), 8000);
    QVERIFY2(clock.elapsed() < 8000, "the forced disconnect waited for the connect timeout");
    bool abandoned = false;
    try {
        await(std::move(connecting), 8000);
    } catch (const Error &error) {
        abandoned = error.kind() == Error::Kind::Cancelled;
    }
    QVERIFY2(abandoned, "connect() did not report that it was abandoned");
    QVERIFY(!registry.isConnected());
    QCOMPARE(registry.referenceCount(), 0);
    QVERIFY(!registry.database()->isConnected());
    QCOMPARE(registry.database()->referenceCount(), 0);
    QVERIFY(!registry.database(QStringLiteral("far"))->isConnected());
    // It connects again afterwards, as a fresh start would.
    await(registry.removeExtra(QStringLiteral("far")));
    await(connectStrict(&registry), 15000);
    QVERIFY(registry.isConnected());
    await(registry.disconnect());
}

// The database on its own: disconnect(force) abandons its first connect, which says so.
void TestConnectionFaults::forcedDisconnectAbandonsASilentDatabase()
{
    POSTGRES_ONLY();
    SilentListener silent;
    Database db(silent.postgresUrl());
    QCoro::Task<> connecting = db.connect();
    QTest::qWait(200);
    QCOMPARE(db.state(), Database::State::Connecting);
    await(db.disconnect(true), 8000);
    const std::optional<Error> error = failureOf(std::move(connecting), 8000);
    QVERIFY(error.has_value());
    QCOMPARE(error->kind(), Error::Kind::Cancelled);
    QVERIFY2(error->message().contains(QStringLiteral("abandoned")), qPrintable(error->message()));
    QVERIFY(!db.isConnected());
}

QTEST_GUILESS_MAIN(TestConnectionFaults)
#include "tst_connection_faults.moc"
