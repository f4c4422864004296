#include "main_window.h"

#include "connection_dialog.h"
#include "ddl_viewer.h"
#include "grid_model.h"
#include "grid_view.h"
#include "help_texts.h"
#include "launch_task.h"
#include "log_pane.h"
#include "model_tree.h"
#include "natural_order.h"
#include "preferences.h"
#include "preferences_dialog.h"
#include "queryset_row_source.h"
#include "ui/editing/cell_editors.h"
#include "ui/editing/editing_bar.h"
#include "ui/editing/grid_editing.h"
#include "ui/fanout/drift_pane.h"
#include "ui/fanout/fan_out_pane.h"
#include "ui/navigation/foreign_key_navigation.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/registry/registry.h"
#include "orm/schema/replication.h"

#include <QAbstractItemView>
#include <QActionGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QCompleter>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

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
    case orm::Database::State::Lost:
        return MainWindow::tr("connection lost");
    }
    return {};
}

constexpr int kRecentEntries = 10;
const QString kGeometry = QStringLiteral("window/geometry");
const QString kWindowState = QStringLiteral("window/state");
const QString kSplitters = QStringLiteral("window/splitters/");
// Bumped when the docks change in a way an old saved state would misplace.
constexpr int kLayoutVersion = 1;

} // namespace

MainWindow::MainWindow(orm::Registry *registry, QWidget *parent)
    : QMainWindow(parent)
    , m_registry(registry)
{
    setObjectName(QStringLiteral("mainWindow"));
    m_replicaRefresh = new QTimer(this);
    m_replicaRefresh->setInterval(10000);
    connect(m_replicaRefresh, &QTimer::timeout, this, [this] {
        for (const QString &name : m_replicaNotes.keys())
            if (orm::Database *db = database(name); db && db->isConnected())
                describeReplica(name, true);
    });
    m_replicaRefresh->start();
    setWindowTitle(tr("Strata"));
    resize(1280, 800);

    m_gridModel = new GridModel(this);
    m_grid = new GridView;
    m_grid->setModel(m_gridModel);
    m_grid->setEmptyText(
        tr("No table open. Double-click a table in the tree on the left to browse its rows; the "
           "toolbar's switcher chooses the schema or tenant, and the Console pane runs SQL."));
    // The line above the grid says what it shows: connection · schema · table.
    m_gridTitle = new QLabel;
    m_gridTitle->setObjectName(QStringLiteral("gridTitle"));
    m_gridTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_gridTitle->setContentsMargins(6, 3, 6, 3);
    auto *centre = new QWidget;
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    m_editing = new editing::GridEditing(registry, m_grid, this);
    m_navigation = new navigation::ForeignKeyNavigation(this);
    centreLayout->addWidget(m_gridTitle);
    centreLayout->addWidget(m_editing->bar());
    centreLayout->addWidget(m_grid, 1);
    setCentralWidget(centre);
    m_log = new LogPane;
    m_modelTree = new ModelTree(registry);
    m_saved = new SavedConnectionsController(registry, this);
    m_saved->setConfirm([this](const QString &title, const QString &question) {
        return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::No) == QMessageBox::Yes;
    });

    buildMenus();
    QDockWidget *logDock =
        addPane(QStringLiteral("logDock"), tr("Log"), m_log, Qt::BottomDockWidgetArea);
    QDockWidget *modelDock =
        addPane(QStringLiteral("modelDock"), tr("Databases"), m_modelTree, Qt::LeftDockWidgetArea);
    addDatabaseEntry(QString());
    for (const QString &name : m_registry->extraNames())
        addDatabaseEntry(name);
    resizeDocks({logDock}, {140}, Qt::Vertical);
    resizeDocks({modelDock}, {260}, Qt::Horizontal);

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
    connect(m_gridModel, &GridModel::failureChanged, this, &MainWindow::updateStatus);
    connect(m_gridModel, &GridModel::loadingChanged, this, [this](bool) {
        updateStatus();
        emit busyChanged(isBusy());
    });

    // An edit refused says why where the user looks: the status bar (and the editing bar).
    connect(m_editing, &editing::GridEditing::refused, this,
            [this](const QString &reason) { statusBar()->showMessage(reason, 10000); });
    connect(m_editing, &editing::GridEditing::changed, this, &MainWindow::updateStatus);
    connect(m_navigation, &navigation::ForeignKeyNavigation::refused, this,
            [this](const QString &reason) { statusBar()->showMessage(reason, 10000); });
    connect(m_navigation, &navigation::ForeignKeyNavigation::hint, this,
            [this](const QString &text) { statusBar()->showMessage(text, 4000); });
    connect(m_navigation, &navigation::ForeignKeyNavigation::busyChanged, this,
            [this](bool) { emit busyChanged(isBusy()); });
    connect(m_editing, &editing::GridEditing::busyChanged, this, [this](bool) {
        updateStatus();
        emit busyChanged(isBusy());
    });
    connect(m_editing, &editing::GridEditing::committed, this,
            [this](const orm::editing::CommitResult &result) {
                m_log->append(result.ok() ? LogPane::Level::Info : LogPane::Level::Warning,
                              tr("Commit to %1: %2").arg(m_openedModel.name, result.summary()));
            });

    connect(m_modelTree, &ModelTree::schemasListed, this, &MainWindow::onSchemasListed);
    connect(m_modelTree, &ModelTree::modelsListed, this, &MainWindow::onModelsListed);
    connect(m_modelTree, &ModelTree::modelActivated, this, &MainWindow::onModelActivated);
    connect(m_modelTree, &ModelTree::modelReady, this, &MainWindow::onModelReady);
    connect(m_modelTree, &ModelTree::ddlRequested, this, &MainWindow::showDdl);
    connect(m_modelTree, &ModelTree::failed, this, &MainWindow::onWorkFailed);
    connect(m_modelTree, &ModelTree::workStarted, this, [this] {
        if (m_modelTree->pendingWork() == 1)
            emit busyChanged(true);
        updateStatus();
    });
    connect(m_modelTree, &ModelTree::workFinished, this, [this] {
        if (m_modelTree->pendingWork() == 0)
            emit busyChanged(isBusy());
        updateStatus();
    });

    connect(m_saved, &SavedConnectionsController::logged, m_log, &LogPane::append);
    connect(m_saved, &SavedConnectionsController::savedChanged, this,
            &MainWindow::rebuildSavedMenus);
    connect(m_saved, &SavedConnectionsController::activateRequested, this,
            &MainWindow::setActiveDatabase);

    for (const QString &name : m_connectionActions.keys()) {
        refreshConnectionEntry(name);
        if (orm::Database *db = database(name); db && db->isConnected())
            m_modelTree->listSchemas(name);
    }
    setActiveDatabase(QString());
}

