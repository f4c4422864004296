// The window, as the built program, quit while work is under way: a console statement running
// and an extra database on a host that never answers. SIGINT, SIGTERM and SIGHUP quit it
// without asking, within a few seconds, with 128 + the signal; the console statement is
// cancelled on the server (PostgreSQL: no backend of the program is left; SQLite: the statement
// is interrupted, or the program could not end).

#include "await.h"
#include "backends.h"
#include "silent_listener.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <optional>

using strata::test::await;

namespace {

// Polls `condition` for up to `ms` of wall-clock time.
bool waitUntil(const std::function<bool()> &condition, int ms)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > ms)
            return false;
        QTest::qWait(50);
    }
    return true;
}

} // namespace

class TestWindowQuit : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void signalQuitsAndCancelsConsoleWork_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << SIGINT;
        QTest::newRow("SIGTERM") << SIGTERM;
        QTest::newRow("SIGHUP") << SIGHUP;
    }

    void signalQuitsAndCancelsConsoleWork()
    {
        STRATA_BACKEND_URL(url);
        QFETCH(int, signal);
        const bool postgres = backend == QLatin1String("postgres");
        const QString application = strata::test::uniqueName(QStringLiteral("strata_winquit"));
        std::optional<orm::Database> observer;
        // All the program's backends, or those running the console's statement.
        const auto backends = [&](bool sleepingOnly) {
            const orm::Result result = await(observer->execute(
                QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                               "$1") +
                    (sleepingOnly
                         ? QStringLiteral(" AND state = 'active' AND query LIKE '%pg_sleep%'")
                         : QString()),
                {application}));
            return result.value(0, 0).toLongLong();
        };
        if (postgres) {
            observer.emplace(url);
            await(observer->connect());
        } else {
            orm::Database setup(url); // the file exists before the window opens it
            await(setup.executeScript(QStringLiteral("CREATE TABLE IF NOT EXISTS t (x)")));
        }
        strata::test::SilentListener silent;
        QTemporaryDir home;
        QProcess window;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.remove(QStringLiteral("STRATA_DATABASE_URL"));
        window.setProcessEnvironment(env);
        const QString endless = postgres ? QStringLiteral("SELECT pg_sleep(60)")
                                         : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 "
                                                          "UNION ALL SELECT x + 1 FROM c) SELECT "
                                                          "count(*) FROM c");
        window.start(
            QStringLiteral(STRATA_EXE),
            {QStringLiteral("--database"),
             postgres ? url + (url.contains(u'?') ? u'&' : u'?') +
                            QStringLiteral("application_name=") + application
                      : url,
             QStringLiteral("--extra"),
             QStringLiteral("silent=") + silent.postgresUrl(QStringLiteral("connect_timeout=60")),
             QStringLiteral("--console"), endless});
        QVERIFY(window.waitForStarted());
        const auto stop = qScopeGuard([&window] {
            window.kill();
            window.waitForFinished();
        });
        if (postgres) {
            QVERIFY2(waitUntil([&] { return backends(true) == 1; }, 30000),
                     "the console's statement never ran");
        } else {
            const QString path = QFileInfo(orm::DatabaseUrl::parse(url).path()).canonicalFilePath();
            const auto held = [&] {
                const QDir fds(QStringLiteral("/proc/%1/fd").arg(window.processId()));
                int count = 0;
                for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries))
                    count += QFile::symLinkTarget(fds.filePath(fd)) == path;
                return count;
            };
            // The browsing pool's connection and the console's own.
            QVERIFY(waitUntil([&] { return held() >= 2; }, 30000));
            QTest::qWait(500);
        }
        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(window.processId()), signal);
        QVERIFY2(window.waitForFinished(15000), "the window did not quit");
        const QString err = QString::fromUtf8(window.readAllStandardError());
        QCOMPARE(window.exitStatus(), QProcess::NormalExit);
        QCOMPARE(window.exitCode(), 128 + signal);
        // Generous for a loaded machine: the figure itself is strata-bench reconnect's `quit`.
        QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(err.contains(QStringLiteral("cancelling running statements")), qPrintable(err));
        QVERIFY(!err.contains(QStringLiteral("second signal")));
        if (postgres) {
            QVERIFY2(waitUntil([&] { return backends(false) == 0; }, 3000),
                     "a backend of the program is left after it quit");
            await(observer->disconnect());
        }
    }
};

QTEST_GUILESS_MAIN(TestWindowQuit)
#include "tst_window_quit.moc"
