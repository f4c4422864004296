// The PostgreSQL driver's values against a real server: parameters bound and read back, NULL
// apart from the empty string, the type OIDs and their logical types.

#include "postgres_suite.h"

#include <QTest>
#include <QTimeZone>
#include <QUuid>

using namespace orm;
using strata::test::await;

class TestPostgresValues : public strata::test::PostgresSuite {
    Q_OBJECT

private slots:
    void initTestCase() { STRATA_REQUIRE_POSTGRES(); }

    void nullIsNotEmpty()
    {
        auto c = connect();
        const Result r =
            exec(*c, QStringLiteral("select $1::text, $2::text, $1::text is null, $2::text = ''"),
                 {QVariant(), QString(QLatin1String(""))});
        QVERIFY(r.isNull(0, 0));
        QVERIFY(r.text(0, 0).isNull());
        QVERIFY(!r.isNull(0, 1));
        QVERIFY(!r.text(0, 1).isNull());
        QCOMPARE(r.text(0, 1), QString(QLatin1String("")));
        QCOMPARE(r.value(0, 2), QVariant(true));
        QCOMPARE(r.value(0, 3), QVariant(true));
        const Result literal = exec(*c, QStringLiteral("select null::text, ''::text"));
        QVERIFY(literal.isNull(0, 0));
        QVERIFY(!literal.isNull(0, 1));
    }

