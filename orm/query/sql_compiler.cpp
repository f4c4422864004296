#include "orm/query/sql_compiler.h"

#include "orm/core/error.h"

#include <QRegularExpression>
#include <QStringList>

namespace orm::sql {
namespace {

bool isNullValue(const QVariant &value)
{
    return !value.isValid() || value.typeId() == QMetaType::Nullptr;
}

// A key column may hold NULL: primary keys never do, whatever the declaration says.
bool isNullable(const Field &field)
{
    return field.nullable && !field.primaryKey;
}

QString fieldList(const Model &model)
{
    QStringList names;
    for (const Field &field : model.fields)
        names << field.name;
    return names.join(QStringLiteral(", "));
}

QString modelName(const Model &model)
{
    return model.name.isEmpty() ? model.table : model.name;
}

[[noreturn]] void usage(const QString &message)
{
    throw Error(Error::Kind::Usage, message);
}

QString join(const QStringList &parts, const char *separator)
{
    return parts.join(QLatin1String(separator));
}

class Builder {
public:
    Builder(Dialect dialect, const QuerySpec &spec)
        : m_dialect(dialect)
        , m_spec(spec)
    {
    }

    QVariantList takeParams() { return std::move(m_params); }

    QString bind(const QVariant &value)
    {
        m_params.append(value);
        return placeholder(m_dialect, int(m_params.size()));
    }

    const Field &field(const QString &name) const { return requireField(m_spec.model, name); }
    QString column(const QString &name) const { return quoteIdentifier(field(name).name); }
    // SQLite's default schema is named: unqualified, SQLite would look through every attached
    // tenant file for a table `main` lacks, and a query of the default schema would read a
    // tenant's rows.
    QString table() const
    {
        const QString schema = m_spec.schema.isEmpty() && m_dialect == Dialect::Sqlite
                                   ? QStringLiteral("main")
                                   : m_spec.schema;
        return qualifiedName(schema, m_spec.model.table);
    }

    QString selectList(const QStringList &columns) const
    {
        QStringList names;
        if (!columns.isEmpty()) {
            for (const QString &name : columns)
                names << column(name);
        } else {
            for (const Field &f : m_spec.model.fields)
                names << quoteIdentifier(f.name);
        }
        return names.isEmpty() ? QStringLiteral("*") : join(names, ", ");
    }

    // " WHERE ..." for the filter and the keyset bounds, or nothing.
    QString where()
    {
        QStringList parts;
        if (!m_spec.where.isEmpty()) {
            const bool wrap = m_spec.where.kind() == Q::Kind::Or;
            const QString condition = this->condition(m_spec.where);
            parts << (wrap ? QLatin1Char('(') + condition + QLatin1Char(')') : condition);
        }
        if (m_spec.after || m_spec.before) {
            if (m_spec.order.isEmpty())
                usage(QStringLiteral("keyset pagination (after/before) on %1 needs an ordering "
                                     "(orderBy) or a primary key")
                          .arg(modelName(m_spec.model)));
        }
        if (m_spec.after)
            parts << keyset(m_spec.order, *m_spec.after, QStringLiteral("after"));
        if (m_spec.before)
            parts << keyset(reversed(m_spec.order), *m_spec.before, QStringLiteral("before"));
        return parts.isEmpty() ? QString() : QStringLiteral(" WHERE ") + join(parts, " AND ");
    }

    // " ORDER BY ...": rows come reversed when `before` bounds them (nearest the bound first).
    QString orderBy()
    {
        const bool flip = bool(m_spec.before) != m_spec.reverse;
        const QList<OrderKey> keys = flip ? reversed(m_spec.order) : m_spec.order;
        if (keys.isEmpty())
            return {};
        QStringList parts;
        for (const OrderKey &key : keys) {
            const Field &f = field(key.field);
            QString part = quoteIdentifier(f.name);
            if (key.descending)
                part += QStringLiteral(" DESC");
            // NULL sorts as the greatest value on both backends (PostgreSQL's default).
            if (m_dialect == Dialect::Sqlite && isNullable(f))
                part +=
                    key.descending ? QStringLiteral(" NULLS FIRST") : QStringLiteral(" NULLS LAST");
            parts << part;
        }
        return QStringLiteral(" ORDER BY ") + join(parts, ", ");
    }

