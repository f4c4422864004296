#pragma once

// PostgreSQL's side of values, apart from connection I/O: QVariant parameters in libpq's text
// (or, for bytes, binary) form, type OIDs as logical types, and result cells into a RowBatch.
// Private to the driver: it needs libpq's header, which postgres_connection.h does not.

#include "orm/core/row_batch.h"

#include <libpq-fe.h>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariantList>

#include <cstdint>
#include <vector>

namespace orm::drivers::postgres {

inline constexpr Oid kByteaOid = 17;

// One statement's bound parameters, kept alive until libpq has copied them.
struct Params {
    std::vector<QByteArray> storage;
    std::vector<const char *> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;

    void bind(const QVariantList &list);
};

// The index of the first parameter that cannot be bound, or -1. Messages are built by the
// caller only when one fails: this runs once per row of a 100,000-row batch.
qsizetype firstUnbindable(const QVariantList &params);
[[noreturn]] void throwUnbindable(const QVariantList &params, qsizetype index,
                                  const QString &database, const QString &where);
// The types a statement prepared for all of `paramSets` declares: bytea where a set binds
// bytes (sent in binary); 0, for the server to infer, everywhere else.
std::vector<Oid> declaredTypes(const QList<QVariantList> &paramSets, qsizetype paramCount);

// The result's columns with their logical types; `byteaColumns` marks those decoded to blobs.
Columns describeColumns(const pg_result *result, std::vector<std::uint8_t> &byteaColumns);
// Appends the one row of a single-row-mode result to `batch`; returns the bytes libpq held
// for it. `scratch` is a buffer reused across calls for decoding bytea.
qsizetype appendRow(RowBatch &batch, const pg_result *row,
                    const std::vector<std::uint8_t> &byteaColumns, QByteArray &scratch);

} // namespace orm::drivers::postgres
