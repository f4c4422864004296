#include "grid_edit_delegate.h"

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
    return m_editing ? m_editing->createEditor(index, parent) : nullptr;
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
    }
}

void GridEditDelegate::setModelData(QWidget *editor, QAbstractItemModel *,
                                    const QModelIndex &index) const
{
    if (m_editing)
        m_editing->takeEditor(editor, index);
}

} // namespace strata::ui::editing
