#pragma once

// Prepared statements by SQL text, least recently used evicted first; finalizes what it drops.

#include <QByteArray>
#include <QHash>

#include <list>

struct sqlite3_stmt;

namespace orm::drivers::detail {

class StatementCache {
public:
    static constexpr size_t Capacity = 64;

    StatementCache() = default;
    ~StatementCache() { clear(); }
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;

    sqlite3_stmt *find(const QByteArray &sql);
    // Evicts the least recently used beyond the capacity; the newest entry is never evicted.
    void insert(const QByteArray &sql, sqlite3_stmt *stmt);
    void clear();

private:
    struct Entry {
        QByteArray sql;
        sqlite3_stmt *stmt;
    };
    std::list<Entry> m_entries; // most recently used first
    QHash<QByteArray, std::list<Entry>::iterator> m_index;
};

} // namespace orm::drivers::detail
