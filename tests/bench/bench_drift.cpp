// strata-bench drift: 500 tenant schemas of 20 tables compared with a template on PostgreSQL
// (every 50th tenant drifts), read once from the catalog; and the stall of the thread that
// awaits it.

#include "scenarios.h"
#include "support/await.h"

#include "orm/schema/tenant_drift.h"

#include <stdexcept>

namespace strata::bench {
namespace {

const char *const kScenario = "drift";
constexpr int kTenants = 500;
constexpr int kTables = 20;
const QString kPrefix = QStringLiteral("bench_drift_");

void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString schemaName(int i)
{
    return i < 0 ? kPrefix + QStringLiteral("template")
                 : kPrefix + QStringLiteral("t%1").arg(i, 3, 10, QLatin1Char('0'));
}

// A transaction per 10 schemas: 10,000 tables at once would exhaust the lock table.
void runInSlices(orm::Database &db, const QStringList &statements, int perSlice)
{
    for (qsizetype from = 0; from < statements.size(); from += perSlice)
        test::await(db.executeScript(statements.mid(from, perSlice).join(QStringLiteral(";\n"))),
                    300000);
}

void dropAll(orm::Database &db)
{
    QStringList drops;
    for (int i = -1; i < kTenants; ++i)
        drops << QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(schemaName(i));
    runInSlices(db, drops, 10);
}

} // namespace

void runDrift(const Context &context, Backend backend)
{
    orm::Database db(context.pgUrl);
    test::await(db.connect());
    dropAll(db);
    note(QStringLiteral("drift: creating %1 schemas x %2 tables").arg(kTenants + 1).arg(kTables));
    QStringList setup;
    for (int i = -1; i < kTenants; ++i) {
        const QString s = schemaName(i);
        QStringList statements{QStringLiteral("CREATE SCHEMA %1").arg(s)};
        for (int t = 0; t < kTables; ++t) {
            // Every 50th tenant: table 7 lacks a column and has another default.
            const bool drifts = i >= 0 && i % 50 == 0 && t == 7;
            statements << QStringLiteral("CREATE TABLE %1.table_%2 (id serial PRIMARY KEY, name "
                                         "text NOT NULL DEFAULT '%3', amount numeric(12,2), "
                                         "created timestamptz DEFAULT now()%4)")
                              .arg(s)
                              .arg(t)
                              .arg(drifts ? QStringLiteral("other") : QStringLiteral("n"))
                              .arg(drifts ? QString() : QStringLiteral(", note varchar(40)"))
                       << QStringLiteral("CREATE INDEX table_%2_name_idx ON %1.table_%2 (name)")
                              .arg(s)
                              .arg(t);
        }
        setup << statements.join(QStringLiteral(";\n"));
    }
    runInSlices(db, setup, 10);
    QStringList tenants;
    for (int i = 0; i < kTenants; ++i)
        tenants << schemaName(i);

    double best = 0;
    double stall = 0;
    int drifting = 0;
    for (int round = 0; round < 3; ++round) { // the first one warms the catalog cache
        StallProbe probe;
        probe.start();
        const Stopwatch watch;
        const orm::DriftReport report =
            test::await(orm::compareTenants(&db, schemaName(-1), tenants), 60000);
        const double seconds = watch.seconds();
        probe.stop();
        drifting = report.driftingCount();
        if (drifting != kTenants / 50)
            fail(QStringLiteral("%1 tenants drift, expected %2").arg(drifting).arg(kTenants / 50));
        note(QStringLiteral("drift round %1: %2 s, stall %3 ms (the thread ran %4 ms of it)")
                 .arg(round)
                 .arg(seconds, 0, 'f', 3)
                 .arg(probe.maxStallMs(), 0, 'f', 1)
                 .arg(probe.maxStallCpuMs(), 0, 'f', 1));
        if (round == 0)
            continue;
        best = round == 1 ? seconds : qMin(best, seconds);
        stall = round == 1 ? probe.maxStallMs() : qMin(stall, probe.maxStallMs());
    }
    const Report report(QString::fromLatin1(kScenario), backend);
    report.value(QStringLiteral("time"), best, QStringLiteral("s"));
    report.value(QStringLiteral("stall"), stall, QStringLiteral("ms"));
    dropAll(db);
    test::await(db.disconnect());
}

} // namespace strata::bench
