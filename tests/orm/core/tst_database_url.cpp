#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/core/secrets.h"

#include <QTest>

#include <climits>

using orm::DatabaseUrl;
using orm::Error;

class TestDatabaseUrl : public QObject {
    Q_OBJECT

private slots:
    void good_data();
    void good();
    void bad_data();
    void bad();
    void displayMasksPassword();
    void roundTrip_data();
    void roundTrip();
    void connectTimeoutDefault();
    void passwordOption();
    void secretOptionsAreMasked();
    void errorsNeverQuoteUserInfo_data();
    void errorsNeverQuoteUserInfo();
    void unencodedPasswordParses_data();
    void unencodedPasswordParses();
    void withoutSecrets();
    void hostLists_data();
    void hostLists();
    void hostListParts();
    void targetSessionAttrs_data();
    void targetSessionAttrs();
    void hostListDisplay_data();
    void hostListDisplay();
};

void TestDatabaseUrl::good_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("backend");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("path");

    const int pg = int(DatabaseUrl::Backend::Postgres);
    const int lite = int(DatabaseUrl::Backend::Sqlite);
    QTest::newRow("full") << "postgresql://ann:pw@db.example.com:5433/shop" << pg << "ann"
                          << "pw"
                          << "db.example.com" << 5433 << "shop"
                          << "";
    QTest::newRow("postgres-scheme") << "postgres://ann@localhost/shop" << pg << "ann"
                                     << ""
                                     << "localhost" << 0 << "shop"
                                     << "";
    QTest::newRow("upper-scheme") << "PostgreSQL://h/d" << pg << ""
                                  << ""
                                  << "h" << 0 << "d"
                                  << "";
    QTest::newRow("percent") << "postgresql://an%40n:p%3Aw%2F@h/my%20db" << pg << "an@n"
                             << "p:w/"
                             << "h" << 0 << "my db"
                             << "";
    QTest::newRow("ipv6") << "postgresql://u@[::1]:6000/d" << pg << "u"
                          << ""
                          << "::1" << 6000 << "d"
                          << "";
    QTest::newRow("ipv6-no-port") << "postgresql://[fe80::1]/d" << pg << ""
                                  << ""
                                  << "fe80::1" << 0 << "d"
                                  << "";
    QTest::newRow("socket-dir") << "postgresql://u@/d?host=/run/postgresql" << pg << "u"
                                << ""
                                << "/run/postgresql" << 0 << "d"
                                << "";
    QTest::newRow("at-in-password") << "postgresql://u:a@b@h/d" << pg << "u"
                                    << "a@b"
                                    << "h" << 0 << "d"
                                    << "";
    QTest::newRow("no-db") << "postgresql://h" << pg << ""
                           << ""
                           << "h" << 0 << ""
                           << "";
    QTest::newRow("sqlite-relative") << "sqlite:///data/app.db" << lite << ""
                                     << ""
                                     << "" << 0 << ""
                                     << "data/app.db";
    QTest::newRow("sqlite-absolute") << "sqlite:////var/lib/app.db" << lite << ""
                                     << ""
                                     << "" << 0 << ""
                                     << "/var/lib/app.db";
    QTest::newRow("sqlite-memory") << "sqlite://:memory:" << lite << ""
                                   << ""
                                   << "" << 0 << ""
                                   << ":memory:";
    QTest::newRow("sqlite-create") << "sqlite:///a%20b.db?create=true" << lite << ""
                                   << ""
                                   << "" << 0 << ""
                                   << "a b.db";
}

void TestDatabaseUrl::good()
{
    QFETCH(QString, text);
    QFETCH(int, backend);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, database);
    QFETCH(QString, path);

    const DatabaseUrl url = DatabaseUrl::parse(text);
    QCOMPARE(int(url.backend()), backend);
    QCOMPARE(url.user(), user);
    QCOMPARE(url.password(), password);
    QCOMPARE(url.host(), host);
    QCOMPARE(url.port(), port);
    QCOMPARE(url.databaseName(), database);
    QCOMPARE(url.path(), path);
}

