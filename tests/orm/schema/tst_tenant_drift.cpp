// Tenant drift on both backends: tenants that differ from the template in every way drift
// reports (tables, columns, types, nullability, defaults, indexes, constraints), awkward names,
// and each generated script run on the tenant really brings it to the template.

#include "await.h"
#include "backends.h"

#include "orm/query/sql_dialect.h"
#include "orm/registry/registry.h"
#include "orm/schema/tenant_drift.h"

#include <QScopeGuard>
#include <QSet>
#include <QTest>
#include <QThread>

#include <memory>

using orm::DriftItem;
using orm::DriftReport;
using Kind = orm::DriftItem::Kind;
using strata::test::await;

namespace {

QString sqlitePath(const QString &name)
{
    return strata::test::urlFor(QStringLiteral("sqlite"), name)
        .section(QStringLiteral("sqlite:///"), 1)
        .section(QLatin1Char('?'), 0, 0);
}

// How a tenant differs from the template (Variant::Same: not at all).
enum class Variant {
    Same,
    Tables,      // no "Order Lines", an extra table junk
    Columns,     // customer without score (and its index), with an extra column
    Definitions, // email text (not varchar(80)), name nullable with another default, Qty no default
    Keys,        // no unique email, an extra index, customer_score_idx on another expression
};

// The schema's tables as the variant has them, every name quoted.
QStringList ddl(const QString &schema, Variant v, bool pg)
{
    const QString s = orm::quoteIdentifier(schema);
    const QString customer = orm::qualifiedName(schema, "customer");
    const QString lines = orm::qualifiedName(schema, "Order Lines");
    QStringList columns{"id integer PRIMARY KEY"};
    columns << (v == Variant::Definitions ? "name text DEFAULT 'x'"
                                          : "name text NOT NULL DEFAULT 'anon'");
    columns << (v == Variant::Definitions ? "email text" : "email varchar(80)");
    if (v != Variant::Columns)
        columns << "score integer";
    else
        columns << "\"Extra \"\"col\"\"\" text";
    if (v != Variant::Keys)
        columns << "CONSTRAINT customer_email_key UNIQUE (email)";
    QStringList statements{
        QStringLiteral("CREATE TABLE %1 (%2)").arg(customer, columns.join(", ")),
        QStringLiteral("INSERT INTO %1 (id, name, email) VALUES (1, 'Ann', 'a@x'), (2, 'Bo', "
                       "'b@x')")
            .arg(customer)};
    // SQLite names the index's schema, not its table's: CREATE INDEX s.i ON t (...).
    const auto index = [&](const QString &name, const QString &on) {
        return pg ? QStringLiteral("CREATE INDEX %1 ON %2 %3")
                        .arg(orm::quoteIdentifier(name), customer, on)
                  : QStringLiteral("CREATE INDEX %1.%2 ON customer %3")
                        .arg(s, orm::quoteIdentifier(name), on);
    };
    if (v == Variant::Keys) {
        statements << index("customer_score_idx", "(score DESC)")
                   << index("customer_name_idx", "(name)");
    } else if (v != Variant::Columns) {
        statements << index("customer_score_idx", "(score)");
    }
    if (v != Variant::Tables)
        statements << QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, customer_id "
                                     "integer REFERENCES %2 (id), \"Qty\" integer NOT NULL%3)")
                          .arg(lines, pg ? customer : QStringLiteral("customer"),
                               v == Variant::Definitions ? QString()
                                                         : QStringLiteral(" DEFAULT 1"));
    else
        statements << QStringLiteral("CREATE TABLE %1 (x integer)")
                          .arg(orm::qualifiedName(schema, "junk"));
    return statements;
}

struct Fixture {
    bool pg = false;
    std::unique_ptr<orm::Database> db;
    QString templateSchema;
    QMap<Variant, QString> tenants;

    ~Fixture()
    {
        if (pg)
            for (const QString &schema : QStringList{templateSchema} + tenants.values())
                await(db->executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                            .arg(orm::quoteIdentifier(schema))));
        await(db->disconnect());
    }
    QStringList tenantNames() const { return tenants.values(); }
};

