// The one masking function (orm/core/secrets.h): every form a password takes in text that is
// shown or kept (URLs, libpq conninfo, SQL) comes out as "***", and nothing else changes.
#include "orm/core/secrets.h"

#include <QTest>

class TestSecrets : public QObject {
    Q_OBJECT

private slots:
    void masks_data();
    void masks();
    void leavesTheRestAlone_data();
    void leavesTheRestAlone();
    void secretOptions();
};

void TestSecrets::masks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("masked");

    QTest::newRow("url") << "could not connect to postgresql://ann:Zq9secret@h:5432/d"
                         << "could not connect to postgresql://ann:***@h:5432/d";
    QTest::newRow("url upper-case scheme") << "POSTGRESQL://ann:Zq9secret@h/d"
                                           << "POSTGRESQL://ann:***@h/d";
    // Unencoded '@' and '/' belong to the password: all of it goes.
    QTest::newRow("url password with @ and /") << "postgresql://ann:Zq9@se/cr@et@h/d x"
                                               << "postgresql://ann:***@h/d x";
    QTest::newRow("url password with ?") << "postgresql://ann:Zq9?sec=ret@h/d"
                                         << "postgresql://ann:***@h/d";
    QTest::newRow("password option") << "postgresql://ann@h/d?password=Zq9secret&sslmode=require"
                                     << "postgresql://ann@h/d?password=***&sslmode=require";
    QTest::newRow("sslpassword option") << "postgresql://h/d?sslmode=require&sslpassword=Zq9key"
                                        << "postgresql://h/d?sslmode=require&sslpassword=***";
    QTest::newRow("conninfo") << "SELECT dblink_connect('host=h password=Zq9secret dbname=d')"
                              << "SELECT dblink_connect('host=h password=*** dbname=d')";
    QTest::newRow("conninfo quoted") << "host=h password = 'Zq9 sec\\'ret' user=ann"
                                     << "host=h password = '***' user=ann";
    QTest::newRow("conninfo sslpassword") << "sslpassword=Zq9key sslmode=require"
                                          << "sslpassword=*** sslmode=require";
    QTest::newRow("conninfo upper-case") << "PASSWORD=Zq9secret"
                                         << "PASSWORD=***";
    QTest::newRow("alter role") << "ALTER ROLE ann PASSWORD 'Zq9secret';"
                                << "ALTER ROLE ann PASSWORD '***';";
    QTest::newRow("alter role doubled quote") << "alter role ann with password 'Zq9''s';"
                                              << "alter role ann with password '***';";
    QTest::newRow("create role encrypted") << "CREATE ROLE ann LOGIN ENCRYPTED PASSWORD 'Zq9'"
                                           << "CREATE ROLE ann LOGIN ENCRYPTED PASSWORD '***'";
    QTest::newRow("escape string") << "ALTER USER ann PASSWORD E'Zq9\\'x'"
                                   << "ALTER USER ann PASSWORD '***'";
    QTest::newRow("dollar quoted") << "ALTER ROLE ann PASSWORD $pw$Zq9 ' secret$pw$ VALID UNTIL 'x'"
                                   << "ALTER ROLE ann PASSWORD '***' VALID UNTIL 'x'";
    QTest::newRow("multi-line") << "ALTER ROLE ann\n  PASSWORD\n  'Zq9secret'"
                                << "ALTER ROLE ann\n  PASSWORD\n  '***'";
    QTest::newRow("unquoted word")
        << "ALTER ROLE ann WITH LOGIN PASSWORD Zq9secret VALID UNTIL 'x';"
        << "ALTER ROLE ann WITH LOGIN PASSWORD *** VALID UNTIL 'x';";
    QTest::newRow("unquoted, lower case") << "create user ann password Zq9secret"
                                          << "create user ann password ***";
    QTest::newRow("quote still open") << "SELECT 1;\nALTER ROLE ann PASSWORD 'Zq9secr"
                                      << "SELECT 1;\nALTER ROLE ann PASSWORD '***'";
    QTest::newRow("dollar quote still open") << "ALTER ROLE ann PASSWORD $$Zq9sec"
                                             << "ALTER ROLE ann PASSWORD '***'";
    QTest::newRow("user mapping") << "CREATE USER MAPPING FOR me SERVER s OPTIONS (user 'u', "
                                     "password 'Zq9secret')"
                                  << "CREATE USER MAPPING FOR me SERVER s OPTIONS (user 'u', "
                                     "password '***')";
}

void TestSecrets::masks()
{
    QFETCH(QString, text);
    QFETCH(QString, masked);
    const QString out = orm::maskSecrets(text);
    QCOMPARE(out, masked);
    QVERIFY(!out.contains(QLatin1String("Zq9")));
    // Masking what is masked changes nothing.
    QCOMPARE(orm::maskSecrets(out), out);
}

void TestSecrets::leavesTheRestAlone_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("url without password") << "postgresql://ann@h:5432/d?sslmode=require";
    QTest::newRow("sqlite url") << "sqlite:////tmp/a@b/c.db?create=true";
    QTest::newRow("password null") << "ALTER ROLE ann PASSWORD NULL";
    QTest::newRow("password column") << "SELECT password FROM users ORDER BY password DESC";
    QTest::newRow("role without password") << "ALTER ROLE ann LOGIN; SELECT password FROM t";
    QTest::newRow("other column") << "SELECT user_password=1, passwords FROM t";
    QTest::newRow("plain text") << "connection failed: password authentication failed for ann";
}

void TestSecrets::leavesTheRestAlone()
{
    QFETCH(QString, text);
    QCOMPARE(orm::maskSecrets(text), text);
}

void TestSecrets::secretOptions()
{
    QVERIFY(orm::isSecretOption(QStringLiteral("password")));
    QVERIFY(orm::isSecretOption(QStringLiteral("sslpassword")));
    QVERIFY(orm::isSecretOption(QStringLiteral("SSLPassword")));
    QVERIFY(!orm::isSecretOption(QStringLiteral("sslkey"))); // a path
    QVERIFY(!orm::isSecretOption(QStringLiteral("passfile")));
    QVERIFY(!orm::isSecretOption(QStringLiteral("sslmode")));
}

QTEST_APPLESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
