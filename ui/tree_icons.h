#pragma once

// The icons of the tree's kinds of node: the desktop theme's icon where it has one, else the
// small SVG bundled in resources/tree/ (mid-tone fills with a darker outline, so that each reads
// on light and dark palettes alike).

#include "orm/core/model.h"

#include <QIcon>

namespace strata::ui {

enum class TreeIconKind {
    Database,
    Schema,
    TenantGroup,
    Table,
    View,
    MaterializedView,
    PartitionedTable,
    Partition,
    Column,
    PrimaryKeyColumn,
    ForeignKeyColumn,
};

QIcon treeIcon(TreeIconKind kind);
// The icon of a table, view, materialised view, partitioned table or partition.
QIcon treeIcon(orm::ModelKind kind);
TreeIconKind treeIconKind(orm::ModelKind kind);
// The bundled file a kind falls back on (":/strata/tree/....svg").
QString treeIconFallback(TreeIconKind kind);

} // namespace strata::ui
