#include "orm/detail/link_health.h"

#include <utility>

namespace orm::detail {

void LinkHealth::setListener(Listener listener)
{
    std::lock_guard lock(m_listenerMutex);
    m_listener = std::move(listener);
}

void LinkHealth::lost(const QString &reason)
{
    {
        std::lock_guard lock(m_mutex);
        if (std::exchange(m_lost, true))
            return;
    }
    std::lock_guard lock(m_listenerMutex);
    if (m_listener)
        m_listener(true, reason);
}

void LinkHealth::healthy()
{
    {
        std::lock_guard lock(m_mutex);
        if (!std::exchange(m_lost, false))
            return;
    }
    std::lock_guard lock(m_listenerMutex);
    if (m_listener)
        m_listener(false, {});
}

bool LinkHealth::isLost() const
{
    std::lock_guard lock(m_mutex);
    return m_lost;
}

void LinkHealth::reset()
{
    std::lock_guard lock(m_mutex);
    m_lost = false;
}

} // namespace orm::detail
