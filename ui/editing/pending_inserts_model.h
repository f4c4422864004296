#pragma once

// The rows staged for insertion, as a small table above the grid (they have no place among the
// stored rows until the server gives them a key): one row per insert, one column per field.
// A column not set yet shows DEFAULT (left to the server); typing sets it.

#include <QAbstractTableModel>

namespace strata::ui::editing {

class GridEditing;

class PendingInsertsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit PendingInsertsModel(GridEditing *editing, QObject *parent = nullptr);

    // Reads the change set again (after any change).
    void reload();
    int insertIdAt(int row) const { return m_ids.value(row); }

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
