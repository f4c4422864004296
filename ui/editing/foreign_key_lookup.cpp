#include "foreign_key_lookup.h"

#include "ui/launch_task.h"

#include "orm/core/error.h"
#include "orm/query/queryset.h"
#include "orm/registry/registry.h"
#include "orm/schema/reflection.h"

#include <QEvent>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace strata::ui::editing {
namespace {

// The item that reads the next page; its data is not a row's.
constexpr int kMoreRole = Qt::UserRole + 1;
constexpr int kRowRole = Qt::UserRole + 2;
// Long enough to let a word be typed, short enough not to be noticed.
constexpr int kDebounceMs = 200;

struct LookupAnswer {
    LookupTarget target;
    LookupPage page;
};

// The target (loaded first when not known yet), then one page.
QCoro::Task<LookupAnswer> answer(orm::Registry *registry, std::optional<LookupTarget> known,
                                 QString database, QString schema, orm::ForeignKey key,
                                 QString text, QVariant afterKey, LookupSearch search)
{
    LookupAnswer result;
    if (known) {
        result.target = std::move(*known);
    } else {
        LookupTarget loaded = co_await loadLookupTarget(registry, database, schema, key);
        result.target = std::move(loaded);
    }
    // Named first: GCC 12 and co_await (docs/DEVELOPING.md).
    QCoro::Task<LookupPage> reading = search
                                          ? search(result.target, text, afterKey)
                                          : searchLookup(registry, result.target, text, afterKey);
    LookupPage page = co_await std::move(reading);
    result.page = std::move(page);
    co_return result;
}

} // namespace

QStringList readableColumns(const orm::Model &model, const QString &keyColumn)
{
    static const QRegularExpression readable(
        QStringLiteral("(^|_|\\s)(name|title|label|description|code)$"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList preferred, others;
    for (const orm::Field &field : model.fields) {
        if (field.name == keyColumn || field.type != orm::LogicalType::Text)
            continue;
        (readable.match(field.name).hasMatch() ? preferred : others) << field.name;
    }
    return (preferred + others).mid(0, 2);
}

QCoro::Task<LookupTarget> loadLookupTarget(orm::Registry *registry, QString database,
                                           QString schema, orm::ForeignKey key)
{
    if (key.columns.size() != 1 || key.targetColumns.size() != 1)
        throw orm::Error(orm::Error::Kind::Usage,
                         QStringLiteral("a lookup needs a foreign key of one column"));
    orm::Database *db = database.isEmpty() ? registry->database() : registry->database(database);
    LookupTarget target;
    target.database = database;
    target.schema = key.targetSchema.isEmpty() ? schema : key.targetSchema;
    orm::Model model = co_await orm::reflection::loadModel(db, target.schema, key.targetTable);
    target.model = std::move(model);
    target.keyColumn = key.targetColumns.constFirst();
    target.textColumns = readableColumns(target.model, target.keyColumn);
    co_return target;
}

QCoro::Task<LookupPage> searchLookup(orm::Registry *registry, LookupTarget target, QString text,
                                     QVariant afterKey, int limit)
{
    QStringList columns{target.keyColumn};
    columns += target.textColumns;
    const QStringList order{target.keyColumn};
    // One row more than the page says whether there are more.
    orm::QuerySet rows = orm::QuerySet(registry, target.model)
                             .using_(target.database, target.schema)
                             .values(columns)
                             .orderBy(order)
                             .limit(limit + 1);
    if (!text.isEmpty()) {
        orm::Q matches(target.keyColumn + QStringLiteral("__icontains"), text);
        for (const QString &column : std::as_const(target.textColumns))
            matches = matches | orm::Q(column + QStringLiteral("__icontains"), text);
        rows = rows.filter(matches);
    }
    if (afterKey.isValid()) {
        const QVariantList bound{afterKey};
        rows = rows.after(bound);
    }
    const orm::Result result = co_await rows.all();
    LookupPage page;
    for (int r = 0; r < result.rowCount(); ++r) {
        if (r == limit) {
            page.more = true;
            break;
        }
        LookupRow row;
        row.key = result.value(r, 0);
        row.keyText = result.text(r, 0);
        QStringList parts;
        for (int c = 1; c < result.columnCount(); ++c)
            if (!result.isNull(r, c))
                parts << result.text(r, c);
        row.label = parts.join(QStringLiteral(" · "));
        page.rows << std::move(row);
    }
    co_return page;
}

ForeignKeyLookup::ForeignKeyLookup(orm::Registry *registry, const QString &database,
                                   const QString &schema, const orm::ForeignKey &key,
                                   QLineEdit *editor, std::optional<LookupTarget> known,
                                   std::function<void(const LookupTarget &)> remember,
                                   QWidget *parent, LookupSearch searcher)
    : QWidget(parent)
    , m_registry(registry)
    , m_database(database)
    , m_schema(schema)
    , m_key(key)
    , m_target(std::move(known))
    , m_remember(std::move(remember))
    , m_search(std::move(searcher))
    , m_editor(editor)
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("foreignKeyLookup"));
    setAutoFillBackground(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_editor->setParent(this);
    // The rows are searched by their text too ("banana" in an integer key's cell): what is
    // typed is checked when taken instead (parseCellText), as for the types without a validator.
    m_editor->setValidator(nullptr);
    layout->addWidget(m_editor);
    layout->addWidget(m_list, 1);
    m_list->setObjectName(QStringLiteral("lookupList"));
    m_list->setFocusPolicy(Qt::ClickFocus);
    m_list->setToolTip(
        tr("Rows of %1 (searched as you type); pick one to set its key").arg(m_key.targetTable));
    m_editor->setPlaceholderText(tr("key or text of %1").arg(m_key.targetTable));
    setFocusProxy(m_editor);
    m_editor->installEventFilter(this);
    m_list->installEventFilter(this);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &ForeignKeyLookup::search);
    connect(m_editor, &QLineEdit::textEdited, this, [this] {
        ++m_generation; // what is on its way is for the old text
        m_typed = true;
        m_debounce.start();
    });
    connect(m_list, &QListWidget::itemClicked, this, &ForeignKeyLookup::activate);
    // The first page at once, unfiltered (the cell's key is not a search): the rows there are
    // to pick from before anything is typed.
    search();
}

