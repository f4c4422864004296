#include "model_tree.h"
#include "ui/theme.h"

#include "launch_task.h"
#include "natural_order.h"
#include "tree_icons.h"
#include "ui/filter_results.h"
#include "ui/tree_filter.h"

#include "orm/registry/registry.h"
#include "orm/schema/catalog_names.h"
#include "orm/schema/reflection.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHash>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace strata::ui {
namespace {

// What a node of this kind is called, for its tooltip (the icon shows it in the tree).
QString kindWord(orm::ModelKind kind)
{
    switch (kind) {
    case orm::ModelKind::Table:
        return ModelTree::tr("Table");
    case orm::ModelKind::View:
        return ModelTree::tr("View");
    case orm::ModelKind::MaterializedView:
        return ModelTree::tr("Materialised view");
    case orm::ModelKind::PartitionedTable:
        return ModelTree::tr("Partitioned table");
    case orm::ModelKind::Partition:
        return ModelTree::tr("Partition");
    }
    return {};
}

// Where a table's description comes from, for the tooltip; the text stays the table's name.
QString originNote(orm::ModelOrigin origin)
{
    switch (origin) {
    case orm::ModelOrigin::Declared:
        return ModelTree::tr("Declared by the application");
    case orm::ModelOrigin::Tenant:
        return ModelTree::tr("Declared by the application for every tenant");
    case orm::ModelOrigin::Reflected:
        return {};
    }
    return {};
}

// public (PostgreSQL) and main (SQLite) first, as the window picks them, then natural order.
QStringList orderedSchemas(QStringList schemas)
{
    std::sort(schemas.begin(), schemas.end(), [](const QString &a, const QString &b) {
        const bool aFirst = a == QLatin1String("public") || a == QLatin1String("main");
        const bool bFirst = b == QLatin1String("public") || b == QLatin1String("main");
        if (aFirst != bFirst)
            return aFirst;
        return naturalLess(a, b);
    });
    return schemas;
}

QString modelsKey(const QString &database, const QString &schema)
{
    return database + QLatin1Char('\x1f') + schema;
}

// A greyed-out line in the tree that says why a node has no children (yet).
QStandardItem *placeholderNode(const QString &text)
{
    auto *item = new QStandardItem(text);
    item->setData(int(ModelTree::NodeKind::Placeholder), ModelTree::NodeKindRole);
    return item;
}

// A node whose children are listed when it is first expanded; until then a placeholder says why
// it is empty.
QStandardItem *lazyNode(const QString &text, ModelTree::NodeKind kind, const QString &database,
                        const QString &waiting, const QIcon &icon)
{
    auto *item = new QStandardItem(icon, text);
    item->setData(int(kind), ModelTree::NodeKindRole);
    item->setData(database, ModelTree::DatabaseRole);
    item->setData(false, ModelTree::LoadedRole);
    item->appendRow(placeholderNode(waiting));
    return item;
}

QStandardItem *schemaNode(const QString &database, const QString &schema)
{
    QStandardItem *item = lazyNode(schema, ModelTree::NodeKind::Schema, database,
                                   ModelTree::tr("(loading…)"), treeIcon(TreeIconKind::Schema));
    item->setData(schema, ModelTree::SchemaRole);
    return item;
}

// The foreign key a column is part of, if any.
const orm::ForeignKey *referenceOf(const orm::Model &model, const orm::Field &field)
{
    const orm::ForeignKey *reference = nullptr;
    for (const orm::ForeignKey &key : model.foreignKeys)
        if (key.columns.contains(field.name))
            reference = &key;
    return reference;
}

QString referenceTarget(const orm::ForeignKey &reference)
{
    const QString table = reference.targetSchema.isEmpty()
                              ? reference.targetTable
                              : reference.targetSchema + QLatin1Char('.') + reference.targetTable;
    return ModelTree::tr("%1(%2)").arg(table, reference.targetColumns.join(QStringLiteral(", ")));
}

// How a column reads in the tree and in the filter's results: name, type, keys, nullability.
QString fieldLabel(const orm::Model &model, const orm::Field &field)
{
    QStringList notes;
    if (field.primaryKey)
        notes << ModelTree::tr("primary key");
    if (const orm::ForeignKey *reference = referenceOf(model, field))
        notes << QStringLiteral("→ ") + referenceTarget(*reference);
    if (!field.nullable && !field.primaryKey)
        notes << ModelTree::tr("not null");
    QString text = QStringLiteral("%1   %2").arg(field.name, field.sqlType);
    if (!notes.isEmpty())
        text += QStringLiteral("   ") + notes.join(QStringLiteral(" · "));
    return text;
}

// An orm::Error names what failed precisely; anything else gets the general wording.
QString whatFailed(const TaskFailure &failure, const QString &precise, const QString &general)
{
    return failure.error ? precise : general;
}

} // namespace

