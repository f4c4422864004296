#pragma once

#include "orm/core/error.h"
#include "orm/core/thread_context.h"
#include "orm/core/wait_queue.h"
#include "orm/detail/link_health.h"
#include "orm/drivers/connection.h"

#include <QMap>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

class QThread;

namespace orm::detail {

// The databases every SQLite connection of one Database has attached (Database::attach).
// ATTACH is per connection, so each connection catches up with this list when it is opened and
// before it is handed out. Shared by the Database and its pools (which may outlive it), hence
// its own lock.
class AttachmentList {
public:
    struct Entry {
        QString path;
        quint64 serial = 0; // tells a re-attach of the same name (maybe a new file) apart
    };
    using Entries = std::map<QString, Entry>;

    // Bumped by every change: a connection that has seen this generation has nothing to do.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }
    std::pair<quint64, Entries> snapshot() const;
    void attach(const QString &schema, const QString &path);
    bool detach(const QString &schema);
    QMap<QString, QString> paths() const;

private:
    mutable std::mutex m_mutex;
    std::atomic<quint64> m_generation{0};
    quint64 m_serial = 0;
    Entries m_entries;
};

// What one connection has attached so far.
struct AppliedAttachments {
    quint64 generation = 0;
    std::map<QString, quint64> serials; // schema -> AttachmentList::Entry::serial
};

// Brings a connection's attachments in line with `list` (a no-op except on SQLite). Never
// throws: a failed ATTACH is logged, and the statement that needs it reports the missing schema.
QCoro::Task<> applyAttachments(drivers::Connection *connection,
                               std::shared_ptr<const AttachmentList> list,
                               AppliedAttachments *applied);

// The connections one Database holds on one thread. Created by the Database on any thread,
// then used only on its own thread (connections are thread-affine).
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
    ConnectionPool(DatabaseUrl url, int maxSize,
                   std::shared_ptr<const AttachmentList> attachments = {},
                   std::shared_ptr<LinkHealth> health = {});

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

    // Cancels the statements running on connections in use, of the leases numbered up to
    // `upTo` (a runSync timeout: leases taken after it belong to later work).
    void cancelRunning(quint64 upTo = std::numeric_limits<quint64>::max());
    // The number of the latest lease take() handed out; readable from any thread.
    quint64 lastLease() const { return m_lastLease.load(); }

    // Every live pool of `thread` (any Database), for closing them as that thread ends.
    static std::vector<std::shared_ptr<ConnectionPool>> poolsOf(QThread *thread);
    // Makes the pool findable by poolsOf(); done by its Database right after creating it.
    static void track(const std::shared_ptr<ConnectionPool> &pool);
    // Closes every pool of the calling thread, running a local event loop until done: for a
    // thread about to end, whose own loop has stopped.
    static void closeAllOfThisThreadNow();

    // Closed pools are never handed out again (a thread that ended closed it).
    bool isClosed() const { return m_closed.load(); }

    int size() const { return int(m_idle.size() + m_busy.size()) + m_opening; }

private:
    QCoro::Task<std::unique_ptr<drivers::Connection>> openNew();
    Error closedError() const;
    // Runs the ATTACH/DETACH statements a connection has missed since it last was handed out.
    QCoro::Task<> catchUp(drivers::Connection *connection);
    // Closes a leased connection under its holder (close() after its grace), after `before`.
    QCoro::Task<> forceClose(std::shared_ptr<ConnectionPool> self, QCoro::Task<> before,
                             drivers::Connection *connection);
    // Closes a connection the pool no longer keeps, after the cancel sent to it (if any) is done.
    QCoro::Task<> retire(std::shared_ptr<ConnectionPool> self,
                         std::unique_ptr<drivers::Connection> connection);

    const DatabaseUrl m_url;
    const int m_maxSize;
    const std::shared_ptr<const AttachmentList> m_attachments;
    const std::shared_ptr<LinkHealth> m_health; // told when connections break or open again
    std::map<drivers::Connection *, AppliedAttachments> m_applied;
    QThread *const m_thread;
    const QPointer<QObject> m_context;
    std::atomic<bool> m_closed = false; // read by poolForCurrentThread on other threads
    int m_opening = 0;
    std::set<drivers::Connection *> m_openingConnections; // opened by openNew(), not yet open
    WaitQueue m_closeFinished;                            // closed while close() runs
    std::vector<std::unique_ptr<drivers::Connection>> m_idle;
    std::map<drivers::Connection *, quint64> m_busy; // by lease number
    std::atomic<quint64> m_lastLease = 0;
    // Cancels sent to a connection: close() and retire() wait for them, and take() before it
    // hands the connection out again (else a late cancel would hit the next statement).
    std::map<drivers::Connection *, QCoro::Task<>> m_cancels;
    int m_retiring = 0;
    int m_forceClosing = 0;
    WaitQueue m_released;
};

// Closes a connection in the background and then frees it (for a lease's one-off connection).
void closeDetached(std::unique_ptr<drivers::Connection> connection);

} // namespace orm::detail
