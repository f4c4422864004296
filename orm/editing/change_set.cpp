#include "orm/editing/change_set.h"

#include "orm/core/error.h"
#include "orm/core/off_thread.h"
#include "orm/core/thread_context.h"
#include "orm/database/transaction.h"
#include "orm/query/write_template.h"
#include "orm/registry/registry.h"

#include <QFileInfo>
#include <QHash>
#include <QPointer>
#include <QVarLengthArray>

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <vector>

namespace orm::editing {

namespace {

using Kind = StagedChange::Kind;

[[noreturn]] void usage(const QString &message)
{
    throw Error(Error::Kind::Usage, message);
}

bool isNull(const QVariant &value)
{
    return !value.isValid() || value.isNull();
}

// A key as a hash key: the values' text, so that 7 and "7" (a raw PostgreSQL cell) are one row,
// with its hash computed once (FNV-1a: the indexes and the plan hash each key several times, and
// QHash's own string hash cost more than the rest of staging a cell).
struct KeyText {
    QString text;
    size_t hash = 0;
    bool isNull() const { return text.isNull(); }
    friend bool operator==(const KeyText &a, const KeyText &b)
    {
        return a.hash == b.hash && a.text == b.text;
    }
    friend size_t qHash(const KeyText &key, size_t seed = 0) noexcept { return key.hash ^ seed; }
};

QString keyTextOf(const RowKey &key)
{
    QString text;
    for (const QVariant &value : key) {
        // The usual keys (integers, text) without QVariant's conversion machinery.
        if (isNull(value))
            text += QStringLiteral("\x01N");
        else if (value.typeId() == QMetaType::Int)
            text += QString::number(*static_cast<const int *>(value.constData()));
        else if (value.typeId() == QMetaType::LongLong)
            text += QString::number(*static_cast<const qlonglong *>(value.constData()));
        else if (value.typeId() == QMetaType::QString)
            text += *static_cast<const QString *>(value.constData());
        else if (value.typeId() == QMetaType::QByteArray)
            text += QStringLiteral("\x01X") + QString::fromLatin1(value.toByteArray().toHex());
        else
            text += value.toString();
        text += QChar(0x1f);
    }
    return text;
}

KeyText keyText(const RowKey &key)
{
    KeyText out{keyTextOf(key)};
    size_t hash = 14695981039346656037ull;
    for (const QChar c : std::as_const(out.text))
        hash = (hash ^ c.unicode()) * 1099511628211ull;
    out.hash = hash;
    return out;
}

QString shown(const QVariant &value)
{
    if (isNull(value))
        return QStringLiteral("NULL");
    if (value.typeId() == QMetaType::QByteArray)
        return QStringLiteral("<%1 bytes>").arg(value.toByteArray().size());
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Bool:
        return value.toString();
    default:
        break;
    }
    QString text = value.toString();
    if (text.size() > 60)
        text = text.left(57) + QStringLiteral("...");
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

// Whether two values are the same to a person reading them (a raw text cell against the value
// a caller kept, say).
bool sameValue(const QVariant &a, const QVariant &b)
{
    if (isNull(a) || isNull(b))
        return isNull(a) && isNull(b);
    if (a.typeId() == QMetaType::QByteArray || b.typeId() == QMetaType::QByteArray)
        return a.toByteArray() == b.toByteArray();
    return a.toString() == b.toString();
}

// A plan item's cells, column -> value in QMap's order of the columns, kept inline for the
// usual single column: a paste of 10,000 cells plans its items without allocating for them.
class Cells {
public:
    using Cell = std::pair<QString, QVariant>;

    static Cells fromMap(const QVariantMap &map)
    {
        Cells cells;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            cells.m_cells.append({it.key(), it.value()});
        return cells;
    }

    const Cell *begin() const { return m_cells.cbegin(); }
    const Cell *end() const { return m_cells.cend(); }
    qsizetype size() const { return m_cells.size(); }
    void clear() { m_cells.clear(); }
    bool contains(const QString &column) const { return find(column) != end(); }

    // Sets `column`, replacing its value if it has one.
    void insert(const QString &column, const QVariant &value)
    {
        const Cell *at =
            std::lower_bound(begin(), end(), column,
                             [](const Cell &cell, const QString &c) { return cell.first < c; });
        if (at != end() && at->first == column)
            m_cells[at - begin()].second = value;
        else
            m_cells.insert(at, Cell(column, value));
    }

    QVariantMap toMap() const
    {
        QVariantMap map;
        for (const Cell &cell : m_cells)
            map.insert(cell.first, cell.second);
        return map;
    }

    QStringList columns() const
    {
        QStringList out;
        for (const Cell &cell : m_cells)
            out << cell.first;
        return out;
    }

private:
    const Cell *find(const QString &column) const
    {
        return std::find_if(begin(), end(),
                            [&column](const Cell &cell) { return cell.first == column; });
    }

    QVarLengthArray<Cell, 1> m_cells;
};

// Every change of one stored row, or of one staged insert, folded into one statement.
struct PlanItem {
    Kind kind = Kind::Update;
    RowKey key;
    int insertId = 0;
    Cells values; // Update: column -> new value; Insert: the row's values
    Cells seen;   // Update, Delete: column -> the value the user saw (the check)
    QVarLengthArray<int, 2> changeIds;
    bool dropped = false; // an insert deleted again before the commit

    QList<int> changeIdList() const { return QList<int>(changeIds.cbegin(), changeIds.cend()); }
};

// Every change folded, in order, into the statements of the commit. A stored row's changes are
// found through the staging's chains (each change's previous one of its row), not by key.
struct PlanBuilder {
    QList<PlanItem> items;
    std::vector<int> itemOfChange; // by a stored row's change's position: its row's item
    QHash<int, qsizetype> insertItem;

    explicit PlanBuilder(qsizetype changes)
        : itemOfChange(size_t(changes), -1)
    {
        items.reserve(changes);
    }

