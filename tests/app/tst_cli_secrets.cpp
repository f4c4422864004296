// Secrets given to the strata executable go nowhere: a distinctive password (in the user part,
// as ?password=, as ?sslpassword=, holding unencoded '?', '@' or '/') never shows on stdout or
// stderr, nor in any file the program writes under its HOME, whatever the command and however
// it fails; and ?password= is taken as libpq takes it.

#include "backends.h"

#include "orm/core/database_url.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

// A password no output could hold by chance.
QString distinctiveSecret()
{
    return QStringLiteral("Zq9Secret") + strata::test::uniqueName(QStringLiteral("x"));
}

QString encoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

} // namespace

class TestCliSecrets : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    Run strata(const QStringList &arguments) const
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        // Everything it may write lands under this HOME, where the test looks for the secret.
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), m_home.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_STATE_HOME"), m_home.filePath(QStringLiteral("state")));
        env.remove(QStringLiteral("STRATA_DATABASE_URL"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(STRATA_BINARY), arguments);
        process.closeWriteChannel();
        Run run;
        if (!process.waitForFinished(60000)) {
            process.kill();
            process.waitForFinished();
            run.err = QStringLiteral("(timed out)");
            return run;
        }
        run.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

    // The secret appears nowhere: the run's output, and every file under HOME.
    void verifyNowhere(const Run &run, const QString &secret) const
    {
        QVERIFY2(!run.out.contains(secret), qPrintable(run.out));
        QVERIFY2(!run.err.contains(secret), qPrintable(run.err));
        // Nor percent-encoded, as it would be inside a URL.
        QVERIFY2(!run.err.contains(encoded(secret)), qPrintable(run.err));
        QDirIterator it(m_home.path(), QDir::Files | QDir::Hidden | QDir::System,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            const QByteArray bytes = file.readAll();
            QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(path));
            QVERIFY2(!bytes.contains(encoded(secret).toUtf8()), qPrintable(path));
        }
    }

    // The throwaway server's URL with its user and host, and `password` instead of its own.
    static QString serverUrl(const QString &userInfo, const QString &query = {})
    {
        const orm::DatabaseUrl url = orm::DatabaseUrl::parse(strata::test::postgresUrl());
        QString text = QStringLiteral("postgresql://%1@%2:%3/%4")
                           .arg(userInfo, url.host())
                           .arg(url.port())
                           .arg(encoded(url.databaseName()));
        if (!query.isEmpty())
            text += QLatin1Char('?') + query;
        return text;
    }

private slots:
    void passwordOptionIsTakenAsLibpqTakesIt();
    void wrongPasswordOptionIsNeverEchoed();
    void sslpasswordIsNeverEchoed();
    void unencodedPasswordsInBadUrls_data();
    void unencodedPasswordsInBadUrls();
    void unreachableServerWithPassword_data();
    void unreachableServerWithPassword();
    void windowNeverShowsThePassword();
};

#define REQUIRE_POSTGRES()                                                                         \
    if (strata::test::postgresUrl().isEmpty()) {                                                   \
        if (qEnvironmentVariableIsSet("CI"))                                                       \
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");      \
        QSKIP("no PostgreSQL server (run through `make test`)");                                   \
    }

void TestCliSecrets::passwordOptionIsTakenAsLibpqTakesIt()
{
    REQUIRE_POSTGRES();
    const orm::DatabaseUrl real = orm::DatabaseUrl::parse(strata::test::postgresUrl());
    const QString url =
        serverUrl(encoded(real.user()), QStringLiteral("password=") + encoded(real.password()));
    const Run r = strata({QStringLiteral("query"), QStringLiteral("--database"), url,
                          QStringLiteral("SELECT 41 + 1 AS answer")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1String("42")), qPrintable(r.out));
    verifyNowhere(r, real.password());
}

void TestCliSecrets::wrongPasswordOptionIsNeverEchoed()
{
    REQUIRE_POSTGRES();
    const QString secret = distinctiveSecret();
    const orm::DatabaseUrl real = orm::DatabaseUrl::parse(strata::test::postgresUrl());
    const QString url =
        serverUrl(encoded(real.user()), QStringLiteral("password=") + encoded(secret));
    for (const char *command : {"query", "inspect"}) {
        QStringList arguments{QString::fromLatin1(command), QStringLiteral("--database"), url};
        if (qstrcmp(command, "query") == 0)
            arguments << QStringLiteral("SELECT 1");
        const Run r = strata(arguments);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("password authentication failed")),
                 qPrintable(r.err));
        verifyNowhere(r, secret);
    }
}

