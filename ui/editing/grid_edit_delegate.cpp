#include "grid_edit_delegate.h"

#include "foreign_key_lookup.h"
#include "grid_editing.h"

#include <QLineEdit>
#include <QPlainTextEdit>

namespace strata::ui::editing {

GridEditDelegate::GridEditDelegate(GridEditing *editing, QAbstractItemDelegate *painter,
                                   QObject *parent)
    : QStyledItemDelegate(parent)
    , m_editing(editing)
    , m_painter(painter)
{
}

void GridEditDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    if (m_painter)
        m_painter->paint(painter, option, index);
    else
        QStyledItemDelegate::paint(painter, option, index);
}

QSize GridEditDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return m_painter ? m_painter->sizeHint(option, index)
                     : QStyledItemDelegate::sizeHint(option, index);
}

QWidget *GridEditDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &,
                                        const QModelIndex &index) const
{
    QWidget *editor = m_editing ? m_editing->createEditor(index, parent) : nullptr;
    if (auto *lookup = qobject_cast<ForeignKeyLookup *>(editor)) {
        // A row picked in the lookup is taken as Enter takes what was typed.
        auto *self = const_cast<GridEditDelegate *>(this);
        connect(lookup, &ForeignKeyLookup::picked, self, [self, lookup] {
            emit self->commitData(lookup);
            emit self->closeEditor(lookup, QAbstractItemDelegate::NoHint);
        });
        emit self->lookupOpened(lookup);
    }
    return editor;
}

void GridEditDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (m_editing)
        m_editing->loadEditor(editor, index);
}

void GridEditDelegate::updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                                            const QModelIndex &index) const
{
    QStyledItemDelegate::updateEditorGeometry(editor, option, index);
    if (qobject_cast<QPlainTextEdit *>(editor)) {
        QRect rect = option.rect;
        rect.setWidth(std::max(rect.width(), 360));
        rect.setHeight(std::max(rect.height() * 6, 140));
        editor->setGeometry(rect);
    } else if (auto *lookup = qobject_cast<ForeignKeyLookup *>(editor)) {
        // The cell's editor stays over the cell; the referenced rows go below it, or above it
        // when there is more room there (near the grid's bottom), rather than past the edge.
        constexpr int kRowsHeight = 220;
        constexpr int kLeastRowsHeight = 80;
        const QRect cell = option.rect;
        const QWidget *area = editor->parentWidget();
        const int roomBelow = area ? area->height() - cell.bottom() - 1 : kRowsHeight;
        const int roomAbove = cell.top();
        const bool above = roomBelow < kRowsHeight && roomAbove > roomBelow;
        const int rows =
            std::max(kLeastRowsHeight, std::min(kRowsHeight, above ? roomAbove : roomBelow));
        // The line editor exactly over the cell, as the grid's other editors are.
        const int line = cell.height();
        lookup->lineEdit()->setFixedHeight(line);
        QRect rect(cell.left(), cell.top(), std::max(cell.width(), 420), line + rows);
        if (above)
            rect.moveTop(cell.top() - rows);
        lookup->setRowsAbove(above);
        editor->setGeometry(rect);
    }
}

void GridEditDelegate::setModelData(QWidget *editor, QAbstractItemModel *,
                                    const QModelIndex &index) const
{
    if (m_editing)
        m_editing->takeEditor(editor, index);
}

} // namespace strata::ui::editing
