#pragma once

// The scenario functions behind strata-bench's table (main.cpp). Each runs one scenario on one
// backend, prints its figures and throws on failure.

#include "bench_support.h"

namespace strata::bench {

// 1,000,000 rows x 5 columns read through our driver, against libpq, QPSQL, sqlite3, QSQLITE.
void runFetch(const Context &context, Backend backend);
// 10,000 single-row inserts: one pipelined executeBatch against one round trip per row.
void runInsert(const Context &context, Backend backend);
// A registry of three databases connecting through a 200 ms proxy, against one database.
void runConnect(const Context &context, Backend backend);
// A server restart under 4 idle pooled connections (recover), and quitting the window with a
// console statement running and a silent extra (quit).
void runReconnect(const Context &context, Backend backend);
// A multi-host registry over a primary/standby pair: the first query after a promote.
void runFailover(const Context &context, Backend backend);
// One runSync round trip (no loop / subloop) against the same query awaited directly.
void runRunSync(const Context &context, Backend backend);
// Queries on an unconnected database (a connection each, with the warning) against connected.
void runNotConnected(const Context &context, Backend backend);
// Listing 20,000 reflected models, and one model's fields.
void runReflect(const Context &context, Backend backend);
// QuerySet::bulkCreate of 100,000 rows against one INSERT per round trip.
void runBulk(const Context &context, Backend backend);

// A console SELECT of 10,000,000 rows: first rows and memory; a console CSV export vs psql \copy.
void runConsole(const Context &context, Backend backend);

// The console's statement splitter on 10 MB hostile scripts: its time, and the GUI thread's
// stall while the console splits them.
void runSplit(const Context &context, Backend backend);

// The data grid (GridModel + GridView, offscreen) on 10,000,000 rows vs QSqlTableModel; runs
// each side in a child process of strata-bench (gridChildMain) that has a QApplication.
void runGrid(const Context &context, Backend backend);
// SELECT count(*) fanned out over 200 tenant schemas vs one schema holding all their rows.
void runFanOut(const Context &context, Backend backend);
// 500 tenant schemas x 20 tables compared with a template: time, and the awaiting thread's stall.
void runDrift(const Context &context, Backend backend);
// 10,000 staged cell changes committed through a ChangeSet vs the same UPDATEs pipelined by
// hand; the stall while staging and committing.
void runEdit(const Context &context, Backend backend);
// main() of such a child: STRATA_BENCH_GRID_CHILD is set in its environment.
int gridChildMain(int argc, char **argv);
// The window switching its open table between two of 500 tenant schemas that differ.
void runTenantSwitch(const Context &context, Backend backend);
// A table created by another client until the window's tree shows it, and the probes' cost.
void runDdlRefresh(const Context &context, Backend backend);
// main() of their child: STRATA_BENCH_WINDOW_CHILD is set in its environment.
int windowChildMain(int argc, char **argv);
// The model tree's filter over 20,000 tables x 10 columns: the first matching column painted
// after the last keystroke, and the GUI thread's stall while typing and matching.
void runTreeFilter(const Context &context, Backend backend);
// main() of its child: STRATA_BENCH_TREE_FILTER_CHILD is set in its environment.
int treeFilterChildMain(int argc, char **argv);

} // namespace strata::bench
