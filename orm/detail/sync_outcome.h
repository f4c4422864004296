#pragma once

// Driving a task to its end into a shared outcome that another thread (or a loop run by hand)
// waits on: the meeting point of runSync (orm/sync) and of the pool closing an ending thread's
// connections. Apart from both, so that neither depends on the other.

#include <QCoro/QCoroTask>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

class QEventLoop;

namespace orm::detail {

// Where the outcome of a runSync call meets its caller. Shared, so that work that finishes
// after a timeout writes into live memory.
struct SyncOutcome {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::exception_ptr error;
    QEventLoop *localLoop = nullptr; // set while the local-loop path waits

    void finish(std::exception_ptr failure);
};

template <typename T>
struct SyncState : SyncOutcome {
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
};

template <typename T>
QCoro::Task<> driveInto(QCoro::Task<T> task, std::shared_ptr<SyncState<T>> state)
{
    std::exception_ptr failure;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await task;
            state->value.emplace(true);
        } else {
            state->value.emplace(co_await task);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    state->finish(failure);
}

template <typename T>
T takeValue(SyncState<T> &state)
{
    if (state.error)
        std::rethrow_exception(state.error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*state.value);
}

} // namespace orm::detail
