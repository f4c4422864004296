// Reflection from the catalogs: schemas, model lists (no columns read) and whole models, on
// SQLite and PostgreSQL. PostgreSQL objects live in a schema of their own per test.

#include "await.h"
#include "backends.h"

#include "orm/query/queryset.h"
#include "orm/query/sql_dialect.h"
#include "orm/schema/reflection.h"

#include <QTemporaryDir>
#include <QTest>

using orm::Database;
using orm::Error;
using orm::Model;
using orm::ModelKind;
using strata::test::await;

namespace reflection = orm::reflection;

namespace {

using strata::test::isPostgres;

const auto q = orm::quoteIdentifier; // every name the tests use needs quoting

// The schema a test works in: a fresh one on PostgreSQL, "main" of a fresh file on SQLite.
QString freshSchema(Database &db, const QString &backend)
{
    if (!isPostgres(backend))
        return QStringLiteral("main");
    const QString schema = strata::test::uniqueName(QStringLiteral("refl"));
    await(db.executeScript(QStringLiteral("CREATE SCHEMA %1").arg(q(schema))));
    return schema;
}

void dropSchema(Database &db, const QString &backend, const QString &schema)
{
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(q(schema))));
}

// "schema"."table" on PostgreSQL, "table" on SQLite's main.
QString table(const QString &backend, const QString &schema, const QString &name)
{
    return isPostgres(backend) ? q(schema) + QLatin1Char('.') + q(name) : q(name);
}

QStringList namesOf(const QList<Model> &models)
{
    QStringList names;
    for (const Model &model : models)
        names << model.name;
    return names;
}

const Model *find(const QList<Model> &models, const QString &name)
{
    for (const Model &model : models)
        if (model.name == name)
            return &model;
    return nullptr;
}

void expectConfiguration(const std::function<void()> &call, const QString &text)
{
    try {
        call();
        QFAIL("no error");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Configuration);
        QVERIFY2(error.message().contains(text), error.what());
    }
}

} // namespace

class TestReflection : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void listSchemas();
    void listModelsKindsWithoutColumns();
    void loadModelFields();
    void sqliteKeysAndRowid();
    void foreignKeys();
    void otherSchema();
    void awkwardNames();
    void missingTableOrSchema();
    void twentyThousandTables();

private:
    QTemporaryDir m_dir;
};

void TestReflection::listSchemas()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    if (isPostgres(backend)) {
        const QString schema = freshSchema(db, backend);
        // A temporary table makes this session's pg_temp_N (and pg_toast_temp_N) schema.
        await(db.executeScript(QStringLiteral("CREATE TEMP TABLE scratch (id int)")));
        const QStringList schemas = await(reflection::listSchemas(&db));
        QVERIFY(schemas.contains(schema));
        QVERIFY(schemas.contains(QStringLiteral("public")));
        for (const QString &s : schemas) {
            QVERIFY2(s != QLatin1String("pg_catalog") && s != QLatin1String("information_schema"),
                     qPrintable(s));
            QVERIFY2(!s.startsWith(QLatin1String("pg_toast")) &&
                         !s.startsWith(QLatin1String("pg_temp_")),
                     qPrintable(s));
        }
        dropSchema(db, backend, schema);
    } else {
        await(db.executeScript(QStringLiteral("CREATE TEMP TABLE scratch (id int)")));
        QCOMPARE(await(reflection::listSchemas(&db)), QStringList{"main"});
        db.attach(QStringLiteral("zeta"), m_dir.filePath(strata::test::uniqueName("z")));
        db.attach(QStringLiteral("alpha"), m_dir.filePath(strata::test::uniqueName("a")));
        QCOMPARE(await(reflection::listSchemas(&db)), (QStringList{"main", "alpha", "zeta"}));
    }
    await(db.disconnect());
}

