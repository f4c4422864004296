#pragma once

// The model tree's filter: the names of every table and column of the schemas listed (read
// from the catalog, kept per schema), searched off the GUI thread as the user types. Typing is
// debounced; each search has a generation, and whatever a search finds after the text changed
// is dropped, so stale results never reach the tree. Hits arrive in batches, the first one as
// soon as it is found.

#include "orm/schema/catalog_names.h"

#include <QMap>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>

class QTimer;

namespace strata::ui {

// A table whose name matches, or that has matching columns (then only those are listed).
struct FilterHit {
    QString database;
    QString schema;
    QString table;
    orm::ModelKind kind = orm::ModelKind::Table;
    bool nameMatches = false;
    QStringList columns;
};

class TreeFilter : public QObject {
    Q_OBJECT

public:
    // Hits past this many tables are counted, not sent: "type more" beats 20,000 rows.
    static constexpr int MaxTables = 1000;

    explicit TreeFilter(QObject *parent = nullptr);
    ~TreeFilter() override;

    // The names of a schema, replacing those known; a search under way starts again.
    void setNames(const QString &database, const QString &schema,
                  QList<orm::reflection::CatalogRelation> relations);
    bool hasNames(const QString &database, const QString &schema) const;
    // Forgets a database, or its schemas not listed any more.
    void forgetDatabase(const QString &database);
    void keepSchemas(const QString &database, const QStringList &schemas);

    // The user's text: searched after the debounce; empty clears at once. Case-insensitive
    // substring of table and column names.
    void setText(const QString &text);
    QString text() const { return m_text; }
    void setDebounce(int milliseconds);
    // A search waits for the debounce or runs.
    bool isSearching() const;

signals:
    // A search for `text` begins: earlier hits are out of date.
    void searchStarted(const QString &text);
    void hitsFound(const QList<strata::ui::FilterHit> &hits);
    // The search ended having found `tables` (perhaps more than MaxTables, the ones sent).
    void searchFinished(int tables);
    // The text changed: what was found before is stale (and goes at once, not when the next
    // search starts).
    void outdated();

private:
    struct SchemaNames {
        QString database;
        QString schema;
        QList<orm::reflection::CatalogRelation> relations;
    };
    using Snapshot = QList<std::shared_ptr<const SchemaNames>>;

    void search();
    // Runs on the pool: posts hits back while `generation` is still `mine`.
    void match(const Snapshot &names, const QString &needle, int mine,
               const std::atomic<int> &generation);
    void deliver(int generation, QList<FilterHit> hits, bool last, int tables);

    QMap<QString, std::shared_ptr<const SchemaNames>> m_names; // per "database\x1fschema"
    QString m_text;
    QTimer *m_debounce = nullptr;
    // Bumped by every change of text or names: a search that sees another value stops.
    std::shared_ptr<std::atomic<int>> m_generation = std::make_shared<std::atomic<int>>(0);
    bool m_running = false;
    QThreadPool m_pool;
};

} // namespace strata::ui

Q_DECLARE_METATYPE(strata::ui::FilterHit)
