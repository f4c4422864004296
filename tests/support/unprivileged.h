#pragma once

// For behaviour that only an unprivileged user meets (a file mode 0444, a read-only directory):
// root reads and writes through permissions, and CI runs the suites as root. So a test function
// that starts with STRATA_AS_UNPRIVILEGED_USER() runs, when the process is root, in a child
// process: this same test binary, running only that function, as user and group "nobody"
// (setpriv). The child makes its own files, so that they are really not its to write; the parent
// fails unless the child passed. Run by any other user, the function simply runs in place.
//
//   void readOnlyFile() { STRATA_AS_UNPRIVILEGED_USER(); ... }

#include <QCoreApplication>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace strata::test {

constexpr const char *kUnprivilegedMarker = "STRATA_TEST_UNPRIVILEGED_CHILD";

// Whether this process should run `function` itself; when not, it ran as "nobody" in a child
// and `*output` holds the child's output, `*passed` its verdict.
inline bool runsHere(const char *function, bool *passed, QString *output)
{
    if (::geteuid() != 0 || qEnvironmentVariableIsSet(kUnprivilegedMarker))
        return true;
    // A HOME the child may write (QStandardPaths), which the parent cleans up.
    static QTemporaryDir home;
    QFile::setPermissions(home.path(), QFileDevice::Permissions(0x7777));
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kUnprivilegedMarker), QStringLiteral("1"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QStringLiteral("setpriv"),
                {QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                 QStringLiteral("--clear-groups"), QStringLiteral("--"),
                 QCoreApplication::applicationFilePath(), QString::fromLatin1(function)});
    if (!child.waitForFinished(120000))
        child.kill();
    child.waitForFinished();
    *output = QString::fromLocal8Bit(child.readAll());
    *passed = child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0 &&
              output->contains(QLatin1String("PASS   :"));
    return false;
}

} // namespace strata::test

#define STRATA_AS_UNPRIVILEGED_USER()                                                              \
    do {                                                                                           \
        bool childPassed = false;                                                                  \
        QString childOutput;                                                                       \
        if (!strata::test::runsHere(QTest::currentTestFunction(), &childPassed, &childOutput)) {   \
            QVERIFY2(childPassed, qPrintable(childOutput));                                        \
            return;                                                                                \
        }                                                                                          \
        QVERIFY2(::geteuid() != 0, "an unprivileged test runs as root");                           \
    } while (false)
