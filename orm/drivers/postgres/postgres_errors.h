#pragma once

// libpq's failures as orm::Error: what went wrong (Kind), the SQLSTATE, the message with its
// DETAIL and HINT, and the statement position.

#include "orm/core/error.h"

#include <QString>

struct pg_conn;
struct pg_result;

namespace orm::drivers::postgres {

// libpq's message without its trailing newline; "" for none.
QString trimmedMessage(const char *message);

// The connection broke (or was never made): libpq's message, or a generic one.
Error lostError(const pg_conn *conn, const QString &database);
// A failed result; `prefix` leads the message ("parameter set 5 of 10: ").
Error resultError(const pg_conn *conn, const pg_result *result, const QString &database,
                  const QString &prefix = {});
// A failed connection attempt, authentication failures recognised from the server's wording.
Error connectError(const pg_conn *conn, const QString &database);

} // namespace orm::drivers::postgres
