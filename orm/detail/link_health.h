#pragma once

#include <QString>

#include <functional>
#include <mutex>

namespace orm::detail {

// Whether a Database's link to its server is known to be broken: a pooled connection died, or
// opening a new one failed. Shared by the Database and its pools (which may outlive it and run
// on other threads), hence its own lock. The Database listens, to say "connection lost" and
// "reconnected" truthfully instead of "connected" with the server down.
class LinkHealth {
public:
    // (lost, reason) on every change; called on the reporting pool's thread. Null stops it.
    using Listener = std::function<void(bool lost, const QString &reason)>;
    void setListener(Listener listener);

    // A connection broke or could not be opened: reported once until the link is healthy again.
    void lost(const QString &reason);
    // A connection was opened or handed out fine: reported once after a loss, with the reason
    // "reconnected", or "reconnected to HOST:PORT after failover" when `server` (where the
    // connection is; empty when unknown) differs from where the last healthy one was.
    void healthy(const QString &server = {});
    bool isLost() const;
    // Forgets a loss without reporting (the database was disconnected).
    void reset();

private:
    // Held while the listener runs, so that setListener(nullptr) cannot return while a report
    // is under way; recursive, as the listener's receivers may start work that reports again.
    std::recursive_mutex m_listenerMutex;
    Listener m_listener;
    mutable std::mutex m_mutex; // guards m_lost, m_server; never held while the listener runs
    bool m_lost = false;
    QString m_server; // where the last healthy connection was
};

} // namespace orm::detail
