#pragma once

#include <QEventLoop>
#include <QTimer>

#include <functional>

namespace strata::test {

// Runs `body` inside a running event loop of this thread, as a slot would run, then returns.
// (runSync takes its subloop path there.) `body` must not throw: nothing may cross Qt's loop.
inline void insideRunningLoop(const std::function<void()> &body)
{
    QEventLoop loop;
    QTimer::singleShot(0, &loop, [&] {
        body();
        loop.quit();
    });
    loop.exec();
}

} // namespace strata::test
