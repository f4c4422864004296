#include "orm/detail/wakeup.h"

#include <QThread>

#include <memory>

namespace orm::detail {

QObject *threadContext()
{
    thread_local std::unique_ptr<QObject> context;
    if (!context)
        context = std::make_unique<QObject>();
    return context.get();
}

void resumeOn(QObject *context, std::coroutine_handle<> handle)
{
    QMetaObject::invokeMethod(
        context, [handle] { handle.resume(); }, Qt::QueuedConnection);
}

} // namespace orm::detail
