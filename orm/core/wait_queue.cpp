#include "orm/core/wait_queue.h"

#include "orm/core/thread_context.h"

namespace orm {

bool WaitQueue::enqueue(std::coroutine_handle<> handle)
{
    std::lock_guard lock(m_mutex);
    if (m_open)
        return false; // opened meanwhile: do not suspend
    m_waiters.emplace_back(threadContext(), handle);
    return true;
}

void WaitQueue::notifyAll()
{
    std::vector<std::pair<QPointer<QObject>, std::coroutine_handle<>>> waiters;
    {
        std::lock_guard lock(m_mutex);
        waiters.swap(m_waiters);
    }
    for (auto &[context, handle] : waiters)
        if (context) // its thread is gone: nobody can resume that frame any more
            resumeOn(context, handle);
}

void WaitQueue::open()
{
    {
        std::lock_guard lock(m_mutex);
        m_open = true;
    }
    notifyAll();
}

void WaitQueue::close()
{
    std::lock_guard lock(m_mutex);
    m_open = false;
}

bool WaitQueue::isOpen() const
{
    std::lock_guard lock(m_mutex);
    return m_open;
}

} // namespace orm
