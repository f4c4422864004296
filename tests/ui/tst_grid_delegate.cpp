// The grid's cell painting (GridDelegate), as a reader sees it: NULL in its dimmed italic, numbers
// on the right, a long or multi-line value on one line with an ellipsis, the selection in the
// highlight colour, a background mark (a changed cell) and alternate rows kept. The views are
// rendered offscreen into images; a check reads where the ink is and what colour a cell is
// filled with, never exact glyph pixels.

#include "fake_row_source.h"

#include "ui/grid_delegate.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>

using strata::test::FakeRowSource;
using strata::ui::GridDelegate;
using strata::ui::GridModel;
using strata::ui::GridView;

namespace {

// What a rendered cell holds: the colour most of it is filled with, and where its ink is (the
// pixels that differ from that fill), in the cell's own coordinates.
struct CellPixels {
    QColor fill;
    QRect ink;     // empty when the cell has no text
    int darkest{}; // the lowest grey level of the ink (0 black .. 255 white)
};

CellPixels cellPixels(QTableView *table, const QModelIndex &index)
{
    const QImage image = table->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    // Inside the grid lines.
    const QRect rect = table->visualRect(index).adjusted(1, 1, -2, -2);
    QHash<QRgb, int> counts;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            ++counts[image.pixel(x, y)];
    QRgb fill = 0;
    int most = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() > most) {
            most = it.value();
            fill = it.key();
        }
    CellPixels cell;
    cell.fill = QColor(fill);
    cell.darkest = 255;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            if (image.pixel(x, y) != fill) {
                cell.ink |= QRect(x - rect.left(), y - rect.top(), 1, 1);
                cell.darkest = std::min(cell.darkest, qGray(image.pixel(x, y)));
            }
    return cell;
}

// A light palette with colours far apart, so that a fill or an ink says which role it was.
QPalette testPalette()
{
    QPalette palette = QApplication::palette();
    palette.setColor(QPalette::Base, Qt::white);
    palette.setColor(QPalette::AlternateBase, QColor(0xe0, 0xf0, 0xe0));
    palette.setColor(QPalette::Text, Qt::black);
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0xb0, 0xb0, 0xb0));
    palette.setColor(QPalette::Highlight, QColor(0x20, 0x40, 0xc0));
    palette.setColor(QPalette::Inactive, QPalette::Highlight, QColor(0x20, 0x40, 0xc0));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Inactive, QPalette::HighlightedText, Qt::white);
    return palette;
}

} // namespace

class TestGridDelegate : public QObject {
    Q_OBJECT

    // A GridView over the fake table (id integer, name text, note: NULL when id % 7 == 0), its
    // first rows loaded and painted.
    struct Grid {
        std::shared_ptr<FakeRowSource> source = std::make_shared<FakeRowSource>(1000);
        GridModel model;
        GridView view;
        Grid()
        {
            view.resize(900, 500);
            view.setModel(&model);
            model.setSource(source);
            view.show();
        }
        ~Grid()
        {
            // No fetch left running when the model goes.
            QTRY_VERIFY(!model.isLoading());
        }
        QTableView *table() const { return view.table(); }
        QModelIndex at(int row, int column) const { return model.index(row, column); }
    };

private slots:
    void init() { QApplication::setPalette(testPalette()); }

    void theGridPaintsWithIt()
    {
        Grid grid;
        QVERIFY(qobject_cast<GridDelegate *>(grid.table()->itemDelegate()));
    }

