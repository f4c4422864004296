// strata: the desktop explorer's entry point, and the dispatcher of its sub-commands.

#include "command.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication::setApplicationName(QStringLiteral("strata"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRATA_VERSION));

    // `strata COMMAND ...`: a command-line tool, no window.
    if (argc > 1) {
        if (const strata::app::Command *command =
                strata::app::findCommand(QString::fromLocal8Bit(argv[1]))) {
            QCoreApplication app(argc, argv);
            QStringList arguments = app.arguments().mid(2);
            return command->run(arguments);
        }
    }

    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    QString description =
        QStringLiteral("Strata: a fast, native explorer for PostgreSQL and SQLite databases.\n\n"
                       "Commands (strata COMMAND --help for their options):");
    for (const strata::app::Command &command : strata::app::commands())
        description += QStringLiteral("\n  %1  %2").arg(QLatin1String(command.name), -8)
                           .arg(QLatin1String(command.summary));
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    parser.showHelp(0);
}