MainWindow::~MainWindow() = default;

orm::Database *MainWindow::database(const QString &name) const
{
    return m_registry->findDatabase(name);
}

QString MainWindow::displayName(const QString &name) const
{
    return m_modelTree->displayName(name);
}

QuerySetRowSource *MainWindow::rowSource() const
{
    return dynamic_cast<QuerySetRowSource *>(m_gridModel->source().get());
}

QTreeView *MainWindow::tree() const
{
    return m_modelTree->view();
}

QStandardItemModel *MainWindow::treeModel() const
{
    return m_modelTree->model();
}

QLineEdit *MainWindow::treeFilter() const
{
    return m_modelTree->filter();
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openFile =
        file->addAction(tr("&Open SQLite file…"), this, &MainWindow::openSqliteFileDialog);
    openFile->setObjectName(QStringLiteral("openSqliteFileAction"));
    openFile->setShortcut(QKeySequence::Open);
    QAction *newConnection =
        file->addAction(tr("&New connection…"), this, &MainWindow::addSavedConnection);
    newConnection->setObjectName(QStringLiteral("newConnectionAction"));
    newConnection->setShortcut(QKeySequence::New);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    QAction *preferences = file->addAction(tr("&Preferences…"), this, &MainWindow::openPreferences);
    preferences->setObjectName(QStringLiteral("preferencesAction"));
    preferences->setShortcut(QKeySequence::Preferences);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->setObjectName(QStringLiteral("editMenu"));
    edit->addActions(m_editing->actions());
    edit->addSeparator();
    m_readOnlyMode = edit->addAction(tr("&Read-only mode"));
    m_readOnlyMode->setObjectName(QStringLiteral("readOnlyModeAction"));
    m_readOnlyMode->setCheckable(true);
    m_readOnlyMode->setToolTip(tr("Refuse every edit in the grid"));
    connect(m_readOnlyMode, &QAction::toggled, m_editing, &editing::GridEditing::setReadOnlyMode);

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
    connect(again, &QAction::triggered, this, &MainWindow::reconnectActive);

    // The panes' toggles go above the first of these (addPane).
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *refresh = m_viewMenu->addAction(tr("Re&fresh rows"), m_gridModel, &GridModel::refresh);
    refresh->setObjectName(QStringLiteral("refreshRowsAction"));
    refresh->setShortcut(QKeySequence::Refresh);
    // F5 is the grid's while it has the focus: a window-wide F5 made the console's F5 (Run all)
    // ambiguous, so neither ran.
    refresh->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_grid->addAction(refresh);
    m_panesEnd = refresh;
    m_viewMenu->addAction(tr("&Cancel the row count"), m_gridModel, &GridModel::cancelCount);
    // Back and forward through the tables followed and opened (ui/navigation/).
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_navigation->backAction());
    m_viewMenu->addAction(m_navigation->forwardAction());

    // Work over many databases and tenants (ui/fanout/): each pane is made on first use.
    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->setObjectName(QStringLiteral("toolsMenu"));
    const auto openPane = [this](const QString &id, const QString &title, auto make) {
        auto *dock = findChild<QDockWidget *>(id);
        if (!dock) {
            dock = addPane(id, title, make(), Qt::BottomDockWidgetArea);
            resizeDocks({dock}, {height() * 3 / 5}, Qt::Vertical); // room for its tables
        }
        dock->show();
        dock->raise();
    };
    QAction *fanOut = tools->addAction(tr("Run on &many targets…"), this, [this, openPane] {
        openPane(QStringLiteral("fanOutDock"), tr("Fan-out"),
                 [this] { return new FanOutPane(m_registry); });
    });
    fanOut->setObjectName(QStringLiteral("fanOutAction"));
    QAction *drift = tools->addAction(tr("Tenant &drift…"), this, [this, openPane] {
        openPane(QStringLiteral("driftDock"), tr("Tenant drift"),
                 [this] { return new DriftPane(m_registry); });
    });
    drift->setObjectName(QStringLiteral("driftAction"));

    QToolBar *toolbar = addToolBar(tr("Schema"));
    toolbar->setObjectName(QStringLiteral("schemaToolBar"));
    toolbar->addWidget(new QLabel(tr(" Schema / tenant: ")));
    m_schemaBox = new QComboBox;
    m_schemaBox->setObjectName(QStringLiteral("schemaSwitcher"));
    m_schemaBox->setMinimumContentsLength(16);
    m_schemaBox->setToolTip(tr("The schema (PostgreSQL) or attached database (SQLite) that the "
                               "tree and the grid use"));
    // Hundreds of tenants: typing filters the list (any part of the name, any case), Enter
    // takes the only or exact match; nothing typed ever becomes an entry.
    m_schemaBox->setEditable(true);
    m_schemaBox->setInsertPolicy(QComboBox::NoInsert);
    m_schemaBox->lineEdit()->setPlaceholderText(tr("type to find a schema"));
    auto *finder = new QCompleter(m_schemaBox->model(), m_schemaBox);
    finder->setCaseSensitivity(Qt::CaseInsensitive);
    finder->setFilterMode(Qt::MatchContains);
    finder->setCompletionMode(QCompleter::PopupCompletion);
    m_schemaBox->setCompleter(finder);
    toolbar->addWidget(m_schemaBox);
    connect(m_schemaBox, &QComboBox::textActivated, this, &MainWindow::chooseSchema);
    connect(finder, qOverload<const QString &>(&QCompleter::activated), this,
            &MainWindow::chooseSchema);
    connect(m_schemaBox->lineEdit(), &QLineEdit::returnPressed, this,
            [this] { chooseSchema(m_schemaBox->lineEdit()->text()); });
    // Enter while the matches show, none picked: the text typed decides (the only match).
    finder->popup()->installEventFilter(this);
    buildHelpMenu();
}