    void nullIsShownAsNullInDimItalic()
    {
        Grid grid;
        QVERIFY(QTest::qWaitForWindowExposed(&grid.view));
        QTRY_VERIFY_WITH_TIMEOUT(grid.model.isRowLoaded(10), 5000);
        auto *delegate = qobject_cast<GridDelegate *>(grid.table()->itemDelegate());
        QStyleOptionViewItem option;
        option.initFrom(grid.table());
        option.font = grid.table()->font();
        option.state |= QStyle::State_Enabled | QStyle::State_Active;
        // id 7 (row 6) has a NULL note; id 1 (row 0) has "note 1".
        const GridDelegate::Look null = delegate->look(option, grid.at(6, 2));
        QCOMPARE(null.text, QStringLiteral("NULL"));
        QVERIFY(null.font.italic());
        QCOMPARE(null.font.family(), grid.table()->font().family());
        QCOMPARE(null.textColor, QColor(0xb0, 0xb0, 0xb0));
        const GridDelegate::Look text = delegate->look(option, grid.at(0, 2));
        QCOMPARE(text.text, QStringLiteral("note 1"));
        QVERIFY(!text.font.italic());
        QCOMPARE(text.textColor, QColor(Qt::black));

        // As painted: NULL's ink is no darker than its grey; a value's is near black.
        const CellPixels nullCell = cellPixels(grid.table(), grid.at(6, 2));
        const CellPixels textCell = cellPixels(grid.table(), grid.at(1, 2));
        QVERIFY(!nullCell.ink.isEmpty());
        QVERIFY2(nullCell.darkest >= 0xb0 - 8, qPrintable(QString::number(nullCell.darkest)));
        QVERIFY2(textCell.darkest < 0x60, qPrintable(QString::number(textCell.darkest)));
    }

