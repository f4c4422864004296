#pragma once

// The grid's editing: a controller (not a widget) that owns the ChangeSet of the table the grid
// shows, in its database and schema, and turns what the user does in the grid into staged
// changes. Nothing is written until Commit; every write goes through orm::editing::ChangeSet.
//
// It stands over the grid's cells (GridCellOverlay): a staged value shows instead of the stored
// one, changed cells and rows staged for deletion are marked with tones of ui/theme.h, and rows
// a commit stopped on (a conflict, an error) are marked with their message. A table that cannot
// be edited (no key, a view without one, a database that takes no changes, the window's
// read-only mode) refuses every edit with its reason (refused(), lastNotice()): never silence.
// Commit runs off the GUI thread's work (launchTask); Review shows the exact SQL.

#include "ui/grid_model.h"

#include "foreign_key_lookup.h"

#include "orm/core/model.h"
#include "orm/editing/change_set.h"
#include "orm/schema/enum_values.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QModelIndex;

namespace orm {
class Registry;
}

namespace strata::ui {

class GridView;

namespace editing {

class EditingBar;

class GridEditing : public QObject, public GridCellOverlay {
    Q_OBJECT

public:
    GridEditing(orm::Registry *registry, GridView *grid, QObject *parent = nullptr);
    ~GridEditing() override;

    // Where change sets journal their edits (empty: no journal).
    void setJournalDirectory(const QString &directory) { m_journalDirectory = directory; }
    const QString &journalDirectory() const { return m_journalDirectory; }
    // The window's own read-only mode: every edit is refused before staging.
    void setReadOnlyMode(bool on);
    bool isReadOnlyMode() const { return m_readOnlyMode; }

    // The grid now shows `model` of database `database` ("" the primary) in `schema`;
    // `connectionName` is what the journal calls the connection. A journal given to
    // restoreOnOpen() for this table is loaded into its change set.
    void openTable(const QString &database, const QString &schema, const orm::Model &model,
                   const QString &connectionName);
    void closeTable();
    bool hasTable() const { return m_changes != nullptr; }
    orm::editing::ChangeSet *changeSet() const { return m_changes.get(); }
    // The next openTable() of this database, schema and table loads the journal at `path`.
    void restoreOnOpen(const QString &path, const QString &database, const QString &schema,
                       const QString &table);

    // Why the open table cannot be edited; empty when it can (or no table is open).
    QString readOnlyReason() const;
    int pendingCount() const;
    bool hasChanges() const { return pendingCount() > 0; }
    bool isCommitting() const { return m_committing; }
    // A commit, or cells staged in slices, is under way: nothing else is staged or undone.
    bool busy() const { return m_committing || (m_changes && m_changes->isStaging()); }
    // What the editing bar says last: a refusal, a commit's outcome.
    const QString &lastNotice() const { return m_notice; }
    const QList<orm::editing::Conflict> &conflicts() const { return m_conflicts; }
    const std::optional<orm::editing::CommitError> &lastError() const { return m_error; }

    // --- what the user does; false (and refused()) when refused ------------------------------
    // Stages a new value for a stored cell (grid table row and column). An invalid QVariant
    // stages NULL.
    bool stageCell(qint64 row, int column, const QVariant &value);
    // Sets the selected cells to NULL (distinct from the empty string).
    bool setNullOnSelection();
    bool undo();
    void revert();
    // Commits in one transaction; `then` runs once it committed (a switch that waited).
    void commit(std::function<void()> then = {});
    // A bytea / blob cell (the grid's current one) from and to a file, as "Load from file…" and
    // "Save to file…" do with the path their dialog gave. Loading stages the file's bytes
    // (refused on another type, and for a file over kMaxBlobFileBytes, its size named); saving
    // writes the cell's staged value, else its stored one, exactly.
    bool loadCellFromFile(const QString &path);
    bool saveCellToFile(const QString &path);
    // The statements Commit would run, with their parameters, as the Review dialog shows them.
    QString reviewText() const;
    void review();
    // A new row (every column left to the server until set in the bar's new rows).
    bool insertRow();
    bool duplicateSelectedRows();
    // Marks the selected rows for deletion (removed only when committed).
    bool deleteSelectedRows();
    // A new row's cell, from the text typed in the bar's list of new rows.
    bool setInsertedCell(int insertId, const QString &column, const QVariant &value);
    // New rows dropped (not inserted); each is undone as one change.
    bool removeInsertedRows(const QList<int> &insertIds);
    // A new row's bytea / blob cell from and to a file, as loadCellFromFile does for the grid's.
    bool loadInsertedCellFromFile(int insertId, const QString &column, const QString &path);
    bool saveInsertedCellToFile(int insertId, const QString &column, const QString &path);
    // Whether the bar's new rows had the focus last, rather than the grid: Set NULL, Delete
    // rows and the file actions then act on their selected cells and rows.
    bool newRowsActive() const;
    // Conflicts after a failed commit, by their position in conflicts(): take the row's current
    // values as seen and keep the changes (the next commit writes over them), or drop them.
    void rebase(int conflict);
    void drop(int conflict);

