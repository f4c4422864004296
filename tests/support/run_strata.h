#pragma once

// Runs the built `strata` executable (STRATA_BINARY, set by the suite's CMake target) with a
// command and its arguments, as a user's shell would, and collects what it said.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace strata::test {

struct StrataRun {
    int code = -1; // -1: it crashed or had to be killed
    QString out;
    QString err;
};

inline StrataRun runStrataCommand(const QString &command, const QStringList &arguments,
                                  int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(STRATA_BINARY), QStringList(command) + arguments);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// The file of a sqlite:/// URL, without its options.
inline QString sqlitePath(const QString &url)
{
    return url.section(QStringLiteral("sqlite:///"), 1).section(QLatin1Char('?'), 0, 0);
}

} // namespace strata::test
