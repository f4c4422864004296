#pragma once

// Whether a database's server is a read replica (a PostgreSQL hot standby) and how far behind
// its primary it is: what the window says of an extra that points at a replica.

#include "orm/database/database.h"

#include <QCoro/QCoroTask>

#include <optional>

namespace orm::reflection {

struct Replication {
    bool standby = false; // pg_is_in_recovery(): a hot standby, read-only by nature
    // Seconds since the last transaction it replayed was committed on the primary; empty when
    // it has replayed none yet (or is no standby). On an idle primary this grows although the
    // standby is fully caught up: it is "data as old as", not a measure of falling behind.
    std::optional<double> lagSeconds;
};

// One catalog query on PostgreSQL; SQLite is never a standby (no query).
QCoro::Task<Replication> replication(Database *db);

} // namespace orm::reflection
