#include "orm/query/queryset.h"

#include "orm/core/thread_context.h"
#include "orm/database/transaction.h"
#include "orm/registry/registry.h"

#include <QHash>
#include <QRegularExpression>

#include <chrono>
#include <coroutine>

namespace orm {

// --- Row ----------------------------------------------------------------------------------------

Row::Row(Columns columns, QVariantList values)
    : m_columns(std::move(columns))
    , m_values(std::move(values))
{
}

Row Row::fromResult(const Result &result, int row)
{
    QVariantList values;
    values.reserve(result.columnCount());
    for (int column = 0; column < result.columnCount(); ++column)
        values.append(result.value(row, column));
    return Row(result.columns, std::move(values));
}

int Row::indexOf(const QString &name) const
{
    for (int i = 0; i < m_columns.size(); ++i)
        if (m_columns[i].name == name)
            return i;
    return -1;
}

QVariant Row::value(const QString &name) const
{
    const int index = indexOf(name);
    return index < 0 ? QVariant() : m_values.value(index);
}

QVariantMap Row::toMap() const
{
    QVariantMap map;
    for (int i = 0; i < m_columns.size(); ++i)
        map.insert(m_columns[i].name, m_values.value(i));
    return map;
}

// --- CancelToken --------------------------------------------------------------------------------

struct CancelToken::State {
    bool cancelled = false;
    drivers::Connection *running = nullptr; // the connection running the statement, if any
    std::optional<QCoro::Task<>> request;   // a cancel sent to it, awaited before it is released
};

namespace {
QCoro::Task<> sendCancel(drivers::Connection *connection)
{
    try {
        co_await connection->cancel();
    } catch (const std::exception &error) {
        // The statement may have ended meanwhile; nothing is left to stop.
        qCDebug(lcDatabase).noquote() << "cancel request failed:" << error.what();
    }
}

Error cancelledOn(const QString &database)
{
    return Error(Error::Kind::Cancelled, QStringLiteral("query cancelled"), database);
}
} // namespace

CancelToken::CancelToken()
    : m_state(std::make_shared<State>())
{
}

void CancelToken::cancel()
{
    if (m_state->cancelled)
        return;
    m_state->cancelled = true;
    if (m_state->running)
        m_state->request.emplace(sendCancel(m_state->running));
}

bool CancelToken::isCancelled() const
{
    return m_state->cancelled;
}

// --- QueryStream --------------------------------------------------------------------------------

QueryStream::~QueryStream() = default;

QCoro::Task<std::optional<RowBatch>> QueryStream::next()
{
    if (!m_connection)
        co_return std::nullopt;
    std::optional<RowBatch> batch = co_await m_connection->nextBatch();
    if (!batch) {
        // Done: the connection goes back now, not when the stream object is destroyed.
        m_connection = nullptr;
        m_lease.release();
        m_transaction.reset();
    }
    co_return batch;
}

// --- QuerySet: building -------------------------------------------------------------------------

QuerySet::QuerySet(Registry *registry, Model model)
    : m_registry(registry)
{
    m_spec.model = std::move(model);
}

QuerySet::QuerySet(Database *database, Model model)
    : m_database(database)
    , m_hasDatabase(true)
{
    m_spec.model = std::move(model);
}

QuerySet QuerySet::filter(const Q &condition) const
{
    QuerySet copy = *this;
    copy.m_spec.where = m_spec.where & condition;
    return copy;
}

QuerySet QuerySet::exclude(const Q &condition) const
{
    return filter(~condition);
}

QuerySet QuerySet::orderBy(const QStringList &keys) const
{
    QuerySet copy = *this;
    copy.m_spec.order.clear();
    for (const QString &key : keys)
        copy.m_spec.order.append(sql::parseOrderKey(key));
    return copy;
}

QuerySet QuerySet::reversed() const
{
    QuerySet copy = *this;
    copy.m_reversed = !m_reversed;
    return copy;
}

QuerySet QuerySet::limit(qint64 rows) const
{
    QuerySet copy = *this;
    copy.m_spec.limit = rows;
    return copy;
}

QuerySet QuerySet::offset(qint64 rows) const
{
    QuerySet copy = *this;
    copy.m_spec.offset = rows;
    return copy;
}

QuerySet QuerySet::after(const QVariantList &sortKeyValues) const
{
    QuerySet copy = *this;
    copy.m_spec.after = sortKeyValues;
    return copy;
}

QuerySet QuerySet::before(const QVariantList &sortKeyValues) const
{
    QuerySet copy = *this;
    copy.m_spec.before = sortKeyValues;
    return copy;
}

QuerySet QuerySet::values(const QStringList &columns) const
{
    QuerySet copy = *this;
    copy.m_spec.columns = columns;
    return copy;
}

QuerySet QuerySet::usingDatabase(const QString &extraName) const
{
    if (extraName.isEmpty())
        return usingDefaultDatabase();
    if (!m_registry)
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("usingDatabase(\"%1\"): this query set has no registry to look "
                                   "the name up in")
                        .arg(extraName));
    return usingDatabase(m_registry->database(extraName)); // throws, listing the known names
}

