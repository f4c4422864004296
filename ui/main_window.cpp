#include "main_window.h"

#include "connection_dialog.h"
#include "grid_model.h"
#include "grid_view.h"
#include "log_pane.h"
#include "password_store.h"
#include "queryset_row_source.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

#include <vector>

namespace strata::ui {
namespace {

QString stateName(orm::Database::State state)
{
    switch (state) {
    case orm::Database::State::Disconnected:
        return MainWindow::tr("disconnected");
    case orm::Database::State::Connecting:
        return MainWindow::tr("connecting…");
    case orm::Database::State::Connected:
        return MainWindow::tr("connected");
    case orm::Database::State::Failed:
        return MainWindow::tr("failed");
    }
    return {};
}

QString kindSuffix(orm::ModelKind kind)
{
    switch (kind) {
    case orm::ModelKind::Table:
        return {};
    case orm::ModelKind::View:
        return MainWindow::tr(" (view)");
    case orm::ModelKind::MaterializedView:
        return MainWindow::tr(" (materialised view)");
    case orm::ModelKind::PartitionedTable:
        return MainWindow::tr(" (partitioned)");
    case orm::ModelKind::Partition:
        return MainWindow::tr(" (partition)");
    }
    return {};
}

QString originMark(orm::ModelOrigin origin)
{
    switch (origin) {
    case orm::ModelOrigin::Declared:
        return MainWindow::tr("  [declared]");
    case orm::ModelOrigin::Tenant:
        return MainWindow::tr("  [tenant]");
    case orm::ModelOrigin::Reflected:
        return {};
    }
    return {};
}

// The window's coroutines: top-level, so each catches everything, and each checks the
// QPointer after every suspension.

// Whether the window still shows `database` as the object `asked` (not removed, nor replaced
// under the same name, while its catalog was read): what was read of another is dropped.
bool stillShown(const QPointer<MainWindow> &window, const QString &database,
                const QPointer<orm::Database> &asked)
{
    return window && asked && window->database(database) == asked.data();
}

QCoro::Task<> listSchemas(QPointer<MainWindow> window, QString database)
{
    const QPointer<orm::Database> db = window->database(database);
    if (!db)
        co_return;
    window->beginWork();
    try {
        const QStringList schemas = co_await orm::reflection::listSchemas(db);
        if (stillShown(window, database, db))
            window->onSchemasListed(database, schemas);
    } catch (const orm::Error &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(
                MainWindow::tr("Listing the schemas of %1").arg(MainWindow::displayName(database)),
                error.toString());
    } catch (const std::exception &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(MainWindow::tr("Listing schemas"),
                                 QString::fromUtf8(error.what()));
    }
    if (window)
        window->endWork();
}

QCoro::Task<> listModels(QPointer<MainWindow> window, QPointer<orm::Registry> registry,
                         QString database, QString schema)
{
    const QPointer<orm::Database> db = window->database(database);
    if (!db)
        co_return;
    window->beginWork();
    try {
        QList<orm::Model> models = co_await registry->reflectedModels(database, schema);
        if (stillShown(window, database, db))
            window->onModelsListed(database, schema, std::move(models));
    } catch (const orm::Error &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(MainWindow::tr("Listing the models of %1.%2")
                                     .arg(MainWindow::displayName(database), schema),
                                 error.toString());
    } catch (const std::exception &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(MainWindow::tr("Listing models"), QString::fromUtf8(error.what()));
    }
    if (window)
        window->endWork();
}

QCoro::Task<> loadFields(QPointer<MainWindow> window, QPointer<orm::Registry> registry,
                         QString database, QString schema, orm::Model model, bool open)
{
    const QPointer<orm::Database> db = window->database(database);
    if (!db)
        co_return;
    window->beginWork();
    try {
        if (!model.fieldsLoaded)
            model = co_await registry->loadFields(model);
        if (stillShown(window, database, db)) {
            window->onFieldsLoaded(database, schema, model);
            if (open)
                window->onModelReady(database, schema, model);
        }
    } catch (const orm::Error &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(MainWindow::tr("Reading the fields of %1").arg(model.name),
                                 error.toString());
    } catch (const std::exception &error) {
        if (stillShown(window, database, db))
            window->onWorkFailed(MainWindow::tr("Reading fields"), QString::fromUtf8(error.what()));
    }
    if (window)
        window->endWork();
}

QCoro::Task<> reconnect(QPointer<MainWindow> window, QPointer<orm::Registry> registry,
                        QString database)
{
    try {
        if (!registry->isConnected())
            co_await registry->connect(orm::Registry::ConnectMode::Lenient);
        else
            co_await registry->reconnect(database);
    } catch (const orm::Error &error) {
        if (window)
            window->onWorkFailed(
                MainWindow::tr("Reconnecting %1").arg(MainWindow::displayName(database)),
                error.toString());
    } catch (const std::exception &error) {
        if (window)
            window->onWorkFailed(MainWindow::tr("Reconnecting"), QString::fromUtf8(error.what()));
    }
}

// A saved-connection change, applied to the open registry: the databases it replaces leave
// (each removeExtra takes its name out of the registry, and the window's entries with it,
// before its first suspension), the new definition takes the name at once, and it is connected
// once the old ones are closed, if the registry is connected (otherwise its connect() will).
QCoro::Task<> applyConnectionChange(QPointer<MainWindow> window, QPointer<orm::Registry> registry,
                                    QStringList removed, QString added, QString url, bool activate)
{
    std::vector<QCoro::Task<>> removals;
    for (const QString &name : std::as_const(removed))
        removals.push_back(registry->removeExtra(name));
    QPointer<orm::Database> db;
    if (!added.isEmpty()) {
        try {
            db = registry->addExtra(added, url);
        } catch (const orm::Error &error) {
            window->onWorkFailed(MainWindow::tr("Opening %1").arg(added),
                                 maskSecrets(error.toString()));
        }
        if (db && activate)
            window->setActiveDatabase(added);
    }
    for (auto &removal : removals) {
        try {
            co_await removal;
        } catch (const orm::Error &error) {
            if (window)
                window->onWorkFailed(MainWindow::tr("Removing a database"),
                                     maskSecrets(error.toString()));
        } catch (const std::exception &error) {
            if (window)
                window->onWorkFailed(MainWindow::tr("Removing a database"),
                                     maskSecrets(QString::fromUtf8(error.what())));
        }
    }
    if (!db || !registry || !registry->isConnected() || !stillShown(window, added, db))
        co_return;
    try {
        co_await registry->reconnect(added);
    } catch (const std::exception &) {
        // A failure shows as the database's state (menu, tree, log): nothing more to say.
    }
}

QString modelsKey(const QString &database, const QString &schema)
{
    return database + QLatin1Char('\x1f') + schema;
}

// A greyed-out line in the tree that says why a node has no children (yet).
QStandardItem *placeholderNode(const QString &text)
{
    auto *item = new QStandardItem(text);
    item->setData(int(MainWindow::NodeKind::Placeholder), MainWindow::NodeKindRole);
    return item;
}

// A node whose children are listed when it is first expanded; until then a placeholder says why
// it is empty.
QStandardItem *lazyNode(const QString &text, MainWindow::NodeKind kind, const QString &database,
                        const QString &waiting)
{
    auto *item = new QStandardItem(text);
    item->setData(int(kind), MainWindow::NodeKindRole);
    item->setData(database, MainWindow::DatabaseRole);
    item->setData(false, MainWindow::LoadedRole);
    item->appendRow(placeholderNode(waiting));
    return item;
}

} // namespace

MainWindow::MainWindow(orm::Registry *registry, QWidget *parent)
    : QMainWindow(parent)
    , m_registry(registry)
    , m_savedPath(SavedConnections::defaultPath())
    , m_passwords{[](const QString &name, const QString &password, QString *error) {
                      return storePassword(name, password, error);
                  },
                  [](const QString &name) { return forgetPassword(name); }}
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Strata"));
    resize(1280, 800);

