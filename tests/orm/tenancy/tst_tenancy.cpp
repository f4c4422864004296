// Tenant scopes are values: two coroutines interleaving queries for two tenants on one thread
// each see only their own rows; Edgy's precedence between explicit schema, tenant and model.

#include "await.h"
#include "backends.h"

#include "orm/registry/registry.h"
#include "orm/tenancy/tenant.h"

#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QTest>
#include <QTimer>

using orm::Error;
using orm::Q;
using orm::QuerySet;
using orm::Registry;
using orm::TenantScope;
using strata::test::await;

namespace {

orm::Model accountModel(const QString &table)
{
    orm::Model m;
    m.name = QStringLiteral("Account");
    m.table = table;
    m.origin = orm::ModelOrigin::Tenant;
    orm::Field id;
    id.name = QStringLiteral("id");
    id.type = orm::LogicalType::Integer;
    id.primaryKey = true;
    id.nullable = false;
    orm::Field owner;
    owner.name = QStringLiteral("owner");
    owner.type = orm::LogicalType::Text;
    owner.nullable = false;
    orm::Field step;
    step.name = QStringLiteral("step");
    step.type = orm::LogicalType::Integer;
    step.nullable = false;
    m.fields = {id, owner, step};
    return m;
}

QString sqliteFile(const QString &name)
{
    // urlFor() gives sqlite:///<absolute path>?create=true: the path is what ATTACH takes.
    return strata::test::urlFor(QStringLiteral("sqlite"), name)
        .section(QStringLiteral("sqlite:///"), 1)
        .section(QLatin1Char('?'), 0, 0);
}

// Creates the schemas (PostgreSQL) or attaches a file per tenant (SQLite), with the table in
// each and in the default schema.
void createTenants(Registry &registry, const QString &backend, const QStringList &tenants,
                   const QString &table)
{
    orm::Database *db = registry.database();
    const QString ddl =
        QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, owner text NOT NULL, step "
                       "integer NOT NULL)");
    for (const QString &tenant : tenants) {
        if (backend == QLatin1String("postgres"))
            await(db->executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(tenant))));
        else
            db->attach(tenant, sqliteFile(tenant));
        await(db->executeScript(ddl.arg(orm::qualifiedName(tenant, table))));
    }
    await(db->executeScript(ddl.arg(orm::quoteIdentifier(table))));
}

struct Log {
    QStringList steps;       // "<tenant>:<step>" in the order they happened
    QMap<QString, int> done; // steps finished per tenant
};

// Lockstep: step n of one tenant starts only once the other finished step n - 1, so the two
// really interleave whatever the timing (a new pooled connection can take longer to open
// than the other tenant needs for all of its steps).
QCoro::Task<> waitForTurn(Log *log, QString other, int step)
{
    QElapsedTimer clock;
    clock.start();
    while (log->done.value(other) < step) {
        if (clock.elapsed() > 20000)
            throw Error(Error::Kind::Timeout,
                        QStringLiteral("%1 never reached step %2").arg(other).arg(step));
        co_await QCoro::sleepFor(std::chrono::milliseconds(1));
    }
}

// One tenant's work: insert a row, then check it sees exactly its own rows, several times.
QCoro::Task<> tenantWork(TenantScope scope, QString other, orm::Model model, int rounds, Log *log)
{
    for (int step = 0; step < rounds; ++step) {
        co_await waitForTurn(log, other, step);
        const QuerySet accounts = scope.query(model);
        const QVariantMap row{{QStringLiteral("id"), step + 1},
                              {QStringLiteral("owner"), scope.schema()},
                              {QStringLiteral("step"), step}};
        co_await accounts.create(row);
        log->steps << scope.schema() + QLatin1Char(':') + QString::number(step);
        const QStringList byId{QStringLiteral("id")};
        const QuerySet ordered = accounts.orderBy(byId);
        const orm::Result rows = co_await ordered.all();
        if (rows.rowCount() != step + 1)
            throw Error(Error::Kind::Usage, QStringLiteral("%1 sees %2 rows at step %3")
                                                .arg(scope.schema())
                                                .arg(rows.rowCount())
                                                .arg(step));
        for (int i = 0; i < rows.rowCount(); ++i)
            if (rows.value(i, QStringLiteral("owner")).toString() != scope.schema())
                throw Error(
                    Error::Kind::Usage,
                    QStringLiteral("%1 sees a row of %2")
                        .arg(scope.schema(), rows.value(i, QStringLiteral("owner")).toString()));
        const qint64 own = co_await accounts.filter(Q("owner", scope.schema())).count();
        if (own != step + 1)
            throw Error(Error::Kind::Usage,
                        QStringLiteral("%1 counts %2 rows of its own at step %3")
                            .arg(scope.schema())
                            .arg(own)
                            .arg(step));
        log->done[scope.schema()] = step + 1;
    }
}

// Awaits both even when the first fails, so neither outlives the test's locals.
QCoro::Task<> both(QCoro::Task<> a, QCoro::Task<> b)
{
    std::exception_ptr error;
    try {
        co_await a;
    } catch (...) {
        error = std::current_exception();
    }
    co_await b;
    if (error)
        std::rethrow_exception(error);
}

} // namespace

class TestTenancy : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void interleavedTenantsSeeOnlyTheirRows();
    void precedence();
    void defaultSchemaNeverReadsATenant();
};

