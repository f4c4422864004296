#pragma once

// Following foreign keys in the grid, and back: a controller (not a widget) over the window's
// grid. A cell of a foreign-key column (composite keys included) is followed by Ctrl+click or
// its context menu ("Go to referenced row in customer"): the window opens the referenced table,
// in the key's target schema or the same one (tenant), filtered exactly to that row, with the
// row current. A key with a NULL column references nothing and is refused with that reason.
// "Referenced by ▸" lists the tables whose keys point at the table (the catalog's, read by
// orm::reflection::incomingReferences), each with the count of rows that reference this row,
// counted on the server by a QuerySet; choosing one opens that table filtered to those rows.
// Nothing here writes. Every move records where the user was (NavigationHistory): Back
// (Alt+Left) and Forward (Alt+Right) are its actions.

#include "navigation_history.h"

#include "orm/schema/incoming_references.h"

#include <QObject>
#include <QVariantList>

class QAction;
class QMenu;

namespace strata::ui {

class MainWindow;

namespace navigation {

// One table's keys pointing at a row, and how many rows they hold.
struct ReferenceCount {
    orm::reflection::IncomingReference reference;
    QVariantList values; // the row's values of the key's target columns (raw)
    QStringList texts;   // the same, as the grid shows them
    qint64 rows = 0;
    bool nullKey = false; // a target column is NULL here: no row can reference it
};

class ForeignKeyNavigation : public QObject {
    Q_OBJECT

public:
    explicit ForeignKeyNavigation(MainWindow *window);

    QAction *backAction() const { return m_back; }
    QAction *forwardAction() const { return m_forward; }
    const NavigationHistory &history() const { return m_history; }

    // The foreign keys of the open table that hold grid column `column` (indexes into
    // Model::foreignKeys), a key of that column alone first.
    QList<int> keysOf(int column) const;
    // Why key `key` cannot be followed from table row `row` (a NULL column, a row not read
    // yet), or empty when it can.
    QString refusalOf(qint64 row, int key) const;
    // Follows key `key` from table row `row`; false, with the reason (refused()), when it
    // cannot be.
    bool follow(qint64 row, int key);
    // What Ctrl+click does: follows the first of the cell's keys. False when the column is in
    // no key (the click stays the grid's) or it is refused.
    bool followCell(qint64 row, int column);
    // The place the table a reference count names opens at: filtered to the rows that
    // reference this one.
    Place placeOf(const ReferenceCount &count) const;
    void openReferencing(const ReferenceCount &count);

    void back();
    void forward();
    // The window leaves `current` (a table was open) for another place, by `travel`.
    void leaving(const Place &current, Travel travel);
    // A database left the window: its places go from the history.
    void forget(const QString &database);

    // Reference counts under way ("Referenced by" being read).
    int pendingWork() const { return m_pending; }

signals:
    void refused(const QString &reason);
    // Something the status bar may say (what the current cell can follow).
    void hint(const QString &text);
    // A "Referenced by" menu was filled (tests wait for it).
    void referencesCounted(const QList<strata::ui::navigation::ReferenceCount> &counts);
    void busyChanged(bool busy);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onCellMenu(QMenu *menu, qint64 row, int column);
    void fillReferencedBy(QMenu *menu, qint64 row);
    void onCurrentCell(qint64 row, int column);
    void updateActions();
    QString targetTitle(int key) const;

    MainWindow *m_window;
    NavigationHistory m_history;
    QAction *m_back;
    QAction *m_forward;
    int m_pending = 0;
};

} // namespace navigation
} // namespace strata::ui
