#pragma once

// Waking suspended coroutines, possibly from another thread, always on their own thread: a
// coroutine that waits belongs to the QObject that stands for its thread (threadContext()), and
// whoever wakes it posts the resumption to that object's thread. WaitQueue is built on these.

#include <QObject>

#include <coroutine>

namespace orm {

// A QObject living on the calling thread, created on first use, destroyed when the thread ends.
QObject *threadContext();

// Resumes `handle` from the event loop of `context`'s thread (never inline: the waker may hold
// locks or be inside a destructor).
void resumeOn(QObject *context, std::coroutine_handle<> handle);

// co_await NextTurn{}: resumes the coroutine on the next turn of its thread's event loop (the
// caller, a click say, gets the loop back first).
struct NextTurn {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) const { resumeOn(threadContext(), handle); }
    void await_resume() const noexcept {}
};

} // namespace orm