void TestTenancy::interleavedTenantsSeeOnlyTheirRows()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    const QString acme = strata::test::uniqueName(QStringLiteral("acme"));
    const QString globex = strata::test::uniqueName(QStringLiteral("globex"));
    const QString table = strata::test::uniqueName(QStringLiteral("account"));
    await(registry.connect());
    createTenants(registry, backend, {acme, globex}, table);
    const orm::Model model = accountModel(table);

    Log log;
    const int rounds = 20;
    auto first = tenantWork(registry.tenant(acme), globex, model, rounds, &log);
    auto second = tenantWork(registry.tenant(globex), acme, model, rounds, &log);
    await(both(std::move(first), std::move(second)), 60000);

    // Both really ran interleaved on this one thread: neither finished before the other began.
    QCOMPARE(log.steps.size(), 2 * rounds);
    const qsizetype acmeLast = log.steps.indexOf(acme + QStringLiteral(":%1").arg(rounds - 1));
    const qsizetype globexFirst = log.steps.indexOf(globex + QStringLiteral(":0"));
    const qsizetype globexLast = log.steps.indexOf(globex + QStringLiteral(":%1").arg(rounds - 1));
    const qsizetype acmeFirst = log.steps.indexOf(acme + QStringLiteral(":0"));
    QVERIFY2(globexFirst < acmeLast && acmeFirst < globexLast,
             qPrintable(log.steps.join(QLatin1Char(' '))));

    // Each schema holds its own rows only, and the default one none: nothing leaked.
    const QuerySet plain(&registry, model);
    QCOMPARE(await(plain.usingSchema(acme).filter(Q("owner", acme)).count()), qint64(rounds));
    QCOMPARE(await(plain.usingSchema(acme).count()), qint64(rounds));
    QCOMPARE(await(plain.usingSchema(globex).count()), qint64(rounds));
    QCOMPARE(await(plain.count()), qint64(0));
    await(registry.disconnect());
}

void TestTenancy::precedence()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    const QString acme = strata::test::uniqueName(QStringLiteral("acme"));
    const QString globex = strata::test::uniqueName(QStringLiteral("globex"));
    const QString home = strata::test::uniqueName(QStringLiteral("home"));
    const QString table = strata::test::uniqueName(QStringLiteral("account"));
    await(registry.connect());
    createTenants(registry, backend, {acme, globex, home}, table);
    for (const QString &schema : {acme, globex, home}) {
        const QVariantMap row{{QStringLiteral("id"), 1},
                              {QStringLiteral("owner"), schema},
                              {QStringLiteral("step"), 0}};
        await(QuerySet(&registry, accountModel(table)).usingSchema(schema).create(row));
    }
    orm::Model model = accountModel(table);
    model.schema = home; // the model's own default
    auto owner = [](const QuerySet &qs) {
        return await(qs.get()).value(QStringLiteral("owner")).toString();
    };

    const TenantScope tenant(&registry, acme);
    QCOMPARE(tenant.schema(), acme);
    QCOMPARE(owner(QuerySet(&registry, model)), home);                // model default
    QCOMPARE(owner(tenant.query(model)), acme);                       // tenant over model
    QCOMPARE(owner(tenant.query(model).usingSchema(globex)), globex); // explicit over tenant
    QCOMPARE(owner(tenant.apply(QuerySet(&registry, model).usingSchema(globex))), globex);
    QCOMPARE(owner(tenant.query(model).usingModelSchema()), home); // back to the model's
    QCOMPARE(owner(tenant.apply(QuerySet(&registry, model))), acme);
    // A scope on a named database of the registry.
    const TenantScope onPrimary(&registry, registry.database(), globex);
    QCOMPARE(owner(onPrimary.query(model)), globex);
    QCOMPARE(onPrimary.query(model).database(), registry.database());
    await(registry.disconnect());
}

// A table that only a tenant has: a query of the default schema must not find the tenant's
// (SQLite searches every attached file for an unqualified name; PostgreSQL's search_path does
// not include tenant schemas).
void TestTenancy::defaultSchemaNeverReadsATenant()
{
    STRATA_BACKEND_URL(url);
    Registry registry(url);
    await(registry.connect());
    orm::Database *db = registry.database();
    const QString tenant = strata::test::uniqueName(QStringLiteral("only"));
    const QString table = strata::test::uniqueName(QStringLiteral("tenant_only"));
    if (backend == QLatin1String("postgres"))
        await(db->executeScript(
            QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(tenant))));
    else
        db->attach(tenant, sqliteFile(tenant));
    await(db->executeScript(
        QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, owner text NOT NULL, step "
                       "integer NOT NULL); INSERT INTO %1 VALUES (1, 'tenant', 0)")
            .arg(orm::qualifiedName(tenant, table))));
    const orm::Model model = accountModel(table);

    // In the tenant: its row.
    QCOMPARE(await(registry.tenant(tenant).query(model).count()), qint64(1));
    // In the default schema: no such table, said as such; never the tenant's row.
    try {
        const qint64 rows = await(QuerySet(&registry, model).count());
        QFAIL(qPrintable(QStringLiteral("the default schema read %1 row(s) of tenant %2")
                             .arg(rows)
                             .arg(tenant)));
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Sql);
        QVERIFY2(error.message().contains(table), qPrintable(error.toString()));
    }
    await(registry.disconnect());
}

QTEST_GUILESS_MAIN(TestTenancy)
#include "tst_tenancy.moc"
