#pragma once

#include <QList>
#include <QString>
#include <QVariant>

#include <memory>
#include <optional>

namespace orm {

// A query condition, as in Django and Edgy: Q("field__lookup", value), combined with & (AND),
// | (OR) and ~ (NOT). A plain immutable value, cheap to copy.
//
//   Q("name", "ann")                        name = 'ann'      (exact; an invalid QVariant: IS NULL)
//   Q("name__icontains", "an")              case-insensitive substring
//   Q("id__in", QVariantList{1, 2, 3})      an empty list matches nothing
//   Q("deleted_at__isnull", true)           IS NULL / IS NOT NULL
//   Q("age__range", QVariantList{18, 65})   BETWEEN 18 AND 65
//   Q("name__same", seen)                   IS NOT DISTINCT FROM (SQLite: IS): NULL matches NULL
//   Q("age__gte", 18) & ~(Q("name__startswith", "x") | Q("id", 7))
//
// The lookup is the part after the last "__" when it names one; otherwise the whole string is
// the field name (so a field called "a__b" still works). Values are never written into SQL:
// the compiler binds every one of them. ~q is the exact complement of q (rows where q is NULL,
// because a compared column is NULL, are included), as Django's exclude() is.
class Q {
public:
    enum class Lookup {
        Exact,
        IExact,
        Contains,
        IContains,
        StartsWith,
        EndsWith,
        Gt,
        Gte,
        Lt,
        Lte,
        In,
        IsNull,
        Range,
        // The column holds the value, NULL matching NULL (PostgreSQL's IS NOT DISTINCT FROM,
        // SQLite's IS): an edit's optimistic check. PostgreSQL types without a usable equality
        // (json, xml, the geometric ones) compare as text.
        Same,
    };
    enum class Kind { Empty, Leaf, And, Or, Not };

    // Matches every row.
    Q() = default;
    Q(const QString &fieldAndLookup, const QVariant &value);

    Kind kind() const;
    bool isEmpty() const { return kind() == Kind::Empty; }

    // For a leaf:
    const QString &field() const;
    Lookup lookup() const;
    const QVariant &value() const;
    // For And, Or (two or more) and Not (one):
    const QList<Q> &children() const;

    // The condition as a person reads it, for error messages: name__icontains="an" AND id=3.
    QString toString() const;

    static std::optional<Lookup> lookupNamed(QStringView name);
    static QString lookupName(Lookup lookup);

    friend Q operator&(const Q &a, const Q &b);
    friend Q operator|(const Q &a, const Q &b);
    friend Q operator~(const Q &q);

private:
    struct Node;
    explicit Q(std::shared_ptr<const Node> node)
        : m_node(std::move(node))
    {
    }
    static Q combine(Kind kind, const Q &a, const Q &b);

    std::shared_ptr<const Node> m_node; // null: Empty
};

} // namespace orm