    void aPaletteChangeRedimsNull()
    {
        Grid grid;
        QTRY_VERIFY_WITH_TIMEOUT(grid.model.isRowLoaded(10), 5000);
        QPalette palette = testPalette();
        palette.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x20, 0x20));
        QApplication::setPalette(palette);
        QCOMPARE(grid.model.data(grid.at(6, 2), Qt::ForegroundRole).value<QBrush>().color(),
                 QColor(0x80, 0x20, 0x20));
        QApplication::setPalette(testPalette());
        QCOMPARE(grid.model.data(grid.at(6, 2), Qt::ForegroundRole).value<QBrush>().color(),
                 QColor(0xb0, 0xb0, 0xb0));
    }

    void numbersOnTheRightTextOnTheLeft()
    {
        Grid grid;
        QVERIFY(QTest::qWaitForWindowExposed(&grid.view));
        QTRY_VERIFY_WITH_TIMEOUT(grid.model.isRowLoaded(10), 5000);
        grid.table()->setColumnWidth(0, 200);
        grid.table()->setColumnWidth(1, 200);
        const int width = grid.table()->columnWidth(0) - 3;
        // id "2" in a 200 px column (row 1: row 0 may be the current cell, framed): all of its
        // ink in the right quarter.
        const CellPixels number = cellPixels(grid.table(), grid.at(1, 0));
        QVERIFY(!number.ink.isEmpty());
        QVERIFY2(number.ink.left() > width * 3 / 4, qPrintable(QString::number(number.ink.left())));
        QVERIFY(number.ink.right() < width);
        // "name-2": in the left half.
        const CellPixels text = cellPixels(grid.table(), grid.at(1, 1));
        QVERIFY(!text.ink.isEmpty());
        QVERIFY2(text.ink.right() < width / 2, qPrintable(QString::number(text.ink.right())));
    }

    void longAndMultiLineValuesTakeOneLine()
    {
        GridDelegate delegate;
        const QFont font = QApplication::font();
        const QFontMetricsF metrics(font);
        QCOMPARE(delegate.shownText(QStringLiteral("first line\nsecond line"), font, 1000),
                 QStringLiteral("first line…"));
        QCOMPARE(delegate.shownText(QStringLiteral("a\r\nb"), font, 1000), QStringLiteral("a…"));
        QCOMPARE(delegate.shownText(QStringLiteral("short"), font, 1000), QStringLiteral("short"));
        const QString longText = QStringLiteral("a rather long value ").repeated(10);
        const QString shown = delegate.shownText(longText, font, 120);
        QVERIFY(shown.endsWith(QChar(0x2026)));
        QVERIFY(longText.startsWith(shown.chopped(1)));
        QVERIFY(metrics.horizontalAdvance(shown) <= 120);
        // The same again (from the cache of elided values) is the same text.
        QCOMPARE(delegate.shownText(longText, font, 120), shown);
        // Not ASCII: measured by shaping, not by the advance table.
        const QString greek = QStringLiteral("αβγδε ").repeated(30);
        const QString shownGreek = delegate.shownText(greek, font, 90);
        QVERIFY(shownGreek.endsWith(QChar(0x2026)));
        QVERIFY(metrics.horizontalAdvance(shownGreek) <= 90);

        // As painted: one line of ink, within the cell, whatever the value holds.
        // Row 0 is the current cell, framed by the style: the values are below it.
        QStandardItemModel model(3, 1);
        model.setItem(0, 0, new QStandardItem(QStringLiteral("current")));
        model.setItem(1, 0, new QStandardItem(QStringLiteral("one\ntwo\nthree\nfour")));
        model.setItem(2, 0, new QStandardItem(longText));
        QTableView table;
        table.setItemDelegate(new GridDelegate(&table));
        table.setModel(&model);
        table.setColumnWidth(0, 120);
        table.verticalHeader()->setDefaultSectionSize(QFontMetrics(font).height() * 4);
        table.resize(300, 400);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        const int lineHeight = QFontMetrics(table.font()).height();
        const CellPixels multi = cellPixels(&table, model.index(1, 0));
        QVERIFY(!multi.ink.isEmpty());
        QVERIFY2(multi.ink.height() <= lineHeight, qPrintable(QString::number(multi.ink.height())));
        const CellPixels elided = cellPixels(&table, model.index(2, 0));
        QVERIFY(elided.ink.height() <= lineHeight);
        QVERIFY(elided.ink.right() < 120);
        // One line high, whatever the value.
        QStyleOptionViewItem option;
        option.initFrom(&table);
        option.font = table.font();
        QCOMPARE(table.itemDelegate()->sizeHint(option, model.index(1, 0)).height(),
                 table.itemDelegate()->sizeHint(option, model.index(2, 0)).height());
        QVERIFY(table.itemDelegate()->sizeHint(option, model.index(1, 0)).height() <
                lineHeight * 2);
    }

    void selectionIsPaintedInTheHighlight()
    {
        Grid grid;
        QVERIFY(QTest::qWaitForWindowExposed(&grid.view));
        QTRY_VERIFY_WITH_TIMEOUT(grid.model.isRowLoaded(10), 5000);
        grid.table()->selectionModel()->select(grid.at(2, 1), QItemSelectionModel::Select);
        grid.table()->selectionModel()->select(grid.at(6, 2), QItemSelectionModel::Select);
        const CellPixels selected = cellPixels(grid.table(), grid.at(2, 1));
        QCOMPARE(selected.fill, QColor(0x20, 0x40, 0xc0));
        QVERIFY(!selected.ink.isEmpty());
        // Its text in the highlighted text colour: the ink is lighter than the fill.
        const QImage image = grid.table()->viewport()->grab().toImage();
        bool light = false;
        const QRect rect = grid.table()->visualRect(grid.at(2, 1));
        for (int y = rect.top() + 1; y < rect.bottom() && !light; ++y)
            for (int x = rect.left() + 1; x < rect.right() && !light; ++x)
                light = qGray(image.pixel(x, y)) > 0xe0;
        QVERIFY(light);
        // A selected NULL is highlighted too; the cell beside it is not.
        QCOMPARE(cellPixels(grid.table(), grid.at(6, 2)).fill, QColor(0x20, 0x40, 0xc0));
        QCOMPARE(cellPixels(grid.table(), grid.at(6, 1)).fill, QColor(Qt::white));
    }

    void backgroundMarksAndAlternateRowsArePainted()
    {
        // What the cell editor's marks rely on: a BackgroundRole brush fills its cell.
        QStandardItemModel model(3, 2);
        for (int row = 0; row < 3; ++row)
            for (int column = 0; column < 2; ++column)
                model.setItem(row, column, new QStandardItem(QString::number(row * 10 + column)));
        model.item(0, 1)->setBackground(QColor(0xff, 0xe0, 0x80));
        QTableView table;
        table.setPalette(testPalette());
        table.setItemDelegate(new GridDelegate(&table));
        table.setAlternatingRowColors(true);
        table.setModel(&model);
        table.resize(400, 300);
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        QCOMPARE(cellPixels(&table, model.index(0, 1)).fill, QColor(0xff, 0xe0, 0x80));
        // (Row 0's first cell is the current one, which the style may tint.)
        QCOMPARE(cellPixels(&table, model.index(2, 0)).fill, QColor(Qt::white));
        QCOMPARE(cellPixels(&table, model.index(1, 0)).fill, QColor(0xe0, 0xf0, 0xe0));
        // The mark's text is still drawn over it.
        QVERIFY(!cellPixels(&table, model.index(0, 1)).ink.isEmpty());
    }
};

QTEST_MAIN(TestGridDelegate)
#include "tst_grid_delegate.moc"