std::unique_ptr<Fixture> makeFixture(const QString &backend, const QString &url)
{
    auto f = std::make_unique<Fixture>();
    f->pg = backend == QLatin1String("postgres");
    f->db = std::make_unique<orm::Database>(url);
    await(f->db->connect());
    const QString prefix = strata::test::uniqueName("drift");
    f->templateSchema = prefix + "_template";
    f->tenants = {{Variant::Same, prefix + "_same"},
                  {Variant::Tables, prefix + "_tables"},
                  {Variant::Columns, prefix + "_columns"},
                  {Variant::Definitions, prefix + " Mixed \"Q\" s"},
                  {Variant::Keys, prefix + "_Keys"}};
    QList<std::pair<QString, Variant>> all{{f->templateSchema, Variant::Same}};
    for (auto it = f->tenants.cbegin(); it != f->tenants.cend(); ++it)
        all << std::pair{it.value(), it.key()};
    for (const auto &[schema, variant] : all) {
        if (f->pg)
            await(f->db->executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        else
            f->db->attach(schema, sqlitePath("tenant"));
        await(f->db->executeScript(ddl(schema, variant, f->pg).join(";\n")));
    }
    return f;
}

// kind, table, name of every item: constraints by kind and table only (SQLite's have no names).
QSet<QString> itemsOf(const orm::TenantDrift &drift)
{
    QSet<QString> items;
    for (const DriftItem &item : drift.items) {
        const bool constraint = item.kind == Kind::MissingConstraint ||
                                item.kind == Kind::ExtraConstraint ||
                                item.kind == Kind::ConstraintDefinition;
        items << DriftItem::kindName(item.kind) + ":" + item.table +
                     (constraint ? QString() : ":" + item.name);
    }
    return items;
}

const orm::TenantDrift &driftOf(const DriftReport &report, const QString &schema)
{
    for (const orm::TenantDrift &drift : report.tenants)
        if (drift.schema == schema)
            return drift;
    qFatal("no drift for %s", qPrintable(schema));
}

} // namespace

class TestTenantDrift : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void reportsEveryKindOfDrift();
    void scriptsBringTenantsToTheTemplate();
    void rowCountsAreNotDrift();
    void unknownSchemas();
    void checkConstraintsAreCompared();
    void compareResumesOnTheCallersThread();
    void comparesWithTheTenantModels();
    void removedWhileComparing();
};

void TestTenantDrift::reportsEveryKindOfDrift()
{
    STRATA_BACKEND_URL(url);
    const auto f = makeFixture(backend, url);
    const DriftReport report =
        await(orm::compareTenants(f->db.get(), f->templateSchema, f->tenantNames()));
    QCOMPARE(report.tenants.size(), 5);
    QCOMPARE(report.driftingCount(), 4);

    const orm::TenantDrift &same = driftOf(report, f->tenants[Variant::Same]);
    QVERIFY2(!same.drifts(), qPrintable(same.items.value(0).describe()));
    QVERIFY(same.script.isEmpty());

    QCOMPARE(itemsOf(driftOf(report, f->tenants[Variant::Tables])),
             (QSet<QString>{"missing table:Order Lines:", "extra table:junk:"}));
    QCOMPARE(itemsOf(driftOf(report, f->tenants[Variant::Columns])),
             (QSet<QString>{"missing column:customer:score", "extra column:customer:Extra \"col\"",
                            "missing index:customer:customer_score_idx"}));
    const orm::TenantDrift &definitions = driftOf(report, f->tenants[Variant::Definitions]);
    QCOMPARE(itemsOf(definitions),
             (QSet<QString>{"type:customer:email", "nullability:customer:name",
                            "default:customer:name", "default:Order Lines:Qty"}));
    for (const DriftItem &item : definitions.items)
        if (item.kind == Kind::ColumnType) {
            QCOMPARE(item.expected, f->pg ? QStringLiteral("character varying(80)")
                                          : QStringLiteral("VARCHAR(80)"));
            QCOMPARE(item.actual, f->pg ? QStringLiteral("text") : QStringLiteral("TEXT"));
        }
    QCOMPARE(itemsOf(driftOf(report, f->tenants[Variant::Keys])),
             (QSet<QString>{"extra index:customer:customer_name_idx",
                            "index:customer:customer_score_idx", "missing constraint:customer"}));
    for (const orm::TenantDrift &drift : report.tenants)
        if (drift.drifts())
            QVERIFY(drift.script.size() > 2);
}

