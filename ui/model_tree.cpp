#include "model_tree.h"
#include "ui/theme.h"

#include "launch_task.h"

#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace strata::ui {
namespace {

QString kindSuffix(orm::ModelKind kind)
{
    switch (kind) {
    case orm::ModelKind::Table:
        return {};
    case orm::ModelKind::View:
        return ModelTree::tr(" (view)");
    case orm::ModelKind::MaterializedView:
        return ModelTree::tr(" (materialised view)");
    case orm::ModelKind::PartitionedTable:
        return ModelTree::tr(" (partitioned)");
    case orm::ModelKind::Partition:
        return ModelTree::tr(" (partition)");
    }
    return {};
}

QString originMark(orm::ModelOrigin origin)
{
    switch (origin) {
    case orm::ModelOrigin::Declared:
        return ModelTree::tr("  [declared]");
    case orm::ModelOrigin::Tenant:
        return ModelTree::tr("  [tenant]");
    case orm::ModelOrigin::Reflected:
        return {};
    }
    return {};
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
                        const QString &waiting)
{
    auto *item = new QStandardItem(text);
    item->setData(int(kind), ModelTree::NodeKindRole);
    item->setData(database, ModelTree::DatabaseRole);
    item->setData(false, ModelTree::LoadedRole);
    item->appendRow(placeholderNode(waiting));
    return item;
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
    m_filter->setPlaceholderText(tr("Filter models and fields"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_tree->expandAll(); // expandAll only opens what is loaded: nothing is fetched
    });
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
    layout->addWidget(m_tree);

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
    QStandardItem *parent = databaseItem(database);
    if (parent && parent->data(LoadedRole).toBool()) {
        // Gone schemas go; new ones join in order; the others keep their nodes (and whether
        // they are expanded).
        for (int row = parent->rowCount() - 1; row >= 0; --row)
            if (!schemas.contains(parent->child(row)->data(SchemaRole).toString()))
                parent->removeRow(row);
        for (int i = 0; i < schemas.size(); ++i) {
            if (before.contains(schemas[i]))
                continue;
            QStandardItem *item =
                lazyNode(schemas[i], NodeKind::Schema, database, tr("(loading…)"));
            item->setData(schemas[i], SchemaRole);
            parent->insertRow(std::min(i, parent->rowCount()), item);
        }
    }
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
                            tr("Refreshing the models of %1.%2").arg(displayName(database), schema),
                            tr("Refreshing models")),
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
    m_treeModel->appendRow(
        lazyNode(displayName(name), NodeKind::Database, name, tr("(not connected)")));
}

void ModelTree::removeDatabase(const QString &name)
{
    if (QStandardItem *item = databaseItem(name))
        m_treeModel->removeRow(item->row());
    m_schemas.remove(name);
    m_stamps.remove(name);
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
                               tr("Listing the models of %1.%2").arg(displayName(name), schema),
                               tr("Listing models")),
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
                emit failed(whatFailed(failure, tr("Reading the fields of %1").arg(modelName),
                                       tr("Reading fields")),
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
        if (item->data(NodeKindRole).toInt() == int(NodeKind::Schema) &&
            item->data(SchemaRole).toString() == schema)
            return item;
    }
    return nullptr;
}

QStandardItem *ModelTree::modelItem(const QString &database, const QString &schema,
                                    const QString &model) const
{
    QStandardItem *parent = schemaItem(database, schema);
    for (int row = 0; parent && row < parent->rowCount(); ++row) {
        QStandardItem *item = parent->child(row);
        if (item->data(ModelNameRole).toString() == model)
            return item;
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
    m_schemas.insert(database, schemas);
    QStandardItem *parent = databaseItem(database);
    if (parent && !parent->data(LoadedRole).toBool()) {
        parent->removeRows(0, parent->rowCount());
        for (const QString &schema : schemas) {
            QStandardItem *item = lazyNode(schema, NodeKind::Schema, database, tr("(loading…)"));
            item->setData(schema, SchemaRole);
            parent->appendRow(item);
        }
        parent->setData(true, LoadedRole);
    }
    emit schemasListed(database, schemas);
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
    m_models.insert(modelsKey(database, schema), models);
    if (QStandardItem *parent = schemaItem(database, schema)) {
        parent->removeRows(0, parent->rowCount());
        for (const orm::Model &model : models) {
            QStandardItem *item =
                lazyNode(model.name + kindSuffix(model.kind) + originMark(model.origin),
                         NodeKind::Model, database, tr("(loading…)"));
            item->setData(schema, SchemaRole);
            item->setData(model.name, ModelNameRole);
            item->setToolTip(QStringLiteral("%1.%2").arg(schema, model.table));
            if (model.origin == orm::ModelOrigin::Declared)
                item->setForeground(toneColor(Tone::Accent, m_tree->palette()));
            else if (model.origin == orm::ModelOrigin::Tenant)
                item->setForeground(toneColor(Tone::Tenant, m_tree->palette()));
            parent->appendRow(item);
        }
        if (models.isEmpty())
            parent->appendRow(placeholderNode(tr("(no models)")));
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
    QStandardItem *parent = modelItem(database, schema, model.name);
    if (!parent || (parent->rowCount() > 0 &&
                    parent->child(0)->data(NodeKindRole).toInt() == int(NodeKind::Field)))
        return;
    parent->removeRows(0, parent->rowCount());
    parent->setData(true, LoadedRole);
    for (const orm::Field &field : model.fields) {
        QString text = QStringLiteral("%1  %2").arg(field.name, field.sqlType);
        if (field.primaryKey)
            text += tr("  PK");
        for (const orm::ForeignKey &key : model.foreignKeys)
            if (key.columns.contains(field.name))
                text += tr("  FK → %1.%2").arg(key.targetTable, key.targetColumns.join(u','));
        if (!field.nullable && !field.primaryKey)
            text += tr("  not null");
        auto *item = new QStandardItem(text);
        item->setData(int(NodeKind::Field), NodeKindRole);
        item->setData(database, DatabaseRole);
        parent->appendRow(item);
    }
}

} // namespace strata::ui
