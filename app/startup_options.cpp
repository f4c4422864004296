#include "startup_options.h"

#include <stdexcept>

namespace strata::app {

QString startupUsage()
{
    return QStringLiteral(
        "usage: strata [--database URL] [--extra NAME=URL]... [--config FILE]\n"
        "              [--schema NAME] [--select TABLE] [--console SQL]\n"
        "              [--screenshot FILE]\n"
        "       strata COMMAND [options]\n"
        "\n"
        "With no database the demo opens (created on first run in the user's data directory).\n"
        "STRATA_DATABASE_URL sets the primary database when --database is not given.\n"
        "--config FILE      saved connections (default: connections.json in the config dir)\n"
        "--screenshot FILE  wait until loading is done, save a PNG of the window, exit\n"
        "--schema NAME      start in that schema or tenant (not the default one)\n"
        "--select TABLE     open TABLE in the grid first (with --screenshot, waits for its "
        "rows)\n"
        "--console SQL      run SQL in a console tab once connected (with --screenshot: shoot "
        "once its result or error shows)\n");
}

bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") ||
           !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

QString noDisplayAdvice()
{
    return QStringLiteral(
        "strata: no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
        "Without one:\n"
        "  strata --screenshot FILE [--select TABLE]   save a picture of the window (offscreen)\n"
        "  strata query --database URL \"SQL\"           run a statement, print its result\n"
        "  strata inspect --database URL               list schemas, tables and columns\n"
        "  ssh -X, or xvfb-run -a strata ...           a display forwarded, or a virtual one\n");
}

StartupOptions parseStartupOptions(const QStringList &arguments, const QString &environmentUrl)
{
    StartupOptions options;
    options.databaseUrl = environmentUrl;
    const auto valueOf = [&](qsizetype &i) {
        const QString &option = arguments[i];
        if (i + 1 >= arguments.size() || arguments[i + 1].startsWith(QLatin1String("--")))
            throw std::invalid_argument(
                QStringLiteral("%1 needs a value").arg(option).toStdString());
        return arguments[++i];
    };
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments[i];
        if (arg == QLatin1String("--database")) {
            options.databaseUrl = valueOf(i);
        } else if (arg == QLatin1String("--extra")) {
            const QString value = valueOf(i);
            const qsizetype eq = value.indexOf(QLatin1Char('='));
            if (eq <= 0 || eq == value.size() - 1) {
                // Never echo a URL back: it may hold a password.
                const QString got = eq > 0 ? value.left(eq)
                                    : value.contains(QLatin1String("://"))
                                        ? QStringLiteral("a URL without a NAME=")
                                        : value.left(eq == 0 ? 0 : value.size());
                throw std::invalid_argument(
                    QStringLiteral("--extra wants NAME=URL, got '%1'").arg(got).toStdString());
            }
            options.extras.append({value.left(eq), value.mid(eq + 1)});
        } else if (arg == QLatin1String("--config")) {
            options.configFile = valueOf(i);
        } else if (arg == QLatin1String("--screenshot")) {
            options.screenshotFile = valueOf(i);
        } else if (arg == QLatin1String("--select")) {
            options.selectModel = valueOf(i);
        } else if (arg == QLatin1String("--schema")) {
            options.schema = valueOf(i);
        } else if (arg == QLatin1String("--console")) {
            options.consoleSql = valueOf(i);
        } else {
            throw std::invalid_argument(
                QStringLiteral("unexpected argument '%1'").arg(arg).toStdString());
        }
    }
    return options;
}

} // namespace strata::app
