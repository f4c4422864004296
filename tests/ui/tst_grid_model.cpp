// GridModel over a fake source: placeholders, NULL vs '', keyset paging, seeks for far jumps,
// the eviction bound, the end before the count is known, cancelling the count, sorting.

#include "fake_row_source.h"

#include "ui/grid_model.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using strata::test::FakeRowSource;
using strata::ui::GridModel;

class TestGridModel : public QObject {
    Q_OBJECT

    static constexpr qint64 kHundredMillion = 100'000'000;

    static QString cell(GridModel &model, qint64 row, int column)
    {
        return model.cellText(row, column);
    }
    // Points the model at rows [first, first + 40) and waits until they are loaded.
    static bool show(GridModel &model, qint64 first)
    {
        model.setBase(first - model.spanRows() / 2);
        model.setViewport(first, first + 40);
        return QTest::qWaitFor(
            [&] { return model.isRowLoaded(first) && model.isRowLoaded(first + 40); }, 5000);
    }

private slots:
    void placeholdersUntilTheFirstPageArrives()
    {
        // The count takes far longer than a page, so that the first page is surely seen before
        // it (100 ms was not, once, under ASan on a loaded machine).
        auto source = std::make_shared<FakeRowSource>(kHundredMillion, 50, 1500);
        GridModel model;
        model.setSource(source);
        QCOMPARE(model.columnCount(), 3);
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("name"));
        QVERIFY(model.rowCount() > 0);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("…"));
        QCOMPARE(model.data(model.index(0, 0), GridModel::IsLoadedRole).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(0), 5000);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("1"));
        QCOMPARE(model.data(model.index(0, 1)).toString(), QStringLiteral("name-1"));
        // Scrolling works before the count: the model offers more than it has.
        QVERIFY(!model.isCountKnown());
        QVERIFY(model.totalRows() > model.pageRows());
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 5000);
        QCOMPARE(model.totalRows(), kHundredMillion);
        // The view never sees more than the span, whatever the table's size.
        QCOMPARE(model.rowCount(), model.spanRows());
    }

    void nullIsNotEmpty()
    {
        auto source = std::make_shared<FakeRowSource>(1000);
        GridModel model;
        model.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(10), 5000);
        // id 7 (row 6): NULL; id 5 (row 4): ''; id 1: text.
        QCOMPARE(model.data(model.index(6, 2)).toString(), QStringLiteral("NULL"));
        QCOMPARE(model.data(model.index(6, 2), GridModel::IsNullRole).toBool(), true);
        QVERIFY(model.data(model.index(6, 2), Qt::FontRole).value<QFont>().italic());
        QCOMPARE(model.data(model.index(4, 2)).toString(), QString(QLatin1String("")));
        QCOMPARE(model.data(model.index(4, 2), GridModel::IsNullRole).toBool(), false);
        QCOMPARE(model.data(model.index(0, 2)).toString(), QStringLiteral("note 1"));
        QVERIFY(model.data(model.index(6, 2), GridModel::FullTextRole).toString().isNull());
        QVERIFY(!model.data(model.index(4, 2), GridModel::FullTextRole).toString().isNull());
        // A small table: the first page says how many rows there are.
        QTRY_VERIFY(model.isCountKnown());
        QCOMPARE(model.totalRows(), 1000);
        QCOMPARE(model.rowCount(), 1000);
    }

    void neighboursByKeysetFarRowsBySeek()
    {
        auto source = std::make_shared<FakeRowSource>(kHundredMillion);
        GridModel model;
        model.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 5000);
        QVERIFY(show(model, 50'000'000));
        QCOMPARE(model.stats().seek, 1);
        QCOMPARE(cell(model, 50'000'000, 0), QStringLiteral("50000001"));
        // Scrolling on from there walks by keyset from the page already held.
        const int seeks = model.stats().seek;
        const int afters = model.stats().after;
        QVERIFY(show(model, 50'000'600));
        QCOMPARE(model.stats().seek, seeks);
        QVERIFY(model.stats().after > afters);
        QVERIFY(source->calls.last().startsWith(QStringLiteral("after ")));
        QCOMPARE(cell(model, 50'000'600, 0), QStringLiteral("50000601"));
        // Upwards: before() the first page held.
        const int befores = model.stats().before;
        QVERIFY(show(model, 49'999'500));
        QVERIFY(model.stats().before > befores);
        QCOMPARE(cell(model, 49'999'500, 0), QStringLiteral("49999501"));
        // The last rows: last(), not a seek.
        const int lasts = model.stats().last;
        QVERIFY(show(model, kHundredMillion - 41));
        QCOMPARE(model.stats().last, lasts + 1);
        QCOMPARE(cell(model, kHundredMillion - 1, 0), QStringLiteral("100000000"));
        // Past QTableView's 71 M-row limit, through a span of the model's size.
        QVERIFY(model.base() > 71'000'000);
        QCOMPARE(model.data(model.index(int(kHundredMillion - 1 - model.base()), 0)).toString(),
                 QStringLiteral("100000000"));
        QCOMPARE(model.headerData(int(kHundredMillion - 1 - model.base()), Qt::Vertical).toString(),
                 QStringLiteral("100000000"));
    }

    void cacheStaysBounded()
    {
        auto source = std::make_shared<FakeRowSource>(kHundredMillion);
        GridModel model;
        model.setMaxCachedPages(8);
        model.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 5000);
        auto *random = QRandomGenerator::global();
        for (int i = 0; i < 100; ++i) {
            const qint64 row = random->bounded(kHundredMillion - 100);
            QVERIFY(show(model, row));
            QCOMPARE(cell(model, row, 0), QString::number(row + 1));
            QVERIFY2(model.cachedPages() <= 8, qPrintable(QString::number(model.cachedPages())));
        }
        QVERIFY(model.stats().evicted > 0);
        QVERIFY(model.cachedRows() <= 8 * model.pageRows());
    }

    void endBeforeTheCountIsKnown()
    {
        auto source = std::make_shared<FakeRowSource>(kHundredMillion, 0, 400);
        GridModel model;
        model.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(0), 5000);
        QVERIFY(!model.isCountKnown());
        model.goToEnd();
        const qint64 end = model.totalRows();
        model.setBase(end - model.spanRows());
        model.setViewport(end - 40, end - 1);
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(end - 1), 5000);
        QVERIFY(!model.isCountKnown());
        QCOMPARE(cell(model, end - 1, 0), QStringLiteral("100000000"));
        // The count arrives: the last rows move to their true place.
        QTRY_VERIFY_WITH_TIMEOUT(model.isCountKnown(), 5000);
        QCOMPARE(model.totalRows(), kHundredMillion);
        QVERIFY(model.isRowLoaded(kHundredMillion - 1));
        QCOMPARE(cell(model, kHundredMillion - 1, 0), QStringLiteral("100000000"));
    }

    void cancellingTheCount()
    {
        auto source = std::make_shared<FakeRowSource>(kHundredMillion, 0, 10'000);
        GridModel model;
        QSignalSpy errors(&model, &GridModel::errorOccurred);
        model.setSource(source);
        QVERIFY(model.isCounting());
        model.cancelCount();
        QTRY_VERIFY_WITH_TIMEOUT(!model.isCounting(), 2000);
        QVERIFY(!model.isCountKnown());
        QCOMPARE(errors.count(), 0); // a cancel is not an error
        QTRY_VERIFY(model.isRowLoaded(0));
    }

    void sortingReloadsInTheNewOrder()
    {
        auto source = std::make_shared<FakeRowSource>(1'000'000);
        GridModel model;
        model.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(0), 5000);
        QSignalSpy queries(&model, &GridModel::queryChanged);
        model.sort(0, Qt::DescendingOrder);
        QCOMPARE(queries.count(), 1);
        QVERIFY(model.selectSql().endsWith(QStringLiteral("DESC")));
        QTRY_VERIFY_WITH_TIMEOUT(model.isRowLoaded(0), 5000);
        QCOMPARE(cell(model, 0, 0), QStringLiteral("1000000"));
        // A query the source refuses is an error, and the old one stays.
        QSignalSpy errors(&model, &GridModel::errorOccurred);
        model.sort(7, Qt::AscendingOrder);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(model.query().sortColumn, 0);
    }

    void deletedWhileFetching()
    {
        // The model goes while its coroutines are suspended: they must notice, not crash.
        auto source = std::make_shared<FakeRowSource>(kHundredMillion, 50, 50);
        auto *model = new GridModel;
        model->setSource(source);
        delete model;
        QTest::qWait(150);
        QVERIFY(!source->calls.isEmpty());
    }
};

QTEST_MAIN(TestGridModel)
#include "tst_grid_model.moc"
