#pragma once

// The editors the grid opens on a cell, one per column type, as free functions that any item
// delegate can call (the grid's painting delegate and GridEditDelegate alike): text (a
// multi-line editor for long or multi-line text, and JSON), numbers (validated as typed),
// booleans (true / false), a list for enums, dates (a calendar), timestamps, times and UUIDs
// (checked when taken), JSON (checked when taken). What an editor gives back is never NULL: setting
// NULL is its own action (GridEditing::setNull), so an empty editor means the empty string.

#include "orm/core/model.h"
#include "orm/core/row_batch.h"

#include <QString>
#include <QVariant>

class QWidget;

namespace strata::ui::editing {

// Text this long, or holding a line break, opens the multi-line editor.
constexpr int kLongText = 80;

// A model's field as the editors take a column (name, type, SQL type).
orm::Column editorColumn(const orm::Field &field);

// An editor for a cell of `column` showing `current` (its raw value; invalid for NULL).
// `choices`: the values the column may hold (an enum's labels, a SQLite CHECK's list), in order:
// the editor is then a list of them with the current one selected.
QWidget *createCellEditor(const orm::Column &column, const QVariant &current, QWidget *parent,
                          const QStringList &choices = {});
void setCellEditorValue(QWidget *editor, const QVariant &current);

// What the user typed, as the value to stage, or why it is refused.
struct EditorValue {
    QVariant value;
    QString error; // empty: value is good
    bool ok() const { return error.isEmpty(); }
};
EditorValue cellEditorValue(QWidget *editor);
// Whether the user changed a text editor's contents (lists and calendars: always true, their
// value is compared instead). An editor on NULL shows nothing; untouched, it must stage nothing.
bool editorWasChanged(QWidget *editor);

// The text typed for a cell of `column`, checked and typed for the driver: integers as
// qlonglong, reals as double, booleans as bool, the rest as the text the server parses (numeric
// digits, dates, times, JSON, UUIDs). Empty text is the empty string for text columns and an
// error for the others (NULL is set explicitly).
EditorValue parseCellText(const orm::Column &column, const QString &text);

// Whether two values of a cell are the same to the user (a stored "t" and a typed true are).
bool sameCellValue(const orm::Column &column, const QVariant &a, const QVariant &b);

// "1 pending change", "3 pending changes": `what` counted, in English's two forms.
QString countOf(int count, const QString &one, const QString &many);

// A staged value as the grid shows it (NULL as nullText()).
QString stagedText(const orm::Column &column, const QVariant &value);

} // namespace strata::ui::editing