    // `previous` is the position of the row's change before this one (-1: none), for a stored
    // row's change at `position`.
    void add(const StagedChange &change, qsizetype position, int previous,
             const RowIdentity &identity)
    {
        if (change.kind == Kind::Insert) {
            insertItem.insert(change.id, items.size());
            PlanItem item;
            item.kind = Kind::Insert;
            item.insertId = change.id;
            item.values = Cells::fromMap(change.values);
            item.changeIds.append(change.id);
            items.append(std::move(item));
            return;
        }
        if (change.touchesInsert()) {
            PlanItem &item = items[insertItem.value(change.insertId)];
            item.changeIds.append(change.id);
            if (change.kind == Kind::Delete)
                item.dropped = true;
            else
                item.values.insert(change.column, change.value);
            return;
        }
        int index = previous >= 0 ? itemOfChange[size_t(previous)] : -1;
        if (index < 0) {
            index = int(items.size());
            PlanItem item;
            item.kind = change.kind;
            item.key = change.key;
            items.append(std::move(item));
        }
        itemOfChange[size_t(position)] = index;
        PlanItem &item = items[index];
        item.changeIds.append(change.id);
        if (change.kind == Kind::Update) {
            item.values.insert(change.column, change.value);
            if (!item.seen.contains(change.column))
                item.seen.insert(change.column, change.seen);
        } else {
            item.kind = Kind::Delete;
            item.values.clear();
            for (auto v = change.values.cbegin(); v != change.values.cend(); ++v)
                if (!item.seen.contains(v.key()) && !identity.columns.contains(v.key()))
                    item.seen.insert(v.key(), v.value());
        }
    }

    QList<PlanItem> finish()
    {
        items.removeIf([](const PlanItem &item) { return item.dropped; });
        return std::move(items);
    }
};

CommitError::Kind classify(const Error &error)
{
    const QString state = error.sqlState();
    if (state == QLatin1String("23505") || state == QLatin1String("SQLITE_CONSTRAINT_UNIQUE") ||
        state == QLatin1String("SQLITE_CONSTRAINT_PRIMARYKEY"))
        return CommitError::Kind::UniqueViolation;
    if (state == QLatin1String("23503") || state == QLatin1String("SQLITE_CONSTRAINT_FOREIGNKEY"))
        return CommitError::Kind::ForeignKeyViolation;
    if (state == QLatin1String("23514") || state == QLatin1String("SQLITE_CONSTRAINT_CHECK"))
        return CommitError::Kind::CheckViolation;
    if (state == QLatin1String("23502") || state == QLatin1String("SQLITE_CONSTRAINT_NOTNULL"))
        return CommitError::Kind::NotNullViolation;
    if (state.startsWith(QLatin1String("22")) || state == QLatin1String("42804") ||
        state == QLatin1String("SQLITE_MISMATCH") ||
        state == QLatin1String("SQLITE_CONSTRAINT_DATATYPE"))
        return CommitError::Kind::TypeError;
    if (state == QLatin1String("55P03"))
        return CommitError::Kind::LockTimeout;
    if (state.startsWith(QLatin1String("SQLITE_BUSY")))
        return CommitError::Kind::Busy;
    if (state == QLatin1String("25006") || state.startsWith(QLatin1String("SQLITE_READONLY")))
        return CommitError::Kind::ReadOnly;
    return CommitError::Kind::Other;
}

QString explain(CommitError::Kind kind)
{
    switch (kind) {
    case CommitError::Kind::LockTimeout:
        return QStringLiteral("another session holds a lock on the row; ");
    case CommitError::Kind::ReadOnly:
        return QStringLiteral("the database takes no changes; ");
    default:
        return {};
    }
}

} // namespace

// --- the state the commit task shares ------------------------------------------------------------

struct ChangeSet::State {
    QPointer<Registry> registry;
    QString database;
    QString schema; // as given; empty: the model's
    Model model;
    Options options;
    RowIdentity identity;
    QString connectionName;

    QList<StagedChange> changes;
    int nextId = 1;
    bool committing = false;
    bool staging = false; // updateCellsInSlices() is under way
    std::unique_ptr<ChangeJournal> journal;

    // Indexes over `changes`, rebuilt when a change leaves other than from the end. A row's
    // changes are a chain (its last position, each change's previous one of the row): no list
    // per row to allocate while a paste of 10,000 cells is staged. Ids increase along
    // `changes`, so a change is found by id with a binary search.
    QHash<KeyText, int> lastOfRow; // key text -> position of the row's last change
    QList<int> previousOfRow;      // parallel to `changes`: the row's change before, or -1
    QHash<KeyText, int> deletes;   // key text -> Delete changes of the row
    QList<KeyText> texts;          // keyText of each change's key, parallel to `changes`
    // The lookups a commit's conditions name, made once: "Film ID__exact", "Title__same".
    QStringList keyLookups;
    mutable QHash<QString, QString> sameLookups;

    QString effectiveSchema() const { return schema.isEmpty() ? model.schema : schema; }

    QuerySet querySet() const
    {
        return QuerySet(registry.data(), model).using_(database, effectiveSchema());
    }

    Database *db() const
    {
        if (!registry)
            usage(QStringLiteral("the change set's registry was deleted"));
        return database.isEmpty() ? registry->database() : registry->database(database);
    }

    QString modelName() const { return model.name.isEmpty() ? model.table : model.name; }

    QString describeKey(const RowKey &key) const
    {
        QStringList parts;
        for (qsizetype i = 0; i < identity.columns.size() && i < key.size(); ++i)
            parts << identity.columns[i] + QLatin1Char('=') + shown(key[i]);
        return QStringLiteral("row ") + parts.join(QStringLiteral(", "));
    }

    QString describeInsert(int insertId) const
    {
        int n = 0;
        for (const StagedChange &change : changes)
            if (change.kind == Kind::Insert) {
                ++n;
                if (change.id == insertId)
                    break;
            }
        return QStringLiteral("new row %1").arg(n);
    }

    // `text` is keyText(change.key), when the caller has it already.
    void index(const StagedChange &change, qsizetype position, KeyText text = {})
    {
        if (change.touchesInsert() || change.kind == Kind::Insert) {
            texts.append(KeyText());
            previousOfRow.append(-1);
            return;
        }
        if (text.isNull())
            text = keyText(change.key);
        const auto last = lastOfRow.find(text);
        if (last == lastOfRow.end()) {
            previousOfRow.append(-1);
            lastOfRow.insert(text, int(position));
        } else {
            previousOfRow.append(*last);
            *last = int(position);
        }
        if (change.kind == Kind::Delete)
            ++deletes[text];
        texts.append(std::move(text));
    }