void TestTenantDrift::scriptsBringTenantsToTheTemplate()
{
    STRATA_BACKEND_URL(url);
    const auto f = makeFixture(backend, url);
    const DriftReport before =
        await(orm::compareTenants(f->db.get(), f->templateSchema, f->tenantNames()));
    for (const orm::TenantDrift &drift : before.tenants) {
        if (!drift.drifts())
            continue;
        const QString script = drift.script.join("\n");
        try {
            await(f->db->executeScript(script));
        } catch (const orm::Error &error) {
            QFAIL(qPrintable(drift.schema + ": " + error.toString() + "\n" + script));
        }
    }
    const DriftReport after =
        await(orm::compareTenants(f->db.get(), f->templateSchema, f->tenantNames()));
    for (const orm::TenantDrift &drift : after.tenants)
        QVERIFY2(!drift.drifts(),
                 qPrintable(drift.schema + ": " + drift.items.value(0).describe() + "\n" +
                            driftOf(before, drift.schema).script.join("\n")));
    // Rebuilt or altered, the tenants kept their rows.
    for (const QString &schema : f->tenantNames()) {
        const orm::Result rows = await(f->db->execute(
            QStringLiteral("SELECT count(*) FROM %1").arg(orm::qualifiedName(schema, "customer"))));
        QCOMPARE(rows.value(0, 0).toInt(), 2);
    }
}

void TestTenantDrift::rowCountsAreNotDrift()
{
    STRATA_BACKEND_URL(url);
    const auto f = makeFixture(backend, url);
    await(
        f->db->executeScript(QStringLiteral("DELETE FROM %1 WHERE id = 2")
                                 .arg(orm::qualifiedName(f->tenants[Variant::Same], "customer"))));
    orm::DriftOptions options;
    options.rowCounts = true;
    const DriftReport report = await(
        orm::compareTenants(f->db.get(), f->templateSchema, {f->tenants[Variant::Same]}, options));
    const orm::TenantDrift &same = report.tenants.value(0);
    QVERIFY(!same.drifts());
    QCOMPARE(same.rowCounts.at("customer"), (std::pair<qint64, qint64>{2, 1}));
    QCOMPARE(same.rowCounts.at("Order Lines"), (std::pair<qint64, qint64>{0, 0}));
}

void TestTenantDrift::unknownSchemas()
{
    STRATA_BACKEND_URL(url);
    const auto f = makeFixture(backend, url);
    for (const auto &[templateSchema, tenant] :
         QList<std::pair<QString, QString>>{{"no such template", f->tenants[Variant::Same]},
                                            {f->templateSchema, "no such tenant"}}) {
        try {
            await(orm::compareTenants(f->db.get(), templateSchema, {tenant}));
            QFAIL("no error");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
            QVERIFY2(error.message().contains("no such"), error.what());
        }
    }
}

