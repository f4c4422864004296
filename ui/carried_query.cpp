#include "carried_query.h"

namespace strata::ui {
namespace {

int columnNamed(const orm::Columns &columns, const QString &name, Qt::CaseSensitivity names)
{
    for (int i = 0; i < columns.size(); ++i)
        if (columns[i].name == name)
            return i;
    if (names == Qt::CaseInsensitive)
        for (int i = 0; i < columns.size(); ++i)
            if (columns[i].name.compare(name, Qt::CaseInsensitive) == 0)
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
            carried.filters.append({columns[filter.column].name, filter.text, filter.exact});
    return carried;
}

GridQuery CarriedQuery::applyTo(const orm::Columns &columns, Qt::CaseSensitivity names) const
{
    GridQuery query;
    query.sortColumn = sortColumn.isEmpty() ? -1 : columnNamed(columns, sortColumn, names);
    query.descending = query.sortColumn >= 0 && descending;
    for (const Filter &filter : filters)
        if (const int column = columnNamed(columns, filter.column, names); column >= 0)
            query.filters.append(GridFilter{column, filter.text, filter.exact});
    return query;
}

} // namespace strata::ui
