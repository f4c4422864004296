// The names the model tree's filter searches, read in one catalog query per schema on both
// backends: every table and view with its columns in table order, awkward and unicode names as
// they are, dropped columns gone, an empty schema empty, an unknown schema a clear error.

#include "await.h"
#include "backends.h"
#include "scratch_schemas.h"

#include "orm/core/error.h"
#include "orm/query/sql_dialect.h"
#include "orm/schema/catalog_names.h"

#include <QTest>

using orm::Database;
using orm::ModelKind;
using orm::reflection::CatalogRelation;
using strata::test::await;

namespace reflection = orm::reflection;

namespace {

using strata::test::isPostgres;

const auto q = orm::quoteIdentifier; // every name the tests use needs quoting

QStringList namesOf(const QList<CatalogRelation> &relations)
{
    QStringList names;
    for (const CatalogRelation &relation : relations)
        names << relation.name;
    return names;
}

const CatalogRelation *find(const QList<CatalogRelation> &relations, const QString &name)
{
    for (const CatalogRelation &relation : relations)
        if (relation.name == name)
            return &relation;
    return nullptr;
}

} // namespace

class TestCatalogNames : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void awkwardNamesInTableOrder();
    void droppedColumnsLeftOut();
    void emptySchema();
    void unknownSchemaIsAnError();

private:
    // A schema of its own: PostgreSQL creates one, SQLite attaches a fresh file under that
    // name. Both names need quoting.
    strata::test::ScratchSchemas m_schemas;
};

void TestCatalogNames::awkwardNamesInTableOrder()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("Odd \"Name\" "));
    const QString odd = QStringLiteral("Odd \"Name\"");
    const QString spaced = QStringLiteral("weird name");
    const QString unicode = QStringLiteral("tàble ünïcode");
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1.%2 (%3 int, \"zeta col\" text, alpha int);"
                       "CREATE TABLE %1.%4 (%5 text);"
                       "CREATE TABLE %1.%6 (plain int);"
                       "CREATE VIEW %1.seen AS SELECT alpha, \"zeta col\" FROM %7;")
            .arg(q(s), q(odd), q(QStringLiteral("Odd \"Col\"")), q(unicode),
                 q(QStringLiteral("çolumn ✓")), q(spaced),
                 // SQLite resolves a view's tables inside its own attached database.
                 isPostgres(backend) ? q(s) + QLatin1Char('.') + q(odd) : q(odd))));

    const QList<CatalogRelation> names = await(reflection::catalogNames(&db, s));
    QCOMPARE(names.size(), 4);
    const CatalogRelation *table = find(names, odd);
    QVERIFY2(table, qPrintable(namesOf(names).join(u'|')));
    QCOMPARE(table->kind, ModelKind::Table);
    // Table order, not name order.
    QCOMPARE(table->columns, (QStringList{"Odd \"Col\"", "zeta col", "alpha"}));
    QVERIFY(find(names, unicode));
    QCOMPARE(find(names, unicode)->columns, QStringList{QStringLiteral("çolumn ✓")});
    QVERIFY(find(names, spaced));
    QCOMPARE(find(names, spaced)->columns, QStringList{QStringLiteral("plain")});
    const CatalogRelation *view = find(names, QStringLiteral("seen"));
    QVERIFY(view);
    QCOMPARE(view->kind, ModelKind::View);
    QCOMPARE(view->columns, (QStringList{"alpha", "zeta col"}));

    // The schema's own tables only: the default schema does not see them, nor they it.
    const QString mainTable = strata::test::uniqueName(QStringLiteral("main_names"));
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (only_here int)").arg(mainTable)));
    QVERIFY(!namesOf(await(reflection::catalogNames(&db, s))).contains(mainTable));
    const QList<CatalogRelation> main = await(reflection::catalogNames(&db, QString()));
    QVERIFY(find(main, mainTable));
    QCOMPARE(find(main, mainTable)->columns, QStringList{QStringLiteral("only_here")});
    QVERIFY(!find(main, odd));

    await(db.executeScript(QStringLiteral("DROP TABLE %1").arg(mainTable)));
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestCatalogNames::droppedColumnsLeftOut()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("dropped"));
    await(db.executeScript(QStringLiteral("CREATE TABLE %1.t (a int, gone_col int, b int);"
                                          "ALTER TABLE %1.t DROP COLUMN gone_col;"
                                          "ALTER TABLE %1.t ADD COLUMN c int;")
                               .arg(q(s))));
    const QList<CatalogRelation> names = await(reflection::catalogNames(&db, s));
    QCOMPARE(names.size(), 1);
    QCOMPARE(names[0].columns, (QStringList{"a", "b", "c"}));
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestCatalogNames::emptySchema()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("empty names"));
    QVERIFY(await(reflection::catalogNames(&db, s)).isEmpty());
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestCatalogNames::unknownSchemaIsAnError()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString missing = QStringLiteral("no \"such\" schema");
    try {
        await(reflection::catalogNames(&db, missing));
        QFAIL("an unknown schema read names");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
        QVERIFY2(error.message().contains(missing), qPrintable(error.message()));
    }
    if (isPostgres(backend)) {
        // A system schema is not one the tree lists: the same error, not its catalog tables.
        try {
            await(reflection::catalogNames(&db, QStringLiteral("pg_catalog")));
            QFAIL("pg_catalog read names");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
        }
    }
    await(db.disconnect());
}

QTEST_MAIN(TestCatalogNames)
#include "tst_catalog_names.moc"
