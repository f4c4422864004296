#include "navigation_history.h"

namespace strata::ui::navigation {

NavigationHistory::NavigationHistory(int limit)
    : m_limit(std::max(1, limit))
{
}

void NavigationHistory::push(QList<Place> &stack, const Place &place) const
{
    if (!place.isValid())
        return;
    stack.append(place);
    while (stack.size() > m_limit)
        stack.removeFirst();
}

void NavigationHistory::visit(const Place &current)
{
    push(m_back, current);
    m_forward.clear();
}

Place NavigationHistory::peekBack() const
{
    return m_back.isEmpty() ? Place() : m_back.last();
}

Place NavigationHistory::peekForward() const
{
    return m_forward.isEmpty() ? Place() : m_forward.last();
}

Place NavigationHistory::back(const Place &current)
{
    if (m_back.isEmpty())
        return {};
    const Place target = m_back.takeLast();
    push(m_forward, current);
    return target;
}

Place NavigationHistory::forward(const Place &current)
{
    if (m_forward.isEmpty())
        return {};
    const Place target = m_forward.takeLast();
    push(m_back, current);
    return target;
}

void NavigationHistory::forget(const QString &database)
{
    const auto of = [&database](const Place &place) { return place.database == database; };
    m_back.removeIf(of);
    m_forward.removeIf(of);
}

} // namespace strata::ui::navigation
