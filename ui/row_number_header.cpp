#include "row_number_header.h"

#include <QEvent>

namespace strata::ui {

RowNumberHeader::RowNumberHeader(QWidget *parent)
    : QHeaderView(Qt::Vertical, parent)
{
}

QSize RowNumberHeader::sectionSizeFromContents(int logicalIndex) const
{
    if (!model())
        return QHeaderView::sectionSizeFromContents(logicalIndex);
    const qsizetype length =
        model()->headerData(logicalIndex, orientation(), Qt::DisplayRole).toString().size();
    auto found = m_sizeOfLength.constFind(length);
    if (found == m_sizeOfLength.cend())
        found = m_sizeOfLength.insert(length, QHeaderView::sectionSizeFromContents(logicalIndex));
    return *found;
}

void RowNumberHeader::changeEvent(QEvent *event)
{
    // Another font or style draws the numbers at another size.
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        m_sizeOfLength.clear();
    QHeaderView::changeEvent(event);
}

} // namespace strata::ui
