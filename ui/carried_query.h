#pragma once

// A grid's sort and filters by column name rather than position, so that they survive a switch
// to another source whose columns differ (the same table in another tenant, with a column more,
// one fewer, or in another order): each applies where its column exists, and is dropped where
// it does not.

#include "row_source.h"

#include "orm/core/row_batch.h"

namespace strata::ui {

struct CarriedQuery {
    QString sortColumn; // empty: none
    bool descending = false;
    struct Filter {
        QString column;
        QString text;   // as typed, or what an exact filter shows
        QVariant exact; // see GridFilter
    };
    QList<Filter> filters;

    static CarriedQuery capture(const orm::Columns &columns, const GridQuery &query);
    // `names`: CaseInsensitive finds a column whose name differs in case when none has the
    // very name (SQLite's names).
    GridQuery applyTo(const orm::Columns &columns,
                      Qt::CaseSensitivity names = Qt::CaseSensitive) const;
};

} // namespace strata::ui
