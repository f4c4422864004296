// Model metadata and the builder; logical types of declared SQL types. No database needed.

#include "orm/core/error.h"
#include "orm/core/model.h"

#include <QTest>

using orm::Error;
using orm::LogicalType;
using orm::Model;
using orm::ModelBuilder;

Q_DECLARE_METATYPE(orm::LogicalType)

class TestModel : public QObject {
    Q_OBJECT

private slots:
    void builder();
    void builderErrors();
    void primaryKeyOrder();
    void logicalTypeOf_data();
    void logicalTypeOf();
    void names();
};

void TestModel::builder()
{
    const Model customer = ModelBuilder("Customer", "customer")
                               .field("id", "integer")
                               .primaryKey()
                               .identity()
                               .field("name", "varchar(40)")
                               .notNull()
                               .defaultsTo("'anonymous'")
                               .field("country_id", "integer")
                               .references("country", "id", "geo")
                               .field("name_upper", "text")
                               .generated("upper(name)")
                               .unique({"name"})
                               .index({"country_id"})
                               .schema("shop")
                               .build();
    QCOMPARE(customer.name, QStringLiteral("Customer"));
    QCOMPARE(customer.table, QStringLiteral("customer"));
    QCOMPARE(customer.schema, QStringLiteral("shop"));
    QCOMPARE(customer.kind, orm::ModelKind::Table);
    QCOMPARE(customer.origin, orm::ModelOrigin::Declared);
    QVERIFY(customer.fieldsLoaded);
    QCOMPARE(customer.fieldNames(), (QStringList{"id", "name", "country_id", "name_upper"}));
    QCOMPARE(customer.primaryKey(), QStringList{"id"});

    const orm::Field *id = customer.field("id");
    QVERIFY(id);
    QVERIFY(id->primaryKey);
    QVERIFY(id->identity);
    QVERIFY(!id->nullable);
    QCOMPARE(id->type, LogicalType::Integer);

    const orm::Field *name = customer.field("name");
    QVERIFY(name);
    QVERIFY(!name->nullable);
    QCOMPARE(name->sqlType, QStringLiteral("varchar(40)"));
    QCOMPARE(name->type, LogicalType::Text);
    QCOMPARE(name->defaultExpression, QStringLiteral("'anonymous'"));

    QVERIFY(customer.field("country_id")->nullable);
    QVERIFY(customer.field("name_upper")->generated);
    QCOMPARE(customer.field("name_upper")->generatedExpression, QStringLiteral("upper(name)"));
    QVERIFY(!customer.hasField("missing"));
    QCOMPARE(customer.field("missing"), nullptr);

    QCOMPARE(customer.foreignKeys.size(), 1);
    QCOMPARE(customer.foreignKeys[0].columns, QStringList{"country_id"});
    QCOMPARE(customer.foreignKeys[0].targetSchema, QStringLiteral("geo"));
    QCOMPARE(customer.foreignKeys[0].targetTable, QStringLiteral("country"));
    QCOMPARE(customer.foreignKeys[0].targetColumns, QStringList{"id"});

    QCOMPARE(customer.indexes.size(), 2);
    QCOMPARE(customer.indexes[0].columns, QStringList{"name"});
    QVERIFY(customer.indexes[0].unique);
    QCOMPARE(customer.indexes[1].columns, QStringList{"country_id"});
    QVERIFY(!customer.indexes[1].unique);

    // The table defaults to the name; a tenant model says so.
    const Model note = ModelBuilder("note").field("body", "text").unique({}).tenant().build();
    QCOMPARE(note.table, QStringLiteral("note"));
    QCOMPARE(note.origin, orm::ModelOrigin::Tenant);
    QCOMPARE(note.indexes[0].columns, QStringList{"body"}); // unique() alone: the current field
    QCOMPARE(ModelBuilder("v").field("x", "int").kind(orm::ModelKind::View).build().kind,
             orm::ModelKind::View);
}

void TestModel::builderErrors()
{
    const auto expect = [](const std::function<void()> &call, Error::Kind kind,
                           const QString &text) {
        try {
            call();
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), kind);
            QVERIFY2(error.message().contains(text), error.what());
        }
    };
    expect([] { ModelBuilder("m").notNull(); }, Error::Kind::Usage, "before any field()");
    expect([] { ModelBuilder("m").field("a", "int").field("a", "text").build(); },
           Error::Kind::Configuration, "declares field 'a' twice");
    expect([] { ModelBuilder("m").field("a", "int").unique({"b"}).build(); },
           Error::Kind::Configuration, "names 'b'");
    expect([] { ModelBuilder("").build(); }, Error::Kind::Configuration, "needs a name");
}

