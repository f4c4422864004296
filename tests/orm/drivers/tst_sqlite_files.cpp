// The SQLite driver and the user's files: looking at a file changes nothing in it (journal mode,
// bytes, side files), a file this user may not write opens read-only by itself and says so, and
// a file another process holds locked fails after the busy timeout naming that process.

#include "backends.h"
#include "sqlite_suite.h"
#include "support/unprivileged.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <sqlite3.h>

using orm::drivers::SqliteConnection;
using strata::test::await;
using strata::test::errorOf;

namespace {

// A database made the way another tool makes it: rollback journal (SQLite's default), one row.
void makeUserFile(const QString &path)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "CREATE TABLE t (x integer); INSERT INTO t VALUES (1);", nullptr,
                          nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
}

QByteArray checksum(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

// The journal mode as another tool sees it.
QString journalMode(const QString &path)
{
    sqlite3 *db = nullptr;
    sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *stmt = nullptr;
    QString mode;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        mode = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return mode;
}

QStringList sideFiles(const QString &path)
{
    QStringList found;
    for (const char *suffix : {"-wal", "-shm", "-journal"})
        if (QFileInfo::exists(path + QLatin1String(suffix)))
            found << path + QLatin1String(suffix);
    return found;
}

std::unique_ptr<SqliteConnection> openPath(const QString &path, const QString &options = {})
{
    QString url = QStringLiteral("sqlite:///") + path;
    if (!options.isEmpty())
        url += QLatin1Char('?') + options;
    auto connection = std::make_unique<SqliteConnection>(orm::DatabaseUrl::parse(url));
    await(connection->open());
    return connection;
}

// The sqlite3 shell in another process, holding the file in an exclusive transaction (a write
// not yet committed) until it is stopped.
class LockHolder {
public:
    explicit LockHolder(const QString &path)
    {
        m_process.start(QStringLiteral("sqlite3"), {path});
        m_process.write("BEGIN EXCLUSIVE;\nINSERT INTO t VALUES (2);\nSELECT 'holding';\n");
        while (!m_output.contains("holding") && m_process.waitForReadyRead(30000))
            m_output += m_process.readAllStandardOutput();
    }
    ~LockHolder()
    {
        m_process.write("ROLLBACK;\n.quit\n");
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(30000))
            m_process.kill();
    }
    bool holds() const { return m_output.contains("holding"); }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

class TestSqliteFiles : public strata::test::SqliteSuite {
    Q_OBJECT

private slots:
    void lookingChangesNothing_data();
    void lookingChangesNothing();
    void aFileItCreatesIsWal();
    void writableFileIsNotReadOnly();
    void readOnlyFileOpensReadOnly();
    void readOnlyDirectoryOpensReadOnly();
    void lockedFileFailsToOpenNamingTheHolder();
    void lockedFileFailsReadsAndWritesNamingTheHolder();
};

void TestSqliteFiles::lookingChangesNothing_data()
{
    QTest::addColumn<QString>("options");
    QTest::newRow("plain") << QString();
    // create=true on a file that exists: still the user's file.
    QTest::newRow("create=true") << QStringLiteral("create=true");
    QTest::newRow("mode=rw") << QStringLiteral("mode=rw");
}

void TestSqliteFiles::lookingChangesNothing()
{
    QFETCH(QString, options);
    const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("user")) + ".db");
    makeUserFile(path);
    const QByteArray before = checksum(path);
    QCOMPARE(journalMode(path), QStringLiteral("delete"));
    {
        auto connection = openPath(path, options);
        QVERIFY(!connection->isReadOnly());
        const orm::Result result = await(connection->execute(QStringLiteral("SELECT x FROM t")));
        QCOMPARE(result.rowCount(), 1);
        QVERIFY2(sideFiles(path).isEmpty(), qPrintable(sideFiles(path).join(' ')));
        await(connection->close());
    }
    QCOMPARE(checksum(path), before);
    QCOMPARE(journalMode(path), QStringLiteral("delete"));
    QVERIFY2(sideFiles(path).isEmpty(), qPrintable(sideFiles(path).join(' ')));
}

void TestSqliteFiles::aFileItCreatesIsWal()
{
    // Strata's own new file is no user's: it gets WAL, so that readers never block a writer.
    const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("new")) + ".db");
    {
        auto connection = openPath(path, QStringLiteral("create=true"));
        await(connection->executeScript(QStringLiteral("CREATE TABLE t (x integer)")));
        await(connection->close());
    }
    QCOMPARE(journalMode(path), QStringLiteral("wal"));
}

