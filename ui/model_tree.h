#pragma once

// The model tree: databases → schemas → models → fields of one orm::Registry, listed lazily as
// nodes are first expanded, with a filter box above it. It reads the catalog itself (through
// launchTask) and tells what happened by signals: it never calls into the window. It speaks
// the database's words (tables, views, columns, tenants), with an icon per kind; partitions
// sit under their partitioned table, and past TenantGroupThreshold schemas the tenants that
// match the template fold into one node (ui/tenant_grouping.h).

#include "orm/core/model.h"
#include "ui/tenant_grouping.h"

#include <QHash>
#include <QMap>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <optional>

class QLineEdit;
class QStackedWidget;
class QTimer;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTreeView;

namespace orm {
class Database;
class Registry;
} // namespace orm

namespace strata::ui {

class FilterResults;
class TreeFilter;

class ModelTree : public QWidget {
    Q_OBJECT

public:
    // Roles of the tree's items.
    enum Role {
        NodeKindRole = Qt::UserRole + 1, // NodeKind
        DatabaseRole,                    // the registry's name ("" for the primary)
        SchemaRole,
        ModelNameRole,
        LoadedRole, // children listed
    };
    enum class NodeKind { Database = 1, Schema, Model, Field, Placeholder, TenantGroup };

    explicit ModelTree(orm::Registry *registry, QWidget *parent = nullptr);
    ~ModelTree() override;

    // How a database is named in the tree, the menu and messages: its registry name, and for
    // the primary the saved connection's name it was opened from, else "primary".
    QString displayName(const QString &database) const;
    // The saved connection the primary was opened from (empty: none); relabels its node.
    void setPrimaryLabel(const QString &label);

    QTreeView *view() const { return m_tree; }
    QStandardItemModel *model() const { return m_treeModel; }
    QLineEdit *filter() const { return m_filter; }
    // While the filter has text, the tree shows what it found instead (databases → schemas →
    // tables → matching columns), from the names of every table and column of the schemas whose
    // models are listed, read from the catalog once the filter is first used.
    QTreeView *resultsView() const { return m_resultsView; }
    QStandardItemModel *filterResults() const;
    // A search waits for typing to pause, runs, or its hits are being inserted.
    bool isFiltering() const;
    void setFilterDebounce(int milliseconds);
    // Whether the filter has the table and column names of a listed schema.
    bool hasFilterNames(const QString &database, const QString &schema) const;

    // A database's node (not connected yet: its schemas are listed by listSchemas), and its
    // removal with everything listed under it.
    void addDatabase(const QString &name);
    void removeDatabase(const QString &name);
    // How a database's node reads: the text of its state, its URL, red when it failed, bold when
    // it is the one the window shows.
    void showDatabaseState(const QString &name, const QString &text, const QString &toolTip,
                           bool failed, bool active);

    // Reads the schemas of a database in the background (schemasListed tells).
    void listSchemas(const QString &database);
    bool hasSchemas(const QString &database) const { return m_schemas.contains(database); }
    // Tells the schemas listed before again (schemasListed), as a fresh listing would.
    void replaySchemas(const QString &database);
    // Whether the models of a schema are listed, and which (modelsOf's merge, with origins).
    bool hasModels(const QString &database, const QString &schema) const;
    QList<orm::Model> models(const QString &database, const QString &schema) const;
    QStringList listedModels(const QString &database, const QString &schema) const;

    // Makes a node current and lists its children (the database's schemas, the schema's models).
    void showDatabase(const QString &database);
    void showSchema(const QString &database, const QString &schema);
    void selectModel(const QString &database, const QString &schema, const QString &model);
    // Reads a model's fields unless they are known, then emits modelReady.
    void prepareModel(const QString &database, const QString &schema, const orm::Model &model);

    // Reads the database's schemas and every listed schema's models again (after DDL), keeping
    // the nodes of schemas that remain; the tree's Refresh.
    void refreshDatabase(const QString &database);
    // Compares the database's catalog stamp with the last one seen and refreshes on a change:
    // run every few seconds for each connected database shown, and at once after the console
    // ran something. The first stamp only records.
    void checkForChanges(const QString &database);
    // After statements ran on the database (the console): a change shows at once. With no
    // stamp to compare with yet (or one being read, perhaps after the change), it refreshes.
    void catalogMayHaveChanged(const QString &database);
    int probeInterval() const;
    void setProbeInterval(int milliseconds);

    // Past this many tenant schemas (all but public or main) a database's tenants are grouped.
    int tenantGroupThreshold() const { return m_groupThreshold; }
    void setTenantGroupThreshold(int schemas) { m_groupThreshold = schemas; }
    // The last grouping of a database's tenants (none: not grouped, or not yet compared).
    std::optional<TenantGrouping> tenantGrouping(const QString &database) const;
    // The node holding the database's grouped tenants, or null.
    QStandardItem *tenantGroupItem(const QString &database) const;

