#pragma once

// A loopback listener that accepts connections and never answers: a host that has gone silent
// (a firewall dropping replies, a server frozen in the kernel). The kernel completes the TCP
// handshake for the backlog, so a client connects and then waits for a reply that never comes.
// Loopback only, as every fault test here.

#include <QHostAddress>
#include <QString>
#include <QTcpServer>

namespace strata::test {

class SilentListener {
public:
    SilentListener() { m_server.listen(QHostAddress::LocalHost); }

    quint16 port() const { return m_server.serverPort(); }
    // A PostgreSQL URL pointing at it; `options` is appended as the query ("connect_timeout=1").
    QString postgresUrl(const QString &options = {}) const
    {
        QString url = QStringLiteral("postgresql://strata:secret@127.0.0.1:%1/silent").arg(port());
        if (!options.isEmpty())
            url += QLatin1Char('?') + options;
        return url;
    }

private:
    QTcpServer m_server; // never read from: accepted sockets stay silent until it is destroyed
};

} // namespace strata::test
