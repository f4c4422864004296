#include "grid_editing.h"

#include "blob_files.h"
#include "cell_editors.h"
#include "editing_bar.h"
#include "grid_edit_delegate.h"
#include "pending_inserts_model.h"
#include "review_dialog.h"

#include "ui/cell_format.h"
#include "ui/grid_view.h"
#include "ui/launch_task.h"
#include "ui/theme.h"

#include "orm/core/error.h"

#include <QAction>
#include <QApplication>
#include <QBrush>
#include <QFileDialog>
#include <QFont>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPalette>
#include <QTableView>

#include <algorithm>

namespace strata::ui::editing {
namespace {

QColor tint(Tone tone, int alpha)
{
    // A translucent tone over the cell's base keeps its text readable on light and dark.
    QColor color = toneColor(tone, QPalette());
    color.setAlpha(alpha);
    return color;
}

QString keyText(const orm::editing::RowKey &key)
{
    QStringList parts;
    for (const QVariant &value : key)
        parts << (value.isNull() ? QStringLiteral("NULL") : value.toString());
    return parts.join(QStringLiteral(", "));
}

} // namespace

GridEditing::GridEditing(orm::Registry *registry, GridView *grid, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_grid(grid)
    , m_model(grid->model())
{
    const auto action = [this](const QString &name, const QString &text, const QKeySequence &keys,
                               auto slot) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        a->setShortcut(keys);
        // The grid's while it has the focus: an editor open in it keeps its own keys.
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, slot);
        m_actions << a;
        return a;
    };
    action(QStringLiteral("undoEditAction"), tr("&Undo change"), QKeySequence::Undo, [this] {
        undo();
    })->setToolTip(tr("Take back the last staged change (Ctrl+Z)"));
    action(QStringLiteral("setNullAction"), tr("Set &NULL"),
           QKeySequence(Qt::SHIFT | Qt::Key_Delete), [this] { setNullOnSelection(); })
        ->setToolTip(tr("Set the selected cells to NULL (not the empty string)"));
    action(QStringLiteral("insertRowAction"), tr("&Insert row"), QKeySequence(Qt::Key_Insert),
           [this] { insertRow(); })
        ->setToolTip(tr("A new row; its columns are left to the server until you set them"));
    action(QStringLiteral("duplicateRowAction"), tr("Dup&licate row"),
           QKeySequence(Qt::CTRL | Qt::Key_D), [this] { duplicateSelectedRows(); })
        ->setToolTip(tr("A new row with the selected row's values (its key left to the server)"));
    action(QStringLiteral("deleteRowsAction"), tr("&Delete rows"), QKeySequence::Delete,
           [this] { deleteSelectedRows(); })
        ->setToolTip(
            tr("Mark the selected rows for deletion (deleted when committed); selected new "
               "rows are dropped"));
    m_loadFile = action(
        QStringLiteral("loadCellFromFileAction"), tr("L&oad from file…"), QKeySequence(), [this] {
            if (!m_grid)
                return;
            const QString path =
                QFileDialog::getOpenFileName(m_grid->window(), tr("Load the cell from a file"));
            if (!path.isEmpty())
                loadCellFromFile(path);
        });
    m_loadFile->setToolTip(tr("Stage a file's bytes as this bytea / blob cell's new value"));
    m_saveFile = action(
        QStringLiteral("saveCellToFileAction"), tr("Sa&ve to file…"), QKeySequence(), [this] {
            if (!m_grid)
                return;
            const QString path =
                QFileDialog::getSaveFileName(m_grid->window(), tr("Save the cell to a file"));
            if (!path.isEmpty())
                saveCellToFile(path);
        });
    m_saveFile->setToolTip(
        tr("Write this bytea / blob cell's bytes (staged, else stored) to a file"));
    grid->addActions(m_actions);
    connect(this, &GridEditing::changed, this, &GridEditing::showFileActions);
    showFileActions();

