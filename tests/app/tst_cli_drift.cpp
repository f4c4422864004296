// `strata drift`, run as the built program on both backends: exit 1 and the differences when a
// tenant drifts, 0 when none does (so that it can gate CI), the JSON form, and a --script that,
// run on the tenant, makes drift report nothing; usage errors exit 2.

#include "await.h"
#include "backends.h"
#include "run_strata.h"

#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using strata::test::await;

namespace {

using Run = strata::test::StrataRun;
using strata::test::sqlitePath;

Run runStrata(const QStringList &arguments)
{
    return strata::test::runStrataCommand(QStringLiteral("drift"), arguments);
}

// A template, a tenant that matches it and one (awkwardly named) that drifts.
struct Tenants {
    bool pg = false;
    QString url;
    QString templateSchema, same, drifting;
    QStringList base;
    std::unique_ptr<orm::Database> db;

    ~Tenants()
    {
        if (pg)
            for (const QString &schema : {templateSchema, same, drifting})
                await(db->executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                            .arg(orm::quoteIdentifier(schema))));
        await(db->disconnect());
    }
};

std::unique_ptr<Tenants> makeTenants(const QString &backend)
{
    auto t = std::make_unique<Tenants>();
    t->pg = backend == QLatin1String("postgres");
    t->url = strata::test::urlFor(backend);
    const QString prefix = strata::test::uniqueName(QStringLiteral("cd"));
    t->templateSchema = prefix + QStringLiteral("_tpl");
    t->same = prefix + QStringLiteral("_same");
    t->drifting = prefix + QStringLiteral(" Drift \"Q\"");
    t->base = QStringList{QStringLiteral("--database"), t->url};
    t->db = std::make_unique<orm::Database>(t->url);
    await(t->db->connect());
    const QString good = QStringLiteral(
        "CREATE TABLE %1 (id integer PRIMARY KEY, \"Full Name\" text NOT NULL DEFAULT 'n', "
        "total numeric(10,2))");
    for (const QString &schema : {t->templateSchema, t->same, t->drifting}) {
        if (t->pg) {
            await(t->db->executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        } else {
            const QString path = sqlitePath(strata::test::urlFor(backend, QStringLiteral("t")));
            t->db->attach(schema, path);
            t->base << QStringLiteral("--attach") << schema + QLatin1Char('=') + path;
        }
        const QString table = orm::qualifiedName(schema, QStringLiteral("Orders"));
        await(t->db->executeScript(
            schema == t->drifting
                ? QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, \"Full Name\" text, "
                                 "note text)")
                      .arg(table)
                : good.arg(table)));
        await(t->db->executeScript(
            QStringLiteral("INSERT INTO %1 (id, \"Full Name\") VALUES (1, 'x')").arg(table)));
    }
    return t;
}

} // namespace

class TestCliDrift : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void driftExitsOne();
    void scriptBringsTheTenantBack();
    void usageErrors();
};

void TestCliDrift::driftExitsOne()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    const QString prefix = t->templateSchema.chopped(4);
    Run run = runStrata(t->base +
                        QStringList{"--template", t->templateSchema, "--tenants", prefix + "*"});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.out.contains(t->same + ": matches the template"), qPrintable(run.out));
    QVERIFY2(run.out.contains(t->drifting + ": 4 differences"), qPrintable(run.out));
    QVERIFY2(run.out.contains("Orders.note: extra column"), qPrintable(run.out));
    QVERIFY2(run.out.contains("Orders.total: missing column"), qPrintable(run.out));
    QVERIFY2(run.out.contains("Orders.Full Name: nullability NULL, template has NOT NULL"),
             qPrintable(run.out));
    QVERIFY2(run.out.contains("1 of 2 tenants drift from " + t->templateSchema),
             qPrintable(run.out));

    run = runStrata(t->base + QStringList{"--template", t->templateSchema, "--tenants",
                                          prefix + "*", "--json", "--row-counts"});
    QCOMPARE(run.code, 1);
    const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(report.value("drifting").toInt(), 1);
    const QJsonArray tenants = report.value("tenants").toArray();
    QCOMPARE(tenants.size(), 2);
    for (const QJsonValue &value : tenants) {
        const QJsonObject tenant = value.toObject();
        QCOMPARE(tenant.value("drifts").toBool(), tenant.value("schema") == t->drifting);
        QCOMPARE(
            tenant.value("rowCounts").toObject().value("Orders").toObject().value("tenant").toInt(),
            1);
    }

    // Only the tenant that matches: exit 0, so that CI passes.
    run = runStrata(t->base + QStringList{"--template", t->templateSchema, "--tenants", t->same});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains("0 of 1 tenants drift"), qPrintable(run.out));
}

void TestCliDrift::scriptBringsTheTenantBack()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    const QStringList only{"--template", t->templateSchema, "--tenants", t->drifting};
    Run run = runStrata(t->base + only + QStringList{"--script"});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.out.contains("(not run)"), qPrintable(run.out));
    run = runStrata(t->base + only + QStringList{"--script", "--json"});
    QCOMPARE(run.code, 1);
    const QJsonArray tenants =
        QJsonDocument::fromJson(run.out.toUtf8()).object().value("tenants").toArray();
    QStringList script;
    for (const QJsonValue &line : tenants[0].toObject().value("script").toArray())
        script << line.toString();
    QVERIFY(!script.isEmpty());
    // Printing it ran nothing: the tenant still drifts.
    QCOMPARE(runStrata(t->base + only).code, 1);
    await(t->db->executeScript(script.join("\n")));
    run = runStrata(t->base + only);
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(t->drifting + ": matches the template"), qPrintable(run.out));
}

void TestCliDrift::usageErrors()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    QCOMPARE(runStrata(t->base).code, 2); // no --template
    QCOMPARE(runStrata({"--template", "x"}).code, 2);
    const Run unknown = runStrata(t->base + QStringList{"--template", "no_such_template"});
    QCOMPARE(unknown.code, 2);
    QVERIFY2(unknown.err.contains("no schema named 'no_such_template'"), qPrintable(unknown.err));
    QCOMPARE(runStrata(t->base + QStringList{"--template", t->templateSchema, "extra"}).code, 2);
}

QTEST_GUILESS_MAIN(TestCliDrift)
#include "tst_cli_drift.moc"
