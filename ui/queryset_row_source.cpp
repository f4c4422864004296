#include "queryset_row_source.h"

#include "column_filter.h"

#include "orm/core/error.h"
#include "orm/core/result.h"
#include "orm/registry/registry.h"

#include <QDateTime>

#include <cmath>

namespace strata::ui {
namespace {

QStringList orderStrings(const QList<orm::OrderKey> &keys)
{
    QStringList strings;
    for (const orm::OrderKey &key : keys)
        strings << (key.descending ? QLatin1Char('-') + key.field : key.field);
    return strings;
}

// Text between a and b, about `fraction` of the way: the common prefix, then one character
// interpolated by code point. Coarse, but it lands a seek in the right region of an index.
QString interpolateText(const QString &a, const QString &b, double fraction)
{
    qsizetype common = 0;
    while (common < a.size() && common < b.size() && a[common] == b[common])
        ++common;
    const double ca = common < a.size() ? a[common].unicode() : 0;
    const double cb = common < b.size() ? b[common].unicode() : 0;
    const auto c = char16_t(std::llround(ca + fraction * (cb - ca)));
    return a.left(common) + QChar(c);
}

} // namespace

QuerySetRowSource::QuerySetRowSource(orm::Registry *registry, orm::Database *database,
                                     const QString &schema, orm::Model model)
    : m_base(orm::QuerySet(registry, model).usingDatabase(database))
    , m_ordered(m_base)
    , m_model(std::move(model))
{
    if (!schema.isEmpty())
        m_base = m_base.usingSchema(schema);
    for (const orm::Field &field : m_model.fields)
        m_columns << orm::Column{field.name, field.sqlType, 0, field.type};
    setQuery({});
}

void QuerySetRowSource::setQuery(const GridQuery &query)
{
    QList<orm::OrderKey> keys;
    if (query.sortColumn >= 0) {
        if (query.sortColumn >= m_columns.size())
            throw orm::Error(
                orm::Error::Kind::UnknownField,
                QStringLiteral("%1 has no column %2").arg(m_model.name).arg(query.sortColumn + 1));
        keys << orm::OrderKey{m_columns[query.sortColumn].name, query.descending};
    }
    // A total order: the primary key (or every column) breaks ties.
    QStringList tieBreak = m_model.primaryKey();
    if (tieBreak.isEmpty())
        tieBreak = m_model.fieldNames();
    for (const QString &field : tieBreak)
        if (std::none_of(keys.cbegin(), keys.cend(),
                         [&](const orm::OrderKey &k) { return k.field == field; }))
            keys << orm::OrderKey{field, false};

    orm::Q where;
    for (const GridFilter &filter : query.filters) {
        if (filter.column < 0 || filter.column >= m_columns.size())
            continue;
        const orm::Column &column = m_columns[filter.column];
        where = where & (filter.isExact() ? orm::Q(column.name, filter.exact)
                                          : compileFilter(column.name, column.type, filter.text));
    }
    orm::QuerySet ordered = m_base.filter(where).orderBy(orderStrings(keys));
    // Compile now, so an unknown field is an error here and not in a page fetch.
    ordered.compileSelect(ordered.dialect());

    m_ordered = ordered;
    m_keys = keys;
    m_keyColumns.clear();
    const QStringList names = m_model.fieldNames();
    for (const orm::OrderKey &key : keys)
        m_keyColumns << int(names.indexOf(key.field));
    ++m_generation;
}

QString QuerySetRowSource::selectSql() const
{
    return m_ordered.compileSelect(m_ordered.dialect()).sql;
}

QCoro::Task<RowPage> QuerySetRowSource::run(orm::QuerySet query, bool backwards)
{
    m_lastSql = query.compileSelect(query.dialect()).sql;
    const orm::Result result = co_await query.all();
    RowPage page;
    page.rows = orm::toBatch(result, backwards);
    const int rows = page.rows.rowCount();
    if (rows > 0) {
        page.firstKey = page.rows.rawValues(0, m_keyColumns);
        page.lastKey = page.rows.rawValues(rows - 1, m_keyColumns);
    }
    co_return page;
}

QCoro::Task<RowPage> QuerySetRowSource::first(int limit)
{
    orm::QuerySet query = m_ordered.limit(limit);
    co_return co_await run(query, false);
}

QCoro::Task<RowPage> QuerySetRowSource::last(int limit)
{
    orm::QuerySet query = m_ordered.reversed().limit(limit);
    co_return co_await run(query, true);
}

QCoro::Task<RowPage> QuerySetRowSource::after(QVariantList key, int limit)
{
    orm::QuerySet query = m_ordered.after(key).limit(limit);
    co_return co_await run(query, false);
}

QCoro::Task<RowPage> QuerySetRowSource::before(QVariantList key, int limit)
{
    orm::QuerySet query = m_ordered.before(key).limit(limit);
    co_return co_await run(query, true);
}

QCoro::Task<> QuerySetRowSource::loadLeadRange()
{
    const quint64 generation = m_generation;
    const QString lead = m_keys.first().field;
    const QStringList columns{lead};
    orm::QuerySet firstQuery = m_ordered.values(columns).limit(1);
    orm::QuerySet lastQuery = m_ordered.reversed().values(columns).limit(1);
    const orm::Result first = co_await firstQuery.all();
    const orm::Result last = co_await lastQuery.all();
    if (generation != m_generation)
        co_return;
    const orm::RowBatch firstRows = orm::toBatch(first);
    const orm::RowBatch lastRows = orm::toBatch(last);
    m_leadFirst = firstRows.rowCount() ? firstRows.rawValue(0, 0) : QVariant();
    m_leadLast = lastRows.rowCount() ? lastRows.rawValue(0, 0) : QVariant();
    m_leadGeneration = generation;
}

std::optional<QVariant> QuerySetRowSource::interpolate(double fraction) const
{
    if (!m_leadFirst.isValid() || !m_leadLast.isValid())
        return std::nullopt;
    const orm::LogicalType type = m_columns[m_keyColumns.first()].type;
    const int a = m_leadFirst.typeId();
    if (a == QMetaType::LongLong && m_leadLast.typeId() == QMetaType::LongLong) {
        const double x = double(m_leadFirst.toLongLong()) +
                         fraction * double(m_leadLast.toLongLong() - m_leadFirst.toLongLong());
        return QVariant(qint64(std::llround(x)));
    }
    if (a == QMetaType::Double || type == orm::LogicalType::Numeric ||
        type == orm::LogicalType::Integer || type == orm::LogicalType::Real) {
        bool okA = false, okB = false;
        const double x = m_leadFirst.toDouble(&okA);
        const double y = m_leadLast.toDouble(&okB);
        // An integer column compares with an integer: PostgreSQL rejects "176229.1" as a
        // bigint parameter (SQLite did not mind, which hid it).
        if (okA && okB && type == orm::LogicalType::Integer)
            return QVariant(qint64(std::llround(x + fraction * (y - x))));
        if (okA && okB)
            return QVariant(x + fraction * (y - x));
    }
    if (type == orm::LogicalType::Date || type == orm::LogicalType::Timestamp ||
        type == orm::LogicalType::TimestampTz) {
        const QVariant x = orm::convertText(m_leadFirst.toString().toUtf8(), type);
        const QVariant y = orm::convertText(m_leadLast.toString().toUtf8(), type);
        const QDateTime from = x.toDateTime(), to = y.toDateTime();
        if (from.isValid() && to.isValid()) {
            const QDateTime at = from.addMSecs(qint64(fraction * double(from.msecsTo(to))));
            // The stored text's own shape, so the comparison works on SQLite too.
            const QString shape = m_leadFirst.toString();
            if (type == orm::LogicalType::Date)
                return QVariant(at.date().toString(Qt::ISODate));
            QString text = at.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
            if (shape.size() > 10 && shape[10] == QLatin1Char('T'))
                text[10] = QLatin1Char('T');
            if (type == orm::LogicalType::TimestampTz)
                text = at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) +
                       QStringLiteral("+00");
            return QVariant(text);
        }
    }
    if (a == QMetaType::QString && type != orm::LogicalType::Bool)
        return QVariant(interpolateText(m_leadFirst.toString(), m_leadLast.toString(), fraction));
    return std::nullopt;
}

QCoro::Task<RowPage> QuerySetRowSource::seek(double fraction, int limit)
{
    if (m_leadGeneration != m_generation)
        co_await loadLeadRange();
    const std::optional<QVariant> at = interpolate(std::clamp(fraction, 0.0, 1.0));
    if (!at) { // nothing to interpolate on: the nearer end
        if (fraction < 0.5)
            co_return co_await first(limit);
        co_return co_await last(limit);
    }
    const orm::OrderKey lead = m_keys.first();
    const QString lookup =
        lead.field + (lead.descending ? QStringLiteral("__lte") : QStringLiteral("__gte"));
    const orm::Q from(lookup, *at);
    orm::QuerySet query = m_ordered.filter(from).limit(limit);
    RowPage page = co_await run(query, false);
    if (page.rows.rowCount() < limit) // interpolated past the end: the last rows instead
        co_return co_await last(limit);
    co_return page;
}

QCoro::Task<qint64> QuerySetRowSource::count()
{
    m_countToken = orm::CancelToken();
    const orm::CancelToken token = m_countToken;
    orm::QuerySet query = m_ordered;
    co_return co_await query.count(token);
}

void QuerySetRowSource::cancelCount()
{
    m_countToken.cancel();
}

} // namespace strata::ui
