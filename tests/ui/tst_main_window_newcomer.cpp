// What a newcomer looks for in the real window: Help (shortcuts, filter syntax, About with the
// versions), File → Open SQLite file… and Open recent (with awkward file names), the line above
// the grid and "filtered" in the status bar, the window's layout back at the next start, and
// every colour readable on a light and on a dark palette.

#include "main_window_fixture.h"

#include "orm/drivers/library_versions.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/sql_editor.h"
#include "ui/filter_bar.h"
#include "ui/theme.h"

#include <Qsci/qscilexersql.h>

#include <QClipboard>
#include <QDialog>
#include <QSplitter>
#include <QTextBrowser>

using namespace strata;

namespace {

// The colour a tree item's text is painted in: its own brush if it has one, else the palette's.
QColor paintedText(const QStandardItem *item, const QPalette &palette)
{
    const QVariant brush = item->data(Qt::ForegroundRole);
    return brush.isValid() ? brush.value<QBrush>().color() : palette.color(QPalette::Text);
}

QString helpText(MainWindow &window, const QString &action, const QString &dialog)
{
    window.findChild<QAction *>(action)->trigger();
    auto *shown = window.findChild<QDialog *>(dialog);
    if (!shown || !shown->isVisible())
        return {};
    return shown->findChild<QTextBrowser *>(QStringLiteral("helpText"))->toPlainText();
}

} // namespace