void MainWindow::buildHelpMenu()
{
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *keys = help->addAction(tr("&Keyboard shortcuts"), this, [this] {
        showHelp(QStringLiteral("shortcutsHelp"), tr("Keyboard shortcuts"),
                 keyboardShortcutsHtml(this));
    });
    keys->setObjectName(QStringLiteral("shortcutsHelpAction"));
    keys->setShortcut(QKeySequence::HelpContents);
    QAction *filters = help->addAction(tr("&Filter syntax"), this, [this] {
        showHelp(QStringLiteral("filterHelp"), tr("Filter syntax"), filterSyntaxHtml());
    });
    filters->setObjectName(QStringLiteral("filterHelpAction"));
    help->addSeparator();
    QAction *about = help->addAction(tr("&About Strata"), this, [this] {
        showHelp(QStringLiteral("aboutHelp"), tr("About Strata"), aboutHtml());
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
}

// Help is read beside the work, so it never blocks the window.
void MainWindow::showHelp(const QString &id, const QString &title, const QString &html)
{
    if (auto *open = findChild<QDialog *>(id)) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setObjectName(id);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto *text = new QTextBrowser;
    text->setObjectName(QStringLiteral("helpText"));
    text->setHtml(html);
    text->setOpenExternalLinks(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(560, 440);
    dialog->show();
}

void MainWindow::openSqliteFileDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open SQLite file"), QString(),
        tr("SQLite databases (*.db *.sqlite *.sqlite3 *.db3);;All files (*)"));
    if (!path.isEmpty())
        openSqliteFile(path);
}

bool MainWindow::openSqliteFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isFile()) {
        onWorkFailed(tr("Opening %1").arg(path),
                     info.exists() ? tr("it is not a file") : tr("no such file"));
        return false;
    }
    const QString absolute = info.canonicalFilePath();
    // Open already (the demo's files, or opened before): show it.
    for (const QString &name : m_connectionActions.keys())
        if (orm::Database *db = database(name);
            db && db->url().backend() == orm::DatabaseUrl::Backend::Sqlite &&
            QFileInfo(db->url().path()).canonicalFilePath() == absolute) {
            rememberRecent(QStringLiteral("files"), absolute);
            setActiveDatabase(name);
            return true;
        }
    QString name = info.completeBaseName();
    for (int n = 2; name.isEmpty() || m_registry->findDatabase(name); ++n)
        name = QStringLiteral("%1 (%2)").arg(info.completeBaseName()).arg(n);
    // The path goes into the URL percent-encoded: '%', '?' and '#' are legal in file names.
    const QString url =
        QStringLiteral("sqlite:///") + QString::fromLatin1(QUrl::toPercentEncoding(absolute, "/"));
    try {
        m_registry->addExtra(name, url); // extraAdded gives it its entry and tree node
    } catch (const orm::Error &error) {
        onWorkFailed(tr("Opening %1").arg(path), error.toString());
        return false;
    }
    rememberRecent(QStringLiteral("files"), absolute);
    setActiveDatabase(name);
    reconnect(name, tr("Opening %1").arg(absolute));
    return true;
}

QStringList MainWindow::recentFiles() const
{
    return QSettings(m_preferencesPath, QSettings::IniFormat)
        .value(QStringLiteral("recent/files"))
        .toStringList();
}

QStringList MainWindow::recentConnections() const
{
    return QSettings(m_preferencesPath, QSettings::IniFormat)
        .value(QStringLiteral("recent/connections"))
        .toStringList();
}

void MainWindow::rememberRecent(const QString &list, const QString &entry)
{
    if (m_preferencesPath.isEmpty() || entry.isEmpty())
        return;
    QSettings file(m_preferencesPath, QSettings::IniFormat);
    const QString key = QStringLiteral("recent/") + list;
    QStringList entries = file.value(key).toStringList();
    entries.removeAll(entry);
    entries.prepend(entry);
    file.setValue(key, entries.mid(0, kRecentEntries));
}

bool MainWindow::isSavedConnection(const QString &name) const
{
    if (savedConnectionsPath().isEmpty())
        return false;
    SavedConnections saved(savedConnectionsPath());
    try {
        saved.load();
    } catch (const orm::Error &) {
        return false; // the Connections menu says what is wrong with the file
    }
    for (const SavedConnection &connection : saved.connections())
        if (connection.name == name)
            return true;
    return false;
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    for (const QString &path : recentFiles()) {
        QAction *action = m_recentMenu->addAction(QFileInfo(path).fileName(), this,
                                                  [this, path] { openSqliteFile(path); });
        action->setToolTip(path);
        action->setData(path);
        action->setEnabled(QFileInfo(path).isFile());
    }
    const QStringList connections = recentConnections();
    if (!connections.isEmpty() && !m_recentMenu->isEmpty())
        m_recentMenu->addSeparator();
    for (const QString &saved : connections) {
        // A saved connection is open under its own name (or as the primary).
        QString name = saved;
        if (!m_connectionActions.contains(name) && primaryConnectionName() == saved)
            name.clear();
        QAction *action =
            m_recentMenu->addAction(saved, this, [this, name] { setActiveDatabase(name); });
        action->setData(saved);
        action->setEnabled(m_connectionActions.contains(name));
    }
    if (m_recentMenu->isEmpty())
        m_recentMenu->addAction(tr("(nothing yet)"))->setEnabled(false);
}