    QString limitOffset(std::optional<qint64> limit, std::optional<qint64> offset)
    {
        QString text;
        if (limit && *limit < 0)
            usage(QStringLiteral("limit(%1): a limit cannot be negative").arg(*limit));
        if (offset && *offset < 0)
            usage(QStringLiteral("offset(%1): an offset cannot be negative").arg(*offset));
        if (limit)
            text += QStringLiteral(" LIMIT ") + bind(*limit);
        else if (offset && m_dialect == Dialect::Sqlite)
            text += QStringLiteral(" LIMIT -1"); // SQLite has no OFFSET without LIMIT
        if (offset)
            text += QStringLiteral(" OFFSET ") + bind(*offset);
        return text;
    }

    QString condition(const Q &q)
    {
        switch (q.kind()) {
        case Q::Kind::Empty:
            return QStringLiteral("TRUE");
        case Q::Kind::Leaf:
            return leaf(q);
        case Q::Kind::Not: {
            const Q &child = q.children().first();
            const QString inner = condition(child);
            // NOT NULL is NULL: without COALESCE, exclude() would drop the rows whose compared
            // column is NULL, and ~q would not be q's complement.
            if (mayBeNull(child))
                return QStringLiteral("NOT COALESCE(") + inner + QStringLiteral(", FALSE)");
            return QStringLiteral("NOT (") + inner + QLatin1Char(')');
        }
        case Q::Kind::And:
        case Q::Kind::Or: {
            QStringList parts;
            for (const Q &child : q.children()) {
                const QString inner = condition(child);
                const bool wrap = child.kind() == Q::Kind::And || child.kind() == Q::Kind::Or;
                parts << (wrap ? QLatin1Char('(') + inner + QLatin1Char(')') : inner);
            }
            return join(parts, q.kind() == Q::Kind::And ? " AND " : " OR ");
        }
        }
        return {};
    }

private:
    // Whether a condition can evaluate to NULL rather than true or false.
    bool mayBeNull(const Q &q) const
    {
        switch (q.kind()) {
        case Q::Kind::Empty:
            return false;
        case Q::Kind::Leaf: {
            if (q.lookup() == Q::Lookup::IsNull || q.lookup() == Q::Lookup::Same)
                return false;
            if (q.lookup() == Q::Lookup::Exact || q.lookup() == Q::Lookup::IExact)
                if (isNullValue(q.value()))
                    return false; // compiled as IS NULL
            if (isNullable(field(q.field())))
                return true;
            if (q.lookup() == Q::Lookup::In || q.lookup() == Q::Lookup::Range) {
                const QVariantList values = q.value().toList();
                for (const QVariant &value : values)
                    if (isNullValue(value))
                        return true;
                return false;
            }
            return isNullValue(q.value());
        }
        case Q::Kind::Not:
        case Q::Kind::And:
        case Q::Kind::Or:
            for (const Q &child : q.children())
                if (mayBeNull(child))
                    return true;
            return false;
        }
        return true;
    }

    // PostgreSQL's LIKE is for text: other types (integers, dates, and the ones shown as their
    // text form: enums, arrays, inet, interval, tsvector...) are cast.
    QString textColumn(const Field &f) const
    {
        const QString quoted = quoteIdentifier(f.name);
        if (m_dialect == Dialect::Postgres && (f.type != LogicalType::Text || !isTextType(f)))
            return quoted + QStringLiteral("::text");
        return quoted;
    }

