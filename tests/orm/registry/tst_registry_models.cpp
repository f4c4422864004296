// The registry's model catalogs: declared, reflected and tenant models kept apart; reflection
// rules (include, exclude, naming template); reflected models listed at connect; lazy fields.

#include "await.h"
#include "backends.h"

#include "orm/query/sql_dialect.h"
#include "orm/registry/registry.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using orm::Error;
using orm::Model;
using orm::ModelBuilder;
using orm::Registry;
using strata::test::await;

namespace {

using strata::test::isPostgres;

const auto q = orm::quoteIdentifier; // every name the tests use needs quoting

QStringList namesOf(const QList<Model> &models)
{
    QStringList names;
    for (const Model &model : models)
        names << model.name;
    return names;
}

// Three tables in a fresh schema (PostgreSQL) or in main (SQLite); returns the schema.
QString makeTables(orm::Database *db, const QString &backend)
{
    QString schema = QStringLiteral("main");
    QString prefix;
    if (isPostgres(backend)) {
        schema = strata::test::uniqueName(QStringLiteral("cat"));
        prefix = q(schema) + QLatin1Char('.');
        await(db->executeScript(QStringLiteral("CREATE SCHEMA %1").arg(q(schema))));
    }
    await(
        db->executeScript(QStringLiteral("CREATE TABLE %1customer (id int PRIMARY KEY, name text);"
                                         "CREATE TABLE %1invoice (id int, customer_id int);"
                                         "CREATE TABLE %1audit_log (at text);")
                              .arg(prefix)));
    return schema;
}

void dropTables(orm::Database *db, const QString &backend, const QString &schema)
{
    if (isPostgres(backend))
        await(db->executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(q(schema))));
}

} // namespace

class TestRegistryModels : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void declaredReflectedAndTenantApart();
    void rulesFilterAndName();
    void reflectedAtConnect();
    void fieldsLoadLazilyOnce();
    void modelsOfMarksOrigins();
};

void TestRegistryModels::declaredReflectedAndTenantApart()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    await(registry.connect());
    const QString schema = makeTables(registry.database(), backend);
    registry.addModel(ModelBuilder("Customer", "customer").field("id", "int").primaryKey().build());
    registry.addTenantModel(ModelBuilder("Note", "note").field("body", "text").build());
    try {
        registry.addModel(ModelBuilder("Customer", "other").field("id", "int").build());
        QFAIL("a duplicate model name was accepted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
        QVERIFY(error.message().contains("Customer"));
    }

    QVERIFY(!registry.findModel("invoice")); // not reflected yet
    const QList<Model> reflected = await(registry.reflectedModels(QString(), schema));
    QCOMPARE(namesOf(reflected), (QStringList{"audit_log", "customer", "invoice"}));
    for (const Model &model : reflected) {
        QCOMPARE(model.origin, orm::ModelOrigin::Reflected);
        QVERIFY(model.database.isEmpty());
        QVERIFY(!model.fieldsLoaded);
    }
    QCOMPARE(namesOf(registry.models()), QStringList{"Customer"});
    QCOMPARE(registry.models()[0].origin, orm::ModelOrigin::Declared);
    QCOMPARE(namesOf(registry.tenantModels()), QStringList{"Note"});
    QCOMPARE(registry.tenantModels()[0].origin, orm::ModelOrigin::Tenant);

    QCOMPARE(registry.findModel("Customer")->origin, orm::ModelOrigin::Declared);
    QCOMPARE(registry.findModel("customer")->origin, orm::ModelOrigin::Reflected);
    QCOMPARE(registry.findModel("invoice")->origin, orm::ModelOrigin::Reflected);
    QCOMPARE(registry.findModel("Note")->origin, orm::ModelOrigin::Tenant);
    QVERIFY(!registry.findModel("nothing"));

    registry.forgetReflected();
    QVERIFY(!registry.findModel("invoice"));
    QVERIFY(registry.cachedReflectedModels(QString(), schema).isEmpty());
    dropTables(registry.database(), backend, schema);
    await(registry.disconnect());
}

