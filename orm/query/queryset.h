#pragma once

#include "orm/core/model.h"
#include "orm/database/database.h"
#include "orm/query/lookup.h"
#include "orm/query/sql_compiler.h"
#include "orm/registry/registry.h"

#include <QCoro/QCoroTask>
#include <QPointer>
#include <QVariantMap>

#include <memory>
#include <optional>

namespace orm {

class Transaction;

namespace detail {
struct TransactionState;
}

// One row of a result: its columns and its values (converted by each column's logical type; an
// invalid QVariant for NULL).
class Row {
public:
    Row() = default;
    Row(Columns columns, QVariantList values);
    static Row fromResult(const Result &result, int row);

    const Columns &columns() const { return m_columns; }
    const QVariantList &values() const { return m_values; }
    int size() const { return int(m_values.size()); }
    bool isEmpty() const { return m_values.isEmpty(); }

    // -1 when there is no column of that name.
    int indexOf(const QString &name) const;
    bool contains(const QString &name) const { return indexOf(name) >= 0; }
    // An invalid QVariant for NULL and for a column the row does not have.
    QVariant value(const QString &name) const;
    QVariant value(int column) const { return m_values.value(column); }
    QVariantMap toMap() const;

private:
    Columns m_columns;
    QVariantList m_values;
};

// Lets the caller stop a running query (a long count, say): pass it to count() or all(), then
// cancel() while the task waits. The task throws Error(Cancelled); the connection stays usable
// and goes back to its pool only after the cancel request is done, so it can never hit the
// next statement. A cancelled token cancels the later operations it is given at once.
// Use it on the thread that runs the query. Copies share one state.
class CancelToken {
public:
    CancelToken();
    void cancel();
    bool isCancelled() const;

private:
    friend class QuerySet;
    struct State;
    std::shared_ptr<State> m_state;
};

// Rows of a query, batch by batch, on a connection held until the end (or until the stream is
// destroyed). Move-only; keep it alive while a next() is awaited.
//
//   QueryStream stream = co_await qs.stream(1000);
//   while (std::optional<RowBatch> batch = co_await stream.next()) { ... }
class QueryStream {
public:
    QueryStream() = default;
    QueryStream(QueryStream &&) noexcept = default;
    QueryStream &operator=(QueryStream &&) noexcept = default;
    ~QueryStream();

    const Columns &columns() const { return m_columns; }
    // The next batch, or std::nullopt once every row was read (the connection is then released).
    QCoro::Task<std::optional<RowBatch>> next();
    bool atEnd() const { return m_connection == nullptr; }

private:
    friend class QuerySet;
    ConnectionLease m_lease;                                 // empty in a transaction
    std::shared_ptr<detail::TransactionState> m_transaction; // keeps its connection alive
    drivers::Connection *m_connection = nullptr;
    Columns m_columns;
};

// One write of QuerySet::writeAll: an insert of `values` (fields not named are left to the
// server: defaults, identity, generated), or an update (`values` set) or delete of the rows
// `where` matches, on top of the query set's own filter.
struct Write {
    enum class Kind { Create, Update, Remove };
    Kind kind = Kind::Update;
    Q where;
    QVariantMap values;
};

// What writeAll did: rows changed per write, in order (-1 for writes that did not run), and the
// first failure: the index of the write whose statement failed (-1 when the failure was not one
// write's, a lost connection say) and its error, the driver's "parameter set" prefix removed.
struct WriteResults {
    QList<qint64> affected;
    int failedIndex = -1;
    std::optional<Error> error;
    bool ok() const { return !error; }
};

// A lazy, immutable, chainable query on one model, as in Edgy and Django: every builder call
// returns a new QuerySet, and nothing runs until a terminal operation (a QCoro::Task) is awaited.
//
//   orm::QuerySet customers(&registry, customerModel);
//   auto page = co_await customers.filter(orm::Q("name__icontains", "ann"))
//                          .orderBy({"name", "-id"}).limit(50).all();
//
// Where it runs (Edgy's using(database, schema)): the registry's primary database (or, for
// a reflected model, the database it was read from: Model::database) unless usingDatabase()
// picks an extra by name or a Database object; the model's schema unless
// usingSchema() (or a TenantScope) picks one. An explicit choice overrides the model's default
// and a tenant scope's; the SQL addresses the schema-qualified table.
//
// Keyset pagination (how a grid pages deep tables without OFFSET): with orderBy(keys),
// after(values) keeps the rows strictly after `values` of those keys and before(values) the
// rows strictly before them, honouring each key's direction (mixed ASC/DESC work). before()
// returns its rows in reverse order, nearest the bound first, so paging up is
// before(firstRowKeys).limit(n) and the page shown is the result read backwards; reversed()
// gives the same orientation for the last page. Make the ordering total (end it with the
// primary key) or rows sharing a key value are skipped. NULL sorts as the greatest value on
// both backends; NULL key values are valid bounds. Without orderBy(), keyset paging, first()
// and last() order by the primary key.
//
// Field names are checked against the model when the query compiles (in the terminal
// operation, or compile*()): an unknown one throws Error(UnknownField) before any SQL is sent.
// Copies are cheap (implicitly shared); the task of a terminal operation keeps its own copy,
// so the QuerySet may go away while it runs.
class QuerySet {
public:
    QuerySet(Registry *registry, Model model);
    // A query set on one database, without a registry (usingDatabase(name) is then unknown).
    QuerySet(Database *database, Model model);