void TestDatabaseUrl::bad_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // a piece of the message

    QTest::newRow("empty") << ""
                           << "the URL is empty";
    QTest::newRow("no-scheme") << "localhost/db"
                               << "expected scheme://";
    QTest::newRow("unknown-scheme") << "mysql://u@h/d"
                                    << "unknown scheme 'mysql'";
    QTest::newRow("bad-port") << "postgresql://u@h:99999/d"
                              << "port '99999' is not a number";
    QTest::newRow("text-port") << "postgresql://u@h:abc/d"
                               << "port 'abc' is not a number";
    QTest::newRow("empty-port") << "postgresql://u@h:/d"
                                << "the port after ':' is empty";
    QTest::newRow("ipv6-unclosed") << "postgresql://[::1/d"
                                   << "missing its closing ']'";
    QTest::newRow("bad-escape") << "postgresql://u%zz@h/d"
                                << "bad percent-escape in the user";
    QTest::newRow("unknown-option") << "postgresql://h/d?sslmod=require"
                                    << "unknown option 'sslmod'";
    QTest::newRow("bad-sslmode") << "postgresql://h/d?sslmode=always"
                                 << "sslmode 'always'";
    QTest::newRow("bad-timeout") << "postgresql://h/d?connect_timeout=soon"
                                 << "'connect_timeout' must be a whole number";
    QTest::newRow("negative-timeout") << "postgresql://h/d?connect_timeout=-1"
                                      << "'connect_timeout' must be a whole number";
    // Milliseconds past INT_MAX would wrap a timer around: fire at once, or never.
    QTest::newRow("timeout-overflows-timer") << "postgresql://h/d?connect_timeout=2147484"
                                             << "'connect_timeout' is too large: at most 2147483";
    QTest::newRow("timeout-overflows-int") << "postgresql://h/d?connect_timeout=99999999999999"
                                           << "'connect_timeout' is too large";
    QTest::newRow("option-no-value") << "postgresql://h/d?sslmode"
                                     << "not of the form key=value";
    QTest::newRow("host-twice") << "postgresql://h/d?host=/tmp"
                                << "the host is given twice";
    QTest::newRow("slash-in-db") << "postgresql://h/d/e"
                                 << "must not contain '/'";
    QTest::newRow("fragment") << "postgresql://h/d#x"
                              << "fragment";
    QTest::newRow("sqlite-host") << "sqlite://host/file.db"
                                 << "a SQLite URL has no host";
    QTest::newRow("sqlite-empty") << "sqlite:///"
                                  << "the SQLite file path is empty";
    QTest::newRow("sqlite-create") << "sqlite:///a.db?create=yes"
                                   << "'create' must be true or false";
    QTest::newRow("sqlite-option") << "sqlite:///a.db?sslmode=require"
                                   << "unknown option 'sslmode'";
    QTest::newRow("password-no-user") << "postgresql://:secret@h/d"
                                      << "without a user name";
    // libpq reads C strings: "tester%00evil" would log in as "tester" (issue 13).
    QTest::newRow("nul-in-user") << "postgresql://tester%00evil@h/d"
                                 << "the user contains %00 (a NUL byte)";
    QTest::newRow("nul-in-database") << "postgresql://u@h/db%00x"
                                     << "the database name contains %00";
    QTest::newRow("nul-in-password") << "postgresql://u:secret%00x@h/d"
                                     << "the password contains %00";
    QTest::newRow("nul-in-host") << "postgresql://u@h%00x/d"
                                 << "the host contains %00";
    QTest::newRow("nul-in-option") << "postgresql://u@h/d?application_name=a%00b"
                                   << "the query contains %00";
    QTest::newRow("ipv6-not-an-address")
        << QStringLiteral("postgres://u@[") + QChar(0) + QStringLiteral(":E ]:6543/d")
        << "is not an IPv6 address";
    QTest::newRow("nul-in-sqlite-path") << "sqlite:///a.db%00.txt"
                                        << "the path contains %00";
    // Host lists, refused where libpq refuses them.
    QTest::newRow("list-ports-mismatch") << "postgresql:///d?host=a,b&port=1,2,3"
                                         << "3 ports for 2 hosts";
    QTest::newRow("list-hostaddr-mismatch") << "postgresql://a,b/d?hostaddr=127.0.0.1"
                                            << "2 host names for 1 ?hostaddr= addresses";
    QTest::newRow("list-hostaddr-ports") << "postgresql:///d?hostaddr=127.0.0.1,::1&port=1,2,3"
                                         << "3 ports for 2 hosts";
    QTest::newRow("list-port-twice") << "postgresql://h1:1,h2/d?port=3"
                                     << "the port is given twice";
    QTest::newRow("list-host-twice") << "postgresql://h1,h2/d?host=a,b"
                                     << "the host is given twice";
    QTest::newRow("list-bad-port") << "postgresql://h1,h2:70000/d"
                                   << "port '70000' is not a number";
    QTest::newRow("list-bad-option-port") << "postgresql:///d?host=a,b&port=1,x"
                                          << "port 'x' is not a number";
    QTest::newRow("list-empty-port") << "postgresql://h1:,h2/d"
                                     << "the port after ':' is empty";
    QTest::newRow("list-ipv6-unclosed") << "postgresql://h1,[::1/d"
                                        << "missing its closing ']'";
    QTest::newRow("list-comma-in-name") << "postgresql://h1,h%2Cx/d"
                                        << "a host name must not contain ','";
    QTest::newRow("target-session-attrs") << "postgresql://h1,h2/d?target_session_attrs=master"
                                          << "option 'target_session_attrs' is 'master': it must "
                                             "be one of any, read-write, read-only, primary, "
                                             "standby, prefer-standby";
    QTest::newRow("list-password-bad-port") << "postgresql://u:secret@h1:1,h2:x/d"
                                            << "port 'x' is not a number";
}