QuerySet QuerySet::usingDatabase(Database *database) const
{
    if (!database)
        return usingDefaultDatabase();
    QuerySet copy = *this;
    copy.m_database = database;
    copy.m_hasDatabase = true;
    copy.m_transaction.reset();
    return copy;
}

QuerySet QuerySet::usingDefaultDatabase() const
{
    QuerySet copy = *this;
    copy.m_database.clear();
    copy.m_hasDatabase = false;
    copy.m_transaction.reset();
    return copy;
}

QuerySet QuerySet::usingSchema(const QString &schema) const
{
    QuerySet copy = *this;
    copy.m_schemaChoice = SchemaChoice::Explicit;
    copy.m_schema = schema;
    return copy;
}

QuerySet QuerySet::usingModelSchema() const
{
    QuerySet copy = *this;
    copy.m_schemaChoice = SchemaChoice::Model;
    copy.m_schema.clear();
    return copy;
}

QuerySet QuerySet::using_(const QString &database, const QString &schema) const
{
    return usingDatabase(database).usingSchema(schema);
}

QuerySet QuerySet::using_(Database *database, const QString &schema) const
{
    return usingDatabase(database).usingSchema(schema);
}

QuerySet QuerySet::inTransaction(const Transaction &transaction) const
{
    if (!transaction.m_state)
        throw Error(Error::Kind::Usage, QStringLiteral("inTransaction(): an empty Transaction"));
    QuerySet copy = *this;
    copy.m_transaction = transaction.m_state;
    return copy;
}

QuerySet QuerySet::withTenantSchema(const QString &schema) const
{
    if (m_schemaChoice == SchemaChoice::Explicit)
        return *this; // the explicit choice wins over the tenant's
    QuerySet copy = *this;
    copy.m_schemaChoice = SchemaChoice::Tenant;
    copy.m_schema = schema;
    return copy;
}

// --- QuerySet: what it is -----------------------------------------------------------------------

Database *QuerySet::database() const
{
    if (m_transaction) {
        if (Database *db = m_transaction->database.data())
            return db;
        throw Error(Error::Kind::Usage, QStringLiteral("the transaction's database was deleted"));
    }
    if (m_hasDatabase) {
        if (Database *db = m_database.data())
            return db;
        throw Error(Error::Kind::Usage,
                    QStringLiteral("the database chosen with usingDatabase() was deleted"));
    }
    if (m_registry) {
        // A reflected model remembers the database it was read from.
        if (!m_spec.model.database.isEmpty())
            return m_registry->database(m_spec.model.database);
        if (Database *db = m_registry->database())
            return db;
    }
    throw Error(Error::Kind::Usage,
                QStringLiteral("query on \"%1\": no database (the registry was deleted)")
                    .arg(m_spec.model.name));
}

Dialect QuerySet::dialect() const
{
    return dialectOf(database()->url().backend());
}

QString QuerySet::effectiveSchema() const
{
    return m_schemaChoice == SchemaChoice::Model ? m_spec.model.schema : m_schema;
}

QList<OrderKey> QuerySet::effectiveOrder(bool needOrder) const
{
    QList<OrderKey> keys = m_spec.order;
    if (keys.isEmpty() && (needOrder || m_reversed || m_spec.after || m_spec.before))
        for (const QString &name : sql::primaryKeyOf(m_spec.model))
            keys.append(OrderKey{name, false});
    return m_reversed ? sql::reversed(keys) : keys;
}

QuerySpec QuerySet::specFor(bool needOrder) const
{
    QuerySpec spec = m_spec;
    spec.schema = effectiveSchema();
    spec.order = effectiveOrder(needOrder);
    return spec;
}

