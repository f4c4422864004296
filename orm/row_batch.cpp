#include "row_batch.h"

#include <QDate>
#include <QDateTime>
#include <QTime>
#include <QUuid>

#include <cstring>

namespace orm {

void RowBatch::reserve(int rows, qsizetype bytesPerRow)
{
    m_data.reserve(rows * bytesPerRow);
    m_ends.reserve(size_t(rows) * m_columns);
    m_kinds.reserve(size_t(rows) * m_columns);
}

void RowBatch::push(CellKind kind, const void *data, qsizetype size)
{
    if (size > 0)
        m_data.append(static_cast<const char *>(data), size);
    m_ends.push_back(std::uint32_t(m_data.size()));
    m_kinds.push_back(kind);
}

QByteArrayView RowBatch::bytes(int row, int column) const
{
    const size_t i = index(row, column);
    const std::uint32_t begin = i == 0 ? 0 : m_ends[i - 1];
    return QByteArrayView(m_data.constData() + begin, qsizetype(m_ends[i] - begin));
}

QString RowBatch::text(int row, int column) const
{
    const QByteArrayView raw = bytes(row, column);
    switch (kind(row, column)) {
    case CellKind::Null: return {};
    case CellKind::Text: return raw.isEmpty() ? QString(QLatin1String("")) : QString::fromUtf8(raw);
    case CellKind::Integer: {
        qint64 v;
        std::memcpy(&v, raw.data(), sizeof v);
        return QString::number(v);
    }
    case CellKind::Real: {
        double v;
        std::memcpy(&v, raw.data(), sizeof v);
        return QString::number(v, 'g', 17);
    }
    case CellKind::Blob: return QString::fromLatin1(raw.toByteArray().toHex());
    }
    return {};
}

QVariant RowBatch::value(int row, int column, LogicalType type) const
{
    const QByteArrayView raw = bytes(row, column);
    switch (kind(row, column)) {
    case CellKind::Null: return {};
    case CellKind::Integer: {
        qint64 v;
        std::memcpy(&v, raw.data(), sizeof v);
        if (type == LogicalType::Bool)
            return QVariant(v != 0);
        return QVariant(v);
    }
    case CellKind::Real: {
        double v;
        std::memcpy(&v, raw.data(), sizeof v);
        return QVariant(v);
    }
    case CellKind::Blob: return QVariant(raw.toByteArray());
    case CellKind::Text: return convertText(raw, type);
    }
    return {};
}

QVariant convertText(QByteArrayView raw, LogicalType type)
{
    const QString text = QString::fromUtf8(raw);
    bool ok = false;
    switch (type) {
    case LogicalType::Bool:
        if (text == QLatin1String("t") || text == QLatin1String("true") || text == QLatin1String("1"))
            return QVariant(true);
        if (text == QLatin1String("f") || text == QLatin1String("false") || text == QLatin1String("0"))
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
        const qsizetype sign = qMax(iso.lastIndexOf(QLatin1Char('+')), iso.lastIndexOf(QLatin1Char('-')));
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
    default: break;
    }
    return QVariant(text);
}

} // namespace orm