ModelTree::ModelTree(orm::Registry *registry, QWidget *parent)
    : QWidget(parent)
    , m_registry(registry)
{
    m_treeModel = new QStandardItemModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_treeModel);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("modelTree"));
    m_tree->setModel(m_proxy);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("treeFilter"));
    m_filter->setPlaceholderText(tr("Filter tables and columns"));
    m_filter->setClearButtonEnabled(true);
    m_filter->installEventFilter(this); // its first focus reads the names
    connect(m_filter, &QLineEdit::textChanged, this, &ModelTree::onFilterText);
    connect(m_tree, &QTreeView::expanded, this, &ModelTree::onExpanded);
    // A double-click is an activation already (doubleClicked as well opened tables twice), and
    // it opens a table without folding its fields in or out; other nodes still expand with it.
    m_tree->setExpandsOnDoubleClick(false);
    connect(m_tree, &QTreeView::activated, this, &ModelTree::onActivated);

    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &ModelTree::showContextMenu);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filter);
    m_pages = new QStackedWidget;
    m_pages->addWidget(m_tree);
    layout->addWidget(m_pages);
    setUpFilter();

    // DDL run elsewhere shows within a few seconds: one cheap stamp query per database.
    m_probe = new QTimer(this);
    m_probe->setInterval(2000);
    connect(m_probe, &QTimer::timeout, this, &ModelTree::probeAll);
    m_probe->start();
}

int ModelTree::probeInterval() const
{
    return m_probe->interval();
}

void ModelTree::setProbeInterval(int milliseconds)
{
    m_probe->setInterval(milliseconds);
}

void ModelTree::probeAll()
{
    for (auto it = m_schemas.cbegin(); it != m_schemas.cend(); ++it)
        checkForChanges(it.key());
}

void ModelTree::catalogMayHaveChanged(const QString &name)
{
    if (!m_schemas.contains(name))
        return; // nothing listed yet: what is listed later is current
    if (!m_stamps.contains(name) || m_probing.contains(name)) {
        m_stamps.remove(name); // the next stamp read is the new baseline
        refreshDatabase(name);
        return;
    }
    checkForChanges(name);
}

void ModelTree::checkForChanges(const QString &name)
{
    orm::Database *open = database(name);
    if (!open || !open->isConnected())
        return;
    if (m_probing.contains(name)) {
        m_recheck.insert(name); // a change may have come after that read began
        return;
    }
    // Not counted as work: a probe every few seconds must not make the window look busy.
    const QPointer<orm::Database> db = open;
    m_probing.insert(name);
    ++m_probesSent;
    launchTask(
        this, orm::reflection::catalogStamp(db),
        [this, name, db](const QString &stamp) {
            m_probing.remove(name);
            if (!stillShown(name, db))
                return;
            const auto seen = m_stamps.constFind(name);
            const bool changed = seen != m_stamps.cend() && *seen != stamp;
            m_stamps.insert(name, stamp);
            if (changed)
                refreshDatabase(name);
            if (m_recheck.remove(name))
                checkForChanges(name);
        },
        [this, name](const TaskFailure &) {
            m_probing.remove(name); // the next probe tries again; reads report their own failures
            m_recheck.remove(name);
        });
}

void ModelTree::refreshDatabase(const QString &name)
{
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    launchTask(
        this, orm::reflection::listSchemas(db),
        [this, name, db](const QStringList &schemas) {
            if (stillShown(name, db))
                onSchemasRelisted(name, schemas);
            endWork();
        },
        [this, name, db](const TaskFailure &failure) {
            if (stillShown(name, db))
                emit failed(whatFailed(failure,
                                       tr("Refreshing the schemas of %1").arg(displayName(name)),
                                       tr("Refreshing schemas")),
                            failure.message);
            endWork();
        });
}

void ModelTree::onSchemasRelisted(const QString &database, const QStringList &schemas)
{
    const QStringList before = m_schemas.value(database);
    m_schemas.insert(database, schemas);
    // Gone schemas go; new ones join in order; the others keep their nodes (and whether they
    // are expanded). The tenants are compared again: DDL may have made one drift.
    if (QStandardItem *parent = databaseItem(database); parent && parent->data(LoadedRole).toBool())
        layoutSchemas(database);
    groupTenants(database);
    for (const QString &schema : before)
        if (!schemas.contains(schema))
            m_models.remove(modelsKey(database, schema));
    emit schemasListed(database, schemas);
    // Every schema whose models were listed is listed again.
    for (const QString &schema : schemas) {
        if (!m_models.contains(modelsKey(database, schema)))
            continue;
        const QPointer<orm::Database> db = beginRead(database);
        if (!db)
            return;
        launchTask(
            this, m_registry->refreshModelsOf(database, schema),
            [this, database, schema, db](QList<orm::Model> models) {
                if (stillShown(database, db))
                    onModelsListed(database, schema, std::move(models));
                endWork();
            },
            [this, database, schema, db](const TaskFailure &failure) {
                if (stillShown(database, db))
                    emit failed(
                        whatFailed(
                            failure,
                            tr("Refreshing the tables of %1.%2").arg(displayName(database), schema),
                            tr("Refreshing tables")),
                        failure.message);
                endWork();
            });
    }
}