QuerySpec QuerySet::spec() const
{
    return specFor(false);
}

CompiledQuery QuerySet::compileSelect(Dialect dialect) const
{
    return sql::select(dialect, spec());
}

CompiledQuery QuerySet::compileCount(Dialect dialect) const
{
    return sql::count(dialect, spec());
}

CompiledQuery QuerySet::compileExists(Dialect dialect) const
{
    return sql::exists(dialect, spec());
}

CompiledQuery QuerySet::compileInsert(Dialect dialect, const QVariantMap &values) const
{
    return sql::insert(dialect, spec(), values);
}

CompiledQuery QuerySet::compileUpdate(Dialect dialect, const QVariantMap &values) const
{
    return sql::update(dialect, spec(), values);
}

CompiledQuery QuerySet::compileDelete(Dialect dialect) const
{
    return sql::remove(dialect, spec());
}

CompiledQuery QuerySet::compileWrite(Dialect dialect, const Write &write) const
{
    switch (write.kind) {
    case Write::Kind::Create:
        return sql::insert(dialect, spec(), write.values, false);
    case Write::Kind::Update:
        return filter(write.where).compileUpdate(dialect, write.values);
    case Write::Kind::Remove:
        return filter(write.where).compileDelete(dialect);
    }
    return {};
}

// --- QuerySet: running --------------------------------------------------------------------------

QCoro::Task<Result> QuerySet::run(CompiledQuery query, QString operation, CancelToken cancel) const
{
    const std::shared_ptr<CancelToken::State> token = cancel.m_state;
    const std::shared_ptr<detail::TransactionState> transaction = m_transaction;
    Database *const db = database();
    if (token->cancelled)
        throw cancelledOn(db->displayUrl());

    ConnectionLease lease;
    drivers::Connection *connection = nullptr;
    if (transaction) {
        connection = transaction->connection(operation);
    } else {
        lease = co_await db->acquire(operation);
        connection = lease.get();
    }
    // Nothing of the Database from here on: it may have been removed from its registry and
    // deleted while acquire() waited (opening a connection just for this query, say).
    if (token->cancelled)
        throw cancelledOn(connection->url().toDisplayString());

    token->running = connection;
    std::exception_ptr error;
    Result result;
    try {
        result = co_await connection->execute(std::move(query.sql), std::move(query.params));
    } catch (...) {
        error = std::current_exception();
    }
    token->running = nullptr;
    if (token->request) {
        // A cancel still in flight must land before the connection serves anyone else.
        QCoro::Task<> request = std::move(*token->request);
        token->request.reset();
        co_await request;
    }
    if (error) {
        if (transaction)
            transaction->failed = true;
        std::rethrow_exception(error);
    }
    co_return result;
}

QCoro::Task<Result> QuerySet::all(CancelToken cancel) const
{
    return doAll(*this, cancel);
}

QCoro::Task<Result> QuerySet::doAll(QuerySet self, CancelToken cancel)
{
    CompiledQuery query = self.compileSelect(self.dialect());
    const QString operation = QStringLiteral("all");
    co_return co_await self.run(std::move(query), operation, cancel);
}

QCoro::Task<qint64> QuerySet::count(CancelToken cancel) const
{
    return doCount(*this, cancel);
}

QCoro::Task<qint64> QuerySet::doCount(QuerySet self, CancelToken cancel)
{
    CompiledQuery query = self.compileCount(self.dialect());
    const QString operation = QStringLiteral("count");
    const Result result = co_await self.run(std::move(query), operation, cancel);
    co_return result.value(0, 0).toLongLong();
}

QCoro::Task<bool> QuerySet::exists() const
{
    return doExists(*this);
}

QCoro::Task<bool> QuerySet::doExists(QuerySet self)
{
    CompiledQuery query = self.compileExists(self.dialect());
    const QString operation = QStringLiteral("exists");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    co_return result.rowCount() > 0;
}

QCoro::Task<Row> QuerySet::get() const
{
    return doGet(*this);
}

