#include "await.h"
#include "backends.h"
#include "support/proxied_url.h"

#include "orm/query/queryset.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"
#include "orm/tenancy/schema_manager.h"

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

// How a task ended: nothing when it completed, else the orm::Error it threw (anything else
// it throws escapes and fails the test).
template <typename T>
std::optional<Error> outcomeOf(QCoro::Task<T> task)
{
    try {
        await(std::move(task));
    } catch (const Error &error) {
        return error;
    }
    return std::nullopt;
}

// A view that takes seconds to read, so that a query on it is still running when its database
// is removed: PostgreSQL sleeps, SQLite counts through a recursive CTE. Its name is unique (the
// PostgreSQL database is shared); dropView drops it again.
QString createSlowView(const QString &backend, const QString &url)
{
    const QString view = strata::test::uniqueName(QStringLiteral("slow"));
    const QString body =
        backend == QLatin1String("postgres")
            ? QStringLiteral("SELECT 1 AS id FROM pg_sleep(4)")
            : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                             "WHERE x < 6000000) SELECT max(x) AS id FROM c");
    Database setup(url);
    await(setup.executeScript(QStringLiteral("CREATE VIEW %1 AS %2").arg(view, body)));
    return view;
}

void dropView(const QString &url, const QString &view)
{
    Database cleanup(url);
    await(cleanup.executeScript(QStringLiteral("DROP VIEW %1").arg(view)));
}

// The reflected model of `table` in the registry's extra database `name`, fields loaded.
orm::Model reflectedModel(Registry &registry, const QString &name, const QString &table)
{
    for (const orm::Model &model : await(registry.reflectedModels(name)))
        if (model.table == table)
            return await(registry.loadFields(model));
    return orm::Model();
}

// The rows of the removal tests: the extra connected with the registry (its statements run on
// pooled connections, which removal cancels and closes), or never connected (each statement on
// a connection opened for it alone, which nothing cancels: the Database is deleted while they
// still run).
void addConnectedRows()
{
    QTest::addColumn<bool>("connected");
    QTest::newRow("connected") << true;
    QTest::newRow("not connected") << false;
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
    void removeExtraWhileReflecting_data() { addConnectedRows(); }
    void removeExtraWhileReflecting();
    void removeExtraWhileQuerying_data() { addConnectedRows(); }
    void removeExtraWhileQuerying();
    void removeExtraWhileCounting_data() { addConnectedRows(); }
    void removeExtraWhileCounting();
    void removeExtraWhileCreatingASchema_data() { addConnectedRows(); }
    void removeExtraWhileCreatingASchema();
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
    const QString viaProxy = strata::test::throughProxy(url, proxy);

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

// Removed while its catalog is read (listing models, an unknown schema, loading fields, listing
// schemas as the window does): every reader ends with an error or its result, nothing of the
// removed database lands in the registry's cache, and the Database is deleted.
void TestRegistry::removeExtraWhileReflecting()
{
    STRATA_BACKEND_URL(url);
    QFETCH(bool, connected);
    const QString extraUrl = strata::test::urlFor(backend, QStringLiteral("reflecting"));
    const QString table = strata::test::uniqueName(QStringLiteral("reflected"));
    {
        Database setup(extraUrl);
        await(setup.executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                           "parent INTEGER REFERENCES %1 (id)); CREATE INDEX %1_name ON %1 (name)")
                .arg(table)));
    }
    Registry registry(url);
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), extraUrl);
    if (connected)
        await(registry.connect());
    orm::Model model;
    for (const orm::Model &listed : await(registry.reflectedModels(QStringLiteral("gone"))))
        if (listed.table == table)
            model = listed;
    QCOMPARE(model.table, table);
    QVERIFY(!model.fieldsLoaded);
    registry.forgetReflected(); // listed again below, and the fields read afresh

    QCoro::Task<QList<orm::Model>> listing = registry.reflectedModels(QStringLiteral("gone"));
    // Two catalog queries on both backends: none found, then is there such a schema at all?
    QCoro::Task<QList<orm::Model>> unknown =
        registry.reflectedModels(QStringLiteral("gone"), QStringLiteral("nowhere"));
    QCoro::Task<orm::Model> fields = registry.loadFields(model);
    QCoro::Task<QStringList> schemas = orm::reflection::listSchemas(gone);
    // A pooled SQLite connection may answer a catalog query before the caller gets this far.
    const bool listedAtOnce = listing.isReady();
    const bool unknownAtOnce = unknown.isReady();
    const bool loadedAtOnce = fields.isReady();
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));

    // What the registry reads of a database removed meanwhile is an error, never a result.
    const auto expectRemovedError = [](const std::optional<Error> &error, bool atOnce) {
        if (!error) {
            QVERIFY2(atOnce, "a read of a removed database returned a result");
            return;
        }
        QVERIFY2(error->kind() == Error::Kind::Configuration ||
                     error->kind() == Error::Kind::Cancelled ||
                     error->kind() == Error::Kind::ConnectionLost,
                 error->what());
    };
    expectRemovedError(outcomeOf(std::move(listing)), listedAtOnce);
    expectRemovedError(outcomeOf(std::move(unknown)), unknownAtOnce);
    expectRemovedError(outcomeOf(std::move(fields)), loadedAtOnce);
    outcomeOf(std::move(schemas)); // the schemas, or an error: either is fine
    await(std::move(removal));
    QTRY_VERIFY_WITH_TIMEOUT(gone.isNull(), 10000);
    QVERIFY(registry.cachedReflectedModels(QStringLiteral("gone")).isEmpty());
    QVERIFY(!registry.findModel(model.name));

    await(registry.disconnect());
    Database cleanup(extraUrl);
    await(cleanup.executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
}

