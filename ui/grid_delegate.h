#pragma once

// How the grid paints a cell: one line of text drawn straight with QPainter::drawText.
//
// QStyledItemDelegate lays each cell's text out two or three times per paint (QTextLayout for
// its size, for its rectangle and for eliding) and asks the model for roles the grid never
// gives; that was most of a viewport repaint (docs/BENCHMARKS.md, "The grid's GUI thread"). This
// delegate asks for the roles GridModel gives (display, foreground, background, font, alignment),
// measures with cached font metrics (a table of ASCII advances, so that a short value is never
// shaped just to learn that it fits) and shapes the text once, to draw it. Selection, the
// current cell's focus frame, the palette's colour groups and background marks (a changed cell)
// are painted as the style would; alternate rows and grid lines are the view's own. Editing is
// QStyledItemDelegate's, untouched.

#include <QFont>
#include <QFontMetricsF>
#include <QHash>
#include <QStyledItemDelegate>

#include <array>
#include <memory>
#include <utility>
#include <vector>

namespace strata::ui {

class GridDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit GridDelegate(QObject *parent = nullptr);
    ~GridDelegate() override;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The one line a cell shows of `text` in `width` pixels of `font`: the first line (with an
    // ellipsis when more lines follow), elided on the right when it is too wide.
    QString shownText(const QString &text, const QFont &font, int width) const;
    // What the cell at `index` is painted with, resolved as paint() resolves it (tests).
    struct Look {
        QString text; // before eliding
        QFont font;
        QColor textColor;
        QBrush background; // Qt::NoBrush when none
        Qt::Alignment alignment;
    };
    Look look(const QStyleOptionViewItem &option, const QModelIndex &index) const;

private:
    // A font's metrics, with the advances of printable ASCII measured once, and the elided
    // forms of the values found too wide (by column width), dropped when there are many.
    struct Metrics {
        QFont font;
        QFontMetricsF metrics;
        std::array<qreal, 128> ascii{};
        QHash<std::pair<int, QString>, QString> elided;
        Metrics(const QFont &font, const QPaintDevice *device);
        // The text's width without shaping it, or -1 when it holds anything but printable ASCII.
        qreal asciiWidth(const QString &text) const;
        qreal width(const QString &text) const;
    };
    Metrics &metricsFor(const QFont &font, const QWidget *widget) const;
    QString fitted(Metrics &metrics, const QString &line, int width, Qt::TextElideMode mode) const;
    QFont resolvedFont(const QVariant &role, const QFont &base) const;

    // A grid has two fonts (the view's, and NULL's italic): a short list, newest first.
    mutable std::vector<std::unique_ptr<Metrics>> m_metrics;
    // The last font FontRole gave, resolved against the view's (a NULL cell's italic), so that
    // NULL cells share one QFont and its metrics.
    mutable QFont m_roleFont;
    mutable QFont m_baseFont;
    mutable QFont m_resolved;
};

} // namespace strata::ui