void TestSqliteFiles::writableFileIsNotReadOnly()
{
    const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("rw")) + ".db");
    makeUserFile(path);
    auto connection = openPath(path);
    QVERIFY(!connection->isReadOnly());
    await(connection->execute(QStringLiteral("INSERT INTO t VALUES (2)")));
    QVERIFY(openPath(path, QStringLiteral("mode=ro"))->isReadOnly());
}

void TestSqliteFiles::readOnlyFileOpensReadOnly()
{
    STRATA_AS_UNPRIVILEGED_USER();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("locked-down.db"));
    makeUserFile(path);
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ReadOther)); // 0444
    const QByteArray before = checksum(path);

    auto connection = openPath(path); // no ?mode=ro: it finds out by itself
    QVERIFY(connection->isReadOnly());
    QCOMPARE(await(connection->execute(QStringLiteral("SELECT x FROM t"))).rowCount(), 1);
    const auto error = errorOf(connection->execute(QStringLiteral("INSERT INTO t VALUES (2)")));
    QVERIFY(error);
    QVERIFY2(error->message().contains(QLatin1String("readonly")), qPrintable(error->toString()));
    await(connection->close());
    QCOMPARE(checksum(path), before);
    QVERIFY(sideFiles(path).isEmpty());
}

void TestSqliteFiles::readOnlyDirectoryOpensReadOnly()
{
    STRATA_AS_UNPRIVILEGED_USER();
    QTemporaryDir dir;
    const QString sub = dir.filePath(QStringLiteral("shelf"));
    QVERIFY(QDir().mkpath(sub));
    const QString path = sub + QStringLiteral("/in-a-locked-dir.db");
    makeUserFile(path); // the file itself stays writable
    constexpr auto kReadAndEnter = QFileDevice::ReadOwner | QFileDevice::ExeOwner |
                                   QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                                   QFileDevice::ReadOther | QFileDevice::ExeOther; // 0555
    QVERIFY(QFile::setPermissions(sub, kReadAndEnter));
    const QByteArray before = checksum(path);

    {
        auto connection = openPath(path);
        QVERIFY(connection->isReadOnly());
        QCOMPARE(await(connection->execute(QStringLiteral("SELECT x FROM t"))).rowCount(), 1);
        const auto error = errorOf(connection->execute(QStringLiteral("DELETE FROM t")));
        QVERIFY(error);
        QVERIFY2(error->message().contains(QLatin1String("readonly")),
                 qPrintable(error->toString()));
        await(connection->close());
    }
    QCOMPARE(checksum(path), before);
    QVERIFY(sideFiles(path).isEmpty());
    QFile::setPermissions(sub, kReadAndEnter | QFileDevice::WriteOwner); // for the clean-up
}

void TestSqliteFiles::lockedFileFailsToOpenNamingTheHolder()
{
    const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("locked")) + ".db");
    makeUserFile(path);
    LockHolder holder(path);
    QVERIFY(holder.holds());

    auto connection = std::make_unique<SqliteConnection>(
        orm::DatabaseUrl::parse(QStringLiteral("sqlite:///%1?busy_timeout=100").arg(path)));
    const auto error = errorOf(connection->open());
    QVERIFY(error);
    QCOMPARE(error->kind(), orm::Error::Kind::ConnectionFailed);
    const QString expected =
        QStringLiteral("locked by process %1 (sqlite3); gave up after the busy timeout of 100 ms")
            .arg(holder.pid());
    QVERIFY2(error->message().contains(expected), qPrintable(error->toString()));
}

void TestSqliteFiles::lockedFileFailsReadsAndWritesNamingTheHolder()
{
    const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("locked")) + ".db");
    makeUserFile(path);
    auto connection = openPath(path, QStringLiteral("busy_timeout=100"));
    LockHolder holder(path); // after the open: the next statement meets it
    QVERIFY(holder.holds());
    const QString expected = QStringLiteral("database is locked: the database file is locked by "
                                            "process %1 (sqlite3)")
                                 .arg(holder.pid());
    for (const char *sql : {"SELECT x FROM t", "INSERT INTO t VALUES (3)"}) {
        const auto error = errorOf(connection->execute(QString::fromLatin1(sql)));
        QVERIFY2(error, sql);
        QVERIFY2(error->message().contains(expected), qPrintable(error->toString()));
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_BUSY"));
    }
}

QTEST_GUILESS_MAIN(TestSqliteFiles)
#include "tst_sqlite_files.moc"
