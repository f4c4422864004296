#pragma once

// libpq's failures as orm::Error: what went wrong (Kind), the SQLSTATE, the message with its
// DETAIL and HINT, and the statement position.

#include "orm/core/error.h"

#include <QString>
#include <QStringList>

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
// `earlier` (what happened to hosts given up on before libpq's try) leads libpq's message,
// which names each host it tried. When no host was of the kind target_session_attrs asks
// for (`wanted`), a first line says so, naming `hosts`.
Error connectError(const pg_conn *conn, const QString &database, const QStringList &earlier = {},
                   const QString &wanted = {}, const QString &hosts = {});

} // namespace orm::drivers::postgres
