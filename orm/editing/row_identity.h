#pragma once

// How an edit finds its row again: the primary key, else a unique key whose columns are all NOT
// NULL (not a partial or expression index). Nothing else: no ctid or rowid guessed on a view,
// where it would not name the same row twice. A model without either is read-only for editing.

#include "orm/core/model.h"

#include <QStringList>

namespace orm::editing {

struct RowIdentity {
    QStringList columns;    // the key's columns, in the key's order; empty: not editable
    QString source;         // "primary key", or "unique key <index name>"
    QString readOnlyReason; // why the model cannot be edited; empty when it can

    bool isEditable() const { return readOnlyReason.isEmpty(); }
};

// The row identity of `model` (its fields must be loaded). Materialized views and models
// without such a key are read-only, with a reason naming the model: "film_list has no primary
// key or unique not-null key".
RowIdentity rowIdentityOf(const Model &model);

} // namespace orm::editing
