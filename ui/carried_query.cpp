#include "carried_query.h"

namespace strata::ui {
namespace {

int columnNamed(const orm::Columns &columns, const QString &name)
{
    for (int i = 0; i < columns.size(); ++i)
        if (columns[i].name == name)
            return i;
    return -1;
}

} // namespace

CarriedQuery CarriedQuery::capture(const orm::Columns &columns, const GridQuery &query)
{
    CarriedQuery carried;
    if (query.sortColumn >= 0 && query.sortColumn < columns.size())
        carried.sortColumn = columns[query.sortColumn].name;
    carried.descending = query.descending;
    for (const GridFilter &filter : query.filters)
        if (filter.column >= 0 && filter.column < columns.size())
            carried.filters.append({columns[filter.column].name, filter.text});
    return carried;
}

GridQuery CarriedQuery::applyTo(const orm::Columns &columns) const
{
    GridQuery query;
    query.sortColumn = sortColumn.isEmpty() ? -1 : columnNamed(columns, sortColumn);
    query.descending = query.sortColumn >= 0 && descending;
    for (const auto &[name, text] : filters)
        if (const int column = columnNamed(columns, name); column >= 0)
            query.filters.append(GridFilter{column, text});
    return query;
}

} // namespace strata::ui
