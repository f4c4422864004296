#pragma once

// What the model tree shows while its filter has text: databases → schemas → the tables found
// → their matching columns, built from the filter's hits in slices of a few milliseconds, so
// that thousands of hits never freeze the window. A table found by its columns is shown
// expanded on them; any table found loads its real fields when the user expands it (the model
// tree does the reading and calls showFields).

#include "ui/tree_filter.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

#include <QIcon>

#include <functional>

class QStandardItem;
class QStandardItemModel;
class QTimer;
class QTreeView;

namespace strata::ui {

class FilterResults : public QObject {
    Q_OBJECT

public:
    // How nodes read: a database by its display name, a table with its kind and origin.
    struct Labels {
        std::function<QString(const QString &database)> database;
        std::function<QString(const FilterHit &hit)> table;
        std::function<QIcon(const FilterHit &hit)> tableIcon; // the tree's icon for its kind
    };

    // Fills `view` (its model is the results'); the item roles are ModelTree's.
    FilterResults(QTreeView *view, Labels labels, QObject *parent = nullptr);

    QStandardItemModel *model() const { return m_model; }
    // Empties the results (a new search, or the text cleared).
    void clear();
    // Queues hits; they are inserted slice by slice.
    void add(const QList<FilterHit> &hits);
    // The search ended: says so under the results once the queued hits are in.
    void finish(int tables);
    // Hits are queued or being inserted.
    bool isInserting() const { return !m_queue.isEmpty(); }
    // Whether the results view is expanding a found table itself (not the user asking).
    bool isExpanding() const { return m_expanding; }
    // A found table's node, if shown.
    QStandardItem *tableItem(const QString &database, const QString &schema,
                             const QString &table) const;
    // A found table's real fields, once read (replacing its matching columns).
    void showFields(const QString &database, const QString &schema, const QString &table,
                    const QStringList &fieldLabels);

private:
    void insertSome();
    QStandardItem *schemaNode(const QString &database, const QString &schema);
    void appendNote(const QString &text);

    QTreeView *m_view;
    QStandardItemModel *m_model;
    Labels m_labels;
    QList<FilterHit> m_queue;
    qsizetype m_next = 0; // the first hit of m_queue not inserted yet
    int m_finished = -1;  // tables the search found, once it ended
    int m_shown = 0;
    bool m_expanding = false;
    QTimer *m_slice = nullptr;
    QHash<QString, QStandardItem *> m_databases;
    QHash<QString, QStandardItem *> m_schemas; // per "database\x1fschema"
    QHash<QString, QStandardItem *> m_tables;  // per "database\x1fschema\x1ftable"
};

} // namespace strata::ui
