#pragma once

// Holding several pooled connections of one database at once, as the pool tests need.

#include "orm/database/database.h"

#include <QCoro/QCoroTask>

#include <vector>

namespace strata::test {

// Holds `count` leases of `db` at once, proving the pool hands out separate connections.
inline QCoro::Task<std::vector<orm::ConnectionLease>> acquireMany(orm::Database *db, int count)
{
    std::vector<QCoro::Task<orm::ConnectionLease>> pending;
    for (int i = 0; i < count; ++i)
        pending.push_back(db->acquire());
    std::vector<orm::ConnectionLease> leases;
    for (auto &task : pending)
        leases.push_back(co_await task);
    co_return leases;
}

} // namespace strata::test
