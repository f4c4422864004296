// `strata query`, run as the built program on both backends: output formats, --using, --schema,
// and the exit codes and messages of errors.

#include "await.h"
#include "backends.h"
#include "run_strata.h"

#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using strata::test::await;

namespace {

using Run = strata::test::StrataRun;
using strata::test::sqlitePath;

Run runStrata(const QStringList &arguments)
{
    return strata::test::runStrataCommand(QStringLiteral("query"), arguments);
}

// A table with awkward values in a fresh database (SQLite) or under a unique name (PostgreSQL).
struct Data {
    QString url;
    QString table;
};

Data makeData(const QString &backend)
{
    Data data{strata::test::urlFor(backend), strata::test::uniqueName(QStringLiteral("cli"))};
    orm::Database db(data.url);
    await(db.connect());
    await(db.executeScript(
        QStringLiteral(
            "CREATE TABLE %1 (id integer PRIMARY KEY, name text, score double precision, "
            "flag boolean);"
            "INSERT INTO %1 VALUES (1, 'Ann', 1.5, true);"
            "INSERT INTO %1 VALUES (2, NULL, NULL, false);"
            "INSERT INTO %1 VALUES (3, 'a, \"b\"', -2, NULL);"
            "INSERT INTO %1 VALUES (4, '', 10, true);"
            "INSERT INTO %1 VALUES (5, 'two' || char_or_chr(10) || 'lines', 0.25, false)")
            .arg(data.table)
            .replace(QStringLiteral("char_or_chr"), backend == QLatin1String("postgres")
                                                        ? QStringLiteral("chr")
                                                        : QStringLiteral("char"))));
    await(db.disconnect());
    return data;
}

} // namespace

class TestCliQuery : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void table();
    void csv();
    void json();
    void statementWithoutRows();
    void usingExtra();
    void schema();
    void sqlError();
    void connectionErrors();
    void usageErrors();
};

void TestCliQuery::table()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    const Run r =
        runStrata({QStringLiteral("--database"), data.url,
                   QStringLiteral("SELECT id, name, score FROM %1 WHERE id <= 3 ORDER BY id")
                       .arg(data.table)});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("id | name   | score\n"
                                   "---+--------+------\n"
                                   " 1 | Ann    |   1.5\n"
                                   " 2 | NULL   |  NULL\n"
                                   " 3 | a, \"b\" |    -2\n"
                                   "(3 rows)\n"));
    QVERIFY(r.err.isEmpty());
}

void TestCliQuery::csv()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    const Run r = runStrata(
        {QStringLiteral("--database"), data.url, QStringLiteral("--format"), QStringLiteral("csv"),
         QStringLiteral("SELECT id, name FROM %1 ORDER BY id").arg(data.table)});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("id,name\r\n"
                                   "1,Ann\r\n"
                                   "2,\r\n"
                                   "3,\"a, \"\"b\"\"\"\r\n"
                                   "4,\"\"\r\n"
                                   "5,\"two\nlines\"\r\n"));
}

void TestCliQuery::json()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    const Run r = runStrata(
        {QStringLiteral("--database"), data.url, QStringLiteral("--format"), QStringLiteral("json"),
         QStringLiteral("SELECT id, name, score, flag FROM %1 ORDER BY id").arg(data.table)});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + r.out));
    const QJsonArray rows = doc.array();
    QCOMPARE(rows.size(), 5);
    const QJsonObject first = rows[0].toObject();
    QCOMPARE(first.keys(), (QStringList{"flag", "id", "name", "score"}));
    QVERIFY(first[QStringLiteral("id")].isDouble());
    QCOMPARE(first[QStringLiteral("id")].toInt(), 1);
    QCOMPARE(first[QStringLiteral("name")].toString(), QStringLiteral("Ann"));
    QCOMPARE(first[QStringLiteral("score")].toDouble(), 1.5);
    QCOMPARE(first[QStringLiteral("flag")], QJsonValue(true));
    const QJsonObject second = rows[1].toObject();
    QVERIFY(second[QStringLiteral("name")].isNull());
    QVERIFY(second[QStringLiteral("score")].isNull());
    QCOMPARE(second[QStringLiteral("flag")], QJsonValue(false));
    QCOMPARE(rows[2].toObject()[QStringLiteral("name")].toString(), QStringLiteral("a, \"b\""));
    QVERIFY(rows[2].toObject()[QStringLiteral("flag")].isNull());
    QCOMPARE(rows[3].toObject()[QStringLiteral("name")].toString(), QString(""));
    QCOMPARE(rows[4].toObject()[QStringLiteral("name")].toString(), QStringLiteral("two\nlines"));

    // Exact decimals keep their digits (PostgreSQL numeric).
    if (backend == QLatin1String("postgres")) {
        const Run n =
            runStrata({QStringLiteral("--database"), data.url, QStringLiteral("--format"),
                       QStringLiteral("json"),
                       QStringLiteral("SELECT 12345678901234567890.123456789::numeric AS n, "
                                      "'{\"a\": [1, 2]}'::jsonb AS j")});
        QVERIFY2(n.code == 0, qPrintable(n.err));
        QCOMPARE(n.out, QStringLiteral("[\n  {\"n\": 12345678901234567890.123456789, \"j\": "
                                       "{\"a\": [1, 2]}}\n]\n"));
    }
}

