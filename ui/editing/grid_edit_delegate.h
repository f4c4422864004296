#pragma once

// The item delegate the grid's table uses for editing: it paints as the delegate it replaced
// did (the grid's own, whatever it is), and leaves editors to GridEditing (createEditor refuses
// with the table's reason when it cannot be edited; setModelData stages, never writes). A
// painting delegate of the grid's own can instead call GridEditing's three editor functions.

#include <QPointer>
#include <QStyledItemDelegate>

namespace strata::ui::editing {

class GridEditing;

class GridEditDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    // `painter`: the delegate that painted the cells before (not owned; null: the default).
    GridEditDelegate(GridEditing *editing, QAbstractItemDelegate *painter,
                     QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    // A multi-line editor gets room to show several lines.
    void updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override;

signals:
    // A foreign-key cell's editor opened with its lookup (the view may need room for its rows).
    void lookupOpened(QWidget *lookup);

private:
    QPointer<GridEditing> m_editing;
    QPointer<QAbstractItemDelegate> m_painter;
};

} // namespace strata::ui::editing
