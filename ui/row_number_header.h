#pragma once

// The grid's vertical header: row numbers, sized without shaping each one. QHeaderView sizes
// itself from the text of its first and last 100 sections, through the style, on every reset
// of the model (2-3 ms of the GUI thread before a new table's first page can be shown). Row
// numbers of one length have one width (digits are tabular), so each length is measured once.

#include <QHash>
#include <QHeaderView>

namespace strata::ui {

class RowNumberHeader : public QHeaderView {
    Q_OBJECT

public:
    explicit RowNumberHeader(QWidget *parent = nullptr);

protected:
    QSize sectionSizeFromContents(int logicalIndex) const override;
    void changeEvent(QEvent *event) override;

private:
    mutable QHash<qsizetype, QSize> m_sizeOfLength; // by the number's length
};

} // namespace strata::ui
