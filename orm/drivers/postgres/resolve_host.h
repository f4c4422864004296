#pragma once

#include <QCoro/QCoroTask>
#include <QString>

namespace orm::detail {

// Resolves a host name to one numeric address without blocking the calling thread:
// getaddrinfo runs on a helper thread and the awaiting coroutine resumes on its own thread.
// libpq resolves names synchronously inside PQconnectPoll, so the PostgreSQL driver hands it
// the address this returns (hostaddr) and keeps the name (host) for TLS and messages.
// Throws Error(ConnectionFailed) naming the host when the name does not resolve.
QCoro::Task<QString> resolveHost(QString host, QString displayUrl);

// True for what needs no lookup: empty, a socket directory, an IPv4 or IPv6 literal.
bool isNumericOrLocalHost(const QString &host);

} // namespace orm::detail