void TestModel::primaryKeyOrder()
{
    // A composite key in the order of its primary index, not of the fields.
    Model model =
        ModelBuilder("m").field("a", "int").primaryKey().field("b", "int").primaryKey().build();
    QCOMPARE(model.primaryKey(), (QStringList{"a", "b"}));
    model.indexes << orm::Index{"m_pkey", {"b", "a"}, true, true};
    QCOMPARE(model.primaryKey(), (QStringList{"b", "a"}));
    QCOMPARE(ModelBuilder("n").field("a", "int").build().primaryKey(), QStringList());
}

void TestModel::logicalTypeOf_data()
{
    QTest::addColumn<QString>("sqlType");
    QTest::addColumn<LogicalType>("expected");
    const auto row = [](const char *type, LogicalType expected) {
        QTest::newRow(type) << QString::fromUtf8(type) << expected;
    };
    // PostgreSQL, short and SQL-standard spellings.
    for (const char *t : {"int2", "int4", "int8", "smallint", "integer", "bigint", "serial",
                          "bigserial", "smallserial", "INTEGER"})
        row(t, LogicalType::Integer);
    for (const char *t : {"numeric", "numeric(10,2)", "decimal", "DECIMAL(8, 3)"})
        row(t, LogicalType::Numeric);
    for (const char *t : {"real", "double precision", "float4", "float8", "float"})
        row(t, LogicalType::Real);
    for (const char *t :
         {"text", "varchar", "varchar(40)", "character varying(40)", "char", "char(3)",
          "character(3)", "bpchar", "name", "citext", "interval", "inet", "point"})
        row(t, LogicalType::Text);
    row("bool", LogicalType::Bool);
    row("boolean", LogicalType::Bool);
    row("bytea", LogicalType::Bytes);
    row("date", LogicalType::Date);
    row("time", LogicalType::Time);
    row("time without time zone", LogicalType::Time);
    row("timetz", LogicalType::Time);
    row("timestamp", LogicalType::Timestamp);
    row("timestamp without time zone", LogicalType::Timestamp);
    row("timestamp(3) without time zone", LogicalType::Timestamp);
    row("timestamptz", LogicalType::TimestampTz);
    row("timestamp with time zone", LogicalType::TimestampTz);
    row("json", LogicalType::Json);
    row("jsonb", LogicalType::Json);
    row("uuid", LogicalType::Uuid);
    // Arrays show as text.
    row("integer[]", LogicalType::Text);
    row("text[][]", LogicalType::Text);
    row("_int4", LogicalType::Text);
    row("character varying(10)[]", LogicalType::Text);
    // SQLite's affinity rules.
    row("INT", LogicalType::Integer);
    row("TINYINT", LogicalType::Integer);
    row("UNSIGNED BIG INT", LogicalType::Integer);
    row("NVARCHAR(100)", LogicalType::Text);
    row("NATIVE CHARACTER(70)", LogicalType::Text);
    row("CLOB", LogicalType::Text);
    row("TEXT", LogicalType::Text);
    row("BLOB", LogicalType::Bytes);
    row("", LogicalType::Unknown);
    row("REAL", LogicalType::Real);
    row("DOUBLE", LogicalType::Real);
    row("FLOAT", LogicalType::Real);
    row("NUMERIC", LogicalType::Numeric);
    row("DECIMAL(10,5)", LogicalType::Numeric);
    row("MONEYBAGS", LogicalType::Numeric); // no rule matches: NUMERIC affinity
    row("BOOLEAN", LogicalType::Bool);
    row("BOOL", LogicalType::Bool);
    row("DATE", LogicalType::Date);
    row("DATETIME", LogicalType::Timestamp);
    row("TIMESTAMP", LogicalType::Timestamp);
}

void TestModel::logicalTypeOf()
{
    QFETCH(QString, sqlType);
    QFETCH(LogicalType, expected);
    QCOMPARE(orm::logicalTypeOf(sqlType), expected);
}

void TestModel::names()
{
    QCOMPARE(orm::modelKindName(orm::ModelKind::MaterializedView),
             QStringLiteral("materialized view"));
    QCOMPARE(orm::modelKindName(orm::ModelKind::Partition), QStringLiteral("partition"));
    QCOMPARE(orm::logicalTypeName(LogicalType::TimestampTz), QStringLiteral("timestamptz"));
}

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