void TestRegistryModels::rulesFilterAndName()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    await(registry.connect());
    const QString schema = makeTables(registry.database(), backend);

    orm::ReflectRule business;
    business.schema = schema;
    business.include = QRegularExpression(QStringLiteral("^(customer|invoice|audit)"));
    business.exclude = QRegularExpression(QStringLiteral("_log$"));
    business.nameTemplate = QStringLiteral("{schema}_{table}");
    registry.addReflectRule(business);
    orm::ReflectRule audit;
    audit.schema = schema;
    audit.include = QRegularExpression(QStringLiteral("^audit"));
    audit.nameTemplate = QStringLiteral("Audit:{table}");
    registry.addReflectRule(audit);

    const QList<Model> models = await(registry.reflectedModels(QString(), schema));
    QCOMPARE(namesOf(models),
             (QStringList{"Audit:audit_log", schema + "_customer", schema + "_invoice"}));
    QCOMPARE(models[1].table, QStringLiteral("customer")); // the table keeps its name
    QCOMPARE(registry.findModel(schema + "_invoice")->table, QStringLiteral("invoice"));
    QVERIFY(!registry.findModel("invoice"));

    try {
        orm::ReflectRule bad;
        bad.include = QRegularExpression(QStringLiteral("(unclosed"));
        registry.addReflectRule(bad);
        QFAIL("an invalid pattern was accepted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
        QVERIFY2(error.message().contains("(unclosed"), error.what());
    }
    dropTables(registry.database(), backend, schema);
    await(registry.disconnect());
}

void TestRegistryModels::reflectedAtConnect()
{
    STRATA_BACKEND_URL(url);
    // Tables made beforehand through a database of their own.
    orm::Database setup(url);
    await(setup.connect());
    const QString schema = makeTables(&setup, backend);
    await(setup.disconnect());

    Registry registry(url);
    // SQLite files are per URL: the extra gets a fresh (empty) file, PostgreSQL the same server.
    registry.addExtra(QStringLiteral("other"), strata::test::urlFor(backend, "other"));
    orm::ReflectRule rule;
    rule.schema = schema;
    rule.exclude = QRegularExpression(QStringLiteral("^audit"));
    registry.addReflectRule(rule);
    orm::ReflectRule missing; // a schema that does not exist: logged, never fails connect
    missing.database = QStringLiteral("other");
    missing.schema = QStringLiteral("no_such_schema");
    registry.addReflectRule(missing);
    QSignalSpy reflected(&registry, &Registry::modelsReflected);

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("could not reflect.*no_such_schema")));
    await(registry.connect());
    QCOMPARE(reflected.count(), 1);
    QCOMPARE(reflected.at(0).at(1).toString(), schema);
    // Registered at connect: known without a call to reflectedModels().
    QCOMPARE(namesOf(registry.cachedReflectedModels(QString(), schema)),
             (QStringList{"customer", "invoice"}));
    QVERIFY(registry.findModel("invoice"));
    QVERIFY(registry.cachedReflectedModels("other", "no_such_schema").isEmpty());

    // A nested connect does not list again.
    await(registry.connect());
    QCOMPARE(reflected.count(), 1);
    await(registry.disconnect());
    dropTables(registry.database(), backend, schema);
    await(registry.disconnect());
}