void TestDatabaseUrl::bad()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    try {
        DatabaseUrl::parse(text);
        QFAIL("parse() accepted a bad URL");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::InvalidUrl);
        QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
        QVERIFY2(!e.message().contains(QLatin1String("secret")), qPrintable(e.message()));
    }
}

void TestDatabaseUrl::displayMasksPassword()
{
    const DatabaseUrl url =
        DatabaseUrl::parse("postgresql://ann:s3cr%21t@h:5432/d?sslmode=require");
    QCOMPARE(url.password(), QStringLiteral("s3cr!t"));
    QCOMPARE(url.toDisplayString(),
             QStringLiteral("postgresql://ann:***@h:5432/d?sslmode=require"));
    QVERIFY(!url.toDisplayString().contains(QLatin1String("s3cr")));
    // An error about a URL with a password never quotes it either.
    try {
        DatabaseUrl::parse("postgresql://ann:hunter2@h:bad/d");
        QFAIL("accepted");
    } catch (const Error &e) {
        QVERIFY2(!e.toString().contains(QLatin1String("hunter2")), e.what());
        // Not even the user name: with an unencoded ':' or '@' in a password, what looks like
        // one may be part of it.
        QVERIFY2(e.toString().contains(QLatin1String("postgresql://***@h:bad/d")), e.what());
        QVERIFY2(!e.toString().contains(QLatin1String("ann")), e.what());
    }
}

void TestDatabaseUrl::roundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("pg")
        << "postgresql://an%40n:p%3Aw@h:5433/my%20db?connect_timeout=3&sslmode=disable";
    QTest::newRow("ipv6") << "postgresql://u@[::1]:6000/d";
    QTest::newRow("socket") << "postgresql://u@/d?host=/run/postgresql";
    QTest::newRow("sqlite-abs") << "sqlite:////tmp/x.db";
    QTest::newRow("sqlite-rel") << "sqlite:///x.db?create=true";
    QTest::newRow("memory") << "sqlite://:memory:";
    // Found by tests/fuzz: a host with ':' and ']' was printed inside brackets it breaks.
    QTest::newRow("host-with-bracket") << "postgres://u@{::1]:6543/d";
    QTest::newRow("option-host-with-bracket") << "postgresql://u@/d?host=a%5D%3Ab";
    QTest::newRow("option-host-with-slash") << "postgresql://u@/d?host=a%3A%2Fb";
    QTest::newRow("ipv6-zone") << "postgresql://u@[fe80::1%eth0]:5432/d";
    QTest::newRow("list") << "postgresql://u:p,w@h1:5432,h2:5433/d?target_session_attrs=primary";
    QTest::newRow("list-ipv6") << "postgresql://[::1]:5432,[::1]:5433/d";
    QTest::newRow("list-default-port") << "postgresql://h1,h2:5433,[::1]/d";
    QTest::newRow("list-options") << "postgresql:///d?host=a,b&port=5433";
    QTest::newRow("list-sockets") << "postgresql://u@/d?host=/tmp,h2,::1&port=,5433,";
    QTest::newRow("list-hostaddr") << "postgresql:///d?hostaddr=127.0.0.1,::1&port=1,2";
    QTest::newRow("list-hostaddr-names") << "postgresql://a:1,b/d?hostaddr=127.0.0.1,::1";
    QTest::newRow("list-empty-entries") << "postgresql://,h2/d";
    QTest::newRow("list-bracket") << "postgresql:///d?host=a%5D%3Ab,c&port=1,2";
}