    m_gridModel = new GridModel(this);
    m_grid = new GridView;
    m_grid->setModel(m_gridModel);
    setCentralWidget(m_grid);

    m_log = new LogPane;
    auto *logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);

    buildTree();
    buildMenus();
    addDatabaseEntry(QString());
    for (const QString &name : m_registry->extraNames())
        addDatabaseEntry(name);
    resizeDocks({logDock}, {140}, Qt::Vertical);
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("modelDock"))}, {260}, Qt::Horizontal);

    m_connectionLabel = new QLabel;
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_schemaLabel = new QLabel;
    m_queryLabel = new QLabel;
    m_queryLabel->setObjectName(QStringLiteral("queryLabel"));
    statusBar()->addWidget(m_connectionLabel, 2);
    statusBar()->addWidget(m_schemaLabel);
    statusBar()->addPermanentWidget(m_queryLabel, 1);

    connect(registry, &orm::Registry::databaseStateChanged, this,
            &MainWindow::onDatabaseStateChanged);
    connect(registry, &orm::Registry::extraAdded, this, &MainWindow::onExtraAdded);
    connect(registry, &orm::Registry::extraRemoved, this, &MainWindow::onExtraRemoved);
    connect(registry, &orm::Registry::notConnectedWarning, this,
            [this](const QString &name, const QString &operation) {
                m_log->append(LogPane::Level::Warning,
                              tr("DatabaseNotConnected: %1 on %2 ran on a connection opened "
                                 "just for it")
                                  .arg(operation, displayName(name)));
            });
    connect(m_gridModel, &GridModel::errorOccurred, this,
            [this](const QString &message) { m_log->append(LogPane::Level::Error, message); });
    connect(m_gridModel, &GridModel::queryChanged, this, [this](const QString &sql) {
        m_log->append(LogPane::Level::Info, tr("Grid query: %1").arg(sql));
        updateStatus();
    });
    connect(m_gridModel, &GridModel::totalRowsChanged, this, &MainWindow::updateStatus);
    connect(m_gridModel, &GridModel::loadingChanged, this, [this](bool) {
        updateStatus();
        emit busyChanged(isBusy());
    });

    for (const QString &name : m_connectionActions.keys()) {
        refreshConnectionEntry(name);
        if (orm::Database *db = database(name); db && db->isConnected())
            listSchemas(this, name);
    }
    setActiveDatabase(QString());
}

