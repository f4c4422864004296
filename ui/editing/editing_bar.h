#pragma once

// The small bar above the grid while a table is open: the pending count, Review, Commit,
// Revert and the editing actions; what the last edit or commit said (a read-only table's
// reason, a refusal, an error); the rows a commit stopped on, with their current values, to
// re-apply or drop; and the rows staged for insertion, edited with the grid's own editors.

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTreeWidget;

namespace strata::ui::editing {

class GridEditing;
class PendingInsertsModel;

class EditingBar : public QWidget {
    Q_OBJECT

public:
    explicit EditingBar(GridEditing *editing, QWidget *parent = nullptr);

    // Shows what the controller holds now.
    void refresh();
    QLabel *pendingLabel() const { return m_pending; }
    QLabel *noticeLabel() const { return m_notice; }
    QTreeWidget *conflictList() const { return m_conflicts; }
    QTableView *newRows() const { return m_inserts; }
    PendingInsertsModel *newRowsModel() const { return m_insertsModel; }

private:
    int currentConflict() const;

    GridEditing *m_editing;
    QLabel *m_pending;
    QLabel *m_notice;
    QPushButton *m_review;
    QPushButton *m_commit;
    QPushButton *m_revert;
    QWidget *m_conflictBox;
    QTreeWidget *m_conflicts;
    QTableView *m_inserts;
    PendingInsertsModel *m_insertsModel;
    int m_openLookups = 0; // lookups open in the new rows (they are given room)
};

} // namespace strata::ui::editing
