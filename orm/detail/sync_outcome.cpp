#include "orm/detail/sync_outcome.h"

#include <QEventLoop>

namespace orm::detail {

void SyncOutcome::finish(std::exception_ptr failure)
{
    QEventLoop *loop = nullptr;
    {
        std::lock_guard lock(mutex);
        done = true;
        error = failure;
        loop = localLoop;
    }
    finished.notify_all();
    if (loop) // the local-loop path: same thread, so quitting directly is safe
        loop->quit();
}

} // namespace orm::detail
