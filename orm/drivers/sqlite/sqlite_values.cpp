#include "orm/drivers/sqlite/sqlite_values.h"

#include <QDate>
#include <QDateTime>
#include <QTime>
#include <QUuid>

#include <limits>

namespace orm::drivers::sqlite {
namespace {

QByteArray isoDateTime(const QDateTime &dt)
{
    const QDateTime withOffset =
        dt.timeSpec() == Qt::UTC ? dt : dt.toOffsetFromUtc(dt.offsetFromUtc());
    return withOffset.toString(Qt::ISODateWithMs).toUtf8();
}

int bindText(sqlite3_stmt *stmt, int index, const QByteArray &utf8)
{
    return sqlite3_bind_text64(stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Copies ASCII `text` into `out` (as long as it); false, with `out` half written, at the first
// character past ASCII. In blocks without an early exit inside, which the compiler vectorizes.
bool narrowAscii(QStringView text, char *out)
{
    constexpr qsizetype Block = 32;
    const char16_t *in = text.utf16();
    const qsizetype size = text.size();
    qsizetype i = 0;
    for (; i + Block <= size; i += Block) {
        char16_t bits = 0;
        for (qsizetype j = 0; j < Block; ++j) {
            bits |= in[i + j];
            out[i + j] = char(in[i + j]);
        }
        if (bits >= 0x80)
            return false;
    }
    char16_t bits = 0;
    for (; i < size; ++i) {
        bits |= in[i];
        out[i] = char(in[i]);
    }
    return bits < 0x80;
}

// A text bound from the batch's buffer for its parameter, SQLITE_STATIC: ASCII narrowed in
// place; anything else as QString::toUtf8 converts it (the bytes the copying path binds).
int bindString(sqlite3_stmt *stmt, int index, const QString &text, BindBuffers &buffers)
{
    if (text.isEmpty()) // a pointer that is never null: an empty text, not NULL
        return sqlite3_bind_text64(stmt, index, "", 0, SQLITE_STATIC, SQLITE_UTF8);
    char *out = buffers.text(index, text.size());
    if (narrowAscii(text, out))
        return sqlite3_bind_text64(stmt, index, out, sqlite3_uint64(text.size()), SQLITE_STATIC,
                                   SQLITE_UTF8);
    const QByteArray &utf8 = buffers.keep(index, text.toUtf8());
    return sqlite3_bind_text64(stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()),
                               SQLITE_STATIC, SQLITE_UTF8);
}

} // namespace

char *BindBuffers::text(int index, qsizetype bytes)
{
    if (m_texts.size() < size_t(index))
        m_texts.resize(size_t(index));
    QByteArray &buffer = m_texts[size_t(index - 1)];
    if (buffer.size() < bytes)
        buffer.resize(bytes);
    return buffer.data();
}

const QByteArray &BindBuffers::keep(int index, QByteArray utf8)
{
    if (m_texts.size() < size_t(index))
        m_texts.resize(size_t(index));
    return m_texts[size_t(index - 1)] = std::move(utf8);
}

// The declared type's logical type: well-known names first, then SQLite's affinity rules
// (https://sqlite.org/datatype3.html#determination_of_column_affinity).
LogicalType logicalType(const char *declared)
{
    if (!declared || !*declared)
        return LogicalType::Unknown;
    const QByteArray t = QByteArray(declared).toUpper();
    if (t.contains("BOOL"))
        return LogicalType::Bool;
    if (t.contains("JSON"))
        return LogicalType::Json;
    if (t.contains("UUID"))
        return LogicalType::Uuid;
    if (t.startsWith("TIMESTAMP") || t.startsWith("DATETIME")) {
        const bool zoned =
            (t.contains("TZ") || t.contains("WITH TIME ZONE")) && !t.contains("WITHOUT");
        return zoned ? LogicalType::TimestampTz : LogicalType::Timestamp;
    }
    if (t.startsWith("DATE"))
        return LogicalType::Date;
    if (t.startsWith("TIME"))
        return LogicalType::Time;
    if (t.contains("NUMERIC") || t.contains("DECIMAL"))
        return LogicalType::Numeric;
    if (t.contains("INT"))
        return LogicalType::Integer;
    if (t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT"))
        return LogicalType::Text;
    if (t.contains("BLOB"))
        return LogicalType::Bytes;
    if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB"))
        return LogicalType::Real;
    return LogicalType::Numeric;
}

Columns describeColumns(sqlite3_stmt *stmt)
{
    const int columnCount = sqlite3_column_count(stmt);
    Columns columns;
    columns.reserve(columnCount);
    for (int i = 0; i < columnCount; ++i) {
        const char *declared = sqlite3_column_decltype(stmt, i);
        Column column;
        column.name = QString::fromUtf8(sqlite3_column_name(stmt, i));
        column.typeName = declared ? QString::fromUtf8(declared) : QString();
        column.type = logicalType(declared);
        columns.append(std::move(column));
    }
    return columns;
}

int bindValue(sqlite3_stmt *stmt, int index, const QVariant &value, BindBuffers *buffers)
{
    if (!value.isValid() || value.isNull())
        return sqlite3_bind_null(stmt, index);
    switch (value.typeId()) {
    case QMetaType::Bool:
        return sqlite3_bind_int64(stmt, index, value.toBool() ? 1 : 0);
    // The usual keys and texts read in place, without QVariant's conversions or a copy.
    case QMetaType::Int:
        return sqlite3_bind_int64(stmt, index, *static_cast<const int *>(value.constData()));
    case QMetaType::LongLong:
        return sqlite3_bind_int64(stmt, index, *static_cast<const qlonglong *>(value.constData()));
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::UInt:
    case QMetaType::Long:
        return sqlite3_bind_int64(stmt, index, value.toLongLong());
    case QMetaType::ULong:
    case QMetaType::ULongLong: {
        const quint64 v = value.toULongLong();
        if (v <= quint64(std::numeric_limits<qint64>::max()))
            return sqlite3_bind_int64(stmt, index, qint64(v));
        return bindText(stmt, index, QByteArray::number(v)); // keeps every digit
    }
    case QMetaType::Float:
    case QMetaType::Double:
        return sqlite3_bind_double(stmt, index, value.toDouble());
    case QMetaType::QByteArray: {
        const auto &bytes = *static_cast<const QByteArray *>(value.constData());
        if (bytes.isNull())
            return sqlite3_bind_null(stmt, index);
        if (bytes.isEmpty()) // a zero-length blob, not NULL
            return sqlite3_bind_zeroblob(stmt, index, 0);
        // With buffers the caller keeps `value`, so its bytes stay put while bound.
        return sqlite3_bind_blob64(stmt, index, bytes.constData(), sqlite3_uint64(bytes.size()),
                                   buffers ? SQLITE_STATIC : SQLITE_TRANSIENT);
    }
    case QMetaType::QString: {
        const auto &text = *static_cast<const QString *>(value.constData());
        if (text.isNull())
            return sqlite3_bind_null(stmt, index);
        return buffers ? bindString(stmt, index, text, *buffers)
                       : bindText(stmt, index, text.toUtf8());
    }
    case QMetaType::QDateTime: {
        const QDateTime dt = value.toDateTime();
        return dt.isValid() ? bindText(stmt, index, isoDateTime(dt))
                            : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QDate: {
        const QDate d = value.toDate();
        return d.isValid() ? bindText(stmt, index, d.toString(Qt::ISODate).toUtf8())
                           : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QTime: {
        const QTime t = value.toTime();
        return t.isValid() ? bindText(stmt, index, t.toString(Qt::ISODateWithMs).toUtf8())
                           : sqlite3_bind_null(stmt, index);
    }
    case QMetaType::QUuid: {
        const QUuid u = value.toUuid();
        return u.isNull() ? sqlite3_bind_null(stmt, index)
                          : bindText(stmt, index, u.toByteArray(QUuid::WithoutBraces));
    }
    default:
        if (!value.canConvert<QString>())
            return -1;
        return bindText(stmt, index, value.toString().toUtf8());
    }
}

qsizetype appendRow(RowBatch &batch, sqlite3_stmt *stmt, int columns)
{
    qsizetype bytes = 0;
    for (int c = 0; c < columns; ++c) {
        // One sqlite3_column_* call per cell: each goes through SQLite's API exit
        // bookkeeping, the sqlite3_value_* accessors do not. The value is used only
        // here, on the one thread that owns the connection.
        sqlite3_value *value = sqlite3_column_value(stmt, c);
        switch (sqlite3_value_type(value)) {
        case SQLITE_INTEGER:
            batch.appendInteger(sqlite3_value_int64(value));
            bytes += 8;
            break;
        case SQLITE_FLOAT:
            batch.appendReal(sqlite3_value_double(value));
            bytes += 8;
            break;
        case SQLITE_TEXT: {
            const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(value));
            const int size = sqlite3_value_bytes(value);
            batch.appendText(text, size);
            bytes += size;
            break;
        }
        case SQLITE_BLOB: {
            const void *blob = sqlite3_value_blob(value);
            const int size = sqlite3_value_bytes(value);
            batch.appendBlob(blob, size);
            bytes += size;
            break;
        }
        default:
            batch.appendNull();
            break;
        }
    }
    return bytes;
}

} // namespace orm::drivers::sqlite
