// libpq host lists against the real test server (tests/support/with-postgres.sh): the driver
// tries the hosts in order, skips those that refuse, stay silent or do not resolve, honours
// target_session_attrs as libpq reads it, and says which hosts it tried when none will do.
// The other hosts are loopback ports nothing serves on (refused, or accepting and silent).

#include "postgres_suite.h"
#include "support/loopback_ports.h"

#include "orm/core/error.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

using namespace orm;
using orm::drivers::PostgresConnection;
using strata::test::await;
using Kind = Error::Kind;

namespace {

using strata::test::errorOf;

using strata::test::closedPort;
using strata::test::SilentServer;

} // namespace

class TestPostgresMultihost : public strata::test::PostgresSuite {
    Q_OBJECT

    DatabaseUrl m_server;

    // A URL for the test server's database and user, with `hosts` as the authority
    // ("127.0.0.1:1,127.0.0.1:5432") and `query` after '?'.
    QString urlWith(const QString &hosts, const QString &query = {}) const
    {
        QString url = QStringLiteral("postgresql://%1:%2@%3/%4")
                          .arg(m_server.user(),
                               QString::fromLatin1(QUrl::toPercentEncoding(m_server.password())),
                               hosts, m_server.databaseName());
        if (!query.isEmpty())
            url += QLatin1Char('?') + query;
        return url;
    }
    QString real() const { return QStringLiteral("127.0.0.1:%1").arg(m_server.port()); }

    // Where a connection landed: the server's port as it sees it.
    int serverPort(PostgresConnection &c)
    {
        return exec(c, QStringLiteral("select inet_server_port()")).text(0, 0).toInt();
    }

