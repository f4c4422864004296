#include "command_line.h"

#include "orm/database/database.h"
#include "orm/registry/registry.h"

#include <QFile>
#include <QTextStream>

namespace strata::app {

CommandLine::CommandLine(QString command, const QString &description)
    : m_command(std::move(command))
{
    m_parser.setApplicationDescription(description);
    m_parser.addHelpOption();
}

QCommandLineOption CommandLine::addDatabase(const QString &description)
{
    const QCommandLineOption option({QStringLiteral("d"), QStringLiteral("database")}, description,
                                    QStringLiteral("URL"));
    m_parser.addOption(option);
    return option;
}

QCommandLineOption CommandLine::addExtra()
{
    const QCommandLineOption option(
        QStringLiteral("extra"), QStringLiteral("An extra database of the registry (repeatable)."),
        QStringLiteral("NAME=URL"));
    m_parser.addOption(option);
    return option;
}

QCommandLineOption CommandLine::addAttach(const QString &description)
{
    const QCommandLineOption option(QStringLiteral("attach"), description,
                                    QStringLiteral("NAME=FILE"));
    m_parser.addOption(option);
    return option;
}

QCommandLineOption CommandLine::addFormat()
{
    const QCommandLineOption option(QStringLiteral("format"),
                                    QStringLiteral("Output: table (default), csv or json."),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    m_parser.addOption(option);
    return option;
}

void CommandLine::addStatement()
{
    m_parser.addPositionalArgument(
        QStringLiteral("SQL"), QStringLiteral("The statement; '-' or none reads it from stdin."));
}

std::optional<int> CommandLine::parse(const QStringList &arguments)
{
    if (!m_parser.parse(QStringList(QStringLiteral("strata ") + m_command) + arguments))
        return usage(m_parser.errorText());
    if (m_parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << m_parser.helpText();
        return 0;
    }
    return std::nullopt;
}

int CommandLine::usage(const QString &message) const
{
    QTextStream(stderr) << "strata " << m_command << ": " << message << "\n"
                        << "Try 'strata " << m_command << " --help'.\n";
    return 2;
}

int CommandLine::failure(const QString &message) const
{
    QTextStream(stderr) << "strata " << m_command << ": " << message << '\n';
    return 1;
}

QString CommandLine::required(const QCommandLineOption &option, const QString &what) const
{
    const QString value = m_parser.value(option);
    if (value.isEmpty())
        throw UsageError{what + QStringLiteral(" is required")};
    return value;
}

OutputFormat CommandLine::outputFormat(const QCommandLineOption &option) const
{
    const std::optional<OutputFormat> format = parseOutputFormat(m_parser.value(option));
    if (!format)
        throw UsageError{
            QStringLiteral("unknown format '%1' (table, csv or json)").arg(m_parser.value(option))};
    return *format;
}

QString CommandLine::statement() const
{
    const QStringList positional = m_parser.positionalArguments();
    if (positional.size() > 1)
        throw UsageError{QStringLiteral("one SQL statement expected, got %1 arguments (quote the "
                                        "statement)")
                             .arg(positional.size())};
    QString sql = positional.value(0);
    if (sql.isEmpty() || sql == QLatin1String("-")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            throw UsageError{QStringLiteral("cannot read the statement from stdin")};
        sql = QString::fromUtf8(in.readAll());
    }
    if (sql.trimmed().isEmpty())
        throw UsageError{QStringLiteral("no SQL statement given")};
    return sql;
}

void CommandLine::requireNoArguments() const
{
    if (!m_parser.positionalArguments().isEmpty())
        throw UsageError{
            QStringLiteral("unexpected argument '%1'").arg(m_parser.positionalArguments().first())};
}

void CommandLine::addExtras(orm::Registry &registry, const QCommandLineOption &extra) const
{
    QString name;
    QString value;
    for (const QString &entry : m_parser.values(extra)) {
        if (!splitNamedValue(entry, &name, &value)) // never echoed: it may hold a password
            throw UsageError{QStringLiteral("--extra expects NAME=URL")};
        registry.addExtra(name, value);
    }
}

void CommandLine::attachFiles(orm::Database &database, const QCommandLineOption &attach) const
{
    QString name;
    QString value;
    for (const QString &entry : m_parser.values(attach)) {
        if (!splitNamedValue(entry, &name, &value))
            throw UsageError{QStringLiteral("--attach expects NAME=FILE, got '%1'").arg(entry)};
        database.attach(name, value);
    }
}

} // namespace strata::app
