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

    // executeBatch binds texts and blobs in place (SQLITE_STATIC, one reused buffer per
    // parameter): what it stores and compares is byte for byte what a single statement's
    // copying bind stores, across rows whose values grow, shrink and change kind.
    void batchBindsExactlyAsOneStatementDoes()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE one(i INTEGER PRIMARY KEY, v);"
                                               "CREATE TABLE batch(i INTEGER PRIMARY KEY, v, w)")));
        const QString megabyte(1 << 20, QLatin1Char('m'));
        QString lateNonAscii = megabyte; // ASCII for 32,768 blocks, then not
        lateNonAscii += QStringLiteral("é");
        QString lone = QStringLiteral("lone ");
        lone += QChar(0xD800); // a lone surrogate: toUtf8's '?', as before
        QByteArray bigBlob(1 << 20, '\0');
        for (int i = 0; i < bigBlob.size(); ++i)
            bigBlob[i] = char(i * 7);
        const QVariantList values{
            QStringLiteral("plain ascii"),
            QStringLiteral(""),
            QString(), // NULL
            QStringLiteral("héllo, 世界"),
            QStringLiteral("emoji 🙂🎬 and ZWJ 👩‍💻"),
            megabyte,
            QStringLiteral("x"), // shorter than the buffer the megabyte left
            QString(31, QLatin1Char('a')) + QStringLiteral("é"),
            QString(32, QLatin1Char('b')) + QStringLiteral("é"),
            QString(64, QLatin1Char('c')),
            lateNonAscii,
            lone,
            QStringLiteral("'); drop table one; --"),
            QByteArray("a\0b\xff", 4),
            QByteArray(""), // a zero-length blob
            QByteArray(),   // NULL
            bigBlob,
            QByteArray("z"),
            qint64(-9007199254740993LL),
            42,
            3.25,
            QVariant(), // NULL
        };
        QList<QVariantList> sets;
        for (int i = 0; i < values.size(); ++i) {
            await(db->execute(QStringLiteral("INSERT INTO one VALUES (?, ?)"), {i, values[i]}));
            // The same value in two parameters of one row: each has its own buffer.
            sets.append({i, values[i], values[i]});
        }
        QList<qint64> changed =
            await(db->executeBatch(QStringLiteral("INSERT INTO batch VALUES (?, ?, ?)"), sets));
        QCOMPARE(changed.size(), values.size());
        const QString differing = QStringLiteral(
            "SELECT count(*) FROM one JOIN batch USING (i) WHERE one.v IS NOT batch.v OR "
            "batch.v IS NOT batch.w OR typeof(one.v) != typeof(batch.v) OR "
            "hex(one.v) IS NOT hex(batch.v)");
        QCOMPARE(await(db->execute(differing)).value(0, 0), QVariant(qint64(0)));
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM batch")))
                     .value(0, 0)
                     .toLongLong(),
                 qint64(values.size()));

        // Read back as given (the lone surrogate as toUtf8 made it).
        Result r = await(db->execute(QStringLiteral("SELECT v, typeof(v) FROM batch ORDER BY i")));
        for (int i = 0; i < values.size(); ++i) {
            const QVariant &given = values[i];
            if (given.typeId() == QMetaType::QString) {
                const QString text = given.toString();
                if (text.isNull()) {
                    QVERIFY(r.isNull(i, 0));
                    continue;
                }
                QCOMPARE(r.text(i, 1), QStringLiteral("text"));
                QCOMPARE(r.text(i, 0), QString::fromUtf8(text.toUtf8()));
            } else if (given.typeId() == QMetaType::QByteArray) {
                if (given.toByteArray().isNull()) {
                    QVERIFY(r.isNull(i, 0));
                    continue;
                }
                QCOMPARE(r.text(i, 1), QStringLiteral("blob"));
                QCOMPARE(r.value(i, 0).toByteArray(), given.toByteArray());
            }
        }
        QCOMPARE(r.text(1, 0), QStringLiteral(""));
        QVERIFY(!r.text(1, 0).isNull());
        QCOMPARE(r.text(11, 0), QStringLiteral("lone ?"));

        // Compared inside SQLite as the commit's check compares: every row matches its own
        // values (IS: NULL matches NULL), none matches another row's.
        QList<QVariantList> checks;
        for (int i = 0; i < values.size(); ++i)
            checks.append({QStringLiteral("seen %1").arg(i), i, values[i]});
        changed = await(db->executeBatch(
            QStringLiteral("UPDATE batch SET w = ?1 WHERE i = ?2 AND v IS ?3"), checks));
        QCOMPARE(changed, QList<qint64>(values.size(), 1));
        QList<QVariantList> shifted;
        for (int i = 0; i < values.size(); ++i)
            shifted.append({i, values[(i + 1) % values.size()]});
        changed = await(db->executeBatch(
            QStringLiteral("UPDATE batch SET w = 'no' WHERE i = ?1 AND v IS ?2"), shifted));
        QCOMPARE(changed, QList<qint64>(values.size(), 0));
    }

    // A batch whose set fails leaves nothing bound into its freed buffers: the cached
    // statement runs again, as a stream and as a batch, with new values.
    void batchAfterAFailedSetReusesTheStatement()
    {
        auto db = memory();
        await(db->executeScript(QStringLiteral("CREATE TABLE t(i INTEGER PRIMARY KEY, v TEXT)")));
        const QString sql = QStringLiteral("INSERT INTO t VALUES (?, ?)");
        QList<QVariantList> sets{{1, QStringLiteral("first")}, {1, QStringLiteral("duplicate")}};
        QVERIFY(errorOf(db->executeBatch(sql, sets)).has_value());
        QCOMPARE(await(db->execute(QStringLiteral("SELECT count(*) FROM t"))).value(0, 0),
                 QVariant(qint64(0)));
        await(db->execute(sql, {2, QStringLiteral("später")}));
        sets = {{3, QStringLiteral("drei")}, {4, QString()}};
        QCOMPARE(await(db->executeBatch(sql, sets)), QList<qint64>({1, 1}));
        Result r = await(db->execute(QStringLiteral("SELECT i, v FROM t ORDER BY i")));
        QCOMPARE(r.rowCount(), 3);
        QCOMPARE(r.text(0, 1), QStringLiteral("später"));
        QCOMPARE(r.text(1, 1), QStringLiteral("drei"));
        QVERIFY(r.isNull(2, 1));
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
