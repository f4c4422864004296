#pragma once

// The explorer's main window: the Connections menu, the schema/tenant switcher, the model tree,
// the data grid, the log pane and the status bar, all over one orm::Registry.
//
// Every piece of database work is a coroutine started from here, holding the window through a
// QPointer (it may close while a query runs) and catching everything it can throw: failures go
// to the log pane, never to a dialog that blocks.

#include "saved_connections.h"

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QMainWindow>
#include <QMap>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace orm {
class Registry;
}

namespace strata::ui {

class GridModel;
class GridView;
class LogPane;
class QuerySetRowSource;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    // Roles of the model tree's items.
    enum TreeRole {
        NodeKindRole = Qt::UserRole + 1, // NodeKind
        DatabaseRole,                    // the registry's name ("" for the primary)
        SchemaRole,
        ModelNameRole,
        LoadedRole, // children listed
    };
    enum class NodeKind { Database = 1, Schema, Model, Field, Placeholder };

    explicit MainWindow(orm::Registry *registry, QWidget *parent = nullptr);
    ~MainWindow() override;

    orm::Registry *registry() const { return m_registry; }
    // "" is the primary database.
    QString activeDatabase() const { return m_activeDatabase; }
    QString activeSchema() const { return m_activeSchema; }
    // Null for a name the registry does not hold (an extra removed meanwhile).
    orm::Database *database(const QString &name) const;
    static QString displayName(const QString &name);

    void setActiveDatabase(const QString &name);
    void setActiveSchema(const QString &schema);
    // Opens a model of the active database and schema in the grid, by model or table name.
    void openModel(const QString &name);
    QString openedModel() const { return m_openedModel.name; }

    GridView *grid() const { return m_grid; }
    GridModel *gridModel() const { return m_gridModel; }
    // The open grid's source, or null.
    QuerySetRowSource *rowSource() const;
    LogPane *logPane() const { return m_log; }
    QTreeView *tree() const { return m_tree; }
    QStandardItemModel *treeModel() const { return m_treeModel; }
    QLineEdit *treeFilter() const { return m_treeFilter; }
    QComboBox *schemaSwitcher() const { return m_schemaBox; }
    QMenu *connectionsMenu() const { return m_connectionsMenu; }
    QAction *connectionAction(const QString &name) const { return m_connectionActions.value(name); }
    QLabel *connectionLabel() const { return m_connectionLabel; }
    QLabel *queryLabel() const { return m_queryLabel; }

    // True while schemas, models or fields are being read, or the grid loads its rows.
    bool isBusy() const;
    // The models listed for a database and schema so far (the tree's items).
    QStringList listedModels(const QString &database, const QString &schema) const;

    // What closing a database would lose: descriptions of open transactions holding
    // uncommitted work on `database` (on every database when it is null). Whoever opens them
    // (the console pane) sets this. Quitting asks first when it returns anything, and so do
    // removing and editing a saved connection whose database is open.
    using UncommittedWorkProbe = std::function<QStringList(const orm::Database *database)>;
    void setUncommittedWorkProbe(UncommittedWorkProbe probe);

    // Saved connections (Connections → Add / Edit / Remove saved connection): the file they
    // live in (connections.json in the config directory unless --config says otherwise), and
    // where their passwords go (the system keyring by default; tests put in a fake).
    void setSavedConnectionsPath(const QString &path);
    QString savedConnectionsPath() const { return m_savedPath; }
    struct PasswordKeeper {
        std::function<bool(const QString &name, const QString &password, QString *error)> store;
        std::function<bool(const QString &name)> forget;
    };
    void setPasswordKeeper(PasswordKeeper keeper);
    // Writes the connection (URL without password) to the file, replacing `previousName` (an
    // edit) or one of the same name, and its password to the keyring when one is given. False
    // (and a log line) on failure, or when the person declines to close an open database whose
    // console transactions hold uncommitted work (the probe's question). It applies at once: the
    // registry's extra databases of those names are removed (their entries leave the menu and the
    // tree now, their connections close in the background), the connection is added under its name
    // (with the password given, or the replaced database's) and connected when the registry is; an
    // edited active database stays active under its new definition. The saved connection opened as
    // the primary (setPrimaryConnectionName) cannot be swapped while running: that change waits for
    // the next start, and the log says so.
    bool saveConnection(const SavedConnection &connection, const QString &password,
                        const QString &previousName = {});
    // Removes a saved connection and its keyring entry, and the registry's extra database of
    // that name (as saveConnection removes one): the window falls back to the primary when it
    // was the active one.
    bool removeSavedConnection(const QString &name);
    // The saved connection that the registry opened as its primary database (empty: none).
    void setPrimaryConnectionName(const QString &name) { m_primaryConnection = name; }
    QString primaryConnectionName() const { return m_primaryConnection; }
    // Opens the dialog for a new connection, or to edit a saved one.
    void addSavedConnection();
    void editSavedConnection(const QString &name);