int ForeignKeyLookup::rowCount() const
{
    int rows = 0;
    for (int i = 0; i < m_list->count(); ++i)
        rows += m_list->item(i)->data(kRowRole).isValid() ? 1 : 0;
    return rows;
}

void ForeignKeyLookup::showStatus(const QString &status)
{
    m_status = status;
    // Said in the list while it has no rows, as an item that cannot be picked.
    if (rowCount() == 0) {
        m_list->clear();
        auto *item = new QListWidgetItem(status);
        item->setFlags(Qt::NoItemFlags);
        m_list->addItem(item);
    }
}

void ForeignKeyLookup::pick(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    m_editor->setText(m_list->item(row)->data(kRowRole).toString());
    m_editor->setModified(true);
    emit picked();
}

void ForeignKeyLookup::activate(QListWidgetItem *item)
{
    if (!item)
        return;
    if (item->data(kMoreRole).toBool())
        fetchMore();
    else
        pick(m_list->row(item));
}

void ForeignKeyLookup::setRowsAbove(bool above)
{
    if (above == m_rowsAbove)
        return;
    m_rowsAbove = above;
    auto *box = static_cast<QVBoxLayout *>(layout());
    box->removeWidget(m_editor);
    box->removeWidget(m_list);
    box->addWidget(above ? static_cast<QWidget *>(m_list) : m_editor, above ? 1 : 0);
    box->addWidget(above ? static_cast<QWidget *>(m_editor) : m_list, above ? 0 : 1);
}

bool ForeignKeyLookup::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const int key = static_cast<QKeyEvent *>(event)->key();
    // Towards the list, and back from its nearest row, as the two are shown.
    const int towardsList = m_rowsAbove ? Qt::Key_Up : Qt::Key_Down;
    const int towardsEditor = m_rowsAbove ? Qt::Key_Down : Qt::Key_Up;
    const int nearestRow = m_rowsAbove ? m_list->count() - 1 : 0;
    if (watched == m_editor && key == towardsList && m_list->count() > 0) {
        m_list->setFocus();
        m_list->setCurrentRow(nearestRow);
        return true;
    }
    if (watched == m_list) {
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            activate(m_list->currentItem());
            return true; // the delegate must not take the editor a second time
        }
        if (key == towardsEditor && m_list->currentRow() == nearestRow) {
            m_editor->setFocus();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ForeignKeyLookup::search()
{
    m_debounce.stop();
    m_more = false;
    m_lastKey = QVariant();
    fetch(false);
}

void ForeignKeyLookup::fetchMore()
{
    if (m_more && !isBusy())
        fetch(true);
}

void ForeignKeyLookup::fetch(bool more)
{
    const int generation = m_generation;
    ++m_running;
    showStatus(tr("Searching %1…").arg(m_key.targetTable));
    launchTask(
        this,
        answer(m_registry, m_target, m_database, m_schema, m_key,
               m_typed ? m_editor->text().trimmed() : QString(), more ? m_lastKey : QVariant(),
               m_search),
        [this, generation, more](const LookupAnswer &got) {
            --m_running;
            if (!m_target) {
                m_target = got.target;
                if (m_remember)
                    m_remember(got.target);
            }
            if (generation != m_generation)
                return; // the text changed since: a newer search is on its way
            showPage(got.page, more);
            emit searched();
        },
        [this, generation](const TaskFailure &failure) {
            --m_running;
            if (generation != m_generation)
                return;
            m_list->clear();
            m_more = false;
            showStatus(tr("The lookup failed: %1").arg(failure.message));
            emit searched();
        });
}

void ForeignKeyLookup::showPage(const LookupPage &page, bool more)
{
    if (!more)
        m_list->clear();
    else if (m_more) // the "more…" item goes, the next page takes its place
        delete m_list->takeItem(m_list->count() - 1);
    for (const LookupRow &row : page.rows) {
        auto *item = new QListWidgetItem(
            row.label.isEmpty() ? row.keyText : row.keyText + QStringLiteral(" — ") + row.label);
        item->setData(kRowRole, row.keyText);
        m_list->addItem(item);
        m_lastKey = row.key;
    }
    m_more = page.more;
    if (m_more) {
        auto *item = new QListWidgetItem(tr("more…"));
        item->setData(kMoreRole, true);
        item->setToolTip(tr("The next %1 rows").arg(kLookupPageRows));
        m_list->addItem(item);
    }
    if (rowCount() == 0)
        showStatus(tr("No row of %1 matches").arg(m_key.targetTable));
    else
        m_status.clear();
}

} // namespace strata::ui::editing