void TestCliSecrets::sslpasswordIsNeverEchoed()
{
    REQUIRE_POSTGRES();
    const QString secret = distinctiveSecret();
    const orm::DatabaseUrl real = orm::DatabaseUrl::parse(strata::test::postgresUrl());
    // A wrong password too, so that it fails and says where.
    const QString url = serverUrl(encoded(real.user()) + QStringLiteral(":wrong"),
                                  QStringLiteral("sslmode=disable&sslpassword=") + encoded(secret));
    const Run r = strata(
        {QStringLiteral("query"), QStringLiteral("--database"), url, QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 1);
    verifyNowhere(r, secret);
}

void TestCliSecrets::unencodedPasswordsInBadUrls_data()
{
    QTest::addColumn<QString>("format"); // %1: the secret
    QTest::newRow("question mark") << "postgresql://ann:%1?x@127.0.0.1:99999/d";
    QTest::newRow("at sign") << "postgresql://ann:%1@x@127.0.0.1:nope/d";
    QTest::newRow("slash") << "postgresql://ann:%1/x@127.0.0.1/d?sslmod=x";
    QTest::newRow("upper-case scheme") << "POSTGRESQL://ann:%1@127.0.0.1:0/d";
    QTest::newRow("unknown scheme") << "mysql://ann:%1@127.0.0.1/d";
    QTest::newRow("no scheme") << "ann:%1@127.0.0.1/d";
    QTest::newRow("sslpassword in a bad url") << "postgresql://127.0.0.1/d?sslpassword=%1&x=y";
}

void TestCliSecrets::unencodedPasswordsInBadUrls()
{
    QFETCH(QString, format);
    const QString secret = distinctiveSecret();
    const QString url = format.arg(secret);
    for (const char *command : {"query", "inspect"}) {
        QStringList arguments{QString::fromLatin1(command), QStringLiteral("--database"), url};
        if (qstrcmp(command, "query") == 0)
            arguments << QStringLiteral("SELECT 1");
        const Run r = strata(arguments);
        // A usage error for query; inspect reports every failure as 1.
        const int expected = qstrcmp(command, "query") == 0 ? 2 : 1;
        QVERIFY2(r.code == expected, qPrintable(QString::number(r.code) + r.err));
        QVERIFY2(r.err.contains(QLatin1String("invalid database URL")), qPrintable(r.err));
        verifyNowhere(r, secret);
        // Not even the user info's first part, which may be a password's piece too.
        QVERIFY2(!r.err.contains(QLatin1String("ann")), qPrintable(r.err));
    }
}

void TestCliSecrets::unreachableServerWithPassword_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("user part") << "postgresql://ann:%1@127.0.0.1:1/d?connect_timeout=5";
    QTest::newRow("upper-case, @ and /")
        << "POSTGRESQL://ann:@%1/x@127.0.0.1:1/d?connect_timeout=5";
    QTest::newRow("password option") << "postgresql://ann@127.0.0.1:1/d?password=%1";
    QTest::newRow("no user") << "postgres://127.0.0.1:1/d?password=%1";
    QTest::newRow("password twice") << "postgresql://ann:%1@127.0.0.1:1/d?password=%1x";
    QTest::newRow("sslpassword") << "postgresql://ann@127.0.0.1:1/d?sslpassword=%1";
}

void TestCliSecrets::unreachableServerWithPassword()
{
    QFETCH(QString, format);
    const QString secret = distinctiveSecret();
    const Run r = strata({QStringLiteral("query"), QStringLiteral("--database"), format.arg(secret),
                          QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 1); // parsed, tried, failed to connect
    verifyNowhere(r, secret);
}

void TestCliSecrets::windowNeverShowsThePassword()
{
    // The window (offscreen) on a database that fails, and on one that opens with a password:
    // its log, title and status go to the screenshot's report and files, never the secret.
    REQUIRE_POSTGRES();
    const QString secret = distinctiveSecret();
    const QString failing =
        QStringLiteral("postgresql://ann:%1@127.0.0.1:1/d?sslpassword=%1").arg(secret);
    Run r = strata({QStringLiteral("--database"), failing, QStringLiteral("--screenshot"),
                    m_home.filePath(QStringLiteral("failing.png"))});
    QVERIFY(r.code != 0);
    verifyNowhere(r, secret);

    const orm::DatabaseUrl real = orm::DatabaseUrl::parse(strata::test::postgresUrl());
    const QString opening =
        serverUrl(encoded(real.user()), QStringLiteral("password=") + encoded(real.password()) +
                                            QStringLiteral("&sslpassword=") + encoded(secret));
    r = strata({QStringLiteral("--database"), opening, QStringLiteral("--screenshot"),
                m_home.filePath(QStringLiteral("opening.png"))});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    verifyNowhere(r, secret);
    verifyNowhere(r, real.password());
}

QTEST_GUILESS_MAIN(TestCliSecrets)
#include "tst_cli_secrets.moc"
