#pragma once

// What `strata` (the window, no sub-command) was asked to open, from its command line and
// environment:
//
//   strata                                   the demo databases
//   strata --database URL [--extra NAME=URL]... [--config FILE]
//   STRATA_DATABASE_URL=URL strata           (--database wins over it)
//   strata --screenshot FILE [--select MODEL] [--schema NAME]

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace strata::app {

struct StartupOptions {
    QString databaseUrl; // empty: saved connections, or the demo
    QList<std::pair<QString, QString>> extras;
    QString configFile; // empty: the default in the user's config directory
    QString screenshotFile;
    QString selectModel;
    QString schema;     // --schema: the schema or tenant active at start (empty: the default)
    QString consoleSql; // --console: run in a console tab once connected (before a screenshot)
    int screenshotTimeoutMs = 60'000;
};

// Parses arguments (without the program name); throws std::invalid_argument with a message for
// a person. `--help` and `--version` are handled by the caller first.
StartupOptions parseStartupOptions(const QStringList &arguments, const QString &environmentUrl);
QString startupUsage();

// Whether a window can be shown: a display (X11 or Wayland), or a Qt platform chosen on purpose
// (QT_QPA_PLATFORM, e.g. offscreen). Without one Qt would abort with a plugin error.
bool displayAvailable();
// What to say instead, over SSH or in a container: the ways to work without a display.
QString noDisplayAdvice();

} // namespace strata::app