    // --- building: each returns a new QuerySet -------------------------------------------------
    QuerySet filter(const Q &condition) const;
    // The rows `condition` does not match (rows where it is NULL included, as in Django).
    QuerySet exclude(const Q &condition) const;
    // "name" ascending, "-name" descending; replaces an earlier ordering.
    QuerySet orderBy(const QStringList &keys) const;
    // The ordering with every direction flipped (by primary key when none was given).
    QuerySet reversed() const;
    QuerySet limit(qint64 rows) const;
    QuerySet offset(qint64 rows) const;
    // Keyset bounds: one value per ordering key, in orderBy() order. See the class comment.
    QuerySet after(const QVariantList &sortKeyValues) const;
    QuerySet before(const QVariantList &sortKeyValues) const;
    // Only these columns (all() and stream() return them in this order).
    QuerySet values(const QStringList &columns) const;

    // The database by extra name (empty: the primary). Throws Error(Configuration) listing
    // the known names for an unknown one, at once. Leaves a transaction (see inTransaction).
    QuerySet usingDatabase(const QString &extraName) const;
    QuerySet usingDatabase(Database *database) const;
    QuerySet usingDefaultDatabase() const;
    // A schema by name; an empty name means none (the database's default search path / main).
    QuerySet usingSchema(const QString &schema) const;
    // Back to the model's own schema.
    QuerySet usingModelSchema() const;
    // Edgy's combined using(database, schema): an extra name (empty: the primary) and a
    // schema (empty: none).
    QuerySet using_(const QString &database, const QString &schema) const;
    QuerySet using_(Database *database, const QString &schema) const;
    // Runs on the transaction's connection (and database) until usingDatabase() is called.
    // The transaction must outlive the tasks; once it ended, operations throw Error(Usage).
    QuerySet inTransaction(const Transaction &transaction) const;
    // Used by TenantScope: the tenant's schema, unless an explicit schema was chosen.
    QuerySet withTenantSchema(const QString &schema) const;

    // --- what it is ----------------------------------------------------------------------------
    const Model &model() const { return m_spec.model; }
    // The database it runs on; throws Error(Usage) when there is none (registry gone).
    Database *database() const;
    // The schema the SQL addresses (empty: the database's default).
    QString schema() const { return effectiveSchema(); }
    Dialect dialect() const;
    // Everything the compiler sees, as a value.
    QuerySpec spec() const;

    // --- SQL without a database (tests, "show SQL" in the UI) ----------------------------------
    CompiledQuery compileSelect(Dialect dialect) const;
    CompiledQuery compileCount(Dialect dialect) const;
    CompiledQuery compileExists(Dialect dialect) const;
    CompiledQuery compileInsert(Dialect dialect, const QVariantMap &values) const;
    CompiledQuery compileUpdate(Dialect dialect, const QVariantMap &values) const;
    CompiledQuery compileDelete(Dialect dialect) const;
    // The statement writeAll() sends for `write` (an insert without RETURNING).
    CompiledQuery compileWrite(Dialect dialect, const Write &write) const;