void TestDatabaseUrl::roundTrip()
{
    QFETCH(QString, text);
    const DatabaseUrl url = DatabaseUrl::parse(text);
    const DatabaseUrl again = DatabaseUrl::parse(url.toString());
    QCOMPARE(again.toString(), url.toString());
    QCOMPARE(again.password(), url.password());
    QCOMPARE(again.host(), url.host());
    QCOMPARE(again.hosts(), url.hosts());
    QCOMPARE(again.path(), url.path());
    QCOMPARE(again.options(), url.options());
}

void TestDatabaseUrl::connectTimeoutDefault()
{
    // A host that never answers must not hang anything: 10 s unless the URL says otherwise.
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d")).connectTimeoutSeconds(), 10);
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d?connect_timeout=3"))
                 .connectTimeoutSeconds(),
             3);
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d?connect_timeout=0"))
                 .connectTimeoutSeconds(),
             0); // libpq's "wait without a bound", asked for explicitly
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d?connect_timeout=2147483"))
                 .connectTimeoutSeconds(),
             DatabaseUrl::kMaxConnectTimeoutSeconds);

    // Preferences change the default for URLs that do not say; the URL still wins.
    const DatabaseUrl silent = DatabaseUrl::parse(QStringLiteral("postgresql://h/d"));
    DatabaseUrl::setDefaultConnectTimeoutSeconds(4);
    QCOMPARE(silent.connectTimeoutSeconds(), 4);
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d?connect_timeout=3"))
                 .connectTimeoutSeconds(),
             3);
    DatabaseUrl::setDefaultConnectTimeoutSeconds(-5); // clamped
    QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 0);
    DatabaseUrl::setDefaultConnectTimeoutSeconds(INT_MAX);
    QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), DatabaseUrl::kMaxConnectTimeoutSeconds);
    DatabaseUrl::setDefaultConnectTimeoutSeconds(DatabaseUrl::kDefaultConnectTimeoutSeconds);
    QCOMPARE(silent.connectTimeoutSeconds(), 10);
}

void TestDatabaseUrl::passwordOption()
{
    // As libpq takes it: ?password= is the password, shown masked, given to the driver whole.
    const DatabaseUrl url =
        DatabaseUrl::parse(QStringLiteral("postgresql://ann@h/d?password=Zq9%26x&sslmode=require"));
    QCOMPARE(url.password(), QStringLiteral("Zq9&x"));
    QVERIFY(url.hasPassword());
    QVERIFY(!url.options().contains(QStringLiteral("password")));
    QCOMPARE(url.toDisplayString(), QStringLiteral("postgresql://ann:***@h/d?sslmode=require"));
    QCOMPARE(DatabaseUrl::parse(url.toString()).password(), QStringLiteral("Zq9&x"));

    // Without a user, libpq's default user: the password stays an option.
    const DatabaseUrl noUser = DatabaseUrl::parse(QStringLiteral("postgresql://h/d?password=Zq9"));
    QCOMPARE(noUser.password(), QStringLiteral("Zq9"));
    QCOMPARE(noUser.toDisplayString(), QStringLiteral("postgresql://h/d?password=***"));
    QCOMPARE(DatabaseUrl::parse(noUser.toString()).password(), QStringLiteral("Zq9"));

    // Given twice: the option wins, as in libpq.
    const DatabaseUrl twice =
        DatabaseUrl::parse(QStringLiteral("postgresql://ann:Zq9one@h/d?password=Zq9two"));
    QCOMPARE(twice.password(), QStringLiteral("Zq9two"));
    QCOMPARE(twice.toDisplayString(), QStringLiteral("postgresql://ann:***@h/d"));
}