void ModelTree::showContextMenu(const QPoint &at)
{
    const QModelIndex proxyIndex = m_tree->indexAt(at);
    QStandardItem *item = m_treeModel->itemFromIndex(m_proxy->mapToSource(proxyIndex));
    if (!item)
        return;
    const QString db = item->data(DatabaseRole).toString();
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("treeContextMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (item->data(NodeKindRole).toInt() == int(NodeKind::Model)) {
        menu->addAction(tr("&Open"), this, [this, proxyIndex] { onActivated(proxyIndex); });
        const QString qualified = QStringLiteral("%1.%2").arg(item->data(SchemaRole).toString(),
                                                              item->data(ModelNameRole).toString());
        menu->addAction(tr("&Copy name"), this,
                        [qualified] { QApplication::clipboard()->setText(qualified); });
        const QString schema = item->data(SchemaRole).toString();
        const QString model = item->data(ModelNameRole).toString();
        QAction *ddl = menu->addAction(tr("Show &DDL"), this, [this, db, schema, model] {
            emit ddlRequested(db, schema, model);
        });
        ddl->setObjectName(QStringLiteral("showDdlAction"));
        ddl->setToolTip(
            tr("The CREATE statements of %1, generated from the catalog").arg(qualified));
    }
    QAction *refresh = menu->addAction(tr("&Refresh"), this, [this, db] { refreshDatabase(db); });
    refresh->setObjectName(QStringLiteral("refreshTreeAction"));
    refresh->setToolTip(tr("Read the schemas and tables of %1 again").arg(displayName(db)));
    menu->popup(m_tree->viewport()->mapToGlobal(at));
}

ModelTree::~ModelTree() = default;

QString ModelTree::displayName(const QString &database) const
{
    if (!database.isEmpty())
        return database;
    return m_primaryLabel.isEmpty() ? tr("primary") : m_primaryLabel;
}

void ModelTree::setPrimaryLabel(const QString &label)
{
    m_primaryLabel = label;
    if (QStandardItem *item = databaseItem(QString()))
        item->setText(displayName(QString()));
}

orm::Database *ModelTree::database(const QString &name) const
{
    return m_registry->findDatabase(name);
}

void ModelTree::addDatabase(const QString &name)
{
    m_treeModel->appendRow(lazyNode(displayName(name), NodeKind::Database, name,
                                    tr("(not connected)"), treeIcon(TreeIconKind::Database)));
}

void ModelTree::removeDatabase(const QString &name)
{
    if (QStandardItem *item = databaseItem(name))
        m_treeModel->removeRow(item->row());
    m_schemas.remove(name);
    m_stamps.remove(name);
    m_groupings.remove(name);
    m_groupingRuns.remove(name);
    m_matcher->forgetDatabase(name);
    const QString prefix = modelsKey(name, QString());
    for (auto it = m_models.begin(); it != m_models.end();)
        it = it.key().startsWith(prefix) ? m_models.erase(it) : std::next(it);
}

void ModelTree::showDatabaseState(const QString &name, const QString &text, const QString &toolTip,
                                  bool failed, bool active)
{
    QStandardItem *item = databaseItem(name);
    if (!item)
        return;
    item->setText(text);
    item->setToolTip(toolTip);
    // No brush at all when not failed: an empty QBrush would paint the text black, whatever the
    // palette (black on dark).
    if (failed)
        item->setForeground(toneColor(Tone::Error, m_tree->palette()));
    else
        item->setData(QVariant(), Qt::ForegroundRole);
    QFont font = item->font();
    font.setBold(active);
    item->setFont(font);
}

// Each read holds what it asked (the Database as a QPointer) and drops its answer when the name
// no longer resolves to it: removed, or replaced under the same name, meanwhile.
void ModelTree::listSchemas(const QString &name)
{
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    launchTask(
        this, orm::reflection::listSchemas(db),
        [this, name, db](const QStringList &schemas) {
            if (stillShown(name, db))
                onSchemasListed(name, schemas);
            endWork();
        },
        [this, name, db](const TaskFailure &failure) {
            if (stillShown(name, db))
                emit failed(whatFailed(failure,
                                       tr("Listing the schemas of %1").arg(displayName(name)),
                                       tr("Listing schemas")),
                            failure.message);
            endWork();
        });
}

void ModelTree::listModels(const QString &name, const QString &schema)
{
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    launchTask(
        this, m_registry->modelsOf(name, schema),
        [this, name, schema, db](QList<orm::Model> models) {
            if (stillShown(name, db))
                onModelsListed(name, schema, std::move(models));
            endWork();
        },
        [this, name, schema, db](const TaskFailure &failure) {
            if (stillShown(name, db))
                emit failed(
                    whatFailed(failure,
                               tr("Listing the tables of %1.%2").arg(displayName(name), schema),
                               tr("Listing tables")),
                    failure.message);
            endWork();
        });
}

