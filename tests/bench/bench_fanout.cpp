// strata-bench fanout: SELECT count(*) fanned out over 200 tenant schemas of one PostgreSQL
// server, against the same statement on one schema that holds all of their rows (the same
// data in one place: what fanning out costs); and how soon the first rows merge.

#include "scenarios.h"
#include "support/await.h"

#include "orm/fanout/fan_out.h"
#include "orm/query/sql_dialect.h"

#include <stdexcept>

namespace strata::bench {
namespace {

const char *const kScenario = "fanout";
constexpr int kTenants = 200;
const QString kPrefix = QStringLiteral("bench_fanout_t");
const QString kAll = QStringLiteral("bench_fanout_all");

void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString tenantName(int i)
{
    return kPrefix + QStringLiteral("%1").arg(i, 3, 10, QLatin1Char('0'));
}

void dropAll(orm::Database &db)
{
    QStringList drops{QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(kAll)};
    for (int i = 0; i < kTenants; ++i)
        drops << QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(tenantName(i));
    test::await(db.executeScript(drops.join(QStringLiteral(";\n"))), 120000);
}

struct Timing {
    double seconds = 0;
    double firstRowsMs = 0;
    double stallMs = 0;
    qint64 total = 0;
};

Timing timeFanOut(orm::Registry *registry, const QList<orm::FanOutTarget> &targets)
{
    orm::FanOut fanOut(registry, targets, QStringLiteral("SELECT count(*) FROM t"));
    Timing timing;
    const Stopwatch watch;
    QObject::connect(&fanOut, &orm::FanOut::rowsAppended, &fanOut, [&](int first, int) {
        if (first == 0)
            timing.firstRowsMs = watch.seconds() * 1000;
    });
    StallProbe probe;
    probe.start();
    test::await(fanOut.run(), 120000);
    probe.stop();
    timing.seconds = watch.seconds();
    timing.stallMs = probe.maxStallMs();
    if (fanOut.failedCount())
        fail(QStringLiteral("%1 targets failed: %2")
                 .arg(fanOut.failedCount())
                 .arg(fanOut.outcomes().first().error));
    const orm::MergedResult &merged = fanOut.result();
    if (merged.rowCount() != targets.size())
        fail(QStringLiteral("%1 rows merged, expected %2")
                 .arg(merged.rowCount())
                 .arg(targets.size()));
    for (int row = 0; row < merged.rowCount(); ++row)
        timing.total += merged.value(row, 2).toLongLong();
    return timing;
}

} // namespace

void runFanOut(const Context &context, Backend backend)
{
    Q_UNUSED(backend);
    const qint64 rows = context.rows(5000); // per tenant
    orm::Registry registry(context.pgUrl);
    test::await(registry.connect());
    orm::Database &db = *registry.database();
    dropAll(db);
    note(QStringLiteral("fanout: %1 tenant schemas x %2 rows, and one schema of %3 rows")
             .arg(kTenants)
             .arg(count(rows))
             .arg(count(rows * kTenants)));
    QStringList setup;
    for (int i = 0; i < kTenants; ++i)
        setup << QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.t (id integer, v integer); "
                                "INSERT INTO %1.t SELECT g, g %% 7 FROM generate_series(1, %2) g")
                     .arg(tenantName(i))
                     .arg(rows)
                     .replace(QStringLiteral("%%"), QStringLiteral("%"));
    setup << QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.t (id integer, v integer); "
                            "INSERT INTO %1.t SELECT g, g %% 7 FROM generate_series(1, %2) g")
                 .arg(kAll)
                 .arg(rows * kTenants)
                 .replace(QStringLiteral("%%"), QStringLiteral("%"));
    for (qsizetype from = 0; from < setup.size(); from += 20) // a transaction per 20 schemas
        test::await(db.executeScript(setup.mid(from, 20).join(QStringLiteral(";\n"))), 300000);
    test::await(db.executeScript(QStringLiteral("VACUUM ANALYZE")), 300000);

    const QList<orm::FanOutTarget> tenants = test::await(orm::selectTargets(
        &registry, orm::TenantSelection::matching(kPrefix + QStringLiteral("*"))));
    if (tenants.size() != kTenants)
        fail(QStringLiteral("%1 tenants selected, expected %2").arg(tenants.size()).arg(kTenants));
    const QList<orm::FanOutTarget> one{orm::FanOutTarget{QString(), kAll, QString()}};

    timeFanOut(&registry, tenants); // warm-up: connections opened, caches read
    timeFanOut(&registry, one);
    Timing best, bestOne;
    for (int round = 0; round < 2; ++round) { // interleaved, so that drift hits both alike
        const Timing many = timeFanOut(&registry, tenants);
        const Timing single = timeFanOut(&registry, one);
        if (many.total != rows * kTenants || single.total != rows * kTenants)
            fail(QStringLiteral("counted %1 and %2 rows").arg(many.total).arg(single.total));
        if (round == 0 || many.seconds < best.seconds)
            best = many;
        if (round == 0 || single.seconds < bestOne.seconds)
            bestOne = single;
        best.stallMs = qMax(best.stallMs, many.stallMs);
    }
    note(QStringLiteral("fanout: %1 tenants %2 s (first rows %3 ms), one schema %4 s")
             .arg(kTenants)
             .arg(best.seconds, 0, 'f', 3)
             .arg(best.firstRowsMs, 0, 'f', 1)
             .arg(bestOne.seconds, 0, 'f', 3));
    const Report report(QString::fromLatin1(kScenario), backend);
    report.value(QStringLiteral("time"), best.seconds, QStringLiteral("s"));
    report.reference(QStringLiteral("time"), QStringLiteral("one-tenant"), bestOne.seconds,
                     QStringLiteral("s"));
    report.ratio(QStringLiteral("time"), QStringLiteral("one-tenant"), best.seconds,
                 bestOne.seconds);
    report.value(QStringLiteral("first-rows"), best.firstRowsMs, QStringLiteral("ms"));
    report.value(QStringLiteral("stall"), best.stallMs, QStringLiteral("ms"));
    dropAll(db);
    test::await(registry.disconnect());
}

} // namespace strata::bench
