// Fan-out over tenants that really differ (an extra column, a missing table, an awkward name),
// with targets that fail (a refused loopback port, a schema dropped after selection), a cancel
// that reaches the server, and writes committed or rolled back per target.

#include "await.h"
#include "backends.h"
#include "loopback_ports.h"

#include "orm/fanout/fan_out.h"
#include "orm/fanout/statement_effect.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>
#include <QTimer>

#include <memory>

using orm::FanOut;
using orm::FanOutOptions;
using orm::FanOutTarget;
using orm::Registry;
using orm::StatementEffect;
using orm::TargetOutcome;
using orm::TenantSelection;
using strata::test::await;

namespace {

const QString kAwkward = QStringLiteral("Mixed \"Q\" s");

QString sqlitePath(const QString &name)
{
    return strata::test::urlFor(QStringLiteral("sqlite"), name)
        .section(QStringLiteral("sqlite:///"), 1)
        .section(QLatin1Char('?'), 0, 0);
}

// Four tenants: a (2 rows), b (3 rows and an extra column `note`, one row with qty 3), c (no
// table) and an awkward name (1 row); their names start with `prefix`.
struct Tenants {
    QString backend;
    QString prefix;
    QString table;
    std::unique_ptr<Registry> registry;
    QString a, b, c, awkward;

    bool pg() const { return backend == QLatin1String("postgres"); }
    orm::Database *db() const { return registry->database(); }
    QString qualified(const QString &schema) const { return orm::qualifiedName(schema, table); }
    QStringList all() const { return {awkward, a, b, c}; } // name order: ' ' before '_'
    void ddl(const QString &schema, const QString &sql)
    {
        await(db()->executeScript(sql.arg(qualified(schema))));
    }
    int count(const QString &schema, const QString &where)
    {
        const orm::Result r = await(db()->execute(
            QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(qualified(schema), where)));
        return r.value(0, 0).toInt();
    }
    ~Tenants()
    {
        if (!registry)
            return;
        if (pg())
            for (const QString &schema : all())
                await(db()->executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                              .arg(orm::quoteIdentifier(schema))));
        await(registry->disconnect());
    }
};

std::unique_ptr<Tenants> makeTenants(const QString &backend, const QString &url)
{
    auto t = std::make_unique<Tenants>();
    t->backend = backend;
    t->prefix = strata::test::uniqueName(QStringLiteral("fo"));
    t->table = QStringLiteral("Items");
    t->registry = std::make_unique<Registry>(url);
    await(t->registry->connect());
    t->a = t->prefix + QStringLiteral("_a");
    t->b = t->prefix + QStringLiteral("_b");
    t->c = t->prefix + QStringLiteral("_c");
    t->awkward = t->prefix + QLatin1Char(' ') + kAwkward;
    for (const QString &schema : t->all()) {
        if (t->pg())
            await(t->db()->executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        else
            t->db()->attach(schema, sqlitePath(QStringLiteral("tenant")));
    }
    const QString create = QStringLiteral(
        "CREATE TABLE %1 (id integer PRIMARY KEY, name text, qty integer CHECK (qty >= 0)%2)");
    t->ddl(t->a, create.arg(QStringLiteral("%1"), QString()));
    t->ddl(t->awkward, create.arg(QStringLiteral("%1"), QString()));
    t->ddl(t->b, create.arg(QStringLiteral("%1"), QStringLiteral(", note text")));
    t->ddl(t->a, QStringLiteral("INSERT INTO %1 VALUES (1, 'a1', 10), (2, 'a2', 20)"));
    t->ddl(t->awkward, QStringLiteral("INSERT INTO %1 VALUES (1, 'q1', 10)"));
    t->ddl(t->b, QStringLiteral(
                     "INSERT INTO %1 VALUES (1, 'b1', 10, 'n1'), (2, 'b2', 3, NULL), (3, 'b3', "
                     "30, 'n3')"));
    return t;
}

int indexOf(const QList<FanOutTarget> &targets, const QString &schema)
{
    for (int i = 0; i < targets.size(); ++i)
        if (targets[i].schema == schema)
            return i;
    return -1;
}

QList<FanOutTarget> select(Tenants &t, TenantSelection selection)
{
    return await(orm::selectTargets(t.registry.get(), selection));
}

} // namespace

