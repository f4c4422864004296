#include "await.h"
#include "backends.h"
#include "support/tcp_proxy.h"

#include <orm/registry.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QPointer>
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

// The URL with application_name=tag on PostgreSQL, so pg_stat_activity tells its connections
// apart; SQLite URLs stay as they are (their file is theirs alone).
QString tagged(const QString &backend, const QString &url, const QString &tag)
{
    if (backend != QLatin1String("postgres"))
        return url;
    return url + (url.contains(u'?') ? u'&' : u'?') + QStringLiteral("application_name=") + tag;
}

// How many connections are open to what `url` (untagged) names: PostgreSQL backends with
// application_name `tag` (counted from a connection of its own), or descriptors of this process
// open on the SQLite file.
qint64 openConnections(const QString &backend, const QString &url, const QString &tag)
{
    if (backend == QLatin1String("postgres")) {
        Database probe(url);
        await(probe.connect());
        QVariantList params;
        params << tag;
        const qint64 open = await(probe.execute(QStringLiteral("SELECT count(*) FROM "
                                                               "pg_stat_activity WHERE "
                                                               "application_name = $1"),
                                                params))
                                .value(0, 0)
                                .toLongLong();
        await(probe.disconnect());
        return open;
    }
    const QString path = DatabaseUrl::parse(url).path();
    QDir fds(QStringLiteral("/proc/self/fd"));
    qint64 open = 0;
    for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries))
        if (QFile::symLinkTarget(fds.filePath(fd)) == path)
            ++open;
    return open;
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
    void removeExtraClosesAndDeletes();
    void removeExtraErrors();
    void removeExtraWhileConnecting();
    void removeExtraOfADatabaseItDidNotAdopt();
    void replacingAnExtraForgetsItsModels();
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

// removeExtra: the name goes at once (signalled), every connection closes, even one a holder
// keeps leased past the grace, then the Database is deleted; the rest of the registry is
// untouched and the name can be taken again.
void TestRegistry::removeExtraClosesAndDeletes()
{
    STRATA_BACKEND_URL(url);
    const QString tag = strata::test::uniqueName(QStringLiteral("strata_removed"));
    const QString plainUrl = strata::test::urlFor(backend, "gone");
    const QString goneUrl = tagged(backend, plainUrl, tag);
    Registry registry(url);
    Database *kept = registry.addExtra(QStringLiteral("kept"), strata::test::urlFor(backend, "k"));
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), goneUrl);
    await(registry.connect());
    QCOMPARE(await(gone->execute(QStringLiteral("SELECT 1"))).value(0, 0).toInt(), 1);
    orm::ConnectionLease held = await(gone->acquire()); // a holder that does not give it back
    QVERIFY(held->isOpen());
    QVERIFY(openConnections(backend, plainUrl, tag) >= 1);

    QSignalSpy removed(&registry, &Registry::extraRemoved);
    QSignalSpy states(&registry, &Registry::databaseStateChanged);
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
    // Before anything is awaited: the name is gone and that was signalled.
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(0).toString(), QStringLiteral("gone"));
    QCOMPARE(registry.extraNames(), QStringList{"kept"});
    QCOMPARE(registry.databases().size(), 2);
    expectConfigurationError([&] { registry.database(QStringLiteral("gone")); },
                             "no extra database named 'gone'");
    await(std::move(removal));

    QVERIFY(!held->isOpen()); // closed under its holder
    QTRY_COMPARE_WITH_TIMEOUT(openConnections(backend, plainUrl, tag), 0, 10000);
    QTRY_VERIFY(gone.isNull()); // deleted (later)
    held.release();
    // Nothing was reported under the name it no longer has.
    for (const auto &args : states)
        QVERIFY(args.at(0).toString() != QLatin1String("gone"));

    // The others still work, and the name is free again.
    QVERIFY(registry.database()->isConnected());
    QVERIFY(kept->isConnected());
    QCOMPARE(await(kept->execute(QStringLiteral("SELECT 2"))).value(0, 0).toInt(), 2);
    registry.addExtra(QStringLiteral("gone"), strata::test::urlFor(backend, "again"));
    QCOMPARE(registry.extraNames(), (QStringList{"kept", "gone"}));
    await(registry.disconnect());
    QVERIFY(!kept->isConnected());
    QVERIFY(!registry.database()->isConnected());
}