// Removed while a QuerySet's statement runs on it: connected, the statement is cancelled (or its
// connection closed after the grace) and the query fails; on a connection of its own it runs to
// its end. Either way the Database is deleted and nothing touches it afterwards.
void TestRegistry::removeExtraWhileQuerying()
{
    STRATA_BACKEND_URL(url);
    QFETCH(bool, connected);
    const QString extraUrl = strata::test::urlFor(backend, QStringLiteral("querying"));
    const QString view = createSlowView(backend, extraUrl);
    Registry registry(url);
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), extraUrl);
    if (connected)
        await(registry.connect());
    const orm::Model model = reflectedModel(registry, QStringLiteral("gone"), view);
    QVERIFY(model.fieldsLoaded);

    const orm::QuerySet slow(&registry, model);
    QCoro::Task<orm::Result> rows = slow.all();
    QCoro::Task<orm::Result> chosen = slow.usingDatabase(gone.data()).all();
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
    for (auto *task : {&rows, &chosen}) {
        const std::optional<Error> error = outcomeOf(std::move(*task));
        if (connected) {
            QVERIFY2(error, "the statement was not stopped");
            QVERIFY2(error->kind() == Error::Kind::Cancelled ||
                         error->kind() == Error::Kind::ConnectionLost,
                     error->what());
        }
    }
    await(std::move(removal));
    QTRY_VERIFY_WITH_TIMEOUT(gone.isNull(), 10000);
    // A query set naming it now fails at once, with an error that says so.
    try {
        await(slow.all());
        QFAIL("a query ran on a removed database");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
    }
    await(registry.disconnect());
    dropView(extraUrl, view);
}

// Removed while counts run on it, one of them cancelled as the grid does when its source goes:
// each ends with an error (connected: its statement was stopped) or its number.
void TestRegistry::removeExtraWhileCounting()
{
    STRATA_BACKEND_URL(url);
    QFETCH(bool, connected);
    const QString extraUrl = strata::test::urlFor(backend, QStringLiteral("counting"));
    const QString view = createSlowView(backend, extraUrl);
    Registry registry(url);
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), extraUrl);
    if (connected)
        await(registry.connect());
    const orm::Model model = reflectedModel(registry, QStringLiteral("gone"), view);
    QVERIFY(model.fieldsLoaded);

    const orm::QuerySet slow(&registry, model);
    orm::CancelToken token;
    QCoro::Task<qint64> plain = slow.count();
    QCoro::Task<qint64> cancelled = slow.count(token);
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
    token.cancel();

    const std::optional<Error> cancelledError = outcomeOf(std::move(cancelled));
    QVERIFY2(cancelledError, "a cancelled count returned a number");
    QVERIFY2(cancelledError->kind() == Error::Kind::Cancelled ||
                 cancelledError->kind() == Error::Kind::ConnectionLost,
             cancelledError->what());
    const std::optional<Error> plainError = outcomeOf(std::move(plain));
    if (connected)
        QVERIFY2(plainError, "the count's statement was not stopped");
    await(std::move(removal));
    QTRY_VERIFY_WITH_TIMEOUT(gone.isNull(), 10000);
    await(registry.disconnect());
    dropView(extraUrl, view);
}

// Removed while a SchemaManager creates a tenant schema in it: the creation ends (an error, or
// the schema made) and nothing touches the deleted Database.
void TestRegistry::removeExtraWhileCreatingASchema()
{
    STRATA_BACKEND_URL(url);
    QFETCH(bool, connected);
    const QString extraUrl = strata::test::urlFor(backend, QStringLiteral("tenants"));
    const QString schema = strata::test::uniqueName(QStringLiteral("tenant"));
    Registry registry(url);
    orm::Model widget;
    widget.name = widget.table = QStringLiteral("widget");
    orm::Field id;
    id.name = QStringLiteral("id");
    id.sqlType = QStringLiteral("INTEGER");
    id.type = orm::LogicalType::Integer;
    id.primaryKey = true;
    id.nullable = false;
    widget.fields << id;
    registry.addTenantModel(widget);
    const QPointer<Database> gone = registry.addExtra(QStringLiteral("gone"), extraUrl);
    if (connected)
        await(registry.connect());
    orm::SchemaManager schemas(&registry, gone);

    QCoro::Task<> creation = schemas.create(schema);
    QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
    // Made, or an error: either is fine (a PostgreSQL schema made is dropped below).
    outcomeOf(std::move(creation));
    await(std::move(removal));
    QTRY_VERIFY_WITH_TIMEOUT(gone.isNull(), 10000);
    // Used again once its database is gone: an error that says so, not a crash.
    try {
        await(schemas.drop(schema));
        QFAIL("a schema was dropped in a deleted database");
    } catch (const Error &dropError) {
        QCOMPARE(dropError.kind(), Error::Kind::Usage);
    }
    await(registry.disconnect());
    if (backend == QLatin1String("postgres")) {
        Database cleanup(extraUrl);
        await(
            cleanup.executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(schema)));
    }
}

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