void ModelTree::loadFields(const QString &name, const QString &schema, orm::Model model, bool open)
{
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    const QString modelName = model.name;
    // Models whose fields are known (declared ones) come back as they are, at once.
    launchTask(
        this, m_registry->loadFields(std::move(model)),
        [this, name, schema, open, db](const orm::Model &loaded) {
            if (stillShown(name, db)) {
                onFieldsLoaded(name, schema, loaded);
                if (open)
                    emit modelReady(name, schema, loaded);
            }
            endWork();
        },
        [this, name, modelName, db](const TaskFailure &failure) {
            if (stillShown(name, db))
                emit failed(whatFailed(failure, tr("Reading the columns of %1").arg(modelName),
                                       tr("Reading columns")),
                            failure.message);
            endWork();
        });
}

QPointer<orm::Database> ModelTree::beginRead(const QString &name)
{
    const QPointer<orm::Database> db = database(name);
    if (db) {
        ++m_work;
        emit workStarted();
    }
    return db;
}

bool ModelTree::stillShown(const QString &name, const QPointer<orm::Database> &asked) const
{
    return asked && database(name) == asked.data();
}

void ModelTree::endWork()
{
    --m_work;
    emit workFinished();
}

QStandardItem *ModelTree::databaseItem(const QString &name) const
{
    for (int row = 0; row < m_treeModel->rowCount(); ++row) {
        QStandardItem *item = m_treeModel->item(row);
        if (item->data(DatabaseRole).toString() == name)
            return item;
    }
    return nullptr;
}

QStandardItem *ModelTree::schemaItem(const QString &database, const QString &schema) const
{
    QStandardItem *parent = databaseItem(database);
    for (int row = 0; parent && row < parent->rowCount(); ++row) {
        QStandardItem *item = parent->child(row);
        const int kind = item->data(NodeKindRole).toInt();
        if (kind == int(NodeKind::Schema) && item->data(SchemaRole).toString() == schema)
            return item;
        for (int inner = 0; kind == int(NodeKind::TenantGroup) && inner < item->rowCount(); ++inner)
            if (item->child(inner)->data(SchemaRole).toString() == schema)
                return item->child(inner);
    }
    return nullptr;
}

QStandardItem *ModelTree::modelItem(const QString &database, const QString &schema,
                                    const QString &model) const
{
    // Depth first: partitions sit under their partitioned table.
    QList<QStandardItem *> pending{schemaItem(database, schema)};
    while (!pending.isEmpty()) {
        QStandardItem *parent = pending.takeLast();
        for (int row = 0; parent && row < parent->rowCount(); ++row) {
            QStandardItem *item = parent->child(row);
            if (item->data(NodeKindRole).toInt() != int(NodeKind::Model))
                continue;
            if (item->data(ModelNameRole).toString() == model)
                return item;
            pending << item;
        }
    }
    return nullptr;
}

void ModelTree::makeCurrent(QStandardItem *item)
{
    m_tree->setCurrentIndex(m_proxy->mapFromSource(item->index()));
}

void ModelTree::expandItem(QStandardItem *item)
{
    const QModelIndex index = m_proxy->mapFromSource(item->index());
    if (index.isValid())
        m_tree->expand(index); // onExpanded loads the children
    else
        loadChildren(item);
}

void ModelTree::showDatabase(const QString &database)
{
    if (QStandardItem *item = databaseItem(database)) {
        makeCurrent(item);
        expandItem(item);
    }
}

void ModelTree::showSchema(const QString &database, const QString &schema)
{
    QStandardItem *group = tenantGroupItem(database);
    if (group && !schemaItem(database, schema)) {
        const auto grouping = m_groupings.constFind(database);
        if (grouping != m_groupings.cend() && grouping->alike.contains(schema))
            expandItem(group); // lists the group's tenants
    }
    if (QStandardItem *item = schemaItem(database, schema)) {
        expandItem(item);
        makeCurrent(item);
    }
}

void ModelTree::selectModel(const QString &database, const QString &schema, const QString &model)
{
    if (QStandardItem *item = modelItem(database, schema, model))
        makeCurrent(item);
}

void ModelTree::prepareModel(const QString &database, const QString &schema,
                             const orm::Model &model)
{
    loadFields(database, schema, model, true);
}

void ModelTree::onExpanded(const QModelIndex &proxyIndex)
{
    if (QStandardItem *item = m_treeModel->itemFromIndex(m_proxy->mapToSource(proxyIndex)))
        loadChildren(item);
}