    // Called by the window's coroutines.
    void onSchemasListed(const QString &database, const QStringList &schemas);
    void onModelsListed(const QString &database, const QString &schema, QList<orm::Model> models);
    void onFieldsLoaded(const QString &database, const QString &schema, const orm::Model &model);
    void onModelReady(const QString &database, const QString &schema, const orm::Model &model);
    void onWorkFailed(const QString &what, const QString &message);
    void beginWork();
    void endWork();

signals:
    void activeDatabaseChanged(const QString &name);
    void activeSchemaChanged(const QString &schema);
    void modelOpened(const QString &name);
    void busyChanged(bool busy);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void rebuildSavedMenus();
    void buildTree();
    // The Connections menu's entry and the tree's item of one database.
    void addDatabaseEntry(const QString &name);
    void onExtraAdded(const QString &name);
    void onExtraRemoved(const QString &name);
    // What the probe reports for those of `extras` that are open extra databases.
    QStringList uncommittedWorkOn(const QStringList &extras) const;
    // Starts removing and adding registry databases for a saved-connection change.
    void applySavedChange(const QStringList &removed, const QString &added, const QString &url);
    // The password in the URL of the registry's extra database `name`, if any.
    QString openPassword(const QString &name) const;
    void onDatabaseStateChanged(const QString &name, orm::Database::State state,
                                const QString &reason);
    void refreshConnectionEntry(const QString &name);
    void onTreeExpanded(const QModelIndex &proxyIndex);
    void onTreeActivated(const QModelIndex &proxyIndex);
    QStandardItem *databaseItem(const QString &name) const;
    QStandardItem *schemaItem(const QString &database, const QString &schema) const;
    QStandardItem *modelItem(const QString &database, const QString &schema,
                             const QString &model) const;
    void expandItem(QStandardItem *item);
    void loadChildren(QStandardItem *item);
    void updateStatus();
    QString defaultSchema(const QStringList &schemas) const;

    orm::Registry *m_registry;
    QString m_activeDatabase;
    QString m_activeSchema;
    QMap<QString, QStringList> m_schemas;      // per database
    QMap<QString, QList<orm::Model>> m_models; // per "database/schema"
    orm::Model m_openedModel;
    QString m_openedDatabase;
    QString m_openedSchema;
    QString m_pendingOpen; // a model asked for before its schema was listed
    int m_work = 0;
    UncommittedWorkProbe m_uncommittedWork;

    QString m_savedPath;
    QString m_primaryConnection;
    PasswordKeeper m_passwords;
    QMenu *m_editSavedMenu = nullptr;
    QMenu *m_removeSavedMenu = nullptr;
    QMenu *m_connectionsMenu = nullptr;
    QAction *m_connectionsEnd = nullptr; // the separator after the databases' entries
    QActionGroup *m_connectionGroup = nullptr;
    QMap<QString, QAction *> m_connectionActions;
    QComboBox *m_schemaBox = nullptr;
    QTreeView *m_tree = nullptr;
    QStandardItemModel *m_treeModel = nullptr;
    QSortFilterProxyModel *m_treeProxy = nullptr;
    QLineEdit *m_treeFilter = nullptr;
    GridView *m_grid = nullptr;
    GridModel *m_gridModel = nullptr;
    LogPane *m_log = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_schemaLabel = nullptr;
    QLabel *m_queryLabel = nullptr;
};

} // namespace strata::ui
