#pragma once

#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QPointer>

#include <memory>

namespace orm {

namespace detail {
// What a Transaction and the query sets bound to it share.
struct TransactionState {
    QPointer<Database> database;
    ConnectionLease lease; // empty once the transaction ended
    bool active = false;
    bool failed = false; // a statement failed: commit() rolls back instead

    // The transaction's connection; throws Error(Usage) once it ended.
    drivers::Connection *connection(const QString &operation) const;
};
} // namespace detail

// A database transaction on one leased connection, as a scope that rolls back unless
// committed:
//
//   orm::Transaction tx = co_await orm::Transaction::begin(db);
//   co_await orders.inTransaction(tx).create(order);
//   co_await lines.inTransaction(tx).bulkCreate(rows);
//   co_await tx.commit();
//
// Leaving the scope without commit() or rollback() (an exception, say) rolls back: the
// destructor cannot await, so it starts a detached rollback that keeps the connection until
// the ROLLBACK ran and only then gives it back to the pool; nobody else can get the connection
// in between. If a statement of the transaction failed, commit() rolls back and throws (on both
// backends, as PostgreSQL does). SQLite transactions start DEFERRED. No nesting (savepoints).
class Transaction {
public:
    // Leases a connection and sends BEGIN.
    static QCoro::Task<Transaction> begin(Database *database);

    Transaction() = default;
    Transaction(Transaction &&) noexcept = default;
    Transaction &operator=(Transaction &&other) noexcept;
    ~Transaction();

    // Both end the transaction and give the connection back; Error(Usage) when it already ended.
    QCoro::Task<> commit();
    QCoro::Task<> rollback();

    bool isActive() const { return m_state && m_state->active; }
    Database *database() const { return m_state ? m_state->database.data() : nullptr; }
    // Runs raw SQL in the transaction.
    QCoro::Task<Result> execute(QString sql, QVariantList params = {});

private:
    friend class QuerySet;
    explicit Transaction(std::shared_ptr<detail::TransactionState> state)
        : m_state(std::move(state))
    {
    }
    void abandon();

    std::shared_ptr<detail::TransactionState> m_state;
};

} // namespace orm
