#pragma once

// Sub-commands of the strata executable (`strata inspect ...`, `strata query ...`). Each lives in
// its own file and registers itself, so main() stays a dispatcher.

#include <QStringList>

namespace strata::app {

struct Command {
    const char *name;
    const char *summary;
    // Receives the arguments after the command's name; returns the process exit code.
    int (*run)(const QStringList &arguments);
};

// Called from a static initialiser in the command's file.
bool registerCommand(const Command &command);
const Command *findCommand(const QString &name);
QList<Command> commands();

} // namespace strata::app

// In a command's .cpp: STRATA_COMMAND(inspect, "show the models of a database", runInspect);
#define STRATA_COMMAND(id, summary, function)                                                      \
    static const bool strataCommand_##id = strata::app::registerCommand({#id, summary, function})
