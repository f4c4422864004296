#include "orm/drivers/connection.h"
#include "orm/drivers/postgres/postgres_connection.h"
#include "orm/drivers/sqlite/sqlite_connection.h"

namespace orm::drivers {

std::unique_ptr<Connection> createConnection(const DatabaseUrl &url)
{
    if (url.backend() == DatabaseUrl::Backend::Postgres)
        return std::make_unique<PostgresConnection>(url);
    return std::make_unique<SqliteConnection>(url);
}

} // namespace orm::drivers