QCoro::Task<Row> QuerySet::doGet(QuerySet self)
{
    QuerySpec spec = self.spec();
    // Two rows are enough to tell "one" from "several".
    spec.limit = spec.limit ? qMin<qint64>(*spec.limit, 2) : 2;
    CompiledQuery query = sql::select(self.dialect(), spec);
    const QString operation = QStringLiteral("get");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    const QString name = spec.model.name.isEmpty() ? spec.model.table : spec.model.name;
    if (result.rowCount() == 0)
        throw Error(Error::Kind::NoRow,
                    QStringLiteral("%1.get(): no row matches %2").arg(name, spec.where.toString()),
                    self.database()->displayUrl());
    if (result.rowCount() > 1)
        throw Error(Error::Kind::SeveralRows,
                    QStringLiteral("%1.get(): more than one row matches %2")
                        .arg(name, spec.where.toString()),
                    self.database()->displayUrl());
    co_return Row::fromResult(result, 0);
}

QCoro::Task<std::optional<Row>> QuerySet::first() const
{
    return doFirst(*this, false);
}

QCoro::Task<std::optional<Row>> QuerySet::last() const
{
    return doFirst(*this, true);
}

QCoro::Task<std::optional<Row>> QuerySet::doFirst(QuerySet self, bool last)
{
    QuerySpec spec = self.specFor(true);
    if (last && spec.order.isEmpty())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("last() on \"%1\": no ordering and no primary key to reverse")
                        .arg(spec.model.name));
    spec.reverse = spec.reverse != last;
    spec.limit = spec.limit ? qMin<qint64>(*spec.limit, 1) : 1;
    CompiledQuery query = sql::select(self.dialect(), spec);
    const QString operation = last ? QStringLiteral("last") : QStringLiteral("first");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    if (result.rowCount() == 0)
        co_return std::nullopt;
    co_return Row::fromResult(result, 0);
}

QCoro::Task<QueryStream> QuerySet::stream(int batchRows) const
{
    return doStream(*this, batchRows);
}

QCoro::Task<QueryStream> QuerySet::doStream(QuerySet self, int batchRows)
{
    CompiledQuery query = self.compileSelect(self.dialect());
    QueryStream stream;
    if (self.m_transaction) {
        stream.m_transaction = self.m_transaction;
        stream.m_connection = self.m_transaction->connection(QStringLiteral("stream"));
    } else {
        stream.m_lease = co_await self.database()->acquire(QStringLiteral("stream"));
        stream.m_connection = stream.m_lease.get();
    }
    const int rows = qMax(1, batchRows);
    co_await stream.m_connection->start(std::move(query.sql), std::move(query.params), rows);
    stream.m_columns = stream.m_connection->columns();
    co_return stream;
}

QCoro::Task<Row> QuerySet::create(QVariantMap values) const
{
    return doCreate(*this, std::move(values));
}

QCoro::Task<Row> QuerySet::doCreate(QuerySet self, QVariantMap values)
{
    CompiledQuery query = self.compileInsert(self.dialect(), values);
    const QString operation = QStringLiteral("create");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    if (result.rowCount() == 0)
        co_return Row();
    co_return Row::fromResult(result, 0);
}

QCoro::Task<qint64> QuerySet::bulkCreate(QList<QVariantMap> rows) const
{
    return doBulkCreate(*this, std::move(rows));
}

QCoro::Task<qint64> QuerySet::doBulkCreate(QuerySet self, QList<QVariantMap> rows)
{
    if (rows.isEmpty())
        co_return 0;
    sql::BulkInsert batch = sql::bulkInsert(self.dialect(), self.spec(), rows);
    rows.clear(); // the parameter sets hold the values now
    QList<qint64> affected;
    if (const auto transaction = self.m_transaction) {
        drivers::Connection *connection = transaction->connection(QStringLiteral("bulkCreate"));
        std::exception_ptr error;
        try {
            affected =
                co_await connection->executeBatch(std::move(batch.sql), std::move(batch.paramSets));
        } catch (...) {
            error = std::current_exception();
        }
        if (error) {
            transaction->failed = true;
            std::rethrow_exception(error);
        }
    } else {
        affected = co_await self.database()->executeBatch(std::move(batch.sql),
                                                          std::move(batch.paramSets));
    }
    qint64 total = 0;
    for (qint64 n : affected)
        total += qMax<qint64>(n, 0);
    co_return total;
}

QCoro::Task<qint64> QuerySet::update(QVariantMap values) const
{
    return doUpdate(*this, std::move(values));
}

QCoro::Task<qint64> QuerySet::doUpdate(QuerySet self, QVariantMap values)
{
    CompiledQuery query = self.compileUpdate(self.dialect(), values);
    const QString operation = QStringLiteral("update");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    co_return result.rowsAffected;
}