QDockWidget *MainWindow::addPane(const QString &id, const QString &title, QWidget *widget,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(id);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    if (area == Qt::BottomDockWidgetArea) {
        if (m_bottomPane)
            tabifyDockWidget(m_bottomPane, dock);
        else
            m_bottomPane = dock;
    }
    m_viewMenu->insertAction(m_panesEnd, dock->toggleViewAction());
    if (m_layoutRestored)
        restoreDockWidget(dock); // added after restoreLayout: where the user left it
    return dock;
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
    m_modelTree->addDatabase(name);
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
        m_modelTree->listSchemas(name);
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
    m_modelTree->removeDatabase(name);
    if (m_followDatabase == name) {
        m_followTable.clear();
        m_followSchema.clear();
    }
    m_navigation->forget(name);
    if (m_arrival && m_arrival->database == name)
        m_arrival.reset();
    if (m_openedDatabase == name)
        closeGrid();
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
    const bool replica = m_replicaNotes.contains(name);
    if (state == orm::Database::State::Connected && db->isReadOnly())
        text += replica ? tr(", read-only replica") : tr(", read-only");
    if (state == orm::Database::State::Failed && !db->failureReason().isEmpty())
        text += QStringLiteral(": ") + maskSecrets(db->failureReason()).left(120);
    const bool troubled =
        state == orm::Database::State::Failed || state == orm::Database::State::Lost;
    QString toolTip = db->displayUrl();
    if (replica)
        toolTip += u'\n' + m_replicaNotes.value(name);
    if (const QString failover = m_failoverNotes.value(name); !failover.isEmpty()) {
        // Where it is now, said where it shows.
        if (state == orm::Database::State::Connected)
            text += QStringLiteral(" (") + failover + u')';
        toolTip += u'\n' + failover;
    }
    if (QAction *action = m_connectionActions.value(name)) {
        action->setText(text);
        action->setToolTip(toolTip);
    }
    m_modelTree->showDatabaseState(name, text, toolTip, troubled, name == m_activeDatabase);
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
        if (const std::optional<orm::Error> failure = db->failure();
            m_asksForPasswords && failure && failure->kind() == orm::Error::Kind::Authentication)
            askPassword(name);
        break;
    case orm::Database::State::Lost:
        m_log->append(LogPane::Level::Warning,
                      tr("%1 (%2): connection lost: %3; the next query reconnects")
                          .arg(displayName(name), db->displayUrl(), maskSecrets(reason)));
        break;
    case orm::Database::State::Connected:
        if (reason.contains(QLatin1String("after failover"))) {
            // "reconnected to 127.0.0.1:5433 after failover"
            m_failoverNotes.insert(name, tr("failed over to %1").arg(reason.section(u' ', 2, 2)));
            refreshConnectionEntry(name);
        }
        if (reason.startsWith(QLatin1String("reconnected"))) {
            m_log->append(
                LogPane::Level::Info,
                tr("%1 (%2): %3").arg(displayName(name), db->displayUrl(), maskSecrets(reason)));
            break;
        }
        m_log->append(LogPane::Level::Info,
                      tr("%1 (%2): connected").arg(displayName(name), db->displayUrl()));
        if (db->isReadOnly() && db->url().backend() == orm::DatabaseUrl::Backend::Postgres)
            describeReplica(name);
        else if (db->isReadOnly())
            m_log->append(LogPane::Level::Info,
                          tr("%1: opened read-only: this user cannot write it (its file or "
                             "directory), or the URL says so")
                              .arg(displayName(name)));
        m_modelTree->listSchemas(name);
        break;
    default:
        break;
    }
    if (name == m_activeDatabase)
        updateStatus();
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
    if (database != m_activeDatabase)
        return;
    QString keep = schemas.contains(m_activeSchema) ? m_activeSchema : defaultSchema(schemas);
    if (const QString asked = std::exchange(m_startSchema, QString()); !asked.isEmpty()) {
        if (schemas.contains(asked)) {
            keep = asked;
        } else {
            m_pendingOpen.clear(); // a table asked for was asked for in that schema
            onWorkFailed(
                tr("Opening schema %1").arg(asked),
                tr("%1 has no schema or tenant named '%2' (it has: %3)")
                    .arg(displayName(database), asked, schemas.join(QStringLiteral(", "))));
        }
    }
    // Natural order: t2 before t10.
    QStringList ordered = schemas;
    std::sort(ordered.begin(), ordered.end(), naturalLess);
    m_schemaBox->clear();
    m_schemaBox->addItems(ordered);
    if (keep == m_activeSchema) {
        // Listed again (a reconnect): the switcher shows it, and whatever is open or opening
        // in it stays as it is.
        m_schemaBox->setCurrentIndex(m_schemaBox->findText(keep));
        return;
    }
    setActiveSchema(keep);
}

void MainWindow::onModelsListed(const QString &database, const QString &schema)
{
    if (database != m_activeDatabase || schema != m_activeSchema)
        return;
    if (!m_pendingOpen.isEmpty())
        openModel(std::exchange(m_pendingOpen, QString()));
    else
        followIntoActiveSchema();
}

void MainWindow::onModelActivated(const QString &database, const QString &schema,
                                  const QString &model)
{
    const bool same =
        database == m_openedDatabase && schema == m_openedSchema && model == m_openedModel.name;
    if (!same &&
        !leaveEdits([this, database, schema, model] { onModelActivated(database, schema, model); }))
        return;
    m_followTable.clear(); // the table chosen replaces the one followed across tenants
    m_arrival.reset();
    if (!same && !m_openedModel.name.isEmpty())
        m_navigation->leaving(currentPlace(), navigation::Travel::Visit);
    if (database != m_activeDatabase)
        setActiveDatabase(database);
    if (schema != m_activeSchema)
        setActiveSchema(schema);
    openModel(model);
}

DdlViewer *MainWindow::showDdl(const QString &database, const QString &schema, const QString &model)
{
    // The tree lists models by name; a declared model may name its table otherwise.
    QString table = model;
    for (const orm::Model &listed : m_modelTree->models(database, schema))
        if (listed.name == model && !listed.table.isEmpty())
            table = listed.table;
    auto *viewer =
        new DdlViewer(this->database(database), displayName(database), schema, table, this);
    connect(viewer, &DdlViewer::openInConsole, this, &MainWindow::consoleTextRequested);
    viewer->show();
    return viewer;
}

