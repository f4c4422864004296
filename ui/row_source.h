#pragma once

// What the data grid pages through: a sorted, filtered relation read in pages by keyset.
//
// The grid never asks for "rows 5,000,000 to 5,000,255": that is an OFFSET scan. It asks for the
// first or last rows, for the rows after or before a key it already holds (the sort columns'
// values of a row, which the source hands back with every page), or for rows near a fraction of
// the table (a seek, which a source answers without scanning, by interpolating the leading sort
// column between its first and last values). QuerySetRowSource is the real one; tests use fakes.

#include "orm/core/row_batch.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

#include <memory>

namespace strata::ui {

// One column filter typed into the grid's filter row, still as text ("abc", ">5", "NULL"...);
// see ColumnFilter for how it compiles. Or an exact one (a followed foreign key, the rows that
// reference one): `exact` set, the column equals that value as the source read it (RowBatch::
// rawValue), compared by the server; `text` is then only what the filter row shows ("=5"),
// never parsed, so quotes, timestamps, uuids and spaces stay exact. Typing a filter into the
// column replaces it.
struct GridFilter {
    int column = -1;
    QString text;
    QVariant exact; // invalid: the text is the filter

    bool isExact() const { return exact.isValid(); }
};

// What the grid shows: one sort column (or none: the source's default key order) and filters.
struct GridQuery {
    int sortColumn = -1;
    bool descending = false;
    QList<GridFilter> filters;

    bool operator==(const GridQuery &other) const = default;
};

inline bool operator==(const GridFilter &a, const GridFilter &b)
{
    return a.column == b.column && a.text == b.text && a.exact == b.exact;
}

// A page of consecutive rows in the grid's order, with the keys of its first and last rows.
struct RowPage {
    orm::RowBatch rows;
    QVariantList firstKey;
    QVariantList lastKey;
};

class RowSource {
public:
    virtual ~RowSource() = default;

    // Known before any row is read (the model's fields), so the header shows at once.
    virtual orm::Columns columns() const = 0;

    // Sort and filters for the following calls; throws orm::Error for a filter that does not
    // compile (an unknown field, a value of the wrong type), naming the column.
    virtual void setQuery(const GridQuery &query) = 0;
    // The SELECT the current query runs (for the status bar, the log and tests).
    virtual QString selectSql() const = 0;

    virtual QCoro::Task<RowPage> first(int limit) = 0;
    // The last `limit` rows, in the grid's order.
    virtual QCoro::Task<RowPage> last(int limit) = 0;
    virtual QCoro::Task<RowPage> after(QVariantList key, int limit) = 0;
    // The `limit` rows just before `key`, in the grid's order.
    virtual QCoro::Task<RowPage> before(QVariantList key, int limit) = 0;
    // About `limit` rows starting near `fraction` (0..1) of the way through the rows.
    virtual QCoro::Task<RowPage> seek(double fraction, int limit) = 0;

    // The number of rows under the current filters. cancelCount() makes a running count throw
    // orm::Error(Cancelled).
    virtual QCoro::Task<qint64> count() = 0;
    virtual void cancelCount() = 0;
};

using RowSourcePtr = std::shared_ptr<RowSource>;

} // namespace strata::ui
