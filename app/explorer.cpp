#include "explorer.h"

#include "demo_database.h"
#include "screenshot.h"

#include "orm/error.h"
#include "orm/lifespan.h"
#include "orm/registry.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"
#include "ui/password_store.h"
#include "ui/saved_connections.h"

#include <QApplication>
#include <QIcon>
#include <QStandardPaths>

#include <cstdio>
#include <memory>

namespace strata::app {
namespace {

struct Connections {
    QString primary;
    QList<std::pair<QString, QString>> extras;
    QString origin; // for the log: where they came from
};

// --database (or STRATA_DATABASE_URL) > saved connections > the demo; --extra adds to any.
Connections chooseConnections(const StartupOptions &options, std::optional<Demo> &demo,
                              bool interactive)
{
    Connections chosen;
    ui::SavedConnections saved(options.configFile.isEmpty() ? ui::SavedConnections::defaultPath()
                                                            : options.configFile);
    saved.load();
    if (!options.databaseUrl.isEmpty()) {
        chosen.primary = options.databaseUrl;
        chosen.origin = QStringLiteral("the command line");
    } else if (!saved.connections().isEmpty()) {
        chosen.origin = saved.path();
        for (const ui::SavedConnection &connection : saved.connections()) {
            // Saved URLs hold no password: the keyring may, or the user is asked.
            const QString url = ui::completePassword(connection.name, connection.url, interactive);
            if (connection.primary && chosen.primary.isEmpty())
                chosen.primary = url;
            else
                chosen.extras.append({connection.name, url});
        }
        if (chosen.primary.isEmpty() && !chosen.extras.isEmpty())
            chosen.primary = chosen.extras.takeFirst().second;
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

    std::optional<Demo> demo;
    std::unique_ptr<orm::Registry> registry;
    Connections chosen;
    try {
        chosen = chooseConnections(options, demo, interactive);
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
    window.logPane()->captureOrmWarnings();
    window.logPane()->append(ui::LogPane::Level::Info,
                             QObject::tr("Connecting %1 database(s) from %2")
                                 .arg(registry->databases().size())
                                 .arg(chosen.origin));
    if (demo)
        window.setUncommittedWorkProbe({}); // no console yet: nothing holds a transaction
    window.show();

    Screenshot *screenshot = nullptr;
    if (!options.screenshotFile.isEmpty())
        screenshot = new Screenshot(&window, options.screenshotFile, options.selectModel,
                                    options.screenshotTimeoutMs);
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
    const int code = app.exec();
    // The lifespan disconnected the registry on aboutToQuit, before exec() returned.
    return code;
}

} // namespace strata::app
