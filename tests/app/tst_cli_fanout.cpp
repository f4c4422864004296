// `strata fanout`, run as the built program on both backends: the merged result in each format
// with its source columns, tenants that differ, a refused extra (exit 1, the partial result
// printed, the failure on stderr naming the target, no password anywhere), writes refused
// without --allow-writes (exit 2, nothing changed) and usage errors.

#include "await.h"
#include "backends.h"
#include "loopback_ports.h"
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
    return strata::test::runStrataCommand(QStringLiteral("fanout"), arguments);
}

// Tenants <prefix>_a (2 rows), <prefix> Odd "Q" (1 row, an extra column) and <prefix>_c (no
// table); `base` holds the --database and --attach arguments that reach them.
struct Tenants {
    QString url;
    QString prefix;
    QString a, odd, c;
    QStringList base;
    bool pg = false;

    ~Tenants()
    {
        if (!pg)
            return;
        orm::Database db(url);
        await(db.connect());
        for (const QString &schema : {a, odd, c})
            await(db.executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                       .arg(orm::quoteIdentifier(schema))));
        await(db.disconnect());
    }
};

std::unique_ptr<Tenants> makeTenants(const QString &backend)
{
    auto t = std::make_unique<Tenants>();
    t->pg = backend == QLatin1String("postgres");
    t->url = strata::test::urlFor(backend);
    t->prefix = strata::test::uniqueName(QStringLiteral("cf"));
    t->a = t->prefix + QStringLiteral("_a");
    t->odd = t->prefix + QStringLiteral(" Odd \"Q\"");
    t->c = t->prefix + QStringLiteral("_c");
    t->base = QStringList{QStringLiteral("--database"), t->url};
    orm::Database db(t->url);
    await(db.connect());
    for (const QString &schema : {t->a, t->odd, t->c}) {
        if (t->pg) {
            await(db.executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        } else {
            const QString path = sqlitePath(strata::test::urlFor(backend, QStringLiteral("t")));
            db.attach(schema, path);
            t->base << QStringLiteral("--attach") << schema + QLatin1Char('=') + path;
        }
    }
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, name text);"
                       "INSERT INTO %1 VALUES (1, 'a1'), (2, 'a2');"
                       "CREATE TABLE %2 (id integer PRIMARY KEY, name text, extra text);"
                       "INSERT INTO %2 VALUES (7, 'o, \"7\"', 'x')")
            .arg(orm::qualifiedName(t->a, QStringLiteral("t")),
                 orm::qualifiedName(t->odd, QStringLiteral("t")))));
    await(db.disconnect());
    return t;
}

} // namespace

class TestCliFanOut : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void mergedResultInEveryFormat();
    void refusedExtraIsPartial();
    void writesNeedAllowWrites();
    void usageErrors();
};

void TestCliFanOut::mergedResultInEveryFormat()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    const QStringList select{QStringLiteral("--tenants"), t->prefix + QStringLiteral("*"),
                             QStringLiteral("SELECT * FROM t ORDER BY id")};

    Run run = runStrata(t->base + QStringList{"--format", "json"} + select);
    QCOMPARE(run.code, 1); // c has no table t
    QVERIFY2(run.err.contains("primary/" + t->c + ": failed"), qPrintable(run.err));
    QVERIFY2(run.err.contains("primary/" + t->a + ": columns differ: no extra"),
             qPrintable(run.err));
    const QJsonArray rows = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(rows.size(), 3);
    // Targets in name order (' ' sorts before '_'), each target's rows in its own order.
    QCOMPARE(rows[0].toObject().value("schema").toString(), t->odd);
    QCOMPARE(rows[0].toObject().value("database").toString(), QStringLiteral("primary"));
    QCOMPARE(rows[0].toObject().value("id").toInt(), 7);
    QCOMPARE(rows[0].toObject().value("extra").toString(), QStringLiteral("x"));
    QCOMPARE(rows[1].toObject().value("schema").toString(), t->a);
    QCOMPARE(rows[2].toObject().value("name").toString(), QStringLiteral("a2"));
    QVERIFY(rows[2].toObject().value("extra").isNull());

    run = runStrata(t->base + QStringList{"--format", "csv"} + select);
    QCOMPARE(run.code, 1);
    const QStringList lines = run.out.split("\r\n", Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QStringLiteral("database,schema,id,name,extra"));
    QCOMPARE(lines[1],
             "primary,\"" + QString(t->odd).replace("\"", "\"\"") + "\",7,\"o, \"\"7\"\"\",x");
    QCOMPARE(lines[2], "primary," + t->a + ",1,a1,");

    run = runStrata(t->base + QStringList{"--schemas", t->a} + select.mid(2));
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains("database") && run.out.contains("a2") && run.out.contains("(2 rows)"),
             qPrintable(run.out));
    QVERIFY(run.err.isEmpty());
}

