#include "support/tcp_proxy.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace std::chrono_literals;
using strata::test::TcpProxy;

namespace {

// Echoes every byte back; counts connections (atomics: may run on its own thread).
class EchoServer : public QObject {
public:
    EchoServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++accepted;
                ++open;
                connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                connect(s, &QTcpSocket::disconnected, s, [this, s] {
                    --open;
                    s->deleteLater();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }

    std::atomic<int> accepted{0};
    std::atomic<int> open{0};

private:
    QTcpServer m_server{this};
};

// Reads until `size` bytes arrived or the timeout passed, running this thread's event loop.
QByteArray readExactly(QTcpSocket &s, qsizetype size, int timeoutMs = 20000)
{
    QByteArray out;
    QDeadlineTimer deadline(timeoutMs);
    while (out.size() < size && !deadline.hasExpired()) {
        if (s.bytesAvailable() == 0) {
            QSignalSpy ready(&s, &QTcpSocket::readyRead);
            ready.wait(int(qMax<qint64>(1, deadline.remainingTime())));
        }
        out += s.read(size - out.size());
    }
    return out;
}

bool connectTo(QTcpSocket &s, quint16 port)
{
    QSignalSpy connected(&s, &QTcpSocket::connected);
    s.connectToHost(QHostAddress::LocalHost, port);
    return s.state() == QAbstractSocket::ConnectedState || connected.wait(5000);
}

} // namespace

class TstTcpProxy : public QObject {
    Q_OBJECT

private slots:
    void bindsBeforeConstructorReturns()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        QVERIFY(proxy.listenPort() != 0);
        QVERIFY(proxy.listenPort() != echo.port());
        QCOMPARE(proxy.openConnections(), 0);
    }

    void forwardsMegabyteByteExact()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        QByteArray payload(1024 * 1024, Qt::Uninitialized);
        QRandomGenerator gen(42);
        gen.fillRange(reinterpret_cast<quint32 *>(payload.data()), payload.size() / 4);

