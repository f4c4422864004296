#pragma once

// A window's back/forward history of places in the grid (Alt+Left, Alt+Right), as a browser
// keeps one: going somewhere new records where the user was and forgets the way forward; going
// back makes the place left the way forward. A plain value, without widgets. Each place keeps
// its own database and schema, so going back after a tenant switch returns to the other
// tenant's table (the window switches the schema back).

#include "place.h"

#include <QList>

namespace strata::ui::navigation {

class NavigationHistory {
public:
    // At most `limit` places each way; the oldest go first.
    explicit NavigationHistory(int limit = 100);

    // The user leaves `current` for somewhere new.
    void visit(const Place &current);
    bool canGoBack() const { return !m_back.isEmpty(); }
    bool canGoForward() const { return !m_forward.isEmpty(); }
    // Where back (forward) leads, without going; an invalid place when there is none.
    Place peekBack() const;
    Place peekForward() const;
    // Goes back (forward) from `current`: the place to open. `current` becomes the way forward
    // (back) when it is a place (a table was open).
    Place back(const Place &current);
    Place forward(const Place &current);
    // A database removed from the window: its places go.
    void forget(const QString &database);

    // Oldest first.
    const QList<Place> &backPlaces() const { return m_back; }
    const QList<Place> &forwardPlaces() const { return m_forward; }

private:
    void push(QList<Place> &stack, const Place &place) const;

    int m_limit;
    QList<Place> m_back;    // the nearest last
    QList<Place> m_forward; // the nearest last
};

} // namespace strata::ui::navigation
