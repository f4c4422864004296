#include "orm/schema/catalog_words.h"

#include "orm/schema/reflection.h"

#include <QSet>

namespace orm::reflection {
namespace {

// Collects names in order, each once.
class Words {
public:
    void add(const QString &name)
    {
        if (!name.isEmpty() && !m_seen.contains(name)) {
            m_seen.insert(name);
            m_names << name;
        }
    }
    // Rows of (schema, table, column); the column is empty for a relation without columns.
    void addRows(const Result &result)
    {
        for (int r = 0; r < result.rowCount(); ++r) {
            const QString schema = result.text(r, 0);
            const QString table = result.text(r, 1);
            const QString column = result.text(r, 2);
            add(schema);
            add(table);
            add(schema + QLatin1Char('.') + table);
            if (!column.isEmpty()) {
                add(column);
                add(table + QLatin1Char('.') + column);
            }
        }
    }
    QStringList names() const { return m_names; }

private:
    QStringList m_names;
    QSet<QString> m_seen;
};

} // namespace

QCoro::Task<QStringList> completionWords(Dialect dialect, CatalogQuery query)
{
    Words words;
    if (dialect == Dialect::Postgres) {
        const QString sql =
            QStringLiteral("SELECT n.nspname, c.relname, a.attname "
                           "FROM pg_catalog.pg_class c "
                           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "LEFT JOIN pg_catalog.pg_attribute a "
                           "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                           "WHERE c.relkind IN ('r', 'v', 'm', 'p') AND %1 "
                           "ORDER BY n.nspname <> ALL (pg_catalog.current_schemas(false)), "
                           "n.nspname, c.relname, a.attnum LIMIT 50000")
                .arg(userSchemaCondition(QStringLiteral("n.nspname")));
        const QVariantList none;
        const Result result = co_await query(sql, none);
        words.addRows(result);
        co_return words.names();
    }
    const QString list = QStringLiteral("SELECT name FROM pragma_database_list "
                                        "WHERE name <> 'temp' ORDER BY seq");
    const QVariantList none;
    const Result schemas = co_await query(list, none);
    for (int s = 0; s < schemas.rowCount(); ++s) {
        const QString schema = schemas.text(s, 0);
        const QString sql = QStringLiteral("SELECT ?1, m.name, p.name FROM %1.sqlite_schema m "
                                           "JOIN pragma_table_info(m.name, ?1) p "
                                           "WHERE m.type IN ('table', 'view') "
                                           "AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                           "LIMIT 50000")
                                .arg(quoteIdentifier(schema));
        const QVariantList params{schema};
        const Result result = co_await query(sql, params);
        words.addRows(result);
    }
    co_return words.names();
}

QCoro::Task<QStringList> completionWords(Database *db)
{
    // The lease lives in this frame, so the connection outlives every query; `db` may not.
    ConnectionLease lease = co_await db->acquire(QStringLiteral("completionWords"));
    drivers::Connection *connection = lease.get();
    const Dialect dialect = dialectOf(connection->backend());
    CatalogQuery query = [connection](QString sql, QVariantList params) {
        return connection->execute(std::move(sql), std::move(params));
    };
    co_return co_await completionWords(dialect, std::move(query));
}

} // namespace orm::reflection
