#include "orm/core/error.h"
#include "orm/drivers/sqlite/sqlite_connection.h"
#include "support/await.h"

#include <QCoro/QCoroTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <optional>

using orm::Error;
using orm::LogicalType;
using orm::Result;
using orm::RowBatch;
using orm::drivers::Connection;
using orm::drivers::SqliteConnection;
using strata::test::await;

namespace {

// Counts to n inside SQLite: long enough to cancel, without any table.
QString countTo(qint64 n)
{
    return QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                          "WHERE x < %1) SELECT count(*) FROM c")
        .arg(n);
}

template <typename T>
std::optional<Error> errorOf(QCoro::Task<T> task, int timeoutMs = 30000)
{
    try {
        await(std::move(task), timeoutMs);
    } catch (const Error &error) {
        return error;
    }
    return std::nullopt;
}

// A second coroutine: free function, arguments by value (no capturing lambda coroutines).
QCoro::Task<> cancelAfter(Connection *connection, int ms)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    co_await connection->cancel();
}

QCoro::Task<> closeAfter(Connection *connection, int ms)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    co_await connection->close();
}

int threadCount()
{
    return int(QDir(QStringLiteral("/proc/self/task"))
                   .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                   .size());
}

} // namespace

class TestSqliteConnection : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString fileUrl(const QString &name, const QString &options = QStringLiteral("create=true"))
    {
        QString url = QStringLiteral("sqlite:///%1").arg(m_dir.filePath(name));
        if (!options.isEmpty())
            url += QLatin1Char('?') + options;
        return url;
    }

    std::unique_ptr<SqliteConnection> openUrl(const QString &url)
    {
        auto connection = std::make_unique<SqliteConnection>(orm::DatabaseUrl::parse(url));
        await(connection->open());
        return connection;
    }

    std::unique_ptr<SqliteConnection> memory()
    {
        return openUrl(QStringLiteral("sqlite://:memory:"));
    }

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

    void columnsAndLogicalTypes()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral(
            "CREATE TABLE t(a INTEGER, b BIGINT, c VARCHAR(10), d TEXT, e BLOB, f REAL, g DOUBLE "
            "PRECISION, h BOOLEAN, i DATE, j DATETIME, k TIMESTAMP, l NUMERIC(10,2), m DECIMAL, "
            "n JSON, o, p TIME, q FOO)")));
        Result r = await(db->execute(QStringLiteral("SELECT *, 1 + 1 AS expr FROM t")));
        const QList<LogicalType> expected{
            LogicalType::Integer,   LogicalType::Integer,   LogicalType::Text,
            LogicalType::Text,      LogicalType::Bytes,     LogicalType::Real,
            LogicalType::Real,      LogicalType::Bool,      LogicalType::Date,
            LogicalType::Timestamp, LogicalType::Timestamp, LogicalType::Numeric,
            LogicalType::Numeric,   LogicalType::Json,      LogicalType::Unknown,
            LogicalType::Time,      LogicalType::Numeric,   LogicalType::Unknown};
        QCOMPARE(r.columnCount(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QVERIFY2(r.columns[i].type == expected[i], qPrintable(r.columns[i].name));
        QCOMPARE(r.columns[2].name, QStringLiteral("c"));
        QCOMPARE(r.columns[2].typeName, QStringLiteral("VARCHAR(10)"));
        QCOMPARE(r.columns[17].name, QStringLiteral("expr"));
        QVERIFY(r.columns[17].typeName.isEmpty());
        QCOMPARE(r.rowCount(), 0);
        QCOMPARE(r.rowsAffected, -1);
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

    void nullAndEmptyAreDistinct()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(i INTEGER, s TEXT, b BLOB)")));
        await(db->execute(QStringLiteral("INSERT INTO t VALUES (1, NULL, NULL), (2, '', x'')")));
        await(db->execute(QStringLiteral("INSERT INTO t VALUES (?, ?, ?)"),
                          {3, QVariant(), QVariant()}));
        await(db->execute(QStringLiteral("INSERT INTO t VALUES (?, ?, ?)"),
                          {4, QStringLiteral(""), QByteArray("")}));
        await(db->execute(QStringLiteral("INSERT INTO t VALUES (?, ?, ?)"),
                          {5, QString(), QByteArray()})); // Qt's null values: NULL
        Result r = await(
            db->execute(QStringLiteral("SELECT s, typeof(s), b, typeof(b) FROM t ORDER BY i")));
        QCOMPARE(r.rowCount(), 5);
        for (int row : {0, 2, 4}) {
            QVERIFY(r.isNull(row, 0));
            QVERIFY(r.text(row, 0).isNull());
            QCOMPARE(r.text(row, 1), QStringLiteral("null"));
            QVERIFY(r.isNull(row, 2));
        }
        for (int row : {1, 3}) {
            QVERIFY(!r.isNull(row, 0));
            QVERIFY(!r.text(row, 0).isNull());
            QVERIFY(r.text(row, 0).isEmpty());
            QCOMPARE(r.text(row, 1), QStringLiteral("text"));
            QVERIFY(!r.isNull(row, 2));
            QCOMPARE(r.text(row, 3), QStringLiteral("blob"));
        }
    }

    void valuesRoundTrip_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<QVariant>("expected");
        const QDateTime withOffset(QDate(2024, 1, 31), QTime(12, 30, 45, 500), Qt::OffsetFromUTC,
                                   3600);
        const QDateTime utc(QDate(2023, 6, 1), QTime(0, 0, 0, 1), Qt::UTC);
        QTest::newRow("int") << "INTEGER" << QVariant(42) << "integer" << QVariant(qint64(42));
        QTest::newRow("int64") << "INTEGER" << QVariant(qint64(-9007199254740993LL)) << "integer"
                               << QVariant(qint64(-9007199254740993LL));
        QTest::newRow("uint") << "INTEGER" << QVariant(4000000000U) << "integer"
                              << QVariant(qint64(4000000000LL));
        QTest::newRow("real") << "REAL" << QVariant(3.25) << "real" << QVariant(3.25);
        QTest::newRow("text") << "TEXT" << QVariant(QStringLiteral("héllo, 世界 🙂")) << "text"
                              << QVariant(QStringLiteral("héllo, 世界 🙂"));
        QTest::newRow("blob") << "BLOB" << QVariant(QByteArray("a\0b\xff", 4)) << "blob"
                              << QVariant(QByteArray("a\0b\xff", 4));
        QTest::newRow("empty blob")
            << "BLOB" << QVariant(QByteArray("")) << "blob" << QVariant(QByteArray(""));
        QTest::newRow("true") << "BOOLEAN" << QVariant(true) << "integer" << QVariant(true);
        QTest::newRow("false") << "BOOLEAN" << QVariant(false) << "integer" << QVariant(false);
        QTest::newRow("datetime+01")
            << "TIMESTAMP" << QVariant(withOffset) << "text" << QVariant(withOffset);
        QTest::newRow("datetime utc") << "TIMESTAMP" << QVariant(utc) << "text" << QVariant(utc);
        QTest::newRow("date") << "DATE" << QVariant(QDate(2024, 2, 29)) << "text"
                              << QVariant(QDate(2024, 2, 29));
        QTest::newRow("time") << "TIME" << QVariant(QTime(23, 59, 58, 7)) << "text"
                              << QVariant(QTime(23, 59, 58, 7));
        QTest::newRow("null") << "TEXT" << QVariant() << "null" << QVariant();
    }

    void valuesRoundTrip()
    {
        QFETCH(QString, type);
        QFETCH(QVariant, value);
        QFETCH(QString, storage);
        QFETCH(QVariant, expected);
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(v %1)").arg(type)));
        await(db->execute(QStringLiteral("INSERT INTO t VALUES (?)"), {value}));
        Result r = await(db->execute(QStringLiteral("SELECT v, typeof(v) FROM t")));
        QCOMPARE(r.text(0, 1), storage);
        const QVariant got = r.value(0, 0);
        if (!expected.isValid()) {
            QVERIFY(!got.isValid());
            return;
        }
        QCOMPARE(got.typeId(), expected.typeId());
        QCOMPARE(got, expected);
        // Also as a bound parameter compared inside SQLite.
        Result same =
            await(db->execute(QStringLiteral("SELECT count(*) FROM t WHERE v = ?"), {value}));
        QCOMPARE(same.value(0, 0), QVariant(qint64(1)));
    }

    void dateTimeTextFormat()
    {
        auto db = memory();
        const QDateTime dt(QDate(2024, 1, 31), QTime(12, 0, 0, 500), Qt::OffsetFromUTC, 3600);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT ?"), {dt})).text(0, 0),
                 QStringLiteral("2024-01-31T12:00:00.500+01:00"));
        const QDateTime local(QDate(2024, 7, 1), QTime(8, 0));
        const QString text = await(db->execute(QStringLiteral("SELECT ?"), {local})).text(0, 0);
        QCOMPARE(QDateTime::fromString(text, Qt::ISODateWithMs), local);
        QVERIFY2(text.size() == 29 || text.endsWith(QLatin1Char('Z')), qPrintable(text));
    }

    void injectionStaysData()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE x(v TEXT)")));
        const QString evil = QStringLiteral("'); drop table x; --");
        await(db->execute(QStringLiteral("INSERT INTO x VALUES (?)"), {evil}));
        Result r = await(db->execute(QStringLiteral("SELECT v FROM x WHERE v = ?"), {evil}));
        QCOMPARE(r.rowCount(), 1);
        QCOMPARE(r.text(0, 0), evil);
    }

    void streaming()
    {
        auto db = memory();
        const int total = 100000;
        const int batchRows = 1000;
        await(db->start(QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c WHERE x < ?) SELECT x, 'row ' || x, x * 0.5 FROM c"),
                        {total}, batchRows));
        QCOMPARE(db->columns().size(), 3);
        QCOMPARE(db->columns()[0].name, QStringLiteral("x"));
        int rows = 0;
        int batches = 0;
        while (std::optional<RowBatch> batch = await(db->nextBatch())) {
            ++batches;
            QVERIFY(batch->rowCount() > 0);
            QVERIFY(batch->rowCount() <= batchRows);
            QCOMPARE(batch->columnCount(), 3);
            for (int i = 0; i < batch->rowCount(); ++i) {
                ++rows;
                if (batch->value(i, 0).toLongLong() != rows)
                    QFAIL(qPrintable(QStringLiteral("row %1 out of order").arg(rows)));
            }
            QCOMPARE(batch->text(batch->rowCount() - 1, 1), QStringLiteral("row %1").arg(rows));
        }
        QCOMPARE(rows, total);
        QCOMPARE(batches, total / batchRows);
        QCOMPARE(db->rowsAffected(), -1);
        QVERIFY(!await(db->nextBatch())); // stays ended
    }

    void abandonStreamAndStartAnother()
    {
        auto db = openUrl(fileUrl(QStringLiteral("abandon.db")));
        await(db->executeScript(QStringLiteral(
            "CREATE TABLE big(x INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
            "FROM c WHERE x < 50000) INSERT INTO big SELECT x FROM c;")));
        await(db->start(QStringLiteral("SELECT x FROM big ORDER BY x"), {}, 100));
        std::optional<RowBatch> first = await(db->nextBatch());
        QVERIFY(first);
        QCOMPARE(first->rowCount(), 100);
        // A new statement discards the rest of the old one...
        Result r = await(db->execute(QStringLiteral("SELECT count(*) FROM big")));
        QCOMPARE(r.value(0, 0), QVariant(qint64(50000)));
        // ...and has released its read, so the table can be dropped.
        await(db->start(QStringLiteral("SELECT x FROM big"), {}, 10));
        QVERIFY(await(db->nextBatch()));
        await(db->executeScript(QStringLiteral("DROP TABLE big")));
        QCOMPARE(
            await(db->execute(QStringLiteral("SELECT count(*) FROM sqlite_schema"))).value(0, 0),
            QVariant(qint64(0)));
        // The same statement text restarted from the beginning.
        await(db->executeScript(
            QStringLiteral("CREATE TABLE s(x); INSERT INTO s VALUES (1),(2),(3)")));
        const QString sql = QStringLiteral("SELECT x FROM s ORDER BY x");
        await(db->start(sql, {}, 1));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(1)));
        await(db->start(sql, {}, 1));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(1)));
        QCOMPARE(await(db->nextBatch())->value(0, 0), QVariant(qint64(2)));
    }

    void abandoningASlowStreamDoesNotWaitForIt()
    {
        auto db = memory();
        // Each row takes millions of steps: a prefetch is busy for a long time.
        const QString slow = QStringLiteral(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT x FROM c WHERE x % 2000000 = 0");
        QElapsedTimer timer;
        timer.start();
        await(db->start(slow, {}, 1));
        const qint64 perBatch = timer.elapsed();
        QVERIFY(await(db->nextBatch()));
        timer.start();
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 42"))).value(0, 0), QVariant(qint64(42)));
        const qint64 next = timer.elapsed();
        qInfo("a batch of the slow stream: %lld ms; the next statement: %lld ms", perBatch, next);
        QVERIFY2(next < perBatch / 2, qPrintable(QString::number(next)));
    }

    // Many quick hand-offs between the threads, with streams abandoned and cancelled on the way
    // (the design's substitute for ThreadSanitizer: hammer the hand-offs, check every value).
    void stressHandOffs()
    {
        auto db = memory();
        const QString sql = QStringLiteral(
            "WITH RECURSIVE c(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM c WHERE x < ? + 19) "
            "SELECT x FROM c");
        for (int i = 0; i < 1500; ++i) {
            await(db->start(sql, {i, i}, 1 + i % 3));
            qint64 expected = i;
            bool cancelled = false;
            bool cancelSent = false;
            while (true) {
                if (i % 7 == 3 && expected >= i + 5 && !cancelSent) {
                    await(db->cancel());
                    cancelSent = true;
                }
                std::optional<RowBatch> batch;
                try {
                    batch = await(db->nextBatch());
                } catch (const Error &error) {
                    QCOMPARE(error.kind(), Error::Kind::Cancelled);
                    cancelled = true;
                    break;
                }
                if (!batch)
                    break;
                for (int r = 0; r < batch->rowCount(); ++r)
                    if (batch->value(r, 0).toLongLong() != expected++)
                        QFAIL(qPrintable(QStringLiteral("wrong row in round %1").arg(i)));
                if (i % 5 == 1 && expected > i + 10)
                    break; // abandon
            }
            if (!cancelled && i % 5 != 1)
                QCOMPARE(expected, qint64(i + 20));
            QVERIFY(cancelled == (i % 7 == 3) || i % 5 == 1);
        }
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 7"))).value(0, 0), QVariant(qint64(7)));
    }

    void rowsAffected()
    {
        auto db = memory();
        await(db->executeScript(
            QStringLiteral("CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3)")));
        QCOMPARE(await(db->execute(QStringLiteral("UPDATE t SET x = x + 1"))).rowsAffected, 3);
        QCOMPARE(await(db->execute(QStringLiteral("DELETE FROM t WHERE x > 100"))).rowsAffected, 0);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT * FROM t"))).rowsAffected, -1);
        QCOMPARE(await(db->execute(QStringLiteral("CREATE TABLE u(y)"))).rowsAffected, -1);
        Result returning = await(db->execute(
            QStringLiteral("WITH d AS (SELECT 2) DELETE FROM t WHERE x <= 3 RETURNING x")));
        QCOMPARE(returning.rowCount(), 2);
        QCOMPARE(returning.rowsAffected, 2);
    }

    void transactionStatus()
    {
        using Status = orm::drivers::TransactionStatus;
        SqliteConnection db(orm::DatabaseUrl::parse(fileUrl(QStringLiteral("transaction.db"))));
        QCOMPARE(db.transactionStatus(), Status::Unknown); // closed
        await(db.open());
        QCOMPARE(db.transactionStatus(), Status::Idle);
        await(db.executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY)")));
        await(db.execute(QStringLiteral("BEGIN")));
        QCOMPARE(db.transactionStatus(), Status::Open);
        await(db.execute(QStringLiteral("INSERT INTO t VALUES (1)")));
        QCOMPARE(db.transactionStatus(), Status::Open);

        // SQLite has no failed transaction: after a failing statement the transaction is open
        // and keeps what it did.
        const std::optional<Error> duplicate =
            errorOf(db.execute(QStringLiteral("INSERT INTO t VALUES (1)")));
        QVERIFY(duplicate);
        QCOMPARE(duplicate->sqlState(), QStringLiteral("SQLITE_CONSTRAINT_PRIMARYKEY"));
        QCOMPARE(db.transactionStatus(), Status::Open);
        QVERIFY(errorOf(db.execute(QStringLiteral("SELECT nosuchcolumn FROM t"))));
        QCOMPARE(db.transactionStatus(), Status::Open);
        QCOMPARE(await(db.execute(QStringLiteral("SELECT count(*) FROM t"))).text(0, 0),
                 QStringLiteral("1"));

        // Unless SQLite rolls it back for the error.
        QVERIFY(errorOf(db.execute(QStringLiteral("INSERT OR ROLLBACK INTO t VALUES (1)"))));
        QCOMPARE(db.transactionStatus(), Status::Idle);
        QCOMPARE(await(db.execute(QStringLiteral("SELECT count(*) FROM t"))).text(0, 0),
                 QStringLiteral("0"));

        await(db.execute(QStringLiteral("BEGIN")));
        await(db.execute(QStringLiteral("INSERT INTO t VALUES (2)")));
        await(db.execute(QStringLiteral("COMMIT")));
        QCOMPARE(db.transactionStatus(), Status::Idle);
        await(db.close());
        QCOMPARE(db.transactionStatus(), Status::Unknown);
    }

    void executeBatchInsertsInOneTransaction()
    {
        auto db = openUrl(fileUrl(QStringLiteral("batch.db")));
        await(
            db->executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 10000; ++i)
            sets.append(QVariantList{i, QStringLiteral("name %1").arg(i)});
        QElapsedTimer timer;
        timer.start();
        await(db->executeScript(QStringLiteral("BEGIN")));
        const QList<qint64> changed =
            await(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?, ?)"), sets));
        await(db->executeScript(QStringLiteral("COMMIT")));
        qInfo("10000 inserts: %lld ms", qint64(timer.elapsed()));
        QCOMPARE(changed.size(), 10000);
        QVERIFY(std::all_of(changed.begin(), changed.end(), [](qint64 n) { return n == 1; }));
        Result r = await(db->execute(QStringLiteral("SELECT count(*), max(name) FROM t")));
        QCOMPARE(r.value(0, 0), QVariant(qint64(10000)));
        QCOMPARE(r.text(0, 1), QStringLiteral("name 9999"));
    }

    void executeBatchReportsFailingSet()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 10; ++i)
            sets.append(QVariantList{i == 5 ? 0 : i}); // set 5 repeats id 0
        std::optional<Error> error =
            errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Sql);
        QCOMPARE(error->message(),
                 QStringLiteral("parameter set 5 of 10: UNIQUE constraint failed: t.id"));
        QCOMPARE(error->sqlState(), QStringLiteral("SQLITE_CONSTRAINT_PRIMARYKEY"));
        // All or nothing, as on PostgreSQL: the sets before it were undone too.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(0)));
        // Inside the caller's transaction, only the batch is undone.
        await(db->executeScript(QStringLiteral("BEGIN; INSERT INTO t VALUES (1000)")));
        QVERIFY(errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets)));
        await(db->executeScript(QStringLiteral("COMMIT")));
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(1)));

        sets = {{100}, {101, 102}};
        error = errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets));
        QVERIFY(error);
        QCOMPARE(error->message(), QStringLiteral("parameter set 1 of 2: the statement takes 1 "
                                                  "parameter(s) but 2 were given"));
        QVERIFY(await(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), {})).isEmpty());
    }

    void cancelLongQuery()
    {
        auto db = memory();
        QCoro::Task<> canceller = cancelAfter(db.get(), 200);
        QElapsedTimer timer;
        timer.start();
        std::optional<Error> error = errorOf(db->execute(countTo(1000000000)), 10000);
        const qint64 elapsed = timer.elapsed();
        await(std::move(canceller));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QCOMPARE(error->message(), QStringLiteral("query cancelled"));
        QVERIFY2(elapsed >= 150 && elapsed < 1000, qPrintable(QString::number(elapsed)));
        // The connection stays usable, and the same statement runs again.
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 1"))).value(0, 0), QVariant(qint64(1)));
        QCOMPARE(await(db->execute(countTo(1000))).value(0, 0), QVariant(qint64(1000)));
    }

    void cancelStreamAndBatch()
    {
        auto db = memory();
        // A stream in progress throws at its next batch that needs the worker.
        await(db->start(countTo(100000).replace(QLatin1String("count(*)"), QLatin1String("x")), {},
                        10));
        QVERIFY(await(db->nextBatch()));
        await(db->cancel());
        std::optional<Error> error;
        for (int i = 0; i < 3 && !error; ++i)
            error = errorOf(db->nextBatch());
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QVERIFY(!await(db->nextBatch()));

        // A batch of many quick statements is cancelled between sets too.
        await(db->executeScript(QStringLiteral("CREATE TABLE t(x)")));
        QList<QVariantList> sets;
        for (int i = 0; i < 3000000; ++i)
            sets.append(QVariantList{i});
        QCoro::Task<> canceller = cancelAfter(db.get(), 200);
        error = errorOf(db->executeBatch(QStringLiteral("INSERT INTO t VALUES (?)"), sets), 20000);
        await(std::move(canceller));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 2"))).value(0, 0), QVariant(qint64(2)));
    }

    void lateCancelDoesNotBreakNextStatement()
    {
        auto db = memory();
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(await(db->execute(countTo(1000))).value(0, 0), QVariant(qint64(1000)));
            await(db->cancel()); // after the statement finished
            QCOMPARE(await(db->execute(countTo(20000))).value(0, 0), QVariant(qint64(20000)));
        }
        // Cancelling an idle connection that has never run anything.
        auto fresh = memory();
        await(fresh->cancel());
        QCOMPARE(await(fresh->execute(countTo(10000))).value(0, 0), QVariant(qint64(10000)));
    }

    void eventLoopKeepsRunning()
    {
        auto db = memory();
        int ticks = 0;
        QTimer timer;
        timer.setInterval(10);
        connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
        timer.start();
        QElapsedTimer elapsed;
        elapsed.start();
        Result r = await(db->execute(countTo(5000000)));
        const qint64 ms = elapsed.elapsed();
        timer.stop();
        QCOMPARE(r.value(0, 0), QVariant(qint64(5000000)));
        qInfo("query took %lld ms, timer ticked %d times", ms, ticks);
        QVERIFY2(ms >= 100, "the query was too quick to prove anything");
        QVERIFY2(ticks >= ms / 10 / 3, qPrintable(QString::number(ticks)));
    }

    void busyCallIsAUsageError()
    {
        auto db = memory();
        QCoro::Task<Result> running = db->execute(countTo(2000000));
        std::optional<Error> error = errorOf(db->execute(QStringLiteral("SELECT 1")));
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Usage);
        QCOMPARE(await(std::move(running)).value(0, 0), QVariant(qint64(2000000)));
    }

    void statementCacheReuse()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(k INTEGER, v TEXT)")));
        const QString insert = QStringLiteral("INSERT INTO t VALUES (?, ?)");
        const QString select = QStringLiteral("SELECT v FROM t WHERE k = ?");
        for (int i = 0; i < 5; ++i)
            await(db->execute(insert, {i, QStringLiteral("v%1").arg(i)}));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(await(db->execute(select, {i})).text(0, 0), QStringLiteral("v%1").arg(i));
        // A bound value does not linger into the next use.
        QCOMPARE(await(db->execute(select, {QVariant()})).rowCount(), 0);
        // More distinct statements than the cache holds, then the first ones again.
        for (int i = 0; i < 100; ++i)
            QCOMPARE(await(db->execute(QStringLiteral("SELECT %1 + ?").arg(i), {1})).value(0, 0),
                     QVariant(qint64(i + 1)));
        QCOMPARE(await(db->execute(select, {3})).text(0, 0), QStringLiteral("v3"));
        QCOMPARE(await(db->execute(QStringLiteral("SELECT 0 + ?"), {5})).value(0, 0),
                 QVariant(qint64(5)));
        // A cached statement survives a schema change.
        await(db->executeScript(QStringLiteral("ALTER TABLE t ADD COLUMN w")));
        QCOMPARE(await(db->execute(select, {4})).text(0, 0), QStringLiteral("v4"));
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