void ModelTree::loadChildren(QStandardItem *item)
{
    if (item->data(LoadedRole).toBool())
        return;
    const QString db = item->data(DatabaseRole).toString();
    switch (NodeKind(item->data(NodeKindRole).toInt())) {
    case NodeKind::Database:
        if (m_schemas.contains(db))
            onSchemasListed(db, m_schemas.value(db));
        else if (orm::Database *open = database(db); open && open->isConnected())
            listSchemas(db);
        break;
    case NodeKind::Schema:
        item->setData(true, LoadedRole);
        listModels(db, item->data(SchemaRole).toString());
        break;
    case NodeKind::TenantGroup:
        loadGroup(item);
        break;
    case NodeKind::Model: {
        item->setData(true, LoadedRole);
        const QString schema = item->data(SchemaRole).toString();
        const QString name = item->data(ModelNameRole).toString();
        for (const orm::Model &model : m_models.value(modelsKey(db, schema)))
            if (model.name == name)
                loadFields(db, schema, model, false);
        break;
    }
    default:
        break;
    }
}

void ModelTree::onActivated(const QModelIndex &proxyIndex)
{
    QStandardItem *item = m_treeModel->itemFromIndex(m_proxy->mapToSource(proxyIndex));
    if (!item)
        return;
    if (item->data(NodeKindRole).toInt() != int(NodeKind::Model)) {
        m_tree->setExpanded(proxyIndex, !m_tree->isExpanded(proxyIndex));
        return;
    }
    emit modelActivated(item->data(DatabaseRole).toString(), item->data(SchemaRole).toString(),
                        item->data(ModelNameRole).toString());
}

void ModelTree::replaySchemas(const QString &database)
{
    if (m_schemas.contains(database))
        onSchemasListed(database, m_schemas.value(database));
}

void ModelTree::onSchemasListed(const QString &database, const QStringList &schemas)
{
    if (!m_schemas.contains(database))
        checkForChanges(database); // the stamp later probes compare with
    const bool compared = m_groupings.contains(database) || m_groupingRuns.contains(database);
    m_schemas.insert(database, schemas);
    QStandardItem *parent = databaseItem(database);
    if (parent && !parent->data(LoadedRole).toBool())
        layoutSchemas(database);
    emit schemasListed(database, schemas);
    if (!compared)
        groupTenants(database); // until it ends, the schemas show one by one
}

void ModelTree::groupTenants(const QString &name)
{
    if (groupableSchemas(m_schemas.value(name)).size() <= m_groupThreshold) {
        m_groupingRuns.remove(name);
        QStandardItem *node = databaseItem(name);
        if (m_groupings.remove(name) && node && node->data(LoadedRole).toBool())
            layoutSchemas(name);
        return;
    }
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    const int run = ++m_groupingRuns[name];
    launchTask(
        this, strata::ui::groupTenants(db, m_registry->tenantModels(), m_schemas.value(name)),
        [this, name, db, run](const TenantGrouping &grouping) {
            if (stillShown(name, db) && m_groupingRuns.value(name) == run) {
                m_groupings.insert(name, grouping);
                if (QStandardItem *node = databaseItem(name);
                    node && node->data(LoadedRole).toBool())
                    layoutSchemas(name); // else laid out when first expanded
            }
            endWork();
        },
        [this, name, db](const TaskFailure &failure) {
            // The schemas stay listed one by one.
            if (stillShown(name, db))
                emit failed(whatFailed(failure,
                                       tr("Comparing the tenants of %1").arg(displayName(name)),
                                       tr("Comparing tenants")),
                            failure.message);
            endWork();
        });
}

std::optional<TenantGrouping> ModelTree::tenantGrouping(const QString &database) const
{
    const auto found = m_groupings.constFind(database);
    if (found == m_groupings.cend())
        return std::nullopt;
    return *found;
}

QStandardItem *ModelTree::tenantGroupItem(const QString &database) const
{
    QStandardItem *parent = databaseItem(database);
    for (int row = 0; parent && row < parent->rowCount(); ++row)
        if (parent->child(row)->data(NodeKindRole).toInt() == int(NodeKind::TenantGroup))
            return parent->child(row);
    return nullptr;
}

bool ModelTree::isExpanded(QStandardItem *item) const
{
    const QModelIndex index = m_proxy->mapFromSource(item->index());
    return index.isValid() && m_tree->isExpanded(index);
}