QCoro::Task<qint64> QuerySet::remove() const
{
    return doRemove(*this);
}

QCoro::Task<qint64> QuerySet::doRemove(QuerySet self)
{
    CompiledQuery query = self.compileDelete(self.dialect());
    const QString operation = QStringLiteral("remove");
    CancelToken none;
    const Result result = co_await self.run(std::move(query), operation, none);
    co_return result.rowsAffected;
}

namespace {

constexpr auto kSlice = std::chrono::milliseconds(4);

// The driver names a failing set "parameter set N of M: ..." (Connection::executeBatch).
std::pair<int, Error> withoutSetPrefix(const Error &error)
{
    static const QRegularExpression prefix(QStringLiteral("^parameter set (\\d+) of \\d+: "));
    const QRegularExpressionMatch match = prefix.match(error.message());
    if (!match.hasMatch())
        return {-1, error};
    return {match.captured(1).toInt(),
            Error(error.kind(), error.message().mid(match.capturedLength()), error.database(),
                  error.sqlState(), error.position())};
}

bool isNullValue(const QVariant &value)
{
    return !value.isValid() || value.typeId() == QMetaType::Nullptr;
}

// What makes two writes compile to the same SQL when only their values differ: the kind, the
// fields set, and a filter of exact / same leaves (an AND of them) with NULLs in the same
// places. Empty for anything else. `params` gets the values in the order the compiler binds
// them: the values set, then each leaf's value that is not NULL.
QString shapeOf(const Write &write, std::optional<QVariantList> *params)
{
    QString shape = QString::number(int(write.kind));
    QVariantList values;
    values.reserve(write.values.size() + 4);
    for (auto it = write.values.cbegin(); it != write.values.cend(); ++it) {
        shape += QLatin1Char('\x1f') + it.key();
        values.append(it.value());
    }
    shape += QLatin1Char('\x1e');
    const auto leaf = [&](const Q &q) {
        if (q.kind() != Q::Kind::Leaf ||
            (q.lookup() != Q::Lookup::Exact && q.lookup() != Q::Lookup::Same))
            return false;
        const bool null = isNullValue(q.value());
        shape += q.field() + QLatin1Char(char('0' + int(q.lookup()))) +
                 QLatin1Char(null ? 'n' : 'v') + QLatin1Char('\x1f');
        if (!null)
            values.append(q.value());
        return true;
    };
    if (write.where.kind() == Q::Kind::And) {
        for (const Q &child : write.where.children())
            if (!leaf(child))
                return {};
    } else if (!write.where.isEmpty() && !leaf(write.where)) {
        return {};
    }
    *params = std::move(values);
    return shape;
}

bool sameLeaf(const Q &a, const Q &b)
{
    return a.kind() == Q::Kind::Leaf && b.kind() == Q::Kind::Leaf && a.lookup() == b.lookup() &&
           (a.lookup() == Q::Lookup::Exact || a.lookup() == Q::Lookup::Same) &&
           isNullValue(a.value()) == isNullValue(b.value()) && a.field() == b.field();
}

// Whether `b` has `a`'s shape (see shapeOf), told without building either's shape; `params`
// gets b's values when it has.
bool sameShape(const Write &a, const Write &b, std::optional<QVariantList> *params)
{
    if (a.kind != b.kind || a.values.size() != b.values.size() || a.where.kind() != b.where.kind())
        return false;
    QVariantList values;
    values.reserve(b.values.size() + 4);
    for (auto x = a.values.cbegin(), y = b.values.cbegin(); y != b.values.cend(); ++x, ++y) {
        if (x.key() != y.key())
            return false;
        values.append(y.value());
    }
    const auto leaf = [&values](const Q &x, const Q &y) {
        if (!sameLeaf(x, y))
            return false;
        if (!isNullValue(y.value()))
            values.append(y.value());
        return true;
    };
    if (b.where.kind() == Q::Kind::And) {
        const QList<Q> &xs = a.where.children();
        const QList<Q> &ys = b.where.children();
        if (xs.size() != ys.size())
            return false;
        for (qsizetype i = 0; i < ys.size(); ++i)
            if (!leaf(xs[i], ys[i]))
                return false;
    } else if (!b.where.isEmpty() && !leaf(a.where, b.where)) {
        return false;
    }
    *params = std::move(values);
    return true;
}

} // namespace

