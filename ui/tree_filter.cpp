#include "ui/tree_filter.h"

#include <QThread>
#include <QTimer>

namespace strata::ui {
namespace {

QString namesKey(const QString &database, const QString &schema)
{
    return database + QLatin1Char('\x1f') + schema;
}

} // namespace

TreeFilter::TreeFilter(QObject *parent)
    : QObject(parent)
{
    // One low-priority thread: a search never competes with the GUI thread for a core.
    m_pool.setMaxThreadCount(1);
    m_pool.setThreadPriority(QThread::LowPriority);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(100);
    connect(m_debounce, &QTimer::timeout, this, &TreeFilter::search);
}

TreeFilter::~TreeFilter()
{
    // A search under way stops at its next check; it posts nothing once waited for.
    ++*m_generation;
    m_pool.waitForDone();
}

void TreeFilter::setDebounce(int milliseconds)
{
    m_debounce->setInterval(milliseconds);
}

bool TreeFilter::isSearching() const
{
    return m_debounce->isActive() || m_running;
}

void TreeFilter::setNames(const QString &database, const QString &schema,
                          QList<orm::reflection::CatalogRelation> relations)
{
    auto names = std::make_shared<SchemaNames>();
    names->database = database;
    names->schema = schema;
    names->relations = std::move(relations);
    m_names.insert(namesKey(database, schema), std::move(names));
    if (!m_text.isEmpty() && !m_debounce->isActive())
        search(); // what is shown was found in names that changed
}

bool TreeFilter::hasNames(const QString &database, const QString &schema) const
{
    return m_names.contains(namesKey(database, schema));
}

void TreeFilter::forgetDatabase(const QString &database)
{
    const QString prefix = namesKey(database, QString());
    for (auto it = m_names.begin(); it != m_names.end();)
        it = it.key().startsWith(prefix) ? m_names.erase(it) : std::next(it);
}

void TreeFilter::keepSchemas(const QString &database, const QStringList &schemas)
{
    const QString prefix = namesKey(database, QString());
    for (auto it = m_names.begin(); it != m_names.end();)
        it = it.key().startsWith(prefix) && !schemas.contains((*it)->schema) ? m_names.erase(it)
                                                                             : std::next(it);
}

void TreeFilter::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    ++*m_generation; // whatever the search under way finds from now on is stale
    m_running = false;
    emit outdated();
    if (text.isEmpty())
        m_debounce->stop();
    else
        m_debounce->start();
}

void TreeFilter::search()
{
    m_debounce->stop();
    const int mine = ++*m_generation;
    m_running = true;
    emit searchStarted(m_text);
    const Snapshot names(m_names.cbegin(), m_names.cend());
    const QString needle = m_text;
    m_pool.start([this, names, needle, mine, generation = m_generation] {
        match(names, needle, mine, *generation);
    });
}

void TreeFilter::match(const Snapshot &names, const QString &needle, int mine,
                       const std::atomic<int> &generation)
{
    QList<FilterHit> batch;
    int batchLimit = 1; // the first hit goes at once, then batches grow
    int tables = 0;
    int checked = 0;
    const auto post = [&](bool last) {
        QMetaObject::invokeMethod(
            this,
            [this, mine, hits = std::move(batch), last, tables]() mutable {
                deliver(mine, std::move(hits), last, tables);
            },
            Qt::QueuedConnection);
        batch = {};
    };
    for (const auto &schema : names) {
        for (const orm::reflection::CatalogRelation &relation : schema->relations) {
            if ((++checked & 255) == 0 && generation.load() != mine)
                return;
            const bool nameMatches = relation.name.contains(needle, Qt::CaseInsensitive);
            QStringList columns;
            for (const QString &column : relation.columns)
                if (column.contains(needle, Qt::CaseInsensitive))
                    columns << column;
            if (!nameMatches && columns.isEmpty())
                continue;
            if (++tables > MaxTables)
                continue; // counted only
            batch << FilterHit{schema->database, schema->schema, relation.name,
                               relation.kind,    nameMatches,    std::move(columns)};
            if (batch.size() >= batchLimit) {
                post(false);
                batchLimit = std::min(batchLimit * 4, 256);
            }
        }
    }
    if (generation.load() == mine)
        post(true);
}

void TreeFilter::deliver(int generation, QList<FilterHit> hits, bool last, int tables)
{
    if (generation != m_generation->load())
        return; // the text or the names changed since
    if (!hits.isEmpty())
        emit hitsFound(hits);
    if (last) {
        m_running = false;
        emit searchFinished(tables);
    }
}

} // namespace strata::ui
