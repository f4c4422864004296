#pragma once

// Where the user is in the grid, as a value that outlives the grid's source: a table of one
// database and schema (tenant), its sort and filters by column name, the top row and the
// current cell. Back/forward (NavigationHistory) keeps them; the window opens one again
// (MainWindow::openPlace) and restorePosition() puts the cell back once the rows are there.

#include "ui/carried_query.h"

#include <QString>

namespace strata::ui {

class GridView;

namespace navigation {

struct Place {
    QString database; // the registry's name ("" the primary)
    QString schema;
    QString table; // the model's name, as MainWindow::openModel takes it
    CarriedQuery query;
    qint64 topRow = 0;
    qint64 row = -1; // the current cell's table row; -1: none
    QString column;  // the current cell's column, by name

    bool isValid() const { return !table.isEmpty(); }
    // "schema.table", for menus and tooltips.
    QString title() const;
};

// How the window comes to a place: somewhere new (the way back is recorded), or back or
// forward through the history.
enum class Travel { Visit, Back, Forward };

// The grid's place now: `database`, `schema` and `table` are what it shows.
Place capturePlace(const GridView *grid, const QString &database, const QString &schema,
                   const QString &table);

// Once the grid's rows are counted, scrolls to the place's top row and makes its cell current:
// the same table row (the last one when the table is shorter now) in the column of that name
// (the first column when it is gone). Given up when the grid gets another source first, or
// fails to read.
void restorePosition(GridView *grid, const Place &place);

} // namespace navigation
} // namespace strata::ui