// CHECK constraints, column and table ones: written differently but the same is no drift; one
// missing, one extra and one changed are, on SQLite too (read from the CREATE TABLE text), and the
// scripts bring the tenants back.
void TestTenantDrift::checkConstraintsAreCompared()
{
    STRATA_BACKEND_URL(url);
    const bool pg = backend == QLatin1String("postgres");
    orm::Database db(url);
    await(db.connect());
    const QString prefix = strata::test::uniqueName("chk");
    const QString templateSchema = prefix + "_template";
    const QString same = prefix + " Same \"spaced\"";
    const QString missing = prefix + "_missing";
    const QString changed = prefix + "_changed";
    const QString extra = prefix + "_extra";
    const QStringList tenants{same, missing, changed, extra};
    const auto create = [&](const QString &schema, const QString &columns) {
        if (pg)
            await(db.executeScript("CREATE SCHEMA " + orm::quoteIdentifier(schema)));
        else
            db.attach(schema, sqlitePath("tenant"));
        await(db.executeScript(QStringLiteral("CREATE TABLE %1 (%2)")
                                   .arg(orm::qualifiedName(schema, "Stock"), columns)));
    };
    const auto cleanUp = qScopeGuard([&] {
        if (pg)
            for (const QString &schema : QStringList{templateSchema} + tenants)
                await(db.executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                           .arg(orm::quoteIdentifier(schema))));
        await(db.disconnect());
    });
    // Named constraints on PostgreSQL compare by name; SQLite's by their text.
    create(templateSchema, "id integer PRIMARY KEY, qty integer CONSTRAINT qty_check CHECK (qty "
                           ">= 0), note text, CONSTRAINT \"Note \"\"len\"\"\" CHECK "
                           "(length(note) < 40 OR note = 'x''y')");
    create(same, "id integer PRIMARY KEY, qty integer CONSTRAINT qty_check CHECK(qty>=0), note "
                 "text, CONSTRAINT \"Note \"\"len\"\"\" CHECK ( LENGTH(note)<40 OR note='x''y' )");
    create(missing, "id integer PRIMARY KEY, qty integer, note text, CONSTRAINT "
                    "\"Note \"\"len\"\"\" CHECK (length(note) < 40 OR note = 'x''y')");
    create(changed, "id integer PRIMARY KEY, qty integer CONSTRAINT qty_check CHECK (qty > 0), "
                    "note text, CONSTRAINT \"Note \"\"len\"\"\" CHECK (length(note) < 40 OR "
                    "note = 'x''y')");
    create(extra, "id integer PRIMARY KEY, qty integer CONSTRAINT qty_check CHECK (qty >= 0), "
                  "note text CONSTRAINT note_check CHECK (note <> ''), CONSTRAINT "
                  "\"Note \"\"len\"\"\" CHECK (length(note) < 40 OR note = 'x''y')");
    const DriftReport report = await(orm::compareTenants(&db, templateSchema, tenants));
    const auto kinds = [&](const DriftReport &r, const QString &schema) {
        QStringList found;
        for (const DriftItem &item : driftOf(r, schema).items)
            found << DriftItem::kindName(item.kind) + ": " + item.table + ": " +
                         (item.expected.isEmpty() ? item.actual : item.expected);
        found.sort();
        return found;
    };
    QCOMPARE(kinds(report, same), QStringList());
    QCOMPARE(kinds(report, missing).size(), 1);
    QVERIFY2(kinds(report, missing).first().startsWith("missing constraint: Stock: CHECK"),
             qPrintable(kinds(report, missing).join("; ")));
    QVERIFY(kinds(report, missing).first().contains("qty"));
    if (pg) {
        QCOMPARE(kinds(report, changed), QStringList{"constraint: Stock: CHECK ((qty >= 0))"});
    } else {
        QCOMPARE(kinds(report, changed),
                 (QStringList{"extra constraint: Stock: CHECK (qty>0)",
                              "missing constraint: Stock: CHECK (qty>=0)"}));
    }
    QCOMPARE(kinds(report, extra).size(), 1);
    QVERIFY2(kinds(report, extra).first().startsWith("extra constraint: Stock: CHECK"),
             qPrintable(kinds(report, extra).join("; ")));
    QCOMPARE(report.driftingCount(), 3);

    for (const orm::TenantDrift &drift : report.tenants)
        if (drift.drifts()) {
            const QString script = drift.script.join("\n");
            try {
                await(db.executeScript(script));
            } catch (const orm::Error &error) {
                QFAIL(qPrintable(drift.schema + ": " + error.toString() + "\n" + script));
            }
        }
    const DriftReport after = await(orm::compareTenants(&db, templateSchema, tenants));
    QCOMPARE(after.driftingCount(), 0);
}

// The comparison runs on a worker, but the caller's coroutine goes on on its own thread.
void TestTenantDrift::compareResumesOnTheCallersThread()
{
    STRATA_BACKEND_URL(url);
    const auto f = makeFixture(backend, url);
    QThread *resumedOn = nullptr;
    int drifting = -1;
    bool done = false;
    auto run = [&]() -> QCoro::Task<> {
        const DriftReport report =
            co_await orm::compareTenants(f->db.get(), f->templateSchema, f->tenantNames());
        resumedOn = QThread::currentThread();
        drifting = report.driftingCount();
        done = true;
    };
    QCoro::Task<> task = run();
    QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    QCOMPARE(resumedOn, QThread::currentThread());
    QCOMPARE(drifting, 4);
}