MainWindow::~MainWindow() = default;

orm::Database *MainWindow::database(const QString &name) const
{
    if (name.isEmpty())
        return m_registry->database();
    return m_registry->extraNames().contains(name) ? m_registry->database(name) : nullptr;
}

QString MainWindow::displayName(const QString &name)
{
    return name.isEmpty() ? tr("primary") : name;
}

QuerySetRowSource *MainWindow::rowSource() const
{
    return dynamic_cast<QuerySetRowSource *>(m_gridModel->source().get());
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    m_connectionsMenu = menuBar()->addMenu(tr("&Connections"));
    m_connectionsMenu->setObjectName(QStringLiteral("connectionsMenu"));
    m_connectionGroup = new QActionGroup(this);
    m_connectionGroup->setExclusive(true);
    // The databases' entries go above this separator (addDatabaseEntry).
    m_connectionsEnd = m_connectionsMenu->addSeparator();
    QAction *add = m_connectionsMenu->addAction(tr("&Add saved connection…"), this,
                                                &MainWindow::addSavedConnection);
    add->setObjectName(QStringLiteral("addSavedConnection"));
    m_editSavedMenu = m_connectionsMenu->addMenu(tr("&Edit saved connection"));
    m_editSavedMenu->setObjectName(QStringLiteral("editSavedMenu"));
    m_removeSavedMenu = m_connectionsMenu->addMenu(tr("Re&move saved connection"));
    m_removeSavedMenu->setObjectName(QStringLiteral("removeSavedMenu"));
    connect(m_connectionsMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildSavedMenus);
    rebuildSavedMenus();
    m_connectionsMenu->addSeparator();
    QAction *again = m_connectionsMenu->addAction(tr("&Reconnect the active database"));
    again->setObjectName(QStringLiteral("reconnectAction"));
    connect(again, &QAction::triggered, this,
            [this] { reconnect(this, m_registry, m_activeDatabase); });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());
    QAction *refresh = view->addAction(tr("Re&fresh rows"), m_gridModel, &GridModel::refresh);
    refresh->setShortcut(QKeySequence::Refresh);
    QAction *cancel =
        view->addAction(tr("&Cancel the row count"), m_gridModel, &GridModel::cancelCount);
    Q_UNUSED(cancel);

    QToolBar *toolbar = addToolBar(tr("Schema"));
    toolbar->setObjectName(QStringLiteral("schemaToolBar"));
    toolbar->addWidget(new QLabel(tr(" Schema / tenant: ")));
    m_schemaBox = new QComboBox;
    m_schemaBox->setObjectName(QStringLiteral("schemaSwitcher"));
    m_schemaBox->setMinimumContentsLength(16);
    m_schemaBox->setToolTip(tr("The schema (PostgreSQL) or attached database (SQLite) that the "
                               "tree and the grid use"));
    toolbar->addWidget(m_schemaBox);
    connect(m_schemaBox, &QComboBox::textActivated, this, &MainWindow::setActiveSchema);
}

void MainWindow::buildTree()
{
    m_treeModel = new QStandardItemModel(this);
    m_treeProxy = new QSortFilterProxyModel(this);
    m_treeProxy->setSourceModel(m_treeModel);
    m_treeProxy->setRecursiveFilteringEnabled(true);
    m_treeProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tree = new QTreeView;
    m_tree->setObjectName(QStringLiteral("modelTree"));
    m_tree->setModel(m_treeProxy);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_treeFilter = new QLineEdit;
    m_treeFilter->setObjectName(QStringLiteral("treeFilter"));
    m_treeFilter->setPlaceholderText(tr("Filter models and fields"));
    m_treeFilter->setClearButtonEnabled(true);
    connect(m_treeFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_treeProxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_tree->expandAll(); // expandAll only opens what is loaded: nothing is fetched
    });
    connect(m_tree, &QTreeView::expanded, this, &MainWindow::onTreeExpanded);
    connect(m_tree, &QTreeView::activated, this, &MainWindow::onTreeActivated);
    connect(m_tree, &QTreeView::doubleClicked, this, &MainWindow::onTreeActivated);

    auto *panel = new QWidget;
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_treeFilter);
    layout->addWidget(m_tree);
    auto *dock = new QDockWidget(tr("Models"), this);
    dock->setObjectName(QStringLiteral("modelDock"));
    dock->setWidget(panel);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
}