    QTableView *table = grid->table();
    // Paints as the grid's delegate did; editors come from here.
    table->setItemDelegate(new GridEditDelegate(this, table->itemDelegate(), table));
    table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                           QAbstractItemView::AnyKeyPressed);
    m_bar = new EditingBar(this);
    // Which of the two lists the actions act on: the one the user was in last.
    // The bar lives in the window's layout and may go first when the window is torn down.
    connect(qApp, &QApplication::focusChanged, this,
            [this, bar = QPointer<EditingBar>(m_bar)](QWidget *, QWidget *now) {
                if (!now || !bar)
                    return;
                QWidget *newRows = bar->newRows();
                if (now == newRows || newRows->isAncestorOf(now))
                    m_newRowsFocused = true;
                else if (m_grid && (now == m_grid->table() || m_grid->table()->isAncestorOf(now)))
                    m_newRowsFocused = false;
            });
}

GridEditing::~GridEditing()
{
    if (m_model)
        m_model->setOverlay(nullptr);
}

void GridEditing::setReadOnlyMode(bool on)
{
    m_readOnlyMode = on;
    m_notice.clear();
    emit changed();
}

void GridEditing::openTable(const QString &database, const QString &schema, const orm::Model &model,
                            const QString &connectionName)
{
    if (m_changes && m_changes->database() == database && m_changes->schema() == schema &&
        m_changes->model().table == model.table && !m_restore) {
        // The same table opened again (a refresh, the tree): its changes stay staged.
        m_model->setOverlay(this);
        emit changed();
        return;
    }
    closeTable();
    orm::editing::ChangeSet::Options options;
    options.journalDirectory = m_journalDirectory;
    options.connectionName = connectionName;
    try {
        m_changes =
            std::make_unique<orm::editing::ChangeSet>(m_registry, database, schema, model, options);
    } catch (const orm::Error &error) {
        setNotice(tr("Editing is off for %1: %2").arg(model.name, error.message()));
        emit changed();
        return;
    }
    const orm::Columns columns = m_model->columns();
    for (const QString &name : m_changes->identity().columns)
        for (int c = 0; c < columns.size(); ++c)
            if (columns[c].name == name)
                m_keyColumns << c;
    if (m_keyColumns.size() != m_changes->identity().columns.size())
        m_keyColumns.clear(); // the grid lacks a key column: rows cannot be found again
    if (m_restore && m_restore->database == database && m_restore->table == model.table &&
        (m_restore->schema == schema || m_restore->schema == m_changes->schema())) {
        const QString path = std::exchange(m_restore, std::nullopt)->path;
        try {
            m_changes->restore(path);
            setNotice(tr("%1 recovered: review them, then commit or revert")
                          .arg(countOf(m_changes->pendingCount(), tr("unsaved change"),
                                       tr("unsaved changes"))));
        } catch (const orm::Error &error) {
            setNotice(tr("The unsaved changes could not be recovered: %1").arg(error.message()));
        }
    }
    m_model->setOverlay(this);
    readValueLists();
    emit changed();
}

void GridEditing::readValueLists()
{
    orm::Database *db = nullptr;
    try {
        db = m_changes->database().isEmpty() ? m_registry->database()
                                             : m_registry->database(m_changes->database());
    } catch (const orm::Error &) {
        return; // removed meanwhile: nothing to edit there either
    }
    ++m_reads;
    const int opened = m_opened;
    launchTask(
        this, orm::reflection::enumValues(db, m_changes->schema(), m_changes->model().table),
        [this, opened](const orm::reflection::ColumnValueLists &lists) {
            --m_reads;
            if (opened == m_opened) // not an answer for a table closed since
                m_valueLists = lists;
        },
        [this](const TaskFailure &failure) {
            --m_reads; // the columns edit as text then
            qWarning("the value lists of the grid's table could not be read: %s",
                     qPrintable(failure.message));
        });
}

void GridEditing::showFileActions()
{
    bool blobs = false;
    if (m_changes)
        for (const orm::Field &field : m_changes->model().fields)
            blobs = blobs || field.type == orm::LogicalType::Bytes;
    m_loadFile->setVisible(blobs);
    m_saveFile->setVisible(blobs);
}

void GridEditing::closeTable()
{
    if (m_model)
        m_model->setOverlay(nullptr);
    m_valueLists.clear();
    m_lookupTargets.clear();
    ++m_opened;
    m_changes.reset();
    m_keyColumns.clear();
    m_conflicts.clear();
    m_error.reset();
    m_notice.clear();
    emit changed();
}

void GridEditing::restoreOnOpen(const QString &path, const QString &database, const QString &schema,
                                const QString &table)
{
    m_restore = Restore{path, database, schema, table};
}

