#pragma once

// How the grid turns a stored cell into text: shortened for a grid cell, whole for the detail
// pane and the clipboard. NULL is never confused with an empty string.

#include "orm/core/row_batch.h"

#include <QString>

namespace strata::ui {

// Text longer than this is cut for display (the detail pane shows it whole).
constexpr int kDisplayChars = 200;
// What a NULL cell shows (in italics, greyed) and what a not-yet-loaded cell shows.
inline QString nullText()
{
    return QStringLiteral("NULL");
}
inline QString placeholderText()
{
    return QStringLiteral("…");
}

bool isBinary(const orm::RowBatch &rows, int row, int column, const orm::Column &info);
// One line, at most kDisplayChars characters; binary as "‹N bytes› 89504e47…".
QString displayText(const orm::RowBatch &rows, int row, int column, const orm::Column &info);
// The whole value; binary as a hex dump; a null QString for NULL.
QString fullText(const orm::RowBatch &rows, int row, int column, const orm::Column &info);
// A value for a tab-separated clipboard line: quoted when it holds a tab, newline or quote.
QString tsvField(const QString &text);

} // namespace strata::ui