void TestRegistry::removeExtraErrors()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    registry.addExtra(QStringLiteral("one"), strata::test::urlFor(backend, "one"));
    QSignalSpy removed(&registry, &Registry::extraRemoved);
    const auto expectError = [&](const QString &name, const QString &expected) {
        try {
            await(registry.removeExtra(name));
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::Configuration);
            QVERIFY2(error.message().contains(expected), error.what());
        }
    };
    expectError(QString(), QStringLiteral("the primary database cannot be removed"));
    expectError(QStringLiteral("two"),
                QStringLiteral("cannot remove 'two': no extra database of that name (known: one)"));
    QCOMPARE(removed.count(), 0);
    QCOMPARE(registry.extraNames(), QStringList{"one"});
    // Removed once, the name is unknown the second time.
    await(registry.removeExtra(QStringLiteral("one")));
    QCOMPARE(removed.count(), 1);
    expectError(QStringLiteral("one"),
                QStringLiteral("cannot remove 'one': no extra database of that name (known: "
                               "none)"));
    QVERIFY(registry.database() != nullptr); // the primary stays
}

// Removed while the registry's connect() is still opening it: the connect leaves it out and
// nothing stays open.
void TestRegistry::removeExtraWhileConnecting()
{
    STRATA_BACKEND_URL(url);
    const QString tag = strata::test::uniqueName(QStringLiteral("strata_midconnect"));
    const QString plainUrl = strata::test::urlFor(backend, "mid");
    const QString goneUrl = tagged(backend, plainUrl, tag);
    Registry registry(url);
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), goneUrl);
    QCoro::Task<QList<orm::ConnectOutcome>> connecting = registry.connect();
    QCOMPARE(gone->state(), Database::State::Connecting); // the test would prove nothing else
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
    const QList<orm::ConnectOutcome> outcomes = await(std::move(connecting));
    await(std::move(removal));
    QCOMPARE(outcomes.size(), 1); // the primary only
    QVERIFY(outcomes[0].ok());
    QTRY_VERIFY(gone.isNull());
    QTRY_COMPARE_WITH_TIMEOUT(openConnections(backend, plainUrl, tag), 0, 10000);
    QVERIFY(registry.database()->isConnected());
    await(registry.disconnect());
}

// A Database the registry did not adopt belongs to someone else: removing it gives back the
// registry's reference only, and it stays usable.
void TestRegistry::removeExtraOfADatabaseItDidNotAdopt()
{
    STRATA_BACKEND_URL(url);
    QObject owner;
    auto *shared = new Database(strata::test::urlFor(backend, "shared"), &owner);
    await(shared->connect()); // its owner's own reference
    Registry registry(url);
    registry.addExtra(QStringLiteral("shared"), shared);
    await(registry.connect());
    QCOMPARE(shared->referenceCount(), 2);
    await(registry.removeExtra(QStringLiteral("shared")));
    QCOMPARE(shared->parent(), &owner);
    QCOMPARE(shared->referenceCount(), 1);
    QVERIFY(shared->isConnected());
    QCOMPARE(await(shared->execute(QStringLiteral("SELECT 4"))).value(0, 0).toInt(), 4);
    await(registry.disconnect());
    QVERIFY(shared->isConnected()); // the registry's disconnect no longer touches it
    await(shared->disconnect());
}

// Replacing an extra (remove, then add under the same name, as editing a saved connection does)
// reads its models afresh, and reconnect() connects the newcomer into the registry.
void TestRegistry::replacingAnExtraForgetsItsModels()
{
    STRATA_BACKEND_URL(url);
    const QString extraUrl = strata::test::urlFor(backend, "replaced");
    const QString first = strata::test::uniqueName(QStringLiteral("first"));
    const QString second = strata::test::uniqueName(QStringLiteral("second"));
    Registry registry(url);
    registry.addExtra(QStringLiteral("x"), extraUrl);
    await(registry.connect());
    Database *x = registry.database(QStringLiteral("x"));
    await(x->executeScript(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY)").arg(first)));
    const auto tables = [](const QList<orm::Model> &models) {
        QStringList names;
        for (const orm::Model &model : models)
            names << model.table;
        return names;
    };
    QVERIFY(tables(await(registry.reflectedModels(QStringLiteral("x")))).contains(first));
    await(x->executeScript(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY)").arg(second)));
    // Cached: the second table is not seen yet.
    QVERIFY(!tables(await(registry.reflectedModels(QStringLiteral("x")))).contains(second));

    QSignalSpy added(&registry, &Registry::extraAdded);
    await(registry.removeExtra(QStringLiteral("x")));
    QVERIFY(registry.cachedReflectedModels(QStringLiteral("x")).isEmpty());
    Database *replacement = registry.addExtra(QStringLiteral("x"), extraUrl);
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.at(0).at(0).toString(), QStringLiteral("x"));
    QVERIFY(!replacement->isConnected());
    await(registry.reconnect(QStringLiteral("x")));
    QVERIFY(replacement->isConnected());
    const QStringList now = tables(await(registry.reflectedModels(QStringLiteral("x"))));
    QVERIFY(now.contains(first));
    QVERIFY(now.contains(second));
    await(replacement->executeScript(
        QStringLiteral("DROP TABLE %1; DROP TABLE %2").arg(first, second)));
    await(registry.disconnect());
    QVERIFY(!replacement->isConnected()); // the registry's disconnect closed it
}

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
