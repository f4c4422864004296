#include "orm/database/transaction.h"

namespace orm {

namespace {

// The destructor's rollback: the lease travels with this coroutine, so the connection goes back
// to its pool only after the ROLLBACK is done.
QCoro::Task<> rollbackDetached(ConnectionLease lease)
{
    bool rolledBack = false;
    try {
        co_await lease->execute(QStringLiteral("ROLLBACK"));
        rolledBack = true;
    } catch (const std::exception &error) {
        qCWarning(lcDatabase).noquote()
            << "rollback of an abandoned transaction failed:" << error.what();
    }
    if (!rolledBack) {
        // In an unknown state: close it rather than let the pool hand it out again.
        try {
            co_await lease->close();
        } catch (...) {
        }
    }
}

QCoro::Task<> endTransaction(std::shared_ptr<detail::TransactionState> state, bool commit)
{
    if (!state || !state->active)
        throw Error(Error::Kind::Usage, commit
                                            ? QStringLiteral("commit(): no active transaction")
                                            : QStringLiteral("rollback(): no active transaction"));
    state->active = false; // query sets bound to it stop using the connection from here on
    ConnectionLease lease = std::move(state->lease);
    const QString where = lease->url().toDisplayString();
    const bool failed = state->failed;
    std::exception_ptr error;
    try {
        co_await lease->execute(commit && !failed ? QStringLiteral("COMMIT")
                                                  : QStringLiteral("ROLLBACK"));
    } catch (...) {
        error = std::current_exception();
    }
    if (error && commit && !failed) {
        // SQLite keeps the transaction open when COMMIT fails (SQLITE_BUSY): end it.
        try {
            co_await lease->execute(QStringLiteral("ROLLBACK"));
        } catch (...) {
        }
    }
    if (error)
        std::rethrow_exception(error);
    if (commit && failed)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("commit(): a statement of the transaction failed, so it was "
                                   "rolled back"),
                    where);
}

QCoro::Task<Result> executeIn(std::shared_ptr<detail::TransactionState> state, QString sql,
                              QVariantList params)
{
    drivers::Connection *connection = state->connection(QStringLiteral("execute"));
    std::exception_ptr error;
    Result result;
    try {
        result = co_await connection->execute(std::move(sql), std::move(params));
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        state->failed = true;
        std::rethrow_exception(error);
    }
    co_return result;
}

} // namespace

drivers::Connection *detail::TransactionState::connection(const QString &operation) const
{
    if (!active || !lease)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("%1: the transaction has already ended").arg(operation));
    return lease.get();
}

QCoro::Task<Transaction> Transaction::begin(Database *database)
{
    if (!database)
        throw Error(Error::Kind::Usage, QStringLiteral("Transaction::begin(): no database"));
    auto state = std::make_shared<detail::TransactionState>();
    state->database = database;
    state->lease = co_await database->acquire(QStringLiteral("transaction"));
    co_await state->lease->execute(QStringLiteral("BEGIN"));
    state->active = true;
    co_return Transaction(std::move(state));
}

Transaction &Transaction::operator=(Transaction &&other) noexcept
{
    if (this != &other) {
        abandon();
        m_state = std::move(other.m_state);
    }
    return *this;
}

Transaction::~Transaction()
{
    abandon();
}

void Transaction::abandon()
{
    if (!m_state || !m_state->active)
        return;
    m_state->active = false;
    rollbackDetached(std::move(m_state->lease));
    m_state.reset();
}

QCoro::Task<> Transaction::commit()
{
    return endTransaction(m_state, true);
}

QCoro::Task<> Transaction::rollback()
{
    return endTransaction(m_state, false);
}

QCoro::Task<Result> Transaction::execute(QString sql, QVariantList params)
{
    if (!m_state)
        throw Error(Error::Kind::Usage, QStringLiteral("execute(): no transaction"));
    return executeIn(m_state, std::move(sql), std::move(params));
}

} // namespace orm