void TestDatabaseUrl::secretOptionsAreMasked()
{
    const DatabaseUrl url = DatabaseUrl::parse(
        QStringLiteral("postgresql://ann:Zq9pw@h/d?sslmode=require&sslpassword=Zq9key"));
    QCOMPARE(url.option(QStringLiteral("sslpassword")), QStringLiteral("Zq9key"));
    QCOMPARE(url.toDisplayString(),
             QStringLiteral("postgresql://ann:***@h/d?sslmode=require&sslpassword=***"));
    QVERIFY(url.toString().contains(QLatin1String("sslpassword=Zq9key")));
    // And in an error about such a URL.
    try {
        DatabaseUrl::parse(QStringLiteral("postgresql://h/d?sslpassword=Zq9key&sslmode=never"));
        QFAIL("accepted");
    } catch (const Error &e) {
        QVERIFY2(!e.toString().contains(QLatin1String("Zq9")), e.what());
        QVERIFY2(e.toString().contains(QLatin1String("sslpassword=***")), e.what());
    }
}

void TestDatabaseUrl::errorsNeverQuoteUserInfo_data()
{
    // Each URL is wrong somewhere, and its password ("Zq9" and the rest) holds characters that
    // URL syntax gives a meaning: the error must quote no piece of the user info.
    QTest::addColumn<QString>("text");
    QTest::newRow("question mark, bad port") << "postgresql://ann:Zq9?ab@h:99999/d";
    QTest::newRow("question mark makes an option") << "postgresql://ann:Zq9?x=y@h:0/d";
    QTest::newRow("at sign, bad port") << "postgresql://ann:Zq9@pq@h:nope/d";
    QTest::newRow("slash, bad option") << "postgresql://ann:Zq9/pq@h/d?sslmod=x";
    QTest::newRow("colon looks like a port") << "postgresql://ann:Zq9:5432@h:0/d";
    QTest::newRow("hash") << "postgresql://ann:Zq9#frag@h:x/d";
    QTest::newRow("unknown scheme") << "mysql://ann:Zq9pq@h/d";
    QTest::newRow("upper-case scheme") << "POSTGRESQL://ann:Zq9pq@h:-1/d";
    QTest::newRow("no scheme") << "ann:Zq9pq@h/d";
    QTest::newRow("bad escape in password") << "postgresql://ann:Zq9%zz@h/d";
    QTest::newRow("user name only") << "postgresql://Zq9user@h:x/d";
    QTest::newRow("password option") << "postgresql://h/d?password=Zq9pq&connect_timeout=x";
}

void TestDatabaseUrl::errorsNeverQuoteUserInfo()
{
    QFETCH(QString, text);
    try {
        DatabaseUrl::parse(text);
        QFAIL("parse() accepted a bad URL");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::InvalidUrl);
        for (const char *piece : {"Zq9", "pq@", "ab@", "ann"})
            QVERIFY2(!e.toString().contains(QLatin1String(piece)), e.what());
    }
}

void TestDatabaseUrl::unencodedPasswordParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("database");
    QTest::newRow("question mark") << "postgresql://ann:Zq9?ab@h/d"
                                   << "Zq9?ab"
                                   << "h"
                                   << "d";
    QTest::newRow("slash") << "postgresql://ann:Zq9/ab@h/d"
                           << "Zq9/ab"
                           << "h"
                           << "d";
    QTest::newRow("everything") << "postgresql://ann:Z@q9/?:x@h:5432/d?sslmode=require"
                                << "Z@q9/?:x"
                                << "h"
                                << "d";
    // An '@' in an option's value is not the end of the user info.
    QTest::newRow("at in an option") << "postgresql://ann:Zq9@h/d?application_name=me@home"
                                     << "Zq9"
                                     << "h"
                                     << "d";
    QTest::newRow("at in the database name") << "postgresql://h/d@b"
                                             << ""
                                             << "h"
                                             << "d@b";
}

void TestDatabaseUrl::unencodedPasswordParses()
{
    QFETCH(QString, text);
    QFETCH(QString, password);
    QFETCH(QString, host);
    QFETCH(QString, database);
    const DatabaseUrl url = DatabaseUrl::parse(text);
    QCOMPARE(url.password(), password);
    QCOMPARE(url.host(), host);
    QCOMPARE(url.databaseName(), database);
    if (!password.isEmpty()) {
        QCOMPARE(url.user(), QStringLiteral("ann"));
        QVERIFY(!url.toDisplayString().contains(password));
    }
    QCOMPARE(DatabaseUrl::parse(url.toString()).password(), password);
}