void TestReflection::listModelsKindsWithoutColumns()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    QStringList expected;
    if (isPostgres(backend)) {
        await(db.executeScript(
            QStringLiteral(
                "CREATE TABLE %1.plain (id int);"
                "CREATE VIEW %1.plain_view AS SELECT id FROM %1.plain;"
                "CREATE MATERIALIZED VIEW %1.plain_mat AS SELECT id FROM %1.plain;"
                "CREATE TABLE %1.measure (at date NOT NULL, v int) PARTITION BY RANGE (at);"
                "CREATE TABLE %1.measure_2024 PARTITION OF %1.measure "
                "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
                "CREATE SEQUENCE %1.counter; CREATE INDEX plain_id ON %1.plain (id);"
                "CREATE TYPE %1.pair AS (a int, b int);")
                .arg(q(s))));
        expected = QStringList{"measure", "measure_2024", "plain", "plain_mat", "plain_view"};
    } else {
        await(db.executeScript(QStringLiteral(
            "CREATE TABLE plain (id int); CREATE VIEW plain_view AS SELECT id FROM plain;"
            "CREATE TABLE counted (id INTEGER PRIMARY KEY AUTOINCREMENT);" // makes sqlite_sequence
            "CREATE INDEX plain_id ON plain (id);")));
        expected = QStringList{"counted", "plain", "plain_view"};
    }
    const QList<Model> models = await(reflection::listModels(&db, s));
    QCOMPARE(namesOf(models), expected);
    for (const Model &model : models) {
        QCOMPARE(model.table, model.name);
        QCOMPARE(model.schema, s);
        QCOMPARE(model.origin, orm::ModelOrigin::Reflected);
        QVERIFY(!model.fieldsLoaded);
        QVERIFY(model.fields.isEmpty());
    }
    QCOMPARE(find(models, "plain")->kind, ModelKind::Table);
    QCOMPARE(find(models, "plain_view")->kind, ModelKind::View);
    if (isPostgres(backend)) {
        QCOMPARE(find(models, "plain_mat")->kind, ModelKind::MaterializedView);
        QCOMPARE(find(models, "measure")->kind, ModelKind::PartitionedTable);
        QCOMPARE(find(models, "measure_2024")->kind, ModelKind::Partition);
        QCOMPARE(find(models, "measure_2024")->partitionOf, QStringLiteral("measure"));
        QVERIFY(find(models, "plain")->partitionOf.isEmpty());
        // loadModel agrees on kinds.
        const Model partition = await(reflection::loadModel(&db, s, "measure_2024"));
        QCOMPARE(partition.kind, ModelKind::Partition);
        QCOMPARE(partition.partitionOf, QStringLiteral("measure"));
        QCOMPARE(await(reflection::loadModel(&db, s, "plain_mat")).kind,
                 ModelKind::MaterializedView);
        // The empty schema means the current one (public).
        for (const Model &model : await(reflection::listModels(&db, QString())))
            QCOMPARE(model.schema, QStringLiteral("public"));
    } else {
        QCOMPARE(namesOf(await(reflection::listModels(&db, QString()))), expected);
    }
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::loadModelFields()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    const QString person = table(backend, s, "person");
    if (isPostgres(backend)) {
        await(db.executeScript(
            QStringLiteral("CREATE TYPE %1.mood AS ENUM ('sad', 'happy');"
                           "CREATE DOMAIN %1.positive AS integer CHECK (VALUE > 0);"
                           "CREATE TABLE %2 ("
                           "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                           "  legacy_id serial,"
                           "  name varchar(40) NOT NULL DEFAULT 'anon',"
                           "  mood %1.mood,"
                           "  score %1.positive,"
                           "  height_cm numeric(5,1),"
                           "  height_in numeric GENERATED ALWAYS AS (height_cm / 2.54) STORED,"
                           "  tags text[],"
                           "  born timestamptz,"
                           "  UNIQUE (name));"
                           "CREATE INDEX person_born ON %2 (born);")
                .arg(q(s), person)));
    } else {
        await(db.executeScript(
            QStringLiteral("CREATE TABLE person ("
                           "  id INTEGER PRIMARY KEY,"
                           "  name varchar(40) NOT NULL DEFAULT 'anon',"
                           "  happy BOOLEAN,"
                           "  born DATETIME,"
                           "  height_cm REAL,"
                           "  height_in REAL GENERATED ALWAYS AS (height_cm / 2.54) STORED,"
                           "  twice INTEGER AS (id * 2),"
                           "  UNIQUE (name));"
                           "CREATE INDEX person_born ON person (born);")));
    }
    const Model model = await(reflection::loadModel(&db, s, "person"));
    QCOMPARE(model.name, QStringLiteral("person"));
    QCOMPARE(model.schema, s);
    QCOMPARE(model.kind, ModelKind::Table);
    QVERIFY(model.fieldsLoaded);
    QCOMPARE(model.primaryKey(), QStringList{"id"});

    const orm::Field *id = model.field("id");
    QVERIFY(id);
    QVERIFY(id->primaryKey);
    QVERIFY(id->identity);
    QVERIFY(!id->nullable);
    QCOMPARE(id->type, orm::LogicalType::Integer);

    const orm::Field *name = model.field("name");
    QVERIFY(name);
    QVERIFY(!name->nullable);
    QVERIFY(!name->primaryKey);
    QVERIFY(!name->identity);
    QVERIFY2(name->defaultExpression.startsWith(QLatin1String("'anon'")),
             qPrintable(name->defaultExpression));
    QCOMPARE(name->type, orm::LogicalType::Text);

    const orm::Field *heightIn = model.field("height_in");
    QVERIFY(heightIn);
    QVERIFY(heightIn->generated);
    QVERIFY(heightIn->defaultExpression.isEmpty());
    QVERIFY(model.field("height_cm")->nullable);
    QVERIFY(!model.field("height_cm")->generated);

    QStringList indexNames;
    for (const orm::Index &index : model.indexes)
        indexNames << index.name;
    QVERIFY2(indexNames.contains("person_born"), qPrintable(indexNames.join(',')));
    bool uniqueName = false;
    for (const orm::Index &index : model.indexes) {
        if (index.name == QLatin1String("person_born")) {
            QCOMPARE(index.columns, QStringList{"born"});
            QVERIFY(!index.unique);
        }
        if (index.columns == QStringList{"name"} && index.unique && !index.primary)
            uniqueName = true;
    }
    QVERIFY(uniqueName);

    if (isPostgres(backend)) {
        QCOMPARE(id->sqlType, QStringLiteral("bigint"));
        QCOMPARE(name->sqlType, QStringLiteral("character varying(40)"));
        // Enums and domains by their name (qualified: the schema is not on the search path).
        QCOMPARE(model.field("mood")->sqlType, QStringLiteral("%1.mood").arg(s));
        QCOMPARE(model.field("mood")->type, orm::LogicalType::Text);
        QCOMPARE(model.field("score")->sqlType, QStringLiteral("%1.positive").arg(s));
        QCOMPARE(model.field("score")->type, orm::LogicalType::Integer);
        const orm::Field *legacy = model.field("legacy_id");
        QCOMPARE(legacy->sqlType, QStringLiteral("integer"));
        QVERIFY(legacy->identity); // serial
        QVERIFY(legacy->defaultExpression.startsWith(QLatin1String("nextval(")));
        QVERIFY(!legacy->primaryKey);
        QVERIFY(heightIn->generatedExpression.contains(QLatin1String("height_cm")));
        QCOMPARE(model.field("height_cm")->sqlType, QStringLiteral("numeric(5,1)"));
        QCOMPARE(model.field("height_cm")->type, orm::LogicalType::Numeric);
        QCOMPARE(model.field("tags")->sqlType, QStringLiteral("text[]"));
        QCOMPARE(model.field("tags")->type, orm::LogicalType::Text);
        QCOMPARE(model.field("born")->type, orm::LogicalType::TimestampTz);
        bool primaryIndex = false;
        for (const orm::Index &index : model.indexes)
            primaryIndex = primaryIndex || (index.primary && index.columns == QStringList{"id"});
        QVERIFY(primaryIndex);
    } else {
        QCOMPARE(id->sqlType, QStringLiteral("INTEGER"));
        QCOMPARE(name->sqlType, QStringLiteral("varchar(40)"));
        QCOMPARE(model.field("happy")->type, orm::LogicalType::Bool);
        QCOMPARE(model.field("born")->type, orm::LogicalType::Timestamp);
        QVERIFY(model.field("twice")->generated); // VIRTUAL
        QCOMPARE(model.field("twice")->type, orm::LogicalType::Integer);
    }
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::sqliteKeysAndRowid()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    // Only INTEGER PRIMARY KEY on SQLite (and identity/serial on PostgreSQL) count as identity.
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (a TEXT, b INTEGER, PRIMARY KEY (b, a));"
                                          "CREATE TABLE %2 (id BIGINT PRIMARY KEY);"
                                          "CREATE TABLE %3 (id INTEGER NOT NULL, note TEXT);")
                               .arg(table(backend, s, "pair"), table(backend, s, "bigkey"),
                                    table(backend, s, "nokey")) +
                           (isPostgres(backend)
                                ? QString()
                                : QStringLiteral("CREATE TABLE norowid (id INTEGER PRIMARY "
                                                 "KEY) WITHOUT ROWID;"))));
    const Model pair = await(reflection::loadModel(&db, s, "pair"));
    QCOMPARE(pair.primaryKey(), (QStringList{"b", "a"})); // the key's order, not the columns'
    QVERIFY(pair.field("a")->primaryKey && pair.field("b")->primaryKey);
    QVERIFY(!pair.field("a")->identity && !pair.field("b")->identity);
    const Model bigkey = await(reflection::loadModel(&db, s, "bigkey"));
    QCOMPARE(bigkey.primaryKey(), QStringList{"id"});
    QVERIFY(!bigkey.field("id")->identity);
    const Model nokey = await(reflection::loadModel(&db, s, "nokey"));
    QVERIFY(nokey.primaryKey().isEmpty());
    QVERIFY(!nokey.field("id")->nullable);
    QVERIFY(nokey.field("note")->nullable);
    if (!isPostgres(backend)) {
        const Model norowid = await(reflection::loadModel(&db, s, "norowid"));
        QCOMPARE(norowid.primaryKey(), QStringList{"id"});
        QVERIFY(!norowid.field("id")->identity);
    }
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::foreignKeys()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    QString other = s;
    if (isPostgres(backend)) {
        // Across schemas: the target lives in another one.
        other = s + QStringLiteral("_other");
        await(db.executeScript(
            QStringLiteral("CREATE SCHEMA %1;"
                           "CREATE TABLE %1.country (id int PRIMARY KEY, code text UNIQUE);"
                           "CREATE TABLE %2.city (id int PRIMARY KEY,"
                           "  country_id int REFERENCES %1.country,"
                           "  country_code text,"
                           "  CONSTRAINT city_code_fk FOREIGN KEY (country_code) "
                           "  REFERENCES %1.country (code));")
                .arg(q(other), q(s))));
    } else {
        await(db.executeScript(QStringLiteral(
            "CREATE TABLE country (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
            "CREATE TABLE city (id INTEGER PRIMARY KEY, country_id INTEGER REFERENCES country,"
            "  country_code TEXT REFERENCES country (code));")));
    }
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1 (a int, b int, PRIMARY KEY (a, b));"
                       "CREATE TABLE %2 (x int, y int, city_id int REFERENCES %3 (id),"
                       "  FOREIGN KEY (x, y) REFERENCES %1 (a, b));")
            .arg(table(backend, s, "pairs"), table(backend, s, "pair_ref"),
                 table(backend, s, "city"))));

    const Model city = await(reflection::loadModel(&db, s, "city"));
    QCOMPARE(city.foreignKeys.size(), 2);
    const orm::ForeignKey *byId = nullptr;
    const orm::ForeignKey *byCode = nullptr;
    for (const orm::ForeignKey &key : city.foreignKeys)
        (key.columns == QStringList{"country_id"} ? byId : byCode) = &key;
    QVERIFY(byId && byCode);
    QCOMPARE(byId->targetTable, QStringLiteral("country"));
    QCOMPARE(byId->targetColumns, QStringList{"id"}); // "REFERENCES country": its key
    QCOMPARE(byCode->columns, QStringList{"country_code"});
    QCOMPARE(byCode->targetColumns, QStringList{"code"});
    if (isPostgres(backend)) {
        QCOMPARE(byId->targetSchema, other);
        QCOMPARE(byCode->targetSchema, other);
        QCOMPARE(byCode->name, QStringLiteral("city_code_fk"));
    } else {
        QVERIFY(byId->targetSchema.isEmpty());
    }

    const Model ref = await(reflection::loadModel(&db, s, "pair_ref"));
    QCOMPARE(ref.foreignKeys.size(), 2);
    bool composite = false;
    for (const orm::ForeignKey &key : ref.foreignKeys) {
        QVERIFY(key.targetSchema.isEmpty()); // the same schema
        if (key.targetTable == QLatin1String("pairs")) {
            QCOMPARE(key.columns, (QStringList{"x", "y"}));
            QCOMPARE(key.targetColumns, (QStringList{"a", "b"}));
            composite = true;
        }
    }
    QVERIFY(composite);
    if (isPostgres(backend))
        dropSchema(db, backend, other);
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::otherSchema()
{
    // SQLite: an attached database; PostgreSQL: a second schema. Both with a name to quote.
    STRATA_BACKEND_URL(url);
    Database db(url);
    db.setPoolSize(2);
    await(db.connect());
    const QString s = isPostgres(backend) ? strata::test::uniqueName("ext schema \"q\"")
                                          : QStringLiteral("ext schema \"q\"");
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("CREATE SCHEMA %1").arg(q(s))));
    else
        db.attach(s, m_dir.filePath(strata::test::uniqueName("ext") + ".db"));
    // SQLite resolves references inside the attached database itself, unqualified.
    const QString itemRef =
        isPostgres(backend) ? q(s) + QStringLiteral(".item") : QStringLiteral("item");
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1.item (id int PRIMARY KEY, label text NOT NULL);"
                       "CREATE TABLE %1.tag (item_id int REFERENCES %2 (id), name text);"
                       "CREATE VIEW %1.labels AS SELECT label FROM %2;")
            .arg(q(s), itemRef)));
    QVERIFY(await(reflection::listSchemas(&db)).contains(s));
    const QList<Model> models = await(reflection::listModels(&db, s));
    QCOMPARE(namesOf(models), (QStringList{"item", "labels", "tag"}));
    QCOMPARE(models[0].schema, s);
    QCOMPARE(models[1].kind, ModelKind::View);
    const Model tag = await(reflection::loadModel(&db, s, "tag"));
    QCOMPARE(tag.schema, s);
    QCOMPARE(tag.fieldNames(), (QStringList{"item_id", "name"}));
    QCOMPARE(tag.foreignKeys.size(), 1);
    QCOMPARE(tag.foreignKeys[0].targetTable, QStringLiteral("item"));
    QVERIFY(tag.foreignKeys[0].targetSchema.isEmpty());
    const Model item = await(reflection::loadModel(&db, s, "item"));
    QCOMPARE(item.primaryKey(), QStringList{"id"});
    QVERIFY(!item.field("label")->nullable);
    // The main schema does not see them.
    QVERIFY(!namesOf(await(reflection::listModels(&db, QString()))).contains("tag"));
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(q(s))));
    await(db.disconnect());
}