void MainWindow::addDatabaseEntry(const QString &name)
{
    auto *action = new QAction(displayName(name), m_connectionsMenu);
    action->setObjectName(QStringLiteral("connection_%1").arg(displayName(name)));
    action->setCheckable(true);
    action->setData(name);
    m_connectionGroup->addAction(action);
    m_connectionsMenu->insertAction(m_connectionsEnd, action);
    m_connectionActions.insert(name, action);
    connect(action, &QAction::triggered, this, [this, name] { setActiveDatabase(name); });

    m_treeModel->appendRow(
        lazyNode(displayName(name), NodeKind::Database, name, tr("(not connected)")));
}

void MainWindow::onExtraAdded(const QString &name)
{
    if (m_connectionActions.contains(name))
        return;
    addDatabaseEntry(name);
    refreshConnectionEntry(name);
    orm::Database *db = database(name);
    m_log->append(LogPane::Level::Info,
                  tr("%1 (%2): added").arg(name, db ? db->displayUrl() : QString()));
    if (db && db->isConnected())
        listSchemas(this, name);
}

void MainWindow::onExtraRemoved(const QString &name)
{
    QAction *action = m_connectionActions.take(name);
    if (!action)
        return;
    const bool wasActive = name == m_activeDatabase;
    m_connectionGroup->removeAction(action);
    m_connectionsMenu->removeAction(action);
    action->deleteLater(); // it may be the one being triggered
    if (QStandardItem *item = databaseItem(name))
        m_treeModel->removeRow(item->row());
    m_schemas.remove(name);
    const QString prefix = modelsKey(name, QString());
    for (auto it = m_models.begin(); it != m_models.end();)
        it = it.key().startsWith(prefix) ? m_models.erase(it) : std::next(it);
    if (m_openedDatabase == name) {
        m_gridModel->setSource(nullptr);
        m_openedModel = orm::Model();
        m_openedDatabase.clear();
        m_openedSchema.clear();
    }
    m_log->append(LogPane::Level::Info,
                  tr("%1: removed; its connections close in the background").arg(name));
    if (wasActive) {
        m_pendingOpen.clear();
        setActiveDatabase(QString()); // back to the primary
    }
    updateStatus();
}

void MainWindow::refreshConnectionEntry(const QString &name)
{
    orm::Database *db = database(name);
    if (!db)
        return;
    const orm::Database::State state = db->state();
    QString text = QStringLiteral("%1 — %2").arg(displayName(name), stateName(state));
    if (state == orm::Database::State::Failed && !db->failureReason().isEmpty())
        text += QStringLiteral(": ") + maskSecrets(db->failureReason()).left(120);
    if (QAction *action = m_connectionActions.value(name)) {
        action->setText(text);
        action->setToolTip(db->displayUrl());
    }
    if (QStandardItem *item = databaseItem(name)) {
        item->setText(text);
        item->setToolTip(db->displayUrl());
        item->setForeground(state == orm::Database::State::Failed ? QBrush(Qt::darkRed) : QBrush());
        QFont font = item->font();
        font.setBold(name == m_activeDatabase);
        item->setFont(font);
    }
}

void MainWindow::onDatabaseStateChanged(const QString &name, orm::Database::State state,
                                        const QString &reason)
{
    orm::Database *db = database(name);
    if (!db)
        return;
    refreshConnectionEntry(name);
    switch (state) {
    case orm::Database::State::Failed:
        m_log->append(
            LogPane::Level::Error,
            tr("%1 (%2): connection failed: %3").arg(displayName(name), db->displayUrl(), reason));
        break;
    case orm::Database::State::Connected:
        m_log->append(LogPane::Level::Info,
                      tr("%1 (%2): connected").arg(displayName(name), db->displayUrl()));
        listSchemas(this, name);
        break;
    default:
        break;
    }
    if (name == m_activeDatabase)
        updateStatus();
}

QStandardItem *MainWindow::databaseItem(const QString &name) const
{
    for (int row = 0; row < m_treeModel->rowCount(); ++row) {
        QStandardItem *item = m_treeModel->item(row);
        if (item->data(DatabaseRole).toString() == name)
            return item;
    }
    return nullptr;
}

QStandardItem *MainWindow::schemaItem(const QString &database, const QString &schema) const
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

