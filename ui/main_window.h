#pragma once

// The explorer's main window: a frame over one orm::Registry. It holds the menus (Connections,
// View), the schema/tenant switcher, the data grid, the status bar and the panes (the model
// tree, the log, and whatever the application adds through addPane), and wires them together.
// The tree reads the catalog (ModelTree), saved connections are applied by
// SavedConnectionsController; failures go to the log pane, never to a dialog that blocks.

#include "carried_query.h"
#include "preferences.h"
#include "saved_connections.h"
#include "saved_connections_controller.h"
#include "ui/navigation/place.h"

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QMainWindow>
#include <QMap>
#include <QPointer>
#include <QSet>

#include <functional>
#include <optional>

class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QStandardItemModel;
class QTreeView;

namespace orm {
class Registry;
}

class QTimer;

namespace strata::ui {

class GridModel;
class DdlViewer;
class GridView;
class LogPane;
class ModelTree;
class QuerySetRowSource;
namespace editing {
class GridEditing;
}
namespace navigation {
class ForeignKeyNavigation;
}

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(orm::Registry *registry, QWidget *parent = nullptr);
    ~MainWindow() override;

    orm::Registry *registry() const { return m_registry; }
    // "" is the primary database.
    QString activeDatabase() const { return m_activeDatabase; }
    QString activeSchema() const { return m_activeSchema; }
    // Null for a name the registry does not hold (an extra removed meanwhile).
    orm::Database *database(const QString &name) const;
    QString displayName(const QString &name) const;

    void setActiveDatabase(const QString &name);
    void setActiveSchema(const QString &schema);
    // What the switcher does with what the user picked or typed: the schema named, or the only
    // one whose name contains it (any case); anything else changes nothing.
    void chooseSchema(const QString &typed);
    // The schema or tenant the active database opens in once its schemas are listed (strata
    // --schema), instead of the default; a database without it says so in the log ("Opening
    // schema NAME") and opens in the default.
    void setStartSchema(const QString &schema) { m_startSchema = schema; }
    // Opens a model of the active database and schema in the grid, by model or table name.
    void openModel(const QString &name);
    QString openedModel() const { return m_openedModel.name; }
    // The model the grid shows (fields and keys), in its database and schema; empty when none.
    const orm::Model &openedTable() const { return m_openedModel; }
    QString openedDatabase() const { return m_openedDatabase; }
    QString openedSchema() const { return m_openedSchema; }
    // Where the grid is now (an invalid place when no table is open).
    navigation::Place currentPlace() const;
    // Opens a place: its database, schema (the switcher follows) and table, with its sort and
    // filters, then puts its cell back (navigation::restorePosition). Asks first about staged
    // changes of another table, as the tree does. The history hears of the place left.
    void openPlace(const navigation::Place &place,
                   navigation::Travel travel = navigation::Travel::Visit);
    // Following foreign keys, "Referenced by", Back and Forward (View menu).
    navigation::ForeignKeyNavigation *navigation() const { return m_navigation; }
    // Opens a DDL viewer (non-modal) for a model of the tree: its real table's DDL, read from
    // `database` in the background. The viewer's Open in console emits consoleTextRequested.
    DdlViewer *showDdl(const QString &database, const QString &schema, const QString &model);

    GridView *grid() const { return m_grid; }
    // The grid's editing (staged changes of the open table, its bar above the grid).
    editing::GridEditing *editing() const { return m_editing; }
    // Where staged edits are journaled, so that they survive a crash (empty: not journaled).
    void setJournalDirectory(const QString &directory);
    // Offers back the edits journaled by a run that ended without committing or reverting
    // them, one question each ("3 unsaved changes to film in pagila": Review opens the table
    // with them staged, Discard deletes them, Later keeps them for the next start).
    void offerRecoveredEdits();
    // Read-only mode (Edit → Read-only mode): the grid refuses every edit, saying so.
    void setReadOnlyMode(bool on);
    bool isReadOnlyMode() const;
    GridModel *gridModel() const { return m_gridModel; }
    // The open grid's source, or null.
    QuerySetRowSource *rowSource() const;
    LogPane *logPane() const { return m_log; }
    ModelTree *modelTree() const { return m_modelTree; }
    QTreeView *tree() const;
    QStandardItemModel *treeModel() const;
    QLineEdit *treeFilter() const;
    QComboBox *schemaSwitcher() const { return m_schemaBox; }
    QMenu *connectionsMenu() const { return m_connectionsMenu; }
    QAction *connectionAction(const QString &name) const { return m_connectionActions.value(name); }
    QLabel *connectionLabel() const { return m_connectionLabel; }
    QLabel *queryLabel() const { return m_queryLabel; }
    SavedConnectionsController *savedConnections() const { return m_saved; }