    // Whether a Text field is stored as text (so LIKE applies and an index may serve it).
    static bool isTextType(const Field &f)
    {
        static const QRegularExpression text(
            QStringLiteral(
                "^(text|varchar|character varying|char|character|bpchar|name|citext)\\b"),
            QRegularExpression::CaseInsensitiveOption);
        const QString type = f.sqlType.trimmed();
        if (type.contains(QLatin1Char('[')) ||
            type.endsWith(QLatin1String("array"), Qt::CaseInsensitive))
            return false; // text[] and the like
        return type.isEmpty() || text.match(type).hasMatch();
    }

    // PostgreSQL types whose values cannot be compared with = (json, xml, point...) or whose =
    // is not identity (box and circle compare areas); arrays of them too.
    static bool lacksEquality(const Field &f)
    {
        static const QRegularExpression types(
            QStringLiteral("^(json|xml|point|lseg|line|box|path|polygon|circle)\\b"),
            QRegularExpression::CaseInsensitiveOption);
        QString type = f.sqlType.trimmed();
        if (type.startsWith(QLatin1Char('_')))
            type = type.mid(1); // the catalog's name of an array type
        return types.match(type).hasMatch();
    }

    QString patternValue(const Q &q) const
    {
        if (isNullValue(q.value()))
            usage(QStringLiteral("%1__%2 needs a value, not NULL")
                      .arg(q.field(), Q::lookupName(q.lookup())));
        return q.value().toString();
    }

    QString leaf(const Q &q)
    {
        const Field &f = field(q.field());
        const QString col = quoteIdentifier(f.name);
        const bool pg = m_dialect == Dialect::Postgres;
        const QVariant &value = q.value();
        switch (q.lookup()) {
        case Q::Lookup::Exact:
            if (isNullValue(value))
                return col + QStringLiteral(" IS NULL");
            return col + QStringLiteral(" = ") + bind(value);
        case Q::Lookup::IExact:
            if (isNullValue(value))
                return col + QStringLiteral(" IS NULL");
            if (pg)
                return textColumn(f) + QStringLiteral(" ILIKE ") +
                       bind(escapeLike(value.toString())) + QStringLiteral(" ESCAPE '\\'");
            return col + QStringLiteral(" = ") + bind(value.toString()) +
                   QStringLiteral(" COLLATE NOCASE");
        case Q::Lookup::Contains:
        case Q::Lookup::StartsWith:
        case Q::Lookup::EndsWith: {
            const QString text = patternValue(q);
            const bool anyBefore = q.lookup() != Q::Lookup::StartsWith;
            const bool anyAfter = q.lookup() != Q::Lookup::EndsWith;
            if (pg) {
                const QString pattern = (anyBefore ? QStringLiteral("%") : QString()) +
                                        escapeLike(text) +
                                        (anyAfter ? QStringLiteral("%") : QString());
                return textColumn(f) + QStringLiteral(" LIKE ") + bind(pattern) +
                       QStringLiteral(" ESCAPE '\\'");
            }
            // SQLite's LIKE ignores case: GLOB is its case-sensitive matcher.
            const QString pattern = (anyBefore ? QStringLiteral("*") : QString()) +
                                    escapeGlob(text) + (anyAfter ? QStringLiteral("*") : QString());
            return col + QStringLiteral(" GLOB ") + bind(pattern);
        }
        case Q::Lookup::IContains: {
            const QString pattern =
                QLatin1Char('%') + escapeLike(patternValue(q)) + QLatin1Char('%');
            // SQLite's LIKE folds ASCII case (its lower() does no more without ICU).
            return (pg ? textColumn(f) + QStringLiteral(" ILIKE ")
                       : col + QStringLiteral(" LIKE ")) +
                   bind(pattern) + QStringLiteral(" ESCAPE '\\'");
        }
        case Q::Lookup::Gt:
            return col + QStringLiteral(" > ") + bind(value);
        case Q::Lookup::Gte:
            return col + QStringLiteral(" >= ") + bind(value);
        case Q::Lookup::Lt:
            return col + QStringLiteral(" < ") + bind(value);
        case Q::Lookup::Lte:
            return col + QStringLiteral(" <= ") + bind(value);
        case Q::Lookup::In: {
            if (!value.canConvert<QVariantList>() || isNullValue(value))
                usage(QStringLiteral("%1__in needs a list of values").arg(q.field()));
            const QVariantList values = value.toList();
            if (values.isEmpty())
                return QStringLiteral("FALSE"); // IN () is not SQL; an empty set matches nothing
            QStringList holders;
            for (const QVariant &item : values)
                holders << bind(item);
            return col + QStringLiteral(" IN (") + join(holders, ", ") + QLatin1Char(')');
        }
        case Q::Lookup::Same:
            if (isNullValue(value))
                return col + QStringLiteral(" IS NULL");
            if (!pg)
                return col + QStringLiteral(" IS ") + bind(value);
            if (lacksEquality(f))
                return col + QStringLiteral("::text IS NOT DISTINCT FROM ") + bind(value) +
                       QStringLiteral("::text");
            return col + QStringLiteral(" IS NOT DISTINCT FROM ") + bind(value);
        case Q::Lookup::IsNull:
            return col +
                   (value.toBool() ? QStringLiteral(" IS NULL") : QStringLiteral(" IS NOT NULL"));
        case Q::Lookup::Range: {
            const QVariantList bounds = value.toList();
            if (bounds.size() != 2)
                usage(QStringLiteral("%1__range needs two values {low, high}, got %2")
                          .arg(q.field())
                          .arg(bounds.size()));
            const QString low = bind(bounds[0]);
            const QString high = bind(bounds[1]);
            return col + QStringLiteral(" BETWEEN ") + low + QStringLiteral(" AND ") + high;
        }
        }
        return {};
    }

