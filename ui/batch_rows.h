#pragma once

// Row-level helpers over orm::RowBatch: copying rows (to merge batches or read a page
// backwards) and reading a row's cells as values fit to bind again (keyset bounds).

#include "orm/core/result.h"
#include "orm/core/row_batch.h"

#include <QVariantList>

namespace strata::ui {

void copyRow(const orm::RowBatch &from, int row, orm::RowBatch &to);
// Every row of `result` in one batch, in order (or backwards).
orm::RowBatch toBatch(const orm::Result &result, bool backwards = false);
// The cell as the database sent it: integers and reals as numbers, text as text (never
// re-parsed, so that a timestamp bound back compares equal), blobs as bytes, NULL as invalid.
QVariant rawValue(const orm::RowBatch &rows, int row, int column);
QVariantList rawValues(const orm::RowBatch &rows, int row, const QList<int> &columns);

} // namespace strata::ui