QStandardItem *MainWindow::modelItem(const QString &database, const QString &schema,
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

void MainWindow::expandItem(QStandardItem *item)
{
    const QModelIndex index = m_treeProxy->mapFromSource(item->index());
    if (index.isValid())
        m_tree->expand(index); // onTreeExpanded loads the children
    else
        loadChildren(item);
}

void MainWindow::onTreeExpanded(const QModelIndex &proxyIndex)
{
    if (QStandardItem *item = m_treeModel->itemFromIndex(m_treeProxy->mapToSource(proxyIndex)))
        loadChildren(item);
}

void MainWindow::loadChildren(QStandardItem *item)
{
    if (item->data(LoadedRole).toBool())
        return;
    const QString db = item->data(DatabaseRole).toString();
    switch (NodeKind(item->data(NodeKindRole).toInt())) {
    case NodeKind::Database:
        if (m_schemas.contains(db))
            onSchemasListed(db, m_schemas.value(db));
        else if (orm::Database *open = database(db); open && open->isConnected())
            listSchemas(this, db);
        break;
    case NodeKind::Schema:
        item->setData(true, LoadedRole);
        listModels(this, m_registry, db, item->data(SchemaRole).toString());
        break;
    case NodeKind::Model: {
        item->setData(true, LoadedRole);
        const QString schema = item->data(SchemaRole).toString();
        const QString name = item->data(ModelNameRole).toString();
        for (const orm::Model &model : m_models.value(modelsKey(db, schema)))
            if (model.name == name)
                loadFields(this, m_registry, db, schema, model, false);
        break;
    }
    default:
        break;
    }
}

void MainWindow::onTreeActivated(const QModelIndex &proxyIndex)
{
    QStandardItem *item = m_treeModel->itemFromIndex(m_treeProxy->mapToSource(proxyIndex));
    if (!item || item->data(NodeKindRole).toInt() != int(NodeKind::Model))
        return;
    const QString db = item->data(DatabaseRole).toString();
    const QString schema = item->data(SchemaRole).toString();
    if (db != m_activeDatabase)
        setActiveDatabase(db);
    if (schema != m_activeSchema)
        setActiveSchema(schema);
    openModel(item->data(ModelNameRole).toString());
}

QString MainWindow::defaultSchema(const QStringList &schemas) const
{
    for (const char *preferred : {"public", "main"})
        if (schemas.contains(QLatin1String(preferred)))
            return QLatin1String(preferred);
    return schemas.value(0);
}

void MainWindow::onSchemasListed(const QString &database, const QStringList &schemas)
{
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
    if (database == m_activeDatabase) {
        const QString keep =
            schemas.contains(m_activeSchema) ? m_activeSchema : defaultSchema(schemas);
        m_schemaBox->clear();
        m_schemaBox->addItems(schemas);
        m_activeSchema.clear();
        setActiveSchema(keep);
    }
}

void MainWindow::onModelsListed(const QString &database, const QString &schema,
                                QList<orm::Model> models)
{
    // Declared models of the primary are marked as such; tenant models in a tenant schema.
    const bool defaultSchema =
        schema.isEmpty() || schema == QLatin1String("main") || schema == QLatin1String("public");
    for (orm::Model &model : models) {
        if (database.isEmpty() && defaultSchema)
            for (const orm::Model &declared : m_registry->models())
                if (declared.table == model.table) {
                    orm::Model marked = declared;
                    marked.schema = model.schema;
                    model = marked;
                }
        if (!defaultSchema)
            for (const orm::Model &tenant : m_registry->tenantModels())
                if (tenant.table == model.table) {
                    orm::Model marked = tenant;
                    marked.schema = schema;
                    marked.origin = orm::ModelOrigin::Tenant;
                    model = marked;
                }
    }
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
                item->setForeground(QBrush(QColor(0x1f, 0x4e, 0x99)));
            else if (model.origin == orm::ModelOrigin::Tenant)
                item->setForeground(QBrush(QColor(0x2e, 0x7d, 0x32)));
            parent->appendRow(item);
        }
        if (models.isEmpty())
            parent->appendRow(placeholderNode(tr("(no models)")));
    }
    if (database == m_activeDatabase && schema == m_activeSchema && !m_pendingOpen.isEmpty())
        openModel(std::exchange(m_pendingOpen, QString()));
}