    // Rows strictly after `values` in the order of `keys` (before() passes the keys reversed).
    // One direction and no NULLs: a row-value comparison, which indexes serve. Otherwise the
    // expansion k1 > v1 OR (k1 = v1 AND k2 < v2) OR ..., with NULL as the greatest value.
    QString keyset(const QList<OrderKey> &keys, const QVariantList &values, const QString &which)
    {
        if (values.size() != keys.size()) {
            QStringList names;
            for (const OrderKey &key : keys)
                names << key.field;
            usage(QStringLiteral("%1() got %2 value(s) for %3 ordering key(s) (%4)")
                      .arg(which)
                      .arg(values.size())
                      .arg(keys.size())
                      .arg(names.join(QStringLiteral(", "))));
        }
        bool uniform = true;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (keys[i].descending != keys[0].descending || isNullable(field(keys[i].field)) ||
                isNullValue(values[i]))
                uniform = false;
        }
        const QString op = keys[0].descending ? QStringLiteral(" < ") : QStringLiteral(" > ");
        if (uniform && keys.size() == 1)
            return column(keys[0].field) + op + bind(values[0]);
        if (uniform) {
            QStringList columns;
            QStringList holders;
            for (qsizetype i = 0; i < keys.size(); ++i) {
                columns << column(keys[i].field);
                holders << bind(values[i]);
            }
            return QLatin1Char('(') + join(columns, ", ") + QLatin1Char(')') + op +
                   QLatin1Char('(') + join(holders, ", ") + QLatin1Char(')');
        }