        QTcpSocket client;
        QVERIFY(connectTo(client, proxy.listenPort()));
        client.write(payload);
        const QByteArray back = readExactly(client, payload.size());
        QCOMPARE(back.size(), payload.size());
        QVERIFY(back == payload); // QCOMPARE would print a megabyte on failure
    }

    void latencyDelaysSetupAndEachDirection()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port(), 200ms);
        QTcpSocket client;

        // Setup: upstream connects no earlier than `latency` after the client did.
        QElapsedTimer setup;
        setup.start();
        QVERIFY(connectTo(client, proxy.listenPort()));
        QTRY_COMPARE_WITH_TIMEOUT(echo.accepted.load(), 1, 5000);
        QVERIFY2(setup.elapsed() >= 200, qPrintable(QString::number(setup.elapsed())));

        // Established connection: request and reply each wait 200 ms.
        QElapsedTimer rtt;
        rtt.start();
        client.write("ping");
        QCOMPARE(readExactly(client, 4, 5000), QByteArray("ping"));
        const qint64 ms = rtt.elapsed();
        QVERIFY2(ms >= 400 && ms < 1500, qPrintable(QStringLiteral("round trip %1 ms").arg(ms)));

        // Back to zero: fast again.
        proxy.setLatency(0ms);
        rtt.restart();
        client.write("pong");
        QCOMPARE(readExactly(client, 4, 5000), QByteArray("pong"));
        QVERIFY2(rtt.elapsed() < 400, qPrintable(QString::number(rtt.elapsed())));
    }

    void latencyPreservesOrder()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port(), 50ms);
        QTcpSocket client;
        QVERIFY(connectTo(client, proxy.listenPort()));
        QByteArray expected;
        for (int i = 0; i < 50; ++i) {
            const QByteArray chunk = QByteArray::number(i) + ';';
            expected += chunk;
            client.write(chunk);
            client.flush();
            if (i == 25)
                proxy.setLatency(0ms); // later chunks must not overtake earlier ones
            QTest::qWait(2);
        }
        QCOMPARE(readExactly(client, expected.size(), 5000), expected);
    }

    void cutAllDropsBothSides()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        QTcpSocket client;
        QVERIFY(connectTo(client, proxy.listenPort()));
        client.write("x");
        QCOMPARE(readExactly(client, 1, 5000), QByteArray("x"));
        QCOMPARE(proxy.openConnections(), 1);
        QCOMPARE(echo.open.load(), 1);

        QSignalSpy disconnected(&client, &QTcpSocket::disconnected);
        proxy.cutAll();
        QCOMPARE(proxy.openConnections(), 0); // cutAll() blocks until done
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 5000);
        QCOMPARE(client.state(), QAbstractSocket::UnconnectedState);
        QTRY_COMPARE_WITH_TIMEOUT(echo.open.load(), 0, 5000);

        // The proxy itself keeps serving.
        QTcpSocket again;
        QVERIFY(connectTo(again, proxy.listenPort()));
        again.write("y");
        QCOMPARE(readExactly(again, 1, 5000), QByteArray("y"));
    }

    void refuseNewClosesAtOnce()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        proxy.setRefuseNew(true);

        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, proxy.listenPort());
        // The OS may complete the handshake first; either way the socket ends closed.
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 5000);
        QCOMPARE(proxy.openConnections(), 0);
        QCOMPARE(echo.accepted.load(), 0);

        proxy.setRefuseNew(false);
        QTcpSocket again;
        QVERIFY(connectTo(again, proxy.listenPort()));
        again.write("z");
        QCOMPARE(readExactly(again, 1, 5000), QByteArray("z"));
    }

    // A stalled link passes nothing either way, on open and new connections, and loses
    // nothing: once cleared, what was held arrives in order.
    void stallHoldsEverythingUntilCleared()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        QTcpSocket open;
        QVERIFY(connectTo(open, proxy.listenPort()));
        open.write("a");
        QCOMPARE(readExactly(open, 1, 5000), QByteArray("a"));

        proxy.setStalled(true);
        open.write("bc");
        QTcpSocket fresh;
        QVERIFY(connectTo(fresh, proxy.listenPort())); // the handshake is the proxy's own
        fresh.write("x");
        QCOMPARE(readExactly(open, 1, 500), QByteArray());
        QCOMPARE(readExactly(fresh, 1, 200), QByteArray());

        proxy.setStalled(false);
        QCOMPARE(readExactly(open, 2, 5000), QByteArray("bc"));
        QCOMPARE(readExactly(fresh, 1, 5000), QByteArray("x"));
    }

    void openConnectionsCounts()
    {
        EchoServer echo;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo.port());
        QTcpSocket a, b;
        QVERIFY(connectTo(a, proxy.listenPort()));
        QVERIFY(connectTo(b, proxy.listenPort()));
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(echo.open.load(), 2, 5000);

        a.disconnectFromHost(); // a clean close propagates upstream and tears the link down
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(echo.open.load(), 1, 5000);
        b.abort();
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(echo.open.load(), 0, 5000);
    }

    void upstreamCloseReachesClient()
    {
        auto *echo = new EchoServer;
        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo->port());
        QTcpSocket client;
        QVERIFY(connectTo(client, proxy.listenPort()));
        QTRY_COMPARE_WITH_TIMEOUT(echo->open.load(), 1, 5000);
        QSignalSpy disconnected(&client, &QTcpSocket::disconnected);
        delete echo; // closes the server side
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 0, 5000);
    }

    void unreachableUpstreamDropsClient()
    {
        quint16 deadPort;
        {
            QTcpServer s;
            QVERIFY(s.listen(QHostAddress::LocalHost, 0));
            deadPort = s.serverPort();
        }
        TcpProxy proxy(QStringLiteral("127.0.0.1"), deadPort);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, proxy.listenPort());
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.openConnections(), 0, 5000);
    }

    // The point of the proxy's own thread: it forwards while the owning thread blocks. Here the
    // test thread runs no event loop at all (blocking socket calls); the echo has its own thread.
    void forwardsWhileOwnerBlocks()
    {
        QThread echoThread;
        auto *echo = new EchoServer;
        echo->moveToThread(&echoThread);
        connect(&echoThread, &QThread::finished, echo, &QObject::deleteLater);
        echoThread.start();
        auto stopEcho = qScopeGuard([&] {
            echoThread.quit();
            echoThread.wait();
        });

        TcpProxy proxy(QStringLiteral("127.0.0.1"), echo->port(), 20ms);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, proxy.listenPort());
        QVERIFY(client.waitForConnected(5000));
        client.write("blocked");
        QVERIFY(client.waitForBytesWritten(5000));
        QByteArray back;
        while (back.size() < 7 && client.waitForReadyRead(5000))
            back += client.readAll();
        QCOMPARE(back, QByteArray("blocked"));
    }
};

QTEST_GUILESS_MAIN(TstTcpProxy)
#include "tst_tcp_proxy.moc"
