// The window tells the truth about a database whose server went away: the Connections menu and
// the tree say "connection lost" (not "connected") once a query met the fault, and "connected"
// again once a connection opens. The fault is real: a loopback proxy in front of the test server
// cuts every link and refuses new ones. PostgreSQL only: nothing can take a SQLite file away.

#include "main_window_fixture.h"
#include "support/proxied_url.h"
#include "support/tcp_proxy.h"

class TestConnectionState : public QObject {
    Q_OBJECT

private slots:
    void menuAndTreeSayLostThenConnected();
};

void TestConnectionState::menuAndTreeSayLostThenConnected()
{
    const QString base = strata::test::postgresUrl();
    if (base.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    const orm::DatabaseUrl pg = orm::DatabaseUrl::parse(base);
    strata::test::TcpProxy proxy(pg.host(), quint16(pg.port()));
    orm::Registry registry(strata::test::throughProxy(base, proxy) +
                           QStringLiteral("?connect_timeout=2"));
    MainWindow window(&registry);
    window.show();
    strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
    QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
    QAction *entry = window.connectionAction(QString());
    QTRY_VERIFY_WITH_TIMEOUT(entry->text().contains(QStringLiteral("connected")), 10000);

    proxy.setRefuseNew(true);
    proxy.cutAll();
    QTRY_COMPARE(proxy.openConnections(), 0);
    // Anything that queries meets the fault: here a query of the primary, as the grid's would.
    try {
        strata::test::await(registry.database()->execute(QStringLiteral("SELECT 1")), 20000);
        QFAIL("a query reached a server that is down");
    } catch (const orm::Error &) {
    }
    QTRY_VERIFY_WITH_TIMEOUT(entry->text().contains(QStringLiteral("connection lost")), 10000);
    QVERIFY2(!entry->text().contains(QStringLiteral("— connected")), qPrintable(entry->text()));
    QStandardItem *node = window.treeModel()->item(0);
    QTRY_VERIFY_WITH_TIMEOUT(node->text().contains(QStringLiteral("connection lost")), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        window.logPane()->lines().join(u'\n').contains(QStringLiteral("connection lost")), 10000);

    proxy.setRefuseNew(false);
    QCOMPARE(strata::test::await(registry.database()->execute(QStringLiteral("SELECT 2")))
                 .value(0, 0)
                 .toInt(),
             2);
    QTRY_VERIFY_WITH_TIMEOUT(entry->text().contains(QStringLiteral("connected")), 10000);
    QVERIFY(!entry->text().contains(QStringLiteral("lost")));
    QTRY_VERIFY_WITH_TIMEOUT(
        window.logPane()->lines().join(u'\n').contains(QStringLiteral("reconnected")), 10000);
    strata::test::await(registry.disconnect(true));
}

QTEST_MAIN(TestConnectionState)
#include "tst_connection_state.moc"