QCoro::Task<WriteResults> QuerySet::writeAll(QList<Write> writes) const
{
    return doWriteAll(*this, std::move(writes));
}

QCoro::Task<WriteResults> QuerySet::doWriteAll(QuerySet self, QList<Write> writes)
{
    WriteResults results;
    results.affected.fill(-1, writes.size());
    if (writes.isEmpty())
        co_return results;
    const Dialect dialect = self.dialect();

    // Compiled first, in slices: every error of the caller's shows before anything is sent.
    // Writes that differ only in their values share the first one's SQL: its parameters are
    // taken in the compiler's binding order, which the first of each shape proves.
    QList<CompiledQuery> statements;
    statements.reserve(writes.size());
    QHash<QString, std::optional<QString>> shapes; // shape -> its SQL; nullopt: compile each
    auto sliceStart = std::chrono::steady_clock::now();
    const Write *previous = nullptr;
    std::optional<QString> previousSql; // the previous write's SQL, when its shape is proven
    for (const Write &write : std::as_const(writes)) {
        std::optional<QVariantList> params;
        if (previous && previousSql && sameShape(*previous, write, &params)) {
            // The common case (a paste into one column): no shape string, no lookup.
            statements.append({*previousSql, std::move(*params)});
            previous = &write;
            continue;
        }
        previous = &write;
        previousSql.reset();
        const QString shape = shapeOf(write, &params);
        auto known = shape.isEmpty() ? shapes.end() : shapes.find(shape);
        if (known != shapes.end() && known->has_value()) {
            previousSql = **known;
            statements.append({**known, std::move(*params)});
        } else {
            CompiledQuery compiled = self.compileWrite(dialect, write);
            if (!shape.isEmpty() && known == shapes.end()) {
                const bool proven = params && *params == compiled.params;
                shapes.insert(shape, proven ? std::optional<QString>(compiled.sql) : std::nullopt);
                if (proven)
                    previousSql = compiled.sql;
            }
            statements.append(std::move(compiled));
        }
        if ((statements.size() & 63) == 0 &&
            std::chrono::steady_clock::now() - sliceStart > kSlice) {
            co_await NextTurn{}; // every few milliseconds, so that a window stays responsive
            sliceStart = std::chrono::steady_clock::now();
        }
    }
    writes.clear();
    co_return co_await doWriteCompiled(std::move(self), std::move(statements));
}

QCoro::Task<WriteResults> QuerySet::writeCompiled(QList<CompiledQuery> statements) const
{
    return doWriteCompiled(*this, std::move(statements));
}

QCoro::Task<WriteResults> QuerySet::doWriteCompiled(QuerySet self, QList<CompiledQuery> statements)
{
    WriteResults results;
    results.affected.fill(-1, statements.size());
    if (statements.isEmpty())
        co_return results;
    const std::shared_ptr<detail::TransactionState> transaction = self.m_transaction;
    ConnectionLease lease;
    drivers::Connection *connection = nullptr;
    std::exception_ptr failure;
    try {
        if (transaction) {
            connection = transaction->connection(QStringLiteral("writeAll"));
        } else {
            lease = co_await self.database()->acquire(QStringLiteral("writeAll"));
            connection = lease.get();
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure)
        std::rethrow_exception(failure);

    qsizetype start = 0;
    while (start < statements.size()) {
        qsizetype end = start + 1;
        while (end < statements.size() && statements[end].sql == statements[start].sql)
            ++end;
        QList<QVariantList> paramSets;
        paramSets.reserve(end - start);
        for (qsizetype i = start; i < end; ++i)
            paramSets.append(std::move(statements[i].params));
        std::optional<Error> error;
        QList<qint64> counts;
        try {
            counts = co_await connection->executeBatch(statements[start].sql, std::move(paramSets));
        } catch (const Error &e) {
            error = e;
        }
        if (error) {
            if (transaction)
                transaction->failed = true;
            const auto [index, stripped] = withoutSetPrefix(*error);
            results.failedIndex = index < 0 ? -1 : int(start + index);
            results.error = stripped;
            co_return results;
        }
        for (qsizetype i = 0; i < counts.size() && start + i < end; ++i)
            results.affected[start + i] = counts[i];
        start = end;
    }
    co_return results;
}

} // namespace orm