    // Forgets every change. Many are freed on a pool thread: the 10,000 changes of a paste and
    // their indexes took 1-2 ms of the calling (GUI) thread to free after a commit.
    void clearChanges()
    {
        if (changes.size() < kFreeElsewhere) {
            changes.clear();
            reindex();
            return;
        }
        auto retired = std::make_shared<Retired>();
        retired->changes.swap(changes);
        retired->lastOfRow.swap(lastOfRow);
        retired->previousOfRow.swap(previousOfRow);
        retired->deletes.swap(deletes);
        retired->texts.swap(texts);
        freeOffThread(std::move(retired));
    }

    struct Retired {
        QList<StagedChange> changes;
        QHash<KeyText, int> lastOfRow;
        QList<int> previousOfRow;
        QHash<KeyText, int> deletes;
        QList<KeyText> texts;
    };
    static constexpr qsizetype kFreeElsewhere = 1024;

    void reindex()
    {
        lastOfRow.clear();
        previousOfRow.clear();
        deletes.clear();
        texts.clear();
        for (qsizetype i = 0; i < changes.size(); ++i)
            index(changes[i], i);
    }

    void append(StagedChange change, const KeyText &text = {})
    {
        changes.append(std::move(change));
        index(changes.last(), changes.size() - 1, text);
    }

    void removeLast()
    {
        const StagedChange change = changes.takeLast();
        const KeyText text = texts.takeLast();
        const int previous = previousOfRow.takeLast();
        if (change.touchesInsert() || change.kind == Kind::Insert)
            return;
        if (previous < 0)
            lastOfRow.remove(text);
        else
            lastOfRow[text] = previous;
        if (change.kind == Kind::Delete && --deletes[text] == 0)
            deletes.remove(text);
    }

    const StagedChange *insertChange(int insertId) const
    {
        const auto it =
            std::lower_bound(changes.cbegin(), changes.cend(), insertId,
                             [](const StagedChange &change, int id) { return change.id < id; });
        if (it == changes.cend() || it->id != insertId || it->kind != Kind::Insert)
            return nullptr;
        return &*it;
    }

    bool insertDeleted(int insertId) const
    {
        for (const StagedChange &change : changes)
            if (change.kind == Kind::Delete && change.insertId == insertId)
                return true;
        return false;
    }

    // The value the server had, as the row's first staged change of `column` saw it.
    std::optional<QVariant> originalSeen(const KeyText &text, const QString &column) const
    {
        std::optional<QVariant> first;
        for (int p = lastOfRow.value(text, -1); p >= 0; p = previousOfRow[p]) {
            const StagedChange &change = changes[p];
            if (change.kind == Kind::Update && change.column == column)
                first = change.seen; // the earliest wins
        }
        return first;
    }

    QString readOnlyReason() const
    {
        if (!identity.isEditable())
            return identity.readOnlyReason;
        if (!registry)
            return QStringLiteral("the change set's registry was deleted");
        Database *database = nullptr;
        try {
            database = db();
        } catch (const Error &error) {
            return error.message();
        }
        if (database && database->isReadOnly())
            return database->url().backend() == DatabaseUrl::Backend::Sqlite
                       ? QStringLiteral("%1 is a read-only file: it takes no changes")
                             .arg(connectionName)
                       : QStringLiteral("%1 takes no changes (a read-only server: a standby, or "
                                        "default_transaction_read_only)")
                             .arg(connectionName);
        return {};
    }

    // Undo, revert, drop, rebase and commit are refused while a commit or a sliced staging runs.
    void requireIdle() const
    {
        if (committing)
            usage(QStringLiteral("%1: a commit is under way").arg(modelName()));
        if (staging)
            usage(QStringLiteral("%1: cells are being staged").arg(modelName()));
    }

    void requireStaging() const
    {
        if (committing)
            usage(QStringLiteral("%1: a commit is under way; stage changes after it")
                      .arg(modelName()));
        if (staging)
            usage(QStringLiteral("%1: cells are being staged; stage changes after them")
                      .arg(modelName()));
        const QString reason = readOnlyReason();
        if (!reason.isEmpty())
            usage(QStringLiteral("%1 cannot be edited: %2").arg(modelName(), reason));
    }

    const Field &writableField(const QString &column) const
    {
        const Field *field = model.field(column);
        if (!field)
            throw Error(Error::Kind::UnknownField,
                        QStringLiteral("%1 has no column \"%2\"").arg(modelName(), column));
        if (field->generated)
            usage(QStringLiteral("%1.%2 is a generated column: the server computes it")
                      .arg(modelName(), column));
        return *field;
    }

    void requireKey(const RowKey &key) const
    {
        if (key.size() != identity.columns.size())
            usage(QStringLiteral("%1: a row key needs %2 value(s) (%3), got %4")
                      .arg(modelName())
                      .arg(identity.columns.size())
                      .arg(identity.columns.join(QStringLiteral(", ")))
                      .arg(key.size()));
        for (qsizetype i = 0; i < key.size(); ++i)
            if (isNull(key[i]))
                usage(QStringLiteral("%1: the key column %2 cannot be NULL")
                          .arg(modelName(), identity.columns[i]));
    }

    void requireLiveInsert(int insertId) const
    {
        if (!insertChange(insertId) || insertDeleted(insertId))
            usage(QStringLiteral("%1: no row staged for insertion has id %2")
                      .arg(modelName())
                      .arg(insertId));
    }

    // Stages and journals; a journal is made with the first change.
    void stage(QList<StagedChange> staged)
    {
        ensureJournal();
        const qsizetype first = changes.size();
        for (StagedChange &change : staged) {
            change.id = nextId++;
            append(std::move(change));
        }
        journalStaged(first);
    }

    // Journals the changes from position `first` on.
    // Made before the first change is staged: a journal that cannot be made refuses the change
    // rather than leave it unjournaled.
    void ensureJournal()
    {
        if (options.journalDirectory.isEmpty() || journal)
            return;
        JournalHeader header{connectionName, effectiveSchema(), model.table,
                             modelName(),    identity.columns,  QDateTime::currentDateTimeUtc()};
        journal = ChangeJournal::create(options.journalDirectory, header);
    }

