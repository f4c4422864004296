// Preferences, as a user sets them: File → Preferences… in the real window, the connect timeout
// changed and kept across a restart (the file), applied to connections opened afterwards (a
// host that never answers gives up at the chosen time), Cancel changing nothing, and a garbled
// file read as the defaults.

#include "main_window_fixture.h"
#include "silent_listener.h"

#include "ui/preferences.h"
#include "ui/preferences_dialog.h"

#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/console/sql_editor.h"

#include <Qsci/qscilexersql.h>

#include <QComboBox>
#include <QElapsedTimer>
#include <QFontComboBox>
#include <QScopeGuard>
#include <QSpinBox>

using namespace strata;
using orm::DatabaseUrl;

namespace {

// Answers the Preferences dialog once it opens: sets the timeout (if >= 0) and accepts, or
// rejects. Polls, as the dialog runs its own event loop.
void answerPreferences(int timeout, bool accept, int *seenValue = nullptr)
{
    auto *timer = new QTimer;
    QObject::connect(timer, &QTimer::timeout, timer, [=] {
        auto *dialog = qobject_cast<ui::PreferencesDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        if (seenValue)
            *seenValue = dialog->connectTimeout()->value();
        if (timeout >= 0)
            dialog->connectTimeout()->setValue(timeout);
        accept ? dialog->accept() : dialog->reject();
        timer->deleteLater();
    });
    timer->start(10);
}

} // namespace

class TestPreferences : public QObject {
    Q_OBJECT

private slots:
    void cleanup() { DatabaseUrl::setDefaultConnectTimeoutSeconds(10); }

