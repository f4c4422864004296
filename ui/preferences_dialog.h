#pragma once

// The Preferences dialog (File > Preferences…): edits a Preferences value; the window saves and
// applies what it returns when accepted.

#include "ui/preferences.h"

#include <QDialog>

class QSpinBox;

namespace strata::ui {

class PreferencesDialog : public QDialog {
    Q_OBJECT

public:
    explicit PreferencesDialog(const Preferences &current, QWidget *parent = nullptr);

    Preferences preferences() const;
    QSpinBox *connectTimeout() const { return m_connectTimeout; }

private:
    QSpinBox *m_connectTimeout;
};

} // namespace strata::ui
