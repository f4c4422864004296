#pragma once

// For suites that run behind the PgBouncer with-postgres.sh starts (transaction pooling, 2
// server connections): its URL, and other clients of the same pool that run short transactions
// while a test works, so that one client's consecutive transactions really land on different
// server sessions, and that record any setting a client left behind for them.

#include "await.h"

#include "orm/core/result.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QString>
#include <QStringList>
#include <QTest>

#include <memory>
#include <vector>

namespace strata::test {

// STRATA_TEST_PGBOUNCER_URL, or empty.
inline QString bouncerUrl()
{
    return qEnvironmentVariable("STRATA_TEST_PGBOUNCER_URL");
}

// In initTestCase: skips without PgBouncer, fails without it under CI.
#define STRATA_REQUIRE_PGBOUNCER()                                                                 \
    if (strata::test::bouncerUrl().isEmpty()) {                                                    \
        if (qEnvironmentVariableIsSet("CI"))                                                       \
            QFAIL("STRATA_TEST_PGBOUNCER_URL is not set: the pooler suites must not skip in CI");  \
        QSKIP("no PgBouncer (run through `make test`)");                                           \
    }

class PoolNeighbours {
public:
    explicit PoolNeighbours(int count = 3)
    {
        for (int i = 0; i < count; ++i) {
            auto db = std::make_unique<orm::Database>(bouncerUrl());
            await(db->connect());
            m_clients.push_back(std::move(db));
        }
        for (auto &db : m_clients)
            m_running.push_back(loop(db.get()));
    }
    // Stops them; what they saw of others' settings ("search_path | read-only | default
    // read-only"), and a line if one of them never ran (nothing was interleaved).
    QStringList stop()
    {
        m_stop = true;
        for (auto &task : m_running)
            await(std::move(task));
        m_running.clear();
        for (auto &db : m_clients)
            await(db->disconnect(true));
        if (m_runs < int(m_clients.size()))
            m_leaks << QStringLiteral("the other clients ran %1 times: nothing was interleaved")
                           .arg(m_runs);
        return m_leaks;
    }

private:
    QCoro::Task<> loop(orm::Database *db)
    {
        while (!m_stop) {
            const orm::Result r = co_await db->execute(QStringLiteral(
                "SELECT current_setting('search_path'), current_setting('transaction_read_only'), "
                "current_setting('default_transaction_read_only')"));
            ++m_runs;
            if (r.text(0, 0) != QLatin1String("\"$user\", public") ||
                r.text(0, 1) != QLatin1String("off") || r.text(0, 2) != QLatin1String("off"))
                m_leaks
                    << QStringLiteral("%1 | %2 | %3").arg(r.text(0, 0), r.text(0, 1), r.text(0, 2));
        }
    }

    std::vector<std::unique_ptr<orm::Database>> m_clients;
    std::vector<QCoro::Task<>> m_running;
    bool m_stop = false;
    int m_runs = 0;
    QStringList m_leaks;
};

} // namespace strata::test