void TestCliFanOut::refusedExtraIsPartial()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    const QString down = QStringLiteral("postgresql://strata:hunter2secret@127.0.0.1:%1/x"
                                        "?connect_timeout=3")
                             .arg(strata::test::closedPort());
    const Run run =
        runStrata(t->base + QStringList{"--extra", "down=" + down, "--tenants", t->prefix + "_a",
                                        "--format", "json", "SELECT count(*) AS n FROM t"});
    QCOMPARE(run.code, 1);
    const QJsonArray rows = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].toObject().value("n").toInt(), 2);
    QVERIFY2(run.err.contains("strata fanout: down: failed"), qPrintable(run.err));
    QVERIFY2(run.err.contains("refused", Qt::CaseInsensitive), qPrintable(run.err));
    QVERIFY(!run.out.contains("hunter2secret"));
    QVERIFY(!run.err.contains("hunter2secret"));
}

void TestCliFanOut::writesNeedAllowWrites()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    const QStringList target{"--tenants", t->prefix + "_a"};
    Run run = runStrata(t->base + target + QStringList{"DELETE FROM t WHERE id = 1"});
    QCOMPARE(run.code, 2);
    QVERIFY2(run.err.contains("writes must be allowed"), qPrintable(run.err));
    run = runStrata(t->base + target +
                    QStringList{"--format", "json", "SELECT count(*) AS n FROM t"});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).array()[0].toObject().value("n").toInt(), 2);

    run = runStrata(t->base + target +
                    QStringList{"--allow-writes", "--format", "csv", "DELETE FROM t WHERE id = 1"});
    QCOMPARE(run.code, 0);
    QCOMPARE(run.out,
             "database,schema,status,rows_affected,committed\r\nprimary," + t->a + ",ok,1,yes\r\n");
    run = runStrata(t->base + target +
                    QStringList{"--format", "json", "SELECT count(*) AS n FROM t"});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).array()[0].toObject().value("n").toInt(), 1);
}

void TestCliFanOut::usageErrors()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend);
    QCOMPARE(runStrata({"SELECT 1"}).code, 2);
    QCOMPARE(runStrata(t->base + QStringList{"--format", "xml", "SELECT 1"}).code, 2);
    QCOMPARE(runStrata(t->base + QStringList{"--tenants", "x", "--schemas", "y", "SELECT 1"}).code,
             2);
    QCOMPARE(runStrata(t->base + QStringList{"--per-server", "0", "SELECT 1"}).code, 2);
    const Run none = runStrata(t->base + QStringList{"--tenants", "no_such_*", "SELECT 1"});
    QCOMPARE(none.code, 2);
    QVERIFY2(none.err.contains("no schema matches"), qPrintable(none.err));
    QCOMPARE(runStrata(t->base + QStringList{"--extra", "novalue", "SELECT 1"}).code, 2);
}

QTEST_GUILESS_MAIN(TestCliFanOut)
#include "tst_cli_fanout.moc"
