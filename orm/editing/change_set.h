#pragma once

// Staged, conflict-checked edits of one model in one database and schema: what the grid's
// editing is built on. Changes are staged (cells, inserts, duplicates, deletes), undone one by
// one or reverted, reviewed as the exact SQL that will run, and committed in one transaction
// through QuerySet writes.
//
//   orm::editing::ChangeSet edits(&registry, "pagila", "public", film, {journalDir, "pagila"});
//   edits.updateCell(key, "title", seenTitle, newTitle);
//   const auto result = co_await edits.commit();
//   if (result.status == CommitResult::Status::Conflicts) ... result.conflicts ...
//
// Nothing is overwritten silently: each UPDATE and DELETE matches its row by the key and by
// the values the user saw in the columns it changes (IS NOT DISTINCT FROM; SQLite: IS). When
// one matches no row (someone changed or deleted it since), the whole commit is rolled back,
// the rows are read again by key, and the changes stay staged: rebase() takes the current
// values as the ones seen (the next commit then overwrites them knowingly), drop() forgets
// the row's changes. A failing statement (a constraint, a type, a lock wait, SQLite busy)
// rolls back too and names the row it concerned. Values are best given as they were read
// (RowBatch::rawValue: the server's text on PostgreSQL), so the check compares what the
// server stores, to the microsecond.
//
// Use it on one thread. A commit task (and a sliced staging) holds the set's state, so the set
// may be destroyed while one runs; while it runs, staging, undo, revert, drop and rebase throw
// Error(Usage).

#include "orm/editing/change_journal.h"
#include "orm/editing/row_identity.h"
#include "orm/editing/staged_change.h"
#include "orm/query/queryset.h"

#include <QCoro/QCoroTask>

#include <memory>
#include <optional>

namespace orm {
class Registry;
}

namespace orm::editing {

// One statement commit() will send, in order, with the changes it carries.
struct PlannedStatement {
    StagedChange::Kind kind = StagedChange::Kind::Update;
    QString sql;
    QVariantList params;
    RowKey key;       // the stored row's key; empty for an insert
    int insertId = 0; // an insert's change id
    QList<int> changeIds;
};

// A row that changed or went away since the user read it.
struct Conflict {
    RowKey key;
    bool deleted = false;
    QVariantMap current;  // the row as it is now (raw values), empty when deleted
    QStringList columns;  // the checked columns whose value is no longer the one seen
    QList<int> changeIds; // the staged changes it stops
    QString message;      // "row film_id=7 was changed since it was read: title is now ..."
};

// A statement that failed, and the row it was for.
struct CommitError {
    enum class Kind {
        UniqueViolation,
        ForeignKeyViolation,
        CheckViolation,
        NotNullViolation,
        TypeError, // a value the column's type refuses
        LockTimeout,
        Busy, // SQLite: another connection holds the file's write lock
        ReadOnly,
        TooManyRows, // the key matched more than one row: nothing was written
        Other,
    };
    Kind kind = Kind::Other;
    QString message; // "row film_id=7: duplicate key value violates unique constraint ..."
    QString sqlState;
    RowKey key;       // the stored row concerned; empty for an insert or none
    int insertId = 0; // the insert concerned
    QList<int> changeIds;
};

struct CommitResult {
    enum class Status {
        Committed, // every statement ran and the transaction committed
        Nothing,   // nothing was staged
        Refused,   // not editable (reason): nothing was sent
        Conflicts, // rolled back: rows changed since they were read (conflicts)
        Failed,    // rolled back: a statement or the commit failed (error)
    };
    Status status = Status::Nothing;
    QString reason;                   // Refused: why
    int statements = 0;               // Committed: how many ran
    qint64 rowsChanged = 0;           // Committed: rows inserted, updated and deleted
    QList<Conflict> conflicts;        // Conflicts
    std::optional<CommitError> error; // Failed
    bool ok() const { return status == Status::Committed || status == Status::Nothing; }
    // One line for people: "3 statements committed", "2 rows changed since they were read",
    // the error's message...
    QString summary() const;
};

class ChangeSet {
public:
    struct Options {
        QString journalDirectory; // empty: no journal
        // The name the user knows the connection by ("pagila"): what the journal names. Empty:
        // the registry's name of the database, else its database name or file name.
        QString connectionName;
        // PostgreSQL: how long a statement waits for a row lock another session holds.
        int lockTimeoutMs = 5000;
    };

