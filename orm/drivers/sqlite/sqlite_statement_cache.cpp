#include "orm/drivers/sqlite/sqlite_statement_cache.h"

#include <sqlite3.h>

namespace orm::drivers::detail {

sqlite3_stmt *StatementCache::find(const QByteArray &sql)
{
    const auto it = m_index.constFind(sql);
    if (it == m_index.cend())
        return nullptr;
    m_entries.splice(m_entries.begin(), m_entries, it.value());
    return it.value()->stmt;
}

void StatementCache::insert(const QByteArray &sql, sqlite3_stmt *stmt)
{
    m_entries.push_front({sql, stmt});
    m_index.insert(sql, m_entries.begin());
    while (m_entries.size() > Capacity) {
        m_index.remove(m_entries.back().sql);
        sqlite3_finalize(m_entries.back().stmt);
        m_entries.pop_back();
    }
}

void StatementCache::clear()
{
    for (const Entry &entry : m_entries)
        sqlite3_finalize(entry.stmt);
    m_entries.clear();
    m_index.clear();
}

} // namespace orm::drivers::detail
