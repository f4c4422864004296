#include "orm/core/thread_context.h"

#include <QThread>

#include <memory>

namespace orm {

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

} // namespace orm