    // Edits of `model` (fields loaded) in the registry's database `database` (an extra's
    // name; empty: the primary) and `schema` (empty: the model's own). Throws
    // Error(Configuration) for an unknown database.
    ChangeSet(Registry *registry, QString database, QString schema, Model model);
    ChangeSet(Registry *registry, QString database, QString schema, Model model, Options options);
    ~ChangeSet();
    ChangeSet(const ChangeSet &) = delete;
    ChangeSet &operator=(const ChangeSet &) = delete;

    const Model &model() const;
    const QString &database() const;
    QString schema() const;
    const RowIdentity &identity() const;
    // Why nothing can be staged or committed (a model without a key, a materialized view, a
    // database that takes no changes: a standby, a read-only file); empty when editable.
    QString readOnlyReason() const;
    bool isEditable() const { return readOnlyReason().isEmpty(); }

    // --- staging: each returns the new change's id; Error(Usage) naming what is wrong (a
    // read-only set, an unknown or generated column, a key of the wrong size, a row staged for
    // deletion, a commit under way) ----------------------------------------------------------
    int updateCell(const RowKey &key, const QString &column, const QVariant &seen,
                   const QVariant &value);
    // Many cells at once (a paste): one journal write; undone one by one like the others.
    struct CellEdit {
        RowKey key;
        QString column;
        QVariant seen;
        QVariant value;
    };
    QList<int> updateCells(const QList<CellEdit> &edits);
    // The same in slices that give the event loop back every few milliseconds, so that a window
    // stays responsive through a paste of 10,000 cells (done at once when it is small): every
    // cell checked first, then staged and journaled slice by slice. Until the last is staged,
    // staging, undo, revert, drop, rebase and commit throw Error(Usage). Holds the set's state,
    // like commit().
    QCoro::Task<QList<int>> updateCellsInSlices(QList<CellEdit> edits);
    bool isStaging() const;
    // A new row; columns not in `values` are left to the server (defaults, identity,
    // generated). An invalid QVariant value is an explicit NULL.
    int insertRow(const QVariantMap &values = {});
    // A new row with `row`'s values, less its identity and generated columns.
    int duplicateRow(const QVariantMap &row);
    // A cell of a row staged for insertion.
    int updateInsertedCell(int insertId, const QString &column, const QVariant &value);
    // Deletes a stored row; `seen` is the row as the user saw it (the columns checked).
    int deleteRow(const RowKey &key, const QVariantMap &seen);
    // Drops a row staged for insertion (it will not be inserted).
    int deleteInsertedRow(int insertId);

    // --- what is staged ------------------------------------------------------------------------
    int pendingCount() const;
    bool hasChanges() const { return pendingCount() > 0; }
    const QList<StagedChange> &changes() const;
    // The staged value of a stored row's cell, if it has one.
    std::optional<QVariant> pendingValue(const RowKey &key, const QString &column) const;
    bool isDeleted(const RowKey &key) const;
    // The rows staged for insertion (their Insert change ids), in order.
    QList<int> pendingInserts() const;
    // The values an insert has so far.
    QVariantMap insertValues(int insertId) const;

    // Takes back the last change; false when there was none.
    bool undo();
    // Drops every change (and the journal).
    void revert();
    // Forgets every change of one stored row (a conflict the user gives up).
    void drop(const RowKey &key);
    // Takes a conflict's current values as the ones seen, so the next commit writes over them.
    // A deleted row cannot be rebased: Error(Usage) (drop it).
    void rebase(const Conflict &conflict);

    // The statements commit() would run now, in order, with their parameters.
    QList<PlannedStatement> review() const;
    // Runs them in one transaction; see the class comment. Database errors come back in the
    // result, with the changes still staged.
    QCoro::Task<CommitResult> commit();
    bool isCommitting() const;

    // --- the journal ---------------------------------------------------------------------------
    // Its file, once a change was staged (empty without a directory, or before).
    QString journalPath() const;
    // Journals left behind in `directory` (of any model).
    static QList<JournalSummary> journalsLeftBehind(const QString &directory);
    // Loads a journal left behind into this (empty) set and goes on writing it. Error(Usage)
    // when it is of another model or schema, or the set has changes.
    void restore(const QString &journalPath);
    static void discardJournal(const QString &journalPath);

private:
    struct State;
    struct StatementMaker;
    struct CellBatch;
    static QCoro::Task<QList<int>> doUpdateCells(std::shared_ptr<State> state,
                                                 QList<CellEdit> edits);
    static QCoro::Task<CommitResult> doCommit(std::shared_ptr<State> state);
    std::shared_ptr<State> d;
};

} // namespace orm::editing