void ModelTree::layoutSchemas(const QString &database)
{
    QStandardItem *parent = databaseItem(database);
    if (!parent)
        return;
    // The schema nodes there are (under the group too) are taken out whole, to be put back.
    QHash<QString, QStandardItem *> kept;
    QSet<QString> expanded;
    bool groupLoaded = false, groupExpanded = false;
    QString currentSchema;
    QStandardItem *current =
        m_treeModel->itemFromIndex(m_proxy->mapToSource(m_tree->currentIndex()));
    for (QStandardItem *up = current; up; up = up->parent())
        if (up->data(NodeKindRole).toInt() == int(NodeKind::Schema) &&
            up->data(DatabaseRole).toString() == database)
            currentSchema = up->data(SchemaRole).toString();
    const auto keep = [&](QStandardItem *from, int row) {
        QStandardItem *item = from->child(row);
        const QString schema = item->data(SchemaRole).toString();
        if (isExpanded(item))
            expanded.insert(schema);
        kept.insert(schema, from->takeRow(row).constFirst());
    };
    for (int row = parent->rowCount() - 1; row >= 0; --row) {
        QStandardItem *child = parent->child(row);
        const auto kind = NodeKind(child->data(NodeKindRole).toInt());
        if (kind == NodeKind::Schema) {
            keep(parent, row);
            continue;
        }
        if (kind == NodeKind::TenantGroup) {
            groupLoaded = child->data(LoadedRole).toBool();
            groupExpanded = isExpanded(child);
            for (int inner = child->rowCount() - 1; inner >= 0; --inner)
                if (child->child(inner)->data(NodeKindRole).toInt() == int(NodeKind::Schema))
                    keep(child, inner);
        }
        parent->removeRow(row);
    }
    const QStringList ordered = orderedSchemas(m_schemas.value(database));
    const auto grouping = m_groupings.constFind(database);
    QSet<QString> grouped;
    if (grouping != m_groupings.cend() && grouping->alike.size() > 1)
        for (const QString &schema : grouping->alike)
            if (ordered.contains(schema))
                grouped.insert(schema);
    const auto nodeFor = [&](const QString &schema) {
        QStandardItem *item = kept.take(schema);
        return item ? item : schemaNode(database, schema);
    };
    QStandardItem *group = nullptr;
    for (const QString &schema : ordered) {
        if (grouped.contains(schema)) {
            if (!group) { // where its first tenant would be
                group = lazyNode(grouping->label(), NodeKind::TenantGroup, database,
                                 tr("(loading…)"), treeIcon(TreeIconKind::TenantGroup));
                group->setToolTip(grouping->toolTip());
                parent->appendRow(group);
            }
            continue;
        }
        QStandardItem *item = nodeFor(schema);
        const bool drifts = grouping != m_groupings.cend() && grouping->drifting.contains(schema);
        item->setToolTip(drifts ? tr("Differs from %1:\n%2")
                                      .arg(grouping->templateSchema.isEmpty()
                                               ? tr("the tenant tables")
                                               : grouping->templateSchema,
                                           grouping->drifting.value(schema))
                                : QString());
        parent->appendRow(item);
    }
    if (group && (groupLoaded || grouped.contains(currentSchema))) {
        group->removeRows(0, group->rowCount());
        for (const QString &schema : ordered)
            if (grouped.contains(schema))
                group->appendRow(nodeFor(schema));
        group->setData(true, LoadedRole);
    }
    qDeleteAll(kept); // schemas gone, or grouped and not shown
    parent->setData(true, LoadedRole);
    if (group && (groupExpanded || grouped.contains(currentSchema)))
        m_tree->expand(m_proxy->mapFromSource(group->index()));
    for (const QString &schema : std::as_const(expanded))
        if (QStandardItem *item = schemaItem(database, schema))
            m_tree->expand(m_proxy->mapFromSource(item->index()));
    if (!currentSchema.isEmpty() && ordered.contains(currentSchema))
        makeCurrent(current); // its schema's node was put back, with it
}

void ModelTree::loadGroup(QStandardItem *group)
{
    const QString database = group->data(DatabaseRole).toString();
    const auto grouping = m_groupings.constFind(database);
    group->removeRows(0, group->rowCount());
    group->setData(true, LoadedRole);
    if (grouping == m_groupings.cend())
        return;
    QStringList alike = grouping->alike;
    std::sort(alike.begin(), alike.end(), naturalLess);
    for (const QString &schema : std::as_const(alike))
        group->appendRow(schemaNode(database, schema));
}

bool ModelTree::hasModels(const QString &database, const QString &schema) const
{
    return m_models.contains(modelsKey(database, schema));
}

QList<orm::Model> ModelTree::models(const QString &database, const QString &schema) const
{
    return m_models.value(modelsKey(database, schema));
}

QStringList ModelTree::listedModels(const QString &database, const QString &schema) const
{
    QStringList names;
    for (const orm::Model &model : m_models.value(modelsKey(database, schema)))
        names << model.name;
    return names;
}