void MainWindow::onFieldsLoaded(const QString &database, const QString &schema,
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

void MainWindow::onModelReady(const QString &database, const QString &schema,
                              const orm::Model &model)
{
    if (!this->database(database))
        return; // removed meanwhile
    RowSourcePtr source;
    try {
        source = std::make_shared<QuerySetRowSource>(m_registry, this->database(database), schema,
                                                     model);
    } catch (const orm::Error &error) {
        onWorkFailed(tr("Opening %1").arg(model.name), error.toString());
        return;
    }
    m_openedModel = model;
    m_openedDatabase = database;
    m_openedSchema = schema;
    m_gridModel->setSource(source);
    m_grid->table()->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    updateStatus();
    emit modelOpened(model.name);
}

void MainWindow::onWorkFailed(const QString &what, const QString &message)
{
    m_log->append(LogPane::Level::Error, QStringLiteral("%1: %2").arg(what, message));
}

void MainWindow::beginWork()
{
    if (m_work++ == 0)
        emit busyChanged(true);
    updateStatus();
}

void MainWindow::endWork()
{
    if (--m_work == 0)
        emit busyChanged(isBusy());
    updateStatus();
}

bool MainWindow::isBusy() const
{
    return m_work > 0 || m_gridModel->isLoading();
}

QStringList MainWindow::listedModels(const QString &database, const QString &schema) const
{
    QStringList names;
    for (const orm::Model &model : m_models.value(modelsKey(database, schema)))
        names << model.name;
    return names;
}

void MainWindow::setActiveDatabase(const QString &name)
{
    if (!m_connectionActions.contains(name))
        return;
    const bool changed = name != m_activeDatabase || m_schemaBox->count() == 0;
    const QString previous = m_activeDatabase;
    m_activeDatabase = name;
    m_connectionActions.value(name)->setChecked(true);
    refreshConnectionEntry(previous);
    refreshConnectionEntry(name);
    if (QStandardItem *item = databaseItem(name)) {
        m_tree->setCurrentIndex(m_treeProxy->mapFromSource(item->index()));
        expandItem(item);
    }
    if (changed) {
        m_schemaBox->clear();
        m_activeSchema.clear();
        if (m_schemas.contains(name))
            onSchemasListed(name, m_schemas.value(name));
        else if (orm::Database *db = database(name);
                 db && db->state() == orm::Database::State::Failed)
            m_log->append(LogPane::Level::Warning,
                          tr("%1 is not connected: %2 (Connections → Reconnect)")
                              .arg(displayName(name), maskSecrets(db->failureReason())));
    }
    updateStatus();
    emit activeDatabaseChanged(name);
}

void MainWindow::setActiveSchema(const QString &schema)
{
    if (schema.isEmpty() || schema == m_activeSchema)
        return;
    m_activeSchema = schema;
    if (m_schemaBox->currentText() != schema)
        m_schemaBox->setCurrentIndex(m_schemaBox->findText(schema));
    if (QStandardItem *item = schemaItem(m_activeDatabase, schema)) {
        expandItem(item);
        m_tree->setCurrentIndex(m_treeProxy->mapFromSource(item->index()));
    }
    // The open model follows the switch: the same table in the chosen tenant's schema.
    if (!m_openedModel.name.isEmpty() && m_openedDatabase == m_activeDatabase &&
        m_openedSchema != schema) {
        orm::Model moved = m_openedModel;
        moved.schema = schema;
        onModelReady(m_activeDatabase, schema, moved);
    }
    updateStatus();
    emit activeSchemaChanged(schema);
}

void MainWindow::openModel(const QString &name)
{
    const QString key = modelsKey(m_activeDatabase, m_activeSchema);
    if (!m_models.contains(key)) {
        m_pendingOpen = name; // opened once the schema's models are listed
        return;
    }
    for (const orm::Model &model : m_models.value(key)) {
        if (model.name == name || model.table == name) {
            if (QStandardItem *item = modelItem(m_activeDatabase, m_activeSchema, model.name))
                m_tree->setCurrentIndex(m_treeProxy->mapFromSource(item->index()));
            loadFields(this, m_registry, m_activeDatabase, m_activeSchema, model, true);
            return;
        }
    }
    onWorkFailed(
        tr("Opening %1").arg(name),
        tr("no model named '%1' in %2.%3 (known: %4)")
            .arg(name, displayName(m_activeDatabase), m_activeSchema,
                 listedModels(m_activeDatabase, m_activeSchema).join(QStringLiteral(", "))));
}

void MainWindow::setUncommittedWorkProbe(UncommittedWorkProbe probe)
{
    m_uncommittedWork = std::move(probe);
}

QStringList MainWindow::uncommittedWorkOn(const QStringList &extras) const
{
    QStringList pending;
    if (!m_uncommittedWork)
        return pending;
    for (const QString &name : extras)
        if (m_registry->extraNames().contains(name))
            pending << m_uncommittedWork(m_registry->database(name));
    return pending;
}

void MainWindow::setSavedConnectionsPath(const QString &path)
{
    m_savedPath = path;
    rebuildSavedMenus();
}

void MainWindow::setPasswordKeeper(PasswordKeeper keeper)
{
    m_passwords = std::move(keeper);
}

void MainWindow::rebuildSavedMenus()
{
    if (!m_editSavedMenu)
        return;
    m_editSavedMenu->clear();
    m_removeSavedMenu->clear();
    SavedConnections saved(m_savedPath);
    try {
        saved.load();
    } catch (const orm::Error &error) {
        m_log->append(LogPane::Level::Warning, error.toString());
    }
    for (const SavedConnection &connection : saved.connections()) {
        const QString name = connection.name;
        QAction *edit =
            m_editSavedMenu->addAction(name, this, [this, name] { editSavedConnection(name); });
        edit->setObjectName(QStringLiteral("edit_%1").arg(name));
        edit->setToolTip(connection.url);
        QAction *remove = m_removeSavedMenu->addAction(name, this, [this, name] {
            QString question = tr("Remove the saved connection '%1' and its password from the "
                                  "keyring?")
                                   .arg(name);
            if (name != m_primaryConnection && m_registry->extraNames().contains(name))
                question += tr(" Its open database closes now.");
            if (const QStringList pending = uncommittedWorkOn({name}); !pending.isEmpty())
                question += tr("\n\nThese transactions on it hold uncommitted work, which "
                               "closing rolls back:\n\n%1")
                                .arg(pending.join(QLatin1Char('\n')));
            const auto answer =
                QMessageBox::question(this, tr("Remove saved connection"), question,
                                      QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
            if (answer == QMessageBox::Yes)
                removeSavedConnection(name);
        });
        remove->setObjectName(QStringLiteral("remove_%1").arg(name));
    }
    m_editSavedMenu->setEnabled(!saved.connections().isEmpty());
    m_removeSavedMenu->setEnabled(!saved.connections().isEmpty());
}

bool MainWindow::saveConnection(const SavedConnection &connection, const QString &password,
                                const QString &previousName)
{
    const bool renamed = !previousName.isEmpty() && previousName != connection.name;
    const QString replaced = previousName.isEmpty() ? connection.name : previousName;
    // An empty password field keeps the password: the open database's (never the keyring's
    // here, whose reads may block), moved to the new name on a rename.
    const QString kept = password.isEmpty() ? openPassword(replaced) : password;
    // Replacing an open database closes it: ask first when that would roll work back.
    if (const QStringList pending = uncommittedWorkOn({replaced, connection.name});
        !pending.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Uncommitted work"),
            tr("Saving %1 closes its open database, and these transactions on it hold "
               "uncommitted work, which closing rolls back:\n\n%2\n\nSave anyway?")
                .arg(replaced, pending.join(QLatin1Char('\n'))),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            m_log->append(LogPane::Level::Info,
                          tr("The connection %1 was not saved: its open database holds "
                             "uncommitted work.")
                              .arg(connection.name));
            return false;
        }
    }
    SavedConnections saved(m_savedPath);
    try {
        saved.load();
        if (renamed) {
            saved.remove(previousName);
            if (m_passwords.forget)
                m_passwords.forget(previousName);
        }
        SavedConnection stored = connection;
        stored.url = withoutPassword(connection.url);
        if (stored.primary) // one primary at most
            for (SavedConnection other : saved.connections())
                if (other.name != stored.name && other.primary) {
                    other.primary = false;
                    saved.put(other);
                }
        saved.put(stored);
        saved.save();
    } catch (const orm::Error &error) {
        m_log->append(
            LogPane::Level::Error,
            tr("Saving the connection %1 failed: %2").arg(connection.name, error.toString()));
        return false;
    }
    QString note;
    const QString stored = renamed ? kept : password;
    if (!stored.isEmpty() && m_passwords.store) {
        QString error;
        if (!m_passwords.store(connection.name, stored, &error))
            note = tr(" The password was not kept (%1): it will be asked for.").arg(error);
        else
            note = tr(" Its password is in the system keyring.");
    }
    const bool primary = !m_primaryConnection.isEmpty() && (replaced == m_primaryConnection ||
                                                            connection.name == m_primaryConnection);
    if (primary) {
        // The registry's primary database cannot be swapped while the program runs.
        if (replaced == m_primaryConnection)
            m_primaryConnection = connection.name;
        else if (m_registry->extraNames().contains(replaced))
            applySavedChange({replaced}, QString(), QString()); // renamed onto the primary's
        m_log->append(
            LogPane::Level::Info,
            tr("Saved connection %1 (%2) in %3; it is the primary database, which "
               "changes at the next start.%4")
                .arg(connection.name, withoutPassword(connection.url), m_savedPath, note));
        rebuildSavedMenus();
        return true;
    }
    if (connection.primary)
        note += tr(" It opens as the primary database from the next start on.");
    m_log->append(LogPane::Level::Info,
                  tr("Saved connection %1 (%2) in %3; it applies now.%4")
                      .arg(connection.name, withoutPassword(connection.url), m_savedPath, note));
    rebuildSavedMenus();

    QStringList removed;
    const QStringList open = m_registry->extraNames();
    for (const QString &name : {replaced, connection.name})
        if (open.contains(name) && !removed.contains(name))
            removed << name;
    // As stored (a password typed into the URL is dropped as it is from the file), then with
    // the password given or kept.
    QString url = withoutPassword(connection.url);
    if (!kept.isEmpty()) {
        try {
            url = orm::DatabaseUrl::parse(url).withPassword(kept).toString();
        } catch (const orm::Error &) {
            // addExtra reports the bad URL
        }
    }
    applySavedChange(removed, connection.name, url);
    return true;
}

void MainWindow::applySavedChange(const QStringList &removed, const QString &added,
                                  const QString &url)
{
    applyConnectionChange(this, m_registry, removed, added, url,
                          removed.contains(m_activeDatabase));
}

QString MainWindow::openPassword(const QString &name) const
{
    orm::Database *db = name.isEmpty() ? nullptr : database(name);
    return db ? db->url().password() : QString();
}

bool MainWindow::removeSavedConnection(const QString &name)
{
    SavedConnections saved(m_savedPath);
    try {
        saved.load();
        if (!saved.remove(name)) {
            m_log->append(LogPane::Level::Warning, tr("No saved connection named %1").arg(name));
            return false;
        }
        saved.save();
    } catch (const orm::Error &error) {
        m_log->append(LogPane::Level::Error,
                      tr("Removing the connection %1 failed: %2").arg(name, error.toString()));
        return false;
    }
    if (m_passwords.forget)
        m_passwords.forget(name);
    rebuildSavedMenus();
    if (!m_primaryConnection.isEmpty() && name == m_primaryConnection) {
        m_log->append(LogPane::Level::Info,
                      tr("Removed the saved connection %1 from %2 (and its keyring entry); it is "
                         "the primary database, which stays open until the next start.")
                          .arg(name, m_savedPath));
        return true;
    }
    m_log->append(LogPane::Level::Info, tr("Removed the saved connection %1 from %2 (and its "
                                           "keyring entry).")
                                            .arg(name, m_savedPath));
    if (m_registry->extraNames().contains(name))
        applySavedChange({name}, QString(), QString());
    return true;
}

void MainWindow::addSavedConnection()
{
    auto *dialog = new ConnectionDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { saveConnection(dialog->connection(), dialog->password()); });
    dialog->open();
}

