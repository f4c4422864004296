#pragma once

// Passwords of saved connections: in the system keyring through QtKeychain (service "strata",
// key = the connection's name), never in the connections file.

#include <QString>

namespace strata::ui {

// Reads and writes block on a keyring round trip: call them before the event loop runs
// (start-up) or from a dialog's own button handler.
QString readPassword(const QString &connection, QString *error = nullptr);
bool storePassword(const QString &connection, const QString &password, QString *error = nullptr);
bool forgetPassword(const QString &connection);

// `url` with a password filled in when it needs one (PostgreSQL with a user and none given):
// from the keyring, else, when `interactive`, asked for in a dialog. Unchanged otherwise (libpq
// may still find one in ~/.pgpass).
QString completePassword(const QString &connection, const QString &url, bool interactive);

} // namespace strata::ui