void ModelTree::onModelsListed(const QString &database, const QString &schema,
                               QList<orm::Model> models)
{
    const QString key = modelsKey(database, schema);
    m_models.insert(key, models);
    // The filter's results name a table as the tree does; only declared models differ from
    // their table's name, so only they are kept (20,000 names hashed per search stalled typing).
    QHash<QString, QString> renamed;
    for (const orm::Model &model : std::as_const(models))
        if (model.name != model.table)
            renamed.insert(model.table, model.name);
    if (renamed.isEmpty())
        m_renamed.remove(key);
    else
        m_renamed.insert(key, std::move(renamed));
    if (QStandardItem *parent = schemaItem(database, schema)) {
        parent->removeRows(0, parent->rowCount());
        std::sort(models.begin(), models.end(), [](const orm::Model &a, const orm::Model &b) {
            return naturalLess(a.name, b.name);
        });
        QHash<QString, QStandardItem *> byName;
        QList<std::pair<QStandardItem *, QString>> placed; // a node, and its parent's name
        for (const orm::Model &model : std::as_const(models)) {
            QStandardItem *item = lazyNode(model.name, NodeKind::Model, database, tr("(loading…)"),
                                           treeIcon(model.kind));
            item->setData(schema, SchemaRole);
            item->setData(model.name, ModelNameRole);
            QStringList tip{
                QStringLiteral("%1 %2.%3").arg(kindWord(model.kind), schema, model.table)};
            if (!model.partitionOf.isEmpty())
                tip << tr("Partition of %1").arg(model.partitionOf);
            if (const QString origin = originNote(model.origin); !origin.isEmpty())
                tip << origin;
            item->setToolTip(tip.join(QLatin1Char('\n')));
            // The origin's subtle tone; the text stays the table's name.
            if (model.origin == orm::ModelOrigin::Declared)
                item->setForeground(toneColor(Tone::Accent, m_tree->palette()));
            else if (model.origin == orm::ModelOrigin::Tenant)
                item->setForeground(toneColor(Tone::Tenant, m_tree->palette()));
            byName.insert(model.name, item);
            placed.append({item, model.partitionOf});
        }
        // In natural order, a partition under its parent when that is listed here (a parent in
        // another schema is named schema.table, and is not); else at the top.
        for (const auto &[item, parentName] : std::as_const(placed)) {
            QStandardItem *under = parentName.isEmpty() ? nullptr : byName.value(parentName);
            (under && under != item ? under : parent)->appendRow(item);
        }
        if (models.isEmpty())
            parent->appendRow(placeholderNode(tr("(no tables or views)")));
    }
    emit modelsListed(database, schema);
}

void ModelTree::onFieldsLoaded(const QString &database, const QString &schema,
                               const orm::Model &model)
{
    auto &models = m_models[modelsKey(database, schema)];
    for (orm::Model &known : models)
        if (known.name == model.name)
            known = model;
    QStringList labels;
    for (const orm::Field &field : model.fields)
        labels << fieldLabel(model, field);
    m_results->showFields(database, schema, model.table, labels); // if the filter found it
    QStandardItem *parent = modelItem(database, schema, model.name);
    if (!parent)
        return;
    // The columns come first, before any partition nested there; the placeholder goes.
    for (int row = parent->rowCount() - 1; row >= 0; --row) {
        const int kind = parent->child(row)->data(NodeKindRole).toInt();
        if (kind == int(NodeKind::Field))
            return; // listed already
        if (kind == int(NodeKind::Placeholder))
            parent->removeRow(row);
    }
    parent->setData(true, LoadedRole);
    int row = 0;
    for (qsizetype i = 0; i < model.fields.size(); ++i) {
        const orm::Field &field = model.fields[i];
        QStringList tip{tr("Column %1 of %2").arg(field.name, model.table)};
        const orm::ForeignKey *reference = referenceOf(model, field);
        if (reference)
            tip << tr("References %1").arg(referenceTarget(*reference));
        const TreeIconKind icon = field.primaryKey ? TreeIconKind::PrimaryKeyColumn
                                  : reference      ? TreeIconKind::ForeignKeyColumn
                                                   : TreeIconKind::Column;
        auto *item = new QStandardItem(treeIcon(icon), labels[i]);
        item->setToolTip(tip.join(QLatin1Char('\n')));
        item->setData(int(NodeKind::Field), NodeKindRole);
        item->setData(database, DatabaseRole);
        parent->insertRow(row++, item);
    }
}

// -- the filter ------------------------------------------------------------------------------

