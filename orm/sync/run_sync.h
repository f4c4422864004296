#pragma once

// runSync: from synchronous code, run a coroutine to completion and return its value
// (Edgy's run_sync).
//
// - No event loop running on the calling thread (a plain main(), a worker without exec()):
//   the work runs on a local QEventLoop of this thread, one per thread, reused across calls.
// - The calling thread's loop is running (a slot on the GUI thread): the work runs on this
//   thread's *subloop*, a worker thread with its own event loop, created on first need and
//   reused; the caller blocks on a condition variable, so none of its timers or events run
//   meanwhile (no nested QEventLoop). A subloop ends when its parent thread finishes or the
//   application quits. Work handed to a subloop must be a callable that creates the task there.
// - With an explicit thread, the callable runs on that thread's (running) event loop.
//
// An exception thrown by the work is rethrown to the caller. With a timeout, the caller gets
// Error(Timeout) when it elapses, and the statements the work has running on that thread are
// cancelled. A QCoreApplication must exist.

#include "orm/core/error.h"
#include "orm/detail/sync_outcome.h"

#include <QCoro/QCoroTask>

#include <chrono>
#include <functional>
#include <memory>
#include <type_traits>

class QThread;

namespace orm {

struct RunSyncOptions {
    // 0: wait as long as it takes.
    std::chrono::milliseconds timeout{0};
    // Run on this thread's event loop (which must be running) instead of choosing.
    QThread *thread = nullptr;
};

namespace detail {

// True while the calling thread's event loop runs (QThread::loopLevel() > 0).
bool eventLoopRunning();
// Runs the calling thread's reusable local loop until `outcome` is done or the timeout ends;
// false on timeout.
bool runLocalLoop(SyncOutcome &outcome, std::chrono::milliseconds timeout);
// Posts `job` to the calling thread's subloop (created on first need), or to `thread`.
void post(QThread *thread, std::function<void()> job);
// Blocks the calling thread until `outcome` is done or the timeout ends; false on timeout.
bool block(SyncOutcome &outcome, std::chrono::milliseconds timeout);
// The thread post(nullptr, ...) would use from here; starts the subloop if needed.
QThread *subloopThread();
// How many subloops are alive (for tests: none may be leaked).
int subloopCount();
// How many local loops were ever created, over all threads (for tests: one per thread).
int localLoopsCreated();
// Cancels the statements that pooled connections of `thread` are running (runSync timeouts).
void cancelWorkOn(QThread *thread);
[[noreturn]] void throwTimeout(std::chrono::milliseconds timeout);

template <typename T>
struct TaskValue;
template <typename T>
struct TaskValue<QCoro::Task<T>> {
    using type = T;
};

} // namespace detail

// Runs a task that was already created on this thread; only possible while this thread's loop
// is not running (there is no other thread to move a started coroutine to).
template <typename T>
T runSync(QCoro::Task<T> task, RunSyncOptions options = {})
{
    if (detail::eventLoopRunning() || options.thread)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("runSync(task) while this thread's event loop runs: pass a "
                                   "callable that creates the task, so it can run on a subloop"));
    auto state = std::make_shared<detail::SyncState<T>>();
    detail::driveInto<T>(std::move(task), state);
    if (!detail::runLocalLoop(*state, options.timeout)) {
        detail::cancelWorkOn(nullptr);
        detail::throwTimeout(options.timeout);
    }
    return detail::takeValue(*state);
}

// Runs `makeTask()` (a callable returning a QCoro::Task) to completion: on a local loop, on the
// subloop, or on options.thread, as the header comment explains.
template <typename F>
requires std::is_invocable_v<F>
auto runSync(F makeTask, RunSyncOptions options = {})
{
    using T = typename detail::TaskValue<std::invoke_result_t<F>>::type;
    if (!options.thread && !detail::eventLoopRunning())
        return runSync<T>(makeTask(), options);

    auto state = std::make_shared<detail::SyncState<T>>();
    auto job = std::make_shared<F>(std::move(makeTask));
    QThread *target = options.thread ? options.thread : detail::subloopThread();
    detail::post(target, [job, state] {
        try {
            detail::driveInto<T>((*job)(), state);
        } catch (...) { // the callable itself threw before making a task
            state->finish(std::current_exception());
        }
    });
    if (!detail::block(*state, options.timeout)) {
        detail::cancelWorkOn(target);
        detail::throwTimeout(options.timeout);
    }
    return detail::takeValue(*state);
}

template <typename F>
requires std::is_invocable_v<F>
auto runSync(F makeTask, std::chrono::milliseconds timeout)
{
    return runSync(std::move(makeTask), RunSyncOptions{timeout, nullptr});
}

} // namespace orm