void TestCliQuery::statementWithoutRows()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    const QString update = QStringLiteral("UPDATE %1 SET score = 0 WHERE id > 3").arg(data.table);
    Run r = runStrata({QStringLiteral("--database"), data.url, update});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("2 rows affected\n"));
    r = runStrata({QStringLiteral("--database"), data.url, QStringLiteral("--format"),
                   QStringLiteral("json"), update});
    QCOMPARE(r.out, QStringLiteral("{\"rowsAffected\": 2}\n"));
    r = runStrata({QStringLiteral("--database"), data.url, QStringLiteral("--format"),
                   QStringLiteral("csv"), update});
    QCOMPARE(r.out, QStringLiteral("rows_affected\r\n2\r\n"));
}

void TestCliQuery::usingExtra()
{
    STRATA_BACKEND_URL(url);
    const Data primary = makeData(backend);
    // The extra: another SQLite file, or another PostgreSQL database on the same server.
    QString otherUrl = strata::test::urlFor(backend, QStringLiteral("other"));
    QString createdDb;
    if (backend == QLatin1String("postgres")) {
        createdDb = strata::test::uniqueName(QStringLiteral("clidb"));
        orm::Database admin(url);
        await(admin.connect());
        await(admin.executeScript(QStringLiteral("CREATE DATABASE %1").arg(createdDb)));
        await(admin.disconnect());
        otherUrl.replace(QRegularExpression(QStringLiteral("/postgres($|\\?)")),
                         QStringLiteral("/%1\\1").arg(createdDb));
    }
    {
        orm::Database other(otherUrl);
        await(other.connect());
        await(other.executeScript(QStringLiteral("CREATE TABLE marker (what text);"
                                                 "INSERT INTO marker VALUES ('the extra')")));
        await(other.disconnect());
    }
    const QString extra = QStringLiteral("other=") + otherUrl;
    Run r =
        runStrata({QStringLiteral("--database"), primary.url, QStringLiteral("--extra"), extra,
                   QStringLiteral("--using"), QStringLiteral("other"), QStringLiteral("--format"),
                   QStringLiteral("csv"), QStringLiteral("SELECT what FROM marker")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("what\r\nthe extra\r\n"));
    // Without --using: the primary, which has no such table.
    r = runStrata({QStringLiteral("--database"), primary.url, QStringLiteral("--extra"), extra,
                   QStringLiteral("SELECT what FROM marker")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QLatin1String("marker")), qPrintable(r.err));
    // An unknown name is a usage error naming the known ones.
    r = runStrata({QStringLiteral("--database"), primary.url, QStringLiteral("--extra"), extra,
                   QStringLiteral("--using"), QStringLiteral("nope"), QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("no extra database named 'nope' (known: other)")),
             qPrintable(r.err));
    QVERIFY(r.out.isEmpty());

    if (!createdDb.isEmpty()) {
        orm::Database admin(url);
        await(admin.connect());
        await(admin.executeScript(QStringLiteral("DROP DATABASE %1 WITH (FORCE)").arg(createdDb)));
        await(admin.disconnect());
    }
}

void TestCliQuery::schema()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    const QString schema = strata::test::uniqueName(QStringLiteral("Tenant X"));
    QStringList base{QStringLiteral("--database"), data.url, QStringLiteral("--format"),
                     QStringLiteral("csv")};
    QString sql;
    if (backend == QLatin1String("postgres")) {
        orm::Database db(data.url);
        await(db.connect());
        await(db.executeScript(QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.only_here (v "
                                              "integer); INSERT INTO %1.only_here VALUES (7)")
                                   .arg(orm::quoteIdentifier(schema))));
        await(db.disconnect());
        sql = QStringLiteral("SELECT v FROM only_here"); // found through search_path
    } else {
        const QString file = sqlitePath(strata::test::urlFor(backend, QStringLiteral("tenant")));
        orm::Database db(QStringLiteral("sqlite:///") + file + QStringLiteral("?create=true"));
        await(db.connect());
        await(db.executeScript(QStringLiteral(
            "CREATE TABLE only_here (v integer); INSERT INTO only_here VALUES (7)")));
        await(db.disconnect());
        base << QStringLiteral("--attach") << schema + QLatin1Char('=') + file;
        sql = QStringLiteral("SELECT v FROM %1.only_here").arg(orm::quoteIdentifier(schema));
    }
    Run r = runStrata(base + QStringList{QStringLiteral("--schema"), schema, sql});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("v\r\n7\r\n"));

    r = runStrata(base + QStringList{QStringLiteral("--schema"), QStringLiteral("missing"), sql});
    QCOMPARE(r.code, 2);
    const QString expected =
        backend == QLatin1String("postgres")
            ? QStringLiteral("no schema named 'missing'")
            : QStringLiteral("no attached database named 'missing' (attached: main");
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void TestCliQuery::sqlError()
{
    STRATA_BACKEND_URL(url);
    const Data data = makeData(backend);
    // SQLite gives a position for a missing column, not for a missing table.
    const QString sql = backend == QLatin1String("postgres")
                            ? QStringLiteral("SELECT * FROM no_such_table_here")
                            : QStringLiteral("SELECT no_such_table_here FROM %1").arg(data.table);
    const Run r = runStrata({QStringLiteral("--database"), data.url, sql});
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith(QLatin1String("strata query: ")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("no_such_table_here")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("SQLSTATE ")), qPrintable(r.err));
    QVERIFY2(r.err.contains(backend == QLatin1String("postgres") ? QLatin1String("at character 15")
                                                                 : QLatin1String("at character 8")),
             qPrintable(r.err));
    if (backend == QLatin1String("postgres")) {
        QVERIFY2(r.err.contains(QLatin1String("SQLSTATE 42P01")), qPrintable(r.err));
        const QString password = orm::DatabaseUrl::parse(data.url).password();
        QVERIFY(!password.isEmpty());
        QVERIFY2(!r.err.contains(password), qPrintable(r.err));
    }
}

