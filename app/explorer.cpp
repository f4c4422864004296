#include "explorer.h"

#include "demo_database.h"
#include "screenshot.h"
#include "termination_signals.h"

#include "orm/core/error.h"
#include "orm/registry/registry.h"
#include "orm/session/console_session.h"
#include "orm/sync/lifespan.h"
#include "orm/sync/run_sync.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"
#include "ui/model_tree.h"
#include "ui/password_store.h"
#include "ui/preferences.h"
#include "ui/saved_connections.h"

#include <QApplication>
#include <QDockWidget>
#include <QIcon>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <tuple>

namespace strata::app {
namespace {

// How long quitting may wait for console statements to be cancelled on the server; a server or
// link that does not answer cannot hold the exit longer.
constexpr std::chrono::milliseconds kConsoleQuitBound{2000};

struct Connections {
    QString primary;
    QList<std::pair<QString, QString>> extras;
    QString primaryName; // the saved connection opened as the primary, if one was
    QString origin;      // for the log: where they came from
};

// --database (or STRATA_DATABASE_URL) > saved connections > the demo; --extra adds to any.
Connections chooseConnections(const StartupOptions &options, bool preferDemo,
                              std::optional<Demo> &demo)
{
    Connections chosen;
    ui::SavedConnections saved(options.configFile.isEmpty() ? ui::SavedConnections::defaultPath()
                                                            : options.configFile);
    saved.load();
    if (!options.databaseUrl.isEmpty()) {
        chosen.primary = options.databaseUrl;
        chosen.origin = QStringLiteral("the command line");
    } else if (!saved.connections().isEmpty() && !preferDemo) {
        chosen.origin = saved.path();
        for (const ui::SavedConnection &connection : saved.connections()) {
            // Saved URLs hold no password: the keyring may; if the server asks for one the
            // keyring lacks, the window asks the user then.
            const QString url = ui::completePassword(connection.name, connection.url);
            if (connection.primary && chosen.primary.isEmpty()) {
                chosen.primary = url;
                chosen.primaryName = connection.name;
            } else {
                chosen.extras.append({connection.name, url});
            }
        }
        if (chosen.primary.isEmpty() && !chosen.extras.isEmpty())
            std::tie(chosen.primaryName, chosen.primary) = chosen.extras.takeFirst();
    } else {
        demo = ensureDemo(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
        chosen.primary = demo->primaryUrl;
        chosen.extras = demo->extras;
        chosen.origin = QStringLiteral("the demo");
    }
    chosen.extras += options.extras;
    return chosen;
}

} // namespace

int runExplorer(QApplication &app, const StartupOptions &options)
{
    app.setWindowIcon(QIcon(QStringLiteral(":/strata/strata.svg")));
    const bool interactive = options.screenshotFile.isEmpty() &&
                             QGuiApplication::platformName() != QLatin1String("offscreen");

    // Before anything connects: the connect timeout for URLs that do not give one, the theme,
    // and whether to start with the demo.
    const QString preferencesPath = ui::Preferences::defaultPath();
    const ui::Preferences preferences = ui::Preferences::load(preferencesPath);
    preferences.apply();

    std::optional<Demo> demo;
    std::unique_ptr<orm::Registry> registry;
    Connections chosen;
    try {
        chosen = chooseConnections(options,
                                   preferences.startWith == ui::Preferences::StartWith::Demo, demo);
        registry = std::make_unique<orm::Registry>(chosen.primary);
        for (const auto &[name, url] : chosen.extras)
            registry->addExtra(name, url);
        if (demo)
            registerDemo(*registry, *demo);
    } catch (const orm::Error &error) {
        std::fprintf(stderr, "strata: %s\n", qPrintable(ui::maskSecrets(error.toString())));
        return 2;
    }

    // Lenient: the window appears at once; a database that fails shows as failed.
    orm::Lifespan *lifespan = orm::Lifespan::bind(registry.get(), &app);
    ui::MainWindow window(registry.get());
    window.setSavedConnectionsPath(
        options.configFile.isEmpty() ? ui::SavedConnections::defaultPath() : options.configFile);
    // Saved connections added, edited or removed from the Connections menu apply at once (the
    // window asks the registry); the one opened as the primary changes at the next start.
    window.setPrimaryConnectionName(chosen.primaryName);
    window.setPreferencesPath(preferencesPath);
    window.setStartSchema(options.schema);
    // Staged edits are journaled (0600) so that a crash loses none; a screenshot or a test
    // stages nothing and is offered nothing.
    if (interactive)
        window.setJournalDirectory(
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
            QStringLiteral("/edits"));
    // A screenshot or a test has nobody to type a password.
    window.setAsksForPasswords(interactive);
    window.logPane()->captureOrmWarnings();
    window.logPane()->append(ui::LogPane::Level::Info,
                             QObject::tr("Connecting %1 database(s) from %2")
                                 .arg(registry->databases().size())
                                 .arg(chosen.origin));
    // The console pane: ad-hoc SQL on the active database and schema, each tab on a connection
    // of its own. It lives in a dock beside the log.
    auto *console = new ui::ConsolePane(registry.get());
    QDockWidget *consoleDock = window.addPane(QStringLiteral("consoleDock"), QObject::tr("Console"),
                                              console, Qt::BottomDockWidgetArea);
    const auto followActive = [&window, console] {
        console->setActive(window.activeDatabase(), window.activeSchema(),
                           window.displayName(window.activeDatabase()));
    };
    console->setEditorFont(window.preferences().editorFont());
    QObject::connect(
        &window, &ui::MainWindow::preferencesApplied, console,
        [console](const ui::Preferences &chosen) { console->setEditorFont(chosen.editorFont()); });
    QObject::connect(&window, &ui::MainWindow::activeDatabaseChanged, console, followActive);
    QObject::connect(&window, &ui::MainWindow::activeSchemaChanged, console, followActive);
    // DDL run in the console shows in the tree at once.
    QObject::connect(console, &ui::ConsolePane::statementsRan, window.modelTree(),
                     &ui::ModelTree::catalogMayHaveChanged);
    // The DDL viewer's Open in console: a new tab to edit, nothing run.
    QObject::connect(&window, &ui::MainWindow::consoleTextRequested, console,
                     [console, consoleDock](const QString &text) {
                         console->openInNewTab(text);
                         consoleDock->show();
                         consoleDock->raise();
                     });
    // Quitting asks first while a console tab holds an open transaction.
    window.setUncommittedWorkProbe([console](const orm::Database *database) {
        QStringList open;
        for (int i = 0; i < console->tabCount(); ++i)
            if (const orm::ConsoleSession *session = console->tab(i)->session();
                session && session->isTransactionOpen() &&
                (!database || session->database() == database))
                open << QObject::tr("console tab %1 (%2)").arg(i + 1).arg(session->displayUrl());
        return open;
    });
    // The console gets room for a few lines of SQL and a result; then, for a person, the window
    // as they left it. A screenshot or a test always sees the same layout.
    window.resizeDocks({consoleDock}, {window.height() * 2 / 5}, Qt::Vertical);
    if (interactive)
        window.restoreLayout();
    window.show();
    if (interactive) // once the window shows: edits a crashed run left behind
        QTimer::singleShot(0, &window, &ui::MainWindow::offerRecoveredEdits);

    Screenshot *screenshot = nullptr;
    if (!options.screenshotFile.isEmpty()) {
        screenshot = new Screenshot(&window, options.screenshotFile, options.selectModel,
                                    options.screenshotTimeoutMs);
        screenshot->setSchema(options.schema);
    }
    if (screenshot && !options.consoleSql.isEmpty()) {
        consoleDock->raise();
        // The console is what the picture is about: give it most of the window's height.
        window.resizeDocks({consoleDock}, {window.height() * 3 / 5}, Qt::Vertical);
        screenshot->setConsole(console, options.consoleSql);
    }
    QObject::connect(lifespan, &orm::Lifespan::started, &window,
                     [&window, screenshot, select = options.selectModel] {
                         if (screenshot)
                             screenshot->onStarted();
                         else if (!select.isEmpty())
                             window.openModel(select);
                     });
    QObject::connect(lifespan, &orm::Lifespan::startFailed, &window,
                     [screenshot](const QString &reason) {
                         if (screenshot)
                             screenshot->onStarted(); // lenient: what connected is shown
                         std::fprintf(stderr, "strata: %s\n", qPrintable(ui::maskSecrets(reason)));
                     });
    if (!screenshot && !options.consoleSql.isEmpty()) {
        // `--console SQL` with the window: run it once the active database shows its schema.
        auto *ready = new QTimer(&window);
        ready->setInterval(100);
        QObject::connect(ready, &QTimer::timeout, &window,
                         [ready, &window, console, consoleDock, sql = options.consoleSql] {
                             if (window.activeSchema().isEmpty())
                                 return;
                             ready->deleteLater();
                             consoleDock->raise();
                             console->runScript(sql);
                         });
        ready->start();
    }

    // SIGINT, SIGTERM, SIGHUP: quit without asking (nobody is there to answer); what runs is
    // cancelled on the server below and by the lifespan, as for a quit from the menu.
    TerminationSignals terminations;
    QObject::connect(&terminations, &TerminationSignals::received, &app, [&app](int signal) {
        std::fprintf(stderr, "strata: %s: cancelling running statements and disconnecting\n",
                     qPrintable(TerminationSignals::nameOf(signal)));
        app.exit(TerminationSignals::exitCodeFor(signal));
    });
    const int code = app.exec();
    // The lifespan abandoned what was connecting and disconnected the registry on aboutToQuit,
    // before exec() returned. Console tabs hold sessions of their own: a statement they still
    // run would go on on the server after we exit, so cancel it there and close them now.
    try {
        orm::runSync([console] { return console->closeSessions(); }, {kConsoleQuitBound});
    } catch (const orm::Error &error) {
        std::fprintf(stderr, "strata: quitting: %s\n",
                     qPrintable(ui::maskSecrets(error.toString())));
    }
    return code;
}

} // namespace strata::app