QString GridEditing::readOnlyReason() const
{
    if (!m_changes)
        return {};
    if (m_readOnlyMode)
        return tr("the window is in read-only mode (Edit → Read-only mode)");
    if (!m_changes->isEditable())
        return m_changes->readOnlyReason();
    if (m_keyColumns.isEmpty())
        return tr("the grid does not show %1's key").arg(m_changes->model().name);
    return {};
}

int GridEditing::pendingCount() const
{
    return m_changes ? m_changes->pendingCount() : 0;
}

bool GridEditing::refuse(const QString &reason)
{
    setNotice(reason);
    emit refused(reason);
    emit changed();
    return false;
}

bool GridEditing::refuseIfReadOnly()
{
    if (!m_changes)
        return !refuse(tr("No table is open"));
    if (const QString reason = readOnlyReason(); !reason.isEmpty())
        return !refuse(tr("Read-only: %1").arg(reason));
    if (m_committing)
        return !refuse(tr("A commit is under way: wait for it to finish"));
    if (m_changes->isStaging())
        return !refuse(tr("Cells are being staged: wait for them"));
    return false;
}

void GridEditing::setNotice(const QString &text)
{
    m_notice = text;
}

void GridEditing::afterChange()
{
    // What a commit stopped on stays said until the next commit or a revert.
    if (m_conflicts.isEmpty() && !m_error)
        m_notice.clear();
    m_model->overlayChanged();
    emit changed();
}

std::optional<orm::editing::RowKey> GridEditing::keyAt(qint64 row) const
{
    if (m_keyColumns.isEmpty() || !m_model->isRowLoaded(row))
        return std::nullopt;
    orm::editing::RowKey key;
    for (int column : m_keyColumns)
        key << m_model->rawValue(row, column);
    return key;
}