void TestReflection::awkwardNames()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    const QString weird = QStringLiteral("Wéird \"Tab;le\" -- select");
    const QString keyword = QStringLiteral("order");
    await(db.executeScript(QStringLiteral("CREATE TABLE %1 (%3 text, %4 int, %5 int, %6 text,"
                                          "  PRIMARY KEY (%3, %5), UNIQUE (%3));"
                                          "CREATE TABLE %2 (%7 int, %8 text REFERENCES %1 (%3));")
                               .arg(table(backend, s, weird), table(backend, s, keyword),
                                    q("Mixed Case"), q("\"quoted\""), q("select"),
                                    q("ünïcødé 名前"), q("from"), q("to;DROP"))));
    const QList<Model> models = await(reflection::listModels(&db, s));
    QVERIFY2(namesOf(models).contains(weird), qPrintable(namesOf(models).join('|')));
    QVERIFY(namesOf(models).contains(keyword));

    const Model w = await(reflection::loadModel(&db, s, weird));
    QCOMPARE(w.table, weird);
    QCOMPARE(w.fieldNames(),
             (QStringList{"Mixed Case", "\"quoted\"", "select", QStringLiteral("ünïcødé 名前")}));
    QCOMPARE(w.primaryKey(), (QStringList{"Mixed Case", "select"}));
    const Model o = await(reflection::loadModel(&db, s, keyword));
    QVERIFY(o.primaryKey().isEmpty()); // no primary key at all
    QCOMPARE(o.fieldNames(), (QStringList{"from", "to;DROP"}));
    QCOMPARE(o.foreignKeys.size(), 1);
    QCOMPARE(o.foreignKeys[0].targetTable, weird);
    QCOMPARE(o.foreignKeys[0].columns, QStringList{"to;DROP"});
    QCOMPARE(o.foreignKeys[0].targetColumns, QStringList{"Mixed Case"});

    // And they query: names are quoted and values bound, so neither can change the SQL.
    const orm::QuerySet weirdRows(&db, w);
    const QString hostile = QStringLiteral("a'); DROP TABLE x; --");
    QVariantMap row;
    row.insert(QStringLiteral("Mixed Case"), hostile);
    row.insert(QStringLiteral("select"), 7);
    row.insert(QStringLiteral("ünïcødé 名前"), QStringLiteral("名前"));
    await(weirdRows.create(row));
    const orm::QuerySet found =
        weirdRows
            .filter(orm::Q(QStringLiteral("Mixed Case__contains"), QStringLiteral("DROP TABLE")))
            .orderBy({QStringLiteral("-select")});
    QCOMPARE(await(found.count()), 1);
    const orm::Result got = await(found.all());
    QCOMPARE(got.value(0, QStringLiteral("Mixed Case")).toString(), hostile);
    QCOMPARE(got.value(0, QStringLiteral("ünïcødé 名前")).toString(), QStringLiteral("名前"));
    QVariantMap child;
    child.insert(QStringLiteral("from"), 1);
    child.insert(QStringLiteral("to;DROP"), hostile);
    await(orm::QuerySet(&db, o).create(child));
    QCOMPARE(
        await(orm::QuerySet(&db, o).filter(orm::Q(QStringLiteral("to;DROP"), hostile)).count()), 1);
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::missingTableOrSchema()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = freshSchema(db, backend);
    expectConfiguration([&] { await(reflection::loadModel(&db, s, "no_such_table")); },
                        s + QStringLiteral(".no_such_table"));
    expectConfiguration([&] { await(reflection::listModels(&db, "no_such_schema")); },
                        QStringLiteral("no schema named 'no_such_schema'"));
    expectConfiguration([&] { await(reflection::loadModel(&db, "no_such_schema", "t")); },
                        QStringLiteral("no_such_schema"));
    // An empty schema is no error.
    if (isPostgres(backend))
        QVERIFY(await(reflection::listModels(&db, s)).isEmpty());
    dropSchema(db, backend, s);
    await(db.disconnect());
}