class TestFanOut : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void statementEffects();
    void schemaPatterns();
    void selectsTenants();
    void mergesTenantsThatDiffer();
    void failingTargetsLeavePartialResults();
    void writesNeedPermission();
    void writesCommitOrRollBackPerTarget();
    void cancelStopsEveryTargetOnItsServer();
};

void TestFanOut::statementEffects()
{
    QFETCH_GLOBAL(QString, backend);
    const auto reads = [](const char *sql) {
        return orm::statementEffect(QString::fromUtf8(sql)) == StatementEffect::Reads;
    };
    QVERIFY(reads("SELECT count(*) FROM t"));
    QVERIFY(reads("  -- note\n/* c */ select * from \"delete\" where x = 'update; drop'"));
    QVERIFY(reads("WITH x AS (SELECT 1) SELECT * FROM x"));
    QVERIFY(reads("(SELECT 1)"));
    QVERIFY(reads("EXPLAIN SELECT 1"));
    QVERIFY(reads("SELECT $$ insert $$, $t$ drop $t$"));
    QVERIFY(!reads("UPDATE t SET a = 1"));
    QVERIFY(!reads("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x"));
    QVERIFY(!reads("SELECT * INTO copy FROM t"));
    QVERIFY(!reads("SELECT * FROM t FOR UPDATE"));
    QVERIFY(!reads("EXPLAIN ANALYZE DELETE FROM t"));
    QVERIFY(!reads("create table x (a int)"));
    QVERIFY(!reads("VACUUM"));
    QVERIFY(!reads("select 'unterminated"));
    QVERIFY(reads("SELECT E'it\\'s', 'it''s'"));
    // A standard string ends at its quote, backslash or not: the DELETE after it is seen.
    QVERIFY(!reads("WITH a AS (SELECT 'x\\'), b AS (DELETE FROM t RETURNING 1) SELECT 1"));
    QVERIFY(!reads("SELECT 1 \"x\" FROM t; DELETE FROM t"));
}

void TestFanOut::schemaPatterns()
{
    QFETCH_GLOBAL(QString, backend);
    QVERIFY(orm::matchesSchemaPattern("acme_1", "acme_*"));
    QVERIFY(!orm::matchesSchemaPattern("xacme_1", "acme_*"));
    QVERIFY(orm::matchesSchemaPattern("acme_", "acme_"));  // no '%': '_' is literal...
    QVERIFY(!orm::matchesSchemaPattern("acmeX", "acme_")); // ...so this does not match
    QVERIFY(orm::matchesSchemaPattern("acmeX", "acme%"));
    QVERIFY(orm::matchesSchemaPattern("acmeX1", "acme_1%")); // LIKE: '_' is one character
    QVERIFY(!orm::matchesSchemaPattern("acme1", "acme_1%"));
    QVERIFY(orm::matchesSchemaPattern("a b \"c\"", "a b*"));
    QVERIFY(!orm::matchesSchemaPattern("Acme", "acme*")); // case-sensitive
    QVERIFY(orm::matchesSchemaPattern("anything", "*"));
}

