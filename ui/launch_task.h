#pragma once

// launchTask: the one way the window starts database work it does not await.
//
// A widget (or any QObject) hands over a running task, what to do with its value and what to do
// when it fails. The callbacks run on the context's thread once the task ends, and only while
// the context is alive: a widget closed meanwhile is never called back. Every exception ends in
// the error callback, so no failure is lost in a coroutine nobody awaits.
//
//     launchTask(this, registry->reflectedModels(db, schema),
//                [this](QList<orm::Model> models) { show(models); },
//                [this](const TaskFailure &failure) { log(failure.message); });
//
// Destroying the context does not cancel the task (QCoro's tasks cannot be cancelled from
// outside): work that must stop with the widget is cancelled through its own token.

#include "orm/core/error.h"

#include <QCoro/QCoroTask>
#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>
#include <type_traits>
#include <utility>

namespace strata::ui {

// How a launched task failed: the ORM's error when it was one, else a plain exception's text.
struct TaskFailure {
    QString message;                 // for people: orm::Error::toString(), or what()
    std::optional<orm::Error> error; // empty for exceptions that are not orm::Error

    bool isKind(orm::Error::Kind kind) const { return error && error->kind() == kind; }
};

namespace detail {

// Top-level, so it catches everything; the callbacks are parameters (stored in the frame), not
// captures of a coroutine lambda, which would dangle after the first suspension.
template <typename T, typename OnValue, typename OnError>
QCoro::Task<> driveLaunched(QPointer<QObject> context, QCoro::Task<T> task, OnValue onValue,
                            OnError onError)
{
    std::optional<TaskFailure> failure;
    std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> value;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(task);
            value.emplace(true);
        } else {
            value.emplace(co_await std::move(task));
        }
    } catch (const orm::Error &error) {
        failure = TaskFailure{error.toString(), error};
    } catch (const std::exception &error) {
        failure = TaskFailure{QString::fromUtf8(error.what()), std::nullopt};
    }
    if (!context)
        co_return;
    // Outside the try: an exception thrown by a callback is a bug to see, not a task failure.
    if (failure)
        onError(*failure);
    else if constexpr (std::is_void_v<T>)
        onValue();
    else
        onValue(std::move(*value));
}

} // namespace detail

template <typename T, typename OnValue, typename OnError>
void launchTask(QObject *context, QCoro::Task<T> task, OnValue onValue, OnError onError)
{
    detail::driveLaunched<T>(QPointer<QObject>(context), std::move(task), std::move(onValue),
                             std::move(onError));
}

} // namespace strata::ui
