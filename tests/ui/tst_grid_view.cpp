// The real GridView over a fake 100,000,000-row source: past QTableView's pixel overflow
// (about 71 M rows of ~30 px), the rows asked for are the rows rendered, by the scroll bar, by
// scrollToRow and by Ctrl+End; and scrolling paints without waiting for Qt's thread pool.

#include "blocked_global_pool.h"
#include "fake_row_source.h"

#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/theme.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTableView>
#include <QTest>

#include <utility>

using strata::test::FakeRowSource;
using strata::ui::GridModel;
using strata::ui::GridView;

// A 900 × 600 grid view on a model of its own, shown.
struct ShownGrid {
    GridModel model;
    GridView view;
    ShownGrid()
    {
        view.resize(900, 600);
        view.setModel(&model);
        view.show();
    }
    bool exposed() { return QTest::qWaitForWindowExposed(&view); }
};

// Counts the paint events a widget gets.
struct PaintCounter : QObject {
    explicit PaintCounter(QWidget *widget) { widget->installEventFilter(this); }
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return false;
    }
    int count = 0;
};

class TestGridView : public QObject {
    Q_OBJECT

    static constexpr qint64 kRows = 100'000'000;

    // The text painted for table row `row`: its rectangle must be inside the viewport, and the
    // index the view finds at that rectangle's centre must show the row's id.
    static QString renderedRow(GridView &view, qint64 row, int column = 0)
    {
        QTableView *table = view.table();
        const qint64 viewRow = row - view.model()->base();
        if (viewRow < 0 || viewRow >= view.model()->rowCount())
            return QStringLiteral("(outside the span)");
        const QRect rect = table->visualRect(view.model()->index(int(viewRow), column));
        if (!table->viewport()->rect().contains(rect.center()))
            return QStringLiteral("(not in the viewport)");
        return table->indexAt(rect.center()).data().toString();
    }
    static QString renderedCell(GridView &view, int y, int column)
    {
        QTableView *table = view.table();
        const QModelIndex index =
            table->indexAt(QPoint(table->columnViewportPosition(column) + 5, y));
        return index.data().toString();
    }
    static bool visibleLoaded(GridView &view)
    {
        const qint64 top = view.topRow();
        const qint64 bottom = std::min(view.model()->totalRows(), top + view.visibleRows()) - 1;
        return view.model()->isRowLoaded(top) && view.model()->isRowLoaded(bottom);
    }

private slots:
    void scrollsPastThePixelOverflow()
    {
        auto source = std::make_shared<FakeRowSource>(kRows);
        GridModel model;
        GridView view;
        view.resize(900, 600);
        view.setModel(&model);
        // 30 px rows, as on a desktop with a larger font: QTableView's int pixel arithmetic
        // overflows past 71.6 M of them.
        view.table()->verticalHeader()->setDefaultSectionSize(30);
        model.setSource(source);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 10000);
        QCOMPARE(model.totalRows(), kRows);
        // What a plain QTableView would have to lay out: beyond int pixels.
        const qint64 pixels = kRows * view.table()->verticalHeader()->defaultSectionSize();
        QVERIFY(pixels > std::numeric_limits<int>::max());
        QVERIFY(model.rowCount() <= model.spanRows());

        // The grid's own scroll bar covers the whole table.
        QVERIFY(view.scrollBar()->maximum() >= kRows - view.visibleRows() - 1);
        const qint64 target = 99'999'990;
        view.scrollToRow(target);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QCOMPARE(view.topRow(), std::min<qint64>(target, kRows - view.visibleRows()));
        QTest::qWait(50); // a paint
        // Row 99,999,990 and every row after it down to the last are painted where they should.
        for (qint64 row = target; row < kRows; ++row)
            QCOMPARE(renderedRow(view, row), QString::number(row + 1));
        QCOMPARE(renderedRow(view, target, 1), QStringLiteral("name-%1").arg(target + 1));
        const qint64 top = view.topRow();
        for (int i = 0; i < view.visibleRows(); ++i)
            QCOMPARE(renderedRow(view, top + i), QString::number(top + i + 1));
        // Reached by a jump (seek or the last page), not by paging through the table.
        QVERIFY(model.stats().after + model.stats().before < 50);

        // The scroll bar itself, as a drag would move it, to row 99,999,990.
        view.scrollToRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QCOMPARE(renderedCell(view, 2, 0), QStringLiteral("1"));
        view.scrollBar()->setValue(int(target - 20));
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QTRY_COMPARE(renderedRow(view, target - 20), QString::number(target - 20 + 1));
        QCOMPARE(view.topRow(), target - 20);

