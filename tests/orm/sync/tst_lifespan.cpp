#include "await.h"
#include "backends.h"

#include "orm/sync/lifespan.h"
#include "orm/sync/run_sync.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace std::chrono_literals;
using orm::Database;
using orm::Error;
using orm::Lifespan;
using orm::Registry;

namespace {

// The URL with an application_name of its own, so that pg_stat_activity can be asked about
// exactly this test's sessions while other suites run beside it.
QString tagged(const QString &url, const QString &tag)
{
    if (!url.startsWith(QLatin1String("postgres")))
        return url;
    return url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
           QStringLiteral("application_name=") + tag;
}

int sessionsNamed(const QString &url, const QString &tag)
{
    Database probe(url);
    strata::test::await(probe.connect());
    const orm::Result r = strata::test::await(probe.execute(
        QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"),
        {tag}));
    strata::test::await(probe.disconnect());
    return r.value(0, 0).toInt();
}

QString slowQuery(const QString &backend)
{
    return backend == QLatin1String("postgres")
               ? QStringLiteral("SELECT pg_sleep(30)")
               : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                "WHERE x < 2000000000) SELECT count(*) FROM c");
}

// A query the application has running when it quits; records how it ended.
QCoro::Task<> runUntilStopped(Database *db, QString sql, QString *outcome)
{
    try {
        co_await db->execute(std::move(sql));
        *outcome = QStringLiteral("finished");
    } catch (const Error &error) {
        *outcome = Error::kindName(error.kind());
    }
}

} // namespace

class TestLifespan : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void connectsWhenLoopStartsAndClosesOnQuit();
    void quitCancelsQueryInFlight();
    void hostDrivenModeHooksNothing();
    void manualStyleAroundExec();
    void shutdownGivesBackExactlyItsReference();
    void shutdownLeavesASharedDatabaseToItsOtherRegistry();
    void quitForcesWhatOthersStillHold();
};

void TestLifespan::connectsWhenLoopStartsAndClosesOnQuit()
{
    STRATA_BACKEND_URL(url);
    const QString tag = strata::test::uniqueName(QStringLiteral("strata_life"));
    Registry registry(tagged(url, tag));
    registry.addExtra(QStringLiteral("extra"), tagged(strata::test::urlFor(backend, "extra"), tag));
    Lifespan *lifespan = Lifespan::bind(&registry, qApp);
    QSignalSpy started(lifespan, &Lifespan::started);
    QSignalSpy states(lifespan, &Lifespan::databaseStateChanged);
    QVERIFY(!registry.isConnected()); // binding alone connects nothing: the loop has not run

    bool connectedWhileRunning = false;
    int sessionsWhileRunning = -1;
    QObject::connect(lifespan, &Lifespan::started, qApp, [&] {
        connectedWhileRunning = registry.database()->isConnected() &&
                                registry.database(QStringLiteral("extra"))->isConnected();
        QTimer::singleShot(0, qApp, &QCoreApplication::quit);
    });
    QTimer::singleShot(10000, qApp, &QCoreApplication::quit); // a safety net, not the test
    qApp->exec();

    QCOMPARE(started.count(), 1);
    QVERIFY(connectedWhileRunning);
    QVERIFY(!states.isEmpty());
    // exec() returned only after the disconnect finished.
    QVERIFY(!registry.database()->isConnected());
    QVERIFY(!registry.database(QStringLiteral("extra"))->isConnected());
    if (backend == QLatin1String("postgres"))
        QCOMPARE(sessionsNamed(url, tag), 0);
    Q_UNUSED(sessionsWhileRunning);
    delete lifespan;
}

void TestLifespan::quitCancelsQueryInFlight()
{
    STRATA_BACKEND_URL(url);
    const QString tag = strata::test::uniqueName(QStringLiteral("strata_quit"));
    Registry registry(tagged(url, tag));
    Lifespan *lifespan = Lifespan::bind(&registry, qApp);
    QString outcome;
    int sessionsDuringQuery = -1;
    QObject::connect(lifespan, &Lifespan::started, qApp, [&] {
        runUntilStopped(registry.database(), slowQuery(backend), &outcome);
        QTimer::singleShot(400, qApp, [&] {
            if (backend == QLatin1String("postgres"))
                sessionsDuringQuery = sessionsNamed(url, tag);
            QCoreApplication::quit();
        });
    });
    QElapsedTimer clock;
    clock.start();
    qApp->exec();
    // Cancelled rather than waited for: the 30 s statement did not hold up the quit.
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(outcome, Error::kindName(Error::Kind::Cancelled));
    if (backend == QLatin1String("postgres")) {
        QVERIFY(sessionsDuringQuery >= 1);
        QCOMPARE(sessionsNamed(url, tag), 0);
    }
    delete lifespan;
}

