#include "fan_out.h"

#include "orm/fanout/statement_effect.h"
#include "orm/session/sql_splitter.h"

#include <QUrl>

#include <algorithm>

namespace orm {

QString TargetOutcome::statusName(Status status)
{
    switch (status) {
    case Status::Waiting:
        return QStringLiteral("waiting");
    case Status::Running:
        return QStringLiteral("running");
    case Status::Succeeded:
        return QStringLiteral("ok");
    case Status::Failed:
        return QStringLiteral("failed");
    case Status::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

FanOut::FanOut(Registry *registry, QList<FanOutTarget> targets, QString sql, FanOutOptions options,
               QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_targets(std::move(targets))
    , m_sql(std::move(sql))
    , m_options(options)
{
    // Both scanners agree on statement boundaries closely enough to count them; PostgreSQL's is
    // the stricter one about what a statement is.
    const QList<SqlStatement> statements = splitSql(m_sql, Dialect::Postgres);
    if (statements.isEmpty())
        throw Error(Error::Kind::Usage, QStringLiteral("no SQL statement given"));
    if (statements.size() > 1)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("a fan-out runs one statement, got %1").arg(statements.size()));
    m_writes = statementEffect(m_sql) == StatementEffect::MayWrite;
    if (m_writes && !m_options.allowWrites)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("the statement may write (it starts with %1) and would change "
                                   "%2 targets: writes must be allowed explicitly")
                        .arg(leadingKeywords(m_sql).section(QLatin1Char(' '), 0, 0))
                        .arg(m_targets.size()));
    m_options.perServer = std::max(1, m_options.perServer);
    m_options.batchRows = std::max(1, m_options.batchRows);
    m_outcomes.resize(m_targets.size());
}

FanOut::~FanOut() = default;

int FanOut::failedCount() const
{
    return int(std::count_if(m_outcomes.begin(), m_outcomes.end(),
                             [](const TargetOutcome &o) { return !o.succeeded(); }));
}

void FanOut::cancel()
{
    if (m_cancelled)
        return;
    m_cancelled = true;
    for (const auto &[target, connection] : m_running)
        m_cancels.push_back(connection->cancel());
}

Database *FanOut::databaseFor(const FanOutTarget &target)
{
    Database *db = m_registry ? m_registry->findDatabase(target.database) : nullptr;
    if (!db)
        throw Error(
            Error::Kind::Configuration,
            QStringLiteral("no database named '%1' in the registry").arg(target.databaseLabel()));
    if (db->url().backend() == DatabaseUrl::Backend::Postgres || target.schema.isEmpty() ||
        target.schema == QLatin1String("main"))
        return db;
    const QMap<QString, QString> attached = db->attachments();
    const auto it = attached.constFind(target.schema);
    if (it == attached.constEnd())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("no attached database named '%1'").arg(target.schema),
                    db->displayUrl());
    if (it.value() == QLatin1String(":memory:"))
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("'%1' is an in-memory database: no other connection can reach "
                                   "it")
                        .arg(target.schema),
                    db->displayUrl());
    Database *&file = m_tenantFiles[it.value()];
    if (!file)
        file = new Database(QStringLiteral("sqlite:///") +
                                QString::fromUtf8(QUrl::toPercentEncoding(it.value(), "/")),
                            this);
    return file;
}

namespace {

// Which server a target's statement runs on, for the per-server bound.
QString serverOf(Registry *registry, const FanOutTarget &target)
{
    const Database *db = registry ? registry->findDatabase(target.database) : nullptr;
    if (!db)
        return QStringLiteral("?") + target.database;
    const DatabaseUrl &url = db->url();
    return url.backend() == DatabaseUrl::Backend::Postgres
               ? QStringLiteral("pg:") + url.hostsText() + QLatin1Char('|') + url.user()
               : QStringLiteral("sqlite:") + url.path();
}

} // namespace

QCoro::Task<> FanOut::run()
{
    if (m_started)
        throw Error(Error::Kind::Usage, QStringLiteral("a fan-out runs once"));
    m_started = true;
    std::map<QString, std::shared_ptr<std::vector<int>>> queues;
    for (int i = int(m_targets.size()) - 1; i >= 0; --i) { // reversed: drain pops the back
        auto &queue = queues[serverOf(m_registry, m_targets[i])];
        if (!queue)
            queue = std::make_shared<std::vector<int>>();
        queue->push_back(i);
    }
    // Every worker starts before any is awaited (tasks run eagerly), so servers overlap.
    std::vector<QCoro::Task<>> workers;
    for (auto &[server, queue] : queues) {
        const int n = std::min(m_options.perServer, int(queue->size()));
        for (int w = 0; w < n; ++w)
            workers.push_back(drain(queue));
    }
    for (auto &worker : workers)
        co_await worker;
    for (auto &pending : m_cancels)
        co_await pending;
    for (int i = 0; i < m_targets.size(); ++i) {
        m_outcomes[i].missingColumns = m_result.missingColumns(i);
        m_outcomes[i].typeConflicts = m_result.typeConflicts(i);
    }
    for (auto &[path, db] : m_tenantFiles)
        if (db->isConnected())
            co_await db->disconnect();
    m_finished = true;
    emit finished();
}