    void journalStaged(qsizetype first)
    {
        if (journal && first < changes.size()) {
            if (changes.size() - first == 1)
                journal->stage(changes.last());
            else
                journal->stageAll(
                    std::span<const StagedChange>(changes.cbegin() + first, changes.cend()));
        }
    }

    void forgetJournal()
    {
        if (journal)
            journal->remove();
        journal.reset();
    }

    void requireCell(const RowKey &key, const QString &column, const KeyText &text) const
    {
        requireKey(key);
        writableField(column);
        if (deletes.contains(text))
            usage(QStringLiteral("%1 of %2 is staged for deletion: undo that first")
                      .arg(describeKey(key), modelName()));
    }

    StagedChange cellChange(const RowKey &key, const QString &column, const QVariant &seen,
                            const QVariant &value, const KeyText &text) const
    {
        requireCell(key, column, text);
        StagedChange change;
        change.kind = Kind::Update;
        change.key = key;
        change.column = column;
        // A cell changed again still checks the value the server had.
        change.seen = originalSeen(text, column).value_or(seen);
        change.value = value;
        return change;
    }

    // For each change, the position of the last change of its row (a stored row's) or of its
    // insert (a staged insert's): where the plan item it folds into is complete.
    std::vector<int> lastChangeOfEach() const
    {
        std::vector<int> last(size_t(changes.size()), -1);
        QHash<int, int> lastOfInsert;
        for (qsizetype p = changes.size() - 1; p >= 0; --p) {
            const StagedChange &change = changes[p];
            if (change.kind == Kind::Insert || change.touchesInsert()) {
                const int insert = change.kind == Kind::Insert ? change.id : change.insertId;
                auto it = lastOfInsert.constFind(insert);
                if (it == lastOfInsert.cend())
                    it = lastOfInsert.insert(insert, int(p));
                last[size_t(p)] = *it;
                continue;
            }
            if (last[size_t(p)] < 0)
                last[size_t(p)] = int(p);
            if (const int previous = previousOfRow[p]; previous >= 0)
                last[size_t(previous)] = last[size_t(p)];
        }
        return last;
    }

    QList<PlanItem> plan() const
    {
        PlanBuilder builder(changes.size());
        for (qsizetype i = 0; i < changes.size(); ++i)
            builder.add(changes[i], i, previousOfRow[i], identity);
        return builder.finish();
    }

    Q keyCondition(const RowKey &key) const
    {
        Q where;
        for (qsizetype i = 0; i < keyLookups.size(); ++i)
            where = where & Q(keyLookups[i], key.value(i));
        return where;
    }

    Write writeFor(const PlanItem &item) const
    {
        Write write;
        if (item.kind == Kind::Insert) {
            write.kind = Write::Kind::Create;
            write.values = item.values.toMap();
            return write;
        }
        write.kind = item.kind == Kind::Update ? Write::Kind::Update : Write::Kind::Remove;
        write.where = keyCondition(item.key);
        for (const auto &[column, value] : item.seen) {
            auto lookup = sameLookups.constFind(column);
            if (lookup == sameLookups.cend())
                lookup = sameLookups.insert(column, column + QStringLiteral("__same"));
            write.where = write.where & Q(*lookup, value);
        }
        if (item.kind == Kind::Update)
            write.values = item.values.toMap();
        return write;
    }

    CommitError errorFor(const Error &error, const PlanItem *item) const
    {
        CommitError out;
        out.kind = classify(error);
        out.sqlState = error.sqlState();
        QString where;
        if (item) {
            out.key = item->key;
            out.insertId = item->insertId;
            out.changeIds = item->changeIdList();
            where = item->kind == Kind::Insert ? describeInsert(item->insertId)
                                               : describeKey(item->key);
            where += QStringLiteral(": ");
        }
        out.message = where + explain(out.kind) + error.message();
        return out;
    }
};

namespace {

// NULL as the compiler tells it (a leaf's NULL compiles to IS NULL and binds nothing).
bool isNullParam(const QVariant &value)
{
    return !value.isValid() || value.typeId() == QMetaType::Nullptr;
}

// Whether two plan items' writes have one shape (WriteTemplate): the kind, the columns set,
// the key's and the seen values' columns, with NULLs in the same places.
bool sameShape(const PlanItem &a, const PlanItem &b)
{
    if (a.kind != b.kind || a.values.size() != b.values.size() || a.seen.size() != b.seen.size() ||
        a.key.size() != b.key.size())
        return false;
    for (auto x = a.values.begin(), y = b.values.begin(); x != a.values.end(); ++x, ++y)
        if (x->first != y->first)
            return false;
    for (qsizetype i = 0; i < a.key.size(); ++i)
        if (isNullParam(a.key[i]) != isNullParam(b.key[i]))
            return false;
    for (auto x = a.seen.begin(), y = b.seen.begin(); x != a.seen.end(); ++x, ++y)
        if (x->first != y->first || isNullParam(x->second) != isNullParam(y->second))
            return false;
    return true;
}

QString shapeKey(const PlanItem &item)
{
    QString key = QString::number(int(item.kind));
    for (const auto &cell : item.values)
        key += QChar(0x1f) + cell.first;
    key += QChar(0x1e);
    for (const QVariant &value : item.key)
        key += isNullParam(value) ? QLatin1Char('n') : QLatin1Char('v');
    for (const auto &[column, value] : item.seen)
        key += QChar(0x1f) + column + (isNullParam(value) ? QLatin1Char('n') : QLatin1Char('v'));
    return key;
}

} // namespace

// Each plan item's statement: the first of a shape compiled (and its template proven), the
// rest of that shape bound straight from the item, without a Write or the compiler.
struct ChangeSet::StatementMaker {
    const State &state;
    QuerySet qs;
    Dialect dialect;
    const PlanItem *shaped = nullptr; // the last item whose template `current` is
    const WriteTemplate *current = nullptr;
    QHash<QString, std::optional<WriteTemplate>> templates; // shapeKey -> template, if proven
    std::vector<const QVariant *> slotValues;