    // How many catalog reads are under way.
    int pendingWork() const { return m_work; }
    // How many catalog-change probes the tree has sent (what watching for DDL costs).
    int probesSent() const { return m_probesSent; }

signals:
    void schemasListed(const QString &database, const QStringList &schemas);
    void modelsListed(const QString &database, const QString &schema);
    // A model node was activated (Enter or a double click).
    void modelActivated(const QString &database, const QString &schema, const QString &model);
    // A model asked for by prepareModel, with its fields.
    void modelReady(const QString &database, const QString &schema, const orm::Model &model);
    // "Show DDL" was chosen on a model node (the model's name, as modelActivated).
    void ddlRequested(const QString &database, const QString &schema, const QString &model);
    // A catalog read failed: what was being done, and why.
    void failed(const QString &what, const QString &message);
    // A catalog read started or ended (pendingWork() has changed).
    void workStarted();
    void workFinished();

private:
    QString m_primaryLabel;
    orm::Database *database(const QString &name) const;
    void listModels(const QString &database, const QString &schema);
    void loadFields(const QString &database, const QString &schema, orm::Model model, bool open);
    void onSchemasListed(const QString &database, const QStringList &schemas);
    void onModelsListed(const QString &database, const QString &schema, QList<orm::Model> models);
    void onFieldsLoaded(const QString &database, const QString &schema, const orm::Model &model);
    void onExpanded(const QModelIndex &proxyIndex);
    void onActivated(const QModelIndex &proxyIndex);
    QStandardItem *databaseItem(const QString &name) const;
    QStandardItem *schemaItem(const QString &database, const QString &schema) const;
    QStandardItem *modelItem(const QString &database, const QString &schema,
                             const QString &model) const;
    void makeCurrent(QStandardItem *item);
    void expandItem(QStandardItem *item);
    void loadChildren(QStandardItem *item);
    // A read of the database's catalog begins (counted until endWork) when the name resolves:
    // the Database asked, or null.
    QPointer<orm::Database> beginRead(const QString &name);
    // Whether the name still resolves to the Database asked (not removed, nor replaced).
    bool stillShown(const QString &name, const QPointer<orm::Database> &asked) const;
    void endWork();
    void onSchemasRelisted(const QString &database, const QStringList &schemas);
    // The database node's schema nodes (and the tenant group) laid out anew from the schemas
    // listed and the grouping, keeping the nodes of schemas that remain, open if they were.
    void layoutSchemas(const QString &database);
    // Compares the database's tenants with their template off the GUI thread, then lays out.
    void groupTenants(const QString &database);
    void loadGroup(QStandardItem *group);
    bool isExpanded(QStandardItem *item) const;
    void showContextMenu(const QPoint &at);
    void probeAll();
    // The filter: its names read for every listed schema (wantNames), or one schema again.
    void setUpFilter();
    bool eventFilter(QObject *watched, QEvent *event) override;
    void onFilterText(const QString &text);
    void wantNames();
    void readNames(const QString &database, const QString &schema);
    // The listed model of a table (the filter finds tables; the tree lists models).
    const orm::Model *listedModel(const QString &database, const QString &schema,
                                  const QString &table);
    void onResultExpanded(const QModelIndex &index);
    void onResultActivated(const QModelIndex &index);

    orm::Registry *m_registry;
    QMap<QString, QStringList> m_schemas;      // per database
    QMap<QString, QList<orm::Model>> m_models; // per "database/schema"
    QMap<QString, TenantGrouping> m_groupings; // per database, the last comparison's
    QMap<QString, int> m_groupingRuns;         // per database: only the latest run applies
    int m_groupThreshold = TenantGroupThreshold;
    int m_work = 0;
    int m_probesSent = 0;
    QMap<QString, QString> m_stamps; // per database, the catalog stamp seen last
    QSet<QString> m_probing;         // databases whose stamp is being read
    QSet<QString> m_recheck;         // ... and to be read again once that read ends
    QTimer *m_probe = nullptr;
    QTreeView *m_tree = nullptr;
    QStandardItemModel *m_treeModel = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QStackedWidget *m_pages = nullptr; // the tree, or the filter's results
    QTreeView *m_resultsView = nullptr;
    TreeFilter *m_matcher = nullptr;
    FilterResults *m_results = nullptr;
    bool m_namesWanted = false;      // the filter was used: names are read and kept fresh
    QMap<QString, int> m_namesAsked; // per "database/schema": the latest read; older ones drop
    // Per "database/schema": table -> model name, for the models named apart from their table.
    QHash<QString, QHash<QString, QString>> m_renamed;
};

} // namespace strata::ui
