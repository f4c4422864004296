// `strata query` stopped before its statement ends, as the built program on both backends: a
// signal (Ctrl+C, SIGTERM, SIGHUP) cancels the statement on the server and exits with 128 +
// the signal, a second one exits at once, --timeout cancels too, and an extra on a host that
// never answers does not matter unless the statement runs on it. PostgreSQL checks the server
// itself: no backend of the command is left running after it exits.

#include "await.h"
#include "backends.h"
#include "silent_listener.h"
#include "support/proxied_url.h"
#include "support/tcp_proxy.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <optional>

using strata::test::await;

namespace {

// Never ends by itself: only a cancel stops it (memory stays flat: one row per step).
const QString kEndless = QStringLiteral(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c");

QString withApplicationName(const QString &url, const QString &name)
{
    return url + (url.contains(u'?') ? u'&' : u'?') + QStringLiteral("application_name=") + name;
}

class Strata {
public:
    explicit Strata(const QStringList &arguments)
    {
        m_process.start(QStringLiteral(STRATA_BINARY),
                        QStringList(QStringLiteral("query")) + arguments);
        m_process.closeWriteChannel();
        m_process.waitForStarted();
    }
    ~Strata()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    qint64 pid() const { return m_process.processId(); }
    void signal(int number) { ::kill(pid_t(m_process.processId()), number); }
    // The exit code once it ended (-1: it crashed or was killed by the signal's default action,
    // -2: still running after `ms`).
    int finish(int ms = 20000)
    {
        if (!m_process.waitForFinished(ms))
            return -2;
        m_err = QString::fromUtf8(m_process.readAllStandardError());
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    const QString &err() const { return m_err; }

    // Whether this process holds `path` open (SQLite: connected).
    bool holds(const QString &path) const
    {
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid()));
        for (const QString &fd : fds.entryList(QDir::NoDotAndDotDot | QDir::AllEntries))
            if (QFile::symLinkTarget(fds.filePath(fd)) == path)
                return true;
        return false;
    }

private:
    QProcess m_process;
    QString m_err;
};

// PostgreSQL: the backends of `application` that run a statement, and all of them.
struct Backends {
    explicit Backends(const QString &url)
        : observer(url)
    {
        await(observer.connect());
    }
    ~Backends() { await(observer.disconnect()); }

    qint64 count(const QString &application, bool activeOnly)
    {
        const orm::Result result = await(observer.execute(
            QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1") +
                (activeOnly ? QStringLiteral(" AND state = 'active'") : QString()),
            {application}));
        return result.value(0, 0).toLongLong();
    }

    orm::Database observer;
};

} // namespace