void TestReflection::twentyThousandTables()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const int count = 20000;
    const QString s = freshSchema(db, backend);
    if (isPostgres(backend)) {
        // COMMIT every thousand: one transaction would need a lock per table.
        await(
            db.executeScript(QStringLiteral("DO $$ BEGIN FOR i IN 1..%1 LOOP "
                                            "EXECUTE format('CREATE TABLE %I.%I (id int, v text)',"
                                            " '%2', 't' || i);"
                                            "IF i % 1000 = 0 THEN COMMIT; END IF;"
                                            "END LOOP; END $$")
                                 .arg(count)
                                 .arg(s)),
            240000);
    } else {
        QString script = QStringLiteral("BEGIN;");
        for (int i = 1; i <= count; ++i)
            script += QStringLiteral("CREATE TABLE t%1 (id int, v text);").arg(i);
        script += QStringLiteral("COMMIT;");
        await(db.executeScript(script), 120000);
    }
    const QList<Model> models = await(reflection::listModels(&db, s), 120000);
    QCOMPARE(models.size(), count);
    for (const Model &model : models) {
        QVERIFY(!model.fieldsLoaded);
        QVERIFY(model.fields.isEmpty());
    }
    QVERIFY(find(models, "t12345"));
    const Model one = await(reflection::loadModel(&db, s, "t12345"));
    QCOMPARE(one.fieldNames(), (QStringList{"id", "v"}));
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("DO $$ BEGIN FOR i IN 1..%1 LOOP "
                                              "EXECUTE format('DROP TABLE %I.%I', '%2', 't' || i);"
                                              "IF i % 1000 = 0 THEN COMMIT; END IF;"
                                              "END LOOP; END $$;")
                                   .arg(count)
                                   .arg(s)),
              240000);
    dropSchema(db, backend, s);
    await(db.disconnect());
}

QTEST_GUILESS_MAIN(TestReflection)
#include "tst_reflection.moc"
