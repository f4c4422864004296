#pragma once

// CPU work that must not stall the awaiting thread (comparing 500 tenants, splitting a 10 MB
// script, freeing 10,000 staged changes) runs on Strata's own thread pool and hands its value
// back on the awaiting thread.
//
//   auto split = [script] { return splitSql(script, Dialect::Sqlite); };
//   QCoro::Task<QList<SqlStatement>> splitting = orm::offThread<QList<SqlStatement>>(split);
//   QList<SqlStatement> statements = co_await std::move(splitting); // named first: GCC 12
//
// Never on QThreadPool::globalInstance(): Qt's raster engine splits large gradient and
// translucent fills across that pool and makes the GUI thread wait for them, so a long job
// there holds up the window's paints until it ends.

#include "orm/core/thread_context.h"

#include <QCoro/QCoroFuture>
#include <QCoro/QCoroTask>
#include <QFuture>
#include <QPromise>
#include <QThreadPool>

#include <exception>
#include <memory>

namespace orm {

// The pool offThread runs on (at least two threads, "strata-background").
QThreadPool &backgroundPool();

// Runs `work` (which owns what it reads: nothing it touches may be shared) on backgroundPool()
// and returns its value, or rethrows what it threw, on the awaiting thread. The caller always
// gets its event loop back first, even when the work is done before the await.
template <typename T, typename Work>
QCoro::Task<T> offThread(Work work)
{
    // The value travels in a shared_ptr and is moved out: a QFuture hands out copies, and
    // copying 10,000 tables' shapes here would be the stall again.
    auto promise = std::make_shared<QPromise<std::shared_ptr<T>>>();
    QFuture<std::shared_ptr<T>> future = promise->future();
    promise->start();
    backgroundPool().start([promise, work = std::move(work)]() mutable {
        try {
            promise->addResult(std::make_shared<T>(work()));
        } catch (...) {
            promise->setException(std::current_exception());
        }
        promise->finish();
    });
    // Named first: GCC 12 and co_await (docs/DEVELOPING.md).
    std::shared_ptr<T> value = co_await future;
    co_await NextTurn{};
    co_return std::move(*value);
}

// Lets `doomed` go on backgroundPool() (its last reference: what it holds is freed there).
template <typename T>
void freeOffThread(std::shared_ptr<T> doomed)
{
    backgroundPool().start([doomed = std::move(doomed)]() mutable { doomed.reset(); });
}

} // namespace orm