QList<qint64> GridEditing::selectedRows() const
{
    QList<qint64> rows;
    if (!m_grid)
        return rows;
    QItemSelectionModel *selection = m_grid->table()->selectionModel();
    for (const QModelIndex &index : selection->selectedIndexes())
        rows << m_model->base() + index.row();
    if (rows.isEmpty() && selection->currentIndex().isValid())
        rows << m_model->base() + selection->currentIndex().row();
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

bool GridEditing::refuseUnreadRows(QList<qint64> rows)
{
    // Acting on the rows read alone would leave out part of what was selected without a word.
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    const auto unread = std::count_if(rows.cbegin(), rows.cend(),
                                      [this](qint64 row) { return !m_model->isRowLoaded(row); });
    if (unread == 0)
        return false;
    return !refuse(tr("%n of the selected rows have not been read into the grid yet: scroll "
                      "through them first, or select fewer",
                      nullptr, int(unread)));
}

QVariantMap GridEditing::rowValues(qint64 row) const
{
    QVariantMap values;
    const orm::Columns columns = m_model->columns();
    for (int c = 0; c < columns.size(); ++c)
        values.insert(columns[c].name, m_model->rawValue(row, c));
    return values;
}

QString GridEditing::stopMessage(const orm::editing::RowKey &key) const
{
    for (const orm::editing::Conflict &conflict : m_conflicts)
        if (conflict.key == key)
            return conflict.message;
    if (m_error && !m_error->key.isEmpty() && m_error->key == key)
        return m_error->message;
    return {};
}

bool GridEditing::stageCell(qint64 row, int column, const QVariant &value)
{
    if (refuseIfReadOnly())
        return false;
    const std::optional<orm::editing::RowKey> key = keyAt(row);
    if (!key || column < 0 || column >= m_model->columns().size())
        return refuse(tr("That row has not been read yet"));
    try {
        m_changes->updateCell(*key, m_model->columns()[column].name, m_model->rawValue(row, column),
                              value);
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    afterChange();
    return true;
}

bool GridEditing::setNullOnSelection()
{
    if (refuseIfReadOnly() || !m_grid)
        return false;
    if (newRowsActive()) {
        const QList<std::pair<int, QString>> cells = selectedNewCells();
        if (cells.isEmpty())
            return refuse(tr("Select the new rows' cells to set to NULL"));
        try {
            for (const auto &[insertId, column] : cells)
                m_changes->updateInsertedCell(insertId, column, QVariant());
        } catch (const orm::Error &error) {
            return refuse(error.message());
        }
        afterChange();
        return true;
    }
    const QModelIndexList selected = m_grid->table()->selectionModel()->selectedIndexes();
    QList<qint64> rows;
    for (const QModelIndex &index : selected)
        rows << m_model->base() + index.row();
    if (refuseUnreadRows(rows))
        return false;
    QList<orm::editing::ChangeSet::CellEdit> edits;
    for (const QModelIndex &index : selected) {
        const qint64 row = m_model->base() + index.row();
        const std::optional<orm::editing::RowKey> key = keyAt(row);
        if (!key || m_changes->isDeleted(*key))
            continue;
        const QString column = m_model->columns()[index.column()].name;
        edits.append({*key, column, m_model->rawValue(row, index.column()), QVariant()});
    }
    if (edits.isEmpty())
        return refuse(tr("Select the cells to set to NULL"));
    // In slices: a whole column of 10,000 cells leaves the window responsive (a few cells are
    // staged at once, before this returns).
    const int opened = m_opened;
    try {
        launchTask(
            this, m_changes->updateCellsInSlices(std::move(edits)),
            [this, opened](const QList<int> &) {
                if (opened == m_opened) // not a table closed since
                    afterChange();
            },
            [this, opened](const TaskFailure &failure) {
                if (opened == m_opened)
                    refuse(failure.message);
            });
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    return true;
}

bool GridEditing::undo()
{
    if (!m_changes || busy())
        return false;
    bool undone = false;
    try {
        undone = m_changes->undo();
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    if (!undone)
        return refuse(tr("Nothing to undo"));
    afterChange();
    return true;
}

void GridEditing::revert()
{
    if (!m_changes || busy())
        return;
    m_changes->revert();
    m_conflicts.clear();
    m_error.reset();
    afterChange();
}

void GridEditing::commit(std::function<void()> then)
{
    if (!m_changes || busy())
        return;
    if (refuseIfReadOnly())
        return;
    if (!m_changes->hasChanges()) {
        setNotice(tr("Nothing to commit"));
        emit changed();
        if (then)
            then();
        return;
    }
    m_committing = true;
    m_conflicts.clear();
    m_error.reset();
    m_notice.clear();
    emit busyChanged(true);
    emit changed();
    orm::editing::ChangeSet *changes = m_changes.get();
    launchTask(
        this, m_changes->commit(),
        [this, changes, then](const orm::editing::CommitResult &result) {
            if (changes != m_changes.get()) { // the table closed meanwhile
                m_committing = false;
                emit busyChanged(false);
                return;
            }
            onCommitted(result);
            if (result.status == orm::editing::CommitResult::Status::Committed && then)
                then();
        },
        [this](const TaskFailure &failure) {
            m_committing = false;
            setNotice(tr("Commit failed: %1. Nothing was written; the changes are kept.")
                          .arg(failure.message));
            emit busyChanged(false);
            emit changed();
        });
}

void GridEditing::onCommitted(const orm::editing::CommitResult &result)
{
    using Status = orm::editing::CommitResult::Status;
    m_committing = false;
    m_conflicts = result.conflicts;
    m_error = result.error;
    switch (result.status) {
    case Status::Committed:
        setNotice(tr("Committed: %1").arg(result.summary()));
        m_model->refresh(); // the rows as the server has them now
        break;
    case Status::Nothing:
        setNotice(tr("Nothing to commit"));
        break;
    case Status::Refused:
        setNotice(tr("Read-only: %1").arg(result.reason));
        break;
    case Status::Conflicts:
        setNotice(tr("%1. Nothing was written: re-apply your changes over the rows' current "
                     "values, or drop them.")
                      .arg(result.summary()));
        break;
    case Status::Failed:
        setNotice(
            tr("%1. Nothing was written; the changes are kept to fix.").arg(result.summary()));
        break;
    }
    m_model->overlayChanged();
    emit committed(result);
    emit busyChanged(false);
    emit changed();
}

QString GridEditing::reviewText() const
{
    return m_changes ? ReviewDialog::describe(m_changes->review()) : QString();
}

void GridEditing::review()
{
    if (!m_changes || !m_grid)
        return;
    auto *dialog = new ReviewDialog(m_changes->review(), m_grid->window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

bool GridEditing::insertRow()
{
    if (refuseIfReadOnly())
        return false;
    try {
        m_changes->insertRow();
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    afterChange();
    return true;
}

bool GridEditing::duplicateSelectedRows()
{
    if (refuseIfReadOnly())
        return false;
    const QList<qint64> rows = selectedRows();
    if (refuseUnreadRows(rows))
        return false;
    int made = 0;
    try {
        for (qint64 row : rows)
            if (m_model->isRowLoaded(row)) {
                m_changes->duplicateRow(rowValues(row));
                ++made;
            }
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    if (made == 0)
        return refuse(tr("Select the rows to duplicate"));
    afterChange();
    return true;
}

bool GridEditing::deleteSelectedRows()
{
    if (refuseIfReadOnly())
        return false;
    if (newRowsActive()) {
        QList<int> rows;
        for (const auto &cell : selectedNewCells())
            if (!rows.contains(cell.first))
                rows << cell.first;
        return removeInsertedRows(rows);
    }
    const QList<qint64> rows = selectedRows();
    if (refuseUnreadRows(rows))
        return false;
    int marked = 0;
    try {
        for (qint64 row : rows) {
            const std::optional<orm::editing::RowKey> key = keyAt(row);
            if (!key || m_changes->isDeleted(*key))
                continue;
            m_changes->deleteRow(*key, rowValues(row));
            ++marked;
        }
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    if (marked == 0)
        return refuse(tr("Select the rows to delete"));
    afterChange();
    return true;
}

bool GridEditing::setInsertedCell(int insertId, const QString &column, const QVariant &value)
{
    if (refuseIfReadOnly())
        return false;
    try {
        m_changes->updateInsertedCell(insertId, column, value);
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    afterChange();
    return true;
}

bool GridEditing::removeInsertedRows(const QList<int> &insertIds)
{
    if (refuseIfReadOnly())
        return false;
    if (insertIds.isEmpty())
        return refuse(tr("Select the new rows to drop"));
    try {
        for (int insertId : insertIds)
            m_changes->deleteInsertedRow(insertId);
    } catch (const orm::Error &error) {
        return refuse(error.message());
    }
    afterChange();
    return true;
}

bool GridEditing::newRowsActive() const
{
    return m_newRowsFocused && m_changes && !m_changes->pendingInserts().isEmpty();
}

bool GridEditing::isNewRowCell(const QModelIndex &index) const
{
    return index.model() == m_bar->newRowsModel();
}

std::optional<std::pair<int, QString>> GridEditing::currentNewCell() const
{
    const QModelIndex index = m_bar->newRows()->currentIndex();
    if (!index.isValid() || !m_changes)
        return std::nullopt;
    const PendingInsertsModel *rows = m_bar->newRowsModel();
    return std::make_pair(rows->insertIdAt(index.row()), rows->columnAt(index.column()).name);
}

QList<std::pair<int, QString>> GridEditing::selectedNewCells() const
{
    QList<std::pair<int, QString>> cells;
    if (!m_changes)
        return cells;
    const PendingInsertsModel *rows = m_bar->newRowsModel();
    QModelIndexList indexes = m_bar->newRows()->selectionModel()->selectedIndexes();
    if (indexes.isEmpty() && m_bar->newRows()->currentIndex().isValid())
        indexes << m_bar->newRows()->currentIndex();
    std::sort(indexes.begin(), indexes.end());
    for (const QModelIndex &index : std::as_const(indexes)) {
        const orm::Field *field = m_changes->model().field(rows->columnAt(index.column()).name);
        if (field && !field->generated) // the server computes those: never staged
            cells.append({rows->insertIdAt(index.row()), field->name});
    }
    return cells;
}

void GridEditing::rebase(int conflict)
{
    if (!m_changes || busy() || conflict < 0 || conflict >= m_conflicts.size())
        return;
    try {
        m_changes->rebase(m_conflicts[conflict]);
    } catch (const orm::Error &error) {
        refuse(error.message());
        return;
    }
    m_conflicts.removeAt(conflict);
    afterChange();
}

void GridEditing::drop(int conflict)
{
    if (!m_changes || busy() || conflict < 0 || conflict >= m_conflicts.size())
        return;
    m_changes->drop(m_conflicts[conflict].key);
    m_conflicts.removeAt(conflict);
    afterChange();
}

QWidget *GridEditing::createEditor(const QModelIndex &index, QWidget *parent)
{
    if (refuseIfReadOnly())
        return nullptr;
    if (isNewRowCell(index))
        return createNewRowEditor(index, parent);
    const qint64 row = m_model->base() + index.row();
    const std::optional<orm::editing::RowKey> key = keyAt(row);
    if (!key)
        return nullptr; // not read yet: nothing to edit
    if (m_changes->isDeleted(*key)) {
        refuse(tr("This row is marked for deletion: undo that to edit it"));
        return nullptr;
    }
    const orm::Column column = m_model->columns()[index.column()];
    if (const orm::Field *field = m_changes->model().field(column.name);
        field && field->generated) {
        refuse(tr("%1 is computed by the server (a generated column)").arg(column.name));
        return nullptr;
    }
    QVariant current = m_model->rawValue(row, index.column());
    if (const auto pending = m_changes->pendingValue(*key, column.name))
        current = *pending;
    QWidget *editor = createCellEditor(column, current, parent, m_valueLists.value(column.name));
    return offerLookup(column.name, editor, parent);
}

QWidget *GridEditing::createNewRowEditor(const QModelIndex &index, QWidget *parent)
{
    const orm::Column column = m_bar->newRowsModel()->columnAt(index.column());
    if (const orm::Field *field = m_changes->model().field(column.name);
        field && field->generated) {
        refuse(tr("%1 is computed by the server (a generated column)").arg(column.name));
        return nullptr;
    }
    // A cell left to the server opens empty, as a NULL one does.
    const QVariant current = m_bar->newRowsModel()->valueAt(index).value_or(QVariant());
    QWidget *editor = createCellEditor(column, current, parent, m_valueLists.value(column.name));
    return offerLookup(column.name, editor, parent);
}

QWidget *GridEditing::offerLookup(const QString &column, QWidget *editor, QWidget *parent)
{
    const orm::ForeignKey *foreignKey = foreignKeyOf(column);
    auto *line = qobject_cast<QLineEdit *>(editor);
    if (!foreignKey || !line)
        return editor;
    // The referenced rows to pick from, under the cell's own editor.
    const QString name = column;
    const int opened = m_opened;
    return new ForeignKeyLookup(
        m_registry, m_changes->database(), m_changes->schema(), *foreignKey, line,
        m_lookupTargets.contains(name) ? std::optional<LookupTarget>(m_lookupTargets.value(name))
                                       : std::nullopt,
        [this, name, opened](const LookupTarget &target) {
            if (opened == m_opened)
                m_lookupTargets.insert(name, target);
        },
        parent);
}

const orm::ForeignKey *GridEditing::foreignKeyOf(const QString &column) const
{
    if (!m_changes)
        return nullptr;
    for (const orm::ForeignKey &key : m_changes->model().foreignKeys)
        if (key.columns.size() == 1 && key.targetColumns.size() == 1 &&
            !key.targetColumns.constFirst().isEmpty() && key.columns.constFirst() == column)
            return &key;
    return nullptr; // none, or a composite key: no lookup
}

std::optional<std::pair<qint64, int>> GridEditing::currentCell() const
{
    if (!m_grid)
        return std::nullopt;
    const QModelIndex index = m_grid->table()->selectionModel()->currentIndex();
    if (!index.isValid())
        return std::nullopt;
    return std::make_pair(m_model->base() + index.row(), index.column());
}

std::optional<QByteArray> GridEditing::blobFromFile(const orm::Column &column, const QString &path)
{
    if (column.type != orm::LogicalType::Bytes) {
        refuse(tr("%1 is %2, not bytea or a blob: only those take a file")
                   .arg(column.name, column.typeName));
        return std::nullopt;
    }
    if (const orm::Field *field = m_changes->model().field(column.name);
        field && field->generated) {
        refuse(tr("%1 is computed by the server (a generated column)").arg(column.name));
        return std::nullopt;
    }
    BlobFile file = readBlobFile(path);
    if (!file.ok()) {
        refuse(file.error);
        return std::nullopt;
    }
    return std::move(file.bytes);
}

bool GridEditing::blobToFile(const orm::Column &column, const QVariant &value, const QString &path)
{
    if (column.type != orm::LogicalType::Bytes)
        return refuse(tr("%1 is %2, not bytea or a blob: only those are saved to a file")
                          .arg(column.name, column.typeName));
    if (!value.isValid() || value.isNull())
        return refuse(tr("%1 is NULL here: there are no bytes to save").arg(column.name));
    // Blobs arrive as bytes; a value that came as text is saved as its UTF-8.
    const QByteArray bytes = value.metaType().id() == QMetaType::QByteArray
                                 ? value.toByteArray()
                                 : value.toString().toUtf8();
    if (const QString error = writeBlobFile(path, bytes); !error.isEmpty())
        return refuse(error);
    setNotice(tr("%1 saved to %2").arg(byteSize(bytes.size()), path));
    emit changed();
    return true;
}

bool GridEditing::loadCellFromFile(const QString &path)
{
    if (refuseIfReadOnly())
        return false;
    if (newRowsActive()) {
        const auto cell = currentNewCell();
        if (!cell)
            return refuse(tr("Select the new row's cell to load the file into"));
        return loadInsertedCellFromFile(cell->first, cell->second, path);
    }
    const auto cell = currentCell();
    if (!cell)
        return refuse(tr("Select the cell to load the file into"));
    const std::optional<QByteArray> bytes =
        blobFromFile(m_model->columns().value(cell->second), path);
    if (!bytes || !stageCell(cell->first, cell->second, *bytes))
        return false;
    setNotice(tr("%1 staged from %2").arg(byteSize(bytes->size()), path));
    emit changed();
    return true;
}

bool GridEditing::saveCellToFile(const QString &path)
{
    if (!m_changes)
        return refuse(tr("No table is open"));
    if (newRowsActive()) {
        const auto cell = currentNewCell();
        if (!cell)
            return refuse(tr("Select the new row's cell to save"));
        return saveInsertedCellToFile(cell->first, cell->second, path);
    }
    const auto cell = currentCell();
    if (!cell || !m_model->isRowLoaded(cell->first))
        return refuse(tr("Select the cell to save"));
    const orm::Column column = m_model->columns().value(cell->second);
    QVariant value = m_model->rawValue(cell->first, cell->second);
    if (const std::optional<orm::editing::RowKey> key = keyAt(cell->first))
        if (const auto pending = m_changes->pendingValue(*key, column.name))
            value = *pending;
    return blobToFile(column, value, path);
}

bool GridEditing::loadInsertedCellFromFile(int insertId, const QString &column, const QString &path)
{
    if (refuseIfReadOnly())
        return false;
    const orm::Field *field = m_changes->model().field(column);
    if (!field)
        return refuse(tr("%1 has no column %2").arg(m_changes->model().name, column));
    const std::optional<QByteArray> bytes = blobFromFile(editorColumn(*field), path);
    if (!bytes || !setInsertedCell(insertId, column, *bytes))
        return false;
    setNotice(tr("%1 staged from %2").arg(byteSize(bytes->size()), path));
    emit changed();
    return true;
}

bool GridEditing::saveInsertedCellToFile(int insertId, const QString &column, const QString &path)
{
    if (!m_changes)
        return refuse(tr("No table is open"));
    const orm::Field *field = m_changes->model().field(column);
    if (!field)
        return refuse(tr("%1 has no column %2").arg(m_changes->model().name, column));
    const QVariantMap values = m_changes->insertValues(insertId);
    if (!values.contains(column))
        return refuse(
            tr("%1 is left to the server in this new row: there are no bytes to save").arg(column));
    return blobToFile(editorColumn(*field), values.value(column), path);
}

void GridEditing::loadEditor(QWidget *editor, const QModelIndex &index) const
{
    if (auto *lookup = qobject_cast<ForeignKeyLookup *>(editor))
        editor = lookup->lineEdit();
    if (isNewRowCell(index)) {
        setCellEditorValue(editor, m_bar->newRowsModel()->valueAt(index).value_or(QVariant()));
        return;
    }
    const qint64 row = m_model->base() + index.row();
    QVariant current = m_model->rawValue(row, index.column());
    if (const std::optional<orm::editing::RowKey> key = keyAt(row); key && m_changes)
        if (const auto pending =
                m_changes->pendingValue(*key, m_model->columns()[index.column()].name))
            current = *pending;
    setCellEditorValue(editor, current);
}

void GridEditing::takeEditor(QWidget *editor, const QModelIndex &index)
{
    if (!m_changes)
        return;
    if (auto *lookup = qobject_cast<ForeignKeyLookup *>(editor))
        editor = lookup->lineEdit();
    if (isNewRowCell(index)) {
        takeNewRowEditor(editor, index);
        return;
    }
    const qint64 row = m_model->base() + index.row();
    const orm::Column column = m_model->columns().value(index.column());
    if (!editorWasChanged(editor))
        return; // opened and closed untouched: a NULL stays NULL, not ''
    const EditorValue typed = cellEditorValue(editor);
    if (!typed.ok()) {
        refuse(tr("%1: %2").arg(column.name, typed.error));
        return;
    }
    QVariant current = m_model->rawValue(row, index.column());
    if (const std::optional<orm::editing::RowKey> key = keyAt(row))
        if (const auto pending = m_changes->pendingValue(*key, column.name))
            current = *pending;
    if (sameCellValue(column, current, typed.value))
        return; // opened and closed unchanged: nothing to stage
    stageCell(row, index.column(), typed.value);
}

void GridEditing::takeNewRowEditor(QWidget *editor, const QModelIndex &index)
{
    const PendingInsertsModel *rows = m_bar->newRowsModel();
    const orm::Column column = rows->columnAt(index.column());
    if (!editorWasChanged(editor))
        return; // opened and closed untouched: DEFAULT stays DEFAULT
    const EditorValue typed = cellEditorValue(editor);
    if (!typed.ok()) {
        refuse(tr("%1: %2").arg(column.name, typed.error));
        return;
    }
    if (const std::optional<QVariant> current = rows->valueAt(index);
        current && sameCellValue(column, *current, typed.value))
        return;
    setInsertedCell(rows->insertIdAt(index.row()), column.name, typed.value);
}

QVariant GridEditing::cellData(qint64 row, int column, int role) const
{
    if (!m_changes || (!m_changes->hasChanges() && m_conflicts.isEmpty() && !m_error))
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case GridModel::FullTextRole:
    case GridModel::IsNullRole:
    case Qt::BackgroundRole:
    case Qt::ForegroundRole:
    case Qt::FontRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    const std::optional<orm::editing::RowKey> key = keyAt(row);
    if (!key)
        return {};
    const orm::Column info = m_model->columns().value(column);
    const QString stop = stopMessage(*key);
    if (m_changes->isDeleted(*key)) {
        if (role == Qt::BackgroundRole)
            return QBrush(tint(stop.isEmpty() ? Tone::Warning : Tone::Error, 70));
        if (role == Qt::FontRole) {
            QFont font;
            font.setStrikeOut(true);
            return font;
        }
        if (role == Qt::ToolTipRole)
            return stop.isEmpty() ? tr("Deleted when committed (Ctrl+Z takes it back)") : stop;
        return {};
    }
    const std::optional<QVariant> pending = m_changes->pendingValue(*key, info.name);
    const bool null = pending && (!pending->isValid() || pending->isNull());
    switch (role) {
    case Qt::DisplayRole:
        return pending ? QVariant(stagedText(info, *pending)) : QVariant();
    case Qt::EditRole:
    case GridModel::FullTextRole:
        if (!pending)
            return {};
        return null ? QVariant(QString()) : QVariant(pending->toString());
    case GridModel::IsNullRole:
        return pending ? QVariant(null) : QVariant();
    case Qt::BackgroundRole:
        if (!stop.isEmpty())
            return QBrush(tint(Tone::Error, 70));
        return pending ? QVariant(QBrush(tint(Tone::Accent, 70))) : QVariant();
    case Qt::ForegroundRole:
        if (null)
            return QBrush(QPalette().color(QPalette::Disabled, QPalette::Text));
        return pending ? QVariant(QBrush(QPalette().color(QPalette::Text))) : QVariant();
    case Qt::FontRole:
        if (!pending)
            return {};
        {
            QFont font;
            font.setItalic(null);
            return font;
        }
    case Qt::ToolTipRole:
        if (!stop.isEmpty())
            return stop;
        if (pending)
            return tr("Changed (row %1): written when committed; Ctrl+Z takes it back")
                .arg(keyText(*key));
        return {};
    default:
        return {};
    }
}

} // namespace strata::ui::editing
