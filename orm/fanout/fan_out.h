#pragma once

// One statement run on many targets (databases of a registry and their tenant schemas) at once,
// each on its own leased connection, at most `perServer` at a time per server; their rows merge
// into one result as they arrive.
//
//   orm::FanOut fanOut(&registry, co_await orm::selectTargets(&registry, selection), sql);
//   co_await fanOut.run();   // never throws for a target's failure: see outcomes()
//
// Scoping (using(database, schema) for raw SQL): on PostgreSQL the statement runs in a
// transaction whose search_path is the target's schema alone (set_config(..., true), so
// nothing outlives it on the pooled connection); a schema that does not exist fails that target.
// On SQLite a tenant is an attached database: the statement runs on a connection whose main
// database is the tenant's file, so that its unqualified names are the tenant's tables.
//
// Reads run in a transaction the server keeps read-only (BEGIN READ ONLY; SQLite's query_only)
// and is rolled back. A statement that may write (statementEffect) is refused with Error(Usage)
// before anything runs unless writes are allowed; then each target runs it in a transaction of
// its own, committed when it succeeds and rolled back when it fails.

#include "orm/fanout/fan_out_targets.h"
#include "orm/fanout/merged_result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <vector>

namespace orm {

struct FanOutOptions {
    int perServer = 4; // statements at once per server (host list, or SQLite main file)
    bool allowWrites = false;
    int batchRows = 1000;
};

struct TargetOutcome {
    enum class Status { Waiting, Running, Succeeded, Failed, Cancelled };
    Status status = Status::Waiting;
    qint64 rows = 0;          // rows returned (merged)
    qint64 rowsAffected = -1; // what the statement changed, when the server says
    qint64 elapsedMs = 0;     // from the lease to the end of its transaction
    QString error;            // the error, password masked, when Failed or Cancelled
    bool committed = false;   // a write that was committed (false: nothing of it stayed)
    // The merged columns this target lacks (NULL in its rows), and columns it gave with another
    // type than the merged one; filled when the run ends.
    QStringList missingColumns;
    QStringList typeConflicts;

    bool succeeded() const { return status == Status::Succeeded; }
    bool columnsDiffer() const { return !missingColumns.isEmpty() || !typeConflicts.isEmpty(); }
    static QString statusName(Status status);
};

class FanOut : public QObject {
    Q_OBJECT

public:
    // Throws Error(Usage) when `sql` is empty or more than one statement, and when it may write
    // and options.allowWrites is false: nothing has run then.
    FanOut(Registry *registry, QList<FanOutTarget> targets, QString sql, FanOutOptions options = {},
           QObject *parent = nullptr);
    ~FanOut() override;

    const QList<FanOutTarget> &targets() const { return m_targets; }
    const QString &sql() const { return m_sql; }
    const FanOutOptions &options() const { return m_options; }
    // Whether the statement may write (then allowWrites was given).
    bool writes() const { return m_writes; }

    // Runs every target; ends when all are done. Call once, and keep this object alive until it
    // ends. Throws only for misuse (a second run): a target's failure is in its outcome.
    QCoro::Task<> run();
    // Stops every target: statements running are cancelled on their server, waiting targets
    // never start. Their outcomes read Cancelled; rows already merged stay.
    void cancel();
    bool isCancelled() const { return m_cancelled; }

    const MergedResult &result() const { return m_result; }
    const QList<TargetOutcome> &outcomes() const { return m_outcomes; }
    int failedCount() const;
    bool isFinished() const { return m_finished; }

signals:
    void targetStarted(int target);
    // Rows [first, first + count) of result() arrived.
    void rowsAppended(int first, int count);
    // The merged columns grew (a target gave a column no earlier one had).
    void columnsChanged();
    void targetFinished(int target);
    void finished();

private:
    QCoro::Task<> drain(std::shared_ptr<std::vector<int>> queue);
    QCoro::Task<> runTarget(int index);
    // The Database a target's statement runs on (SQLite tenants: one opened on its file).
    Database *databaseFor(const FanOutTarget &target);

    QPointer<Registry> m_registry;
    QList<FanOutTarget> m_targets;
    QString m_sql;
    FanOutOptions m_options;
    bool m_writes = false;
    QList<TargetOutcome> m_outcomes;
    MergedResult m_result;
    std::map<int, drivers::Connection *> m_running; // target -> its connection, while it runs
    std::vector<QCoro::Task<>> m_cancels;
    std::map<QString, Database *> m_tenantFiles; // SQLite tenant file -> a Database on it
    bool m_started = false;
    bool m_cancelled = false;
    bool m_finished = false;
};

} // namespace orm