void MainWindow::onModelReady(const QString &database, const QString &schema,
                              const orm::Model &model)
{
    if (!this->database(database))
        return; // removed meanwhile
    if (database != m_activeDatabase || schema != m_activeSchema)
        return; // asked for before a switch to another schema or connection
    if (m_requested != QStringList{database, schema, model.table})
        return; // asked for before another table was (a tenant switch's follow, then a click)
    RowSourcePtr source;
    try {
        source = std::make_shared<QuerySetRowSource>(m_registry, this->database(database), schema,
                                                     model);
    } catch (const orm::Error &error) {
        onWorkFailed(tr("Opening %1").arg(model.name), error.toString());
        return;
    }
    // A tenant switch carries the sort and filters over, by column name; a place opened
    // (a key followed, back and forward) brings its own.
    GridQuery query;
    const bool sqlite =
        this->database(database)->url().backend() == orm::DatabaseUrl::Backend::Sqlite;
    std::optional<navigation::Place> arrival;
    if (m_arrival && m_arrival->database == database && m_arrival->schema == schema &&
        (m_arrival->table == model.name || m_arrival->table == model.table ||
         (sqlite && m_arrival->table.compare(model.table, Qt::CaseInsensitive) == 0)))
        arrival = m_arrival;
    m_arrival.reset();
    const bool followed = !arrival && database == m_followDatabase &&
                          model.table == m_followTable && schema == m_followSchema;
    if (arrival) {
        // SQLite's names match whatever their ASCII case (a key may name its columns so).
        query = arrival->query.applyTo(source->columns(),
                                       sqlite ? Qt::CaseInsensitive : Qt::CaseSensitive);
        const auto exact = [](const GridFilter &filter) { return filter.isExact(); };
        const auto carriedExact = [](const CarriedQuery::Filter &filter) {
            return filter.exact.isValid();
        };
        // An exact filter that finds no column would show every row instead of the one asked
        // for: say so instead.
        if (std::count_if(query.filters.cbegin(), query.filters.cend(), exact) !=
            std::count_if(arrival->query.filters.cbegin(), arrival->query.filters.cend(),
                          carriedExact)) {
            QStringList wanted;
            for (const CarriedQuery::Filter &filter : arrival->query.filters)
                wanted << filter.column;
            m_followTable.clear();
            closeGrid(tr("%1 has no column %2 to find the row by.")
                          .arg(model.table, wanted.join(QStringLiteral(", "))));
            return;
        }
    } else if (followed) {
        query = m_carried.applyTo(source->columns());
    }
    m_followSchema.clear();
    m_followDatabase = database;
    m_followTable = model.table;
    m_carried = {};
    m_openedModel = model;
    m_openedDatabase = database;
    m_openedSchema = schema;
    m_grid->setMessage({});
    m_gridModel->setSource(source, query);
    m_editing->openTable(database, schema, model, displayName(database));
    if (!followed) // another table starts at its first column (the same one in another tenant
                   // stays where the reader was)
        m_grid->table()->horizontalScrollBar()->setValue(0);
    m_grid->table()->horizontalHeader()->setSortIndicator(
        m_gridModel->query().sortColumn,
        m_gridModel->query().descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    if (arrival)
        navigation::restorePosition(m_grid, *arrival);
    updateStatus();
    emit modelOpened(model.name);
}

navigation::Place MainWindow::currentPlace() const
{
    if (m_openedModel.name.isEmpty())
        return {};
    return navigation::capturePlace(m_grid, m_openedDatabase, m_openedSchema, m_openedModel.name);
}

void MainWindow::openPlace(const navigation::Place &place, navigation::Travel travel)
{
    if (!place.isValid() || !database(place.database)) {
        onWorkFailed(tr("Opening %1").arg(place.title()),
                     tr("its connection is no longer open in this window"));
        return;
    }
    const bool same = place.database == m_openedDatabase && place.schema == m_openedSchema &&
                      place.table == m_openedModel.name;
    if (!same && !leaveEdits([this, place, travel] { openPlace(place, travel); }))
        return;
    // Back and forward move through the history even from no table (a tenant that lacked it).
    if (!m_openedModel.name.isEmpty() || travel != navigation::Travel::Visit)
        m_navigation->leaving(currentPlace(), travel);
    m_followTable.clear(); // the place chosen replaces the table followed across tenants
    m_followSchema.clear();
    m_pendingOpen.clear();
    m_arrival = place;
    if (place.database != m_activeDatabase) {
        setStartSchema(place.schema);
        setActiveDatabase(place.database);
    } else if (place.schema != m_activeSchema) {
        closeGrid(); // not this schema's table while the place's is read
        setActiveSchema(place.schema);
    }
    openModel(place.table);
}

void MainWindow::closeGrid(const QString &message)
{
    m_editing->closeTable();
    m_gridModel->setSource(nullptr);
    m_openedModel = orm::Model();
    m_openedDatabase.clear();
    m_openedSchema.clear();
    m_grid->setMessage(message);
    updateStatus();
}

void MainWindow::followIntoActiveSchema()
{
    const QString schema = m_activeSchema;
    // Once per switch: the models may be listed twice, and the fields arrive at once when known.
    if (m_followSchema != schema || m_followAsked)
        return;
    if (!m_modelTree->hasModels(m_activeDatabase, schema))
        return; // onModelsListed comes back here
    for (const orm::Model &model : m_modelTree->models(m_activeDatabase, schema)) {
        if (model.table == m_followTable) {
            m_followAsked = true;
            m_requested = {m_activeDatabase, schema, model.table};
            m_modelTree->prepareModel(m_activeDatabase, schema, model); // then onModelReady
            return;
        }
    }
    m_followSchema.clear();
    closeGrid(tr("There is no table %1 in %2 of %3. Its tables are listed in the tree on the "
                 "left; choose another schema or tenant to see %1 there.")
                  .arg(m_followTable, schema, displayName(m_activeDatabase)));
}

bool MainWindow::leaveEdits(const std::function<void()> &retry)
{
    if (!m_editing->hasChanges())
        return true;
    if (m_editing->isCommitting()) {
        statusBar()->showMessage(tr("A commit is under way: wait for it to finish"), 10000);
        return false;
    }
    QMessageBox box(QMessageBox::Question, tr("Unsaved changes"), uncommittedSentence(),
                    QMessageBox::NoButton, this);
    box.setInformativeText(tr("Commit them first, discard them, or stay here?"));
    QPushButton *commit = box.addButton(tr("&Commit"), QMessageBox::AcceptRole);
    commit->setObjectName(QStringLiteral("commitEditsButton"));
    QPushButton *discard = box.addButton(tr("&Discard"), QMessageBox::DestructiveRole);
    discard->setObjectName(QStringLiteral("discardEditsButton"));
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    box.setDefaultButton(cancel);
    box.setEscapeButton(cancel);
    box.exec();
    if (box.clickedButton() == discard) {
        m_editing->revert();
        return true;
    }
    if (box.clickedButton() == commit)
        m_editing->commit(retry); // the switch happens once the changes are in
    return false;
}

void MainWindow::setJournalDirectory(const QString &directory)
{
    m_editing->setJournalDirectory(directory);
}

void MainWindow::setReadOnlyMode(bool on)
{
    m_readOnlyMode->setChecked(on);
}

bool MainWindow::isReadOnlyMode() const
{
    return m_readOnlyMode->isChecked();
}

void MainWindow::offerRecoveredEdits()
{
    const QString directory = m_editing->journalDirectory();
    if (directory.isEmpty())
        return;
    for (const orm::editing::JournalSummary &journal :
         orm::editing::ChangeSet::journalsLeftBehind(directory)) {
        if (journal.pendingCount == 0) {
            orm::editing::ChangeSet::discardJournal(journal.path); // nothing left in it
            continue;
        }
        // The connection by the name the journal knows it by.
        QString database;
        bool found = false;
        for (const QString &name : m_connectionActions.keys())
            if (displayName(name) == journal.header.connection) {
                database = name;
                found = true;
            }
        QMessageBox box(QMessageBox::Question, tr("Unsaved changes"), journal.description(),
                        QMessageBox::NoButton, this);
        box.setInformativeText(
            found ? tr("They were staged in a run that ended before they were committed.")
                  : tr("Their connection is not open in this window; open it and start again "
                       "to review them."));
        QPushButton *review = box.addButton(tr("&Review"), QMessageBox::AcceptRole);
        review->setObjectName(QStringLiteral("reviewRecoveredButton"));
        review->setEnabled(found);
        QPushButton *discard = box.addButton(tr("&Discard"), QMessageBox::DestructiveRole);
        discard->setObjectName(QStringLiteral("discardRecoveredButton"));
        QPushButton *later = box.addButton(tr("&Later"), QMessageBox::RejectRole);
        later->setObjectName(QStringLiteral("laterButton"));
        box.setEscapeButton(later);
        box.exec();
        if (box.clickedButton() == discard) {
            try {
                orm::editing::ChangeSet::discardJournal(journal.path);
                m_log->append(LogPane::Level::Info, tr("Discarded %1").arg(journal.description()));
            } catch (const orm::Error &error) {
                onWorkFailed(tr("Discarding %1").arg(journal.description()), error.message());
            }
        } else if (box.clickedButton() == review && found) {
            // Opened as a user would open it; the change set loads the journal when it opens.
            m_editing->restoreOnOpen(journal.path, database, journal.header.schema,
                                     journal.header.table);
            setActiveDatabase(database);
            if (m_schemaBox->findText(journal.header.schema) >= 0)
                setActiveSchema(journal.header.schema);
            else
                setStartSchema(journal.header.schema);
            openModel(journal.header.table);
            return; // one at a time: the next start offers the others
        }
    }
}

void MainWindow::onWorkFailed(const QString &what, const QString &message)
{
    m_log->append(LogPane::Level::Error, QStringLiteral("%1: %2").arg(what, message));
}

void MainWindow::reconnectActive()
{
    reconnect(m_activeDatabase, tr("Reconnecting %1").arg(displayName(m_activeDatabase)));
}

void MainWindow::reconnect(const QString &name, const QString &what)
{
    const auto failed = [this, what](const TaskFailure &failure) {
        onWorkFailed(what, failure.message);
    };
    if (!m_registry->isConnected())
        launchTask(
            this, m_registry->connect(orm::Registry::ConnectMode::Lenient), [](const auto &) {},
            failed);
    else
        launchTask(
            this, m_registry->reconnect(name), [] {}, failed);
}

bool MainWindow::isBusy() const
{
    return m_modelTree->pendingWork() > 0 || m_gridModel->isLoading() ||
           m_editing->isCommitting() || m_editing->pendingWork() > 0 ||
           m_navigation->pendingWork() > 0;
}

QStringList MainWindow::listedModels(const QString &database, const QString &schema) const
{
    return m_modelTree->listedModels(database, schema);
}

void MainWindow::setActiveDatabase(const QString &name)
{
    if (!m_connectionActions.contains(name))
        return;
    if (name != m_activeDatabase && !leaveEdits([this, name] { setActiveDatabase(name); })) {
        m_connectionActions.value(m_activeDatabase)->setChecked(true);
        return;
    }
    const bool changed = name != m_activeDatabase || m_schemaBox->count() == 0;
    const QString previous = m_activeDatabase;
    m_activeDatabase = name;
    m_saved->setActiveDatabase(name);
    m_connectionActions.value(name)->setChecked(true);
    refreshConnectionEntry(previous);
    refreshConnectionEntry(name);
    m_modelTree->showDatabase(name);
    if (const QString saved = name.isEmpty() ? primaryConnectionName() : name;
        name != previous && !saved.isEmpty() && isSavedConnection(saved))
        rememberRecent(QStringLiteral("connections"), saved);
    if (changed) {
        m_schemaBox->clear();
        m_activeSchema.clear();
        if (name != previous) {
            // The grid showed the previous connection's table: it must not stay beside this
            // connection's name in the status bar.
            m_followTable.clear();
            m_followDatabase.clear();
            m_followSchema.clear();
            m_pendingOpen.clear();
            closeGrid();
        }
        if (m_modelTree->hasSchemas(name))
            m_modelTree->replaySchemas(name);
        else if (orm::Database *db = database(name);
                 db && db->state() == orm::Database::State::Failed)
            m_log->append(LogPane::Level::Warning,
                          tr("%1 is not connected: %2 (Connections → Reconnect)")
                              .arg(displayName(name), maskSecrets(db->failureReason())));
    }
    updateStatus();
    emit activeDatabaseChanged(name);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    QCompleter *finder = m_schemaBox ? m_schemaBox->completer() : nullptr;
    if (finder && watched == finder->popup() && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if ((key == Qt::Key_Return || key == Qt::Key_Enter) &&
            !finder->popup()->currentIndex().isValid()) {
            finder->popup()->hide();
            chooseSchema(m_schemaBox->lineEdit()->text());
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::chooseSchema(const QString &typed)
{
    QString schema;
    if (m_schemaBox->findText(typed, Qt::MatchFixedString) >= 0) {
        schema = m_schemaBox->itemText(m_schemaBox->findText(typed, Qt::MatchFixedString));
    } else {
        QStringList matches;
        for (int i = 0; i < m_schemaBox->count(); ++i)
            if (m_schemaBox->itemText(i).contains(typed, Qt::CaseInsensitive))
                matches << m_schemaBox->itemText(i);
        if (matches.size() == 1)
            schema = matches.first();
    }
    if (schema.isEmpty()) {
        // Not one schema: the switcher shows the active one again, and the log says why.
        m_schemaBox->setEditText(m_activeSchema);
        if (!typed.trimmed().isEmpty())
            m_log->append(LogPane::Level::Warning,
                          tr("No single schema matches '%1': pick one from the list").arg(typed));
        return;
    }
    m_schemaBox->setEditText(schema);
    setActiveSchema(schema);
}

void MainWindow::setActiveSchema(const QString &schema)
{
    if (schema.isEmpty() || schema == m_activeSchema)
        return;
    if (!leaveEdits([this, schema] { setActiveSchema(schema); })) {
        m_schemaBox->setCurrentIndex(m_schemaBox->findText(m_activeSchema));
        m_schemaBox->setEditText(m_activeSchema);
        return;
    }
    m_activeSchema = schema;
    if (m_schemaBox->currentText() != schema)
        m_schemaBox->setCurrentIndex(m_schemaBox->findText(schema));
    // The open table follows the switch; the previous tenant's rows never stay under this
    // tenant's name while its own are read.
    const bool follow = !m_followTable.isEmpty() && m_followDatabase == m_activeDatabase &&
                        (m_openedSchema != schema || m_openedModel.name.isEmpty());
    if (follow) {
        if (m_gridModel->source())
            m_carried =
                CarriedQuery::capture(m_gridModel->source()->columns(), m_gridModel->query());
        closeGrid();
        m_followSchema = schema;
        m_followAsked = false;
    }
    m_modelTree->showSchema(m_activeDatabase, schema);
    if (follow)
        followIntoActiveSchema();
    updateStatus();
    emit activeSchemaChanged(schema);
}

void MainWindow::openModel(const QString &name)
{
    if (!m_modelTree->hasModels(m_activeDatabase, m_activeSchema)) {
        m_pendingOpen = name; // opened once the schema's models are listed
        return;
    }
    for (const orm::Model &model : m_modelTree->models(m_activeDatabase, m_activeSchema)) {
        if (model.name == name || model.table == name) {
            const bool same = model.name == m_openedModel.name &&
                              m_openedDatabase == m_activeDatabase &&
                              m_openedSchema == m_activeSchema;
            if (!same && !leaveEdits([this, name] { openModel(name); }))
                return;
            m_modelTree->selectModel(m_activeDatabase, m_activeSchema, model.name);
            m_requested = {m_activeDatabase, m_activeSchema, model.table};
            m_modelTree->prepareModel(m_activeDatabase, m_activeSchema, model);
            return;
        }
    }
    // SQLite matches names whatever their ASCII case (a foreign key may name its table so).
    if (orm::Database *db = database(m_activeDatabase);
        db && db->url().backend() == orm::DatabaseUrl::Backend::Sqlite)
        for (const orm::Model &model : m_modelTree->models(m_activeDatabase, m_activeSchema))
            if (model.table.compare(name, Qt::CaseInsensitive) == 0 && model.table != name) {
                openModel(model.table);
                return;
            }
    onWorkFailed(
        tr("Opening %1").arg(name),
        tr("no table or view named '%1' in %2.%3 (it has: %4)")
            .arg(name, displayName(m_activeDatabase), m_activeSchema,
                 listedModels(m_activeDatabase, m_activeSchema).join(QStringLiteral(", "))));
}

void MainWindow::setUncommittedWorkProbe(UncommittedWorkProbe probe)
{
    m_saved->setUncommittedWorkProbe(std::move(probe));
}

void MainWindow::setReplicaRefreshInterval(int milliseconds)
{
    m_replicaRefresh->setInterval(milliseconds);
}

void MainWindow::describeReplica(const QString &name, bool quiet)
{
    orm::Database *db = database(name);
    if (!db)
        return;
    launchTask(
        this, orm::reflection::replication(db),
        [this, name, quiet](const orm::reflection::Replication &replica) {
            if (!replica.standby) {
                const bool was = m_replicaNotes.remove(name) > 0;
                if (was)
                    refreshConnectionEntry(name); // promoted: no longer a replica
                if (!quiet)
                    m_log->append(LogPane::Level::Info,
                                  tr("%1: read-only: the server makes its sessions read-only "
                                     "(default_transaction_read_only)")
                                      .arg(displayName(name)));
                return;
            }
            const QString lag = replica.lagSeconds
                                    ? tr("its last replayed transaction is %1 s old")
                                          .arg(QLocale().toString(*replica.lagSeconds, 'f', 1))
                                    : tr("no transaction replayed yet");
            m_replicaNotes.insert(name, tr("A hot standby (read replica): read-only, the server "
                                           "refuses writes; %1")
                                            .arg(lag));
            if (!quiet)
                m_log->append(LogPane::Level::Info,
                              tr("%1: %2").arg(displayName(name), m_replicaNotes.value(name)));
            refreshConnectionEntry(name);
        },
        [this, name, quiet](const TaskFailure &failure) {
            if (quiet)
                return; // the next refresh tries again; the connection's own state tells
            onWorkFailed(tr("Reading the replication state of %1").arg(displayName(name)),
                         failure.message);
        });
}

void MainWindow::askPassword(const QString &name)
{
    orm::Database *db = database(name);
    if (!db || db->url().backend() != orm::DatabaseUrl::Backend::Postgres ||
        m_askingPassword.contains(name))
        return;
    m_askingPassword.insert(name);
    auto *prompt = new QInputDialog(this);
    prompt->setObjectName(QStringLiteral("passwordPrompt"));
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    prompt->setWindowModality(Qt::WindowModal);
    prompt->setWindowTitle(tr("Password for %1").arg(displayName(name)));
    prompt->setLabelText(
        tr("The server asks for a password for %1 (%2):").arg(displayName(name), db->displayUrl()));
    prompt->setTextEchoMode(QLineEdit::Password);
    prompt->setProperty("database", name);
    connect(prompt, &QDialog::finished, this, [this, name] { m_askingPassword.remove(name); });
    connect(prompt, &QInputDialog::textValueSelected, this, [this, name](const QString &password) {
        orm::Database *db = database(name);
        if (!db || password.isEmpty())
            return;
        try {
            db->setPassword(password);
        } catch (const orm::Error &error) {
            onWorkFailed(tr("Setting the password of %1").arg(displayName(name)), error.toString());
            return;
        }
        m_saved->rememberPassword(name, password);
        m_log->append(LogPane::Level::Info,
                      tr("%1: connecting again with the password given").arg(displayName(name)));
        reconnect(name, tr("Connecting %1").arg(displayName(name)));
    });
    prompt->open();
}

void MainWindow::setPreferencesPath(const QString &path)
{
    m_preferencesPath = path;
    const Preferences loaded = Preferences::load(path);
    loaded.apply();
    applyPreferences(loaded);
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    m_preferences = preferences;
    QFont gridFont = font();
    if (preferences.gridFontSize > 0)
        gridFont.setPointSize(preferences.gridFontSize);
    m_grid->setFont(gridFont);
    if (m_gridModel->pageRows() != preferences.rowsPerPage) {
        m_gridModel->setPageRows(preferences.rowsPerPage);
        if (m_gridModel->source())
            m_gridModel->refresh(); // pages of the new size
    }
    emit preferencesApplied(preferences);
}

void MainWindow::openPreferences()
{
    Preferences current = m_preferences;
    current.connectTimeoutSeconds = orm::DatabaseUrl::defaultConnectTimeoutSeconds();
    PreferencesDialog dialog(current, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Preferences chosen = dialog.preferences();
    chosen.apply();
    applyPreferences(chosen);
    if (!m_preferencesPath.isEmpty() && !chosen.save(m_preferencesPath))
        m_log->append(LogPane::Level::Error,
                      tr("Could not save the preferences to %1: they apply until Strata quits")
                          .arg(m_preferencesPath));
    m_log->append(LogPane::Level::Info,
                  chosen.connectTimeoutSeconds > 0
                      ? tr("Connect timeout: %1 s for connections opened from now on, unless "
                           "their URL gives connect_timeout")
                            .arg(chosen.connectTimeoutSeconds)
                      : tr("Connect timeout: none (wait without a bound) for connections opened "
                           "from now on, unless their URL gives connect_timeout"));
}

void MainWindow::restoreLayout()
{
    m_layoutRestored = true;
    if (m_preferencesPath.isEmpty())
        return;
    const QSettings file(m_preferencesPath, QSettings::IniFormat);
    restoreGeometry(file.value(kGeometry).toByteArray());
    restoreState(file.value(kWindowState).toByteArray(), kLayoutVersion);
    for (QSplitter *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            splitter->restoreState(file.value(kSplitters + splitter->objectName()).toByteArray());
}

void MainWindow::saveLayout() const
{
    // Only a window that took the user's layout gives one back (not a screenshot, not a test).
    if (m_preferencesPath.isEmpty() || !m_layoutRestored)
        return;
    QSettings file(m_preferencesPath, QSettings::IniFormat);
    file.setValue(kGeometry, saveGeometry());
    file.setValue(kWindowState, saveState(kLayoutVersion));
    for (const QSplitter *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty() && splitter->isVisible())
            file.setValue(kSplitters + splitter->objectName(), splitter->saveState());
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        for (const QString &name : m_connectionActions.keys())
            refreshConnectionEntry(name); // their colours come from the palette
}

void MainWindow::setSavedConnectionsPath(const QString &path)
{
    m_saved->setPath(path);
    rebuildSavedMenus();
}

QString MainWindow::savedConnectionsPath() const
{
    return m_saved->path();
}

void MainWindow::setPasswordKeeper(PasswordKeeper keeper)
{
    m_saved->setPasswordKeeper(std::move(keeper));
}

void MainWindow::setPrimaryConnectionName(const QString &name)
{
    m_saved->setPrimaryConnectionName(name);
    // The user's name for it, in the tree, the menu and messages; the registry keeps "".
    m_modelTree->setPrimaryLabel(name);
    if (QAction *action = m_connectionActions.value(QString()))
        action->setObjectName(QStringLiteral("connection_%1").arg(displayName(QString())));
    refreshConnectionEntry(QString());
}

QString MainWindow::primaryConnectionName() const
{
    return m_saved->primaryConnectionName();
}

bool MainWindow::saveConnection(const SavedConnection &connection, const QString &password,
                                const QString &previousName)
{
    return m_saved->save(connection, password, previousName);
}

bool MainWindow::removeSavedConnection(const QString &name)
{
    return m_saved->remove(name);
}

void MainWindow::rebuildSavedMenus()
{
    if (!m_editSavedMenu)
        return;
    m_editSavedMenu->clear();
    m_removeSavedMenu->clear();
    const QList<SavedConnection> connections = m_saved->load(LogPane::Level::Warning);
    for (const SavedConnection &connection : connections) {
        const QString name = connection.name;
        QAction *edit =
            m_editSavedMenu->addAction(name, this, [this, name] { editSavedConnection(name); });
        edit->setObjectName(QStringLiteral("edit_%1").arg(name));
        edit->setToolTip(connection.url);
        QAction *remove = m_removeSavedMenu->addAction(
            name, this, [this, name] { m_saved->confirmAndRemove(name); });
        remove->setObjectName(QStringLiteral("remove_%1").arg(name));
    }
    m_editSavedMenu->setEnabled(!connections.isEmpty());
    m_removeSavedMenu->setEnabled(!connections.isEmpty());
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
    bool ok = false;
    const QList<SavedConnection> connections = m_saved->load(LogPane::Level::Error, &ok);
    if (!ok)
        return;
    for (const SavedConnection &connection : connections) {
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
    if (orm::Database *db = database(m_activeDatabase)) {
        QString state = stateName(db->state());
        if (db->state() == orm::Database::State::Connected && db->isReadOnly())
            state += tr(", read-only");
        m_connectionLabel->setText(
            QStringLiteral("%1: %2 (%3)")
                .arg(displayName(m_activeDatabase), db->displayUrl(), state));
    }
    m_schemaLabel->setText(
        tr("schema: %1").arg(m_activeSchema.isEmpty() ? tr("—") : m_activeSchema));
    QStringList title = {displayName(m_activeDatabase)};
    if (!m_activeSchema.isEmpty())
        title << m_activeSchema;
    if (!m_openedModel.name.isEmpty())
        title << m_openedModel.table;
    m_gridTitle->setText(title.join(QStringLiteral(" · ")));
    QString query;
    if (!m_openedModel.name.isEmpty()) {
        const QLocale locale;
        query = m_openedModel.name + QStringLiteral(": ");
        // What the filters hold, so that a short table is never mistaken for the whole one.
        QStringList filters;
        const orm::Columns columns =
            m_gridModel->source() ? m_gridModel->source()->columns() : orm::Columns();
        for (const GridFilter &filter : m_gridModel->query().filters)
            if (filter.column >= 0 && filter.column < columns.size() && !filter.text.isEmpty())
                filters << QStringLiteral("%1 %2").arg(columns[filter.column].name, filter.text);
        if (!filters.isEmpty())
            query += tr("filtered (%1): ").arg(filters.join(QStringLiteral(", ")));
        if (m_gridModel->isCountKnown())
            query += m_gridModel->totalRows() == 1
                         ? tr("1 row")
                         : tr("%1 rows").arg(locale.toString(m_gridModel->totalRows()));
        else if (m_gridModel->isCounting())
            query += tr("counting rows…");
        else
            query += tr("row count unknown");
        if (!m_gridModel->lastError().isEmpty())
            query += tr(" · failed");
        else if (m_gridModel->isLoading())
            query += tr(" · loading…");
    } else if (!m_followTable.isEmpty() && m_followDatabase == m_activeDatabase) {
        query = m_followSchema.isEmpty()
                    ? tr("%1: not in %2").arg(m_followTable, m_activeSchema)
                    : tr("%1: opening in %2…").arg(m_followTable, m_followSchema);
    }
    if (m_editing->isCommitting())
        query += tr(" · committing…");
    else if (m_editing->hasChanges())
        query +=
            QStringLiteral(" · ") + editing::countOf(m_editing->pendingCount(),
                                                     tr("pending change"), tr("pending changes"));
    if (m_modelTree->pendingWork() > 0)
        query += (query.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("reading catalog…");
    m_queryLabel->setText(query.isEmpty() ? tr("idle") : query);
}

QString MainWindow::uncommittedSentence() const
{
    const int count = m_editing->pendingCount();
    if (count == 1)
        return tr("1 change to %1 is not committed.").arg(m_openedModel.name);
    return tr("%1 changes to %2 are not committed.").arg(count).arg(m_openedModel.name);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_editing->hasChanges()) {
        const bool kept = !m_editing->journalDirectory().isEmpty();
        const auto answer = QMessageBox::question(
            this, tr("Unsaved changes"),
            tr("%1 %2\n\nQuit anyway?")
                .arg(uncommittedSentence(),
                     kept ? tr("They are kept and offered back at the next start.")
                          : tr("Quitting loses them.")),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    const QStringList pending = m_saved->uncommittedWork(nullptr);
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
    saveLayout();
    event->accept();
}

} // namespace strata::ui
