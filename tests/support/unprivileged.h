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
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
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
    // The build tree may sit where "nobody" cannot reach (a clone under a 0700 mktemp
    // directory, as CI makes): the child runs copies of the executables it needs from a
    // directory it can enter.
    static QTemporaryDir bin;
    QFile::setPermissions(bin.path(), QFileDevice::Permissions(0x7755));
    const auto reachable = [](const QString &path) {
        const QString copy = bin.path() + QLatin1Char('/') + QFileInfo(path).fileName();
        if (!QFileInfo::exists(copy))
            QFile::copy(path, copy);
        QFile::setPermissions(copy, QFileDevice::Permissions(0x7755));
        return copy;
    };
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kUnprivilegedMarker), QStringLiteral("1"));
    // The product's shared libraries, which the copies' RUNPATH (into the build tree) no longer
    // reaches: all of those in the directory this process loaded its own from (the strata
    // executable needs more of them), copied beside the executables and found first.
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (maps.open(QIODevice::ReadOnly)) {
        static const QRegularExpression library(QStringLiteral("(/\\S*)/libstrata_[^/\\s]*$"));
        QStringList directories;
        for (const QByteArray &line : maps.readAll().split('\n'))
            if (const auto found = library.match(QString::fromLocal8Bit(line)); found.hasMatch())
                if (!directories.contains(found.captured(1)))
                    directories.append(found.captured(1));
#ifdef STRATA_BINARY
        // A test that only starts strata loads none itself: build/app/strata's are in build/lib.
        directories.append(
            QFileInfo(QStringLiteral(STRATA_BINARY)).dir().filePath(QStringLiteral("../lib")));
#endif
        for (const QString &directory : directories)
            for (const QFileInfo &file :
                 QDir(directory).entryInfoList({QStringLiteral("libstrata_*")}, QDir::Files))
                reachable(file.filePath());
    }
    const QString libraryPath = env.value(QStringLiteral("LD_LIBRARY_PATH"));
    env.insert(QStringLiteral("LD_LIBRARY_PATH"),
               libraryPath.isEmpty() ? bin.path() : bin.path() + QLatin1Char(':') + libraryPath);
#ifdef STRATA_BINARY
    env.insert(QStringLiteral("STRATA_TEST_REACHABLE_STRATA"),
               reachable(QStringLiteral(STRATA_BINARY)));
#endif
    // LeakSanitizer reads its suppressions file (LSAN_OPTIONS) when the child exits with leak
    // candidates: from where the child cannot read it, the child fails though its test passed.
    QString lsan = env.value(QStringLiteral("LSAN_OPTIONS"));
    static const QRegularExpression suppressions(QStringLiteral("suppressions=([^: ]+)"));
    if (const QRegularExpressionMatch found = suppressions.match(lsan); found.hasMatch()) {
        const QString copy = reachable(found.captured(1));
        env.insert(QStringLiteral("LSAN_OPTIONS"),
                   lsan.replace(found.capturedStart(1), found.capturedLength(1), copy));
    }
    env.insert(QStringLiteral("HOME"), home.path());
    env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.setWorkingDirectory(bin.path());
    child.start(QStringLiteral("setpriv"),
                {QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                 QStringLiteral("--clear-groups"), QStringLiteral("--"),
                 reachable(QCoreApplication::applicationFilePath()),
                 QString::fromLatin1(function)});
    if (!child.waitForFinished(120000))
        child.kill();
    child.waitForFinished();
    *output = QString::fromLocal8Bit(child.readAll());
    *passed = child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0 &&
              output->contains(QLatin1String("PASS   :"));
    return false;
}

#ifdef STRATA_BINARY
// The strata executable to start: in the unprivileged child, the copy it can reach.
inline QString strataBinary()
{
    const QString copy = qEnvironmentVariable("STRATA_TEST_REACHABLE_STRATA");
    return copy.isEmpty() ? QStringLiteral(STRATA_BINARY) : copy;
}
#endif

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