    // --- for item delegates (GridEditDelegate, or the grid's own) ------------------------------
    // The index is the grid's, or a cell of the bar's new rows (PendingInsertsModel).
    // An editor for the cell, or null after refused() when it cannot be edited.
    QWidget *createEditor(const QModelIndex &index, QWidget *parent);
    void loadEditor(QWidget *editor, const QModelIndex &index) const;
    // Stages what the editor holds (refused() when it does not parse).
    void takeEditor(QWidget *editor, const QModelIndex &index);

    // GridCellOverlay.
    QVariant cellData(qint64 row, int column, int role) const override;
    bool cellsEditable() const override { return hasTable(); }

    // The open table's columns that hold one of a list of values (enums, SQLite CHECK lists),
    // read once when it opened; empty until they arrive.
    const orm::reflection::ColumnValueLists &valueLists() const { return m_valueLists; }
    // Reads under way for the open table (the value lists), besides a commit.
    int pendingWork() const { return m_reads; }

    EditingBar *bar() const { return m_bar; }
    // The grid's editing actions (also in its cell menu), by object name: undoEditAction,
    // setNullAction, insertRowAction, duplicateRowAction, deleteRowsAction,
    // loadCellFromFileAction, saveCellToFileAction.
    QList<QAction *> actions() const { return m_actions; }

signals:
    // Something staged, undone, reverted, committed or refused.
    void changed();
    void refused(const QString &reason);
    void committed(const orm::editing::CommitResult &result);
    void busyChanged(bool committing);

private:
    bool refuse(const QString &reason);
    bool refuseIfReadOnly();
    // Refuses (naming how many) when some of `rows` are not read yet.
    bool refuseUnreadRows(QList<qint64> rows);
    void setNotice(const QString &text);
    void afterChange();
    void onCommitted(const orm::editing::CommitResult &result);
    std::optional<orm::editing::RowKey> keyAt(qint64 row) const;
    QList<qint64> selectedRows() const;
    // The stored row's values as the grid read them (column name -> raw value).
    QVariantMap rowValues(qint64 row) const;
    void readValueLists();
    // Load/Save from a file show only while the open table has a bytea / blob column.
    void showFileActions();
    // The grid's current cell (row, column), or why there is none.
    std::optional<std::pair<qint64, int>> currentCell() const;
    bool isNewRowCell(const QModelIndex &index) const;
    QWidget *createNewRowEditor(const QModelIndex &index, QWidget *parent);
    void takeNewRowEditor(QWidget *editor, const QModelIndex &index);
    // The new rows' current cell (insert id, column name), and their selected cells.
    std::optional<std::pair<int, QString>> currentNewCell() const;
    QList<std::pair<int, QString>> selectedNewCells() const;
    // `editor` (a line editor) with the referenced rows to pick from, when `column` is a
    // single-column foreign key; else `editor` itself.
    QWidget *offerLookup(const QString &column, QWidget *editor, QWidget *parent);
    // A file's bytes for a cell of `column`, or refused() with why not.
    std::optional<QByteArray> blobFromFile(const orm::Column &column, const QString &path);
    // Writes a cell's value to a file, or refused() with why not.
    bool blobToFile(const orm::Column &column, const QVariant &value, const QString &path);
    // The single-column foreign key `column` is, if any.
    const orm::ForeignKey *foreignKeyOf(const QString &column) const;
    // Whether the row is one a commit stopped on; its message.
    QString stopMessage(const orm::editing::RowKey &key) const;

    orm::Registry *m_registry;
    QPointer<GridView> m_grid;
    QPointer<GridModel> m_model; // the window's; it may go first
    EditingBar *m_bar;
    QList<QAction *> m_actions;
    QAction *m_loadFile = nullptr;
    QAction *m_saveFile = nullptr;
    QString m_journalDirectory;
    bool m_readOnlyMode = false;
    std::unique_ptr<orm::editing::ChangeSet> m_changes;
    QList<int> m_keyColumns; // the row identity's columns in the grid's columns
    bool m_committing = false;
    QString m_notice;
    QList<orm::editing::Conflict> m_conflicts;
    std::optional<orm::editing::CommitError> m_error;
    struct Restore {
        QString path, database, schema, table;
    };
    std::optional<Restore> m_restore;
    orm::reflection::ColumnValueLists m_valueLists;
    int m_reads = 0;
    int m_opened = 0; // counts tables closed, so an answer for an earlier one is known
    QHash<QString, LookupTarget> m_lookupTargets; // by foreign-key column, for the open table
    bool m_newRowsFocused = false;                // the new rows had the focus last, not the grid
};

} // namespace editing
} // namespace strata::ui