    void connectTimeoutIsSetKeptAndApplied()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config/preferences.ini"));
        strata::test::SilentListener silent;
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        ui::MainWindow window(&registry);
        window.setPreferencesPath(path); // no file yet: the defaults
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 10);
        window.show();

        QAction *action = window.findChild<QAction *>(QStringLiteral("preferencesAction"));
        QVERIFY(action);
        int shown = -1;
        answerPreferences(1, true, &shown);
        action->trigger();
        QCOMPARE(shown, 10);
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 1);
        QVERIFY(QFile::exists(path));
        QCOMPARE(ui::Preferences::load(path).connectTimeoutSeconds, 1);
        QVERIFY2(window.logPane()->lines().join(u'\n').contains(QStringLiteral("1 s")),
                 qPrintable(window.logPane()->lines().join(u'\n')));

        // A database added now, on a host that never answers, gives up after 1 s, not 10.
        orm::Database *silentDb = registry.addExtra(QStringLiteral("silent"), silent.postgresUrl());
        QElapsedTimer clock;
        clock.start();
        std::optional<orm::Error> failure;
        try {
            strata::test::await(silentDb->connect());
        } catch (const orm::Error &error) {
            failure = error;
        }
        QVERIFY(failure.has_value());
        QCOMPARE(failure->kind(), orm::Error::Kind::Timeout);
        QVERIFY2(failure->message().contains(QStringLiteral("within 1 s")),
                 qPrintable(failure->message()));
        QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));
        // A URL that says wins over the preference.
        QCOMPARE(DatabaseUrl::parse(silent.postgresUrl(QStringLiteral("connect_timeout=7")))
                     .connectTimeoutSeconds(),
                 7);

        // Cancel changes nothing, in the process or in the file.
        answerPreferences(30, false);
        action->trigger();
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 1);
        QCOMPARE(ui::Preferences::load(path).connectTimeoutSeconds, 1);

        // The next start reads the file: a new window, as after a restart.
        DatabaseUrl::setDefaultConnectTimeoutSeconds(10);
        ui::MainWindow again(&registry);
        again.setPreferencesPath(path);
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 1);
    }

    void noLimitIsZero()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("preferences.ini"));
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        ui::MainWindow window(&registry);
        window.setPreferencesPath(path);
        answerPreferences(0, true);
        window.findChild<QAction *>(QStringLiteral("preferencesAction"))->trigger();
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 0);
        QCOMPARE(DatabaseUrl::parse(QStringLiteral("postgresql://h/d")).connectTimeoutSeconds(), 0);
        QVERIFY(
            window.logPane()->lines().join(u'\n').contains(QStringLiteral("wait without a bound")));
    }

    void garbledFileReadsAsDefaults()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("preferences.ini"));
        for (const QByteArray &content :
             {QByteArray("[connections]\nconnect_timeout_seconds=soon\n"),
              QByteArray("[connections]\nconnect_timeout_seconds=-4\n"),
              QByteArray("\x00\xff garbage", 10)}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(content);
            file.close();
            QCOMPARE(ui::Preferences::load(path).connectTimeoutSeconds, 10);
        }
        // Every other value out of range, or not a value, reads as its default.
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("[grid]\nrows_per_page=3\nfont_size=400\n[editor]\nfont_size=-2\n"
                   "[appearance]\ntheme=purple\n[connections]\nstart_with=yesterday\n");
        file.close();
        QCOMPARE(ui::Preferences::load(path), ui::Preferences());
    }

    // Fonts, rows per page, theme and the start are chosen in the dialog, kept in the file, and
    // applied at once: the grid's font and page, the palette, the console's editors.
    void everyPreferenceIsKeptAndApplied()
    {
        auto restore = qScopeGuard([] { ui::applyTheme(ui::Theme::System); });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("preferences.ini"));
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        ui::MainWindow window(&registry);
        window.setPreferencesPath(path);
        auto *console = new ui::ConsolePane(&registry);
        window.addPane(QStringLiteral("consoleDock"), QStringLiteral("Console"), console,
                       Qt::BottomDockWidgetArea);
        QObject::connect(&window, &ui::MainWindow::preferencesApplied, console,
                         [console](const ui::Preferences &chosen) {
                             console->setEditorFont(chosen.editorFont());
                         });
        window.show();
        QCOMPARE(window.gridModel()->pageRows(), ui::Preferences::kDefaultRowsPerPage);

        auto *timer = new QTimer(&window);
        QString fontFamily;
        QObject::connect(timer, &QTimer::timeout, timer, [timer, &fontFamily] {
            auto *dialog = qobject_cast<ui::PreferencesDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->rowsPerPage()->setValue(100);
            dialog->gridFontSize()->setValue(15);
            dialog->editorFontSize()->setValue(17);
            fontFamily = dialog->editorFont()->currentFont().family();
            dialog->theme()->setCurrentIndex(dialog->theme()->findData(int(ui::Theme::Dark)));
            dialog->startWith()->setCurrentIndex(
                dialog->startWith()->findData(int(ui::Preferences::StartWith::Demo)));
            dialog->accept();
            timer->stop();
        });
        timer->start(10);
        window.findChild<QAction *>(QStringLiteral("preferencesAction"))->trigger();

        QCOMPARE(window.gridModel()->pageRows(), 100);
        QCOMPARE(window.grid()->font().pointSize(), 15);
        QVERIFY(ui::isDark(QApplication::palette()));
        QCOMPARE(
            console->currentTab()->editor()->sqlLexer()->font(QsciLexerSQL::Default).pointSize(),
            17);
        QCOMPARE(console->addTab()->editor()->sqlLexer()->font(QsciLexerSQL::Default).pointSize(),
                 17);

        const ui::Preferences kept = ui::Preferences::load(path);
        QCOMPARE(kept.rowsPerPage, 100);
        QCOMPARE(kept.gridFontSize, 15);
        QCOMPARE(kept.editorFontSize, 17);
        QCOMPARE(kept.editorFontFamily, fontFamily);
        QCOMPARE(kept.theme, ui::Theme::Dark);
        QCOMPARE(kept.startWith, ui::Preferences::StartWith::Demo);
        QCOMPARE(kept.editorFont().pointSize(), 17);

        // The next window starts with them.
        ui::applyTheme(ui::Theme::System);
        ui::MainWindow next(&registry);
        next.setPreferencesPath(path);
        QCOMPARE(next.gridModel()->pageRows(), 100);
        QCOMPARE(next.grid()->font().pointSize(), 15);
        QVERIFY(ui::isDark(QApplication::palette()));
    }

    void unwritableFileIsSaidAndStillApplies()
    {
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("file"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        // A directory that cannot be made: its parent is a file.
        const QString path = blocker + QStringLiteral("/preferences.ini");
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        ui::MainWindow window(&registry);
        window.setPreferencesPath(path);
        answerPreferences(5, true);
        window.findChild<QAction *>(QStringLiteral("preferencesAction"))->trigger();
        QCOMPARE(DatabaseUrl::defaultConnectTimeoutSeconds(), 5);
        QVERIFY2(window.logPane()->lines().join(u'\n').contains(
                     QStringLiteral("Could not save the preferences")),
                 qPrintable(window.logPane()->lines().join(u'\n')));
    }
};

QTEST_MAIN(TestPreferences)
#include "tst_preferences.moc"