void TestLifespan::hostDrivenModeHooksNothing()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    Lifespan *lifespan = Lifespan::bind(&registry, qApp, {Lifespan::Hooks::None});
    QTimer::singleShot(200, qApp, &QCoreApplication::quit);
    qApp->exec();
    QVERIFY(!registry.isConnected()); // the loop ran and quit: nothing was hooked

    // The host drives it.
    const QList<orm::ConnectOutcome> outcomes = strata::test::await(lifespan->startup());
    QCOMPARE(outcomes.size(), 1);
    QVERIFY(registry.database()->isConnected());
    QTimer::singleShot(100, qApp, &QCoreApplication::quit);
    qApp->exec();
    QVERIFY(registry.database()->isConnected()); // quitting did not disconnect it either
    strata::test::await(lifespan->shutdown());
    QVERIFY(!registry.database()->isConnected());
    delete lifespan;
}

void TestLifespan::manualStyleAroundExec()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    orm::runSync([&registry] { return registry.connect(); });
    QVERIFY(registry.database()->isConnected());
    int seen = 0;
    QTimer::singleShot(0, qApp, [&] {
        seen = orm::runSync([&registry] {
                   return registry.database()->execute(QStringLiteral("SELECT 11"));
               })
                   .value(0, 0)
                   .toInt();
        QCoreApplication::quit();
    });
    qApp->exec();
    QCOMPARE(seen, 11);
    orm::runSync([&registry] { return registry.disconnect(); });
    QVERIFY(!registry.database()->isConnected());
}

// Another scope still holds the registry: the binding's shutdown must not take that away.
void TestLifespan::shutdownGivesBackExactlyItsReference()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    strata::test::await(registry.connect()); // someone else's scope
    Lifespan *lifespan = Lifespan::bind(&registry, qApp, {Lifespan::Hooks::None});
    strata::test::await(lifespan->startup());
    QCOMPARE(registry.referenceCount(), 2);
    strata::test::await(lifespan->shutdown());
    QCOMPARE(registry.referenceCount(), 1);
    QVERIFY(registry.database()->isConnected());
    QCOMPARE(strata::test::await(registry.database()->execute(QStringLiteral("SELECT 5")))
                 .value(0, 0)
                 .toInt(),
             5);
    strata::test::await(registry.disconnect());
    QVERIFY(!registry.database()->isConnected());
    delete lifespan;
}

// A Database that two registries share: one registry's binding ending leaves it to the other.
void TestLifespan::shutdownLeavesASharedDatabaseToItsOtherRegistry()
{
    STRATA_BACKEND_URL(url);
    QObject owner;
    auto *shared = new Database(strata::test::urlFor(backend, QStringLiteral("shared")), &owner);
    Registry first(url);
    Registry second(url);
    first.addExtra(QStringLiteral("shared"), shared);
    second.addExtra(QStringLiteral("shared"), shared);
    strata::test::await(second.connect());
    Lifespan *lifespan = Lifespan::bind(&first, qApp, {Lifespan::Hooks::None});
    strata::test::await(lifespan->startup());
    QCOMPARE(shared->referenceCount(), 2);
    strata::test::await(lifespan->shutdown());
    QVERIFY(!first.isConnected());
    QVERIFY(shared->isConnected());
    QCOMPARE(shared->referenceCount(), 1);
    QCOMPARE(strata::test::await(shared->execute(QStringLiteral("SELECT 6"))).value(0, 0).toInt(),
             6);
    strata::test::await(second.disconnect());
    QVERIFY(!shared->isConnected());
    delete lifespan;
}

// Quitting is the one time to force: what other scopes hold is dropped too, and it is logged.
void TestLifespan::quitForcesWhatOthersStillHold()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    strata::test::await(registry.connect()); // a scope that never ended
    Lifespan *lifespan = Lifespan::bind(&registry, qApp, {Lifespan::Hooks::None});
    strata::test::await(lifespan->startup());
    QTest::ignoreMessage(QtInfoMsg,
                         QRegularExpression(QStringLiteral("1 reference\\(s\\) to the registry "
                                                           "still held elsewhere are dropped")));
    strata::test::await(lifespan->quit());
    QCOMPARE(registry.referenceCount(), 0);
    QVERIFY(!registry.database()->isConnected());
    delete lifespan;
}

QTEST_GUILESS_MAIN(TestLifespan)
#include "tst_lifespan.moc"
