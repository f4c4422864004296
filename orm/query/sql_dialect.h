#pragma once

#include "orm/core/database_url.h"

#include <QString>

namespace orm {

// The SQL spelling of each backend: identifier quoting, placeholders, pattern escaping.
enum class Dialect { Postgres, Sqlite };

Dialect dialectOf(DatabaseUrl::Backend backend);
QString dialectName(Dialect dialect);

// "name" with embedded double quotes doubled: the same rule on both backends, so any name
// (spaces, quotes, semicolons, keywords, unicode) is an identifier and never SQL.
QString quoteIdentifier(const QString &name);
// "schema"."table", or "table" when schema is empty (the database's default search path; on
// SQLite a schema is an attached database, "main" being the file itself).
QString qualifiedName(const QString &schema, const QString &table);

// The n-th (1-based) bound parameter: $n on PostgreSQL, ?n on SQLite. Numbered on both, so a
// value can be referred to twice while being bound once.
QString placeholder(Dialect dialect, int n);

// A LIKE pattern that matches `text` literally: \, % and _ escaped with a backslash (the
// statement says ESCAPE '\').
QString escapeLike(const QString &text);
// A GLOB pattern that matches `text` literally (SQLite's case-sensitive matcher): *, ? and [
// become one-character classes.
QString escapeGlob(const QString &text);

} // namespace orm
