#pragma once

// A fan-out's merged result as a table model: the rows of orm::MergedResult read in place (never
// copied), shown lazily (a chunk at a time as the view scrolls, through canFetchMore/fetchMore)
// while targets still stream. Cells of a column a target lacks read NULL and are marked; the
// header says which targets lack a column (a '*' after its name, the targets in its tooltip).

#include "orm/fanout/fan_out.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace strata::ui {

class MergedResultModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Role {
        IsNullRole = Qt::UserRole + 1, // bool: SQL NULL (a missing column's cell too)
        IsMissingRole,                 // bool: the row's target has no such column
        TargetRole,                    // int: the row's target index
        SortRole,                      // the value to sort by (numbers as numbers)
    };
    static constexpr int kChunkRows = 256;

    explicit MergedResultModel(QObject *parent = nullptr);

    // Follows `fanOut` (null: empty). It must outlive the model or be set again before it dies.
    void setFanOut(orm::FanOut *fanOut);
    orm::FanOut *fanOut() const { return m_fanOut; }
    // The merged rows the model shows so far (the rest come with fetchMore).
    int shownRows() const { return m_shown; }
    // Every merged row shown, those still to come too (a sort or a filter must see them all).
    void showAll();
    // The targets (as "database.schema") that lack merged column `column`.
    QStringList targetsMissing(int column) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    void onRowsAppended();
    void onColumnsChanged();
    // Per merged column, the targets lacking it; read again when targets finish.
    void refreshMissing();

    QPointer<orm::FanOut> m_fanOut;
    int m_shown = 0;
    bool m_showsAll = false;
    int m_columns = 0;
    QList<QStringList> m_missing;
};

} // namespace strata::ui
