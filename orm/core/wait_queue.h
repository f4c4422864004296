#pragma once

// Coroutines that wait for something another coroutine (or thread) signals: a connect that is
// under way, a pooled connection released, a console session going idle. A waiter is always
// resumed on its own thread, from its event loop (orm/detail/wakeup.h); the list of waiters is
// guarded by a std::mutex, so the hand-off is plain to reason about.

#include <QObject>
#include <QPointer>

#include <coroutine>
#include <mutex>
#include <vector>

namespace orm {

// Coroutines wait until the next notifyAll() (or, with open(), until the gate is open).
class WaitQueue {
public:
    struct Awaiter {
        WaitQueue *queue;
        bool await_ready() const noexcept { return queue->isOpen(); }
        bool await_suspend(std::coroutine_handle<> handle) { return queue->enqueue(handle); }
        void await_resume() const noexcept {}
    };

    // Suspends until notifyAll(), or passes at once while the queue is open.
    Awaiter wait() { return Awaiter{this}; }
    void notifyAll();
    // Open: waiters pass at once and the present ones are woken. Closed again by close().
    void open();
    void close();
    bool isOpen() const;

private:
    bool enqueue(std::coroutine_handle<> handle);

    mutable std::mutex m_mutex;
    bool m_open = false;
    std::vector<std::pair<QPointer<QObject>, std::coroutine_handle<>>> m_waiters;
};

} // namespace orm
