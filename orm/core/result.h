#pragma once

#include "orm/core/row_batch.h"

#include <vector>

namespace orm {

// A whole, materialised result: the columns, the rows in the batches they arrived in, and the
// number of rows the statement changed (-1 when it does not report one).
class Result {
public:
    Columns columns;
    qint64 rowsAffected = -1;

    void append(RowBatch batch);
    int rowCount() const { return m_rowCount; }
    int columnCount() const { return int(columns.size()); }
    const std::vector<RowBatch> &batches() const { return m_batches; }

    // -1 when there is no column of that name.
    int columnIndex(const QString &name) const;
    bool isNull(int row, int column) const;
    QString text(int row, int column) const;
    // Converted by the column's logical type; an invalid QVariant for NULL.
    QVariant value(int row, int column) const;
    QVariant value(int row, const QString &column) const;

private:
    std::pair<const RowBatch *, int> locate(int row) const;

    std::vector<RowBatch> m_batches;
    std::vector<int> m_batchStarts; // first row index of each batch
    int m_rowCount = 0;
};

// Every row of `result` in one batch, in order (or backwards, to read a page from its end).
RowBatch toBatch(const Result &result, bool backwards = false);

} // namespace orm
