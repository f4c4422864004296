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

} // namespace

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

int bindValue(sqlite3_stmt *stmt, int index, const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return sqlite3_bind_null(stmt, index);
    switch (value.typeId()) {
    case QMetaType::Bool:
        return sqlite3_bind_int64(stmt, index, value.toBool() ? 1 : 0);
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::UChar:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
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
        const QByteArray bytes = value.toByteArray();
        if (bytes.isNull())
            return sqlite3_bind_null(stmt, index);
        if (bytes.isEmpty()) // a zero-length blob, not NULL
            return sqlite3_bind_zeroblob(stmt, index, 0);
        return sqlite3_bind_blob64(stmt, index, bytes.constData(), sqlite3_uint64(bytes.size()),
                                   SQLITE_TRANSIENT);
    }
    case QMetaType::QString: {
        const QString text = value.toString();
        return text.isNull() ? sqlite3_bind_null(stmt, index)
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
