#pragma once

// What the PostgreSQL driver suites share: the server they run against (they skip without
// one, and fail under CI) and connecting to it.

#include "orm/core/error.h"
#include "orm/core/result.h"
#include "orm/drivers/postgres/postgres_connection.h"
#include "support/await.h"
#include "support/backends.h"

#include <QObject>
#include <QTest>

#include <memory>
#include <optional>

namespace strata::test {

class PostgresSuite : public QObject {
protected:
    QString m_url;

    // Reads the server's URL; false when there is none.
    bool findServer()
    {
        m_url = postgresUrl();
        return !m_url.isEmpty();
    }

    std::unique_ptr<orm::drivers::PostgresConnection> connect(const QString &url = {})
    {
        auto c = std::make_unique<orm::drivers::PostgresConnection>(
            orm::DatabaseUrl::parse(url.isEmpty() ? m_url : url));
        await(c->open());
        return c;
    }

    orm::Result exec(orm::drivers::PostgresConnection &c, const QString &sql,
                     const QVariantList &params = {})
    {
        return await(c.execute(sql, params));
    }
};

// The error `task` ended with, or nothing when it succeeded.
inline std::optional<orm::Error> errorOf(QCoro::Task<> task, int timeoutMs = 30000)
{
    try {
        await(std::move(task), timeoutMs);
    } catch (const orm::Error &e) {
        return e;
    }
    return std::nullopt;
}

} // namespace strata::test

// The body of a PostgreSQL suite's initTestCase.
#define STRATA_REQUIRE_POSTGRES()                                                                  \
    if (!findServer()) {                                                                           \
        if (qEnvironmentVariableIsSet("CI"))                                                       \
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");      \
        QSKIP("no PostgreSQL server (run through tests/support/with-postgres.sh)");                \
    }
