#pragma once

// The grid's RowSource over an orm::QuerySet: one model, on one database and schema.
//
// The ordering is the clicked column (if any) then the primary key (every column for a model
// without one), so that it is total and keyset bounds never skip rows. Pages are
// orderBy(keys).after(lastKey).limit(n) and before(firstKey) read backwards; the last page is
// the ordering reversed. A seek interpolates the leading sort column between its first and last
// values (numbers, dates and times, text by its leading characters) and reads from there with a
// filter on that column: an index range scan, never OFFSET.

#include "row_source.h"

#include "orm/query/queryset.h"

#include <optional>

namespace orm {
class Registry;
}

namespace strata::ui {

class QuerySetRowSource : public RowSource {
public:
    // `model` must have its fields loaded. `schema` empty: the model's own.
    QuerySetRowSource(orm::Registry *registry, orm::Database *database, const QString &schema,
                      orm::Model model);

    orm::Columns columns() const override { return m_columns; }
    void setQuery(const GridQuery &query) override;
    QString selectSql() const override;
    // The SQL of the statement run last (for tests and the log pane).
    QString lastExecutedSql() const { return m_lastSql; }
    const orm::QuerySet &querySet() const { return m_ordered; }

    QCoro::Task<RowPage> first(int limit) override;
    QCoro::Task<RowPage> last(int limit) override;
    QCoro::Task<RowPage> after(QVariantList key, int limit) override;
    QCoro::Task<RowPage> before(QVariantList key, int limit) override;
    QCoro::Task<RowPage> seek(double fraction, int limit) override;
    QCoro::Task<qint64> count() override;
    void cancelCount() override;

private:
    QCoro::Task<RowPage> run(orm::QuerySet query, bool backwards);
    // The leading sort column's first and last values under the current query.
    QCoro::Task<> loadLeadRange();
    std::optional<QVariant> interpolate(double fraction) const;

    orm::QuerySet m_base;    // the model on its database and schema
    orm::QuerySet m_ordered; // m_base with the grid's filters and ordering
    orm::Model m_model;
    orm::Columns m_columns;
    QList<orm::OrderKey> m_keys;
    QList<int> m_keyColumns; // the ordering keys' positions in the rows
    QString m_lastSql;
    orm::CancelToken m_countToken;
    quint64 m_generation = 0; // which query the lead range belongs to
    quint64 m_leadGeneration = ~quint64(0);
    QVariant m_leadFirst;
    QVariant m_leadLast;
};

} // namespace strata::ui