        QStringList equal; // k1 = v1, k2 = v2, ... so far
        QStringList terms;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const Field &f = field(keys[i].field);
            const QString col = quoteIdentifier(f.name);
            const bool greater = !keys[i].descending;
            const bool null = isNullValue(values[i]);
            const QString holder = null ? QString() : bind(values[i]);
            QString beyond;
            if (null)
                beyond = greater ? QString() : col + QStringLiteral(" IS NOT NULL");
            else if (greater)
                beyond = isNullable(f)
                             ? QLatin1Char('(') + col + QStringLiteral(" > ") + holder +
                                   QStringLiteral(" OR ") + col + QStringLiteral(" IS NULL)")
                             : col + QStringLiteral(" > ") + holder;
            else
                beyond = col + QStringLiteral(" < ") + holder;
            if (!beyond.isEmpty()) {
                const QStringList parts = QStringList(equal) << beyond;
                terms << (parts.size() > 1
                              ? QLatin1Char('(') + join(parts, " AND ") + QLatin1Char(')')
                              : beyond);
            }
            equal << (null ? col + QStringLiteral(" IS NULL")
                           : col + QStringLiteral(" = ") + holder);
        }
        if (terms.isEmpty())
            return QStringLiteral("FALSE");
        if (terms.size() == 1)
            return terms.first();
        return QLatin1Char('(') + join(terms, " OR ") + QLatin1Char(')');
    }

    Dialect m_dialect;
    const QuerySpec &m_spec;
    QVariantList m_params;
};

CompiledQuery finish(Builder &builder, QString sql)
{
    return {std::move(sql), builder.takeParams()};
}

void requireUnsliced(const QuerySpec &spec, const char *operation)
{
    if (spec.limit || spec.offset)
        usage(QStringLiteral("%1() on %2: not with limit() or offset()")
                  .arg(QLatin1String(operation), modelName(spec.model)));
}

QString returningList(const Model &model)
{
    QStringList names;
    for (const Field &f : model.fields)
        names << quoteIdentifier(f.name);
    return names.isEmpty() ? QStringLiteral("*") : join(names, ", ");
}

} // namespace

const Field &requireField(const Model &model, const QString &name)
{
    for (const Field &field : model.fields)
        if (field.name == name)
            return field;
    if (!model.fieldsLoaded)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("the fields of model \"%1\" are not loaded yet (reflect it "
                                   "before querying \"%2\")")
                        .arg(modelName(model), name));
    throw Error(Error::Kind::UnknownField,
                QStringLiteral("model \"%1\" has no field \"%2\" (its fields: %3)")
                    .arg(modelName(model), name, fieldList(model)));
}

QStringList primaryKeyOf(const Model &model)
{
    QStringList names;
    for (const Field &field : model.fields)
        if (field.primaryKey)
            names << field.name;
    return names;
}

QList<OrderKey> reversed(const QList<OrderKey> &keys)
{
    QList<OrderKey> flipped = keys;
    for (OrderKey &key : flipped)
        key.descending = !key.descending;
    return flipped;
}

OrderKey parseOrderKey(const QString &text)
{
    if (text.startsWith(QLatin1Char('-')))
        return {text.mid(1), true};
    if (text.startsWith(QLatin1Char('+')))
        return {text.mid(1), false};
    return {text, false};
}

CompiledQuery select(Dialect dialect, const QuerySpec &spec)
{
    Builder b(dialect, spec);
    QString sql = QStringLiteral("SELECT ") + b.selectList(spec.columns) +
                  QStringLiteral(" FROM ") + b.table();
    sql += b.where();
    sql += b.orderBy();
    sql += b.limitOffset(spec.limit, spec.offset);
    return finish(b, std::move(sql));
}

CompiledQuery count(Dialect dialect, const QuerySpec &spec)
{
    Builder b(dialect, spec);
    for (const QString &name : spec.columns)
        b.field(name);
    if (!spec.limit && !spec.offset)
        return finish(b, QStringLiteral("SELECT count(*) FROM ") + b.table() + b.where());
    // Counting a slice: the slice is a subquery (an alias is required on PostgreSQL < 16).
    QString inner = QStringLiteral("SELECT 1 FROM ") + b.table() + b.where();
    inner += b.limitOffset(spec.limit, spec.offset);
    return finish(b, QStringLiteral("SELECT count(*) FROM (") + inner +
                         QStringLiteral(") AS \"subquery\""));
}