void TestRegistryModels::fieldsLoadLazilyOnce()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    await(registry.connect());
    const QString schema = makeTables(registry.database(), backend);
    orm::ReflectRule rule;
    rule.schema = schema;
    rule.nameTemplate = QStringLiteral("T_{table}");
    registry.addReflectRule(rule);

    const QList<Model> models = await(registry.reflectedModels(QString(), schema));
    const Model customer = *registry.findModel("T_customer");
    QVERIFY(!customer.fieldsLoaded);
    QVERIFY(customer.fields.isEmpty());

    const Model loaded = await(registry.loadFields(customer));
    QVERIFY(loaded.fieldsLoaded);
    QCOMPARE(loaded.name, QStringLiteral("T_customer")); // the rule's name stays
    QCOMPARE(loaded.origin, orm::ModelOrigin::Reflected);
    QCOMPARE(loaded.fieldNames(), (QStringList{"id", "name"}));
    QCOMPARE(loaded.primaryKey(), QStringList{"id"});
    QVERIFY(registry.findModel("T_customer")->fieldsLoaded);
    QVERIFY(!registry.findModel("T_invoice")->fieldsLoaded); // only the one asked for

    // Cached: the catalog is not read again (the table is gone, the fields are still known).
    const QString prefix = isPostgres(backend) ? q(schema) + QLatin1Char('.') : QString();
    await(registry.database()->executeScript(QStringLiteral("DROP TABLE %1customer").arg(prefix)));
    QCOMPARE(await(registry.loadFields(customer)).fieldNames(), (QStringList{"id", "name"}));

    // A declared model comes back as it is.
    const Model declared = ModelBuilder("D").field("x", "int").build();
    QCOMPARE(await(registry.loadFields(declared)).fieldNames(), QStringList{"x"});
    dropTables(registry.database(), backend, schema);
    await(registry.disconnect());
}

// modelsOf() gives each listed model its origin: a declared model stands in for its table in the
// primary's default schema (SQLite's main here), a tenant model in any other schema (PostgreSQL's
// fresh one); an extra database's default schema keeps what reflection read.
void TestRegistryModels::modelsOfMarksOrigins()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    registry.addExtra(QStringLiteral("other"), strata::test::urlFor(backend, "origins"));
    await(registry.connect());
    const QString schema = makeTables(registry.database(), backend);
    registry.addModel(ModelBuilder("Customer", "customer").field("id", "int").primaryKey().build());
    registry.addTenantModel(ModelBuilder("Invoice", "invoice").field("id", "int").build());

    const QList<Model> models = await(registry.modelsOf(QString(), schema));
    if (isPostgres(backend)) {
        QCOMPARE(namesOf(models), (QStringList{"audit_log", "customer", "Invoice"}));
        QCOMPARE(models[1].origin, orm::ModelOrigin::Reflected);
        QCOMPARE(models[2].origin, orm::ModelOrigin::Tenant);
        QCOMPARE(models[2].schema, schema);
    } else {
        QCOMPARE(namesOf(models), (QStringList{"audit_log", "Customer", "invoice"}));
        QCOMPARE(models[1].origin, orm::ModelOrigin::Declared);
        QCOMPARE(models[2].origin, orm::ModelOrigin::Reflected);
    }
    QCOMPARE(models[0].origin, orm::ModelOrigin::Reflected);
    // The cache of reflection keeps what was read: origins are the merge's, not stored.
    for (const Model &model : registry.cachedReflectedModels(QString(), schema))
        QCOMPARE(model.origin, orm::ModelOrigin::Reflected);

    // Declared models belong to the primary: another database's table of a declared model's
    // table stays reflected, in its default schema too.
    orm::Database *other = registry.database(QStringLiteral("other"));
    const QString otherSchema = isPostgres(backend) ? QStringLiteral("public") : schema;
    const QString table = strata::test::uniqueName(QStringLiteral("elsewhere"));
    registry.addModel(ModelBuilder("Elsewhere", table).field("id", "int").primaryKey().build());
    await(
        other->executeScript(QStringLiteral("CREATE TABLE %1 (id int PRIMARY KEY)").arg(q(table))));
    const QList<Model> elsewhere = await(registry.modelsOf(QStringLiteral("other"), otherSchema));
    QVERIFY(namesOf(elsewhere).contains(table));
    for (const Model &model : elsewhere)
        QCOMPARE(model.origin, orm::ModelOrigin::Reflected);
    await(other->executeScript(QStringLiteral("DROP TABLE %1").arg(q(table))));
    dropTables(registry.database(), backend, schema);
    await(registry.disconnect());
}

QTEST_GUILESS_MAIN(TestRegistryModels)
#include "tst_registry_models.moc"
