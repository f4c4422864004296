#pragma once

// Waking suspended coroutines, possibly from another thread, always on their own thread.
//
// A coroutine that waits registers its handle with the QObject that stands for its thread
// (threadContext()). Whoever wakes it posts the resumption to that object's thread: the waiter
// list itself is guarded by a std::mutex, so the hand-off is plain to reason about.

#include <QObject>
#include <QPointer>

#include <coroutine>
#include <mutex>
#include <vector>

namespace orm::detail {

// A QObject living on the calling thread, created on first use, destroyed when the thread ends.
QObject *threadContext();

// Resumes `handle` from the event loop of `context`'s thread (never inline: the waker may hold
// locks or be inside a destructor).
void resumeOn(QObject *context, std::coroutine_handle<> handle);

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

} // namespace orm::detail
