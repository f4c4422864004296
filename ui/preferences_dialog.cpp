#include "ui/preferences_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace strata::ui {
namespace {

// A font size box whose lowest entry means "the default".
QSpinBox *fontSizeBox(const QString &objectName, int value)
{
    auto *box = new QSpinBox;
    box->setObjectName(objectName);
    box->setRange(Preferences::kMinFontSize - 1, Preferences::kMaxFontSize);
    box->setSpecialValueText(PreferencesDialog::tr("default"));
    box->setSuffix(PreferencesDialog::tr(" pt"));
    box->setValue(value > 0 ? value : box->minimum());
    return box;
}

int fontSizeOf(const QSpinBox *box)
{
    return box->value() == box->minimum() ? 0 : box->value();
}

} // namespace

PreferencesDialog::PreferencesDialog(const Preferences &current, QWidget *parent)
    : QDialog(parent)
    , m_connectTimeout(new QSpinBox)
    , m_editorFont(new QFontComboBox)
    , m_editorFontSize(fontSizeBox(QStringLiteral("editorFontSize"), current.editorFontSize))
    , m_gridFontSize(fontSizeBox(QStringLiteral("gridFontSize"), current.gridFontSize))
    , m_rowsPerPage(new QSpinBox)
    , m_theme(new QComboBox)
    , m_startWith(new QComboBox)
{
    setWindowTitle(tr("Preferences"));
    m_connectTimeout->setObjectName(QStringLiteral("connectTimeout"));
    m_connectTimeout->setRange(0, 3600);
    m_connectTimeout->setSuffix(tr(" s"));
    m_connectTimeout->setSpecialValueText(tr("no limit"));
    m_connectTimeout->setValue(qMin(current.connectTimeoutSeconds, 3600));
    m_connectTimeout->setToolTip(
        tr("How long to wait for a server to answer when connecting, for connections whose URL "
           "does not give connect_timeout. Applies to connections opened from now on."));

    m_editorFont->setObjectName(QStringLiteral("editorFont"));
    m_editorFont->setFontFilters(QFontComboBox::MonospacedFonts);
    m_editorFont->setCurrentFont(current.editorFont());

    m_rowsPerPage->setObjectName(QStringLiteral("rowsPerPage"));
    m_rowsPerPage->setRange(Preferences::kMinRowsPerPage, Preferences::kMaxRowsPerPage);
    m_rowsPerPage->setValue(current.rowsPerPage);
    m_rowsPerPage->setToolTip(tr("How many rows the grid reads from the server at a time"));

    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("The desktop's"), int(Theme::System));
    m_theme->addItem(tr("Light"), int(Theme::Light));
    m_theme->addItem(tr("Dark"), int(Theme::Dark));
    m_theme->setCurrentIndex(m_theme->findData(int(current.theme)));

    m_startWith->setObjectName(QStringLiteral("startWith"));
    m_startWith->addItem(tr("The saved connections (the demo when there are none)"),
                         int(Preferences::StartWith::LastConnections));
    m_startWith->addItem(tr("The demo databases"), int(Preferences::StartWith::Demo));
    m_startWith->setCurrentIndex(m_startWith->findData(int(current.startWith)));

    auto *editorRow = new QHBoxLayout;
    editorRow->addWidget(m_editorFont, 1);
    editorRow->addWidget(m_editorFontSize);
    auto *form = new QFormLayout;
    form->addRow(tr("Connect &timeout:"), m_connectTimeout);
    form->addRow(tr("&Start with:"), m_startWith);
    form->addRow(tr("&Editor font:"), editorRow);
    form->addRow(tr("&Grid font size:"), m_gridFontSize);
    form->addRow(tr("&Rows per page:"), m_rowsPerPage);
    form->addRow(tr("T&heme:"), m_theme);
    auto *note = new QLabel(tr("The connect timeout applies to connections opened from now on, "
                               "\"Start with\" at the next start; the rest at once."));
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences chosen;
    chosen.connectTimeoutSeconds = m_connectTimeout->value();
    chosen.editorFontFamily = m_editorFont->currentFont().family();
    chosen.editorFontSize = fontSizeOf(m_editorFontSize);
    chosen.gridFontSize = fontSizeOf(m_gridFontSize);
    chosen.rowsPerPage = m_rowsPerPage->value();
    chosen.theme = Theme(m_theme->currentData().toInt());
    chosen.startWith = Preferences::StartWith(m_startWith->currentData().toInt());
    return chosen;
}

} // namespace strata::ui