    // Docks `widget` as a pane named `id` (its object name) in `area`: tabified with the panes
    // already at the bottom when it goes there, and shown or hidden from the View menu.
    QDockWidget *addPane(const QString &id, const QString &title, QWidget *widget,
                         Qt::DockWidgetArea area);

    // True while schemas, models or fields are being read, or the grid loads its rows.
    bool isBusy() const;
    // The models listed for a database and schema so far (the tree's items).
    QStringList listedModels(const QString &database, const QString &schema) const;

    // What closing a database would lose (SavedConnectionsController::UncommittedWorkProbe):
    // quitting asks first when it reports anything, and so do removing and editing a saved
    // connection whose database is open.
    using UncommittedWorkProbe = SavedConnectionsController::UncommittedWorkProbe;
    void setUncommittedWorkProbe(UncommittedWorkProbe probe);

    // Saved connections (Connections → Add / Edit / Remove saved connection), applied by
    // savedConnections(): the file they live in and where their passwords go.
    void setSavedConnectionsPath(const QString &path);
    QString savedConnectionsPath() const;
    using PasswordKeeper = SavedConnectionsController::PasswordKeeper;
    void setPasswordKeeper(PasswordKeeper keeper);
    // SavedConnectionsController::save and remove; an edited active database stays active under
    // its new definition, a removed active one falls back to the primary.
    bool saveConnection(const SavedConnection &connection, const QString &password,
                        const QString &previousName = {});
    bool removeSavedConnection(const QString &name);
    // The saved connection that the registry opened as its primary database (empty: none).
    void setPrimaryConnectionName(const QString &name);
    QString primaryConnectionName() const;
    // Opens the dialog for a new connection, or to edit a saved one.
    void addSavedConnection();
    void editSavedConnection(const QString &name);

    // When the server asks for a password the URL lacks (authentication failed, or none was
    // supplied), the window asks the user, without blocking (a window-modal prompt, object name
    // "passwordPrompt"), then connects again with it and keeps it in the keyring for a saved
    // connection. Off: the failure shows as it is.
    void setAsksForPasswords(bool ask) { m_asksForPasswords = ask; }
    void askPassword(const QString &name);
    // A read-only PostgreSQL database: is it a hot standby, and how old is what it replayed?
    // Said in the log and the tree's and menu's tooltip.
    // `quiet`: a refresh of what is known (the tooltip only, failures unsaid).
    void describeReplica(const QString &name, bool quiet = false);
    // How often a replica's lag is read again while the window is open (default 10 s: one
    // cheap query per replica).
    void setReplicaRefreshInterval(int milliseconds);

    // Preferences (File → Preferences…): the file they are kept in. Setting it loads and
    // applies them; the dialog saves and applies what it is given.
    void setPreferencesPath(const QString &path);
    QString preferencesPath() const { return m_preferencesPath; }
    void openPreferences();
    const Preferences &preferences() const { return m_preferences; }
    // Gives the window's widgets what the preferences say (grid font and page, theme); the
    // console follows preferencesApplied.
    void applyPreferences(const Preferences &preferences);

    // The window's geometry, docks and splitters as the user left them, kept in the preferences
    // file: restored once the panes are added (before show()), saved when the window closes.
    void restoreLayout();
    void saveLayout() const;

