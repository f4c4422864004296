#include "batch_rows.h"

#include <cstring>

namespace strata::ui {

void copyRow(const orm::RowBatch &from, int row, orm::RowBatch &to)
{
    for (int column = 0; column < from.columnCount(); ++column) {
        const QByteArrayView bytes = from.bytes(row, column);
        switch (from.kind(row, column)) {
        case orm::CellKind::Null:
            to.appendNull();
            break;
        case orm::CellKind::Text:
            to.appendText(bytes.data(), bytes.size());
            break;
        case orm::CellKind::Blob:
            to.appendBlob(bytes.data(), bytes.size());
            break;
        case orm::CellKind::Integer: {
            qint64 v;
            std::memcpy(&v, bytes.data(), sizeof v);
            to.appendInteger(v);
            break;
        }
        case orm::CellKind::Real: {
            double v;
            std::memcpy(&v, bytes.data(), sizeof v);
            to.appendReal(v);
            break;
        }
        }
    }
}

orm::RowBatch toBatch(const orm::Result &result, bool backwards)
{
    const auto &batches = result.batches();
    if (!backwards && batches.size() == 1)
        return batches.front();
    orm::RowBatch rows(result.columnCount());
    if (!backwards) {
        for (const orm::RowBatch &batch : batches)
            for (int row = 0; row < batch.rowCount(); ++row)
                copyRow(batch, row, rows);
        return rows;
    }
    for (auto batch = batches.rbegin(); batch != batches.rend(); ++batch)
        for (int row = batch->rowCount() - 1; row >= 0; --row)
            copyRow(*batch, row, rows);
    return rows;
}

QVariant rawValue(const orm::RowBatch &rows, int row, int column)
{
    const QByteArrayView bytes = rows.bytes(row, column);
    switch (rows.kind(row, column)) {
    case orm::CellKind::Null:
        return {};
    case orm::CellKind::Text:
        return QString::fromUtf8(bytes);
    case orm::CellKind::Blob:
        return bytes.toByteArray();
    case orm::CellKind::Integer: {
        qint64 v;
        std::memcpy(&v, bytes.data(), sizeof v);
        return v;
    }
    case orm::CellKind::Real: {
        double v;
        std::memcpy(&v, bytes.data(), sizeof v);
        return v;
    }
    }
    return {};
}

QVariantList rawValues(const orm::RowBatch &rows, int row, const QList<int> &columns)
{
    QVariantList values;
    for (int column : columns)
        values << rawValue(rows, row, column);
    return values;
}

} // namespace strata::ui
