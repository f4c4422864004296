#pragma once

// From a query's description to SQL text plus bound parameters, per dialect, with no database:
// what QuerySet runs, and what tests compare as strings.
//
// Every identifier is quoted (quoteIdentifier), every value is a parameter, and every field
// name is checked against the model first: a name the model does not have throws
// Error(UnknownField) naming the field and the model, before any SQL exists.

#include "orm/core/model.h"
#include "orm/query/lookup.h"
#include "orm/query/sql_dialect.h"

#include <QVariantList>
#include <QVariantMap>

#include <optional>

namespace orm {

struct CompiledQuery {
    QString sql;
    QVariantList params;
};

struct OrderKey {
    QString field;
    bool descending = false;

    bool operator==(const OrderKey &) const = default;
};

// Everything a QuerySet compiles, and nothing about where it runs.
struct QuerySpec {
    Model model;
    QString schema; // the effective schema; empty: the database's default
    Q where;
    // The ordering rows come in (before() reverses it; see QuerySet). Empty: none.
    QList<OrderKey> order;
    // Keyset bounds: rows strictly after / before these values of `order`'s keys. When
    // `before` is set the rows come in reverse order, nearest the bound first.
    std::optional<QVariantList> after;
    std::optional<QVariantList> before;
    std::optional<qint64> limit;
    std::optional<qint64> offset;
    // Flip the rows' order once more (last() asks for the end of whatever order it had).
    bool reverse = false;
    QStringList columns; // values(): empty means every field of the model
};

namespace sql {

// Sort order semantics, the same on both backends: NULL sorts as the greatest value (after
// every other value ascending, first descending). That is PostgreSQL's default; on SQLite
// nullable keys get NULLS LAST / NULLS FIRST.

// SELECT <columns> FROM <table> WHERE <where and keyset> ORDER BY ... LIMIT ... OFFSET ...
CompiledQuery select(Dialect dialect, const QuerySpec &spec);
// SELECT count(*) over the rows select() would return (a subquery if limit/offset is set).
CompiledQuery count(Dialect dialect, const QuerySpec &spec);
// SELECT 1 ... LIMIT 1: a row means true.
CompiledQuery exists(Dialect dialect, const QuerySpec &spec);
// INSERT INTO <table> (<keys of values>) VALUES (...) [RETURNING <columns>]; no values:
// DEFAULT VALUES. Keys come in QVariantMap order (sorted).
CompiledQuery insert(Dialect dialect, const QuerySpec &spec, const QVariantMap &values,
                     bool returning = true);
// The INSERT for bulkCreate: one statement for every row, the parameter sets in the same
// column order. Every row must have the same keys (Error(Usage) naming the first that differs).
struct BulkInsert {
    QString sql;
    QStringList columns;
    QList<QVariantList> paramSets;
};
BulkInsert bulkInsert(Dialect dialect, const QuerySpec &spec, const QList<QVariantMap> &rows);
// UPDATE <table> SET ... WHERE <where and keyset>. Error(Usage) with limit or offset set.
CompiledQuery update(Dialect dialect, const QuerySpec &spec, const QVariantMap &values);
// DELETE FROM <table> WHERE <where and keyset>. Error(Usage) with limit or offset set.
CompiledQuery remove(Dialect dialect, const QuerySpec &spec);

// The field called `name`; throws Error(UnknownField) naming the field and the model.
const Field &requireField(const Model &model, const QString &name);
// The primary key's field names (empty when the model has none).
QStringList primaryKeyOf(const Model &model);
// `keys` with every direction flipped.
QList<OrderKey> reversed(const QList<OrderKey> &keys);
// "name" -> ascending name, "-name" -> descending (a leading '+' is allowed too).
OrderKey parseOrderKey(const QString &text);

} // namespace sql
} // namespace orm