void TestFanOut::selectsTenants()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    QList<FanOutTarget> targets = select(*t, TenantSelection::matching(t->prefix + "*"));
    QStringList schemas;
    for (const FanOutTarget &target : targets)
        schemas << target.schema;
    QCOMPARE(schemas, t->all());
    QVERIFY(targets.first().database.isEmpty());

    targets = select(*t, TenantSelection::list({t->b, "nowhere"}));
    QCOMPARE(targets.size(), 2);
    QCOMPARE(targets[1].schema, QStringLiteral("nowhere"));

    // Tenants: the schemas holding every tenant model's table (c has none), never the default.
    orm::Model items;
    items.name = "Items";
    items.table = t->table;
    t->registry->addTenantModel(items);
    targets = select(*t, TenantSelection::tenants());
    schemas.clear();
    for (const FanOutTarget &target : targets)
        if (target.schema.startsWith(t->prefix))
            schemas << target.schema;
    QCOMPARE(schemas, (QStringList{t->awkward, t->a, t->b}));
    QVERIFY(indexOf(targets, t->pg() ? "public" : "main") < 0);
}

void TestFanOut::mergesTenantsThatDiffer()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    const QList<FanOutTarget> targets = select(*t, TenantSelection::matching(t->prefix + "*"));
    FanOut fanOut(
        t->registry.get(), targets,
        QStringLiteral("SELECT * FROM %1 ORDER BY id").arg(orm::quoteIdentifier(t->table)));
    int appended = 0;
    connect(&fanOut, &FanOut::rowsAppended, this, [&](int, int count) { appended += count; });
    await(fanOut.run());
    QVERIFY(fanOut.isFinished());

    const int a = indexOf(targets, t->a), b = indexOf(targets, t->b), c = indexOf(targets, t->c),
              q = indexOf(targets, t->awkward);
    const QList<TargetOutcome> &outcomes = fanOut.outcomes();
    QVERIFY2(outcomes[a].succeeded(), qPrintable(outcomes[a].error));
    QVERIFY2(outcomes[q].succeeded(), qPrintable(outcomes[q].error));
    QCOMPARE(outcomes[c].status, TargetOutcome::Status::Failed);
    QVERIFY2(outcomes[c].error.contains("Items"), qPrintable(outcomes[c].error));
    QCOMPARE(outcomes[a].rows, 2);
    QCOMPARE(outcomes[b].rows, 3);
    QCOMPARE(outcomes[q].rows, 1);
    QCOMPARE(fanOut.failedCount(), 1);
    QCOMPARE(appended, 6);

    const orm::MergedResult &merged = fanOut.result();
    QStringList names;
    for (const orm::Column &column : merged.columns())
        names << column.name;
    QCOMPARE(names.mid(0, 2), (QStringList{"database", "schema"}));
    QCOMPARE(QSet<QString>(names.begin() + 2, names.end()),
             (QSet<QString>{"id", "name", "qty", "note"}));
    QCOMPARE(merged.rowCount(), 6);
    // a and the awkward tenant lack b's `note`: reported, and NULL marked as missing.
    QCOMPARE(outcomes[a].missingColumns, QStringList{"note"});
    QCOMPARE(outcomes[q].missingColumns, QStringList{"note"});
    QVERIFY(outcomes[a].columnsDiffer());
    QVERIFY(!outcomes[b].columnsDiffer());
    const int note = names.indexOf("note");
    int seenMissing = 0, seenRealNull = 0;
    for (int row = 0; row < merged.rowCount(); ++row) {
        const int target = merged.targetOf(row);
        QCOMPARE(merged.text(row, 1), targets[target].schema);
        QCOMPARE(merged.text(row, 0), QStringLiteral("primary"));
        if (merged.isMissing(row, note)) {
            QVERIFY(target != b);
            QVERIFY(merged.isNull(row, note));
            ++seenMissing;
        } else if (merged.isNull(row, note)) {
            QCOMPARE(target, b);
            ++seenRealNull;
        }
    }
    QCOMPARE(seenMissing, 3);
    QCOMPARE(seenRealNull, 1);

    // Printed form: the targets' rows in target order, their own order kept.
    const orm::Result printed = merged.toResult();
    QCOMPARE(printed.rowCount(), 6);
    QStringList order;
    for (int row = 0; row < printed.rowCount(); ++row)
        order << printed.text(row, 1) + "/" + printed.text(row, names.indexOf("name"));
    QCOMPARE(order, (QStringList{t->awkward + "/q1", t->a + "/a1", t->a + "/a2", t->b + "/b1",
                                 t->b + "/b2", t->b + "/b3"}));
    QVERIFY(printed.isNull(0, note));
    QCOMPARE(printed.text(3, note), QStringLiteral("n1"));
}