CompiledQuery exists(Dialect dialect, const QuerySpec &spec)
{
    Builder b(dialect, spec);
    for (const QString &name : spec.columns)
        b.field(name);
    QString sql = QStringLiteral("SELECT 1 FROM ") + b.table() + b.where();
    if (spec.offset)
        sql += b.orderBy(); // which rows an offset skips depends on the order
    const qint64 limit = spec.limit ? qMin<qint64>(*spec.limit, 1) : 1;
    sql += b.limitOffset(limit, spec.offset);
    return finish(b, std::move(sql));
}

CompiledQuery insert(Dialect dialect, const QuerySpec &spec, const QVariantMap &values,
                     bool returning)
{
    Builder b(dialect, spec);
    QString sql = QStringLiteral("INSERT INTO ") + b.table();
    if (values.isEmpty()) {
        sql += QStringLiteral(" DEFAULT VALUES");
    } else {
        QStringList columns;
        QStringList holders;
        for (auto it = values.cbegin(); it != values.cend(); ++it) {
            columns << b.column(it.key());
            holders << b.bind(it.value());
        }
        sql += QStringLiteral(" (") + join(columns, ", ") + QStringLiteral(") VALUES (") +
               join(holders, ", ") + QLatin1Char(')');
    }
    if (returning)
        sql += QStringLiteral(" RETURNING ") + returningList(spec.model);
    return finish(b, std::move(sql));
}

BulkInsert bulkInsert(Dialect dialect, const QuerySpec &spec, const QList<QVariantMap> &rows)
{
    BulkInsert out;
    if (rows.isEmpty())
        return out;
    const QStringList keys = rows.first().keys();
    if (keys.isEmpty())
        usage(QStringLiteral("bulkCreate() on %1: rows without values").arg(modelName(spec.model)));
    const CompiledQuery statement = insert(dialect, spec, rows.first(), false);
    out.sql = statement.sql;
    out.columns = keys;
    out.paramSets.reserve(rows.size());
    // Compared in place: a keys() list per row costs more than the rest of this loop.
    const auto sameKeys = [&keys](const QVariantMap &row) {
        if (row.size() != keys.size())
            return false;
        auto it = row.cbegin();
        for (const QString &key : keys) {
            if (it.key() != key)
                return false;
            ++it;
        }
        return true;
    };
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QVariantMap &row = rows[i];
        if (!sameKeys(row))
            usage(QStringLiteral("bulkCreate() on %1: row %2 has the fields (%3), row 0 has (%4); "
                                 "every row must name the same fields")
                      .arg(modelName(spec.model))
                      .arg(i)
                      .arg(row.keys().join(QStringLiteral(", ")), keys.join(QStringLiteral(", "))));
        out.paramSets.append(row.values());
    }
    return out;
}

CompiledQuery update(Dialect dialect, const QuerySpec &spec, const QVariantMap &values)
{
    requireUnsliced(spec, "update");
    if (values.isEmpty())
        usage(QStringLiteral("update() on %1: no values to set").arg(modelName(spec.model)));
    Builder b(dialect, spec);
    QStringList sets;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const QString col = b.column(it.key());
        sets << col + QStringLiteral(" = ") + b.bind(it.value());
    }
    QString sql =
        QStringLiteral("UPDATE ") + b.table() + QStringLiteral(" SET ") + join(sets, ", ");
    sql += b.where();
    return finish(b, std::move(sql));
}

CompiledQuery remove(Dialect dialect, const QuerySpec &spec)
{
    requireUnsliced(spec, "remove");
    Builder b(dialect, spec);
    QString sql = QStringLiteral("DELETE FROM ") + b.table();
    sql += b.where();
    return finish(b, std::move(sql));
}

} // namespace orm::sql