    // --- terminal operations -------------------------------------------------------------------
    QCoro::Task<Result> all(CancelToken cancel = {}) const;
    // The number of rows all() would return; cancellable (the grid's background row count).
    QCoro::Task<qint64> count(CancelToken cancel = {}) const;
    QCoro::Task<bool> exists() const;
    // Exactly one row: Error(NoRow) or Error(SeveralRows), naming the model and the filter.
    QCoro::Task<Row> get() const;
    // The first row of the ordering (by primary key when unordered); nullopt when none.
    QCoro::Task<std::optional<Row>> first() const;
    // The last one: the ordering reversed (by primary key when unordered).
    QCoro::Task<std::optional<Row>> last() const;
    QCoro::Task<QueryStream> stream(int batchRows = 4096) const;

    // Inserts one row and returns it as stored (defaults and identity included), by RETURNING.
    QCoro::Task<Row> create(QVariantMap values) const;
    // Inserts every row in one all-or-nothing batch (pipelined on PostgreSQL, one transaction
    // on SQLite). Every row names the same fields. Returns the number of rows inserted.
    QCoro::Task<qint64> bulkCreate(QList<QVariantMap> rows) const;
    // Sets `values` on the matching rows; returns how many changed.
    QCoro::Task<qint64> update(QVariantMap values) const;
    // Deletes the matching rows; returns how many.
    QCoro::Task<qint64> remove() const;
    // Runs the writes in order without waiting for each reply: consecutive writes that compile
    // to the same SQL go as one executeBatch (pipelined on PostgreSQL). Stops at the first
    // failing statement; database errors are returned, not thrown (Error(Usage) and
    // Error(UnknownField) from compiling are thrown, before anything is sent). Use it in a
    // transaction (inTransaction) for all or nothing: outside one each run of same-SQL writes
    // is its own. Compiling hands the event loop back every few milliseconds.
    QCoro::Task<WriteResults> writeAll(QList<Write> writes) const;
    // Runs statements already compiled as writeAll() runs its writes (runs of the same SQL as
    // one executeBatch, stopping at the first failure): compileWrite()'s, or a WriteTemplate's
    // for many rows of one shape.
    QCoro::Task<WriteResults> writeCompiled(QList<CompiledQuery> statements) const;

private:
    enum class SchemaChoice { Model, Tenant, Explicit };

    QString effectiveSchema() const;
    // The ordering the SQL uses: orderBy() (or the primary key where one is needed), flipped
    // by reversed().
    QList<OrderKey> effectiveOrder(bool needOrder) const;
    QuerySpec specFor(bool needOrder) const;

    // Runs one statement on the transaction's connection or on a leased one.
    QCoro::Task<Result> run(CompiledQuery query, QString operation, CancelToken cancel) const;

    static QCoro::Task<Result> doAll(QuerySet self, CancelToken cancel);
    static QCoro::Task<qint64> doCount(QuerySet self, CancelToken cancel);
    static QCoro::Task<bool> doExists(QuerySet self);
    static QCoro::Task<Row> doGet(QuerySet self);
    static QCoro::Task<std::optional<Row>> doFirst(QuerySet self, bool last);
    static QCoro::Task<QueryStream> doStream(QuerySet self, int batchRows);
    static QCoro::Task<Row> doCreate(QuerySet self, QVariantMap values);
    static QCoro::Task<qint64> doBulkCreate(QuerySet self, QList<QVariantMap> rows);
    static QCoro::Task<qint64> doUpdate(QuerySet self, QVariantMap values);
    static QCoro::Task<qint64> doRemove(QuerySet self);
    static QCoro::Task<WriteResults> doWriteAll(QuerySet self, QList<Write> writes);
    static QCoro::Task<WriteResults> doWriteCompiled(QuerySet self,
                                                     QList<CompiledQuery> statements);

    QPointer<Registry> m_registry;
    QPointer<Database> m_database; // chosen with usingDatabase() (m_hasDatabase)
    bool m_hasDatabase = false;    // false: the registry's primary
    std::shared_ptr<detail::TransactionState> m_transaction;
    SchemaChoice m_schemaChoice = SchemaChoice::Model;
    QString m_schema; // for Tenant and Explicit
    bool m_reversed = false;
    QuerySpec m_spec; // order: as given to orderBy(); schema: unused (see effectiveSchema)
};

} // namespace orm
