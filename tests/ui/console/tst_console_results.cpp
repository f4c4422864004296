// The console's results: copying cells, plots, numbers shown exactly, export (progress and
// cancel too).
#include "console_fixture.h"

using namespace strata;
using test::MessageBoxAnswerer;

class TestConsoleResults : public test::ConsoleFixture {
    Q_OBJECT

private slots:
    void copySelectionAsTsv()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT 1 AS n, NULL::text AS z, ''::text AS e, E'a\\tb' AS t "
                                    "UNION ALL SELECT 2, 'x', 'y', 'say \"hi\"'")
                   : QStringLiteral("SELECT 1 AS n, NULL AS z, '' AS e, 'a' || char(9) || 'b' "
                                    "AS t UNION ALL SELECT 2, 'x', 'y', 'say \"hi\"'");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QTRY_COMPARE(view->model()->totalRows(), 2);
        auto *copy = view->findChild<QPushButton *>(QStringLiteral("copyButton"));
        QVERIFY(copy);
        QVERIFY(copy->isVisible());
        QTableView *table = view->grid()->table();

        // Everything: NULL is written NULL, the empty string stays empty, fields holding a tab or
        // a quote are quoted.
        table->selectAll();
        QApplication::clipboard()->setText(QStringLiteral("stale"));
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("1\tNULL\t\t\"a\tb\"\n2\tx\ty\t\"say \"\"hi\"\"\""));

        // A block of cells: just those, by row.
        table->clearSelection();
        QAbstractItemModel *model = table->model();
        table->selectionModel()->select(QItemSelection(model->index(0, 1), model->index(1, 2)),
                                        QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("NULL\t\nx\ty"));

        // One empty-string cell copies as nothing, one NULL as NULL.
        table->clearSelection();
        table->selectionModel()->select(model->index(0, 2), QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QString());
        table->clearSelection();
        table->selectionModel()->select(model->index(0, 1), QItemSelectionModel::Select);
        QTest::mouseClick(copy, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("NULL"));
    }

    void barAndScatterPlots()
    {
        auto tab = newTab();
        QVERIFY(test::await(tab->run(fiveRows(), 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        auto *plotButton = view->findChild<QPushButton *>(QStringLiteral("plotButton"));
        QVERIFY(plotButton);
        QTest::mouseClick(plotButton, Qt::LeftButton);
        ui::PlotView *plot = view->plot();
        QTRY_VERIFY(plot->isVisible());
        auto *xBox = plot->findChild<QComboBox *>(QStringLiteral("plotX"));
        auto *yList = plot->findChild<QListWidget *>(QStringLiteral("plotY"));
        auto *kindBox = plot->findChild<QComboBox *>(QStringLiteral("plotKind"));
        QVERIFY(xBox && yList && kindBox);
        QCOMPARE(xBox->count(), 4);
        QCOMPARE(yList->count(), 4);
        // The label column is text (untyped in SQLite, but its values are text): it is no Y.
        QVERIFY(!yList->item(1)->isHidden());
        QVERIFY(yList->item(3)->isHidden());
        QChartView *chartView = plot->chartView();

        // Bars: X the label column, Y two numeric columns.
        QSignalSpy replotted(plot, &ui::PlotView::replotted);
        xBox->setCurrentIndex(3);
        yList->item(1)->setCheckState(Qt::Checked);
        yList->item(2)->setCheckState(Qt::Checked);
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Bar));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_VERIFY(chartView->chart()->series().size() == 1 &&
                    chartView->chart()->series().first()->type() == QAbstractSeries::SeriesTypeBar);
        auto *bars = qobject_cast<QBarSeries *>(chartView->chart()->series().first());
        QVERIFY(bars);
        QCOMPARE(bars->barSets().size(), 2);
        QCOMPARE(bars->barSets()[0]->label(), QStringLiteral("square"));
        QCOMPARE(bars->barSets()[1]->label(), QStringLiteral("down"));
        QCOMPARE(plot->pointCount(0), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(bars->barSets()[0]->at(i), double((i + 1) * (i + 1)));
            QCOMPARE(bars->barSets()[1]->at(i), double(10 - (i + 1)));
        }
        const QList<QAbstractAxis *> xAxes = chartView->chart()->axes(Qt::Horizontal);
        QCOMPARE(xAxes.size(), 1);
        auto *categories = qobject_cast<QBarCategoryAxis *>(xAxes.first());
        QVERIFY(categories);
        QCOMPARE(categories->categories(), QStringList({"c1", "c2", "c3", "c4", "c5"}));

        // Scatter over the same picks: a text X places the points by row (0, 1, ...) and labels
        // them with its values, not with row numbers.
        replotted.clear();
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Scatter));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().size(), 2);
        auto *labels =
            qobject_cast<QCategoryAxis *>(chartView->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(labels);
        QCOMPARE(labels->categoriesLabels(), QStringList({"c1", "c2", "c3", "c4", "c5"}));
        for (QAbstractSeries *series : chartView->chart()->series())
            QCOMPARE(series->type(), QAbstractSeries::SeriesTypeScatter);
        QCOMPARE(chartView->chart()->series()[0]->name(), QStringLiteral("square"));
        QList<QPointF> points = pointsOf(chartView->chart()->series()[0]);
        QCOMPARE(points.size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(points[i], QPointF(i, (i + 1) * (i + 1)));

        // A numeric X: the points sit at its values; one Y column only.
        replotted.clear();
        xBox->setCurrentIndex(0);
        yList->item(2)->setCheckState(Qt::Unchecked);
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().size(), 1);
        QCOMPARE(chartView->chart()->series()[0]->type(), QAbstractSeries::SeriesTypeScatter);
        QCOMPARE(plot->seriesCount(), 1);
        QCOMPARE(plot->pointCount(0), 5);
        points = pointsOf(chartView->chart()->series()[0]);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(points[i], QPointF(i + 1, (i + 1) * (i + 1)));

        // And back to bars, with the numbers as categories.
        replotted.clear();
        kindBox->setCurrentIndex(int(ui::PlotView::Kind::Bar));
        QTRY_VERIFY(!replotted.isEmpty());
        QTRY_COMPARE(chartView->chart()->series().first()->type(), QAbstractSeries::SeriesTypeBar);
        categories =
            qobject_cast<QBarCategoryAxis *>(chartView->chart()->axes(Qt::Horizontal).first());
        QVERIFY(categories);
        QCOMPARE(categories->categories(), QStringList({"1", "2", "3", "4", "5"}));
    }

    // The first plot of a result whose first column is text: a line over the rows, labelled
    // with that column's values; only the numeric columns are offered as Y.
    void defaultPlotOfATextColumnShowsItsLabels()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT 'day ' || g AS day, g * 3 AS sales, 'note' AS note "
                                    "FROM generate_series(1, 4) g ORDER BY g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 4) SELECT 'day ' || n AS day, n * 3 AS "
                                    "sales, 'note' AS note FROM g ORDER BY n");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QTRY_COMPARE(view->model()->totalRows(), 4);
        ui::PlotView *plot = view->plot();
        auto *yList = plot->findChild<QListWidget *>(QStringLiteral("plotY"));
        test::await(plot->replot());
        QVERIFY(yList->item(0)->isHidden());
        QVERIFY(!yList->item(1)->isHidden());
        QVERIFY(yList->item(2)->isHidden());
        QCOMPARE(plot->seriesCount(), 1);
        QCOMPARE(plot->pointCount(0), 4);
        auto *labels = qobject_cast<QCategoryAxis *>(
            plot->chartView()->chart()->axes(Qt::Horizontal).value(0));
        QVERIFY(labels);
        QCOMPARE(labels->categoriesLabels(), QStringList({"day 1", "day 2", "day 3", "day 4"}));
    }

    // Reals show the shortest text that reads back as the same number (0.1 + 0.2 is not 0.3),
    // and numbers align right even where the column has no declared type (SQLite expressions).
    void numbersShowExactlyAndAlignRight()
    {
        auto tab = newTab();
        QVERIFY(test::await(
            tab->run(QStringLiteral("SELECT 1 + 1 AS n, 'x' AS t, 10.2 AS r, 0.1 + 0.2 AS s"), 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QCOMPARE(cell(view, 0, 0), QStringLiteral("2"));
        QCOMPARE(cell(view, 0, 2), QStringLiteral("10.2"));
        // PostgreSQL adds numerics exactly; SQLite's REAL arithmetic does not.
        QCOMPARE(cell(view, 0, 3),
                 isPg() ? QStringLiteral("0.3") : QStringLiteral("0.30000000000000004"));
        const auto alignment = [&](int column) {
            return Qt::Alignment(view->model()
                                     ->data(view->model()->index(0, column), Qt::TextAlignmentRole)
                                     .toInt());
        };
        QVERIFY(alignment(0) & Qt::AlignRight);
        QVERIFY(alignment(1) & Qt::AlignLeft);
        QVERIFY(alignment(2) & Qt::AlignRight);
        QVERIFY(alignment(3) & Qt::AlignRight);
    }

    void exportWritesExactlyTheRows()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g AS n, 'v,' || g AS s, NULL::text AS z "
                                    "FROM generate_series(1, 20000) g")
                   : QStringLiteral("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                    "FROM g WHERE n < 20000) SELECT n, 'v,' || n AS s, NULL AS z "
                                    "FROM g");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QVERIFY(!view->stream()->isFinished()); // lazily read so far
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY(test::await(view->exportTo(csv)));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), 20002); // header, rows, the empty piece after the last newline
        QCOMPARE(lines[0], QByteArray("n,s,z\r"));
        QCOMPARE(lines[1], QByteArray("1,\"v,1\",\r"));
        QCOMPARE(lines[20000], QByteArray("20000,\"v,20000\",\r"));
        const QString json = dir.filePath(QStringLiteral("out.json"));
        QVERIFY(test::await(view->exportTo(json)));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray array = QJsonDocument::fromJson(jf.readAll()).array();
        QCOMPARE(array.size(), 20000);
        QCOMPARE(array.last().toObject().value(QStringLiteral("n")).toInt(), 20000);
        QVERIFY(array.first().toObject().value(QStringLiteral("z")).isNull());
        QTRY_COMPARE(view->model()->totalRows(), 20000);

        ui::PlotView *plot = view->plot();
        plot->setXColumn(0);
        plot->setYColumns({0});
        test::await(plot->replot());
        QCOMPARE(plot->seriesCount(), 1);
        QCOMPARE(plot->pointCount(0), ui::PlotView::kMaxPoints);
    }

    // The Export button's dialog: the filter chosen decides the format when the name typed has
    // no extension, and the extension is added; an extension typed wins.
    void exportDialogFollowsTheChosenFilter()
    {
        auto tab = newTab();
        QVERIFY(test::await(tab->run(fiveRows(), 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        QTemporaryDir dir;
        const auto exportThroughDialog = [&](const QString &filter, const QString &name) {
            QSignalSpy finished(view, &ui::ResultView::exportFinished);
            auto *button = view->findChild<QPushButton *>(QStringLiteral("exportButton"));
            if (!button)
                return false;
            QTest::mouseClick(button, Qt::LeftButton);
            QFileDialog *dialog = nullptr;
            if (!QTest::qWaitFor(
                    [&] {
                        dialog = view->findChild<QFileDialog *>(QStringLiteral("exportDialog"));
                        return dialog && dialog->isVisible();
                    },
                    10000))
                return false;
            dialog->setDirectory(dir.path());
            // As the user does: the file-type box, then the name.
            auto *types = dialog->findChild<QComboBox *>(QStringLiteral("fileTypeCombo"));
            auto *nameEdit = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
            if (!types || !nameEdit)
                return false;
            const int index = types->findText(filter);
            if (index < 0)
                return false;
            types->setCurrentIndex(index);
            emit types->activated(index); // what choosing in the box signals
            emit types->textActivated(filter);
            nameEdit->setText(name);
            static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept, as Save does
            const bool done = QTest::qWaitFor([&] { return finished.count() == 1; }, 10000);
            return done && finished.first().first().toBool();
        };
        QVERIFY(exportThroughDialog(QStringLiteral("JSON (*.json)"), QStringLiteral("chosen")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("chosen"))));
        QFile json(dir.filePath(QStringLiteral("chosen.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray rows = QJsonDocument::fromJson(json.readAll()).array();
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows.first().toObject().value(QStringLiteral("label")).toString(),
                 QStringLiteral("c1"));

        QVERIFY(exportThroughDialog(QStringLiteral("CSV (*.csv)"), QStringLiteral("plain")));
        QFile csv(dir.filePath(QStringLiteral("plain.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QVERIFY(csv.readLine().startsWith("x,square,down,label"));

        // The extension typed wins over the filter left as it was.
        QVERIFY(exportThroughDialog(QStringLiteral("CSV (*.csv)"), QStringLiteral("typed.json")));
        QFile typed(dir.filePath(QStringLiteral("typed.json")));
        QVERIFY(typed.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(typed.readAll()).array().size(), 5);
    }

    // The export runs in the background with a progress bar and a Cancel button; cancelling
    // removes the unfinished file, hides both, and the result and the console go on.
    void exportShowsProgressAndCancels()
    {
        auto tab = newTab();
        const QString sql =
            isPg() ? QStringLiteral("SELECT g, 'row ' || g AS name FROM "
                                    "(SELECT generate_series(1, 5000000) AS g) s")
                   : QStringLiteral("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 "
                                    "FROM s WHERE g < 5000000) SELECT g, 'row ' || g AS name "
                                    "FROM s");
        QVERIFY(test::await(tab->run(sql, 0)));
        ui::ResultView *view = tab->result(0);
        QVERIFY(waitShown(view));
        auto *progress = view->findChild<QProgressBar *>(QStringLiteral("exportProgress"));
        auto *cancel = view->findChild<QPushButton *>(QStringLiteral("cancelExportButton"));
        QVERIFY(progress && cancel);
        QVERIFY(!progress->isVisible() && !cancel->isVisible());

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.csv"));
        QSignalSpy finished(view, &ui::ResultView::exportFinished);
        exportInBackground(view, path);
        QTRY_VERIFY(progress->isVisible() && cancel->isVisible());
        QTRY_VERIFY(progress->format().endsWith(QLatin1String(" rows")));
        QVERIFY(QFile::exists(path)); // being written
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished[0][0].toBool(), false);
        QVERIFY2(finished[0][1].toString().contains(QLatin1String("cancel")),
                 qPrintable(finished[0][1].toString()));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!progress->isVisible() && !cancel->isVisible());
        QVERIFY(view->stream()->rowsRead() < 5000000);
        QCOMPARE(cell(view, 0, 0), QStringLiteral("1"));
        QVERIFY(test::await(tab->run(QStringLiteral("SELECT 2"), 0)));
        QVERIFY(waitShown(tab->result(0)));
        QCOMPARE(cell(tab->result(0), 0, 0), QStringLiteral("2"));
    }
};

QTEST_MAIN(TestConsoleResults)
#include "tst_console_results.moc"