    CompiledQuery make(const PlanItem &item)
    {
        if (!shaped || !sameShape(*shaped, item)) {
            const QString key = shapeKey(item);
            auto known = templates.find(key);
            if (known == templates.end()) {
                const Write write = state.writeFor(item);
                known = templates.insert(key, WriteTemplate::prove(qs, dialect, write));
            }
            shaped = &item;
            current = known->has_value() ? &**known : nullptr;
        }
        if (!current)
            return qs.compileWrite(dialect, state.writeFor(item));
        // Slots in writeFor's order: the values set, the key, then the values seen.
        slotValues.clear();
        for (const auto &cell : item.values)
            slotValues.push_back(&cell.second);
        for (const QVariant &value : item.key)
            slotValues.push_back(&value);
        for (const auto &cell : item.seen)
            slotValues.push_back(&cell.second);
        return {current->sql(), current->bind(slotValues)};
    }
};

// --- ChangeSet ---------------------------------------------------------------------------------

QString CommitResult::summary() const
{
    switch (status) {
    case Status::Committed:
        return statements == 1 ? QStringLiteral("1 statement committed")
                               : QStringLiteral("%1 statements committed").arg(statements);
    case Status::Nothing:
        return QStringLiteral("nothing to commit");
    case Status::Refused:
        return reason;
    case Status::Conflicts:
        return conflicts.size() == 1
                   ? conflicts.first().message + QStringLiteral("; nothing was written")
                   : QStringLiteral("%1 rows changed since they were read; nothing was written")
                         .arg(conflicts.size());
    case Status::Failed:
        return (error ? error->message : QStringLiteral("the commit failed")) +
               QStringLiteral("; nothing was written");
    }
    return {};
}

ChangeSet::ChangeSet(Registry *registry, QString database, QString schema, Model model)
    : ChangeSet(registry, std::move(database), std::move(schema), std::move(model), Options())
{
}

ChangeSet::ChangeSet(Registry *registry, QString database, QString schema, Model model,
                     Options options)
    : d(std::make_shared<State>())
{
    if (!registry)
        throw Error(Error::Kind::Configuration, QStringLiteral("a change set needs a registry"));
    d->registry = registry;
    d->database = std::move(database);
    d->schema = std::move(schema);
    d->model = std::move(model);
    d->options = std::move(options);
    d->identity = rowIdentityOf(d->model);
    for (const QString &column : std::as_const(d->identity.columns))
        d->keyLookups << column + QStringLiteral("__exact");
    Database *db = d->db(); // throws for an unknown name, listing the known ones
    d->connectionName = d->options.connectionName;
    if (d->connectionName.isEmpty())
        d->connectionName = !d->database.isEmpty() ? d->database
                            : db->url().backend() == DatabaseUrl::Backend::Sqlite
                                ? QFileInfo(db->url().path()).fileName()
                                : db->url().databaseName();
}

ChangeSet::~ChangeSet() = default;

const Model &ChangeSet::model() const
{
    return d->model;
}
const QString &ChangeSet::database() const
{
    return d->database;
}
QString ChangeSet::schema() const
{
    return d->effectiveSchema();
}
const RowIdentity &ChangeSet::identity() const
{
    return d->identity;
}
QString ChangeSet::readOnlyReason() const
{
    return d->readOnlyReason();
}
int ChangeSet::pendingCount() const
{
    return int(d->changes.size());
}
const QList<StagedChange> &ChangeSet::changes() const
{
    return d->changes;
}
bool ChangeSet::isCommitting() const
{
    return d->committing;
}

QString ChangeSet::journalPath() const
{
    return d->journal ? d->journal->path() : QString();
}

int ChangeSet::updateCell(const RowKey &key, const QString &column, const QVariant &seen,
                          const QVariant &value)
{
    d->requireStaging();
    d->stage({d->cellChange(key, column, seen, value, keyText(key))});
    return d->changes.last().id;
}

// A batch of cells staged in two passes: every cell checked before any is staged (a paste goes
// in whole or not at all), then staged in order. Stepwise, so that updateCellsInSlices() can
// give the event loop back between steps.
struct ChangeSet::CellBatch {
    State &d;
    const QList<CellEdit> &edits;
    QList<KeyText> keyTexts;
    QList<int> ids;
    qsizetype first = 0;

    CellBatch(State &state, const QList<CellEdit> &cells)
        : d(state)
        , edits(cells)
    {
        keyTexts.reserve(edits.size());
    }

    bool checked() const { return keyTexts.size() == edits.size(); }
    void checkNext()
    {
        const CellEdit &edit = edits[keyTexts.size()];
        keyTexts.append(keyText(edit.key));
        d.requireCell(edit.key, edit.column, keyTexts.last());
    }

    // Once every cell is checked: makes the journal and room for the batch.
    void startStaging()
    {
        d.ensureJournal();
        ids.reserve(edits.size());
        first = d.changes.size();
        d.changes.reserve(first + edits.size());
        d.lastOfRow.reserve(d.lastOfRow.size() + edits.size());
        d.previousOfRow.reserve(first + edits.size());
        d.texts.reserve(first + edits.size());
    }

