#pragma once

#include "../drivers/connection.h"
#include "wakeup.h"

#include <QPointer>

#include <chrono>
#include <map>

#include <memory>
#include <set>
#include <vector>

class QThread;

namespace orm::detail {

// The connections one Database holds on one thread. Created by the Database on any thread,
// then used only on its own thread (connections are thread-affine).
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
    ConnectionPool(DatabaseUrl url, int maxSize);

    QThread *thread() const { return m_thread; }
    // The object standing for the pool's thread; null once that thread has ended.
    QObject *context() const { return m_context.data(); }

    // An idle connection, or a new one while fewer than maxSize exist, or the next one given
    // back. Throws the driver's error when opening fails, or ConnectionLost once closed.
    QCoro::Task<std::unique_ptr<drivers::Connection>> take();
    // A freshly opened connection into the idle list (connect() uses it to prove the database
    // is reachable).
    QCoro::Task<> openOne();
    void giveBack(std::unique_ptr<drivers::Connection> connection);
    // Closes the idle connections, cancels the statements of those in use and waits (up to
    // `grace`) until they are given back and closed too. Later take() calls fail.
    // Connections still leased after `grace` are closed under their holders.
    QCoro::Task<> close(std::chrono::milliseconds grace = std::chrono::seconds(2));
    // close() posted to the pool's own thread, for a Database disconnected from another thread.
    static void closeOnItsThread(std::shared_ptr<ConnectionPool> pool);

    // Cancels the statements running on connections in use (a runSync timeout).
    void cancelRunning();

    // Every live pool of `thread` (any Database), for closing them as that thread ends.
    static std::vector<std::shared_ptr<ConnectionPool>> poolsOf(QThread *thread);
    // Makes the pool findable by poolsOf(); done by its Database right after creating it.
    static void track(const std::shared_ptr<ConnectionPool> &pool);
    // Closes every pool of the calling thread, running a local event loop until done: for a
    // thread about to end, whose own loop has stopped.
    static void closeAllOfThisThreadNow();

    int size() const { return int(m_idle.size() + m_busy.size()) + m_opening; }

private:
    QCoro::Task<std::unique_ptr<drivers::Connection>> openNew();
    // Closes a leased connection under its holder (close() after its grace), after `before`.
    QCoro::Task<> forceClose(std::shared_ptr<ConnectionPool> self, QCoro::Task<> before,
                             drivers::Connection *connection);
    // Closes a connection the pool no longer keeps, after the cancel sent to it (if any) is done.
    QCoro::Task<> retire(std::shared_ptr<ConnectionPool> self,
                         std::unique_ptr<drivers::Connection> connection);

    const DatabaseUrl m_url;
    const int m_maxSize;
    QThread *const m_thread;
    const QPointer<QObject> m_context;
    bool m_closed = false;
    int m_opening = 0;
    std::vector<std::unique_ptr<drivers::Connection>> m_idle;
    std::set<drivers::Connection *> m_busy;
    std::map<drivers::Connection *, QCoro::Task<>> m_cancels; // sent by close(), not yet done
    int m_retiring = 0;
    int m_forceClosing = 0;
    WaitQueue m_released;
};

// Closes a connection in the background and then frees it (for a lease's one-off connection).
void closeDetached(std::unique_ptr<drivers::Connection> connection);

} // namespace orm::detail