void ModelTree::setUpFilter()
{
    m_resultsView = new QTreeView;
    m_resultsView->setObjectName(QStringLiteral("treeFilterResults"));
    m_resultsView->setHeaderHidden(true);
    m_resultsView->setUniformRowHeights(true);
    m_resultsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_resultsView->setExpandsOnDoubleClick(false);
    m_pages->addWidget(m_resultsView);
    FilterResults::Labels labels;
    labels.database = [this](const QString &database) { return displayName(database); };
    // As the tree shows them: the name, the kind as an icon.
    labels.table = [this](const FilterHit &hit) {
        return m_renamed.value(modelsKey(hit.database, hit.schema)).value(hit.table, hit.table);
    };
    labels.tableIcon = [](const FilterHit &hit) { return treeIcon(hit.kind); };
    m_results = new FilterResults(m_resultsView, std::move(labels), this);
    m_matcher = new TreeFilter(this);
    connect(m_matcher, &TreeFilter::searchStarted, m_results, &FilterResults::clear);
    connect(m_matcher, &TreeFilter::hitsFound, m_results, &FilterResults::add);
    connect(m_matcher, &TreeFilter::searchFinished, m_results, &FilterResults::finish);
    connect(m_matcher, &TreeFilter::outdated, m_results, &FilterResults::clear);
    connect(m_resultsView, &QTreeView::expanded, this, &ModelTree::onResultExpanded);
    connect(m_resultsView, &QTreeView::activated, this, &ModelTree::onResultActivated);
    // Listings (first ones and refreshes) keep the names fresh once the filter was used.
    connect(this, &ModelTree::modelsListed, this, [this](const QString &db, const QString &schema) {
        if (m_namesWanted)
            readNames(db, schema);
    });
    connect(this, &ModelTree::schemasListed, m_matcher, &TreeFilter::keepSchemas);
}

QStandardItemModel *ModelTree::filterResults() const
{
    return m_results->model();
}

bool ModelTree::isFiltering() const
{
    return m_matcher->isSearching() || m_results->isInserting();
}

bool ModelTree::hasFilterNames(const QString &database, const QString &schema) const
{
    return m_matcher->hasNames(database, schema);
}

void ModelTree::setFilterDebounce(int milliseconds)
{
    m_matcher->setDebounce(milliseconds);
}

const orm::Model *ModelTree::listedModel(const QString &database, const QString &schema,
                                         const QString &table)
{
    // Only when the user opens a found table: a scan is cheap enough for that.
    const auto models = m_models.constFind(modelsKey(database, schema));
    if (models == m_models.cend())
        return nullptr;
    for (const orm::Model &model : *models)
        if (model.table == table)
            return &model;
    return nullptr;
}

bool ModelTree::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::FocusIn)
        wantNames();
    return QWidget::eventFilter(watched, event);
}

void ModelTree::onFilterText(const QString &text)
{
    wantNames();
    // The tree itself is left as it is (expanded nodes too) until the filter is cleared.
    m_pages->setCurrentWidget(text.isEmpty() ? m_tree : m_resultsView);
    m_matcher->setText(text);
}

void ModelTree::wantNames()
{
    if (m_namesWanted)
        return;
    m_namesWanted = true;
    for (auto it = m_models.cbegin(); it != m_models.cend(); ++it) {
        const QStringList parts = it.key().split(QLatin1Char('\x1f'));
        readNames(parts.value(0), parts.value(1));
    }
}

void ModelTree::readNames(const QString &name, const QString &schema)
{
    const QPointer<orm::Database> db = beginRead(name);
    if (!db)
        return;
    const QString key = modelsKey(name, schema);
    const int asked = ++m_namesAsked[key];
    launchTask(
        this, orm::reflection::catalogNames(db, schema),
        [this, name, schema, db, key, asked](QList<orm::reflection::CatalogRelation> names) {
            // A later read (a refresh) has the fresher names; a schema gone has none.
            if (stillShown(name, db) && m_namesAsked.value(key) == asked && m_models.contains(key))
                m_matcher->setNames(name, schema, std::move(names));
            endWork();
        },
        [this, name, schema, db](const TaskFailure &failure) {
            if (stillShown(name, db))
                emit failed(whatFailed(failure,
                                       tr("Reading the table and column names of %1.%2")
                                           .arg(displayName(name), schema),
                                       tr("Reading table and column names")),
                            failure.message);
            endWork();
        });
}

void ModelTree::onResultExpanded(const QModelIndex &index)
{
    QStandardItem *item = m_results->model()->itemFromIndex(index);
    if (!item || m_results->isExpanding() || item->data(LoadedRole).toBool() ||
        item->data(NodeKindRole).toInt() != int(NodeKind::Model))
        return;
    // The user opened a found table: its real fields, as the tree would read them.
    item->setData(true, LoadedRole);
    const QString db = item->data(DatabaseRole).toString();
    const QString schema = item->data(SchemaRole).toString();
    const QString table = item->data(ModelNameRole).toString();
    if (const orm::Model *model = listedModel(db, schema, table))
        loadFields(db, schema, *model, false);
}

void ModelTree::onResultActivated(const QModelIndex &index)
{
    QStandardItem *item = m_results->model()->itemFromIndex(index);
    if (!item)
        return;
    if (item->data(NodeKindRole).toInt() != int(NodeKind::Model)) {
        m_resultsView->setExpanded(index, !m_resultsView->isExpanded(index));
        return;
    }
    const QString db = item->data(DatabaseRole).toString();
    const QString schema = item->data(SchemaRole).toString();
    const QString table = item->data(ModelNameRole).toString();
    if (const orm::Model *model = listedModel(db, schema, table))
        emit modelActivated(db, schema, model->name);
}

} // namespace strata::ui
