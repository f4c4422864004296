#include "await.h"
#include "backends.h"
#include "leases.h"

#include "orm/database/database.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "support/proxied_url.h"

using orm::ConnectionLease;
using orm::Database;
using orm::DatabaseUrl;
using orm::Error;
using strata::test::acquireMany;
using strata::test::await;

namespace {

QCoro::Task<> markWhenAcquired(Database *db, bool *acquired, ConnectionLease *out)
{
    *out = co_await db->acquire();
    *acquired = true;
}

QString missingFileUrl()
{
    return QStringLiteral("sqlite:////nonexistent-dir-%1/none.db")
        .arg(strata::test::uniqueName(QStringLiteral("x")));
}

} // namespace

class TestDatabase : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void referenceCounting();
    void forcedDisconnect();
    void concurrentConnectOpensOnce();
    void notConnectedWarnsAndStillWorks();
    void connectedDoesNotWarn();
    void poolHandsOutSeparateConnections();
    void poolWaitsWhenExhausted();
    void failedConnect();
    void sqlError();
    void batchAndScript();
    void connectionLostMidQuery();
    void disconnectClosesLeasesStillHeld();
};

void TestDatabase::referenceCounting()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    QSignalSpy states(&db, &Database::stateChanged);
    QVERIFY(!db.isConnected());
    await(db.connect());
    QVERIFY(db.isConnected());
    QCOMPARE(db.referenceCount(), 1);
    await(db.connect()); // nested: only counts
    QCOMPARE(db.referenceCount(), 2);
    await(db.disconnect());
    QVERIFY(db.isConnected());
    QCOMPARE(db.referenceCount(), 1);
    await(db.disconnect());
    QVERIFY(!db.isConnected());
    QCOMPARE(db.referenceCount(), 0);
    await(db.disconnect()); // one too many does no harm
    QCOMPARE(db.referenceCount(), 0);
    // Connecting, Connected, Disconnected: the nested pair added nothing.
    QCOMPARE(states.count(), 3);
    QCOMPARE(states.at(1).at(0).value<Database::State>(), Database::State::Connected);
}

void TestDatabase::forcedDisconnect()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    await(db.connect());
    await(db.connect());
    await(db.disconnect(true));
    QCOMPARE(db.referenceCount(), 0);
    QVERIFY(!db.isConnected());
    // And it comes back.
    await(db.connect());
    QCOMPARE(await(db.execute(QStringLiteral("SELECT 1"))).value(0, 0).toInt(), 1);
    await(db.disconnect());
}

void TestDatabase::concurrentConnectOpensOnce()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    QSignalSpy states(&db, &Database::stateChanged);
    auto first = db.connect();
    auto second = db.connect();
    await(std::move(first));
    await(std::move(second));
    QCOMPARE(db.referenceCount(), 2);
    QCOMPARE(states.count(), 2); // one Connecting, one Connected
    await(db.disconnect(true));
}

void TestDatabase::notConnectedWarnsAndStillWorks()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    QSignalSpy warnings(&db, &Database::notConnectedWarning);
    const QString table = strata::test::uniqueName(QStringLiteral("nc"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("DatabaseNotConnected")));
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (id INTEGER, name TEXT);"
                                          "INSERT INTO %1 VALUES (1, 'one'), (2, 'two');")
                               .arg(table)));
    QCOMPARE(warnings.count(), 1);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("DatabaseNotConnected")));
    const orm::Result rows =
        await(db.execute(QStringLiteral("SELECT id, name FROM %1 ORDER BY id").arg(table)));
    QCOMPARE(warnings.count(), 2); // once per operation
    QCOMPARE(rows.rowCount(), 2);
    QCOMPARE(rows.value(1, 0).toInt(), 2);
    QCOMPARE(rows.text(1, 1), QStringLiteral("two"));
    QCOMPARE(warnings.at(0).at(1).toString(), DatabaseUrl::parse(url).toDisplayString());
    QVERIFY(!warnings.at(0).at(1).toString().contains(DatabaseUrl::parse(url).password()) ||
            DatabaseUrl::parse(url).password().isEmpty());
    QVERIFY(!db.isConnected());
}

