// The SQLite driver's values: parameters bound and read back, NULL apart from the empty string,
// declared types and their logical types.

#include "sqlite_suite.h"

#include <QTest>

using orm::LogicalType;
using orm::Result;
using namespace strata::test;

class TestSqliteValues : public strata::test::SqliteSuite {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

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
};

QTEST_GUILESS_MAIN(TestSqliteValues)
#include "tst_sqlite_values.moc"