class TestMainWindowNewcomer : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { ui::applyTheme(ui::Theme::System); }

    void helpMenuExplains()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        MainWindow window(&registry);
        window.show();
        const QString keys = helpText(window, QStringLiteral("shortcutsHelpAction"),
                                      QStringLiteral("shortcutsHelp"));
        // Read from the window's own actions: Open (Ctrl+O), the grid's refresh (F5).
        QVERIFY2(keys.contains(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)),
                 qPrintable(keys));
        QVERIFY2(keys.contains(QStringLiteral("Open SQLite file")), qPrintable(keys));
        QVERIFY2(keys.contains(QStringLiteral("F5")), qPrintable(keys));
        QVERIFY2(keys.contains(QStringLiteral("Ctrl+Return")), qPrintable(keys));
        const QString filters =
            helpText(window, QStringLiteral("filterHelpAction"), QStringLiteral("filterHelp"));
        QVERIFY(filters.contains(QStringLiteral("2022-05")));
        QVERIFY(filters.contains(QStringLiteral("1..10")));
        const QString about =
            helpText(window, QStringLiteral("aboutAction"), QStringLiteral("aboutHelp"));
        const orm::LibraryVersions versions = orm::libraryVersions();
        QVERIFY2(about.contains(QString::fromLatin1(qVersion())), qPrintable(about));
        QVERIFY2(about.contains(QStringLiteral("SQLite")) && about.contains(versions.sqlite),
                 qPrintable(about));
        QVERIFY2(about.contains(versions.libpq), qPrintable(about));
        QVERIFY(versions.libpq.contains(QLatin1Char('.')));
        QVERIFY2(about.contains(versions.qcoro) && versions.qcoro.startsWith(QStringLiteral("0.")),
                 qPrintable(about));
        // Help never blocks the window: it is not modal, and asking again shows the same one.
        QVERIFY(!window.findChild<QDialog *>(QStringLiteral("aboutHelp"))->isModal());
        window.findChild<QAction *>(QStringLiteral("aboutAction"))->trigger();
        QCOMPARE(window.findChildren<QDialog *>(QStringLiteral("aboutHelp")).size(), 1);
    }

    // A file whose name holds a space, '%', '#' and '?' opens as a database of the session, shows
    // in the menu, the tree and Open recent; opening it again shows the same one; a missing file
    // says so and changes nothing.
    void openSqliteFileAndRecent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("my 100% #1 ?.db"));
        {
            orm::Registry maker(QStringLiteral("sqlite:///%1?create=true")
                                    .arg(QString::fromLatin1(QUrl::toPercentEncoding(path, "/"))));
            strata::test::await(maker.connect());
            strata::test::await(maker.database()->executeScript(
                QStringLiteral("CREATE TABLE \"odd table\" (id INTEGER PRIMARY KEY, v TEXT);"
                               "INSERT INTO \"odd table\" VALUES (1, 'seen');")));
            strata::test::await(maker.disconnect());
        }
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        MainWindow window(&registry);
        window.setPreferencesPath(dir.filePath(QStringLiteral("preferences.ini")));
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);

        QVERIFY(window.openSqliteFile(path));
        const QString name = QStringLiteral("my 100% #1 ?");
        QCOMPARE(window.activeDatabase(), name);
        QVERIFY(menuLists(window, name));
        QVERIFY(treeShows(window, name));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(name, QStringLiteral("main")).contains(QStringLiteral("odd table")),
            10000);
        window.openModel(QStringLiteral("odd table"));
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("seen"), 10000);
        QCOMPARE(window.gridTitle()->text(), QStringLiteral("%1 · main · odd table").arg(name));

        // Again: the same database, shown, not a second one.
        window.setActiveDatabase(QString());
        QVERIFY(window.openSqliteFile(path));
        QCOMPARE(window.activeDatabase(), name);
        QCOMPARE(registry.extraNames().count(name), 1);
        QCOMPARE(window.recentFiles(), QStringList({QFileInfo(path).canonicalFilePath()}));
        emit window.recentMenu()->aboutToShow();
        QCOMPARE(window.recentMenu()->actions().value(0)->data().toString(),
                 QFileInfo(path).canonicalFilePath());
        QVERIFY(window.recentMenu()->actions().value(0)->isEnabled());

        const int before = registry.extraNames().size();
        QVERIFY(!window.openSqliteFile(dir.filePath(QStringLiteral("nope.db"))));
        QCOMPARE(registry.extraNames().size(), before);
        QVERIFY(window.logPane()->lines().join(u'\n').contains(QStringLiteral("no such file")));
        QCOMPARE(window.activeDatabase(), name);
        // Nothing of the window's catalog reads left in flight when the registry goes.
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QTest::qWait(200);
        strata::test::await(registry.disconnect(true));
    }

    // The status bar says a filter is on, and which, and the header shows it; the line above the
    // grid names connection, schema and table; booleans read true/false; columns fit their
    // content within bounds; the cell and header menus copy, filter and sort.
    void gridSaysWhatItShows_data() { strata::test::addBackendRows(); }
    void gridSaysWhatItShows()
    {
        QFETCH(QString, backend); // this test's own rows: the others need no backend
        const QString url = strata::test::urlFor(backend);
        if (url.isEmpty()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL must not skip under CI");
            QSKIP("no PostgreSQL server (run through `make test`)");
        }
        const QString table = strata::test::uniqueName(QStringLiteral("seen"));
        const QString longNote = QString(300, QLatin1Char('w'));
        orm::Registry registry(url);
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, name TEXT, ok BOOLEAN, "
                           "note TEXT);"
                           "INSERT INTO %1 VALUES (1, 'pear', TRUE, 'short'), "
                           "(2, 'apple', FALSE, '%2'), (3, 'it''s', TRUE, NULL);")
                .arg(table, longNote)));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        QCOMPARE(window.gridTitle()->text(),
                 QStringLiteral("primary · %1").arg(window.activeSchema()));
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(2), 10000);
        QCOMPARE(window.gridTitle()->text(),
                 QStringLiteral("primary · %1 · %2").arg(window.activeSchema(), table));
        QVERIFY(!window.queryLabel()->text().contains(QStringLiteral("filtered")));

        // Booleans as words, on both backends.
        QCOMPARE(row0(window, 2), QStringLiteral("true"));
        QCOMPARE(window.gridModel()->cellText(1, 2), QStringLiteral("false"));
        // Columns fit: the id narrow, the long note bounded.
        QTableView *view = window.grid()->table();
        QTRY_VERIFY(view->columnWidth(0) < view->columnWidth(3));
        QVERIFY(view->columnWidth(0) < 140);
        QVERIFY(view->columnWidth(3) <= 320);

        // Copy with headers, and as an IN list (a quote doubled, a NULL left out).
        QAbstractItemModel *model = view->model();
        view->selectionModel()->select(QItemSelection(model->index(0, 1), model->index(2, 1)),
                                       QItemSelectionModel::ClearAndSelect);
        std::unique_ptr<QMenu> menu(window.grid()->cellMenu(model->index(0, 1)));
        menu->findChild<QAction *>(QStringLiteral("copyWithHeadersAction"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("name\npear\napple\nit's"));
        menu->findChild<QAction *>(QStringLiteral("copyInListAction"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("('pear', 'apple', 'it''s')"));
        view->selectionModel()->select(QItemSelection(model->index(0, 0), model->index(2, 0)),
                                       QItemSelectionModel::ClearAndSelect);
        menu.reset(window.grid()->cellMenu(model->index(0, 0)));
        menu->findChild<QAction *>(QStringLiteral("copyInListAction"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("(1, 2, 3)"));
        view->selectionModel()->select(QItemSelection(model->index(0, 3), model->index(2, 3)),
                                       QItemSelectionModel::ClearAndSelect);
        menu.reset(window.grid()->cellMenu(model->index(0, 3)));
        menu->findChild<QAction *>(QStringLiteral("copyInListAction"))->trigger();
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("('short', '%1')").arg(longNote));

        // The header's menu sorts.
        menu.reset(window.grid()->headerMenu(1));
        menu->findChild<QAction *>(QStringLiteral("sortDescendingAction"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("pear"), 10000);
        menu.reset(window.grid()->headerMenu(1));
        menu->findChild<QAction *>(QStringLiteral("sortAscendingAction"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("apple"), 10000);

        // Filter by a cell's value from its menu: the filter shows in the editor, the header and
        // the status bar.
        QVERIFY(window.gridModel()->headerData(1, Qt::Horizontal, Qt::DecorationRole).isNull());
        menu.reset(window.grid()->cellMenu(model->index(0, 1)));
        menu->findChild<QAction *>(QStringLiteral("filterByValueAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.gridModel()->isCountKnown() && window.gridModel()->totalRows() == 1, 10000);
        QCOMPARE(window.grid()->filterEditor(1)->text(), QStringLiteral("=apple"));
        QVERIFY(!window.gridModel()->headerData(1, Qt::Horizontal, Qt::DecorationRole).isNull());
        QVERIFY(window.gridModel()
                    ->headerData(1, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("=apple")));
        QVERIFY2(window.queryLabel()->text().contains(QStringLiteral("filtered (name =apple)")),
                 qPrintable(window.queryLabel()->text()));

        // A filter typed: the status bar follows; cleared: it goes.
        QLineEdit *filter = window.grid()->filterEditor(1);
        filter->setText(QStringLiteral("p"));
        QTest::keyClick(filter, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.gridModel()->isCountKnown() && window.gridModel()->totalRows() == 2, 10000);
        QVERIFY2(window.queryLabel()->text().contains(QStringLiteral("filtered (name p)")),
                 qPrintable(window.queryLabel()->text()));
        menu.reset(window.grid()->headerMenu(1));
        menu->findChild<QAction *>(QStringLiteral("clearFilterAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.gridModel()->isCountKnown() && window.gridModel()->totalRows() == 3, 10000);
        QVERIFY(!window.queryLabel()->text().contains(QStringLiteral("filtered")));
        QVERIFY(filter->text().isEmpty());
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        // Nothing of the window's catalog reads left in flight when the registry goes.
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QTest::qWait(200);
        strata::test::await(registry.disconnect(true));
    }

    // Geometry, docks and splitters as the user left them come back at the next start; a
    // window that never took the user's layout (a screenshot, a test) writes none.
    void layoutComesBack()
    {
        QTemporaryDir dir;
        const QString preferences = dir.filePath(QStringLiteral("preferences.ini"));
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        QList<int> splitSizes;
        {
            MainWindow window(&registry);
            window.setPreferencesPath(preferences);
            auto *pane = new QSplitter;
            pane->setObjectName(QStringLiteral("testSplitter"));
            pane->addWidget(new QLabel(QStringLiteral("a")));
            pane->addWidget(new QLabel(QStringLiteral("b")));
            window.addPane(QStringLiteral("testDock"), QStringLiteral("Test"), pane,
                           Qt::RightDockWidgetArea);
            window.restoreLayout();
            window.show();
            window.resize(700, 500);
            window.findChild<QDockWidget *>(QStringLiteral("logDock"))->hide();
            pane->setSizes({40, 160});
            QTRY_COMPARE(window.size(), QSize(700, 500));
            splitSizes = pane->sizes();
            window.close();
        }
        {
            MainWindow window(&registry);
            window.setPreferencesPath(preferences);
            auto *pane = new QSplitter;
            pane->setObjectName(QStringLiteral("testSplitter"));
            pane->addWidget(new QLabel(QStringLiteral("a")));
            pane->addWidget(new QLabel(QStringLiteral("b")));
            window.addPane(QStringLiteral("testDock"), QStringLiteral("Test"), pane,
                           Qt::RightDockWidgetArea);
            window.restoreLayout();
            window.show();
            QTRY_COMPARE(window.size(), QSize(700, 500));
            QVERIFY(!window.findChild<QDockWidget *>(QStringLiteral("logDock"))->isVisible());
            QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("modelDock"))->isVisible());
            QTRY_COMPARE(pane->sizes(), splitSizes);
        }
        // Not restored, not saved.
        const QDateTime written = QFileInfo(preferences).lastModified();
        {
            MainWindow window(&registry);
            window.setPreferencesPath(preferences);
            window.show();
            window.resize(500, 400);
            window.close();
        }
        QCOMPARE(QFileInfo(preferences).lastModified(), written);
    }

    // Every colour Strata adds reads on both palettes: the tree's database line ("primary —
    // connected" was black on dark), SQL keywords (navy on dark), the tones of errors and states.
    void coloursReadOnLightAndDark_data()
    {
        QTest::addColumn<int>("theme");
        QTest::newRow("light") << int(ui::Theme::Light);
        QTest::newRow("dark") << int(ui::Theme::Dark);
    }
    void coloursReadOnLightAndDark()
    {
        QFETCH(int, theme);
        ui::applyTheme(ui::Theme(theme));
        QCOMPARE(ui::isDark(QApplication::palette()), ui::Theme(theme) == ui::Theme::Dark);
        const QPalette palette = QApplication::palette();
        const QColor base = palette.color(QPalette::Base);
        for (ui::Tone tone : {ui::Tone::Error, ui::Tone::Warning, ui::Tone::Success,
                              ui::Tone::Accent, ui::Tone::Tenant})
            QVERIFY2(ui::contrastRatio(ui::toneColor(tone, palette), base) >= 4.5,
                     qPrintable(QStringLiteral("tone %1").arg(int(tone))));
        QVERIFY(ui::contrastRatio(ui::toneColor(ui::Tone::Error, palette),
                                  ui::errorFieldBackground(palette)) >= 4.5);

        QTemporaryDir dir;
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        registry.addExtra(QStringLiteral("broken"),
                          QStringLiteral("sqlite:///%1/missing/x.db").arg(dir.path()));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(
            strata::test::treeText(window, QString()).contains(QStringLiteral("connected")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(strata::test::treeText(window, QStringLiteral("broken"))
                                     .contains(QStringLiteral("failed")),
                                 10000);
        const QPalette treePalette = window.tree()->palette();
        for (int row = 0; row < window.treeModel()->rowCount(); ++row) {
            const QStandardItem *item = window.treeModel()->item(row);
            const double ratio = ui::contrastRatio(paintedText(item, treePalette),
                                                   treePalette.color(QPalette::Base));
            QVERIFY2(ratio >= 4.5,
                     qPrintable(QStringLiteral("%1: contrast %2").arg(item->text()).arg(ratio)));
        }

        ui::SqlEditor editor;
        QsciLexerSQL *lexer = editor.sqlLexer();
        for (int style :
             {int(QsciLexerSQL::Default), int(QsciLexerSQL::Keyword), int(QsciLexerSQL::Comment),
              int(QsciLexerSQL::Number), int(QsciLexerSQL::SingleQuotedString),
              int(QsciLexerSQL::QuotedIdentifier), int(QsciLexerSQL::Operator)}) {
            const double ratio = ui::contrastRatio(lexer->color(style), lexer->paper(style));
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("SQL style %1: contrast %2")
                                                  .arg(lexer->description(style))
                                                  .arg(ratio)));
        }
        // A palette changed under the open editor: it follows.
        ui::applyTheme(ui::Theme(theme) == ui::Theme::Dark ? ui::Theme::Light : ui::Theme::Dark);
        QTRY_COMPARE(lexer->paper(QsciLexerSQL::Keyword),
                     QApplication::palette().color(QPalette::Base));
        QVERIFY(ui::contrastRatio(lexer->color(QsciLexerSQL::Keyword),
                                  lexer->paper(QsciLexerSQL::Keyword)) >= 4.5);
        // Nothing of the window's catalog reads left in flight when the registry goes.
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QTest::qWait(200);
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestMainWindowNewcomer)
#include "tst_main_window_newcomer.moc"
