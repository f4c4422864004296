#pragma once

// strata query's table output, psql-like: aligned columns, numbers right-aligned, NULL shown as
// NULL, a row count footer.
//
// Cells are measured and written straight from the result's bytes, a piece at a time: a 50 MB
// cell is never copied (the QString version made a dozen copies of it, about 800 MB). Control
// characters, in cells and column names alike, are written as escapes (\n, \t, \x1b; \u009b
// for C1 controls) and invalid UTF-8 as U+FFFD, so that a cell cannot drive the terminal.

#include "orm/core/result.h"

#include <cstdio>

namespace strata::app {

void printTable(std::FILE *out, const orm::Result &result);

} // namespace strata::app