    void verifyNoPassword(const Error &e)
    {
        QVERIFY2(!e.toString().contains(m_server.password()), qPrintable(e.toString()));
        QVERIFY2(!e.database().contains(m_server.password()), qPrintable(e.database()));
    }

private slots:
    void initTestCase()
    {
        STRATA_REQUIRE_POSTGRES();
        m_server = DatabaseUrl::parse(m_url);
        QCOMPARE(m_server.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(m_server.port() > 0);
    }

    void firstHostRefused()
    {
        const int closed = closedPort();
        auto c = connect(urlWith(QStringLiteral("127.0.0.1:%1,").arg(closed) + real()));
        QCOMPARE(serverPort(*c), m_server.port());
    }

    // libpq applies connect_timeout per host; in asynchronous mode the driver does, then tries
    // the next host.
    void firstHostSilent()
    {
        SilentServer silent;
        QElapsedTimer clock;
        clock.start();
        auto c = connect(urlWith(QStringLiteral("127.0.0.1:%1,").arg(silent.port()) + real(),
                                 QStringLiteral("connect_timeout=1")));
        const qint64 elapsed = clock.elapsed();
        QCOMPARE(serverPort(*c), m_server.port());
        QVERIFY2(elapsed >= 900 && elapsed < 4000, qPrintable(QString::number(elapsed)));
    }

    // prefer-standby's second pass takes any server: one silent host must not cost it the
    // primary that came before it in the list.
    void preferStandbyPastSilent()
    {
        SilentServer silent;
        auto c = connect(urlWith(real() + QStringLiteral(",127.0.0.1:%1").arg(silent.port()),
                                 QStringLiteral("connect_timeout=1&target_session_attrs="
                                                "prefer-standby")));
        QCOMPARE(serverPort(*c), m_server.port());
    }

    void allSilentTimesOutNamingHosts()
    {
        SilentServer first;
        SilentServer second;
        const QString hosts =
            QStringLiteral("127.0.0.1:%1,127.0.0.1:%2").arg(first.port()).arg(second.port());
        PostgresConnection c(
            DatabaseUrl::parse(urlWith(hosts, QStringLiteral("connect_timeout=1"))));
        QElapsedTimer clock;
        clock.start();
        const std::optional<Error> e = errorOf(c.open(), 10000);
        const qint64 elapsed = clock.elapsed();
        QVERIFY(e);
        QCOMPARE(e->kind(), Kind::Timeout);
        // One connect_timeout per host: about 2 s in all.
        QVERIFY2(elapsed >= 1800 && elapsed < 5000, qPrintable(QString::number(elapsed)));
        QVERIFY2(e->message().startsWith(QStringLiteral("could not connect within 1 s to any of ") +
                                         hosts),
                 qPrintable(e->message()));
        for (const SilentServer *s : {&first, &second})
            QVERIFY2(e->message().contains(
                         QStringLiteral("port %1 failed: no answer within 1 s").arg(s->port())),
                     qPrintable(e->message()));
        verifyNoPassword(*e);
        QVERIFY(!c.isOpen());
    }

    void allRefusedNamesHosts()
    {
        const int one = closedPort();
        const int two = closedPort();
        PostgresConnection c(
            DatabaseUrl::parse(urlWith(QStringLiteral("127.0.0.1:%1,[::1]:%2").arg(one).arg(two))));
        const std::optional<Error> e = errorOf(c.open());
        QVERIFY(e);
        QCOMPARE(e->kind(), Kind::ConnectionFailed);
        // libpq's own message, one line per host tried.
        QVERIFY2(
            e->message().contains(
                QStringLiteral("connection to server at \"127.0.0.1\", port %1 failed").arg(one)),
            qPrintable(e->message()));
        QVERIFY2(e->message().contains(
                     QStringLiteral("connection to server at \"::1\", port %1 failed").arg(two)),
                 qPrintable(e->message()));
        verifyNoPassword(*e);
    }

    void optionLists()
    {
        const int closed = closedPort();
        auto c = connect(urlWith(QString(), QStringLiteral("host=127.0.0.1,127.0.0.1&port=%1,%2")
                                                .arg(closed)
                                                .arg(m_server.port())));
        QCOMPARE(serverPort(*c), m_server.port());
        // One port for all hosts.
        auto same = connect(urlWith(
            QString(), QStringLiteral("host=127.0.0.1,127.0.0.1&port=%1").arg(m_server.port())));
        QCOMPARE(serverPort(*same), m_server.port());
    }

    // Names are resolved off the thread, one address each; one that does not resolve is
    // skipped as libpq skips it.
    void namesInTheList()
    {
        const int closed = closedPort();
        auto c = connect(urlWith(QStringLiteral("no-such-host.invalid:%1,localhost:%2")
                                     .arg(closed)
                                     .arg(m_server.port())));
        QCOMPARE(serverPort(*c), m_server.port());

        PostgresConnection bad(DatabaseUrl::parse(
            urlWith(QStringLiteral("no-such-host.invalid,127.0.0.1:%1").arg(closed))));
        const std::optional<Error> e = errorOf(bad.open(), 20000);
        QVERIFY(e);
        QCOMPARE(e->kind(), Kind::ConnectionFailed);
        QVERIFY2(
            e->message().contains(QLatin1String("could not resolve host 'no-such-host.invalid'")),
            qPrintable(e->message()));
        QVERIFY2(e->message().contains(QStringLiteral("port %1 failed").arg(closed)),
                 qPrintable(e->message()));
        verifyNoPassword(*e);
    }

    // The URL's own addresses: names are kept for libpq, never looked up.
    void hostaddrList()
    {
        const int closed = closedPort();
        auto c = connect(urlWith(QStringLiteral("no-such-host.invalid:%1,also-not.invalid:%2")
                                     .arg(closed)
                                     .arg(m_server.port()),
                                 QStringLiteral("hostaddr=127.0.0.1,127.0.0.1")));
        QCOMPARE(serverPort(*c), m_server.port());
    }

    void targetSessionAttrsConnect_data()
    {
        QTest::addColumn<QString>("attrs");
        for (const char *value : {"any", "read-write", "primary", "prefer-standby"})
            QTest::newRow(value) << QString::fromLatin1(value);
    }

    // The test server is a primary: each of these lands on it, past a host that refuses.
    void targetSessionAttrsConnect()
    {
        QFETCH(QString, attrs);
        const int closed = closedPort();
        auto c = connect(urlWith(QStringLiteral("127.0.0.1:%1,").arg(closed) + real(),
                                 QStringLiteral("target_session_attrs=") + attrs));
        QCOMPARE(serverPort(*c), m_server.port());
        QCOMPARE(exec(*c, QStringLiteral("select pg_is_in_recovery()")).text(0, 0),
                 QStringLiteral("f"));
        auto alone = connect(urlWith(real(), QStringLiteral("target_session_attrs=") + attrs));
        QCOMPARE(serverPort(*alone), m_server.port());
    }

    void noStandbyFound_data()
    {
        QTest::addColumn<QString>("attrs");
        QTest::addColumn<QString>("summary");
        QTest::newRow("standby") << "standby"
                                 << "no standby server was found among";
        QTest::newRow("read-only") << "read-only"
                                   << "no read-only server was found among";
    }

    void noStandbyFound()
    {
        QFETCH(QString, attrs);
        QFETCH(QString, summary);
        const int closed = closedPort();
        const QString hosts = QStringLiteral("127.0.0.1:%1,").arg(closed) + real();
        PostgresConnection c(
            DatabaseUrl::parse(urlWith(hosts, QStringLiteral("target_session_attrs=") + attrs)));
        const std::optional<Error> e = errorOf(c.open());
        QVERIFY(e);
        QCOMPARE(e->kind(), Kind::ConnectionFailed);
        QVERIFY2(e->message().startsWith(summary + QLatin1Char(' ') + hosts +
                                         QStringLiteral(" (target_session_attrs=") + attrs +
                                         QStringLiteral("):")),
                 qPrintable(e->message()));
        // And libpq's word for each host it tried.
        QVERIFY2(e->message().contains(QStringLiteral("port %1 failed").arg(closed)),
                 qPrintable(e->message()));
        QVERIFY2(e->message().contains(QStringLiteral("port %1 failed: ").arg(m_server.port())),
                 qPrintable(e->message()));
        verifyNoPassword(*e);
        QVERIFY(!c.isOpen());
    }
};

QTEST_GUILESS_MAIN(TestPostgresMultihost)
#include "tst_postgres_multihost.moc"
