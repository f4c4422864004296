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

// `url` with a password filled in from the keyring when it may need one (PostgreSQL with a user
// and none given). Unchanged otherwise: libpq may find one in ~/.pgpass, the server may need
// none, and when it does the window asks then (MainWindow), never before it appears.
QString completePassword(const QString &connection, const QString &url);

} // namespace strata::ui
