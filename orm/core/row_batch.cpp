#include "orm/core/row_batch.h"

#include <QDate>
#include <QDateTime>
#include <QLocale>
#include <QTime>
#include <QUuid>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace orm {

RowBatch::RowBatch(const RowBatch &other)
    : m_columns(other.m_columns)
    , m_ends(other.m_ends)
    , m_kinds(other.m_kinds)
{
    if (other.m_size > 0) {
        grow(other.m_size);
        std::memcpy(m_data.get(), other.m_data.get(), other.m_size);
        m_size = other.m_size;
    }
}

RowBatch::RowBatch(RowBatch &&other) noexcept
    : m_columns(other.m_columns)
    , m_data(std::move(other.m_data))
    , m_size(std::exchange(other.m_size, 0))
    , m_capacity(std::exchange(other.m_capacity, 0))
    , m_ends(std::move(other.m_ends))
    , m_kinds(std::move(other.m_kinds))
{
}

RowBatch &RowBatch::operator=(RowBatch &&other) noexcept
{
    m_columns = other.m_columns;
    m_data = std::move(other.m_data);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
    m_ends = std::move(other.m_ends);
    m_kinds = std::move(other.m_kinds);
    return *this;
}

RowBatch &RowBatch::operator=(const RowBatch &other)
{
    if (this != &other)
        *this = RowBatch(other);
    return *this;
}

void RowBatch::grow(size_t atLeast)
{
    const size_t wanted = std::max({m_capacity * 2, m_size + atLeast, size_t(4096)});
    char *data = static_cast<char *>(std::realloc(m_data.get(), wanted));
    if (!data)
        throw std::bad_alloc();
    (void)m_data.release(); // realloc took ownership of the old block
    m_data.reset(data);
    m_capacity = wanted;
}

void RowBatch::reserve(int rows, qsizetype bytesPerRow)
{
    const size_t bytes = size_t(rows) * size_t(qMax<qsizetype>(bytesPerRow, 0));
    if (bytes > m_capacity)
        grow(bytes - m_size);
    m_ends.reserve(size_t(rows) * m_columns);
    m_kinds.reserve(size_t(rows) * m_columns);
}

void RowBatch::copyRowTo(int row, RowBatch &to) const
{
    Q_ASSERT(to.columnCount() == m_columns);
    for (int column = 0; column < m_columns; ++column)
        to.appendCell(kind(row, column), bytes(row, column));
}

QString RowBatch::text(int row, int column) const
{
    const QByteArrayView raw = bytes(row, column);
    switch (kind(row, column)) {
    case CellKind::Null:
        return {};
    case CellKind::Text:
        return raw.isEmpty() ? QString(QLatin1String("")) : QString::fromUtf8(raw);
    case CellKind::Integer:
        return QString::number(integer(row, column));
    case CellKind::Real:
        // exact, and 0.1 stays 0.1
        return QString::number(real(row, column), 'g', QLocale::FloatingPointShortest);
    case CellKind::Blob:
        return QString::fromLatin1(raw.toByteArray().toHex());
    }
    return {};
}

QVariant RowBatch::value(int row, int column, LogicalType type) const
{
    const QByteArrayView raw = bytes(row, column);
    switch (kind(row, column)) {
    case CellKind::Null:
        return {};
    case CellKind::Integer: {
        const qint64 v = integer(row, column);
        if (type == LogicalType::Bool)
            return QVariant(v != 0);
        return QVariant(v);
    }
    case CellKind::Real:
        return QVariant(real(row, column));
    case CellKind::Blob:
        return QVariant(raw.toByteArray());
    case CellKind::Text:
        return convertText(raw, type);
    }
    return {};
}

QVariant RowBatch::rawValue(int row, int column) const
{
    const QByteArrayView raw = bytes(row, column);
    switch (kind(row, column)) {
    case CellKind::Null:
        return {};
    case CellKind::Text:
        return QString::fromUtf8(raw);
    case CellKind::Blob:
        return raw.toByteArray();
    case CellKind::Integer:
        return integer(row, column);
    case CellKind::Real:
        return real(row, column);
    }
    return {};
}

QVariantList RowBatch::rawValues(int row, const QList<int> &columns) const
{
    QVariantList values;
    for (int column : columns)
        values << rawValue(row, column);
    return values;
}

QVariant convertText(QByteArrayView raw, LogicalType type)
{
    const QString text = QString::fromUtf8(raw);
    bool ok = false;
    switch (type) {
    case LogicalType::Bool:
        if (text == QLatin1String("t") || text == QLatin1String("true") ||
            text == QLatin1String("1"))
            return QVariant(true);
        if (text == QLatin1String("f") || text == QLatin1String("false") ||
            text == QLatin1String("0"))
            return QVariant(false);
        break;
    case LogicalType::Integer: {
        const qint64 v = text.toLongLong(&ok);
        if (ok)
            return QVariant(v);
        break;
    }
    case LogicalType::Real: {
        const double v = text.toDouble(&ok);
        if (ok)
            return QVariant(v);
        break;
    }
    case LogicalType::Date: {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (d.isValid())
            return QVariant(d);
        break;
    }
    case LogicalType::Time: {
        const QTime t = QTime::fromString(text, Qt::ISODateWithMs);
        if (t.isValid())
            return QVariant(t);
        break;
    }
    case LogicalType::Timestamp:
    case LogicalType::TimestampTz: {
        // PostgreSQL writes "2024-01-31 12:00:00.5+01"; Qt wants 'T' and "+01:00".
        QString iso = text;
        if (iso.size() > 10 && iso[10] == QLatin1Char(' '))
            iso[10] = QLatin1Char('T');
        const qsizetype sign =
            qMax(iso.lastIndexOf(QLatin1Char('+')), iso.lastIndexOf(QLatin1Char('-')));
        if (type == LogicalType::TimestampTz && sign > 10 && iso.size() - sign == 3)
            iso += QStringLiteral(":00");
        const QDateTime dt = QDateTime::fromString(iso, Qt::ISODateWithMs);
        if (dt.isValid())
            return QVariant(dt);
        break;
    }
    case LogicalType::Uuid: {
        const QUuid u = QUuid::fromString(text);
        if (!u.isNull())
            return QVariant(u);
        break;
    }
    default:
        break;
    }
    return QVariant(text);
}

} // namespace orm
