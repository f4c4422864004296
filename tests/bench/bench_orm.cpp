// Scenarios "reflect" and "bulk": the ORM layer above the drivers.
//
// reflect: 20,000 tables x 10 columns in one PostgreSQL schema; the time to list the models
// (names and kinds, no columns) and the time to reflect one model's fields.
// bulk: QuerySet::bulkCreate of 100,000 rows (one pipelined batch) against one INSERT per round
// trip on one connection, both in one transaction.

#include "scenarios.h"
#include "support/await.h"

#include "orm/database/database.h"
#include "orm/query/queryset.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"

#include <QDateTime>

#include <algorithm>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr int kTimeoutMs = 30 * 60 * 1000;

QCoro::Task<> createTables(orm::Database *db, int tables)
{
    QString columns = QStringLiteral("c0 integer PRIMARY KEY");
    for (int c = 1; c < 10; ++c)
        columns += QStringLiteral(", c%1 %2")
                       .arg(c)
                       .arg(c % 2 ? QStringLiteral("text") : QStringLiteral("numeric"));
    co_await db->executeScript(QStringLiteral("CREATE SCHEMA bench_reflect"));
    // In chunks: one transaction creating them all runs out of lock slots.
    constexpr int chunk = 1000;
    for (int first = 1; first <= tables; first += chunk) {
        const int last = std::min(tables, first + chunk - 1);
        co_await db->executeScript(
            QStringLiteral("DO $$ BEGIN FOR i IN %1..%2 LOOP EXECUTE format('CREATE TABLE "
                           "bench_reflect.t%s (%3)', i); END LOOP; END $$")
                .arg(first)
                .arg(last)
                .arg(columns));
    }
}

// Dropped in chunks too, for the same reason.
QCoro::Task<> dropTables(orm::Database *db, int tables)
{
    constexpr int chunk = 1000;
    for (int first = 1; first <= tables; first += chunk)
        co_await db->executeScript(
            QStringLiteral("DO $$ BEGIN FOR i IN %1..%2 LOOP EXECUTE format('DROP TABLE IF EXISTS "
                           "bench_reflect.t%s', i); END LOOP; END $$")
                .arg(first)
                .arg(std::min(tables, first + chunk - 1)));
    co_await db->executeScript(QStringLiteral("DROP SCHEMA bench_reflect"));
}

QCoro::Task<std::pair<double, double>> reflectTimes(orm::Database *db, int tables)
{
    const Stopwatch listClock;
    const QList<orm::Model> models =
        co_await orm::reflection::listModels(db, QStringLiteral("bench_reflect"));
    const double list = listClock.seconds();
    if (models.size() != tables)
        throw std::runtime_error("listModels did not return every table");
    const Stopwatch modelClock;
    const orm::Model one = co_await orm::reflection::loadModel(
        db, QStringLiteral("bench_reflect"), QStringLiteral("t%1").arg(tables / 2));
    const double model = modelClock.seconds();
    if (one.fields.size() != 10)
        throw std::runtime_error("loadModel did not return the 10 columns");
    co_return std::make_pair(list, model);
}

orm::Model bulkModel()
{
    return orm::ModelBuilder(QStringLiteral("BenchBulk"), QStringLiteral("bench_bulk"))
        .field(QStringLiteral("id"), QStringLiteral("integer"))
        .primaryKey()
        .field(QStringLiteral("name"), QStringLiteral("text"))
        .field(QStringLiteral("amount"), QStringLiteral("numeric"))
        .field(QStringLiteral("created"), QStringLiteral("timestamptz"))
        .field(QStringLiteral("flag"), QStringLiteral("boolean"))
        .build();
}

QCoro::Task<double> bulkCreateTime(orm::Registry *registry, QList<QVariantMap> rows)
{
    orm::Database *db = registry->database();
    co_await db->executeScript(QStringLiteral("TRUNCATE bench_bulk"));
    const orm::QuerySet set(registry, bulkModel());
    const Stopwatch clock;
    co_await set.bulkCreate(std::move(rows));
    co_return clock.seconds();
}

