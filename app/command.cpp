#include "command.h"

namespace strata::app {
namespace {
QList<Command> &table()
{
    static QList<Command> commands;
    return commands;
}
} // namespace

bool registerCommand(const Command &command)
{
    table().append(command);
    return true;
}

const Command *findCommand(const QString &name)
{
    for (const Command &command : table())
        if (name == QLatin1String(command.name))
            return &command;
    return nullptr;
}

QList<Command> commands()
{
    return table();
}

} // namespace strata::app