    // File → Open SQLite file…: opens the file as a database of this session (or shows it if it
    // is open already) and makes it active; false, with the reason in the log, if it cannot.
    bool openSqliteFile(const QString &path);
    // File → Open recent: SQLite files opened and saved connections used, newest first.
    QStringList recentFiles() const;
    QStringList recentConnections() const;
    QMenu *recentMenu() const { return m_recentMenu; }
    // The line above the grid: connection · schema · table.
    QLabel *gridTitle() const { return m_gridTitle; }

signals:
    void activeDatabaseChanged(const QString &name);
    void activeSchemaChanged(const QString &schema);
    void modelOpened(const QString &name);
    void busyChanged(bool busy);
    void preferencesApplied(const strata::ui::Preferences &preferences);
    // Text for a new console tab, to edit and run there (not run): the DDL viewer's Open in
    // console. The application wires it to its console pane.
    void consoleTextRequested(const QString &text);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // "3 changes to film are not committed."
    QString uncommittedSentence() const;
    void buildMenus();
    void buildHelpMenu();
    void showHelp(const QString &id, const QString &title, const QString &html);
    void openSqliteFileDialog();
    void rebuildRecentMenu();
    void rememberRecent(const QString &list, const QString &entry);
    bool isSavedConnection(const QString &name) const;
    void rebuildSavedMenus();
    // The Connections menu's entry and the tree's item of one database.
    void addDatabaseEntry(const QString &name);
    void onExtraAdded(const QString &name);
    void onExtraRemoved(const QString &name);
    void onDatabaseStateChanged(const QString &name, orm::Database::State state,
                                const QString &reason);
    void refreshConnectionEntry(const QString &name);
    void onSchemasListed(const QString &database, const QStringList &schemas);
    void onModelsListed(const QString &database, const QString &schema);
    void onModelActivated(const QString &database, const QString &schema, const QString &model);
    void onModelReady(const QString &database, const QString &schema, const orm::Model &model);
    void onWorkFailed(const QString &what, const QString &message);
    void reconnectActive();
    // Connects the registry (lenient) when it is not, else retries database `name`; a failure
    // is reported as `what`.
    void reconnect(const QString &name, const QString &what);
    void updateStatus();
    QString defaultSchema(const QStringList &schemas) const;
    // The open table follows a tenant switch: the same table in the active schema, read with
    // that schema's own columns, the sort and filters carried over by column name; a schema
    // that lacks it says so in the grid's place.
    void followIntoActiveSchema();
    // Empties the grid (no source, no table open); `message` says why in its place.
    void closeGrid(const QString &message = {});
    // Before the grid leaves a table with staged changes (another table, tenant or connection):
    // asks Commit / Discard / Cancel. True: go on now (nothing staged, or discarded). False:
    // stay; after Commit, `retry` runs once the commit succeeded.
    bool leaveEdits(const std::function<void()> &retry);

    orm::Registry *m_registry;
    QString m_preferencesPath;
    Preferences m_preferences;
    bool m_layoutRestored = false;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_gridTitle = nullptr;
    bool m_asksForPasswords = true;
    QSet<QString> m_askingPassword;         // databases whose prompt is open
    QMap<QString, QString> m_replicaNotes;  // hot standbys: what the tooltip says of them
    QTimer *m_replicaRefresh;               // reads their lag again
    QMap<QString, QString> m_failoverNotes; // databases a failover moved: where to
    QString m_activeDatabase;
    QString m_activeSchema;
    orm::Model m_openedModel;
    QString m_openedDatabase;
    QString m_openedSchema;
    QString m_pendingOpen; // a model asked for before its schema was listed
    // The database, schema and table whose fields were asked for last: only that one opens
    // when they arrive.
    QStringList m_requested;
    QString m_startSchema;
    // The table the grid follows across tenant switches: kept while a tenant lacks it, so the
    // next one that has it opens it again.
    QString m_followDatabase;
    QString m_followTable;
    QString m_followSchema;     // the schema a follow is waiting for (its models or fields)
    bool m_followAsked = false; // its fields are being read
    CarriedQuery m_carried;

    SavedConnectionsController *m_saved = nullptr;
    QMenu *m_editSavedMenu = nullptr;
    QMenu *m_removeSavedMenu = nullptr;
    QMenu *m_connectionsMenu = nullptr;
    QAction *m_connectionsEnd = nullptr; // the separator after the databases' entries
    QActionGroup *m_connectionGroup = nullptr;
    QMap<QString, QAction *> m_connectionActions;
    QMenu *m_viewMenu = nullptr;
    QAction *m_panesEnd = nullptr;      // the View menu's first entry after the panes' toggles
    QPointer<QDockWidget> m_bottomPane; // the first pane docked at the bottom
    QComboBox *m_schemaBox = nullptr;
    ModelTree *m_modelTree = nullptr;
    GridView *m_grid = nullptr;
    GridModel *m_gridModel = nullptr;
    editing::GridEditing *m_editing = nullptr;
    navigation::ForeignKeyNavigation *m_navigation = nullptr;
    // A place being opened (openPlace): applied when its table's fields are in.
    std::optional<navigation::Place> m_arrival;
    QAction *m_readOnlyMode = nullptr;
    LogPane *m_log = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_schemaLabel = nullptr;
    QLabel *m_queryLabel = nullptr;
};

} // namespace strata::ui
