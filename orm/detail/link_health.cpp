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

void LinkHealth::healthy(const QString &server)
{
    QString reason = QStringLiteral("reconnected");
    {
        std::lock_guard lock(m_mutex);
        const QString before = server.isEmpty() ? m_server : std::exchange(m_server, server);
        if (!std::exchange(m_lost, false))
            return;
        // A multi-host URL lands elsewhere once its primary is gone: say where.
        if (!server.isEmpty() && !before.isEmpty() && before != server)
            reason = QStringLiteral("reconnected to %1 after failover").arg(server);
    }
    std::lock_guard lock(m_listenerMutex);
    if (m_listener)
        m_listener(false, reason);
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
