#include "grid_edit_delegate.h"

#include "foreign_key_lookup.h"
#include "grid_editing.h"

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
    } else if (qobject_cast<ForeignKeyLookup *>(editor)) {
        // The cell's editor on top, the referenced rows below it.
        QRect rect = option.rect;
        rect.setWidth(std::max(rect.width(), 420));
        rect.setHeight(rect.height() + 220);
        // Near the grid's bottom it moves up rather than hide its rows past the edge.
        if (const QWidget *area = editor->parentWidget(); area && rect.bottom() >= area->height())
            rect.moveTop(std::max(0, area->height() - rect.height()));
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
