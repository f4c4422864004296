#pragma once

// Review: the statements a commit will run, in order, exactly as they will be sent, each with
// its parameters ($1 = 'x', ...). Read-only; Commit is the editing bar's.

#include "orm/editing/change_set.h"

#include <QDialog>

namespace strata::ui::editing {

class ReviewDialog : public QDialog {
    Q_OBJECT

public:
    ReviewDialog(const QList<orm::editing::PlannedStatement> &statements, QWidget *parent);

    // The statements as the dialog shows them.
    static QString describe(const QList<orm::editing::PlannedStatement> &statements);
};

} // namespace strata::ui::editing