void TestDatabase::connectedDoesNotWarn()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    QSignalSpy warnings(&db, &Database::notConnectedWarning);
    await(db.connect());
    for (int i = 0; i < 5; ++i)
        QCOMPARE(await(db.execute(QStringLiteral("SELECT 1 + 1"))).value(0, 0).toInt(), 2);
    QCOMPARE(warnings.count(), 0);
    await(db.disconnect());
}

void TestDatabase::poolHandsOutSeparateConnections()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    db.setPoolSize(3);
    await(db.connect());
    {
        std::vector<ConnectionLease> leases = await(acquireMany(&db, 3));
        QCOMPARE(leases.size(), size_t(3));
        QVERIFY(leases[0].get() != leases[1].get());
        QVERIFY(leases[1].get() != leases[2].get());
        QVERIFY(leases[0].get() != leases[2].get());
        if (backend == QLatin1String("postgres")) {
            // Three server sessions, really.
            QSet<int> pids;
            for (auto &lease : leases)
                pids << await(lease->execute(QStringLiteral("SELECT pg_backend_pid()")))
                            .value(0, 0)
                            .toInt();
            QCOMPARE(pids.size(), 3);
        }
    }
    // Concurrent statements run side by side: three 0.4 s sleeps take well under 1.2 s.
    if (backend == QLatin1String("postgres")) {
        QElapsedTimer clock;
        clock.start();
        auto a = db.execute(QStringLiteral("SELECT pg_sleep(0.4)"));
        auto b = db.execute(QStringLiteral("SELECT pg_sleep(0.4)"));
        auto c = db.execute(QStringLiteral("SELECT pg_sleep(0.4)"));
        await(std::move(a));
        await(std::move(b));
        await(std::move(c));
        QVERIFY2(clock.elapsed() < 1100, qPrintable(QString::number(clock.elapsed())));
    }
    await(db.disconnect());
}

void TestDatabase::poolWaitsWhenExhausted()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    db.setPoolSize(2);
    await(db.connect());
    std::vector<ConnectionLease> leases = await(acquireMany(&db, 2));
    bool acquired = false;
    ConnectionLease third;
    auto waiting = markWhenAcquired(&db, &acquired, &third);
    QTest::qWait(100);
    QVERIFY(!acquired); // both connections are out
    {
        orm::drivers::Connection *returned = leases[0].get();
        leases[0].release();
        QTRY_VERIFY(acquired);
        QCOMPARE(third.get(), returned); // the one given back, not a third connection
    }
    third.release();
    leases.clear();
    await(db.disconnect());
}

void TestDatabase::failedConnect()
{
    QFETCH_GLOBAL(QString, backend);
    QString url;
    QString expected;
    if (backend == QLatin1String("postgres")) {
        STRATA_BACKEND_URL(good);
        url = DatabaseUrl::parse(good).withPassword(QStringLiteral("wrong-secret")).toString();
        expected = QStringLiteral("password authentication failed");
    } else {
        url = missingFileUrl();
        expected = QStringLiteral("does not exist");
    }
    Database db(url);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not connect")));
    try {
        await(db.connect());
        QFAIL("connect() succeeded");
    } catch (const Error &error) {
        QVERIFY2(error.message().contains(expected), error.what());
        QVERIFY2(!error.toString().contains(QLatin1String("wrong-secret")), error.what());
        QCOMPARE(error.database(), db.displayUrl());
    }
    QCOMPARE(db.state(), Database::State::Failed);
    QCOMPARE(db.referenceCount(), 0);
    QVERIFY(db.failureReason().contains(expected));
}