    void valuesRoundTrip()
    {
        auto c = connect();
        const QString table = strata::test::uniqueName(QStringLiteral("rt"));
        await(
            c->executeScript(QStringLiteral("create table %1 (i int, b bigint, n numeric, s text, "
                                            "f bool, ts timestamptz, by bytea, u uuid, d float8, "
                                            "dt date, tm time)")
                                 .arg(table)));
        QByteArray bytes;
        for (int i = 0; i < 256; ++i)
            bytes.append(char(i));
        const QDateTime ts(QDate(2024, 1, 31), QTime(12, 34, 56, 789), QTimeZone(3600));
        const QUuid uuid = QUuid::createUuid();
        const double real = 0.1 + 0.2;
        const QString numeric = QStringLiteral("12345678901234567890.123456789");
        const QString text = QStringLiteral("h\u00e9llo \u2713 'quoted' \\ back");
        const qint64 big = 9007199254740993LL; // 2^53 + 1: no double would keep it
        const QVariantList values{42,
                                  big,
                                  numeric,
                                  text,
                                  true,
                                  ts,
                                  bytes,
                                  QVariant::fromValue(uuid),
                                  real,
                                  QDate(2000, 2, 29),
                                  QTime(23, 59, 58, 125)};
        const Result inserted = exec(
            *c,
            QStringLiteral("insert into %1 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .arg(table),
            values);
        QCOMPARE(inserted.rowsAffected, 1);
        exec(*c, QStringLiteral("insert into %1 (f) values ($1)").arg(table), {false});

        const Result r = exec(*c, QStringLiteral("select * from %1 order by f desc").arg(table));
        QCOMPARE(r.rowCount(), 2);
        QCOMPARE(r.value(0, QStringLiteral("i")), QVariant(qint64(42)));
        QCOMPARE(r.value(0, QStringLiteral("b")).toLongLong(), big);
        QCOMPARE(r.text(0, 2), numeric);
        QCOMPARE(r.columns[2].type, LogicalType::Numeric);
        QCOMPARE(r.value(0, QStringLiteral("s")).toString(), text);
        QCOMPARE(r.value(0, QStringLiteral("f")), QVariant(true));
        QCOMPARE(r.value(1, QStringLiteral("f")), QVariant(false));
        QCOMPARE(r.value(0, QStringLiteral("ts")).toDateTime().toMSecsSinceEpoch(),
                 ts.toMSecsSinceEpoch());
        QCOMPARE(r.value(0, QStringLiteral("by")).toByteArray(), bytes);
        QCOMPARE(r.batches().front().kind(0, 6), CellKind::Blob);
        QCOMPARE(r.value(0, QStringLiteral("u")).toUuid(), uuid);
        QCOMPARE(r.value(0, QStringLiteral("d")).toDouble(), real);
        QCOMPARE(r.value(0, QStringLiteral("dt")).toDate(), QDate(2000, 2, 29));
        QCOMPARE(r.value(0, QStringLiteral("tm")).toTime(), QTime(23, 59, 58, 125));
        for (int col = 0; col < r.columnCount(); ++col)
            if (r.columns[col].name != QLatin1String("f"))
                QVERIFY(r.isNull(1, col));

        // Bound parameters compared on the server too.
        const Result same =
            exec(*c,
                 QStringLiteral("select count(*) from %1 where b = $1 and by = $2 and u = $3 "
                                "and ts = $4 and d = $5 and n = $6")
                     .arg(table),
                 {big, bytes, QVariant::fromValue(uuid), ts, real, numeric});
        QCOMPARE(same.text(0, 0), QStringLiteral("1"));
        await(c->executeScript(QStringLiteral("drop table %1").arg(table)));
    }

    void parametersStayData()
    {
        auto c = connect();
        const QString table = strata::test::uniqueName(QStringLiteral("inj"));
        await(c->executeScript(QStringLiteral("create table %1 (s text)").arg(table)));
        const QString evil = QStringLiteral("'); drop table %1; --").arg(table);
        exec(*c, QStringLiteral("insert into %1 values ($1)").arg(table), {evil});
        const Result r = exec(*c, QStringLiteral("select s from %1").arg(table));
        QCOMPARE(r.rowCount(), 1);
        QCOMPARE(r.text(0, 0), evil);
        await(c->executeScript(QStringLiteral("drop table %1").arg(table)));
    }

    void columnTypes()
    {
        auto c = connect();
        const QStringList names{
            QStringLiteral("bool"),        QStringLiteral("bytea"),    QStringLiteral("\"char\""),
            QStringLiteral("name"),        QStringLiteral("int8"),     QStringLiteral("int2"),
            QStringLiteral("int4"),        QStringLiteral("text"),     QStringLiteral("oid"),
            QStringLiteral("json"),        QStringLiteral("xml"),      QStringLiteral("float4"),
            QStringLiteral("float8"),      QStringLiteral("bpchar"),   QStringLiteral("varchar"),
            QStringLiteral("date"),        QStringLiteral("time"),     QStringLiteral("timestamp"),
            QStringLiteral("timestamptz"), QStringLiteral("interval"), QStringLiteral("timetz"),
            QStringLiteral("numeric"),     QStringLiteral("uuid"),     QStringLiteral("jsonb")};
        QStringList exprs;
        for (const QString &n : names)
            exprs << QStringLiteral("null::%1").arg(n) << QStringLiteral("null::%1[]").arg(n);
        const Result r = exec(*c, QStringLiteral("select ") + exprs.join(QStringLiteral(", ")));
        // The server's own names and OIDs must match the driver's table.
        QStringList rows;
        for (qsizetype i = 0; i < exprs.size(); ++i)
            rows << QStringLiteral("(%1, pg_typeof(%2)::oid)").arg(i).arg(exprs[i]);
        const Result truth =
            exec(*c, QStringLiteral("select t.oid::int8, t.typname from (values %1) v(k, o) "
                                    "join pg_type t on t.oid = v.o order by k")
                         .arg(rows.join(QStringLiteral(", "))));
        QCOMPARE(truth.rowCount(), r.columnCount());
        for (int i = 0; i < r.columnCount(); ++i) {
            QCOMPARE(r.columns[i].typeOid, quint32(truth.text(i, 0).toUInt()));
            QCOMPARE(r.columns[i].typeName, truth.text(i, 1));
            if (i % 2)
                QCOMPARE(r.columns[i].type, LogicalType::Text);
        }
        const Result named =
            exec(*c, QStringLiteral("select 1::int4 as a, 'x'::varchar as \"B c\", now() as t, "
                                    "point(1, 2) as p, '{}'::jsonb as j"));
        QCOMPARE(named.columns[0].name, QStringLiteral("a"));
        QCOMPARE(named.columns[0].type, LogicalType::Integer);
        QCOMPARE(named.columns[1].name, QStringLiteral("B c"));
        QCOMPARE(named.columns[1].type, LogicalType::Text);
        QCOMPARE(named.columns[2].type, LogicalType::TimestampTz);
        QCOMPARE(named.columns[3].typeOid, 600u);
        QVERIFY(named.columns[3].typeName.isEmpty());
        QCOMPARE(named.columns[3].type, LogicalType::Unknown);
        QCOMPARE(named.columns[4].type, LogicalType::Json);
    }
};

QTEST_GUILESS_MAIN(TestPostgresValues)
#include "tst_postgres_values.moc"
