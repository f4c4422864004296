#pragma once

// Test-only: drive a QCoro task to completion from a synchronous Qt Test function, with a
// deadline. (Production code uses orm::runSync; tests of the driver layer must not depend on it.)

#include <QCoro/QCoroTask>
#include <QEventLoop>
#include <QTimer>
#include <QtGlobal>

#include <exception>
#include <optional>

namespace strata::test {

namespace detail {
struct Outcome {
    bool done = false;
    std::exception_ptr error;
};

template <typename T>
QCoro::Task<> drive(QCoro::Task<T> task, std::optional<T> *value, Outcome *outcome,
                    QEventLoop *loop)
{
    try {
        value->emplace(co_await task);
    } catch (...) {
        outcome->error = std::current_exception();
    }
    outcome->done = true;
    loop->quit();
}

inline QCoro::Task<> driveVoid(QCoro::Task<> task, Outcome *outcome, QEventLoop *loop)
{
    try {
        co_await task;
    } catch (...) {
        outcome->error = std::current_exception();
    }
    outcome->done = true;
    loop->quit();
}

inline void wait(detail::Outcome &outcome, QEventLoop &loop, int timeoutMs)
{
    if (!outcome.done) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    // The coroutine still points at this frame: there is no safe way to go on.
    if (!outcome.done)
        qFatal("test task did not finish within %d ms", timeoutMs);
    if (outcome.error)
        std::rethrow_exception(outcome.error);
}
} // namespace detail

// Runs the task to completion and returns its value, rethrowing what it threw.
template <typename T>
T await(QCoro::Task<T> task, int timeoutMs = 30000)
{
    QEventLoop loop;
    detail::Outcome outcome;
    std::optional<T> value;
    auto driver = detail::drive<T>(std::move(task), &value, &outcome, &loop);
    detail::wait(outcome, loop, timeoutMs);
    return std::move(*value);
}

inline void await(QCoro::Task<> task, int timeoutMs = 30000)
{
    QEventLoop loop;
    detail::Outcome outcome;
    auto driver = detail::driveVoid(std::move(task), &outcome, &loop);
    detail::wait(outcome, loop, timeoutMs);
}

} // namespace strata::test