class TestCliInterrupt : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void signalCancelsOnTheServer_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << SIGINT;
        QTest::newRow("SIGTERM") << SIGTERM;
        QTest::newRow("SIGHUP") << SIGHUP;
    }

    // The statement runs; the signal comes: it is cancelled on the server, the command says so
    // and exits with 128 + signal, and the server runs nothing of it afterwards.
    void signalCancelsOnTheServer()
    {
        STRATA_BACKEND_URL(url);
        QFETCH(int, signal);
        const bool postgres = backend == QLatin1String("postgres");
        const QString application = strata::test::uniqueName(QStringLiteral("strata_sig"));
        std::optional<Backends> backends;
        if (postgres)
            backends.emplace(url);
        Strata strata({QStringLiteral("--database"),
                       postgres ? withApplicationName(url, application) : url,
                       postgres ? QStringLiteral("SELECT pg_sleep(60)") : kEndless});
        if (postgres) {
            QTRY_COMPARE_WITH_TIMEOUT(backends->count(application, true), 1, 20000);
        } else {
            const QString path = orm::DatabaseUrl::parse(url).path();
            // Latched: the file is opened more than once while connecting, so a poll can see it
            // held, then not, then held again (QTRY re-evaluates and failed on that in CI).
            bool held = false;
            QTRY_VERIFY_WITH_TIMEOUT(
                held = held || strata.holds(QFileInfo(path).canonicalFilePath()), 20000);
            QTest::qWait(300); // the statement follows the open at once
        }
        strata.signal(signal);
        QCOMPARE(strata.finish(), 128 + signal);
        QVERIFY2(strata.err().contains(QStringLiteral("interrupted by SIG")),
                 qPrintable(strata.err()));
        if (postgres) {
            QVERIFY2(strata.err().contains(QStringLiteral("cancelled on the server")),
                     qPrintable(strata.err()));
            QCOMPARE(backends->count(application, false), 0);
        }
    }

    // Interrupted while still connecting (a host that never answers): the connect is
    // abandoned at once rather than waited out.
    void signalWhileConnectingAbandonsTheConnect()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != QLatin1String("postgres"))
            return; // SQLite opens a local file: there is no connect to wait for
        strata::test::SilentListener silent;
        Strata strata({QStringLiteral("--database"),
                       silent.postgresUrl(QStringLiteral("connect_timeout=30")),
                       QStringLiteral("SELECT 1")});
        QTest::qWait(1000);
        QElapsedTimer clock;
        clock.start();
        strata.signal(SIGINT);
        QCOMPARE(strata.finish(), 130);
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(strata.err().contains(QStringLiteral("the connect was abandoned")),
                 qPrintable(strata.err()));
        QVERIFY(!strata.err().contains(QStringLiteral("secret")));
    }

    // A link that has gone silent cannot hold the exit: the cancel goes unanswered, the command
    // waits a few seconds for it and exits anyway; a second signal exits at once.
    void silentLinkCannotHoldTheExit_data()
    {
        QTest::addColumn<bool>("twice");
        QTest::newRow("one signal") << false;
        QTest::newRow("a second signal") << true;
    }
    void silentLinkCannotHoldTheExit()
    {
        STRATA_BACKEND_URL(url);
        QFETCH(bool, twice);
        if (backend != QLatin1String("postgres"))
            return; // SQLite has no link
        const orm::DatabaseUrl parsed = orm::DatabaseUrl::parse(url);
        strata::test::TcpProxy proxy(QStringLiteral("127.0.0.1"), quint16(parsed.port()));
        const QString application = strata::test::uniqueName(QStringLiteral("strata_stall"));
        const QString proxied = strata::test::throughProxy(url, proxy);
        Backends backends(url);
        Strata strata({QStringLiteral("--database"), withApplicationName(proxied, application),
                       QStringLiteral("SELECT pg_sleep(60)")});
        QTRY_COMPARE_WITH_TIMEOUT(backends.count(application, true), 1, 20000);
        proxy.setStalled(true);
        strata.signal(SIGINT);
        if (twice) {
            QTest::qWait(200);
            strata.signal(SIGINT);
        }
        QCOMPARE(strata.finish(), 130);
        QVERIFY2(strata.err().contains(twice ? QStringLiteral("second signal, exiting at once")
                                             : QStringLiteral("did not answer the cancel")),
                 qPrintable(strata.err()));
        // The backend is the server's to end once it hears: terminate it here.
        await(backends.observer.execute(
            QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = $1"),
            {application}));
    }

    // --timeout: past it the statement is cancelled on the server; exit code 1, said so.
    void timeoutCancelsOnTheServer()
    {
        STRATA_BACKEND_URL(url);
        const bool postgres = backend == QLatin1String("postgres");
        const QString application = strata::test::uniqueName(QStringLiteral("strata_timeout"));
        std::optional<Backends> backends;
        if (postgres)
            backends.emplace(url);
        Strata strata({QStringLiteral("--database"),
                       postgres ? withApplicationName(url, application) : url,
                       QStringLiteral("--timeout"), QStringLiteral("1.5"),
                       postgres ? QStringLiteral("SELECT pg_sleep(60)") : kEndless});
        QCOMPARE(strata.finish(), 1);
        QVERIFY2(strata.err().contains(QStringLiteral("ran longer than --timeout 1.5 s")),
                 qPrintable(strata.err()));
        QVERIFY2(strata.err().contains(QStringLiteral("cancelled on the server")),
                 qPrintable(strata.err()));
        if (postgres)
            QCOMPARE(backends->count(application, false), 0);
        // A statement that ends in time is not touched.
        Strata quick({QStringLiteral("--database"), url, QStringLiteral("--timeout"),
                      QStringLiteral("30"), QStringLiteral("SELECT 1")});
        QCOMPARE(quick.finish(), 0);
    }

    void timeoutMustBeAPositiveNumber_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("zero") << QStringLiteral("0");
        QTest::newRow("negative") << QStringLiteral("-3");
        QTest::newRow("words") << QStringLiteral("soon");
    }
    void timeoutMustBeAPositiveNumber()
    {
        STRATA_BACKEND_URL(url);
        QFETCH(QString, value);
        Strata strata({QStringLiteral("--database"), url, QStringLiteral("--timeout"), value,
                       QStringLiteral("SELECT 1")});
        QCOMPARE(strata.finish(), 2);
        QVERIFY2(strata.err().contains(QStringLiteral("--timeout expects a number of seconds")),
                 qPrintable(strata.err()));
    }

    // Only the database the statement runs on is connected: an extra on a host that never
    // answers changes nothing, until the statement is sent there (then connect_timeout bounds
    // the wait and the error says which database).
    void unrelatedSilentExtraDoesNotMatter()
    {
        STRATA_BACKEND_URL(url);
        strata::test::SilentListener silent;
        QElapsedTimer clock;
        clock.start();
        Strata strata({QStringLiteral("--database"), url, QStringLiteral("--extra"),
                       QStringLiteral("silent=") + silent.postgresUrl(),
                       QStringLiteral("SELECT 1")});
        QCOMPARE(strata.finish(), 0);
        QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));

        Strata there(
            {QStringLiteral("--database"), url, QStringLiteral("--extra"),
             QStringLiteral("silent=") + silent.postgresUrl(QStringLiteral("connect_timeout=1")),
             QStringLiteral("--using"), QStringLiteral("silent"), QStringLiteral("SELECT 1")});
        QCOMPARE(there.finish(), 1);
        QVERIFY2(there.err().contains(QStringLiteral("127.0.0.1:%1").arg(silent.port())),
                 qPrintable(there.err()));
        QVERIFY(!there.err().contains(QStringLiteral("secret")));
    }
};

QTEST_GUILESS_MAIN(TestCliInterrupt)
#include "tst_cli_interrupt.moc"