QCoro::Task<> FanOut::drain(std::shared_ptr<std::vector<int>> queue)
{
    while (!queue->empty()) {
        const int index = queue->back();
        queue->pop_back();
        co_await runTarget(index);
    }
}

QCoro::Task<> FanOut::runTarget(int index)
{
    const FanOutTarget target = m_targets[index];
    TargetOutcome &outcome = m_outcomes[index];
    QElapsedTimer clock;
    clock.start();
    std::optional<Error> failure;
    ConnectionLease lease;
    Database *tenantFile = nullptr;
    bool inTransaction = false;
    bool queryOnly = false;
    const auto cancelledHere = [this] {
        if (m_cancelled)
            throw Error(Error::Kind::Cancelled, QStringLiteral("cancelled before it started"));
    };
    try {
        if (!target.error.isEmpty())
            throw Error(Error::Kind::ConnectionFailed, target.error);
        cancelledHere();
        outcome.status = TargetOutcome::Status::Running;
        emit targetStarted(index);
        Database *db = databaseFor(target);
        if (db != m_registry->findDatabase(target.database)) {
            tenantFile = db;
            co_await db->connect();
        }
        lease = co_await db->acquire(QStringLiteral("fan-out"));
        cancelledHere();
        drivers::Connection *connection = lease.get();
        m_running[index] = connection;
        const bool pg = connection->backend() == DatabaseUrl::Backend::Postgres;
        if (pg) {
            co_await connection->execute(m_writes ? QStringLiteral("BEGIN")
                                                  : QStringLiteral("BEGIN READ ONLY"));
            inTransaction = true;
            if (!target.schema.isEmpty()) {
                const QVariantList name{target.schema};
                const Result found = co_await connection->execute(
                    QStringLiteral("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1"),
                    name);
                if (found.rowCount() == 0)
                    throw Error(Error::Kind::Configuration,
                                QStringLiteral("no schema named '%1'").arg(target.schema),
                                connection->url().toDisplayString());
                // A value, not SQL; local to the transaction, so the pooled connection keeps
                // its own search_path.
                const QVariantList path{quoteIdentifier(target.schema)};
                co_await connection->execute(
                    QStringLiteral("SELECT pg_catalog.set_config('search_path', $1, true)"), path);
            }
        } else {
            if (!m_writes) {
                co_await connection->execute(QStringLiteral("PRAGMA query_only = 1"));
                queryOnly = true;
            }
            co_await connection->execute(QStringLiteral("BEGIN"));
            inTransaction = true;
        }
        cancelledHere();
        co_await connection->start(m_sql, {}, m_options.batchRows);
        if (m_result.addTarget(index, target.databaseLabel(), target.schema, connection->columns()))
            emit columnsChanged();
        for (;;) {
            // Awaited into a variable, not in the loop's condition (GCC 12, DEVELOPING.md).
            std::optional<RowBatch> batch = co_await connection->nextBatch();
            if (!batch)
                break;
            const int rows = batch->rowCount();
            if (rows == 0)
                continue;
            const int first = m_result.rowCount();
            m_result.append(index, std::move(*batch));
            outcome.rows += rows;
            emit rowsAppended(first, rows);
        }
        outcome.rowsAffected = connection->rowsAffected();
        co_await connection->execute(m_writes ? QStringLiteral("COMMIT")
                                              : QStringLiteral("ROLLBACK"));
        inTransaction = false;
        outcome.committed = m_writes;
    } catch (const Error &error) {
        failure = error;
    }
    m_running.erase(index);
    if (lease && lease->isOpen()) {
        // Whatever failed, the connection goes back to its pool as it came.
        try {
            if (inTransaction && lease->transactionStatus() != drivers::TransactionStatus::Idle)
                co_await lease->execute(QStringLiteral("ROLLBACK"));
            if (queryOnly)
                co_await lease->execute(QStringLiteral("PRAGMA query_only = 0"));
        } catch (const Error &) {
            // A connection that broke is found dead by the pool's probe before its next use.
        }
    }
    lease.release();
    if (tenantFile && tenantFile->isConnected())
        co_await tenantFile->disconnect();
    if (failure) {
        outcome.status =
            m_cancelled ? TargetOutcome::Status::Cancelled : TargetOutcome::Status::Failed;
        outcome.error = failure->toString();
    } else {
        outcome.status = TargetOutcome::Status::Succeeded;
    }
    outcome.elapsedMs = clock.elapsed();
    emit targetFinished(index);
}

} // namespace orm
