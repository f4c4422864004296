#include "pending_inserts_model.h"

#include "cell_editors.h"
#include "grid_editing.h"

#include "ui/theme.h"

#include <QBrush>
#include <QFont>
#include <QPalette>

namespace strata::ui::editing {

PendingInsertsModel::PendingInsertsModel(GridEditing *editing, QObject *parent)
    : QAbstractTableModel(parent)
    , m_editing(editing)
{
}

void PendingInsertsModel::reload()
{
    QList<int> ids;
    QStringList columns;
    if (const orm::editing::ChangeSet *changes = m_editing->changeSet()) {
        ids = changes->pendingInserts();
        for (const orm::Field &field : changes->model().fields)
            columns << field.name;
    }
    if (ids == m_ids && columns == m_columns) {
        // The same rows: an editor open on one of them stays open.
        if (!m_ids.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    beginResetModel();
    m_ids = ids;
    m_columns = columns;
    endResetModel();
}

orm::Column PendingInsertsModel::columnAt(int column) const
{
    const orm::editing::ChangeSet *changes = m_editing->changeSet();
    if (!changes || column < 0 || column >= changes->model().fields.size())
        return {};
    return editorColumn(changes->model().fields[column]);
}

std::optional<QVariant> PendingInsertsModel::valueAt(const QModelIndex &index) const
{
    const orm::editing::ChangeSet *changes = m_editing->changeSet();
    if (!changes || !index.isValid() || index.row() >= m_ids.size())
        return std::nullopt;
    const QVariantMap values = changes->insertValues(m_ids[index.row()]);
    const auto it = values.constFind(m_columns.value(index.column()));
    return it == values.cend() ? std::nullopt : std::optional<QVariant>(it.value());
}

int PendingInsertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ids.size());
}

int PendingInsertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant PendingInsertsModel::data(const QModelIndex &index, int role) const
{
    const orm::editing::ChangeSet *changes = m_editing->changeSet();
    if (!index.isValid() || !changes || index.row() >= m_ids.size())
        return {};
    const QVariantMap values = changes->insertValues(m_ids[index.row()]);
    const QString &column = m_columns[index.column()];
    const bool given = values.contains(column);
    // The commit stopped on this row: its message on every cell, in the warning tone.
    const std::optional<orm::editing::CommitError> &error = m_editing->lastError();
    const bool stopped = error && error->insertId > 0 && error->insertId == m_ids[index.row()];
    if (stopped && role == Qt::ToolTipRole)
        return error->message;
    if (stopped && role == Qt::BackgroundRole) {
        QColor tone = toneColor(Tone::Warning, QPalette());
        tone.setAlpha(90);
        return QBrush(tone);
    }
    switch (role) {
    case Qt::DisplayRole: {
        if (!given)
            return tr("DEFAULT");
        return stagedText(columnAt(index.column()), values.value(column));
    }
    case Qt::EditRole:
        return given ? values.value(column).toString() : QString();
    case Qt::ForegroundRole:
        if (!given || values.value(column).isNull())
            return QBrush(QPalette().color(QPalette::Disabled, QPalette::Text));
        return {};
    case Qt::BackgroundRole:
        if (given) {
            QColor tone = toneColor(Tone::Success, QPalette());
            tone.setAlpha(60);
            return QBrush(tone);
        }
        return {};
    case Qt::ToolTipRole:
        return given ? QVariant()
                     : tr("Left to the server (its default, identity or generated "
                          "value)");
    default:
        return {};
    }
}

bool PendingInsertsModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !m_editing->changeSet() || !index.isValid() ||
        index.row() >= m_ids.size())
        return false;
    const orm::Column info = columnAt(index.column());
    const EditorValue parsed = parseCellText(info, value.toString());
    if (!parsed.ok()) {
        emit m_editing->refused(tr("%1: %2").arg(info.name, parsed.error));
        return false;
    }
    return m_editing->setInsertedCell(m_ids[index.row()], info.name, parsed.value);
}

QVariant PendingInsertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical && role == Qt::ToolTipRole) {
        const std::optional<orm::editing::CommitError> &error = m_editing->lastError();
        if (error && error->insertId > 0 && error->insertId == m_ids.value(section, -1))
            return error->message;
    }
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Horizontal)
        return m_columns.value(section);
    return tr("new %1").arg(section + 1);
}

Qt::ItemFlags PendingInsertsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    const orm::editing::ChangeSet *changes = m_editing->changeSet();
    if (index.isValid() && changes && !changes->model().fields[index.column()].generated)
        flags |= Qt::ItemIsEditable;
    return flags;
}

} // namespace strata::ui::editing