        // Ctrl+End: the last row is rendered at the bottom.
        view.table()->setFocus();
        QTest::keyClick(view.table(), Qt::Key_End, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QCOMPARE(view.topRow() + view.visibleRows(), kRows);
        QTRY_COMPARE(renderedRow(view, kRows - 1), QString::number(kRows));
        QCOMPARE(view.currentRow(), kRows - 1);

        // And back to the start.
        QTest::keyClick(view.table(), Qt::Key_Home, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QCOMPARE(view.topRow(), 0);
        QTRY_COMPARE(renderedCell(view, 2, 0), QStringLiteral("1"));
    }

    // Ctrl+End before the row count is known: the end is placed by estimate, and when the count
    // arrives the view follows the end to its true place.
    void ctrlEndBeforeTheCountFollowsTheEnd()
    {
        auto source = std::make_shared<FakeRowSource>(kRows, 0, 1500);
        GridModel model;
        GridView view;
        view.resize(900, 600);
        view.setModel(&model);
        model.setSource(source);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 5000);
        QVERIFY(!model.isCountKnown());
        view.table()->setFocus();
        QTest::keyClick(view.table(), Qt::Key_End, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
        QCOMPARE(view.topRow() + view.visibleRows(), kRows);
        QTRY_COMPARE(renderedRow(view, kRows - 1), QString::number(kRows));
        QCOMPARE(view.currentRow(), kRows - 1);
    }

    // A new table: its viewport keeps its last frame until the first rows are in (no frame of
    // placeholders, which would also queue the rows' reply behind a paint), the filter row is
    // built after them, and the count starts after them too, even when the page came at once.
    void newTableWaitsForItsFirstRows_data()
    {
        QTest::addColumn<int>("delayMs");
        QTest::newRow("page at once") << 0;
        QTest::newRow("page after 80 ms") << 80;
    }
    void newTableWaitsForItsFirstRows()
    {
        QFETCH(int, delayMs);
        auto source = std::make_shared<FakeRowSource>(1000, delayMs);
        ShownGrid grid;
        QVERIFY(grid.exposed());
        GridModel &model = grid.model;
        GridView &view = grid.view;
        model.setSource(source);
        QCOMPARE(source->counts, 0);
        if (delayMs > 0) {
            // The headers too: the old table's names must not stand over placeholders.
            QVERIFY(!view.table()->viewport()->updatesEnabled());
            QVERIFY(!view.table()->horizontalHeader()->updatesEnabled());
            QVERIFY(!view.table()->verticalHeader()->updatesEnabled());
            QVERIFY(filterEditors(view).isEmpty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 5000);
        QVERIFY(view.table()->viewport()->updatesEnabled());
        QTRY_COMPARE(filterEditors(view).size(), 3);
        QTRY_COMPARE(source->counts, 1);
        QTRY_VERIFY(model.isCountKnown());
        QCOMPARE(model.totalRows(), 1000);
    }

    // The first page of a new table is asked for before the views hear of the reset (their
    // relayout then runs while it is read), from the top, even when the view had scrolled deep
    // into the previous table.
    void newTableAsksItsFirstPageBeforeTheReset()
    {
        ShownGrid grid;
        QVERIFY(grid.exposed());
        GridModel &model = grid.model;
        GridView &view = grid.view;
        model.setSource(std::make_shared<FakeRowSource>(kRows));
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 10000);
        view.scrollToRow(50'000'000);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);

        auto next = std::make_shared<FakeRowSource>(1000, 50);
        QStringList askedBeforeTheReset;
        bool reset = false;
        const auto connection = connect(&model, &QAbstractItemModel::modelReset, this, [&] {
            if (!std::exchange(reset, true))
                askedBeforeTheReset = next->calls;
        });
        model.setSource(next);
        disconnect(connection);
        QVERIFY(reset);
        QCOMPARE(askedBeforeTheReset, QStringList{QStringLiteral("first 256")});
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 5000);
        QCOMPARE(view.topRow(), 0);
        QCOMPARE(renderedRow(view, 0), QStringLiteral("1"));
    }

    // The row numbers' header measures one number of each length (the rest are the same
    // width), and comes out as wide as Qt's own header measuring every one.
    void rowNumbersSizedAsQtWould()
    {
        ShownGrid grid;
        QVERIFY(grid.exposed());
        GridModel &model = grid.model;
        GridView &view = grid.view;
        model.setSource(std::make_shared<FakeRowSource>(kRows));
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 10000);
        for (const qint64 row : {qint64(0), qint64(9'990), qint64(99'999'000)}) {
            view.scrollToRow(row);
            QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(view), 10000);
            QHeaderView plain(Qt::Vertical);
            plain.setModel(&model);
            plain.setFont(view.table()->verticalHeader()->font());
            QCOMPARE(view.table()->verticalHeader()->sizeHint().width(), plain.sizeHint().width());
        }
    }

    // A source that keeps the first page waiting: after a moment the placeholders show (and
    // the filter row), rather than a grid that looks frozen.
    void slowFirstPageShowsPlaceholdersAfterAMoment()
    {
        auto source = std::make_shared<FakeRowSource>(1000, 3000);
        ShownGrid grid;
        QVERIFY(grid.exposed());
        GridModel &model = grid.model;
        GridView &view = grid.view;
        model.setSource(source);
        QVERIFY(!view.table()->viewport()->updatesEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(view.table()->viewport()->updatesEnabled(), 2000);
        QTRY_COMPARE_WITH_TIMEOUT(filterEditors(view).size(), 3, 1000);
        QVERIFY(!model.isRowLoaded(0));
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(0), 10000);
    }

    // Scrolling paints the grid without Qt's global thread pool: Qt's raster engine splits a
    // tall gradient or translucent fill (Fusion's scroll bar) across that pool and waits for it,
    // so each scroll step waited for other threads (10-25 ms on a busy two-core machine), and
    // for as long as anyone's long job held the pool.
    void scrollingPaintsWithoutQtsThreadPool()
    {
        ShownGrid grid;
        QVERIFY(grid.exposed());
        grid.model.setSource(std::make_shared<FakeRowSource>(kRows));
        QTRY_VERIFY_WITH_TIMEOUT(grid.model.isCountKnown(), 10000);
        QVERIFY(grid.view.scrollBar()->height() > 200); // tall enough for Qt to split its fills
        strata::test::BlockedGlobalPool blocked(5000);
        for (const qint64 row : {qint64(1'000), qint64(60'000'000), qint64(99'999'000)}) {
            grid.view.scrollToRow(row);
            QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(grid.view), 10000);
            grid.view.repaint();
            QVERIFY2(!blocked.released(), "a paint waited for Qt's thread pool");
        }
    }

    // Scrolling with no current cell leaves the (empty) detail pane alone: clearing it again
    // on every page that arrived repainted it twice per scroll step.
    void scrollingLeavesAnEmptyDetailPaneAlone()
    {
        ShownGrid grid;
        QVERIFY(grid.exposed());
        grid.model.setSource(std::make_shared<FakeRowSource>(kRows));
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(grid.view), 10000);
        auto *detail = grid.view.findChild<QPlainTextEdit *>(QStringLiteral("detailPane"));
        QVERIFY(detail && detail->isVisible());
        QVERIFY(!grid.view.table()->currentIndex().isValid());
        PaintCounter paints(detail->viewport());
        for (const qint64 row : {qint64(1'000), qint64(60'000'000), qint64(99'999'000)}) {
            grid.view.scrollToRow(row);
            QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(grid.view), 10000);
            QApplication::processEvents();
        }
        QCOMPARE(paints.count, 0);
        // With a current cell it shows that cell's value.
        grid.view.table()->setCurrentIndex(grid.model.index(0, 0));
        QTRY_VERIFY(!detail->toPlainText().isEmpty());
    }

    // The scroll bar's handle is drawn where the style puts it (where clicks land), and stands
    // out from its groove by WCAG's 3:1 for controls, on the light and the dark theme.
    void scrollBarHandleStandsOut_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void scrollBarHandleStandsOut()
    {
        QFETCH(bool, dark);
        ShownGrid grid;
        QVERIFY(grid.exposed());
        grid.model.setSource(std::make_shared<FakeRowSource>(1000));
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(grid.view), 10000);
        QScrollBar *bar = grid.view.scrollBar();
        bar->setPalette(dark ? strata::ui::darkPalette() : strata::ui::lightPalette());
        grid.view.scrollToRow(500);
        QTRY_VERIFY_WITH_TIMEOUT(visibleLoaded(grid.view), 10000);

        QStyleOptionSlider option;
        option.initFrom(bar);
        option.orientation = bar->orientation();
        option.minimum = bar->minimum();
        option.maximum = bar->maximum();
        option.sliderPosition = bar->sliderPosition();
        option.sliderValue = bar->value();
        option.pageStep = bar->pageStep();
        option.singleStep = bar->singleStep();
        option.subControls = QStyle::SC_All;
        const auto part = [&](QStyle::SubControl control) {
            return bar->style()->subControlRect(QStyle::CC_ScrollBar, &option, control, bar);
        };
        const QRect handle = part(QStyle::SC_ScrollBarSlider);
        const QRect above = part(QStyle::SC_ScrollBarSubPage);
        QVERIFY(handle.height() > 4);
        QVERIFY(above.height() > 4);
        const QImage image = bar->grab().toImage();
        const QColor handleColour = image.pixelColor(handle.center());
        const QColor grooveColour = image.pixelColor(above.center());
        QVERIFY2(strata::ui::contrastRatio(handleColour, grooveColour) >= 3.0,
                 qPrintable(QStringLiteral("handle %1 on groove %2: %3:1")
                                .arg(handleColour.name(), grooveColour.name())
                                .arg(strata::ui::contrastRatio(handleColour, grooveColour))));
        QCOMPARE(image.pixelColor(handle.center().x(), handle.top() - 2), grooveColour);
    }

private:
    static QList<QLineEdit *> filterEditors(GridView &view)
    {
        QList<QLineEdit *> found;
        for (QLineEdit *edit : view.findChildren<QLineEdit *>())
            if (edit->objectName().startsWith(QLatin1String("filter_")))
                found << edit;
        return found;
    }
};

QTEST_MAIN(TestGridView)
#include "tst_grid_view.moc"
