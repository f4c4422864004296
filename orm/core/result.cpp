#include "orm/core/result.h"

#include <algorithm>

namespace orm {

void Result::append(RowBatch batch)
{
    if (batch.isEmpty())
        return;
    m_batchStarts.push_back(m_rowCount);
    m_rowCount += batch.rowCount();
    m_batches.push_back(std::move(batch));
}

int Result::columnIndex(const QString &name) const
{
    for (int i = 0; i < columns.size(); ++i)
        if (columns[i].name == name)
            return i;
    return -1;
}

std::pair<const RowBatch *, int> Result::locate(int row) const
{
    Q_ASSERT(row >= 0 && row < m_rowCount);
    const auto it = std::upper_bound(m_batchStarts.begin(), m_batchStarts.end(), row) - 1;
    const size_t b = size_t(it - m_batchStarts.begin());
    return {&m_batches[b], row - *it};
}

bool Result::isNull(int row, int column) const
{
    const auto [batch, r] = locate(row);
    return batch->isNull(r, column);
}

QString Result::text(int row, int column) const
{
    const auto [batch, r] = locate(row);
    return batch->text(r, column);
}

QVariant Result::value(int row, int column) const
{
    const auto [batch, r] = locate(row);
    return batch->value(r, column, columns[column].type);
}

QVariant Result::value(int row, const QString &column) const
{
    const int c = columnIndex(column);
    return c < 0 ? QVariant() : value(row, c);
}

RowBatch toBatch(const Result &result, bool backwards)
{
    const auto &batches = result.batches();
    if (!backwards && batches.size() == 1)
        return batches.front();
    RowBatch rows(result.columnCount());
    if (!backwards) {
        for (const RowBatch &batch : batches)
            for (int row = 0; row < batch.rowCount(); ++row)
                batch.copyRowTo(row, rows);
        return rows;
    }
    for (auto batch = batches.rbegin(); batch != batches.rend(); ++batch)
        for (int row = batch->rowCount() - 1; row >= 0; --row)
            batch->copyRowTo(row, rows);
    return rows;
}

} // namespace orm
