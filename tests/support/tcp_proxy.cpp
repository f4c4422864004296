#include "support/tcp_proxy.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <deque>
#include <future>
#include <utility>

namespace strata::test {

struct TcpProxy::Shared {
    std::atomic<qint64> latencyMs{0};
    std::atomic<bool> refuseNew{false};
    std::atomic<bool> stalled{false};
    std::atomic<int> open{0};
};

namespace {

// One proxied connection: the accepted client socket and its upstream socket. Deletes itself
// once both sides are closed.
// Q_OBJECT so that findChildren<Link *>() in cutAll() matches links only.
class Link : public QObject {
    Q_OBJECT

public:
    Link(QTcpSocket *client, const QString &host, quint16 port, TcpProxy::Shared &shared,
         QObject *parent)
        : QObject(parent)
        , m_shared(shared)
        , m_client(client)
        , m_up(new QTcpSocket(this))
    {
        m_client->setParent(this);
        m_toUp.to = m_up;
        m_toClient.to = m_client;
        ++m_shared.open;

        wire(m_client, m_toUp);
        wire(m_up, m_toClient);
        connect(m_up, &QTcpSocket::connected, this, [this] {
            m_upConnected = true;
            flush(m_toUp); // what the client sent during setup
        });
        // Upstream unreachable: nothing to forward to, so drop the client too.
        connect(m_up, &QTcpSocket::errorOccurred, this, [this] {
            if (!m_upConnected)
                finish();
        });
        // Setup latency: the upstream connection starts `latency` after the client arrived.
        QTimer::singleShot(latency(), Qt::PreciseTimer, this, [this, host, port] {
            m_upStarted = true;
            m_up->connectToHost(host, port);
        });
    }

    // Aborts both sides at once (no latency) and schedules deletion. Idempotent.
    void finish()
    {
        if (m_done)
            return;
        m_done = true; // before abort(): its disconnected() must not queue anything
        --m_shared.open;
        m_client->abort();
        m_up->abort();
        deleteLater(); // also cancels this link's pending timers
    }

    // Forwards what a stall held.
    void resume()
    {
        flush(m_toUp);
        flush(m_toClient);
    }

private:
    struct Direction {
        QTcpSocket *to = nullptr;
        std::deque<QByteArray> inFlight; // waiting out the latency; a null array stands for EOF
        QByteArray held;                 // due, but `to` is not connected yet
        bool eof = false;                // EOF due: close `to` after `held`
    };

    std::chrono::milliseconds latency() const
    {
        return std::chrono::milliseconds(m_shared.latencyMs.load());
    }

    // Whatever `from` receives goes, delayed, to the other side; its close becomes a delayed EOF.
    void wire(QTcpSocket *from, Direction &d)
    {
        connect(from, &QTcpSocket::readyRead, this,
                [this, from, &d] { delay(d, from->readAll()); });
        connect(from, &QTcpSocket::disconnected, this, [this, from, &d] {
            if (from->bytesAvailable() > 0)
                delay(d, from->readAll());
            delay(d, QByteArray());
            maybeFinish();
        });
    }

    void delay(Direction &d, QByteArray chunk)
    {
        if (m_done || (!chunk.isNull() && chunk.isEmpty()))
            return;
        d.inFlight.push_back(std::move(chunk));
        // Each timer releases the oldest chunk rather than "its own": writes stay in arrival
        // order even if the latency changes (or timers tie) while chunks are in flight.
        QTimer::singleShot(latency(), Qt::PreciseTimer, this, [this, &d] {
            QByteArray chunk = std::move(d.inFlight.front());
            d.inFlight.pop_front();
            if (chunk.isNull())
                d.eof = true;
            else
                d.held += chunk;
            flush(d);
            maybeFinish();
        });
    }

    void flush(Direction &d)
    {
        if (d.to->state() != QAbstractSocket::ConnectedState || m_shared.stalled)
            return; // upstream still connecting or stalled: keep it; peer gone: dropped with it
        if (!d.held.isEmpty())
            d.to->write(std::exchange(d.held, {}));
        if (d.eof)
            d.to->disconnectFromHost(); // graceful: flushes the write buffer first
    }

    void maybeFinish()
    {
        const bool upClosed = m_upStarted && m_up->state() == QAbstractSocket::UnconnectedState;
        if (upClosed && m_client->state() == QAbstractSocket::UnconnectedState &&
            m_toUp.inFlight.empty() && m_toClient.inFlight.empty())
            finish();
    }

    TcpProxy::Shared &m_shared;
    QTcpSocket *m_client;
    QTcpSocket *m_up;
    Direction m_toUp, m_toClient;
    bool m_upStarted = false;
    bool m_upConnected = false;
    bool m_done = false;
};

} // namespace

// The listening side; lives (and dies) on the proxy thread, as do all its links.
class TcpProxy::Server : public QObject {
public:
    Server(QString host, quint16 port, Shared &shared)
        : m_host(std::move(host))
        , m_port(port)
        , m_shared(shared)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                if (m_shared.refuseNew) {
                    client->abort();
                    client->deleteLater();
                    continue;
                }
                new Link(client, m_host, m_port, m_shared, this);
            }
        });
    }

    quint16 listen()
    {
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qWarning("TcpProxy: cannot listen: %s", qPrintable(m_server.errorString()));
        return m_server.serverPort();
    }

    void cutAll()
    {
        for (Link *link : findChildren<Link *>(Qt::FindDirectChildrenOnly))
            link->finish();
    }

    void resumeAll()
    {
        for (Link *link : findChildren<Link *>(Qt::FindDirectChildrenOnly))
            link->resume();
    }

private:
    QTcpServer m_server{this};
    const QString m_host;
    const quint16 m_port;
    Shared &m_shared;
};

TcpProxy::TcpProxy(QString targetHost, quint16 targetPort, std::chrono::milliseconds latency)
    : m_shared(std::make_unique<Shared>())
{
    m_shared->latencyMs = latency.count();
    std::promise<quint16> bound;
    std::future<quint16> port = bound.get_future();
    // The server is a local of the thread function, so it and every socket are created and
    // destroyed on the proxy thread; quit() ends the loop.
    m_thread.reset(QThread::create([this, &bound, host = std::move(targetHost), targetPort] {
        Server server(host, targetPort, *m_shared);
        m_server = &server;
        QEventLoop loop;
        bound.set_value(server.listen()); // `bound` dies with the constructor: touch it last
        loop.exec();
    }));
    m_thread->setObjectName(QStringLiteral("TcpProxy"));
    m_thread->start();
    m_port = port.get(); // also publishes m_server to this thread
}

TcpProxy::~TcpProxy()
{
    m_thread->quit();
    m_thread->wait();
}

void TcpProxy::setLatency(std::chrono::milliseconds latency)
{
    m_shared->latencyMs = latency.count();
}

void TcpProxy::cutAll()
{
    // Blocking, so the connections are gone when this returns; direct if already on the thread.
    const auto type = QThread::currentThread() == m_thread.get() ? Qt::DirectConnection
                                                                 : Qt::BlockingQueuedConnection;
    QMetaObject::invokeMethod(
        m_server, [server = m_server] { server->cutAll(); }, type);
}

void TcpProxy::setRefuseNew(bool refuse)
{
    m_shared->refuseNew = refuse;
}

void TcpProxy::setStalled(bool stalled)
{
    m_shared->stalled = stalled;
    if (!stalled)
        QMetaObject::invokeMethod(m_server, [server = m_server] { server->resumeAll(); });
}

int TcpProxy::openConnections() const
{
    return m_shared->open.load();
}

} // namespace strata::test

#include "tcp_proxy.moc"
