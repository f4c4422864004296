// strata: the desktop explorer's entry point, and the dispatcher of its sub-commands.

#include "command.h"
#include "explorer.h"
#include "startup_options.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <stdexcept>

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

    // `strata --help` / `--version`: text only, no display needed.
    bool helpOnly = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        helpOnly |= arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v";
    }
    if (!helpOnly) {
        // `strata [--database URL ...]`: the desktop explorer. Its command line is read before
        // the GUI starts, so that a mistake is said as such even where no display is.
        QStringList arguments;
        for (int i = 1; i < argc; ++i)
            arguments << QString::fromLocal8Bit(argv[i]);
        if (!arguments.isEmpty() && !arguments.first().startsWith(QLatin1Char('-'))) {
            QStringList names;
            for (const strata::app::Command &command : strata::app::commands())
                names << QLatin1String(command.name);
            QTextStream(stderr) << "strata: unknown command '" << arguments.first()
                                << "' (commands: " << names.join(QStringLiteral(", "))
                                << "; strata --help)\n";
            return 2;
        }
        strata::app::StartupOptions options;
        try {
            options = strata::app::parseStartupOptions(arguments,
                                                       qEnvironmentVariable("STRATA_DATABASE_URL"));
        } catch (const std::invalid_argument &error) {
            QTextStream(stderr) << "strata: " << error.what() << "\n"
                                << strata::app::startupUsage();
            return 2;
        }
        if (!strata::app::displayAvailable()) {
            if (options.screenshotFile.isEmpty()) {
                QTextStream(stderr) << strata::app::noDisplayAdvice();
                return 2;
            }
            // A screenshot needs no screen: render offscreen.
            qputenv("QT_QPA_PLATFORM", "offscreen");
        }
        QApplication app(argc, argv);
        return strata::app::runExplorer(app, options);
    }

    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    QString description =
        QStringLiteral("Strata: a fast, native explorer for PostgreSQL and SQLite databases.\n\n") +
        strata::app::startupUsage() +
        QStringLiteral("\nCommands (strata COMMAND --help for their options):");
    for (const strata::app::Command &command : strata::app::commands())
        description += QStringLiteral("\n  %1  %2")
                           .arg(QLatin1String(command.name), -8)
                           .arg(QLatin1String(command.summary));
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    parser.showHelp(0);
}
