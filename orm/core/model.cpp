#include "orm/core/model.h"

#include "orm/core/error.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace orm {

const Field *Model::field(const QString &name) const
{
    for (const Field &f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

QStringList Model::fieldNames() const
{
    QStringList names;
    names.reserve(fields.size());
    for (const Field &f : fields)
        names << f.name;
    return names;
}

QStringList Model::primaryKey() const
{
    // A primary index gives the key's column order (it may differ from the fields' order).
    for (const Index &index : indexes)
        if (index.primary)
            return index.columns;
    QStringList names;
    for (const Field &f : fields)
        if (f.primaryKey)
            names << f.name;
    return names;
}

ModelBuilder::ModelBuilder(QString name, QString table)
{
    m_model.table = table.isEmpty() ? name : std::move(table);
    m_model.name = std::move(name);
}

ModelBuilder &ModelBuilder::field(QString name, QString sqlType)
{
    Field f;
    f.type = logicalTypeOf(sqlType);
    f.name = std::move(name);
    f.sqlType = std::move(sqlType);
    m_model.fields.append(std::move(f));
    return *this;
}

Field &ModelBuilder::current()
{
    if (m_model.fields.isEmpty())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("model '%1': a field option comes before any field()")
                        .arg(m_model.name));
    return m_model.fields.last();
}

ModelBuilder &ModelBuilder::notNull()
{
    current().nullable = false;
    return *this;
}

ModelBuilder &ModelBuilder::primaryKey()
{
    Field &f = current();
    f.primaryKey = true;
    f.nullable = false;
    return *this;
}

ModelBuilder &ModelBuilder::identity()
{
    Field &f = current();
    f.identity = true;
    f.nullable = false;
    return *this;
}

ModelBuilder &ModelBuilder::generated(QString expression)
{
    Field &f = current();
    f.generated = true;
    f.generatedExpression = std::move(expression);
    return *this;
}

ModelBuilder &ModelBuilder::defaultsTo(QString expression)
{
    current().defaultExpression = std::move(expression);
    return *this;
}

ModelBuilder &ModelBuilder::references(QString table, QString column, QString schema)
{
    ForeignKey key;
    key.columns = QStringList{current().name};
    key.targetSchema = std::move(schema);
    key.targetTable = std::move(table);
    key.targetColumns = QStringList{std::move(column)};
    m_model.foreignKeys.append(std::move(key));
    return *this;
}

ModelBuilder &ModelBuilder::unique(QStringList columns)
{
    // No columns: the current field alone.
    if (columns.isEmpty())
        columns << current().name;
    m_model.indexes.append(Index{QString(), std::move(columns), true, false});
    return *this;
}

ModelBuilder &ModelBuilder::index(QStringList columns)
{
    if (columns.isEmpty())
        columns << current().name;
    m_model.indexes.append(Index{QString(), std::move(columns), false, false});
    return *this;
}

ModelBuilder &ModelBuilder::schema(QString schema)
{
    m_model.schema = std::move(schema);
    return *this;
}

ModelBuilder &ModelBuilder::kind(ModelKind kind)
{
    m_model.kind = kind;
    return *this;
}

ModelBuilder &ModelBuilder::tenant()
{
    m_model.origin = ModelOrigin::Tenant;
    return *this;
}

Model ModelBuilder::build() const
{
    const QString &name = m_model.name;
    if (name.trimmed().isEmpty() || m_model.table.trimmed().isEmpty())
        throw Error(Error::Kind::Configuration, QStringLiteral("a model needs a name and a table"));
    QSet<QString> seen;
    for (const Field &f : m_model.fields) {
        if (f.name.isEmpty())
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("model '%1' has a field without a name").arg(name));
        if (seen.contains(f.name))
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("model '%1' declares field '%2' twice").arg(name, f.name));
        seen.insert(f.name);
    }
    const auto checkColumns = [&](const QStringList &columns, const QString &what) {
        for (const QString &column : columns)
            if (!seen.contains(column))
                throw Error(Error::Kind::Configuration,
                            QStringLiteral("model '%1': %2 names '%3', which is not one of its "
                                           "fields")
                                .arg(name, what, column));
    };
    for (const Index &index : m_model.indexes)
        checkColumns(index.columns, index.unique ? QStringLiteral("a unique constraint")
                                                 : QStringLiteral("an index"));
    for (const ForeignKey &key : m_model.foreignKeys)
        checkColumns(key.columns, QStringLiteral("a foreign key"));
    Model model = m_model;
    model.fieldsLoaded = true;
    return model;
}

QString modelKindName(ModelKind kind)
{
    switch (kind) {
    case ModelKind::Table:
        return QStringLiteral("table");
    case ModelKind::View:
        return QStringLiteral("view");
    case ModelKind::MaterializedView:
        return QStringLiteral("materialized view");
    case ModelKind::PartitionedTable:
        return QStringLiteral("partitioned table");
    case ModelKind::Partition:
        return QStringLiteral("partition");
    }
    return {};
}