void TestFanOut::failingTargetsLeavePartialResults()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    // An extra on a loopback port nobody listens on, with a password that must never show.
    t->registry->addExtra("down", QStringLiteral("postgresql://strata:sekret@127.0.0.1:%1/x"
                                                 "?connect_timeout=3")
                                      .arg(strata::test::closedPort()));
    TenantSelection selection = TenantSelection::matching(t->prefix + "*");
    QList<FanOutTarget> targets = select(*t, selection);
    QCOMPARE(targets.size(), 5);
    QCOMPARE(targets.last().database, QStringLiteral("down"));
    QVERIFY(!targets.last().error.isEmpty());

    // a schema dropped (or a tenant file detached and removed) between selection and run
    if (t->pg()) {
        await(t->db()->executeScript(
            QStringLiteral("DROP SCHEMA %1 CASCADE").arg(orm::quoteIdentifier(t->a))));
    } else {
        const QString path = t->db()->attachments().value(t->a);
        QVERIFY(t->db()->detach(t->a));
        QVERIFY(QFile::remove(path));
    }
    FanOut fanOut(t->registry.get(), targets,
                  QStringLiteral("SELECT name FROM %1").arg(orm::quoteIdentifier(t->table)));
    await(fanOut.run());
    const QList<TargetOutcome> &outcomes = fanOut.outcomes();
    QCOMPARE(outcomes[indexOf(targets, t->a)].status, TargetOutcome::Status::Failed);
    QVERIFY2(outcomes[indexOf(targets, t->a)].error.contains(t->a),
             qPrintable(outcomes[indexOf(targets, t->a)].error));
    const TargetOutcome &down = outcomes.last();
    QCOMPARE(down.status, TargetOutcome::Status::Failed);
    QVERIFY2(down.error.contains("refused", Qt::CaseInsensitive), qPrintable(down.error));
    QVERIFY(!down.error.contains("sekret"));
    QVERIFY(outcomes[indexOf(targets, t->b)].succeeded());
    QVERIFY(outcomes[indexOf(targets, t->awkward)].succeeded());
    QCOMPARE(fanOut.result().rowCount(), 4); // b's 3 and the awkward tenant's 1
    QCOMPARE(fanOut.failedCount(), 3);       // a, c and down
    for (const TargetOutcome &outcome : outcomes)
        QVERIFY(!outcome.error.contains("sekret"));
}

void TestFanOut::writesNeedPermission()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    const QList<FanOutTarget> targets = select(*t, TenantSelection::matching(t->prefix + "*"));
    const QString update =
        QStringLiteral("UPDATE %1 SET qty = 0").arg(orm::quoteIdentifier(t->table));
    try {
        FanOut refused(t->registry.get(), targets, update);
        QFAIL("a writing statement ran without permission");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Usage);
        QVERIFY2(error.message().contains("4 targets"), error.what());
    }
    QCOMPARE(t->count(t->a, "qty = 0"), 0);
    try {
        FanOut two(t->registry.get(), targets, "SELECT 1; SELECT 2");
        QFAIL("two statements accepted");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Usage);
    }
    if (t->pg()) {
        // A read that writes through a function: the server's read-only transaction refuses it.
        t->ddl(t->a, QStringLiteral("CREATE FUNCTION %1.zero() RETURNS bigint LANGUAGE sql AS "
                                    "$$ UPDATE %2 SET qty = 0 RETURNING 1 $$")
                         .arg(orm::quoteIdentifier(t->a), QStringLiteral("%1")));
        FanOut sneaky(t->registry.get(), {FanOutTarget{{}, t->a, {}}}, "SELECT zero()");
        await(sneaky.run());
        QCOMPARE(sneaky.outcomes()[0].status, TargetOutcome::Status::Failed);
        QVERIFY2(sneaky.outcomes()[0].error.contains("read-only"),
                 qPrintable(sneaky.outcomes()[0].error));
        QCOMPARE(t->count(t->a, "qty = 0"), 0);
    }
}