void TestDatabase::sqlError()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    try {
        await(db.execute(QStringLiteral("SELECT * FROM no_such_table_here")));
        QFAIL("a query on a missing table succeeded");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Sql);
        QVERIFY2(error.message().contains(QLatin1String("no_such_table_here")), error.what());
        QVERIFY2(error.position() > 0 || backend == QLatin1String("sqlite"), error.what());
    }
    // The pool is still fine.
    QCOMPARE(await(db.execute(QStringLiteral("SELECT 42"))).value(0, 0).toInt(), 42);
    await(db.disconnect());
}

void TestDatabase::batchAndScript()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString table = strata::test::uniqueName(QStringLiteral("batch"));
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, v TEXT)").arg(table)));
    const bool pg = backend == QLatin1String("postgres");
    QList<QVariantList> sets;
    for (int i = 0; i < 500; ++i)
        sets << QVariantList{i, QStringLiteral("v%1").arg(i)};
    const QList<qint64> affected =
        await(db.executeBatch(QStringLiteral("INSERT INTO %1 (id, v) VALUES (%2, %3)")
                                  .arg(table, pg ? QStringLiteral("$1") : QStringLiteral("?"),
                                       pg ? QStringLiteral("$2") : QStringLiteral("?")),
                              sets));
    QCOMPARE(affected.size(), 500);
    QCOMPARE(affected.first(), 1);
    const orm::Result count =
        await(db.execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
    QCOMPARE(count.value(0, 0).toInt(), 500);
    await(db.disconnect());
}

void TestDatabase::connectionLostMidQuery()
{
    STRATA_BACKEND_URL(url);
    if (backend != QLatin1String("postgres"))
        QSKIP("a SQLite file cannot drop its connection");
    // The server is reached through a proxy that can cut every connection, as a network would.
    const DatabaseUrl pg = DatabaseUrl::parse(url);
    strata::test::TcpProxy proxy(pg.host(), quint16(pg.port()));
    const QString viaProxy = strata::test::throughProxy(url, proxy);
    Database db(viaProxy);
    db.setPoolSize(1);
    await(db.connect());
    QTimer::singleShot(300, [&proxy] { proxy.cutAll(); });
    try {
        await(db.execute(QStringLiteral("SELECT pg_sleep(10)")));
        QFAIL("the query survived a dropped connection");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::ConnectionLost);
        QCOMPARE(error.database(), db.displayUrl());
        QVERIFY2(!error.toString().contains(pg.password()), error.what());
    }
    // The broken connection is dropped from the pool; the next query gets a fresh one.
    QCOMPARE(await(db.execute(QStringLiteral("SELECT 5"))).value(0, 0).toInt(), 5);
    await(db.disconnect());
}

// A lease kept past disconnect (a window holding a stream open, say) does not keep its
// connection open: after a short grace the pool closes it under its holder.
void TestDatabase::disconnectClosesLeasesStillHeld()
{
    STRATA_BACKEND_URL(url);
    const QString tag = strata::test::uniqueName(QStringLiteral("strata_held"));
    const QString tagged = backend == QLatin1String("postgres")
                               ? url + QStringLiteral("?application_name=") + tag
                               : url;
    Database db(tagged);
    await(db.connect());
    ConnectionLease held = await(db.acquire());
    QVERIFY(held->isOpen());
    QElapsedTimer clock;
    clock.start();
    await(db.disconnect());
    QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(!held->isOpen());
    if (backend == QLatin1String("postgres")) {
        Database probe(url);
        QVariantList params;
        params << tag;
        const orm::Result r = await(probe.execute(
            QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"),
            params));
        QCOMPARE(r.value(0, 0).toInt(), 0);
    }
    // The holder's next call fails with a clear error instead of hanging.
    try {
        await(held->execute(QStringLiteral("SELECT 1")));
        QFAIL("a closed connection ran a query");
    } catch (const Error &error) {
        QVERIFY2(error.kind() == Error::Kind::Usage || error.kind() == Error::Kind::ConnectionLost,
                 error.what());
    }
    held.release();
}

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
