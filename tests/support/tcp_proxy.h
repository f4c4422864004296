#pragma once

// A loopback TCP proxy for benchmarks and fault tests: adds latency, cuts or refuses connections.
//
//   strata::test::TcpProxy proxy(QStringLiteral("127.0.0.1"), pgPort, 20ms);
//   connect to 127.0.0.1:proxy.listenPort() instead of pgPort ... proxy.cutAll();
//
// The proxy runs its own thread and event loop, so it keeps forwarding while the thread that owns
// it is busy or blocked (e.g. in a synchronous driver call). All public methods are thread-safe.

#include <QString>

#include <chrono>
#include <memory>

class QThread;

namespace strata::test {

class TcpProxy {
public:
    // Forwards 127.0.0.1:<listenPort()> to targetHost:targetPort.
    TcpProxy(QString targetHost, quint16 targetPort, std::chrono::milliseconds latency = {});
    // Stops the thread and closes every socket.
    ~TcpProxy();
    TcpProxy(const TcpProxy &) = delete;
    TcpProxy &operator=(const TcpProxy &) = delete;

    // The OS-chosen port, bound before the constructor returns (0 if listening failed).
    quint16 listenPort() const { return m_port; }
    // Delay before connecting upstream, and for every chunk in each direction (order preserved).
    // Applies to connections and chunks that arrive from now on.
    void setLatency(std::chrono::milliseconds latency);
    // Aborts every open connection now, both sides (a dropped connection mid-query).
    void cutAll();
    // While set, new incoming connections are closed at once (the OS still completes the accept).
    void setRefuseNew(bool refuse);
    // While set, no byte goes through in either direction, on open and new connections alike:
    // a link gone silent with its sockets open. What arrives meanwhile is held and forwarded,
    // in order, once it is cleared.
    void setStalled(bool stalled);
    // Connections accepted and not yet torn down.
    int openConnections() const;

    // Implementation details (defined in tcp_proxy.cpp).
    struct Shared; // state read across threads (atomics)
    class Server;  // lives on the proxy thread

private:
    std::unique_ptr<Shared> m_shared;
    std::unique_ptr<QThread> m_thread;
    Server *m_server = nullptr; // owned by the proxy thread; valid while it runs
    quint16 m_port = 0;
};

} // namespace strata::test
