#include "foreign_key_navigation.h"

#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/launch_task.h"
#include "ui/main_window.h"

#include "orm/query/queryset.h"

#include <QAction>
#include <QLocale>
#include <QMenu>
#include <QMouseEvent>
#include <QPointer>
#include <QTableView>

namespace strata::ui::navigation {
namespace {

int columnNamed(const orm::Columns &columns, const QString &name)
{
    for (int c = 0; c < columns.size(); ++c)
        if (columns[c].name == name)
            return c;
    return -1;
}

// What the filter row shows for an exact filter: the value as the grid showed it.
QString exactText(const QString &shown)
{
    return QLatin1Char('=') + shown;
}

// The referencing table as far as a count needs it: the key's columns. Its other columns and
// types are not read (no catalog query per table); the compiler binds the row's values as the
// grid read them, which the server compares in the column's own type.
orm::Model referencingModel(const orm::reflection::IncomingReference &reference)
{
    orm::Model model;
    model.name = model.table = reference.table;
    model.schema = reference.schema;
    model.origin = orm::ModelOrigin::Reflected;
    for (const QString &column : reference.columns) {
        orm::Field field;
        field.name = column;
        model.fields << field;
    }
    return model;
}

// The keys pointing at `table` and, for each, how many rows reference this row (`row`: its
// raw values and shown texts by column name). One catalog query, then one count per key; the
// database may be removed meanwhile (what was counted is returned).
QCoro::Task<QList<ReferenceCount>> countReferences(QPointer<orm::Database> db, QString schema,
                                                   QString table, QVariantMap values,
                                                   QMap<QString, QString> texts)
{
    QList<ReferenceCount> counts;
    if (!db)
        co_return counts;
    const QList<orm::reflection::IncomingReference> references =
        co_await orm::reflection::incomingReferences(db.data(), schema, table);
    for (const orm::reflection::IncomingReference &reference : references) {
        ReferenceCount count;
        count.reference = reference;
        orm::Q where;
        for (int i = 0; i < reference.columns.size(); ++i) {
            const QVariant value = values.value(reference.targetColumns.value(i));
            count.values << value;
            count.texts << texts.value(reference.targetColumns.value(i));
            count.nullKey = count.nullKey || !value.isValid();
            where = where & orm::Q(reference.columns[i], value);
        }
        if (!count.nullKey) {
            if (!db)
                co_return counts;
            const orm::QuerySet rows = orm::QuerySet(db.data(), referencingModel(reference))
                                           .usingSchema(reference.schema)
                                           .filter(where);
            const qint64 n = co_await rows.count();
            count.rows = n;
        }
        counts << count;
    }
    co_return counts;
}

} // namespace

ForeignKeyNavigation::ForeignKeyNavigation(MainWindow *window)
    : QObject(window)
    , m_window(window)
{
    m_back = new QAction(tr("Go &back"), this);
    m_back->setObjectName(QStringLiteral("goBackAction"));
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    connect(m_back, &QAction::triggered, this, &ForeignKeyNavigation::back);
    m_forward = new QAction(tr("Go &forward"), this);
    m_forward->setObjectName(QStringLiteral("goForwardAction"));
    m_forward->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    connect(m_forward, &QAction::triggered, this, &ForeignKeyNavigation::forward);
    updateActions();

    GridView *grid = window->grid();
    connect(grid, &GridView::cellMenuAboutToShow, this, &ForeignKeyNavigation::onCellMenu);
    connect(grid, &GridView::currentCellChanged, this, &ForeignKeyNavigation::onCurrentCell);
    grid->table()->viewport()->installEventFilter(this);
}

QList<int> ForeignKeyNavigation::keysOf(int column) const
{
    const orm::Columns &columns = m_window->gridModel()->columns();
    if (column < 0 || column >= columns.size() || !m_window->gridModel()->source())
        return {};
    const QString name = columns[column].name;
    const QList<orm::ForeignKey> &keys = m_window->openedTable().foreignKeys;
    QList<int> found;
    for (int k = 0; k < keys.size(); ++k)
        if (keys[k].columns.contains(name))
            found.insert(keys[k].columns.size() == 1 ? 0 : found.size(), k);
    return found;
}

QString ForeignKeyNavigation::targetTitle(int key) const
{
    const orm::ForeignKey &fk = m_window->openedTable().foreignKeys[key];
    const bool elsewhere =
        !fk.targetSchema.isEmpty() && fk.targetSchema != m_window->openedSchema();
    return elsewhere ? fk.targetSchema + QLatin1Char('.') + fk.targetTable : fk.targetTable;
}

QString ForeignKeyNavigation::refusalOf(qint64 row, int key) const
{
    const GridModel *model = m_window->gridModel();
    const QList<orm::ForeignKey> &keys = m_window->openedTable().foreignKeys;
    if (key < 0 || key >= keys.size())
        return tr("No such foreign key");
    if (!model->isRowLoaded(row))
        return tr("The row is not read yet");
    QStringList nulls;
    for (const QString &name : keys[key].columns) {
        const int column = columnNamed(model->columns(), name);
        if (column < 0)
            return tr("The grid has no column %1").arg(name);
        if (model->isCellNull(row, column))
            nulls << name;
    }
    if (nulls.isEmpty())
        return {};
    if (keys[key].columns.size() == 1)
        return tr("%1 is NULL: it references no row in %2").arg(nulls.first(), targetTitle(key));
    return tr("%1 %2 NULL: the key (%3) references no row in %4")
        .arg(nulls.join(QStringLiteral(", ")), nulls.size() == 1 ? tr("is") : tr("are"),
             keys[key].columns.join(QStringLiteral(", ")), targetTitle(key));
}

bool ForeignKeyNavigation::follow(qint64 row, int key)
{
    if (const QString reason = refusalOf(row, key); !reason.isEmpty()) {
        emit refused(tr("Cannot follow the foreign key: %1").arg(reason));
        return false;
    }
    const GridModel *model = m_window->gridModel();
    const orm::ForeignKey &fk = m_window->openedTable().foreignKeys[key];
    Place target;
    target.database = m_window->openedDatabase();
    target.schema = fk.targetSchema.isEmpty() ? m_window->openedSchema() : fk.targetSchema;
    target.table = fk.targetTable;
    for (int i = 0; i < fk.columns.size(); ++i) {
        const int column = columnNamed(model->columns(), fk.columns[i]);
        target.query.filters.append({fk.targetColumns.value(i),
                                     exactText(model->cellFullText(row, column)),
                                     model->rawValue(row, column)});
    }
    target.row = 0;
    target.column = fk.targetColumns.value(0);
    m_window->openPlace(target, Travel::Visit);
    return true;
}

bool ForeignKeyNavigation::followCell(qint64 row, int column)
{
    const QList<int> keys = keysOf(column);
    return !keys.isEmpty() && follow(row, keys.first());
}

Place ForeignKeyNavigation::placeOf(const ReferenceCount &count) const
{
    Place place;
    place.database = m_window->openedDatabase();
    place.schema = count.reference.schema;
    place.table = count.reference.table;
    for (int i = 0; i < count.reference.columns.size(); ++i)
        place.query.filters.append(
            {count.reference.columns[i], exactText(count.texts.value(i)), count.values.value(i)});
    place.row = 0;
    place.column = count.reference.columns.value(0);
    return place;
}

void ForeignKeyNavigation::openReferencing(const ReferenceCount &count)
{
    if (count.nullKey) {
        emit refused(tr("No row of %1 can reference this one: its %2 is NULL")
                         .arg(count.reference.table,
                              count.reference.targetColumns.join(QStringLiteral(", "))));
        return;
    }
    m_window->openPlace(placeOf(count), Travel::Visit);
}

void ForeignKeyNavigation::back()
{
    if (m_history.canGoBack())
        m_window->openPlace(m_history.peekBack(), Travel::Back);
}

void ForeignKeyNavigation::forward()
{
    if (m_history.canGoForward())
        m_window->openPlace(m_history.peekForward(), Travel::Forward);
}

void ForeignKeyNavigation::leaving(const Place &current, Travel travel)
{
    switch (travel) {
    case Travel::Visit:
        m_history.visit(current);
        break;
    case Travel::Back:
        m_history.back(current);
        break;
    case Travel::Forward:
        m_history.forward(current);
        break;
    }
    updateActions();
}

void ForeignKeyNavigation::forget(const QString &database)
{
    m_history.forget(database);
    updateActions();
}

void ForeignKeyNavigation::updateActions()
{
    const auto describe = [this](QAction *action, const Place &place, const QString &what) {
        action->setEnabled(place.isValid());
        action->setToolTip(
            place.isValid() ? tr("%1 to %2 in %3")
                                  .arg(what, place.title(), m_window->displayName(place.database))
                            : tr("%1: nowhere yet").arg(what));
    };
    describe(m_back, m_history.peekBack(), tr("Back"));
    describe(m_forward, m_history.peekForward(), tr("Forward"));
}

void ForeignKeyNavigation::onCellMenu(QMenu *menu, qint64 row, int column)
{
    const orm::Model &table = m_window->openedTable();
    if (table.name.isEmpty() || !m_window->gridModel()->source())
        return;
    menu->setToolTipsVisible(true); // a refused follow says why there
    bool separated = false;
    const auto separate = [&] {
        if (!separated)
            menu->addSeparator();
        separated = true;
    };
    for (const int key : keysOf(column)) {
        separate();
        const orm::ForeignKey &fk = table.foreignKeys[key];
        const QString columns =
            fk.columns.size() == 1
                ? QString()
                : QStringLiteral(" (%1)").arg(fk.columns.join(QStringLiteral(", ")));
        QAction *go =
            menu->addAction(tr("&Go to referenced row in %1%2").arg(targetTitle(key), columns),
                            this, [this, row, key] { follow(row, key); });
        go->setObjectName(QStringLiteral("followKeyAction"));
        go->setData(key);
        const QString reason = refusalOf(row, key);
        go->setEnabled(reason.isEmpty());
        go->setToolTip(reason.isEmpty() ? tr("Ctrl+click the cell does the same") : reason);
        go->setStatusTip(go->toolTip());
    }
    // Views have no keys pointing at them.
    if (table.kind == orm::ModelKind::View || table.kind == orm::ModelKind::MaterializedView ||
        !m_window->gridModel()->isRowLoaded(row))
        return;
    separate();
    QMenu *referenced = menu->addMenu(tr("&Referenced by"));
    referenced->setObjectName(QStringLiteral("referencedByMenu"));
    referenced->setToolTipsVisible(true);
    fillReferencedBy(referenced, row);
}

void ForeignKeyNavigation::fillReferencedBy(QMenu *menu, qint64 row)
{
    const GridModel *model = m_window->gridModel();
    QVariantMap values;
    QMap<QString, QString> texts;
    for (int c = 0; c < model->columns().size(); ++c) {
        values.insert(model->columns()[c].name, model->rawValue(row, c));
        texts.insert(model->columns()[c].name, model->cellFullText(row, c));
    }
    const QString table = m_window->openedTable().table;
    menu->addAction(tr("Looking for tables that reference this row…"))
        ->setObjectName(QStringLiteral("referencesPendingAction"));
    menu->actions().constLast()->setEnabled(false);
    if (m_pending++ == 0)
        emit busyChanged(true);
    const auto done = [this] {
        if (--m_pending == 0)
            emit busyChanged(false);
    };
    QPointer<QMenu> target(menu);
    launchTask(
        this,
        countReferences(QPointer<orm::Database>(m_window->database(m_window->openedDatabase())),
                        m_window->openedSchema(), table, values, texts),
        [this, target, table, done](const QList<ReferenceCount> &counts) {
            done();
            if (target) {
                target->clear();
                if (counts.isEmpty())
                    target->addAction(tr("No table references %1").arg(table))
                        ->setObjectName(QStringLiteral("noReferencesAction"));
                for (const ReferenceCount &count : counts) {
                    const orm::reflection::IncomingReference &ref = count.reference;
                    const QString where = ref.schema == m_window->openedSchema()
                                              ? ref.table
                                              : ref.schema + QLatin1Char('.') + ref.table;
                    const QString rows =
                        count.nullKey
                            ? tr("none (this row's key is NULL)")
                            : (count.rows == 1 ? tr("1 row")
                                               : tr("%1 rows").arg(QLocale().toString(count.rows)));
                    QAction *open = target->addAction(
                        QStringLiteral("%1 (%2): %3")
                            .arg(where, ref.columns.join(QStringLiteral(", ")), rows),
                        this, [this, count] { openReferencing(count); });
                    open->setObjectName(QStringLiteral("referencingTableAction"));
                    open->setEnabled(!count.nullKey);
                    open->setToolTip(tr("Open %1 filtered to the rows whose %2 reference this row")
                                         .arg(where, ref.columns.join(QStringLiteral(", "))));
                }
                if (counts.isEmpty())
                    target->actions().constLast()->setEnabled(false);
            }
            emit referencesCounted(counts);
        },
        [this, target, done](const TaskFailure &failure) {
            done();
            if (target) {
                target->clear();
                QAction *failed = target->addAction(tr("Could not read the references"));
                failed->setObjectName(QStringLiteral("referencesFailedAction"));
                failed->setToolTip(failure.message);
                failed->setEnabled(false);
            }
            emit refused(tr("Reading what references this row failed: %1").arg(failure.message));
        });
}

void ForeignKeyNavigation::onCurrentCell(qint64 row, int column)
{
    const QList<int> keys = keysOf(column);
    if (keys.isEmpty())
        return;
    const QString reason = refusalOf(row, keys.first());
    emit hint(reason.isEmpty()
                  ? tr("Ctrl+click or the context menu: go to the referenced row in %1")
                        .arg(targetTitle(keys.first()))
                  : reason);
}

bool ForeignKeyNavigation::eventFilter(QObject *watched, QEvent *event)
{
    // Ctrl+click on a key cell follows it; anywhere else it stays the grid's (selection).
    if (event->type() == QEvent::MouseButtonPress) {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton && mouse->modifiers() == Qt::ControlModifier) {
            QTableView *view = m_window->grid()->table();
            const QModelIndex index = view->indexAt(mouse->position().toPoint());
            if (index.isValid() && !keysOf(index.column()).isEmpty()) {
                followCell(m_window->gridModel()->base() + index.row(), index.column());
                return true;
            }
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace strata::ui::navigation
