#pragma once

// How the CLI commands print a result: a table (table_printer), RFC 4180 CSV or a JSON array of
// objects, and how they read NAME=VALUE options. Shared by `strata query`, `strata fanout` and
// `strata drift`.

#include "orm/core/result.h"
#include "orm/registry/registry.h"

#include <QString>
#include <QTextStream>

#include <optional>

namespace strata::app {

enum class OutputFormat { Table, Csv, Json };

// "table", "csv" or "json"; nullopt for anything else.
std::optional<OutputFormat> parseOutputFormat(const QString &name);

// The result to stdout in that format (NULL: NULL in a table, an empty field in CSV, null in
// JSON; an empty string stays distinct from NULL in CSV and JSON).
void printResult(const orm::Result &result, OutputFormat format);

// NAME=VALUE split at the first '='; false when there is no name. Never echo the value of a
// failed one: it may be a URL with a password.
bool splitNamedValue(const QString &entry, QString *name, QString *value);

// A result of text columns, for outcome listings.
orm::Result textResult(const QStringList &columns, const QList<QStringList> &rows);

} // namespace strata::app
