#include "orm/query/lookup.h"

#include <QStringList>

namespace orm {

struct Q::Node {
    Kind kind = Kind::Leaf;
    QString field;
    Lookup lookup = Lookup::Exact;
    QVariant value;
    QList<Q> children;
};

namespace {

struct LookupName {
    Q::Lookup lookup;
    const char *name;
};

constexpr LookupName kLookups[] = {
    {Q::Lookup::Exact, "exact"},
    {Q::Lookup::IExact, "iexact"},
    {Q::Lookup::Contains, "contains"},
    {Q::Lookup::IContains, "icontains"},
    {Q::Lookup::StartsWith, "startswith"},
    {Q::Lookup::EndsWith, "endswith"},
    {Q::Lookup::Gt, "gt"},
    {Q::Lookup::Gte, "gte"},
    {Q::Lookup::Lt, "lt"},
    {Q::Lookup::Lte, "lte"},
    {Q::Lookup::In, "in"},
    {Q::Lookup::IsNull, "isnull"},
    {Q::Lookup::Range, "range"},
    {Q::Lookup::Same, "same"},
};

QString describe(const QVariant &value)
{
    if (!value.isValid() || value.typeId() == QMetaType::Nullptr)
        return QStringLiteral("NULL");
    switch (value.typeId()) {
    case QMetaType::QVariantList: {
        QStringList items;
        for (const QVariant &item : value.toList())
            items << describe(item);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QMetaType::QString:
    case QMetaType::QByteArray:
    case QMetaType::QDate:
    case QMetaType::QTime:
    case QMetaType::QDateTime:
    case QMetaType::QUuid:
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    default:
        return value.toString();
    }
}

} // namespace

Q::Q(const QString &fieldAndLookup, const QVariant &value)
{
    auto node = std::make_shared<Node>();
    node->field = fieldAndLookup;
    const qsizetype split = fieldAndLookup.lastIndexOf(QLatin1String("__"));
    if (split > 0) {
        if (auto lookup = lookupNamed(QStringView(fieldAndLookup).mid(split + 2))) {
            node->field = fieldAndLookup.left(split);
            node->lookup = *lookup;
        }
    }
    node->value = value;
    m_node = std::move(node);
}

Q::Kind Q::kind() const
{
    return m_node ? m_node->kind : Kind::Empty;
}

const QString &Q::field() const
{
    static const QString none;
    return m_node ? m_node->field : none;
}

Q::Lookup Q::lookup() const
{
    return m_node ? m_node->lookup : Lookup::Exact;
}

const QVariant &Q::value() const
{
    static const QVariant none;
    return m_node ? m_node->value : none;
}

const QList<Q> &Q::children() const
{
    static const QList<Q> none;
    return m_node ? m_node->children : none;
}

std::optional<Q::Lookup> Q::lookupNamed(QStringView name)
{
    for (const LookupName &entry : kLookups)
        if (name == QLatin1String(entry.name))
            return entry.lookup;
    return std::nullopt;
}

QString Q::lookupName(Lookup lookup)
{
    for (const LookupName &entry : kLookups)
        if (entry.lookup == lookup)
            return QLatin1String(entry.name);
    return {};
}

Q Q::combine(Kind kind, const Q &a, const Q &b)
{
    // Q() is the neutral element: "no condition".
    if (a.isEmpty())
        return b;
    if (b.isEmpty())
        return a;
    auto node = std::make_shared<Node>();
    node->kind = kind;
    // Flattened, so (a & b) & c compiles to a AND b AND c.
    for (const Q *side : {&a, &b}) {
        if (side->kind() == kind)
            node->children += side->children();
        else
            node->children.append(*side);
    }
    return Q(std::shared_ptr<const Node>(std::move(node)));
}

Q operator&(const Q &a, const Q &b)
{
    return Q::combine(Q::Kind::And, a, b);
}

Q operator|(const Q &a, const Q &b)
{
    return Q::combine(Q::Kind::Or, a, b);
}

Q operator~(const Q &q)
{
    if (q.isEmpty())
        return q; // as in Django, ~Q() is Q()
    if (q.kind() == Q::Kind::Not)
        return q.children().first();
    auto node = std::make_shared<Q::Node>();
    node->kind = Q::Kind::Not;
    node->children.append(q);
    return Q(std::shared_ptr<const Q::Node>(std::move(node)));
}

QString Q::toString() const
{
    switch (kind()) {
    case Kind::Empty:
        return QStringLiteral("(all rows)");
    case Kind::Leaf: {
        const QString name = lookup() == Lookup::Exact
                                 ? field()
                                 : field() + QStringLiteral("__") + lookupName(lookup());
        return name + QLatin1Char('=') + describe(value());
    }
    case Kind::Not: {
        const Q &child = children().first();
        const QString inner = child.toString();
        return child.kind() == Kind::Leaf ? QStringLiteral("NOT ") + inner
                                          : QStringLiteral("NOT (") + inner + QLatin1Char(')');
    }
    case Kind::And:
    case Kind::Or: {
        QStringList parts;
        for (const Q &child : children()) {
            const bool wrap = child.kind() == Kind::And || child.kind() == Kind::Or;
            parts << (wrap ? QLatin1Char('(') + child.toString() + QLatin1Char(')')
                           : child.toString());
        }
        return parts.join(kind() == Kind::And ? QStringLiteral(" AND ") : QStringLiteral(" OR "));
    }
    }
    return {};
}

} // namespace orm
