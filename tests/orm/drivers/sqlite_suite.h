#pragma once

// What the SQLite driver suites share: databases in a temporary directory, and the coroutines
// the tests drive (free functions, arguments by value: no capturing lambda coroutines).

#include "orm/core/error.h"
#include "orm/drivers/sqlite/sqlite_connection.h"
#include "support/await.h"

#include <QCoro/QCoroTimer>
#include <QDir>
#include <QObject>
#include <QTemporaryDir>

#include <chrono>
#include <memory>
#include <optional>

namespace strata::test {

// Counts to n inside SQLite: long enough to cancel, without any table.
inline QString countTo(qint64 n)
{
    return QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                          "WHERE x < %1) SELECT count(*) FROM c")
        .arg(n);
}

template <typename T>
std::optional<orm::Error> errorOf(QCoro::Task<T> task, int timeoutMs = 30000)
{
    try {
        await(std::move(task), timeoutMs);
    } catch (const orm::Error &error) {
        return error;
    }
    return std::nullopt;
}

// A second coroutine: free function, arguments by value (no capturing lambda coroutines).
inline QCoro::Task<> cancelAfter(orm::drivers::Connection *connection, int ms)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    co_await connection->cancel();
}

inline QCoro::Task<> closeAfter(orm::drivers::Connection *connection, int ms)
{
    co_await QCoro::sleepFor(std::chrono::milliseconds(ms));
    co_await connection->close();
}

inline int threadCount()
{
    return int(QDir(QStringLiteral("/proc/self/task"))
                   .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                   .size());
}

class SqliteSuite : public QObject {
protected:
    QTemporaryDir m_dir;

    QString fileUrl(const QString &name, const QString &options = QStringLiteral("create=true"))
    {
        QString url = QStringLiteral("sqlite:///%1").arg(m_dir.filePath(name));
        if (!options.isEmpty())
            url += QLatin1Char('?') + options;
        return url;
    }

    std::unique_ptr<orm::drivers::SqliteConnection> openUrl(const QString &url)
    {
        auto connection =
            std::make_unique<orm::drivers::SqliteConnection>(orm::DatabaseUrl::parse(url));
        await(connection->open());
        return connection;
    }

    std::unique_ptr<orm::drivers::SqliteConnection> memory()
    {
        return openUrl(QStringLiteral("sqlite://:memory:"));
    }
};

} // namespace strata::test