QString logicalTypeName(LogicalType type)
{
    switch (type) {
    case LogicalType::Unknown:
        return QStringLiteral("unknown");
    case LogicalType::Bool:
        return QStringLiteral("bool");
    case LogicalType::Integer:
        return QStringLiteral("integer");
    case LogicalType::Real:
        return QStringLiteral("real");
    case LogicalType::Numeric:
        return QStringLiteral("numeric");
    case LogicalType::Text:
        return QStringLiteral("text");
    case LogicalType::Bytes:
        return QStringLiteral("bytes");
    case LogicalType::Date:
        return QStringLiteral("date");
    case LogicalType::Time:
        return QStringLiteral("time");
    case LogicalType::Timestamp:
        return QStringLiteral("timestamp");
    case LogicalType::TimestampTz:
        return QStringLiteral("timestamptz");
    case LogicalType::Json:
        return QStringLiteral("json");
    case LogicalType::Uuid:
        return QStringLiteral("uuid");
    }
    return {};
}

namespace {

// Type names with a meaning of their own: PostgreSQL's (short and SQL-standard spellings) and
// the few SQLite conventions that affinity alone would get wrong (BOOLEAN, DATE, DATETIME).
const QHash<QString, LogicalType> &knownTypes()
{
    static const QHash<QString, LogicalType> types = [] {
        QHash<QString, LogicalType> t;
        for (const char *n : {"bool", "boolean"})
            t.insert(QLatin1String(n), LogicalType::Bool);
        for (const char *n :
             {"int2", "int4", "int8", "smallint", "integer", "int", "bigint", "serial", "bigserial",
              "smallserial", "serial2", "serial4", "serial8", "oid"})
            t.insert(QLatin1String(n), LogicalType::Integer);
        for (const char *n : {"real", "float4", "float8", "float", "double precision", "double"})
            t.insert(QLatin1String(n), LogicalType::Real);
        for (const char *n : {"numeric", "decimal"})
            t.insert(QLatin1String(n), LogicalType::Numeric);
        // Text-like PostgreSQL types, some of which SQLite's affinity rules would misread
        // ("interval" and "point" hold "INT").
        for (const char *n : {"text",      "varchar",     "character varying",
                              "char",      "character",   "bpchar",
                              "name",      "citext",      "\"char\"",
                              "interval",  "inet",        "cidr",
                              "macaddr",   "macaddr8",    "money",
                              "xml",       "tsvector",    "tsquery",
                              "bit",       "bit varying", "varbit",
                              "point",     "line",        "lseg",
                              "box",       "path",        "polygon",
                              "circle",    "int4range",   "int8range",
                              "numrange",  "tsrange",     "tstzrange",
                              "daterange", "regclass",    "regtype",
                              "pg_lsn"})
            t.insert(QLatin1String(n), LogicalType::Text);
        t.insert(QStringLiteral("bytea"), LogicalType::Bytes);
        t.insert(QStringLiteral("blob"), LogicalType::Bytes);
        t.insert(QStringLiteral("date"), LogicalType::Date);
        for (const char *n : {"time", "time without time zone", "timetz", "time with time zone"})
            t.insert(QLatin1String(n), LogicalType::Time);
        for (const char *n : {"timestamp", "timestamp without time zone", "datetime"})
            t.insert(QLatin1String(n), LogicalType::Timestamp);
        for (const char *n : {"timestamptz", "timestamp with time zone"})
            t.insert(QLatin1String(n), LogicalType::TimestampTz);
        for (const char *n : {"json", "jsonb"})
            t.insert(QLatin1String(n), LogicalType::Json);
        t.insert(QStringLiteral("uuid"), LogicalType::Uuid);
        return t;
    }();
    return types;
}

} // namespace

LogicalType logicalTypeOf(const QString &sqlType)
{
    static const QRegularExpression modifiers(QStringLiteral("\\([^)]*\\)"));
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QString type = sqlType.toLower();
    type.remove(modifiers); // varchar(40), numeric(10,2), timestamp(3) with time zone
    type.replace(spaces, QStringLiteral(" "));
    type = type.trimmed();
    if (type.isEmpty())
        return LogicalType::Unknown; // SQLite: no declared type (BLOB affinity), nothing known
    // Arrays (integer[], _int4, int ARRAY) are shown as their text form.
    if (type.endsWith(QLatin1String("]")) || type.endsWith(QLatin1String(" array")) ||
        type.startsWith(QLatin1Char('_')))
        return LogicalType::Text;
    if (const auto it = knownTypes().constFind(type); it != knownTypes().constEnd())
        return *it;
    // SQLite's column affinity rules (https://sqlite.org/datatype3.html, 3.1), in order.
    if (type.contains(QLatin1String("int")))
        return LogicalType::Integer;
    if (type.contains(QLatin1String("char")) || type.contains(QLatin1String("clob")) ||
        type.contains(QLatin1String("text")))
        return LogicalType::Text;
    if (type.contains(QLatin1String("blob")))
        return LogicalType::Bytes;
    if (type.contains(QLatin1String("real")) || type.contains(QLatin1String("floa")) ||
        type.contains(QLatin1String("doub")))
        return LogicalType::Real;
    return LogicalType::Numeric;
}

} // namespace orm
