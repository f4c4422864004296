// The SQLite driver's connections: opening files and memory databases, errors, locking, and the
// worker thread's lifetime.

#include "sqlite_suite.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <sqlite3.h>

#include <optional>

using orm::Error;
using orm::Result;
using orm::drivers::SqliteConnection;
using namespace strata::test;

class TestSqliteConnection : public strata::test::SqliteSuite {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void openCreatesFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("new.db"));
        QVERIFY(!QFileInfo::exists(path));
        auto db = openUrl(fileUrl(QStringLiteral("new.db")));
        QVERIFY(db->isOpen());
        QCOMPARE(db->backend(), orm::DatabaseUrl::Backend::Sqlite);
        await(db->executeScript(QStringLiteral("CREATE TABLE t(x)")));
        QVERIFY(QFileInfo::exists(path));
        await(db->close());
        QVERIFY(!db->isOpen());
    }

    void missingFileWithoutCreate()
    {
        const QString path = m_dir.filePath(QStringLiteral("missing.db"));
        SqliteConnection db(orm::DatabaseUrl::parse(fileUrl(QStringLiteral("missing.db"), {})));
        const std::optional<Error> error = errorOf(db.open());
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::FileNotFound);
        QCOMPARE(error->message(),
                 QStringLiteral("database file '%1' does not exist (add ?create=true to create it)")
                     .arg(path));
        QCOMPARE(error->database(), db.url().toDisplayString());
        QVERIFY(!db.isOpen());
        QVERIFY(!QFileInfo::exists(path));
        // The same with mode=rw and mode=ro; mode=rwc creates.
        SqliteConnection rw(orm::DatabaseUrl::parse(
            fileUrl(QStringLiteral("missing.db"), QStringLiteral("mode=rw"))));
        QCOMPARE(errorOf(rw.open())->kind(), Error::Kind::FileNotFound);
        SqliteConnection ro(orm::DatabaseUrl::parse(
            fileUrl(QStringLiteral("missing.db"), QStringLiteral("mode=ro"))));
        QCOMPARE(errorOf(ro.open())->kind(), Error::Kind::FileNotFound);
        auto rwc = openUrl(fileUrl(QStringLiteral("missing.db"), QStringLiteral("mode=rwc")));
        QVERIFY(rwc->isOpen());
    }

    void relativePathResolvesAgainstCurrentDirectory()
    {
        const QString old = QDir::currentPath();
        QVERIFY(QDir::setCurrent(m_dir.path()));
        auto db = openUrl(QStringLiteral("sqlite:///relative.db?create=true"));
        QVERIFY(QDir::setCurrent(old));
        await(db->executeScript(QStringLiteral("CREATE TABLE t(x)")));
        QVERIFY(QFileInfo::exists(m_dir.filePath(QStringLiteral("relative.db"))));
    }

    void notADatabase()
    {
        QFile file(m_dir.filePath(QStringLiteral("garbage.db")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        SqliteConnection db(orm::DatabaseUrl::parse(fileUrl(QStringLiteral("garbage.db"), {})));
        const std::optional<Error> error = errorOf(db.open());
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::ConnectionFailed);
        QVERIFY2(error->message().contains(QLatin1String("not a database")),
                 qPrintable(error->message()));
        QVERIFY(!db.isOpen());
    }

    void readOnlyMode()
    {
        {
            auto db = openUrl(fileUrl(QStringLiteral("ro.db")));
            await(db->executeScript(QStringLiteral("CREATE TABLE t(x); INSERT INTO t VALUES (1)")));
        }
        auto ro = openUrl(fileUrl(QStringLiteral("ro.db"), QStringLiteral("mode=ro")));
        QCOMPARE(await(ro->execute(QStringLiteral("SELECT x FROM t"))).value(0, 0), QVariant(1));
        const std::optional<Error> error =
            errorOf(ro->executeScript(QStringLiteral("INSERT INTO t VALUES (2)")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QVERIFY(error->sqlState().startsWith(QLatin1String("SQLITE_READONLY")));
    }

    void walAndForeignKeysForFiles()
    {
        auto db = openUrl(fileUrl(QStringLiteral("wal.db")));
        Result mode = await(db->execute(QStringLiteral("PRAGMA journal_mode")));
        QCOMPARE(mode.text(0, 0), QStringLiteral("wal"));
        Result fk = await(db->execute(QStringLiteral("PRAGMA foreign_keys")));
        QCOMPARE(fk.value(0, 0), QVariant(qint64(1)));
        Result timeout = await(db->execute(QStringLiteral("PRAGMA busy_timeout")));
        QCOMPARE(timeout.value(0, 0), QVariant(qint64(5000)));

        auto custom =
            openUrl(fileUrl(QStringLiteral("wal.db"), QStringLiteral("busy_timeout=1234")));
        QCOMPARE(await(custom->execute(QStringLiteral("PRAGMA busy_timeout"))).value(0, 0),
                 QVariant(qint64(1234)));
    }

    // Closing the last connection ends WAL mode cleanly: no -wal or -shm file stays behind,
    // even though close() interrupts before it closes.

    void closeCheckpointsAndRemovesWalFiles()
    {
        const QString path = m_dir.filePath(QStringLiteral("checkpoint.db"));
        {
            auto db = openUrl(fileUrl(QStringLiteral("checkpoint.db")));
            await(db->executeScript(QStringLiteral("CREATE TABLE t(x); INSERT INTO t VALUES (1)")));
            QVERIFY(QFile::exists(path + QStringLiteral("-wal")));
            await(db->close());
        }
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
        QVERIFY(!QFile::exists(path + QStringLiteral("-shm")));
    }

    void memoryDatabase()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t(name) VALUES "
            "('a'), ('b');")));
        Result r = await(db->execute(QStringLiteral("SELECT id, name FROM t ORDER BY id")));
        QCOMPARE(r.rowCount(), 2);
        QCOMPARE(r.value(1, QStringLiteral("name")), QVariant(QStringLiteral("b")));
        // Each :memory: connection is its own database.
        auto other = memory();
        QCOMPARE(errorOf(other->execute(QStringLiteral("SELECT * FROM t")))->kind(),
                 Error::Kind::Sql);
    }

    void sqlErrorWithMessageAndPosition()
    {
        auto db = memory();
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT * FORM t")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->message(), QStringLiteral("near \"FORM\": syntax error"));
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_ERROR"));
        QCOMPARE(error->position(), 10);
        QCOMPARE(error->database(), QStringLiteral("sqlite://:memory:"));

        // Positions count characters, not UTF-8 bytes.
        error = errorOf(db->execute(QStringLiteral("SELECT 'ééé', nosuchcol")));
        QVERIFY(error);
        QCOMPARE(error->message(), QStringLiteral("no such column: nosuchcol"));
        QCOMPARE(error->position(), 15);
        // SQLite 3.40 gives no position for some errors.
        error = errorOf(db->execute(QStringLiteral("SELECT * FROM nope")));
        QVERIFY(error);
        QCOMPARE(error->message(), QStringLiteral("no such table: nope"));
        QCOMPARE(error->position(), 0);

        // In a script, the position is within the whole script.
        error = errorOf(
            db->executeScript(QStringLiteral("CREATE TABLE a(x);\nSELECT nosuchcol FROM a")));
        QVERIFY(error);
        QCOMPARE(error->message(), QStringLiteral("no such column: nosuchcol"));
        QCOMPARE(error->position(), 27);

        // A runtime error: its extended code, no position.
        await(db->executeScript(
            QStringLiteral("CREATE TABLE u(x UNIQUE); INSERT INTO u VALUES (1)")));
        error = errorOf(db->execute(QStringLiteral("INSERT INTO u VALUES (1)")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_CONSTRAINT_UNIQUE"));
        QCOMPARE(error->message(), QStringLiteral("UNIQUE constraint failed: u.x"));
        QCOMPARE(error->position(), 0);
        // The connection stays usable.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM u"))).value(0, 0),
                 QVariant(qint64(1)));
    }

    void oneStatementOnly()
    {
        auto db = memory();
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT 1; SELECT 2")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Usage);
        QVERIFY(error->message().contains(QLatin1String("executeScript")));
        // A trailing semicolon or comment is fine, and so is an empty statement.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 1; -- done"))).value(0, 0),
                 QVariant(qint64(1)));
        Result empty = await(db->execute(QStringLiteral("  -- nothing")));
        QCOMPARE(empty.columnCount(), 0);
        QCOMPARE(empty.rowCount(), 0);
    }

    void wrongParameterCount()
    {
        auto db = memory();
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT ?, ?"), {1, 2, 3}));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_RANGE"));
        QCOMPARE(error->message(),
                 QStringLiteral("the statement takes 2 parameter(s) but 3 were given"));
        error = errorOf(db->execute(QStringLiteral("SELECT ?")));
        QVERIFY(error);
        QCOMPARE(error->message(),
                 QStringLiteral("the statement takes 1 parameter(s) but 0 were given"));
        // ?NNN binds by number.
        Result r = await(db->execute(QStringLiteral("SELECT ?2, ?1"), {QStringLiteral("a"), 7}));
        QCOMPARE(r.value(0, 0), QVariant(qint64(7)));
        QCOMPARE(r.value(0, 1), QVariant(QStringLiteral("a")));
    }

    void writerAndReaderOnOneWalFile()
    {
        auto writer = openUrl(fileUrl(QStringLiteral("shared.db")));
        await(writer->executeScript(QStringLiteral("CREATE TABLE t(x); INSERT INTO t VALUES (1)")));
        auto reader = openUrl(fileUrl(QStringLiteral("shared.db"), QStringLiteral("mode=rw")));
        await(writer->executeScript(QStringLiteral("BEGIN; INSERT INTO t VALUES (2)")));
        // WAL: the reader is not blocked by the open write transaction and sees the last commit.
        QCOMPARE(await(reader->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(1)));
        await(writer->executeScript(QStringLiteral("COMMIT")));
        QCOMPARE(await(reader->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(2)));
    }

    void busyTimeout()
    {
        auto first = openUrl(fileUrl(QStringLiteral("busy.db")));
        await(first->executeScript(QStringLiteral("CREATE TABLE t(x)")));
        auto second =
            openUrl(fileUrl(QStringLiteral("busy.db"), QStringLiteral("busy_timeout=300")));
        await(first->executeScript(QStringLiteral("BEGIN IMMEDIATE")));
        QElapsedTimer timer;
        timer.start();
        std::optional<Error> error =
            errorOf(second->executeScript(QStringLiteral("INSERT INTO t VALUES (1)")));
        QVERIFY(error);
        QVERIFY(timer.elapsed() >= 250);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_BUSY"));
        QVERIFY2(error->message().startsWith(QLatin1String("database is locked")) &&
                     error->message().contains(QLatin1String("busy timeout of 300 ms")),
                 qPrintable(error->message()));
        await(first->executeScript(QStringLiteral("COMMIT")));
        await(second->executeScript(QStringLiteral("INSERT INTO t VALUES (1)")));
    }

    void closeStopsTheWorkerThread()
    {
        const int before = threadCount();
        auto db = openUrl(fileUrl(QStringLiteral("threads.db")));
        QCOMPARE(threadCount(), before + 1);
        await(db->execute(QStringLiteral("SELECT 1")));
        await(db->close());
        QCOMPARE(threadCount(), before);
        await(db->close()); // idempotent
        QVERIFY(!db->isOpen());
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT 1")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Usage);
        QVERIFY(!errorOf(db->cancel()));
        // It can be opened again.
        await(db->open());
        QCOMPARE(threadCount(), before + 1);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 2"))).value(0, 0), QVariant(qint64(2)));
        db.reset(); // the destructor closes as well
        QCOMPARE(threadCount(), before);
        // A failed open leaves no thread behind.
        SqliteConnection missing(orm::DatabaseUrl::parse(fileUrl(QStringLiteral("nope.db"), {})));
        QVERIFY(errorOf(missing.open()));
        QCOMPARE(threadCount(), before);
    }

    void closeCancelsRunningQuery()
    {
        auto db = memory();
        QCoro::Task<> closer = closeAfter(db.get(), 200);
        QElapsedTimer timer;
        timer.start();
        std::optional<Error> error = errorOf(db->execute(countTo(1000000000)), 10000);
        await(std::move(closer));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QVERIFY(timer.elapsed() < 1000);
        QVERIFY(!db->isOpen());
    }

    void destroyWithAnOpenStream()
    {
        const int before = threadCount();
        auto db = memory();
        await(db->start(countTo(100000).replace(QLatin1String("count(*)"), QLatin1String("x")), {},
                        100));
        QVERIFY(await(db->nextBatch())); // a prefetch is now under way
        db.reset();
        QCOMPARE(threadCount(), before);
    }
};

QTEST_GUILESS_MAIN(TestSqliteConnection)
#include "tst_sqlite_connection.moc"