QCoro::Task<double> roundTripTime(orm::Database *db, QList<QVariantMap> rows)
{
    co_await db->executeScript(QStringLiteral("TRUNCATE bench_bulk"));
    orm::ConnectionLease lease = co_await db->acquire();
    const QString insert = QStringLiteral(
        "INSERT INTO bench_bulk (id, name, amount, created, flag) VALUES ($1, $2, $3, $4, $5)");
    const Stopwatch clock;
    co_await lease->executeScript(QStringLiteral("BEGIN"));
    for (const QVariantMap &row : rows) {
        QVariantList params;
        params << row[QStringLiteral("id")] << row[QStringLiteral("name")]
               << row[QStringLiteral("amount")] << row[QStringLiteral("created")]
               << row[QStringLiteral("flag")];
        co_await lease->execute(insert, params);
    }
    co_await lease->executeScript(QStringLiteral("COMMIT"));
    co_return clock.seconds();
}

} // namespace

void runReflect(const Context &context, Backend backend)
{
    if (backend != Backend::Postgres)
        return;
    const Report report(QStringLiteral("reflect"), backend);
    const int tables = int(context.rows(20000));
    orm::Database db(context.pgUrl);
    strata::test::await(db.connect(), kTimeoutMs);
    note(QStringLiteral("reflect/postgres: creating %1 tables x 10 columns").arg(tables));
    strata::test::await(createTables(&db, tables), kTimeoutMs);
    strata::test::await(reflectTimes(&db, tables), kTimeoutMs); // warm the catalog caches
    const auto [list, model] = strata::test::await(reflectTimes(&db, tables), kTimeoutMs);
    report.value(QStringLiteral("list"), list, QStringLiteral("s"));
    report.value(QStringLiteral("model"), model * 1000, QStringLiteral("ms"));
    strata::test::await(dropTables(&db, tables), kTimeoutMs);
    strata::test::await(db.disconnect(), kTimeoutMs);
}

void runBulk(const Context &context, Backend backend)
{
    if (backend != Backend::Postgres)
        return;
    const Report report(QStringLiteral("bulk"), backend);
    const int count = int(context.rows(100000));
    orm::Registry registry(context.pgUrl);
    strata::test::await(registry.connect(), kTimeoutMs);
    orm::Database *db = registry.database();
    strata::test::await(
        db->executeScript(QStringLiteral(
            "DROP TABLE IF EXISTS bench_bulk; CREATE TABLE bench_bulk (id integer PRIMARY KEY, "
            "name text, amount numeric, created timestamptz, flag boolean)")),
        kTimeoutMs);
    QList<QVariantMap> rows;
    rows.reserve(count);
    const QDateTime start = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < count; ++i)
        rows.append(QVariantMap{{QStringLiteral("id"), i},
                                {QStringLiteral("name"), QStringLiteral("row %1").arg(i)},
                                {QStringLiteral("amount"), i * 0.25},
                                {QStringLiteral("created"), start.addSecs(i)},
                                {QStringLiteral("flag"), i % 2 == 0}});
    const double bulk = strata::test::await(bulkCreateTime(&registry, rows), kTimeoutMs);
    const double trips = strata::test::await(roundTripTime(db, rows), kTimeoutMs);
    report.value(QStringLiteral("time"), bulk, QStringLiteral("s"));
    report.reference(QStringLiteral("time"), QStringLiteral("round-trips"), trips,
                     QStringLiteral("s"));
    report.ratio(QStringLiteral("time"), QStringLiteral("round-trips"), bulk, trips);
    strata::test::await(db->executeScript(QStringLiteral("DROP TABLE bench_bulk")), kTimeoutMs);
    strata::test::await(registry.disconnect(), kTimeoutMs);
}

} // namespace strata::bench
