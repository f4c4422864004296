// Scenario "reconnect": the connection lifecycle under real faults, on the test server.
//
// - "recover": a registry holds 4 idle pooled connections; the server restarts
//   (STRATA_TEST_PG_RESTART, pg_ctl restart -m fast). Timed from the restart's end to the first
//   successful query, against one fresh Database's connect and first query after the same
//   restart ("fresh-connect"). Then 7 queries in a row: "failed" counts those the caller saw
//   fail (target 0: every idle connection the restart killed is found dead and replaced).
// - "quit": the built window (`strata`, offscreen) with a console statement running on the
//   server and an extra database on a loopback host that never answers, sent SIGTERM: seconds
//   until the process has exited (target <= 2 s), and "backends-left", the program's backends
//   still in pg_stat_activity a moment later (target 0).

#include "scenarios.h"
#include "support/await.h"
#include "support/silent_listener.h"

#include "orm/database/database.h"
#include "orm/registry/registry.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <stdexcept>
#include <vector>

namespace strata::bench {
namespace {

constexpr int kPool = 4;
constexpr int kRounds = 3;
constexpr int kTimeoutMs = 2 * 60 * 1000;

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString named(const QString &url, const QString &application)
{
    return url + (url.contains(u'?') ? u'&' : u'?') + QStringLiteral("application_name=") +
           application;
}

void restartServer()
{
    const QString script = qEnvironmentVariable("STRATA_TEST_PG_RESTART");
    if (script.isEmpty())
        fail(QStringLiteral("reconnect needs STRATA_TEST_PG_RESTART (run it through make bench)"));
    if (QProcess::execute(script, {}) != 0)
        fail(QStringLiteral("the server restart failed (%1)").arg(script));
}

QCoro::Task<> sleepBriefly(orm::Database *db)
{
    co_await db->execute(QStringLiteral("SELECT pg_sleep(0.1)"));
}

QCoro::Task<> fillPool(orm::Database *db)
{
    std::vector<QCoro::Task<>> running;
    for (int i = 0; i < kPool; ++i)
        running.push_back(sleepBriefly(db));
    for (QCoro::Task<> &task : running)
        co_await std::move(task);
}

QCoro::Task<double> firstQuery(orm::Database *db)
{
    const Stopwatch clock;
    co_await db->execute(QStringLiteral("SELECT 1"));
    co_return clock.seconds();
}

QCoro::Task<double> freshConnectAndQuery(QString url)
{
    orm::Database fresh(url);
    const Stopwatch clock;
    co_await fresh.connect();
    co_await fresh.execute(QStringLiteral("SELECT 1"));
    const double seconds = clock.seconds();
    co_await fresh.disconnect();
    co_return seconds;
}

QCoro::Task<int> failuresOfSevenQueries(orm::Database *db)
{
    int failed = 0;
    for (int i = 0; i < 7; ++i) {
        try {
            co_await db->execute(QStringLiteral("SELECT 1"));
        } catch (const orm::Error &error) {
            note(QStringLiteral("reconnect/postgres: a query failed: %1").arg(error.toString()));
            ++failed;
        }
    }
    co_return failed;
}

void measureRecover(const Context &context, const Report &report)
{
    double recover = 0;
    double fresh = 0;
    int failed = 0;
    for (int round = 1; round <= kRounds; ++round) {
        orm::Registry registry(context.pgUrl);
        strata::test::await(registry.connect(), kTimeoutMs);
        orm::Database *db = registry.database();
        strata::test::await(fillPool(db), kTimeoutMs);

        restartServer();
        const double r = strata::test::await(firstQuery(db), kTimeoutMs);
        failed += strata::test::await(failuresOfSevenQueries(db), kTimeoutMs);
        strata::test::await(registry.disconnect(), kTimeoutMs);

        restartServer(); // the same start for the reference: a server just up
        const double f = strata::test::await(freshConnectAndQuery(context.pgUrl), kTimeoutMs);
        recover = round == 1 ? r : std::min(recover, r);
        fresh = round == 1 ? f : std::min(fresh, f);
        note(QStringLiteral("reconnect/postgres: round %1: first query after the restart %2 s "
                            "with %3 dead pooled connections, a fresh connect and query %4 s")
                 .arg(round)
                 .arg(r, 0, 'f', 4)
                 .arg(kPool)
                 .arg(f, 0, 'f', 4));
    }
    report.value(QStringLiteral("recover"), recover, QStringLiteral("s"));
    report.reference(QStringLiteral("recover"), QStringLiteral("fresh-connect"), fresh,
                     QStringLiteral("s"));
    report.ratio(QStringLiteral("recover"), QStringLiteral("fresh-connect"), recover, fresh);
    report.value(QStringLiteral("failed"), failed, QStringLiteral("queries"));
}

qint64 backendsOf(orm::Database &observer, const QString &application, bool sleepingOnly)
{
    const orm::Result result = strata::test::await(observer.execute(
        QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1") +
            (sleepingOnly ? QStringLiteral(" AND state = 'active' AND query LIKE '%pg_sleep%'")
                          : QString()),
        {application}));
    return result.value(0, 0).toLongLong();
}

void measureQuit(const Context &context, const Report &report)
{
    orm::Database observer(context.pgUrl);
    strata::test::await(observer.connect());
    strata::test::SilentListener silent;
    double slowest = 0;
    qint64 left = 0;
    for (int round = 1; round <= kRounds; ++round) {
        const QString application = QStringLiteral("strata_bench_quit_%1").arg(round);
        QTemporaryDir home;
        QProcess window;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        window.setProcessEnvironment(env);
        window.start(
            QStringLiteral(STRATA_EXE),
            {QStringLiteral("--database"), named(context.pgUrl, application),
             QStringLiteral("--extra"),
             QStringLiteral("silent=") + silent.postgresUrl(QStringLiteral("connect_timeout=60")),
             QStringLiteral("--console"), QStringLiteral("SELECT pg_sleep(60)")});
        if (!window.waitForStarted())
            fail(QStringLiteral("cannot start %1").arg(QStringLiteral(STRATA_EXE)));
        QDeadlineTimer started(60000);
        while (backendsOf(observer, application, true) != 1) {
            if (started.hasExpired()) {
                window.kill();
                window.waitForFinished();
                fail(QStringLiteral("the console's statement never ran: %1")
                         .arg(QString::fromUtf8(window.readAllStandardError())));
            }
            QThread::msleep(50);
        }
        const Stopwatch clock;
        ::kill(pid_t(window.processId()), SIGTERM);
        if (!window.waitForFinished(30000)) {
            window.kill();
            window.waitForFinished();
            fail(QStringLiteral("the window did not quit within 30 s of SIGTERM"));
        }
        const double seconds = clock.seconds();
        // The server notices closed sockets at once; give it a moment before counting.
        qint64 remaining = 0;
        for (QDeadlineTimer settle(1000); !settle.hasExpired(); QThread::msleep(50))
            if ((remaining = backendsOf(observer, application, false)) == 0)
                break;
        slowest = std::max(slowest, seconds);
        left = std::max(left, remaining);
        note(QStringLiteral("reconnect/postgres: round %1: quit in %2 s (exit %3), %4 backend(s) "
                            "left")
                 .arg(round)
                 .arg(seconds, 0, 'f', 3)
                 .arg(window.exitCode())
                 .arg(remaining));
    }
    strata::test::await(observer.disconnect());
    report.value(QStringLiteral("quit"), slowest, QStringLiteral("s"));
    report.value(QStringLiteral("backends-left"), double(left), QStringLiteral("backends"));
}

} // namespace

void runReconnect(const Context &context, Backend backend)
{
    if (backend != Backend::Postgres)
        return;
    const Report report(QStringLiteral("reconnect"), backend);
    measureRecover(context, report);
    measureQuit(context, report);
}

} // namespace strata::bench
