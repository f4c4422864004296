// The closed value lists of a table's columns, read in one query: PostgreSQL enums in their
// sort order (types in other schemas, quoted names, a domain over an enum; arrays of enums are
// not lists), SQLite's CHECK (column IN (...)) constraints read conservatively from the stored
// SQL; awkward names, an empty table list, a table that is not there.

#include "await.h"
#include "backends.h"

#include "orm/query/sql_dialect.h"
#include "orm/schema/enum_values.h"

#include <QTemporaryDir>
#include <QTest>

using orm::Database;
using orm::reflection::ColumnValueLists;
using orm::reflection::enumValues;
using orm::reflection::sqliteCheckLists;
using strata::test::await;
using strata::test::isPostgres;

namespace {
const auto q = orm::quoteIdentifier;
}

class TestEnumValues : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void listsOfAnAwkwardTable();
    void noTableNoLists();
    void sqliteChecksReadConservatively();

private:
    QTemporaryDir m_dir;
};

void TestEnumValues::listsOfAnAwkwardTable()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = strata::test::uniqueName(QStringLiteral("Odd \"Name\" "));
    const QString table = QStringLiteral("weird name");
    const QString column = QStringLiteral("Odd \"Col\"");
    if (isPostgres(backend)) {
        const QString types = strata::test::uniqueName(QStringLiteral("types "));
        await(db.executeScript(
            QStringLiteral("CREATE SCHEMA %1; CREATE SCHEMA %2;"
                           "CREATE TYPE %2.\"Odd \"\"Mood\"\"\" AS ENUM ('sad', 'ok', 'happy');"
                           "CREATE TYPE %1.size AS ENUM ('S', 'M', 'L');"
                           "CREATE DOMAIN %1.small_size AS %1.size CHECK (VALUE <> 'L');"
                           "CREATE TABLE %1.%3 (id int, %4 %2.\"Odd \"\"Mood\"\"\", "
                           "moods %2.\"Odd \"\"Mood\"\"\"[], size %1.size, small %1.small_size, "
                           "plain text);")
                .arg(q(s), q(types), q(table), q(column))));
        await(db.executeScript(
            QStringLiteral("ALTER TYPE %1.\"Odd \"\"Mood\"\"\" ADD VALUE 'meh' BEFORE 'ok'")
                .arg(q(types))));
        const ColumnValueLists lists = await(enumValues(&db, s, table));
        QCOMPARE(lists.value(column), (QStringList{"sad", "meh", "ok", "happy"}));
        QCOMPARE(lists.value(QStringLiteral("size")), (QStringList{"S", "M", "L"}));
        QCOMPARE(lists.value(QStringLiteral("small")), (QStringList{"S", "M", "L"}));
        QCOMPARE(lists.keys(), (QStringList{column, "size", "small"})); // not moods, not plain
        await(db.executeScript(
            QStringLiteral("DROP SCHEMA %1 CASCADE; DROP SCHEMA %2 CASCADE").arg(q(s), q(types))));
    } else {
        db.attach(s, m_dir.filePath(strata::test::uniqueName(QStringLiteral("att")) + ".db"));
        await(db.executeScript(
            QStringLiteral("CREATE TABLE %1.%2 (id INTEGER PRIMARY KEY, %3 TEXT CHECK (%3 IN "
                           "('sad', 'meh', 'ok', 'happy')), size TEXT, plain TEXT, "
                           "CONSTRAINT sized CHECK (\"SIZE\" IN ('S', 'M', 'L')))")
                .arg(q(s), q(table), q(column))));
        const ColumnValueLists lists = await(enumValues(&db, s, table));
        QCOMPARE(lists.value(column), (QStringList{"sad", "meh", "ok", "happy"}));
        // Named as the table declares it, however the constraint spelt it.
        QCOMPARE(lists.value(QStringLiteral("size")), (QStringList{"S", "M", "L"}));
        QCOMPARE(lists.size(), 2);
        // The main database has no such table.
        QVERIFY(await(enumValues(&db, QString(), table)).isEmpty());
        db.detach(s);
    }
    await(db.disconnect());
}

void TestEnumValues::noTableNoLists()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString plain = strata::test::uniqueName(QStringLiteral("plain"));
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (a int, b text)").arg(plain)));
    QVERIFY(await(enumValues(&db, QString(), plain)).isEmpty());
    QVERIFY(await(enumValues(&db, QString(), QStringLiteral("no such table"))).isEmpty());
    QVERIFY(await(enumValues(&db, QStringLiteral("no such schema"), plain)).isEmpty());
    await(db.executeScript(QStringLiteral("DROP TABLE %1").arg(plain)));
    await(db.disconnect());
}

// Without a database (the same on both rows): what counts as a list, and what does not.
void TestEnumValues::sqliteChecksReadConservatively()
{
    const QStringList columns{"a", "b", "c", "d", "e", "f", "Odd \"Col\"", "g", "h"};
    const QString sql = QStringLiteral(
        "CREATE TABLE t (\n"
        "  a TEXT CHECK (a IN ('x', 'it''s', 'y')), -- a comment with CHECK (b IN ('no'))\n"
        "  b TEXT CHECK (b NOT IN ('p', 'q')),\n"
        "  c TEXT CHECK (c IN ('p', 'q') OR c IS NULL),\n"
        "  d INT CHECK (d IN (1, 2, 3)),\n"
        "  e TEXT CHECK (e IN ('one')) CHECK (e IN ('one', 'two')),\n"
        "  f TEXT /* CHECK (f IN ('no')) */,\n"
        "  \"Odd \"\"Col\"\"\" TEXT,\n"
        "  g TEXT, h TEXT,\n"
        "  CHECK ([odd \"col\"] IN ('u', 'v')),\n"
        "  CONSTRAINT gg CHECK (`G` IN ('m')),\n"
        "  CHECK (h IN ('m',))\n"
        ")");
    const ColumnValueLists lists = sqliteCheckLists(sql, columns);
    QCOMPARE(lists.value(QStringLiteral("a")), (QStringList{"x", "it's", "y"}));
    QCOMPARE(lists.value(QStringLiteral("Odd \"Col\"")), (QStringList{"u", "v"}));
    QCOMPARE(lists.value(QStringLiteral("g")), QStringList{QStringLiteral("m")});
    // NOT IN, an OR, numbers, two lists for one column, comments, a trailing comma: none.
    QCOMPARE(lists.keys(), (QStringList{"Odd \"Col\"", "a", "g"}));
    // SQL we cannot read at all gives nothing.
    QVERIFY(sqliteCheckLists(QStringLiteral("CREATE TABLE t (a TEXT CHECK (a IN ('x'"),
                             {QStringLiteral("a")})
                .isEmpty());
}

QTEST_MAIN(TestEnumValues)
#include "tst_enum_values.moc"