void TestDatabaseUrl::withoutSecrets()
{
    const DatabaseUrl url = DatabaseUrl::parse(
        QStringLiteral("POSTGRESQL://ann:Z@q9/x@h:6543/d?sslpassword=Zq9key&sslmode=require"));
    const QString stripped = url.withoutSecrets().toString();
    QCOMPARE(stripped, QStringLiteral("postgresql://ann@h:6543/d?sslmode=require"));
    QVERIFY(!url.withoutSecrets().hasPassword());
}

void TestDatabaseUrl::hostLists_data()
{
    // Every host-list form libpq takes, and the hosts it tries: "h1:5432,[::1],h3" as
    // hostsText() gives them (no port: libpq's default).
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("hosts");
    QTest::newRow("host-port pairs") << "postgresql://u:pw@h1:5432,h2:5433/db"
                                     << "h1:5432,h2:5433";
    QTest::newRow("ipv6 pairs") << "postgresql://[::1]:5432,[::1]:5433/db"
                                << "[::1]:5432,[::1]:5433";
    QTest::newRow("default port") << "postgresql://h1,h2:5433/db"
                                  << "h1,h2:5433";
    QTest::newRow("mixed") << "postgresql://h1:5432,[fe80::1%eth0],127.0.0.1:7/db"
                           << "h1:5432,[fe80::1%eth0],127.0.0.1:7";
    QTest::newRow("option lists") << "postgresql:///db?host=a,b&port=1,2"
                                  << "a:1,b:2";
    QTest::newRow("one port for all") << "postgresql:///db?host=a,b&port=5433"
                                      << "a:5433,b:5433";
    QTest::newRow("option hosts only") << "postgresql:///db?host=a,::1"
                                       << "a,[::1]";
    QTest::newRow("authority hosts, option port") << "postgresql://a,b/db?port=5433"
                                                  << "a:5433,b:5433";
    QTest::newRow("authority port, option hosts") << "postgresql://:5433/db?host=a,b"
                                                  << "a:5433,b:5433";
    QTest::newRow("option port entries empty") << "postgresql:///db?host=a,b&port=,5433"
                                               << "a,b:5433";
    QTest::newRow("hostaddr only") << "postgresql:///db?hostaddr=127.0.0.1,::1&port=1,2"
                                   << ":1,:2";
    QTest::newRow("hostaddr with names") << "postgresql://h1,h2/db?hostaddr=127.0.0.1,::1"
                                         << "h1,h2";
    QTest::newRow("socket dirs") << "postgresql:///db?host=/tmp,/run/postgresql&port=5432,"
                                 << "/tmp:5432,/run/postgresql";
    QTest::newRow("encoded socket in authority") << "postgresql://%2Ftmp,h2/db"
                                                 << "/tmp,h2";
    QTest::newRow("empty entry") << "postgresql://,h2/db"
                                 << ",h2";
    QTest::newRow("single host") << "postgresql://h1:5432/db"
                                 << "h1:5432";
    QTest::newRow("single option port") << "postgresql://h1/db?port=6000"
                                        << "h1:6000";
}

void TestDatabaseUrl::hostLists()
{
    QFETCH(QString, text);
    QFETCH(QString, hosts);
    const DatabaseUrl url = DatabaseUrl::parse(text);
    QCOMPARE(url.hostsText(), hosts);
    QCOMPARE(url.isHostList(), url.hosts().size() > 1);
    // host() and port() are the first host's.
    QCOMPARE(url.host(), url.hosts().first().host);
    QCOMPARE(url.port(), url.hosts().first().port);
    // ?host= and ?port= become the list: they are not left as options.
    QVERIFY(!url.options().contains(QStringLiteral("host")));
    QVERIFY(!url.options().contains(QStringLiteral("port")));
    // Printed and parsed again, the same hosts (the round trip).
    const DatabaseUrl again = DatabaseUrl::parse(url.toString());
    QCOMPARE(again.hosts(), url.hosts());
    QCOMPARE(again.toString(), url.toString());
    QCOMPARE(DatabaseUrl::parse(url.toDisplayString()).hosts(), url.hosts());
    QCOMPARE(url.withoutSecrets().hosts(), url.hosts());
}

