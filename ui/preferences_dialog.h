#pragma once

// The Preferences dialog (File > Preferences…): edits a Preferences value; the window saves and
// applies what it returns when accepted.

#include "ui/preferences.h"

#include <QDialog>

class QComboBox;
class QFontComboBox;
class QSpinBox;

namespace strata::ui {

class PreferencesDialog : public QDialog {
    Q_OBJECT

public:
    explicit PreferencesDialog(const Preferences &current, QWidget *parent = nullptr);

    Preferences preferences() const;
    QSpinBox *connectTimeout() const { return m_connectTimeout; }
    QFontComboBox *editorFont() const { return m_editorFont; }
    QSpinBox *editorFontSize() const { return m_editorFontSize; }
    QSpinBox *gridFontSize() const { return m_gridFontSize; }
    QSpinBox *rowsPerPage() const { return m_rowsPerPage; }
    QComboBox *theme() const { return m_theme; }
    QComboBox *startWith() const { return m_startWith; }

private:
    QSpinBox *m_connectTimeout;
    QFontComboBox *m_editorFont;
    QSpinBox *m_editorFontSize;
    QSpinBox *m_gridFontSize;
    QSpinBox *m_rowsPerPage;
    QComboBox *m_theme;
    QComboBox *m_startWith;
};

} // namespace strata::ui
