#include "orm/schema/replication.h"

namespace orm::reflection {

QCoro::Task<Replication> replication(Database *db)
{
    Replication status;
    if (db->url().backend() != DatabaseUrl::Backend::Postgres)
        co_return status;
    const Result result = co_await db->execute(QStringLiteral(
        "SELECT pg_catalog.pg_is_in_recovery(), "
        "EXTRACT(EPOCH FROM now() - pg_catalog.pg_last_xact_replay_timestamp())::float8"));
    status.standby = result.value(0, 0).toBool();
    if (status.standby && !result.isNull(0, 1))
        status.lagSeconds = qMax(0.0, result.value(0, 1).toDouble());
    co_return status;
}

} // namespace orm::reflection
