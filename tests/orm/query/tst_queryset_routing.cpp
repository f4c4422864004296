// Where a QuerySet runs, on both backends: using(database, schema) by extra name, by Database,
// by schema; and what it refuses before sending any SQL (unknown fields, unknown extras).

#include "queryset_fixture.h"

#include <QSignalSpy>

using orm::Database;
using orm::Error;
using orm::Q;
using orm::QuerySet;
using orm::Registry;
using strata::test::await;
using namespace queryset_fixture;

class TestQuerySetRouting : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }
    void cleanupTestCase();

    void usingDatabase();
    void usingSchema();
    void unknownFieldSendsNothing();
    void unknownExtraName();
};

void TestQuerySetRouting::cleanupTestCase()
{
    closeFixtures();
}

namespace {
// A database of its own for "using": on PostgreSQL a new database on the same server.
QString otherDatabaseUrl(const QString &backend, QString *created)
{
    if (backend != QLatin1String("postgres"))
        return strata::test::urlFor(backend, QStringLiteral("other"));
    const QString name = strata::test::uniqueName(QStringLiteral("db"));
    Database admin(strata::test::postgresUrl());
    await(admin.connect());
    await(admin.executeScript(QStringLiteral("CREATE DATABASE %1").arg(name)));
    await(admin.disconnect());
    *created = name;
    QString url = strata::test::postgresUrl();
    url.replace(QRegularExpression(QStringLiteral("/postgres($|\\?)")),
                QStringLiteral("/%1\\1").arg(name));
    return url;
}
} // namespace

void TestQuerySetRouting::usingDatabase()
{
    STRATA_BACKEND_URL(url);
    QString createdDb;
    const QString otherUrl = otherDatabaseUrl(backend, &createdDb);
    Registry registry(strata::test::urlFor(backend));
    Database *other = registry.addExtra(QStringLiteral("other"), otherUrl);
    await(registry.connect());
    const QString table = strata::test::uniqueName(QStringLiteral("u"));
    for (Database *db : registry.databases())
        await(db->executeScript(itemDdl(backend, orm::quoteIdentifier(table))));
    const QuerySet qs(&registry, itemModel(table));
    await(qs.create(
        {{QStringLiteral("name"), QStringLiteral("primary")}, {QStringLiteral("grp"), 1}}));
    await(qs.usingDatabase(QStringLiteral("other"))
              .create(
                  {{QStringLiteral("name"), QStringLiteral("other")}, {QStringLiteral("grp"), 2}}));

    auto nameIn = [](const QuerySet &q) {
        return await(q.get()).value(QStringLiteral("name")).toString();
    };
    QCOMPARE(nameIn(qs), QStringLiteral("primary"));
    QCOMPARE(nameIn(qs.usingDatabase(QStringLiteral("other"))), QStringLiteral("other"));
    QCOMPARE(nameIn(qs.usingDatabase(other)), QStringLiteral("other"));
    QCOMPARE(nameIn(qs.usingDatabase(other).usingDefaultDatabase()), QStringLiteral("primary"));
    QCOMPARE(nameIn(qs.using_(QStringLiteral("other"), {})), QStringLiteral("other"));
    QCOMPARE(nameIn(qs.usingDatabase(QStringLiteral("other")).usingDatabase(QString())),
             QStringLiteral("primary"));
    QCOMPARE(qs.usingDatabase(QStringLiteral("other")).database(), other);
    QCOMPARE(qs.database(), registry.database());

    await(registry.disconnect());
    if (!createdDb.isEmpty()) {
        Database admin(strata::test::postgresUrl());
        await(admin.connect());
        await(admin.executeScript(QStringLiteral("DROP DATABASE %1 WITH (FORCE)").arg(createdDb)));
        await(admin.disconnect());
    }
}

