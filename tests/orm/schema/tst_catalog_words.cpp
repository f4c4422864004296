// The names console completion offers, read from both catalogs: relations with their columns,
// qualified forms, each once; PostgreSQL's system schemas left out and the search_path's schemas
// first; SQLite's main first, then every attached database.

#include "await.h"
#include "backends.h"

#include "orm/schema/catalog_words.h"

#include <QTemporaryDir>
#include <QTest>

using orm::Database;
using strata::test::await;

namespace reflection = orm::reflection;

namespace {

using strata::test::isPostgres;

} // namespace

class TestCatalogWords : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void relationsAndColumns();
    void systemSchemasLeftOut();
    void activeSchemaFirst();
    void throughAQuery();

private:
    QTemporaryDir m_dir;
};

void TestCatalogWords::relationsAndColumns()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString table = strata::test::uniqueName(QStringLiteral("words"));
    const QString schema = isPostgres(backend) ? QStringLiteral("public") : QStringLiteral("main");
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (word_id integer, word_text text); "
                                          "CREATE VIEW %1_v AS SELECT word_id FROM %1")
                               .arg(table)));
    const QStringList words = await(reflection::completionWords(&db));
    const QStringList expected{schema,
                               table,
                               QString(schema + QLatin1Char('.') + table),
                               QStringLiteral("word_id"),
                               QStringLiteral("word_text"),
                               QString(table + QStringLiteral(".word_text")),
                               QString(table + QStringLiteral("_v")),
                               QString(table + QStringLiteral("_v.word_id"))};
    for (const QString &word : expected)
        QVERIFY2(words.contains(word), qPrintable(word));
    QCOMPARE(words.count(QStringLiteral("word_id")), 1);
    QCOMPARE(words.count(schema), 1);
    await(db.executeScript(QStringLiteral("DROP VIEW %1_v; DROP TABLE %1").arg(table)));
    await(db.disconnect());
}

void TestCatalogWords::systemSchemasLeftOut()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    // A temporary table makes PostgreSQL's pg_temp_N (and pg_toast_temp_N) schema.
    await(db.executeScript(QStringLiteral("CREATE TEMP TABLE scratch_words (scratch_id int)")));
    const QStringList words = await(reflection::completionWords(&db));
    QVERIFY(!words.contains(QStringLiteral("scratch_words")));
    QVERIFY(!words.contains(QStringLiteral("scratch_id")));
    for (const QString &word : words) {
        QVERIFY2(!word.startsWith(QLatin1String("pg_catalog")) &&
                     !word.startsWith(QLatin1String("information_schema")) &&
                     !word.startsWith(QLatin1String("pg_toast")) &&
                     !word.startsWith(QLatin1String("pg_temp_")) &&
                     !word.startsWith(QLatin1String("sqlite_")),
                 qPrintable(word));
    }
    await(db.disconnect());
}

void TestCatalogWords::activeSchemaFirst()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString table = strata::test::uniqueName(QStringLiteral("active"));
    const QString other = strata::test::uniqueName(QStringLiteral("other"));
    QString otherSchema;
    if (isPostgres(backend)) {
        // "a..." sorts before "public": only the search_path puts public first.
        otherSchema = strata::test::uniqueName(QStringLiteral("a_words"));
        await(db.executeScript(QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.%2 (o int); "
                                              "CREATE TABLE public.%3 (a int)")
                                   .arg(otherSchema, other, table)));
    } else {
        otherSchema = QStringLiteral("attached");
        const QString path = m_dir.filePath(strata::test::uniqueName(QStringLiteral("att")));
        Database attached(QStringLiteral("sqlite:///%1?create=true").arg(path));
        await(attached.executeScript(QStringLiteral("CREATE TABLE %1 (o int)").arg(other)));
        await(db.executeScript(QStringLiteral("CREATE TABLE %1 (a int)").arg(table)));
        db.attach(otherSchema, path);
    }
    const QStringList words = await(reflection::completionWords(&db));
    QVERIFY2(words.contains(other), qPrintable(words.join(QLatin1Char(' '))));
    QVERIFY(words.contains(otherSchema + QLatin1Char('.') + other));
    QVERIFY(words.indexOf(table) < words.indexOf(other));
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE; DROP TABLE public.%2")
                                   .arg(otherSchema, table)));
    await(db.disconnect());
}

void TestCatalogWords::throughAQuery()
{
    // The console reads on its own connection: the words come from whatever runs the queries.
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString table = strata::test::uniqueName(QStringLiteral("queried"));
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (q int)").arg(table)));
    int queries = 0;
    reflection::CatalogQuery query = [&db, &queries](QString sql, QVariantList params) {
        ++queries;
        return db.execute(std::move(sql), std::move(params));
    };
    const orm::Dialect dialect = orm::dialectOf(db.url().backend());
    const QStringList words = await(reflection::completionWords(dialect, std::move(query)));
    QVERIFY(words.contains(table));
    QVERIFY(words.contains(table + QStringLiteral(".q")));
    // PostgreSQL: one query; SQLite: the database list, then one per database (main alone here).
    QCOMPARE(queries, isPostgres(backend) ? 1 : 2);
    await(db.executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
    await(db.disconnect());
}

QTEST_GUILESS_MAIN(TestCatalogWords)
#include "tst_catalog_words.moc"
