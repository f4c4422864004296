// `strata query` on the user's SQLite files, run as the built program: a SELECT changes nothing
// in the file, a file this user may not write is read (and a write refused) without ?mode=ro, a
// file another process holds locked fails naming that process, and --attach NAME=FILE takes
// FILE as a path even when it reads like a "file:" URI.

#include "support/unprivileged.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run strataQuery(const QStringList &arguments, const QString &workingDirectory = {})
{
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(strata::test::strataBinary(), QStringList(QStringLiteral("query")) + arguments);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// SQL through the sqlite3 shell: the file as another tool makes it (rollback journal).
bool sqlite3Shell(const QString &path, const QByteArray &sql)
{
    QProcess shell;
    shell.start(QStringLiteral("sqlite3"), {path});
    shell.write(sql);
    shell.closeWriteChannel();
    return shell.waitForFinished(30000) && shell.exitCode() == 0;
}

QByteArray checksum(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

bool hasSideFiles(const QString &path)
{
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        if (QFileInfo::exists(path + QLatin1String(suffix)))
            return true;
    return false;
}

QString urlOf(const QString &path, const QString &options = {})
{
    return QStringLiteral("sqlite:///") + path + (options.isEmpty() ? QString() : "?" + options);
}

} // namespace

class TestCliFiles : public QObject {
    Q_OBJECT

private slots:
    void selectChangesNothing();
    void readOnlyFileIsReadWithoutModeRo();
    void lockedFileNamesTheHolder();
    void attachTakesAPath();
};

void TestCliFiles::selectChangesNothing()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("user.db"));
    QVERIFY(sqlite3Shell(path, "CREATE TABLE t (x integer); INSERT INTO t VALUES (7);"));
    const QByteArray before = checksum(path);
    const Run r =
        strataQuery({QStringLiteral("--database"), urlOf(path), QStringLiteral("SELECT x FROM t")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QLatin1String("7")));
    QCOMPARE(checksum(path), before);
    QVERIFY(!hasSideFiles(path));
}

void TestCliFiles::readOnlyFileIsReadWithoutModeRo()
{
    STRATA_AS_UNPRIVILEGED_USER();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("readonly.db"));
    QVERIFY(sqlite3Shell(path, "CREATE TABLE t (x integer); INSERT INTO t VALUES (7);"));
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ReadOther));
    const QByteArray before = checksum(path);
    Run r =
        strataQuery({QStringLiteral("--database"), urlOf(path), QStringLiteral("SELECT x FROM t")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QLatin1String("7")));
    r = strataQuery(
        {QStringLiteral("--database"), urlOf(path), QStringLiteral("INSERT INTO t VALUES (8)")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QLatin1String("readonly")), qPrintable(r.err));
    QCOMPARE(checksum(path), before);
    QVERIFY(!hasSideFiles(path));
}

void TestCliFiles::lockedFileNamesTheHolder()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("busy.db"));
    QVERIFY(sqlite3Shell(path, "CREATE TABLE t (x integer);"));
    // Another process writes and does not commit.
    QProcess holder;
    holder.start(QStringLiteral("sqlite3"), {path});
    holder.write("BEGIN EXCLUSIVE;\nINSERT INTO t VALUES (1);\nSELECT 'holding';\n");
    QByteArray said;
    while (!said.contains("holding") && holder.waitForReadyRead(30000))
        said += holder.readAllStandardOutput();
    QVERIFY(said.contains("holding"));

    const Run r =
        strataQuery({QStringLiteral("--database"), urlOf(path, QStringLiteral("busy_timeout=100")),
                     QStringLiteral("SELECT count(*) FROM t")});
    QCOMPARE(r.code, 1);
    QVERIFY2(
        r.err.contains(QStringLiteral("locked by process %1 (sqlite3)").arg(holder.processId())),
        qPrintable(r.err));
    holder.write("ROLLBACK;\n.quit\n");
    holder.closeWriteChannel();
    QVERIFY(holder.waitForFinished(30000));
}

void TestCliFiles::attachTakesAPath()
{
    QTemporaryDir dir;
    const QString name = QStringLiteral("file:tenant.db?mode=memory");
    QVERIFY(sqlite3Shell(dir.filePath(name),
                         "CREATE TABLE t (v text); INSERT INTO t VALUES ('on disk');"));
    const Run r = strataQuery({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:"),
                               QStringLiteral("--attach"), QStringLiteral("tenant=") + name,
                               QStringLiteral("SELECT v FROM tenant.t")},
                              dir.path());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QLatin1String("on disk")), qPrintable(r.out));
    // Nothing was made of the URI's parts either.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{name});
}

QTEST_GUILESS_MAIN(TestCliFiles)
#include "tst_cli_files.moc"