void TestCliQuery::connectionErrors()
{
    STRATA_BACKEND_URL(url);
    if (backend != QLatin1String("postgres")) {
        // SQLite has no password: a missing file is its connection error.
        const Run r = runStrata({QStringLiteral("--database"),
                                 QStringLiteral("sqlite:////nonexistent-dir/none.db"),
                                 QStringLiteral("SELECT 1")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("does not exist")), qPrintable(r.err));
        return;
    }
    const QString wrong =
        orm::DatabaseUrl::parse(url).withPassword(QStringLiteral("s3cret-Wrong")).toString();
    const Run r = runStrata({QStringLiteral("--database"), wrong, QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QLatin1String("password authentication failed")), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QLatin1String("s3cret-Wrong")), qPrintable(r.err));
    QVERIFY(!r.out.contains(QLatin1String("s3cret-Wrong")));
    // Nor in a usage error about the URLs.
    const Run e =
        runStrata({QStringLiteral("--database"), wrong, QStringLiteral("--extra"),
                   QStringLiteral("postgresql://u:s3cret-Wrong@h/db"), QStringLiteral("SELECT 1")});
    QCOMPARE(e.code, 2);
    QVERIFY2(!e.err.contains(QLatin1String("s3cret-Wrong")), qPrintable(e.err));
}

void TestCliQuery::usageErrors()
{
    Run r = runStrata({QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("--database URL is required")), qPrintable(r.err));
    r = runStrata({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:"),
                   QStringLiteral("--format"), QStringLiteral("xml"), QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("unknown format 'xml'")), qPrintable(r.err));
    r = runStrata(
        {QStringLiteral("--database"), QStringLiteral("mysql://x/y"), QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 2);
    r = runStrata({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:"),
                   QStringLiteral("--bogus"), QStringLiteral("SELECT 1")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("bogus")), qPrintable(r.err));
    r = runStrata({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:"),
                   QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")});
    QCOMPARE(r.code, 2);
    // The statement from stdin (none given here): a usage error, not a hang.
    r = runStrata({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QLatin1String("no SQL statement given")), qPrintable(r.err));
    r = runStrata({QStringLiteral("--help")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains(QLatin1String("--schema")));
    // A working in-memory query, for contrast.
    r = runStrata({QStringLiteral("--database"), QStringLiteral("sqlite://:memory:"),
                   QStringLiteral("SELECT 1 AS one, 'x' AS two")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral("one | two\n----+----\n  1 | x\n(1 row)\n"));
}

QTEST_GUILESS_MAIN(TestCliQuery)
#include "tst_cli_query.moc"
