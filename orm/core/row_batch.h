#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QVariant>
#include <QVariantList>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace orm {

// What a column holds, independent of the backend's own type names.
enum class LogicalType {
    Unknown,
    Bool,
    Integer,
    Real,
    Numeric, // exact decimal: kept as text so no digit is lost
    Text,
    Bytes,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Json,
    Uuid,
};

struct Column {
    QString name;
    QString typeName;    // the backend's name for it: "int4", "timestamptz", "TEXT"...
    quint32 typeOid = 0; // PostgreSQL's type OID; 0 on SQLite
    LogicalType type = LogicalType::Unknown;
};
using Columns = QList<Column>;

// How one cell is stored in a batch.
enum class CellKind : std::uint8_t { Null, Text, Integer, Real, Blob };

// A batch of rows held compactly: every cell's bytes back to back in one buffer, with an end
// offset and a kind per cell. Nothing is converted to QString or QVariant until a cell is read,
// because a grid shows a few dozen cells of a result that may hold millions.
class RowBatch {
public:
    explicit RowBatch(int columnCount = 0)
        : m_columns(columnCount)
    {
    }
    RowBatch(const RowBatch &other);
    RowBatch &operator=(const RowBatch &other);
    RowBatch(RowBatch &&other) noexcept;
    RowBatch &operator=(RowBatch &&other) noexcept;

    int columnCount() const { return m_columns; }
    int rowCount() const { return m_columns ? int(m_kinds.size() / size_t(m_columns)) : 0; }
    bool isEmpty() const { return m_kinds.empty(); }

    CellKind kind(int row, int column) const { return m_kinds[index(row, column)]; }
    bool isNull(int row, int column) const { return kind(row, column) == CellKind::Null; }
    // The stored bytes: UTF-8 text, a blob, or the native 8 bytes of an Integer or Real cell.
    QByteArrayView bytes(int row, int column) const
    {
        const size_t i = index(row, column);
        const std::uint32_t begin = i == 0 ? 0 : m_ends[i - 1];
        return QByteArrayView(m_data.get() + begin, qsizetype(m_ends[i] - begin));
    }
    // The number in an Integer cell, or in a Real one: only for cells of that kind.
    qint64 integer(int row, int column) const { return load<qint64>(row, column); }
    double real(int row, int column) const { return load<double>(row, column); }
    // The cell as text for display; a null QString for NULL (an empty cell is "" and not null).
    QString text(int row, int column) const;
    // The cell converted by its column's logical type; an invalid QVariant for NULL.
    QVariant value(int row, int column, LogicalType type = LogicalType::Unknown) const;
    // The cell as the database sent it: integers and reals as numbers, text as text (never
    // re-parsed, so that a timestamp bound back compares equal), blobs as bytes, NULL as invalid.
    QVariant rawValue(int row, int column) const;
    QVariantList rawValues(int row, const QList<int> &columns) const;

    // Building, in row-major order; a row is complete after columnCount() appends.
    void reserve(int rows, qsizetype bytesPerRow);
    void appendNull() { push(CellKind::Null, nullptr, 0); }
    void appendText(const char *data, qsizetype size) { push(CellKind::Text, data, size); }
    void appendBlob(const void *data, qsizetype size) { push(CellKind::Blob, data, size); }
    void appendInteger(qint64 value) { push(CellKind::Integer, &value, sizeof value); }
    void appendReal(double value) { push(CellKind::Real, &value, sizeof value); }
    // A cell of any kind from its stored bytes (as bytes() gives them).
    void appendCell(CellKind kind, QByteArrayView bytes) { push(kind, bytes.data(), bytes.size()); }
    // Appends row `row` of this batch to `to`, which has as many columns.
    void copyRowTo(int row, RowBatch &to) const;

    // Bytes held, for memory accounting.
    qsizetype memoryUsage() const
    {
        return qsizetype(m_capacity) + qsizetype(m_ends.capacity() * sizeof(std::uint32_t)) +
               qsizetype(m_kinds.capacity());
    }

private:
    struct FreeBuffer {
        void operator()(char *data) const { std::free(data); }
    };

    size_t index(int row, int column) const { return size_t(row) * size_t(m_columns) + column; }
    template <typename T>
    T load(int row, int column) const
    {
        T v;
        std::memcpy(&v, bytes(row, column).data(), sizeof v);
        return v;
    }
    // The hot path of every fetch: kept inline, one capacity check and a memcpy per cell
    // (QByteArray::append goes out of line on every call in Qt 6.4).
    void push(CellKind kind, const void *data, qsizetype size)
    {
        if (size > 0) {
            if (m_size + size_t(size) > m_capacity)
                grow(size_t(size));
            std::memcpy(m_data.get() + m_size, data, size_t(size));
            m_size += size_t(size);
        }
        m_ends.push_back(std::uint32_t(m_size));
        m_kinds.push_back(kind);
    }
    void grow(size_t atLeast);

    int m_columns = 0;
    std::unique_ptr<char[], FreeBuffer> m_data; // cell payloads back to back
    size_t m_size = 0;
    size_t m_capacity = 0;
    std::vector<std::uint32_t> m_ends; // end offset of each cell in m_data
    std::vector<CellKind> m_kinds;
};

// Converts PostgreSQL-style or ISO text to a QVariant of the logical type (used for text cells).
QVariant convertText(QByteArrayView text, LogicalType type);

} // namespace orm
