// The SQL compiler (orm/query/sql_compiler) on query descriptions built from arbitrary bytes:
// conditions of any shape, lookup and value type, on known and unknown fields (some with a
// quote or "__" in their names), orderings, keyset bounds, limits, columns, schemas, and every
// statement kind. Properties: it either refuses with Error(Usage) or Error(UnknownField), or
// writes SQL that binds every value and quotes every name (sql_properties.h).

#include "sql_properties.h"

#include "orm/core/error.h"

#include <QDateTime>

#include <cmath>
#include <limits>

namespace {

class Input {
public:
    Input(const unsigned char *data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    unsigned next() { return m_at < m_size ? m_data[m_at++] : 0; }
    unsigned below(unsigned n) { return next() % n; }
    bool flag() { return next() & 1; }
    QString text()
    {
        const unsigned length = below(10);
        QByteArray bytes;
        for (unsigned i = 0; i < length && m_at < m_size; ++i)
            bytes += char(next());
        return QString::fromUtf8(bytes);
    }

private:
    const unsigned char *m_data;
    size_t m_size;
    size_t m_at = 0;
};

const QStringList &fieldNames()
{
    static const QStringList names{"id",   "name",    "score", "amount", "at", "flag",
                                   "a__b", "we\"ird", "data",  "u",      "j",  "nope"};
    return names;
}

orm::Model model()
{
    using T = orm::LogicalType;
    const auto field = [](const char *name, T type, bool pk = false) {
        orm::Field f;
        f.name = QString::fromUtf8(name);
        f.sqlType = QStringLiteral("x");
        f.type = type;
        f.primaryKey = pk;
        f.nullable = !pk;
        return f;
    };
    orm::Model m;
    m.name = QStringLiteral("Thing");
    m.table = QStringLiteral("thing");
    m.fields = {field("id", T::Integer, true), field("name", T::Text),      field("score", T::Real),
                field("amount", T::Numeric),   field("at", T::TimestampTz), field("flag", T::Bool),
                field("a__b", T::Integer),     field("we\"ird", T::Text),   field("data", T::Bytes),
                field("u", T::Uuid),           field("j", T::Json)};
    return m;
}

QVariant value(Input &in, int depth = 0)
{
    switch (in.below(9)) {
    case 0:
        return {};
    case 1:
        return qint64(in.next()) - 128;
    case 2: {
        static const double specials[] = {0.5, -1e300, std::numeric_limits<double>::infinity(),
                                          std::numeric_limits<double>::quiet_NaN(), 1e-300};
        return specials[in.below(5)];
    }
    case 3:
        return in.flag();
    case 4:
        return QByteArray(int(in.below(4)), char(in.next()));
    case 5:
        return QDateTime::fromSecsSinceEpoch(qint64(in.next()) * 86400, Qt::UTC);
    case 6: {
        QVariantList list;
        const unsigned n = depth < 2 ? in.below(4) : 0;
        for (unsigned i = 0; i < n; ++i)
            list << value(in, depth + 1);
        return list;
    }
    default:
        return in.text();
    }
}

orm::Q condition(Input &in, int depth = 0)
{
    const unsigned op = depth < 4 ? in.below(6) : 0;
    switch (op) {
    case 1:
        return condition(in, depth + 1) & condition(in, depth + 1);
    case 2:
        return condition(in, depth + 1) | condition(in, depth + 1);
    case 3:
        return ~condition(in, depth + 1);
    case 4:
        return {};
    default: {
        static const QStringList lookups{
            "",    "exact", "iexact", "contains", "icontains", "startswith", "endswith", "gt",
            "gte", "lt",    "lte",    "in",       "isnull",    "range",      "bogus"};
        QString name = fieldNames()[int(in.below(unsigned(fieldNames().size())))];
        const QString lookup = lookups[int(in.below(unsigned(lookups.size())))];
        if (!lookup.isEmpty())
            name += QStringLiteral("__") + lookup;
        return orm::Q(name, value(in));
    }
    }
}

QVariantList bound(Input &in)
{
    QVariantList values;
    const unsigned n = in.below(4);
    for (unsigned i = 0; i < n; ++i)
        values << value(in, 2);
    return values;
}

QVariantMap row(Input &in)
{
    QVariantMap values;
    const unsigned n = in.below(4);
    for (unsigned i = 0; i < n; ++i)
        values.insert(fieldNames()[int(in.below(unsigned(fieldNames().size())))], value(in, 2));
    return values;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    Input in(data, size);
    orm::QuerySpec spec;
    spec.model = model();
    if (in.flag())
        spec.schema = in.text();
    spec.where = condition(in);
    for (unsigned i = in.below(4); i > 0; --i)
        spec.order << orm::OrderKey{fieldNames()[int(in.below(unsigned(fieldNames().size())))],
                                    in.flag()};
    if (in.below(4) == 0)
        spec.after = bound(in);
    if (in.below(4) == 0)
        spec.before = bound(in);
    if (in.flag())
        spec.limit = qint64(in.next()) - 8;
    if (in.below(4) == 0)
        spec.offset = qint64(in.next()) - 8;
    spec.reverse = in.flag();
    for (unsigned i = in.below(3); i > 0; --i)
        spec.columns << fieldNames()[int(in.below(unsigned(fieldNames().size())))];

    const auto dialect = in.flag() ? orm::Dialect::Postgres : orm::Dialect::Sqlite;
    try {
        switch (in.below(7)) {
        case 0:
            strata::fuzz::checkCompiled(orm::sql::select(dialect, spec), dialect);
            break;
        case 1:
            strata::fuzz::checkCompiled(orm::sql::count(dialect, spec), dialect);
            break;
        case 2:
            strata::fuzz::checkCompiled(orm::sql::exists(dialect, spec), dialect);
            break;
        case 3:
            strata::fuzz::checkCompiled(orm::sql::update(dialect, spec, row(in)), dialect);
            break;
        case 4:
            strata::fuzz::checkCompiled(orm::sql::remove(dialect, spec), dialect);
            break;
        case 5:
            strata::fuzz::checkCompiled(orm::sql::insert(dialect, spec, row(in), in.flag()),
                                        dialect);
            break;
        default: {
            QList<QVariantMap> rows;
            for (unsigned i = in.below(4); i > 0; --i)
                rows << row(in);
            const orm::sql::BulkInsert bulk = orm::sql::bulkInsert(dialect, spec, rows);
            for (const QVariantList &set : bulk.paramSets)
                strata::fuzz::checkCompiled(orm::CompiledQuery{bulk.sql, set}, dialect);
            break;
        }
        }
    } catch (const orm::Error &error) {
        FUZZ_CHECK(error.kind() == orm::Error::Kind::Usage ||
                       error.kind() == orm::Error::Kind::UnknownField,
                   error.toString());
    }
    return 0;
}
