#pragma once

// Who holds the lock that made SQLite give up with SQLITE_BUSY: another process's POSIX lock
// on the file's lock bytes, as /proc/locks lists it (Linux). Read from there because opening
// the file to ask fcntl(F_GETLK) would drop this process's own locks when closed.

#include <QString>

namespace orm::drivers::detail {

// "process 1234 (sqlite3)" for the first other process holding a write lock on the database
// file at `path` (or on its WAL index), else one holding a read lock; empty when none is found
// or the system does not tell.
QString sqliteLockHolder(const QString &path);

} // namespace orm::drivers::detail
