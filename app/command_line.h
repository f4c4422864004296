#pragma once

// What the sub-commands share on their command line: --help, the wording of a usage error and
// its exit status 2, the --database, --extra, --attach and --format options spelled the same
// everywhere, one SQL statement from the arguments or stdin, and the registry those options
// describe. A command declares its own options on parser() beside the shared ones.
//
//   strata::app::CommandLine cli(QStringLiteral("fanout"), description);
//   const auto database = cli.addDatabase(QStringLiteral("The primary database's URL."));
//   if (const std::optional<int> done = cli.parse(arguments))
//       return *done;
//   try {
//       const QString url = cli.required(database, QStringLiteral("--database URL"));
//       ...
//   } catch (const strata::app::UsageError &error) {
//       return cli.usage(error.message);
//   }

#include "result_output.h"

#include <QCommandLineParser>
#include <QString>

#include <optional>

namespace orm {
class Database;
class Registry;
} // namespace orm

namespace strata::app {

// A mistake on the command line, thrown by CommandLine's readers; the command prints it with
// usage().
struct UsageError {
    QString message;
};

class CommandLine {
public:
    // `command` is the sub-command's name ("query"): messages read "strata query: ...".
    CommandLine(QString command, const QString &description);

    QCommandLineParser &parser() { return m_parser; }
    const QCommandLineParser &parser() const { return m_parser; }

    // The shared options, added to the parser.
    QCommandLineOption addDatabase(const QString &description); // -d, --database URL
    QCommandLineOption addExtra();                              // --extra NAME=URL, repeatable
    QCommandLineOption addAttach(const QString &description);   // --attach NAME=FILE, repeatable
    QCommandLineOption addFormat();                             // --format table|csv|json
    // The one SQL statement, as the positional argument ('-' or none: stdin).
    void addStatement();

    // Parses the arguments: nothing when the command goes on, else its exit code (0 after
    // --help was printed, 2 after a usage error was).
    std::optional<int> parse(const QStringList &arguments);

    // Prints "strata CMD: message" and where help is to stderr; returns 2.
    int usage(const QString &message) const;
    // Prints "strata CMD: message" to stderr; returns 1 (a database or SQL error).
    int failure(const QString &message) const;

    // Readers: each throws UsageError naming what is wrong.
    // The option's value; `what` names it in the error ("--database URL").
    QString required(const QCommandLineOption &option, const QString &what) const;
    OutputFormat outputFormat(const QCommandLineOption &option) const;
    // The statement given (addStatement), or read from stdin.
    QString statement() const;
    // No positional argument at all.
    void requireNoArguments() const;
    // Adds every --extra NAME=URL to the registry (the URL is never echoed: a password).
    void addExtras(orm::Registry &registry, const QCommandLineOption &extra) const;
    // Attaches every --attach NAME=FILE to the database.
    void attachFiles(orm::Database &database, const QCommandLineOption &attach) const;

private:
    QString m_command;
    QCommandLineParser m_parser;
};

} // namespace strata::app