void TestFanOut::writesCommitOrRollBackPerTarget()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    const QList<FanOutTarget> targets = select(*t, TenantSelection::matching(t->prefix + "*"));
    FanOutOptions options;
    options.allowWrites = true;
    // b has a row with qty 3: its CHECK fails there, after other rows of b were updated.
    FanOut fanOut(t->registry.get(), targets,
                  QStringLiteral("UPDATE %1 SET qty = qty - 5").arg(orm::quoteIdentifier(t->table)),
                  options);
    QVERIFY(fanOut.writes());
    await(fanOut.run());
    const QList<TargetOutcome> &outcomes = fanOut.outcomes();
    const TargetOutcome &a = outcomes[indexOf(targets, t->a)];
    const TargetOutcome &b = outcomes[indexOf(targets, t->b)];
    const TargetOutcome &q = outcomes[indexOf(targets, t->awkward)];
    QVERIFY2(a.succeeded() && a.committed, qPrintable(a.error));
    QCOMPARE(a.rowsAffected, 2);
    QVERIFY(q.succeeded() && q.committed);
    QCOMPARE(b.status, TargetOutcome::Status::Failed);
    QVERIFY(!b.committed);
    QVERIFY2(b.error.contains("check", Qt::CaseInsensitive) ||
                 b.error.contains("constraint", Qt::CaseInsensitive),
             qPrintable(b.error));
    QCOMPARE(outcomes[indexOf(targets, t->c)].status, TargetOutcome::Status::Failed);
    QCOMPARE(t->count(t->a, "qty IN (5, 15)"), 2);     // committed
    QCOMPARE(t->count(t->awkward, "qty = 5"), 1);      // committed
    QCOMPARE(t->count(t->b, "qty IN (10, 3, 30)"), 3); // nothing of it stayed
}

void TestFanOut::cancelStopsEveryTargetOnItsServer()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    const QList<FanOutTarget> targets = select(*t, TenantSelection::matching(t->prefix + "*"));
    const QString marker = t->prefix + QStringLiteral("_sleep");
    // Runs until cancelled: a 30 s sleep, or a recursive CTE without end.
    const QString sql =
        t->pg() ? QStringLiteral("SELECT '%1' AS marker FROM pg_sleep(30)").arg(marker)
                : QStringLiteral("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
                                 "c) SELECT count(*) FROM c");
    FanOutOptions options;
    options.perServer = 2; // two run, two wait: the waiting ones must never start
    FanOut fanOut(t->registry.get(), targets, sql, options);
    int started = 0;
    connect(&fanOut, &FanOut::targetStarted, this, [&] {
        if (++started == 2)
            QTimer::singleShot(400, &fanOut, &FanOut::cancel);
    });
    QElapsedTimer clock;
    clock.start();
    await(fanOut.run(), 15000);
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(started, 2);
    for (const TargetOutcome &outcome : fanOut.outcomes())
        QCOMPARE(outcome.status, TargetOutcome::Status::Cancelled);
    if (t->pg()) {
        const orm::Result left = await(t->db()->execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1",
            {QStringLiteral("%") + marker + QStringLiteral("%FROM pg_sleep%")}));
        QCOMPARE(left.value(0, 0).toInt(), 0);
    }
}

QTEST_GUILESS_MAIN(TestFanOut)
#include "tst_fan_out.moc"