void TestQuerySetRouting::usingSchema()
{
    STRATA_BACKEND_URL(url);
    const bool pg = backend == QLatin1String("postgres");
    Registry registry(url);
    Database *db = registry.database();
    const QString table = strata::test::uniqueName(QStringLiteral("s"));
    const QString schemaA = strata::test::uniqueName(QStringLiteral("schema_a"));
    const QString schemaB = strata::test::uniqueName(QStringLiteral("Schema B"));
    if (!pg) {
        db->attach(schemaA, strata::test::urlFor(backend, QStringLiteral("a"))
                                .section(QStringLiteral("sqlite:///"), 1)
                                .section(QLatin1Char('?'), 0, 0));
        db->attach(schemaB, strata::test::urlFor(backend, QStringLiteral("b"))
                                .section(QStringLiteral("sqlite:///"), 1)
                                .section(QLatin1Char('?'), 0, 0));
    }
    await(registry.connect());
    if (pg)
        await(db->executeScript(
            QStringLiteral("CREATE SCHEMA %1; CREATE SCHEMA %2")
                .arg(orm::quoteIdentifier(schemaA), orm::quoteIdentifier(schemaB))));
    for (const QString &schema : {QString(), schemaA, schemaB}) {
        await(db->executeScript(itemDdl(backend, orm::qualifiedName(schema, table))));
        QuerySet in(&registry, itemModel(table, schema));
        const QVariantMap row{
            {QStringLiteral("name"), schema.isEmpty() ? QStringLiteral("default") : schema},
            {QStringLiteral("grp"), 1}};
        await(in.create(row));
    }
    auto nameIn = [](const QuerySet &q) {
        return await(q.get()).value(QStringLiteral("name")).toString();
    };

    // The model's schema by default; an explicit choice overrides it; empty: the default one.
    const QuerySet qs(&registry, itemModel(table, schemaA));
    QCOMPARE(nameIn(qs), schemaA);
    QCOMPARE(nameIn(qs.usingSchema(schemaB)), schemaB);
    QCOMPARE(nameIn(qs.usingSchema(QString())), QStringLiteral("default"));
    QCOMPARE(nameIn(qs.usingSchema(schemaB).usingModelSchema()), schemaA);
    QCOMPARE(nameIn(qs.using_(QString(), schemaB)), schemaB);
    QCOMPARE(nameIn(QuerySet(&registry, itemModel(table)).usingSchema(schemaA)), schemaA);
    // Writes address the qualified table too.
    QCOMPARE(await(qs.usingSchema(schemaB).update({{QStringLiteral("grp"), 7}})), qint64(1));
    QCOMPARE(await(qs.usingSchema(schemaB).filter(Q("grp", 7)).count()), qint64(1));
    QCOMPARE(await(qs.filter(Q("grp", 7)).count()), qint64(0));
    await(registry.disconnect());
}

void TestQuerySetRouting::unknownFieldSendsNothing()
{
    STRATA_BACKEND_URL(url);
    // An unconnected database warns on every operation that reaches it: none may.
    Database db(url);
    QSignalSpy reached(&db, &Database::notConnectedWarning);
    const QuerySet qs(&db, itemModel(QStringLiteral("whatever")));
    const QString expected = QStringLiteral("model \"Item\" has no field \"nmae\" (its fields: id, "
                                            "name, nickname, grp, score, active)");
    const QVariantMap bad{{QStringLiteral("nmae"), 1}};
    const QList<std::function<void()>> operations = {
        [&] { await(qs.filter(Q("nmae__icontains", "x")).all()); },
        [&] { await(qs.exclude(Q("nmae", 1)).count()); },
        [&] { await(qs.filter(Q("nmae", 1)).exists()); },
        [&] { await(qs.filter(Q("nmae", 1)).get()); },
        [&] { await(qs.orderBy({QStringLiteral("-nmae")}).first()); },
        [&] { await(qs.values({QStringLiteral("nmae")}).stream()); },
        [&] { await(qs.create(bad)); },
        [&] { await(qs.bulkCreate({bad})); },
        [&] { await(qs.update(bad)); },
        [&] { await(qs.filter(Q("nmae", 1)).remove()); },
    };
    for (const auto &operation : operations) {
        try {
            operation();
            QFAIL("an unknown field was accepted");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::UnknownField);
            QCOMPARE(error.message(), expected);
        }
    }
    QCOMPARE(reached.count(), 0);
}

void TestQuerySetRouting::unknownExtraName()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    registry.addExtra(QStringLiteral("archive"), strata::test::urlFor(QStringLiteral("sqlite")));
    registry.addExtra(QStringLiteral("reports"), strata::test::urlFor(QStringLiteral("sqlite")));
    QSignalSpy reached(&registry, &Registry::notConnectedWarning);
    const QuerySet qs(&registry, itemModel(QStringLiteral("t")));
    try {
        qs.usingDatabase(QStringLiteral("archve"));
        QFAIL("an unknown extra name was accepted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
        QCOMPARE(error.message(),
                 QStringLiteral("no extra database named 'archve' (known: archive, reports)"));
    }
    try {
        qs.using_(QStringLiteral("nope"), QStringLiteral("s"));
        QFAIL("an unknown extra name was accepted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
    }
    QCOMPARE(reached.count(), 0);
}

QTEST_GUILESS_MAIN(TestQuerySetRouting)
#include "tst_queryset_routing.moc"
