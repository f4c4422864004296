#pragma once

// The lookup a foreign-key cell's editor offers: as the user types, the referenced table's rows
// whose key, or one of its readable text columns, contains the text (any case) are searched on
// the server through the ORM's QuerySet, a page at a time in key order ("more…" reads the next
// page by keyset), debounced, stale answers dropped. Picking a row puts its key in the editor,
// which stages it as typed text is staged; typing a key directly still works. Only single-column
// foreign keys get one (a composite key's columns edit plainly).

#include "orm/core/model.h"

#include <QCoro/QCoroTask>
#include <QPointer>
#include <QTimer>
#include <QVariant>
#include <QWidget>

#include <functional>
#include <optional>

class QLineEdit;
class QListWidget;
class QListWidgetItem;

namespace orm {
class Registry;
}

namespace strata::ui::editing {

// Rows per page of the lookup.
constexpr int kLookupPageRows = 50;

// The referenced table of one foreign key, loaded, and what the lookup shows of its rows.
struct LookupTarget {
    QString database; // the registry's name ("" the primary)
    QString schema;   // the referenced table's schema: the key's own, else the tenant's
    orm::Model model;
    QString keyColumn;
    QStringList textColumns; // at most two
};

struct LookupRow {
    QVariant key;
    QString keyText;
    QString label; // the text columns, joined
};

struct LookupPage {
    QList<LookupRow> rows;
    bool more = false; // rows past this page match too
};

// The columns shown beside the key: up to two text columns other than the key, names that
// read as one first (name, title, label, ...), then in table order.
QStringList readableColumns(const orm::Model &model, const QString &keyColumn);

// Loads the model `key` (one column) references, from `database` in the key's target schema,
// else `schema` (the active tenant's).
QCoro::Task<LookupTarget> loadLookupTarget(orm::Registry *registry, QString database,
                                           QString schema, orm::ForeignKey key);

// The referenced rows whose key or text columns contain `text` (no filter when empty), in key
// order, after `afterKey` (invalid: from the first), at most `limit`.
QCoro::Task<LookupPage> searchLookup(orm::Registry *registry, LookupTarget target, QString text,
                                     QVariant afterKey, int limit = kLookupPageRows);

// How the lookup reads a page: searchLookup on the registry, unless told otherwise (a test that
// must decide when each answer comes).
using LookupSearch =
    std::function<QCoro::Task<LookupPage>(LookupTarget target, QString text, QVariant afterKey)>;

// The editor: the cell's line editor with the list of matching rows below it (or above).
class ForeignKeyLookup : public QWidget {
    Q_OBJECT

public:
    // `editor`: the cell's own line editor, taken over. `known`: the target already loaded
    // for this key (GridEditing keeps them per table); `remember` is given one loaded here.
    // `searcher` reads the pages (searchLookup on `registry` when empty).
    ForeignKeyLookup(orm::Registry *registry, const QString &database, const QString &schema,
                     const orm::ForeignKey &key, QLineEdit *editor,
                     std::optional<LookupTarget> known,
                     std::function<void(const LookupTarget &)> remember, QWidget *parent,
                     LookupSearch searcher = {});

    QLineEdit *lineEdit() const { return m_editor; }
    QListWidget *list() const { return m_list; }
    // A search (or the target's loading) is under way.
    bool isBusy() const { return m_running > 0; }
    // What the list says when it has no rows: a search under way, none found, an error.
    QString status() const { return m_status; }
    // The rows listed, in order ("more…" not counted).
    int rowCount() const;
    bool hasMore() const { return m_more; }
    // Puts row `row`'s key in the editor and emits picked().
    void pick(int row);
    // Reads the next page of the same search.
    void fetchMore();
    // The rows' list above the editor (a cell near the grid's bottom) or below it; the arrow
    // keys move between the two in the direction they are shown.
    void setRowsAbove(bool above);
    bool rowsAbove() const { return m_rowsAbove; }

signals:
    // A row was picked: the delegate takes the editor's value and closes it.
    void picked();
    // A page arrived (or failed) for the text now typed.
    void searched();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void search();
    void fetch(bool more);
    void showPage(const LookupPage &page, bool more);
    void showStatus(const QString &status);
    void activate(QListWidgetItem *item);

    orm::Registry *m_registry;
    QString m_database;
    QString m_schema;
    orm::ForeignKey m_key;
    std::optional<LookupTarget> m_target;
    std::function<void(const LookupTarget &)> m_remember;
    LookupSearch m_search;
    QLineEdit *m_editor;
    QListWidget *m_list;
    QTimer m_debounce;
    int m_generation = 0; // answers for an older text are dropped
    int m_running = 0;
    bool m_typed = false; // until the user types, the rows are not filtered
    bool m_more = false;
    bool m_rowsAbove = false;
    QVariant m_lastKey;
    QString m_status;
};

} // namespace strata::ui::editing
