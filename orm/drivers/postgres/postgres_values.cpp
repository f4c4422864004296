#include "orm/drivers/postgres/postgres_values.h"

#include "orm/core/error.h"

#include <QDate>
#include <QDateTime>
#include <QTime>
#include <QUuid>

namespace orm::drivers::postgres {
namespace {

struct TypeInfo {
    Oid oid;
    const char *name;
    LogicalType type;
};

constexpr TypeInfo kTypes[] = {
    {16, "bool", LogicalType::Bool},
    {17, "bytea", LogicalType::Bytes},
    {18, "char", LogicalType::Text},
    {19, "name", LogicalType::Text},
    {20, "int8", LogicalType::Integer},
    {21, "int2", LogicalType::Integer},
    {23, "int4", LogicalType::Integer},
    {25, "text", LogicalType::Text},
    {26, "oid", LogicalType::Integer},
    {114, "json", LogicalType::Json},
    {142, "xml", LogicalType::Text},
    {700, "float4", LogicalType::Real},
    {701, "float8", LogicalType::Real},
    {1042, "bpchar", LogicalType::Text},
    {1043, "varchar", LogicalType::Text},
    {1082, "date", LogicalType::Date},
    {1083, "time", LogicalType::Time},
    {1114, "timestamp", LogicalType::Timestamp},
    {1184, "timestamptz", LogicalType::TimestampTz},
    {1186, "interval", LogicalType::Text},
    {1266, "timetz", LogicalType::Text}, // "12:00:00+02" is no QTime
    {1700, "numeric", LogicalType::Numeric},
    {2950, "uuid", LogicalType::Uuid},
    {3802, "jsonb", LogicalType::Json},
    // Arrays stay text ("{1,2,3}").
    {1000, "_bool", LogicalType::Text},
    {1001, "_bytea", LogicalType::Text},
    {1002, "_char", LogicalType::Text},
    {1003, "_name", LogicalType::Text},
    {1016, "_int8", LogicalType::Text},
    {1005, "_int2", LogicalType::Text},
    {1007, "_int4", LogicalType::Text},
    {1009, "_text", LogicalType::Text},
    {1028, "_oid", LogicalType::Text},
    {199, "_json", LogicalType::Text},
    {143, "_xml", LogicalType::Text},
    {1021, "_float4", LogicalType::Text},
    {1022, "_float8", LogicalType::Text},
    {1014, "_bpchar", LogicalType::Text},
    {1015, "_varchar", LogicalType::Text},
    {1182, "_date", LogicalType::Text},
    {1183, "_time", LogicalType::Text},
    {1115, "_timestamp", LogicalType::Text},
    {1185, "_timestamptz", LogicalType::Text},
    {1187, "_interval", LogicalType::Text},
    {1270, "_timetz", LogicalType::Text},
    {1231, "_numeric", LogicalType::Text},
    {2951, "_uuid", LogicalType::Text},
    {3807, "_jsonb", LogicalType::Text},
};

const TypeInfo *findType(Oid oid)
{
    for (const TypeInfo &t : kTypes)
        if (t.oid == oid)
            return &t;
    return nullptr;
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isBindable(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::QByteArray:
    case QMetaType::QDateTime:
    case QMetaType::QDate:
    case QMetaType::QTime:
    case QMetaType::QUuid:
        return true;
    default:
        return !v.isValid() || v.isNull() || v.canConvert<QString>();
    }
}

// Text (or, for QByteArray, binary bytea) of one parameter; false for SQL NULL.
bool encode(const QVariant &v, QByteArray &out, bool &binary)
{
    binary = false;
    if (!v.isValid() || v.isNull())
        return false;
    switch (v.typeId()) {
    case QMetaType::Bool:
        out = v.toBool() ? QByteArrayLiteral("t") : QByteArrayLiteral("f");
        break;
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
    case QMetaType::Char:
        out = QByteArray::number(v.toLongLong());
        break;
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar:
        out = QByteArray::number(v.toULongLong());
        break;
    case QMetaType::Double:
        out = QByteArray::number(v.toDouble(), 'g', 17);
        break;
    case QMetaType::Float:
        out = QByteArray::number(double(v.toFloat()), 'g', 9);
        break;
    case QMetaType::QByteArray:
        out = v.toByteArray();
        binary = true;
        break;
    case QMetaType::QDate: {
        const QDate d = v.toDate();
        if (!d.isValid())
            return false;
        out = d.toString(Qt::ISODate).toLatin1();
        break;
    }
    case QMetaType::QTime: {
        const QTime t = v.toTime();
        if (!t.isValid())
            return false;
        out = t.toString(Qt::ISODateWithMs).toLatin1();
        break;
    }
    case QMetaType::QDateTime: {
        const QDateTime dt = v.toDateTime();
        if (!dt.isValid())
            return false;
        // Always with an explicit offset, so the server's TimeZone does not matter.
        out = dt.toOffsetFromUtc(dt.offsetFromUtc()).toString(Qt::ISODateWithMs).toLatin1();
        break;
    }
    case QMetaType::QUuid:
        out = v.toUuid().toByteArray(QUuid::WithoutBraces);
        break;
    default:
        out = v.toString().toUtf8();
        break;
    }
    return true;
}

} // namespace

void Params::bind(const QVariantList &list)
{
    const size_t n = size_t(list.size());
    storage.resize(n);
    values.assign(n, nullptr);
    lengths.assign(n, 0);
    formats.assign(n, 0);
    types.assign(n, 0); // let the server infer: a typed text would not fit a jsonb column
    for (size_t i = 0; i < n; ++i) {
        bool binary = false;
        if (!encode(list[qsizetype(i)], storage[i], binary))
            continue;
        values[i] = storage[i].constData();
        lengths[i] = int(storage[i].size());
        formats[i] = binary ? 1 : 0;
        if (binary)
            types[i] = kByteaOid;
    }
}

qsizetype firstUnbindable(const QVariantList &params)
{
    for (qsizetype i = 0; i < params.size(); ++i)
        if (!isBindable(params[i]))
            return i;
    return -1;
}

[[noreturn]] void throwUnbindable(const QVariantList &params, qsizetype index,
                                  const QString &database, const QString &where)
{
    throw Error(Error::Kind::Usage,
                QStringLiteral("%1parameter $%2 has a type that cannot be bound: %3")
                    .arg(where)
                    .arg(index + 1)
                    .arg(QString::fromLatin1(params[index].typeName())),
                database);
}

std::vector<Oid> declaredTypes(const QList<QVariantList> &paramSets, qsizetype paramCount)
{
    std::vector<Oid> types(size_t(paramCount), 0);
    for (const QVariantList &set : paramSets)
        for (qsizetype p = 0; p < paramCount; ++p)
            if (set[p].typeId() == QMetaType::QByteArray)
                types[size_t(p)] = kByteaOid;
    return types;
}

Columns describeColumns(const pg_result *r, std::vector<std::uint8_t> &byteaColumns)
{
    const int n = PQnfields(r);
    Columns columns;
    columns.reserve(n);
    byteaColumns.assign(size_t(n), 0);
    for (int c = 0; c < n; ++c) {
        Column column;
        column.name = QString::fromUtf8(PQfname(r, c));
        column.typeOid = PQftype(r, c);
        if (const TypeInfo *type = findType(column.typeOid)) {
            column.typeName = QString::fromLatin1(type->name);
            column.type = type->type;
        }
        byteaColumns[size_t(c)] = column.typeOid == kByteaOid;
        columns.append(std::move(column));
    }
    return columns;
}

qsizetype appendRow(RowBatch &batch, const pg_result *r,
                    const std::vector<std::uint8_t> &byteaColumns, QByteArray &scratch)
{
    const int n = int(byteaColumns.size());
    qsizetype total = 0;
    for (int c = 0; c < n; ++c) {
        if (PQgetisnull(r, 0, c)) {
            batch.appendNull();
            continue;
        }
        const char *value = PQgetvalue(r, 0, c);
        const int length = PQgetlength(r, 0, c);
        total += length;
        if (!byteaColumns[size_t(c)]) {
            batch.appendText(value, length);
            continue;
        }
        // bytea arrives as "\x0a1b..." (hex output); anything else goes through libpq.
        if (length >= 2 && value[0] == '\\' && value[1] == 'x') {
            const int bytes = (length - 2) / 2;
            scratch.resize(bytes);
            char *out = scratch.data();
            for (int i = 0; i < bytes; ++i)
                out[i] = char(hexDigit(value[2 + 2 * i]) << 4 | hexDigit(value[3 + 2 * i]));
            batch.appendBlob(out, bytes);
        } else {
            size_t size = 0;
            unsigned char *raw =
                PQunescapeBytea(reinterpret_cast<const unsigned char *>(value), &size);
            batch.appendBlob(raw, qsizetype(size));
            PQfreemem(raw);
        }
    }
    return total;
}

} // namespace orm::drivers::postgres
