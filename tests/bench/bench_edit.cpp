// Scenario "edit": 10,000 staged cell changes (one column of 10,000 rows, with the journal on)
// committed through orm::editing::ChangeSet (one transaction, the optimistic check on every
// UPDATE, the writes pipelined) against the same UPDATEs pipelined by hand: BEGIN, one
// executeBatch of "UPDATE ... SET name = $1 WHERE id = $2", COMMIT on a driver connection
// ("pipelined"). And the stall of the thread that stages (a paste of the 10,000 cells, in
// slices, as the grid stages it) and commits.

#include "scenarios.h"
#include "support/await.h"

#include "orm/drivers/connection.h"
#include "orm/editing/change_set.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"

#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <stdexcept>

namespace strata::bench {
namespace {

constexpr qint64 kDefaultRows = 10'000;
constexpr int kRounds = 5;
constexpr int kTimeoutMs = 10 * 60 * 1000;
const QString kTable = QStringLiteral("bench_edit");

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString nameOf(qint64 id, int round)
{
    return QStringLiteral("name-%1-r%2").arg(id).arg(round);
}

QCoro::Task<> handPipelined(orm::drivers::Connection *connection, bool postgres,
                            QList<QVariantList> sets)
{
    const QString sql = postgres ? QStringLiteral("UPDATE bench_edit SET name = $1 WHERE id = $2")
                                 : QStringLiteral("UPDATE bench_edit SET name = ?1 WHERE id = ?2");
    co_await connection->execute(QStringLiteral("BEGIN"));
    const QList<qint64> changed = co_await connection->executeBatch(sql, std::move(sets));
    co_await connection->execute(QStringLiteral("COMMIT"));
    for (qint64 n : changed)
        if (n != 1)
            fail(QStringLiteral("a hand-pipelined UPDATE changed %1 rows").arg(n));
}

QCoro::Task<> openConnection(orm::drivers::Connection *connection)
{
    co_await connection->open();
}

QCoro::Task<> closeConnection(orm::drivers::Connection *connection)
{
    co_await connection->close();
}

} // namespace

void runEdit(const Context &context, Backend backend)
{
    const qint64 rows = context.rows(kDefaultRows);
    const bool postgres = backend == Backend::Postgres;
    const QString tag = QStringLiteral("edit/") + backendName(backend);
    QTemporaryDir dir;
    if (!dir.isValid())
        fail(QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString()));
    const QString url = postgres
                            ? context.pgUrl
                            : QStringLiteral("sqlite:///") +
                                  QDir(dir.path()).absoluteFilePath(QStringLiteral("edit.db")) +
                                  QStringLiteral("?create=true");

    orm::Registry registry(url);
    test::await(registry.connect(), kTimeoutMs);
    orm::Database *db = registry.database();
    test::await(db->executeScript(
                    QStringLiteral("DROP TABLE IF EXISTS bench_edit;"
                                   "CREATE TABLE bench_edit (id integer PRIMARY KEY, name text NOT "
                                   "NULL, qty integer)")),
                kTimeoutMs);
    QList<QVariantMap> seed;
    seed.reserve(rows);
    for (qint64 id = 1; id <= rows; ++id)
        seed.append({{QStringLiteral("id"), id},
                     {QStringLiteral("name"), nameOf(id, 0)},
                     {QStringLiteral("qty"), id % 7}});
    const orm::Model model =
        test::await(orm::reflection::loadModel(db, QString(), kTable), kTimeoutMs);
    test::await(orm::QuerySet(&registry, model).bulkCreate(seed), kTimeoutMs);
    seed.clear();

    std::unique_ptr<orm::drivers::Connection> connection =
        orm::drivers::createConnection(orm::DatabaseUrl::parse(url));
    test::await(openConnection(connection.get()), kTimeoutMs);

    QTemporaryDir journals;
    double ours = 0;
    double reference = 0;
    double stall = 0;
    double stageSeconds = 0;
    int round = 0;                                // the names hold the round that wrote them
    for (int pass = 0; pass <= kRounds; ++pass) { // pass 0 warms both paths
        // Ours: a paste of every row's name, staged and committed.
        orm::editing::ChangeSet edits(&registry, QString(), QString(), model,
                                      {journals.path(), QStringLiteral("bench")});
        QList<orm::editing::ChangeSet::CellEdit> paste;
        paste.reserve(rows);
        for (qint64 id = 1; id <= rows; ++id)
            paste.append({{id}, QStringLiteral("name"), nameOf(id, round), nameOf(id, round + 1)});
        StallProbe probe;
        probe.start();
        const Stopwatch staging;
        test::await(edits.updateCellsInSlices(std::move(paste)), kTimeoutMs);
        const double staged = staging.seconds();
        const Stopwatch committing;
        const orm::editing::CommitResult result = test::await(edits.commit(), kTimeoutMs);
        const double committed = committing.seconds();
        probe.stop();
        if (result.status != orm::editing::CommitResult::Status::Committed ||
            result.rowsChanged != rows)
            fail(QStringLiteral("the change set's commit: %1 (%2 rows)")
                     .arg(result.summary())
                     .arg(result.rowsChanged));
        ++round;

        // The same UPDATEs by hand.
        QList<QVariantList> sets;
        sets.reserve(rows);
        for (qint64 id = 1; id <= rows; ++id)
            sets.append({nameOf(id, round + 1), id});
        const Stopwatch byHand;
        test::await(handPipelined(connection.get(), postgres, std::move(sets)), kTimeoutMs);
        const double hand = byHand.seconds();
        ++round;

        note(QStringLiteral("%1: pass %2 staged %3 cells in %4 s, commit %5 s, pipelined %6 s, "
                            "stall %7 ms (the thread ran %8 ms of it)")
                 .arg(tag)
                 .arg(pass)
                 .arg(count(rows))
                 .arg(staged, 0, 'f', 4)
                 .arg(committed, 0, 'f', 3)
                 .arg(hand, 0, 'f', 3)
                 .arg(probe.maxStallMs(), 0, 'f', 1)
                 .arg(probe.maxStallCpuMs(), 0, 'f', 1));
        if (pass == 0)
            continue;
        ours = pass == 1 ? committed : std::min(ours, committed);
        reference = pass == 1 ? hand : std::min(reference, hand);
        // Times are the best pass (the least noise); the stall is the worst, what a user meets.
        stall = std::max(stall, probe.maxStallMs());
        stageSeconds = pass == 1 ? staged : std::min(stageSeconds, staged);
    }
    test::await(db->executeScript(QStringLiteral("DROP TABLE IF EXISTS bench_edit")), kTimeoutMs);
    test::await(closeConnection(connection.get()), kTimeoutMs);
    test::await(registry.disconnect(), kTimeoutMs);

    const Report report(QStringLiteral("edit"), backend);
    report.value(QStringLiteral("commit"), ours, QStringLiteral("s"));
    report.reference(QStringLiteral("commit"), QStringLiteral("pipelined"), reference,
                     QStringLiteral("s"));
    report.ratio(QStringLiteral("commit"), QStringLiteral("pipelined"), ours, reference);
    report.value(QStringLiteral("stage"), stageSeconds, QStringLiteral("s"));
    report.value(QStringLiteral("stall"), stall, QStringLiteral("ms"));
}

} // namespace strata::bench
