#include "tree_icons.h"

#include <QHash>

// The .qrc is compiled into the static strata_ui: it is registered before its first use.
static void initTreeResources()
{
    Q_INIT_RESOURCE(tree);
}

namespace strata::ui {
namespace {

struct IconNames {
    const char *theme; // freedesktop names where one means the same; else strata-*, which a
                       // theme may provide
    const char *file;  // under :/strata/tree/
};

IconNames namesOf(TreeIconKind kind)
{
    switch (kind) {
    case TreeIconKind::Database:
        return {"server-database", "database"};
    case TreeIconKind::Schema:
        return {"folder", "schema"};
    case TreeIconKind::TenantGroup:
        return {"strata-tenant-group", "tenant-group"};
    case TreeIconKind::Table:
        return {"strata-table", "table"};
    case TreeIconKind::View:
        return {"strata-view", "view"};
    case TreeIconKind::MaterializedView:
        return {"strata-materialized-view", "materialized-view"};
    case TreeIconKind::PartitionedTable:
        return {"strata-partitioned-table", "partitioned-table"};
    case TreeIconKind::Partition:
        return {"strata-partition", "partition"};
    case TreeIconKind::Column:
        return {"strata-column", "column"};
    case TreeIconKind::PrimaryKeyColumn:
        return {"strata-primary-key", "primary-key"};
    case TreeIconKind::ForeignKeyColumn:
        return {"strata-foreign-key", "foreign-key"};
    }
    return {"strata-table", "table"};
}

} // namespace

QString treeIconFallback(TreeIconKind kind)
{
    return QStringLiteral(":/strata/tree/%1.svg").arg(QLatin1String(namesOf(kind).file));
}

QIcon treeIcon(TreeIconKind kind)
{
    // Built once per kind: the tree asks for an icon per node, thousands of times.
    static QHash<int, QIcon> cache;
    if (const auto known = cache.constFind(int(kind)); known != cache.cend())
        return *known;
    static const bool registered = (initTreeResources(), true);
    Q_UNUSED(registered);
    const IconNames names = namesOf(kind);
    const QIcon fallback(treeIconFallback(kind));
    const QIcon icon = QIcon::fromTheme(QLatin1String(names.theme), fallback);
    cache.insert(int(kind), icon);
    return icon;
}

TreeIconKind treeIconKind(orm::ModelKind kind)
{
    switch (kind) {
    case orm::ModelKind::Table:
        return TreeIconKind::Table;
    case orm::ModelKind::View:
        return TreeIconKind::View;
    case orm::ModelKind::MaterializedView:
        return TreeIconKind::MaterializedView;
    case orm::ModelKind::PartitionedTable:
        return TreeIconKind::PartitionedTable;
    case orm::ModelKind::Partition:
        return TreeIconKind::Partition;
    }
    return TreeIconKind::Table;
}

QIcon treeIcon(orm::ModelKind kind)
{
    return treeIcon(treeIconKind(kind));
}

} // namespace strata::ui