    bool staged() const { return ids.size() == edits.size(); }
    void stageNext()
    {
        const qsizetype i = ids.size();
        const CellEdit &edit = edits[i];
        StagedChange change;
        change.kind = Kind::Update;
        change.key = edit.key;
        change.column = edit.column;
        // Indexed as they go: a cell pasted twice checks the value the server had.
        change.seen = d.originalSeen(keyTexts[i], edit.column).value_or(edit.seen);
        change.value = edit.value;
        change.id = d.nextId++;
        ids.append(change.id);
        d.append(std::move(change), keyTexts[i]);
    }
};

QList<int> ChangeSet::updateCells(const QList<CellEdit> &edits)
{
    d->requireStaging();
    CellBatch batch(*d, edits);
    while (!batch.checked())
        batch.checkNext();
    batch.startStaging();
    while (!batch.staged())
        batch.stageNext();
    d->journalStaged(batch.first);
    return batch.ids;
}

QCoro::Task<QList<int>> ChangeSet::updateCellsInSlices(QList<CellEdit> edits)
{
    d->requireStaging();
    return doUpdateCells(d, std::move(edits));
}

bool ChangeSet::isStaging() const
{
    return d->staging;
}

int ChangeSet::insertRow(const QVariantMap &values)
{
    d->requireStaging();
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        d->writableField(it.key());
    StagedChange change;
    change.kind = Kind::Insert;
    change.values = values;
    d->stage({change});
    return d->changes.last().id;
}

int ChangeSet::duplicateRow(const QVariantMap &row)
{
    QVariantMap values;
    for (auto it = row.cbegin(); it != row.cend(); ++it) {
        const Field *field = d->model.field(it.key());
        if (!field)
            throw Error(Error::Kind::UnknownField,
                        QStringLiteral("%1 has no column \"%2\"").arg(d->modelName(), it.key()));
        if (field->identity || field->generated)
            continue; // the server numbers or computes the copy's own
        values.insert(it.key(), it.value());
    }
    return insertRow(values);
}

int ChangeSet::updateInsertedCell(int insertId, const QString &column, const QVariant &value)
{
    d->requireStaging();
    d->requireLiveInsert(insertId);
    d->writableField(column);
    StagedChange change;
    change.kind = Kind::Update;
    change.insertId = insertId;
    change.column = column;
    change.value = value;
    d->stage({change});
    return d->changes.last().id;
}

int ChangeSet::deleteRow(const RowKey &key, const QVariantMap &seen)
{
    d->requireStaging();
    d->requireKey(key);
    const KeyText text = keyText(key);
    if (d->deletes.contains(text))
        usage(QStringLiteral("%1 of %2 is already staged for deletion")
                  .arg(d->describeKey(key), d->modelName()));
    StagedChange change;
    change.kind = Kind::Delete;
    change.key = key;
    for (auto it = seen.cbegin(); it != seen.cend(); ++it) {
        if (!d->model.field(it.key()))
            throw Error(Error::Kind::UnknownField,
                        QStringLiteral("%1 has no column \"%2\"").arg(d->modelName(), it.key()));
        // A cell changed before: the server still has the value first seen.
        change.values.insert(it.key(), d->originalSeen(text, it.key()).value_or(it.value()));
    }
    d->stage({change});
    return d->changes.last().id;
}

int ChangeSet::deleteInsertedRow(int insertId)
{
    d->requireStaging();
    d->requireLiveInsert(insertId);
    StagedChange change;
    change.kind = Kind::Delete;
    change.insertId = insertId;
    d->stage({change});
    return d->changes.last().id;
}

std::optional<QVariant> ChangeSet::pendingValue(const RowKey &key, const QString &column) const
{
    for (int p = d->lastOfRow.value(keyText(key), -1); p >= 0; p = d->previousOfRow[p]) {
        const StagedChange &change = d->changes[p];
        if (change.kind == Kind::Update && change.column == column)
            return change.value;
    }
    return std::nullopt;
}

bool ChangeSet::isDeleted(const RowKey &key) const
{
    return d->deletes.contains(keyText(key));
}

QList<int> ChangeSet::pendingInserts() const
{
    QList<int> ids;
    for (const StagedChange &change : d->changes)
        if (change.kind == Kind::Insert && !d->insertDeleted(change.id))
            ids << change.id;
    return ids;
}

QVariantMap ChangeSet::insertValues(int insertId) const
{
    const StagedChange *insert = d->insertChange(insertId);
    if (!insert)
        return {};
    QVariantMap values = insert->values;
    for (const StagedChange &change : d->changes)
        if (change.kind == Kind::Update && change.insertId == insertId)
            values.insert(change.column, change.value);
    return values;
}

bool ChangeSet::undo()
{
    d->requireIdle();
    if (d->changes.isEmpty())
        return false;
    // Last in, first out: the cells typed into an insert go before the insert does.
    d->removeLast();
    if (d->changes.isEmpty())
        d->forgetJournal();
    else if (d->journal)
        d->journal->undo();
    return true;
}

void ChangeSet::revert()
{
    d->requireIdle();
    d->clearChanges();
    d->forgetJournal();
}

void ChangeSet::drop(const RowKey &key)
{
    d->requireIdle();
    const KeyText text = keyText(key);
    QList<int> ids;
    for (const StagedChange &change : std::as_const(d->changes))
        if (!change.touchesInsert() && change.kind != Kind::Insert && keyText(change.key) == text)
            ids << change.id;
    if (ids.isEmpty())
        return;
    d->changes.removeIf([&ids](const StagedChange &c) { return ids.contains(c.id); });
    d->reindex();
    if (d->changes.isEmpty())
        d->forgetJournal();
    else if (d->journal)
        d->journal->drop(ids);
}

void ChangeSet::rebase(const Conflict &conflict)
{
    d->requireIdle();
    if (conflict.deleted)
        usage(QStringLiteral("%1 of %2 was deleted: its changes cannot be re-applied, drop them")
                  .arg(d->describeKey(conflict.key), d->modelName()));
    const KeyText text = keyText(conflict.key);
    for (StagedChange &change : d->changes) {
        if (change.touchesInsert() || change.kind == Kind::Insert || keyText(change.key) != text)
            continue;
        if (change.kind == Kind::Update)
            change.seen = conflict.current.value(change.column);
        else
            for (auto it = change.values.begin(); it != change.values.end(); ++it)
                it.value() = conflict.current.value(it.key());
        if (d->journal)
            d->journal->replace(change);
    }
}

QList<PlannedStatement> ChangeSet::review() const
{
    // Made as the commit makes them: what is reviewed is what is sent.
    const QuerySet qs = d->querySet();
    const QList<PlanItem> items = d->plan();
    StatementMaker maker{*d, qs, qs.dialect()};
    QList<PlannedStatement> statements;
    for (const PlanItem &item : items) {
        const CompiledQuery query = maker.make(item);
        statements.append(
            {item.kind, query.sql, query.params, item.key, item.insertId, item.changeIdList()});
    }
    return statements;
}

QCoro::Task<CommitResult> ChangeSet::commit()
{
    d->requireIdle();
    return doCommit(d);
}

namespace {

QCoro::Task<> rollbackQuietly(Transaction &transaction)
{
    if (!transaction.isActive())
        co_return;
    try {
        co_await transaction.rollback();
    } catch (const std::exception &error) {
        qWarning("strata: rollback after a failed commit failed: %s", error.what());
    }
}

constexpr auto kSlice = std::chrono::milliseconds(2);
// Writes are sent in chunks, each while the next is built: small at first, so the server
// (SQLite's worker thread) starts early, then 4 times larger each time, so that building a
// chunk (a fraction of what writing it costs) stays ahead and few hand-offs between the two
// threads are waited for (each can wait for a core on a busy machine).
constexpr qsizetype kFirstChunk = 256;
constexpr qsizetype kLargestChunk = 16384;

// Says when a slice of work has had its time, to give the event loop back (the clock is read
// every 64 steps: reading it costs).
class SliceClock {
public:
    bool over()
    {
        if ((++m_work & 63) != 0 || std::chrono::steady_clock::now() - m_start < kSlice)
            return false;
        m_start = std::chrono::steady_clock::now();
        return true;
    }

private:
    qsizetype m_work = 0;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// Sets a flag (committing, staging) for as long as a task runs, however it ends.
struct BusyScope {
    explicit BusyScope(bool &flag)
        : m_flag(flag)
    {
        m_flag = true;
    }
    ~BusyScope() { m_flag = false; }
    bool &m_flag;
};

} // namespace

QCoro::Task<QList<int>> ChangeSet::doUpdateCells(std::shared_ptr<State> d, QList<CellEdit> edits)
{
    const BusyScope scope(d->staging);
    CellBatch batch(*d, edits);
    SliceClock slice;
    while (!batch.checked()) {
        batch.checkNext();
        if (slice.over())
            co_await NextTurn{};
    }
    batch.startStaging();
    // Journaled slice by slice as the cells are staged: what a crash leaves is what was staged.
    qsizetype journaled = batch.first; // the changes before it are in the journal
    while (!batch.staged()) {
        batch.stageNext();
        if (slice.over()) {
            d->journalStaged(journaled);
            journaled = d->changes.size();
            co_await NextTurn{};
        }
    }
    d->journalStaged(journaled);
    co_return batch.ids;
}

QCoro::Task<CommitResult> ChangeSet::doCommit(std::shared_ptr<State> d)
{
    CommitResult result;
    if (d->changes.isEmpty())
        co_return result;
    result.reason = d->readOnlyReason();
    if (!result.reason.isEmpty()) {
        result.status = CommitResult::Status::Refused;
        co_return result;
    }
    const BusyScope scope(d->committing);
    // Planned in slices that give the event loop back: a commit of 10,000 changes must not
    // freeze the window before its first statement is sent.
    co_await NextTurn{}; // the caller (a click, say) gets its turn of the loop back first
    // Folded as they are sent: a row's item is complete once the row's last change is folded,
    // and the complete items (a prefix) are made into statements and sent while the rest are
    // folded, so the worker starts before the 10,000th change is planned.
    const qsizetype total = d->changes.size();
    const std::vector<int> lastOf = d->lastChangeOfEach();
    PlanBuilder builder(total);
    qsizetype folded = 0;   // changes folded into builder.items
    qsizetype complete = 0; // items whose every change is folded: a prefix of builder.items
    qsizetype made = 0;     // items made into statements, or skipped (dropped inserts)
    int frontier = -1;      // the last change the items folded so far wait for
    SliceClock slice;
    const auto foldNext = [&]() {
        frontier = qMax(frontier, lastOf[size_t(folded)]);
        builder.add(d->changes[folded], folded, d->previousOfRow[folded], d->identity);
        ++folded;
        if (folded > frontier)
            complete = builder.items.size();
    };
    while (folded < total && complete < kFirstChunk) {
        foldNext();
        if (slice.over())
            co_await NextTurn{};
    }
    const bool anyWrite =
        folded < total || std::any_of(builder.items.cbegin(), builder.items.cend(),
                                      [](const PlanItem &item) { return !item.dropped; });
    QList<PlanItem> items; // once folded: the items sent, in order (dropped inserts left out)

    if (anyWrite) {
        const QuerySet qs = d->querySet();
        Database *const db = qs.database();
        const bool postgres = db->url().backend() == DatabaseUrl::Backend::Postgres;
        Transaction transaction;
        WriteResults written;
        std::optional<Error> failure;
        try {
            transaction = co_await Transaction::begin(db);
            if (postgres) {
                // A row another session holds locked fails the commit after this long, rather
                // than hanging it (transaction-local: nothing stays on the pooled connection).
                const QVariantList timeout{QStringLiteral("%1ms").arg(d->options.lockTimeoutMs)};
                co_await transaction.execute(
                    QStringLiteral("SELECT pg_catalog.set_config('lock_timeout', $1, true)"),
                    timeout);
            }
            // In chunks, each sent while the next is folded and built: the server (SQLite's
            // worker thread) writes while this thread prepares, instead of one waiting for the
            // other. builder.items has room for every item: `maker` may point into it.
            const QuerySet inTransaction = qs.inTransaction(transaction);
            StatementMaker maker{*d, qs, qs.dialect()};
            written.affected.reserve(total);
            QList<CompiledQuery> next;
            qsizetype chunk = kFirstChunk;
            next.reserve(chunk);
            while (next.size() < chunk && (made < complete || folded < total)) {
                if (made < complete) {
                    const PlanItem &item = builder.items[made++];
                    if (!item.dropped)
                        next.append(maker.make(item));
                } else {
                    foldNext();
                }
                if (slice.over())
                    co_await NextTurn{};
            }
            qsizetype start = 0;
            while (!next.isEmpty()) {
                const qsizetype end = start + next.size();
                QCoro::Task<WriteResults> sending = inTransaction.writeCompiled(std::move(next));
                next = QList<CompiledQuery>();
                chunk = qMin(chunk * 4, kLargestChunk);
                next.reserve(qMin(chunk, total - end));
                // A write that does not compile must not leave `sending` unawaited.
                std::optional<Error> compileError;
                while (next.size() < chunk && (made < complete || folded < total) &&
                       !compileError) {
                    if (made < complete) {
                        const PlanItem &item = builder.items[made++];
                        try {
                            if (!item.dropped)
                                next.append(maker.make(item));
                        } catch (const Error &error) {
                            compileError = error;
                        }
                    } else {
                        foldNext();
                    }
                    if (slice.over())
                        co_await NextTurn{};
                }
                WriteResults part = co_await sending;
                written.affected += part.affected;
                if (!part.ok()) {
                    written.failedIndex = part.failedIndex < 0 ? -1 : int(start + part.failedIndex);
                    written.error = part.error;
                    break;
                }
                if (compileError)
                    throw *compileError;
                start = end;
            }
        } catch (const Error &error) {
            failure = error;
        }
        // Every item when all went well; on a failure the statements sent are its prefix.
        items = builder.finish();
        if (failure || !written.ok()) {
            co_await rollbackQuietly(transaction);
            const PlanItem *item = written.failedIndex >= 0 ? &items[written.failedIndex] : nullptr;
            result.status = CommitResult::Status::Failed;
            result.error = d->errorFor(failure ? *failure : *written.error, item);
            co_return result;
        }

        QList<qsizetype> conflicting;
        for (qsizetype i = 0; i < items.size(); ++i) {
            const qint64 affected = written.affected.value(i);
            if (items[i].kind != Kind::Insert && affected == 0) {
                conflicting << i;
            } else if (affected > 1 || (items[i].kind == Kind::Insert && affected == 0)) {
                co_await rollbackQuietly(transaction);
                result.status = CommitResult::Status::Failed;
                CommitError error;
                error.kind = CommitError::Kind::TooManyRows;
                error.key = items[i].key;
                error.insertId = items[i].insertId;
                error.changeIds = items[i].changeIdList();
                error.message =
                    affected > 1
                        ? QStringLiteral("%1 matched %2 rows of %3: its key (%4) is not unique "
                                         "there")
                              .arg(d->describeKey(items[i].key))
                              .arg(affected)
                              .arg(d->modelName(), d->identity.columns.join(QStringLiteral(", ")))
                        : QStringLiteral("%1: the server inserted no row")
                              .arg(d->describeInsert(items[i].insertId));
                error.kind =
                    affected > 1 ? CommitError::Kind::TooManyRows : CommitError::Kind::Other;
                result.error = error;
                co_return result;
            }
        }

        if (!conflicting.isEmpty()) {
            co_await rollbackQuietly(transaction);
            result.status = CommitResult::Status::Conflicts;
            for (qsizetype i : std::as_const(conflicting)) {
                const PlanItem &item = items[i];
                Conflict conflict;
                conflict.key = item.key;
                conflict.changeIds = item.changeIdList();
                Result current;
                std::optional<Error> readError;
                try {
                    current = co_await qs.filter(d->keyCondition(item.key)).all();
                } catch (const Error &error) {
                    readError = error;
                }
                if (readError) {
                    conflict.message = QStringLiteral("%1 changed since it was read (reading it "
                                                      "again failed: %2)")
                                           .arg(d->describeKey(item.key), readError->message());
                } else if (current.rowCount() == 0) {
                    conflict.deleted = true;
                    conflict.message = QStringLiteral("%1 was deleted since it was read")
                                           .arg(d->describeKey(item.key));
                } else {
                    const RowBatch batch = toBatch(current);
                    for (int c = 0; c < current.columnCount(); ++c)
                        conflict.current.insert(current.columns[c].name, batch.rawValue(0, c));
                    QStringList changed;
                    for (const auto &[column, seen] : item.seen)
                        if (!sameValue(seen, conflict.current.value(column))) {
                            conflict.columns << column;
                            changed << QStringLiteral("%1 is now %2 (was %3)")
                                           .arg(column, shown(conflict.current.value(column)),
                                                shown(seen));
                        }
                    if (conflict.columns.isEmpty())
                        conflict.columns = item.seen.columns();
                    conflict.message = QStringLiteral("%1 was changed since it was read")
                                           .arg(d->describeKey(item.key));
                    if (!changed.isEmpty())
                        conflict.message +=
                            QStringLiteral(": ") + changed.join(QStringLiteral(", "));
                }
                result.conflicts.append(std::move(conflict));
            }
            co_return result;
        }

        try {
            co_await transaction.commit();
        } catch (const Error &error) {
            failure = error;
        }
        if (failure) {
            result.status = CommitResult::Status::Failed;
            result.error = d->errorFor(*failure, nullptr);
            co_return result;
        }
        result.statements = int(items.size());
        for (qint64 n : std::as_const(written.affected))
            result.rowsChanged += qMax<qint64>(n, 0);
    }

    result.status = CommitResult::Status::Committed;
    d->clearChanges();
    d->forgetJournal();
    co_return result;
}

// --- journals ----------------------------------------------------------------------------------

QList<JournalSummary> ChangeSet::journalsLeftBehind(const QString &directory)
{
    return ChangeJournal::list(directory);
}

void ChangeSet::discardJournal(const QString &journalPath)
{
    ChangeJournal::discard(journalPath);
}

void ChangeSet::restore(const QString &journalPath)
{
    if (!d->changes.isEmpty())
        usage(QStringLiteral("%1: restore a journal into a change set without changes")
                  .arg(d->modelName()));
    const ChangeJournal::Contents contents = ChangeJournal::read(journalPath);
    const JournalHeader &header = contents.header;
    if (header.table != d->model.table || header.schema != d->effectiveSchema() ||
        header.connection != d->connectionName)
        usage(QStringLiteral("the journal %1 holds changes to %2 in %3 (schema %4), not to %5 in "
                             "%6 (schema %7)")
                  .arg(journalPath, header.table, header.connection, header.schema, d->model.table,
                       d->connectionName, d->effectiveSchema()));
    if (header.key != d->identity.columns)
        usage(QStringLiteral("the journal %1 identifies rows of %2 by (%3), the table now by (%4)")
                  .arg(journalPath, header.table, header.key.join(QStringLiteral(", ")),
                       d->identity.columns.join(QStringLiteral(", "))));
    std::unique_ptr<ChangeJournal> journal = ChangeJournal::adopt(journalPath);
    d->changes = contents.changes;
    d->nextId = 1;
    for (const StagedChange &change : std::as_const(d->changes))
        d->nextId = qMax(d->nextId, change.id + 1);
    d->reindex();
    d->journal = std::move(journal);
}

} // namespace orm::editing