void MainWindow::editSavedConnection(const QString &name)
{
    SavedConnections saved(m_savedPath);
    try {
        saved.load();
    } catch (const orm::Error &error) {
        m_log->append(LogPane::Level::Error, error.toString());
        return;
    }
    for (const SavedConnection &connection : saved.connections()) {
        if (connection.name != name)
            continue;
        auto *dialog = new ConnectionDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        // The keyring is not read here (it may block): an empty password field keeps it.
        dialog->setConnection(connection);
        dialog->passwordEdit()->setPlaceholderText(tr("unchanged (kept in the keyring)"));
        connect(dialog, &QDialog::accepted, this, [this, dialog, name] {
            saveConnection(dialog->connection(), dialog->password(), name);
        });
        dialog->open();
        return;
    }
}

void MainWindow::updateStatus()
{
    if (orm::Database *db = database(m_activeDatabase))
        m_connectionLabel->setText(
            QStringLiteral("%1: %2 (%3)")
                .arg(displayName(m_activeDatabase), db->displayUrl(), stateName(db->state())));
    m_schemaLabel->setText(
        tr("schema: %1").arg(m_activeSchema.isEmpty() ? tr("—") : m_activeSchema));
    QString query;
    if (!m_openedModel.name.isEmpty()) {
        const QLocale locale;
        query = m_openedModel.name + QStringLiteral(": ");
        if (m_gridModel->isCountKnown())
            query += tr("%1 rows").arg(locale.toString(m_gridModel->totalRows()));
        else if (m_gridModel->isCounting())
            query += tr("counting rows…");
        else
            query += tr("row count unknown");
        if (!m_gridModel->lastError().isEmpty())
            query += tr(" · failed");
        else if (m_gridModel->isLoading())
            query += tr(" · loading…");
    }
    if (m_work > 0)
        query += (query.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("reading catalog…");
    m_queryLabel->setText(query.isEmpty() ? tr("idle") : query);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const QStringList pending = m_uncommittedWork ? m_uncommittedWork(nullptr) : QStringList();
    if (!pending.isEmpty()) {
        const auto answer = QMessageBox::question(
            this, tr("Uncommitted work"),
            tr("These transactions hold uncommitted work, which quitting rolls back:\n\n%1\n\n"
               "Quit anyway?")
                .arg(pending.join(QLatin1Char('\n'))),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    event->accept();
}

} // namespace strata::ui
