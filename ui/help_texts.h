#pragma once

// What the Help menu shows: the keyboard shortcuts (read from the window's own actions, so the
// list cannot go stale), the grid's filter syntax, and About with the versions of Strata and of
// the libraries it runs on.

#include <QString>

class QWidget;

namespace strata::ui {

// An HTML table of every shortcut of `window`'s actions (by menu and name), and the console's
// and grid's keys.
QString keyboardShortcutsHtml(const QWidget *window);
QString filterSyntaxHtml();
QString aboutHtml();

} // namespace strata::ui
