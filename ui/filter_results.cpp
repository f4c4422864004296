#include "ui/filter_results.h"

#include "ui/model_tree.h"

#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>

namespace strata::ui {
namespace {

// One slice of insertion on the GUI thread: well under a frame.
constexpr qint64 SliceNanoseconds = 3'000'000;

QString key(const QString &a, const QString &b)
{
    return a + QLatin1Char('\x1f') + b;
}

QStandardItem *note(const QString &text)
{
    auto *item = new QStandardItem(text);
    item->setData(int(ModelTree::NodeKind::Placeholder), ModelTree::NodeKindRole);
    item->setEnabled(false);
    return item;
}

} // namespace

FilterResults::FilterResults(QTreeView *view, Labels labels, QObject *parent)
    : QObject(parent)
    , m_view(view)
    , m_model(new QStandardItemModel(this))
    , m_labels(std::move(labels))
{
    m_view->setModel(m_model);
    m_slice = new QTimer(this);
    m_slice->setSingleShot(true);
    m_slice->setInterval(0);
    connect(m_slice, &QTimer::timeout, this, &FilterResults::insertSome);
}

void FilterResults::clear()
{
    m_slice->stop();
    m_queue.clear();
    m_next = 0;
    m_finished = -1;
    m_shown = 0;
    m_databases.clear();
    m_schemas.clear();
    m_tables.clear();
    m_model->clear();
}

void FilterResults::add(const QList<FilterHit> &hits)
{
    m_queue += hits;
    if (!m_slice->isActive())
        insertSome(); // the first hits show at once
}

void FilterResults::finish(int tables)
{
    m_finished = tables;
    if (!isInserting())
        insertSome();
}

QStandardItem *FilterResults::schemaNode(const QString &database, const QString &schema)
{
    const QString schemaKey = key(database, schema);
    if (QStandardItem *known = m_schemas.value(schemaKey))
        return known;
    QStandardItem *parent = m_databases.value(database);
    if (!parent) {
        parent = new QStandardItem(m_labels.database(database));
        parent->setData(int(ModelTree::NodeKind::Database), ModelTree::NodeKindRole);
        parent->setData(database, ModelTree::DatabaseRole);
        parent->setData(true, ModelTree::LoadedRole);
        m_model->appendRow(parent);
        m_databases.insert(database, parent);
        m_view->expand(parent->index());
    }
    auto *item = new QStandardItem(schema);
    item->setData(int(ModelTree::NodeKind::Schema), ModelTree::NodeKindRole);
    item->setData(database, ModelTree::DatabaseRole);
    item->setData(schema, ModelTree::SchemaRole);
    item->setData(true, ModelTree::LoadedRole);
    parent->appendRow(item);
    m_schemas.insert(schemaKey, item);
    m_expanding = true;
    m_view->expand(item->index());
    m_expanding = false;
    return item;
}

void FilterResults::insertSome()
{
    QElapsedTimer slice;
    slice.start();
    while (m_next < m_queue.size()) {
        const FilterHit &hit = m_queue.at(m_next++);
        QStandardItem *parent = schemaNode(hit.database, hit.schema);
        auto *table = new QStandardItem(m_labels.tableIcon(hit), m_labels.table(hit));
        table->setData(int(ModelTree::NodeKind::Model), ModelTree::NodeKindRole);
        table->setData(hit.database, ModelTree::DatabaseRole);
        table->setData(hit.schema, ModelTree::SchemaRole);
        table->setData(hit.table, ModelTree::ModelNameRole);
        table->setData(false, ModelTree::LoadedRole);
        table->setToolTip(QStringLiteral("%1.%2").arg(hit.schema, hit.table));
        for (const QString &column : hit.columns) {
            auto *item = new QStandardItem(column);
            item->setData(int(ModelTree::NodeKind::Field), ModelTree::NodeKindRole);
            item->setData(hit.database, ModelTree::DatabaseRole);
            table->appendRow(item);
        }
        if (hit.columns.isEmpty())
            table->appendRow(note(ModelTree::tr("(expand to read its fields)")));
        parent->appendRow(table);
        m_tables.insert(key(key(hit.database, hit.schema), hit.table), table);
        ++m_shown;
        if (!hit.columns.isEmpty()) {
            m_expanding = true;
            m_view->expand(table->index());
            m_expanding = false;
        }
        if (slice.nsecsElapsed() > SliceNanoseconds)
            break;
    }
    if (m_next < m_queue.size()) {
        m_slice->start(); // the rest after the events waiting (paint, keys)
        return;
    }
    m_queue.clear();
    m_next = 0;
    if (m_finished < 0)
        return;
    if (m_finished == 0)
        appendNote(ModelTree::tr("(no table or column matches)"));
    else if (m_finished > m_shown)
        appendNote(ModelTree::tr("(%1 more tables match: type more of the name)")
                       .arg(m_finished - m_shown));
    m_finished = -1;
}

void FilterResults::appendNote(const QString &text)
{
    m_model->appendRow(note(text));
}

QStandardItem *FilterResults::tableItem(const QString &database, const QString &schema,
                                        const QString &table) const
{
    return m_tables.value(key(key(database, schema), table));
}

void FilterResults::showFields(const QString &database, const QString &schema, const QString &table,
                               const QStringList &fieldLabels)
{
    QStandardItem *item = tableItem(database, schema, table);
    if (!item || !item->data(ModelTree::LoadedRole).toBool())
        return; // not asked for: found columns stay as they are
    item->removeRows(0, item->rowCount());
    for (const QString &label : fieldLabels) {
        auto *field = new QStandardItem(label);
        field->setData(int(ModelTree::NodeKind::Field), ModelTree::NodeKindRole);
        field->setData(database, ModelTree::DatabaseRole);
        item->appendRow(field);
    }
}

} // namespace strata::ui
