#include "await.h"
#include "backends.h"
#include "support/tcp_proxy.h"

#include <orm/registry.h>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using orm::Database;
using orm::DatabaseUrl;
using orm::Error;
using orm::Registry;
using strata::test::await;

namespace {

// A port on 127.0.0.1 that nothing listens on.
int closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

QString refusedUrl()
{
    return QStringLiteral("postgresql://strata@127.0.0.1:%1/none?connect_timeout=5")
        .arg(closedPort());
}

void expectConfigurationError(const std::function<void()> &call, const QString &expected)
{
    try {
        call();
        QFAIL("no error");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
        QVERIFY2(error.message().contains(expected), error.what());
    }
}

} // namespace

class TestRegistry : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void extrasByNameOrObject();
    void badNames();
    void strictConnectUndoesPartialConnect();
    void lenientConnectKeepsTheGoodOnes();
    void nestedConnectIsCheap();
    void connectsConcurrently();
};

void TestRegistry::extrasByNameOrObject()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    Database *reports =
        registry.addExtra(QStringLiteral("reports"), strata::test::urlFor(backend, "reports"));
    auto *archive = new Database(strata::test::urlFor(backend, "archive"));
    registry.addExtra(QStringLiteral("archive"), archive);
    QCOMPARE(registry.extraNames(), (QStringList{"reports", "archive"}));
    QCOMPARE(registry.database(QStringLiteral("reports")), reports);
    QCOMPARE(registry.database(QStringLiteral("archive")), archive);
    QCOMPARE(archive->parent(), &registry); // adopted
    QCOMPARE(registry.databases().size(), 3);

    await(registry.connect());
    for (Database *db : registry.databases())
        QVERIFY(db->isConnected());
    const orm::Result r =
        await(registry.database(QStringLiteral("reports"))->execute(QStringLiteral("SELECT 7")));
    QCOMPARE(r.value(0, 0).toInt(), 7);
    await(registry.disconnect());
    for (Database *db : registry.databases())
        QVERIFY(!db->isConnected());
}

void TestRegistry::badNames()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    registry.addExtra(QStringLiteral("one"), strata::test::urlFor(backend, "one"));
    expectConfigurationError([&] { registry.addExtra(QString(), url); }, "needs a name");
    expectConfigurationError([&] { registry.addExtra(QStringLiteral("  "), url); }, "needs a name");
    expectConfigurationError([&] { registry.addExtra(QStringLiteral("one"), url); },
                             "already an extra database named 'one'");
    expectConfigurationError([&] { registry.database(QStringLiteral("two")); },
                             "no extra database named 'two' (known: one)");
    try {
        registry.addExtra(QStringLiteral("bad"), QStringLiteral("mysql://h/d"));
        QFAIL("a bad URL was accepted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::InvalidUrl);
    }
    QCOMPARE(registry.extraNames(), QStringList{"one"});
}

void TestRegistry::strictConnectUndoesPartialConnect()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    Database *good =
        registry.addExtra(QStringLiteral("good"), strata::test::urlFor(backend, "good"));
    registry.addExtra(QStringLiteral("down"), refusedUrl());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not connect")));
    try {
        await(registry.connect(Registry::ConnectMode::Strict));
        QFAIL("strict connect succeeded with a database down");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::ConnectionFailed);
        QVERIFY2(error.database().contains(QLatin1String("127.0.0.1")), error.what());
    }
    QVERIFY(!registry.isConnected());
    QVERIFY(!registry.database()->isConnected());
    QVERIFY(!good->isConnected());
}

void TestRegistry::lenientConnectKeepsTheGoodOnes()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    Database *good =
        registry.addExtra(QStringLiteral("good"), strata::test::urlFor(backend, "good"));
    Database *down = registry.addExtra(QStringLiteral("down"), refusedUrl());
    QSignalSpy states(&registry, &Registry::databaseStateChanged);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not connect")));
    const QList<orm::ConnectOutcome> outcomes =
        await(registry.connect(Registry::ConnectMode::Lenient));
    QCOMPARE(outcomes.size(), 3);
    QVERIFY(outcomes[0].ok());
    QVERIFY(outcomes[1].ok());
    QVERIFY(!outcomes[2].ok());
    QCOMPARE(outcomes[2].name, QStringLiteral("down"));
    QVERIFY2(outcomes[2].error->message().contains(QLatin1String("refused")),
             outcomes[2].error->what());
    QVERIFY(registry.database()->isConnected());
    QVERIFY(good->isConnected());
    QCOMPARE(down->state(), Database::State::Failed);
    // The failure was signalled with its reason.
    bool sawFailure = false;
    for (const auto &args : states)
        if (args.at(0).toString() == QLatin1String("down") &&
            args.at(1).value<Database::State>() == Database::State::Failed)
            sawFailure = !args.at(2).toString().isEmpty();
    QVERIFY(sawFailure);
    // The good ones work.
    QCOMPARE(await(good->execute(QStringLiteral("SELECT 3"))).value(0, 0).toInt(), 3);
    await(registry.disconnect());
    QVERIFY(!good->isConnected());
}

void TestRegistry::nestedConnectIsCheap()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    registry.addExtra(QStringLiteral("x"), strata::test::urlFor(backend, "x"));
    QSignalSpy states(&registry, &Registry::databaseStateChanged);
    await(registry.connect());
    const int afterFirst = states.count();
    await(registry.connect());
    await(registry.connect());
    QCOMPARE(states.count(), afterFirst); // nothing was opened again
    QCOMPARE(registry.database()->referenceCount(), 1);
    await(registry.disconnect());
    await(registry.disconnect());
    QVERIFY(registry.database()->isConnected());
    await(registry.disconnect());
    QVERIFY(!registry.database()->isConnected());
    QVERIFY(!registry.database(QStringLiteral("x"))->isConnected());
}

void TestRegistry::connectsConcurrently()
{
    STRATA_BACKEND_URL(url);
    if (backend != QLatin1String("postgres"))
        QSKIP("SQLite opens local files: there is no latency to overlap");
    const DatabaseUrl pg = DatabaseUrl::parse(url);
    strata::test::TcpProxy proxy(pg.host(), quint16(pg.port()), std::chrono::milliseconds(200));
    const QString viaProxy =
        QStringLiteral("postgresql://%1:%2@127.0.0.1:%3/%4")
            .arg(pg.user(), pg.password(), QString::number(proxy.listenPort()), pg.databaseName());

    QElapsedTimer clock;
    {
        Database single(viaProxy);
        clock.start();
        await(single.connect());
        const qint64 one = clock.elapsed();
        await(single.disconnect());

        Registry registry(viaProxy);
        registry.addExtra(QStringLiteral("a"), viaProxy);
        registry.addExtra(QStringLiteral("b"), viaProxy);
        clock.restart();
        await(registry.connect());
        const qint64 three = clock.elapsed();
        await(registry.disconnect());
        qInfo("one connect %lld ms, three concurrently %lld ms", one, three);
        QVERIFY2(one >= 400, "the proxy added no latency");
        // Sequential would be about 3x; overlapping stays near 1x (generous for a noisy host).
        QVERIFY2(three < one * 2, qPrintable(QStringLiteral("%1 vs %2").arg(three).arg(one)));
    }
}

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
