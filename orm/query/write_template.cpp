#include "orm/query/write_template.h"

#include <QHash>

namespace orm {

namespace {

bool isNullValue(const QVariant &value)
{
    return !value.isValid() || value.typeId() == QMetaType::Nullptr;
}

// A marker no caller's value is: it names its slot, and the probe's parameters are read back
// by it.
QString marker(qsizetype slot)
{
    return QStringLiteral("\x01strata-write-slot:") + QString::number(slot) + QChar(0x02);
}

bool isTemplateLeaf(const Q &q)
{
    return q.kind() == Q::Kind::Leaf &&
           (q.lookup() == Q::Lookup::Exact || q.lookup() == Q::Lookup::Same);
}

} // namespace

std::optional<WriteTemplate> WriteTemplate::prove(const QuerySet &qs, Dialect dialect,
                                                  const Write &write)
{
    QList<Q> leaves;
    if (write.where.kind() == Q::Kind::And)
        leaves = write.where.children();
    else if (!write.where.isEmpty())
        leaves.append(write.where);
    for (const Q &leaf : std::as_const(leaves))
        if (!isTemplateLeaf(leaf))
            return std::nullopt;

    // The probe: every value a marker of its slot, but a leaf's NULL, which compiles to IS NULL
    // and binds nothing, stays NULL (the rows that fit have their NULLs there too).
    Write probe;
    probe.kind = write.kind;
    qsizetype slot = 0;
    for (auto it = write.values.cbegin(); it != write.values.cend(); ++it)
        probe.values.insert(it.key(), marker(slot++));
    for (const Q &leaf : std::as_const(leaves)) {
        const QVariant value = isNullValue(leaf.value()) ? leaf.value() : QVariant(marker(slot));
        ++slot;
        probe.where = probe.where &
                      Q(leaf.field() + QStringLiteral("__") + Q::lookupName(leaf.lookup()), value);
    }

    const CompiledQuery real = qs.compileWrite(dialect, write);
    const CompiledQuery probed = qs.compileWrite(dialect, probe);
    if (probed.sql != real.sql || probed.params.size() != real.params.size())
        return std::nullopt; // the SQL depends on the values themselves

    QHash<QString, qsizetype> slotOfMarker;
    for (qsizetype s = 0; s < slot; ++s)
        slotOfMarker.insert(marker(s), s);
    WriteTemplate result;
    result.m_sql = real.sql;
    result.m_slotCount = slot;
    QList<bool> used(slot, false);
    for (const QVariant &param : probed.params) {
        const auto found = param.typeId() == QMetaType::QString
                               ? slotOfMarker.constFind(param.toString())
                               : slotOfMarker.cend();
        if (found == slotOfMarker.cend() || used[*found])
            return std::nullopt; // a parameter of the query set's own, or a value bound twice
        used[*found] = true;
        result.m_slotOfParam.append(*found);
    }

    // The real write's parameters, made the template's way, are the compiler's.
    QList<const QVariant *> slotValues;
    for (auto it = write.values.cbegin(); it != write.values.cend(); ++it)
        slotValues.append(&it.value());
    for (const Q &leaf : std::as_const(leaves))
        slotValues.append(&leaf.value());
    if (result.bind(slotValues) != real.params)
        return std::nullopt;
    return result;
}

QVariantList WriteTemplate::bind(std::span<const QVariant *const> slotValues) const
{
    QVariantList params;
    params.reserve(m_slotOfParam.size());
    for (const qsizetype slot : m_slotOfParam)
        params.append(*slotValues[slot]);
    return params;
}

} // namespace orm