void TestDatabaseUrl::hostListParts()
{
    using HostPort = DatabaseUrl::HostPort;
    const DatabaseUrl url =
        DatabaseUrl::parse(QStringLiteral("postgresql://ann:pw@h1:5432,[::1]:5433,h3/shop"));
    QCOMPARE(url.hosts(), (QList<HostPort>{{"h1", 5432}, {"::1", 5433}, {"h3", 0}}));
    QCOMPARE(url.host(), QStringLiteral("h1"));
    QCOMPARE(url.port(), 5432);
    QCOMPARE(url.user(), QStringLiteral("ann"));
    QCOMPARE(url.password(), QStringLiteral("pw"));
    QCOMPARE(url.databaseName(), QStringLiteral("shop"));
    QCOMPARE(url.toString(), QStringLiteral("postgresql://ann:pw@h1:5432,[::1]:5433,h3/shop"));

    const DatabaseUrl options =
        DatabaseUrl::parse(QStringLiteral("postgresql:///shop?host=h1,h2&port=6000"));
    QCOMPARE(options.hosts(), (QList<HostPort>{{"h1", 6000}, {"h2", 6000}}));
    QCOMPARE(options.toString(), QStringLiteral("postgresql://h1:6000,h2:6000/shop"));

    // A socket directory cannot stand in the authority: the whole list goes to ?host=.
    const DatabaseUrl socket = DatabaseUrl::parse(QStringLiteral("postgresql://h1:1,%2Ftmp/d"));
    QCOMPARE(socket.toString(), QStringLiteral("postgresql:///d?host=h1,/tmp&port=1,"));

    // SQLite has no hosts; a PostgreSQL URL has at least one (libpq's default, if none given).
    QVERIFY(DatabaseUrl::parse(QStringLiteral("sqlite:///a.db")).hosts().isEmpty());
    QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql:///d")).hosts(),
             (QList<HostPort>{{QString(), 0}}));
}

void TestDatabaseUrl::targetSessionAttrs_data()
{
    QTest::addColumn<QString>("value");
    for (const char *value :
         {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"})
        QTest::newRow(value) << QString::fromLatin1(value);
}

void TestDatabaseUrl::targetSessionAttrs()
{
    QFETCH(QString, value);
    const DatabaseUrl url = DatabaseUrl::parse(
        QStringLiteral("postgresql://h1:5432,h2:5433/d?target_session_attrs=") + value);
    QCOMPARE(url.option(QStringLiteral("target_session_attrs")), value);
    QCOMPARE(DatabaseUrl::parse(url.toString()).option(QStringLiteral("target_session_attrs")),
             value);
}

void TestDatabaseUrl::hostListDisplay_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");
    QTest::newRow("authority") << "postgresql://ann:Zq9pw@h1:5432,[::1]:5433/d?sslpassword=Zq9key&"
                                  "target_session_attrs=read-write"
                               << "postgresql://ann:***@h1:5432,[::1]:5433/d?sslpassword=***&"
                                  "target_session_attrs=read-write";
    QTest::newRow("option lists") << "postgresql://ann@/d?host=/tmp,h2&port=5432,5433&"
                                     "password=Zq9pw"
                                  << "postgresql://ann:***@/d?host=/tmp,h2&port=5432,5433";
    QTest::newRow("no user") << "postgresql://h1,h2/d?password=Zq9pw"
                             << "postgresql://h1,h2/d?password=***";
    QTest::newRow("comma in password") << "postgresql://ann:Zq9,h3:1@h1,h2/d"
                                       << "postgresql://ann:***@h1,h2/d";
}

void TestDatabaseUrl::hostListDisplay()
{
    QFETCH(QString, text);
    QFETCH(QString, shown);
    const DatabaseUrl url = DatabaseUrl::parse(text);
    QCOMPARE(url.toDisplayString(), shown);
    QVERIFY(!url.toDisplayString().contains(QLatin1String("Zq9")));
    QCOMPARE(DatabaseUrl::parse(url.toDisplayString()).hosts(), url.hosts());
    QCOMPARE(DatabaseUrl::parse(url.toString()).password(), url.password());
}

QTEST_GUILESS_MAIN(TestDatabaseUrl)
#include "tst_database_url.moc"
