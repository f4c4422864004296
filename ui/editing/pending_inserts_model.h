#pragma once

// The rows staged for insertion, as a small table above the grid (they have no place among the
// stored rows until the server gives them a key): one row per insert, one column per field.
// A column not set yet shows DEFAULT (left to the server); typing sets it. The grid's typed
// editors open on these cells too (GridEditing tells them apart by this model), and a row a
// commit stopped on is marked with its message.

#include "orm/core/row_batch.h"

#include <QAbstractTableModel>

#include <optional>

namespace strata::ui::editing {

class GridEditing;

class PendingInsertsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit PendingInsertsModel(GridEditing *editing, QObject *parent = nullptr);

    // Reads the change set again (after any change).
    void reload();
    int insertIdAt(int row) const { return m_ids.value(row); }
    // The row of an insert; -1 when it is not listed.
    int rowOf(int insertId) const { return int(m_ids.indexOf(insertId)); }
    // Column `column` as the grid's editors take it (name, type, SQL type).
    orm::Column columnAt(int column) const;
    // The value set for a cell (invalid for NULL); none while it is left to the server.
    std::optional<QVariant> valueAt(const QModelIndex &index) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    GridEditing *m_editing;
    QList<int> m_ids;
    QStringList m_columns;
};

} // namespace strata::ui::editing
