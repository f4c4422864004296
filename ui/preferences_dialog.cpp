#include "ui/preferences_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace strata::ui {

PreferencesDialog::PreferencesDialog(const Preferences &current, QWidget *parent)
    : QDialog(parent)
    , m_connectTimeout(new QSpinBox)
{
    setWindowTitle(tr("Preferences"));
    m_connectTimeout->setObjectName(QStringLiteral("connectTimeout"));
    m_connectTimeout->setRange(0, 3600);
    m_connectTimeout->setSuffix(tr(" s"));
    m_connectTimeout->setSpecialValueText(tr("no limit"));
    m_connectTimeout->setValue(qMin(current.connectTimeoutSeconds, 3600));

    auto *note = new QLabel(
        tr("How long to wait for a server to answer when connecting, for connections whose URL "
           "does not give connect_timeout. Applies to connections opened from now on."));
    note->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Connect &timeout:"), m_connectTimeout);
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
    return chosen;
}

} // namespace strata::ui