// The template as the registry's tenant models declare it: tables, columns, types (declared as
// aliases: varchar, int, timestamptz) and nullability; the tenants' own indexes, constraints and
// defaults are not drift from models that do not say them; the scripts bring the tenants there.
void TestTenantDrift::comparesWithTheTenantModels()
{
    STRATA_BACKEND_URL(url);
    const bool pg = backend == QLatin1String("postgres");
    const QList<orm::Model> models{
        orm::ModelBuilder("Customer", "Customer")
            .field("id", "integer")
            .primaryKey()
            .field("name", "varchar(40)")
            .notNull()
            .field("seen", pg ? "timestamptz" : "text")
            .build(),
        orm::ModelBuilder("Order Lines", "Order Lines")
            .field("id", pg ? "int" : "integer") // SQLite: INT is not INTEGER (no rowid alias)
            .primaryKey()
            .field("qty", "integer")
            .build()};
    orm::Database db(url);
    await(db.connect());
    const QString prefix = strata::test::uniqueName("mdl");
    const QString same = prefix + " Same \"Q\"", noLines = prefix + "_nolines",
                  other = prefix + "_other";
    const QStringList tenants{same, noLines, other};
    const auto cleanUp = qScopeGuard([&] {
        if (pg)
            for (const QString &schema : tenants)
                await(db.executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                           .arg(orm::quoteIdentifier(schema))));
        await(db.disconnect());
    });
    const QString seen = pg ? "timestamp with time zone" : "text";
    for (const QString &schema : tenants) {
        if (pg)
            await(db.executeScript("CREATE SCHEMA " + orm::quoteIdentifier(schema)));
        else
            db.attach(schema, sqlitePath("tenant"));
        const bool isOther = schema == other;
        // An index and a default of the tenant's own: not drift from the models.
        QStringList ddl{QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, name %2 %3, "
                                       "seen %4 DEFAULT NULL)")
                            .arg(orm::qualifiedName(schema, "Customer"),
                                 isOther ? "text"
                                 : pg    ? "character varying(40)"
                                         : "varchar(40)",
                                 isOther ? "" : "NOT NULL", seen)};
        ddl << (pg ? QStringLiteral("CREATE INDEX ON %1 (name)")
                         .arg(orm::qualifiedName(schema, "Customer"))
                   : QStringLiteral("CREATE INDEX %1.customer_name ON \"Customer\" (name)")
                         .arg(orm::quoteIdentifier(schema)));
        if (schema != noLines)
            ddl << QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, qty integer%2)")
                       .arg(orm::qualifiedName(schema, "Order Lines"),
                            isOther ? ", extra text" : "");
        await(db.executeScript(ddl.join(";\n")));
    }
    const DriftReport report = await(orm::compareTenantsWithModels(&db, models, tenants));
    QCOMPARE(report.tenants.size(), 3);
    QVERIFY2(!driftOf(report, same).drifts(),
             qPrintable(driftOf(report, same).items.value(0).describe()));
    QCOMPARE(itemsOf(driftOf(report, noLines)), (QSet<QString>{"missing table:Order Lines:"}));
    QCOMPARE(itemsOf(driftOf(report, other)),
             (QSet<QString>{"type:Customer:name", "nullability:Customer:name",
                            "extra column:Order Lines:extra"}));
    for (const orm::TenantDrift &drift : report.tenants)
        if (drift.drifts()) {
            const QString script = drift.script.join("\n");
            try {
                await(db.executeScript(script));
            } catch (const orm::Error &error) {
                QFAIL(qPrintable(drift.schema + ": " + error.toString() + "\n" + script));
            }
        }
    const DriftReport after = await(orm::compareTenantsWithModels(&db, models, tenants));
    for (const orm::TenantDrift &drift : after.tenants)
        QVERIFY2(!drift.drifts(),
                 qPrintable(drift.schema + ": " + drift.items.value(0).describe()));
    try {
        await(orm::compareTenantsWithModels(&db, models, {"no such tenant"}));
        QFAIL("no error");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
        QVERIFY2(error.message().contains("no such tenant"), error.what());
    }
}

// An extra removed from its registry while its tenants are compared: the comparison ends with an
// error or a result, never reading the Database that is gone (ASan reports such a read).
void TestTenantDrift::removedWhileComparing()
{
    STRATA_BACKEND_URL(url);
    const bool pg = backend == QLatin1String("postgres");
    const QString schema = pg ? QStringLiteral("public") : QStringLiteral("main");
    const QList<orm::Model> models{
        orm::ModelBuilder("t", "t").field("id", "integer").primaryKey().build()};
    for (const bool withModels : {false, true}) {
        orm::Registry registry(url);
        const QPointer<orm::Database> gone = registry.addExtra(
            QStringLiteral("gone"), strata::test::urlFor(backend, QStringLiteral("drift-gone")));
        await(registry.connect());
        QCoro::Task<DriftReport> comparing =
            withModels ? orm::compareTenantsWithModels(gone, models, {schema})
                       : orm::compareTenants(gone, schema, {schema});
        QCoro::Task<> removal = registry.removeExtra(QStringLiteral("gone"));
        try {
            await(std::move(comparing));
        } catch (const orm::Error &error) {
            // Removed meanwhile, cancelled by the removal, or what the (empty) schema gives.
            QVERIFY2(!error.message().isEmpty(), error.what());
        }
        await(std::move(removal));
        QTRY_VERIFY_WITH_TIMEOUT(gone.isNull(), 10000);
        await(registry.disconnect());
    }
}

QTEST_GUILESS_MAIN(TestTenantDrift)
#include "tst_tenant_drift.moc"
