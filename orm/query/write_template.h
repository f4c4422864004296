#pragma once

// One write's SQL, compiled once for many rows that differ only in their values (a paste of
// 10,000 cells: the same UPDATE with each row's key and seen value). The compiler is the
// oracle: proving a template compiles the write, then a probe of it whose values are distinct
// markers, and reads from the probe's parameters where each value goes. bind() then makes a
// row's parameters without building its Write or compiling it again.
//
// A row fits the template when its write would have the same shape: the same kind, the same
// fields set, the same leaves (field and lookup) in the same order with NULLs in the same
// places. Checking that is the caller's part (it knows its rows' shape without a Write).

#include "orm/query/queryset.h"

#include <optional>
#include <span>

namespace orm {

class WriteTemplate {
public:
    // The template of `write` as `qs.compileWrite(dialect, write)` compiles it: an insert, or an
    // update or delete whose filter is one exact/same leaf or an AND of them, on a query set
    // without a filter of its own. nullopt for anything else, or when the probe does not
    // prove where each value goes (the caller compiles those writes one by one). Throws what
    // compileWrite throws.
    static std::optional<WriteTemplate> prove(const QuerySet &qs, Dialect dialect,
                                              const Write &write);

    const QString &sql() const { return m_sql; }
    // The write's values in slot order: its `values` (key order), then each leaf's value in
    // filter order, NULLs included.
    qsizetype slotCount() const { return m_slotCount; }
    // A fitting row's parameters from its slot values (slotCount() of them).
    QVariantList bind(std::span<const QVariant *const> slotValues) const;

private:
    QString m_sql;
    qsizetype m_slotCount = 0;
    QList<qsizetype> m_slotOfParam; // parameter i is slot m_slotOfParam[i]
};

} // namespace orm
