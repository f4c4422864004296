#include "ui/ddl_viewer.h"

#include "orm/database/database.h"
#include "orm/schema/table_ddl.h"
#include "ui/launch_task.h"
#include "ui/theme.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace strata::ui {

DdlViewer::DdlViewer(orm::Database *database, const QString &shownName, const QString &schema,
                     const QString &table, QWidget *parent)
    : QDialog(parent)
    , m_qualified(schema.isEmpty() ? table : schema + QLatin1Char('.') + table)
{
    setObjectName(QStringLiteral("ddlViewer"));
    setAttribute(Qt::WA_DeleteOnClose);
    setModal(false);
    setWindowTitle(tr("DDL — %1").arg(m_qualified));
    resize(720, 520);

    m_status = new QLabel(tr("Reading the DDL of %1…").arg(m_qualified), this);
    m_status->setObjectName(QStringLiteral("ddlStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("ddlText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(QStringLiteral("ddlCopy"));
    m_openInConsole = buttons->addButton(tr("Open in c&onsole"), QDialogButtonBox::ActionRole);
    m_openInConsole->setObjectName(QStringLiteral("ddlOpenInConsole"));
    m_copy->setEnabled(false);
    m_openInConsole->setEnabled(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_ddl); });
    connect(m_openInConsole, &QPushButton::clicked, this, [this] { emit openInConsole(m_ddl); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);

    if (!database) {
        showFailure(tr("%1 is not open").arg(shownName));
        return;
    }
    launchTask(
        this, orm::reflection::tableDdl(database, schema, table),
        [this](const QString &ddl) { showDdl(ddl); },
        [this](const TaskFailure &failure) { showFailure(failure.message); });
}

QString DdlViewer::statusText() const
{
    return m_status->text();
}

void DdlViewer::showDdl(const QString &ddl)
{
    m_loading = false;
    m_ddl = ddl;
    m_status->setText(tr("Generated from the catalog of %1").arg(m_qualified));
    m_status->setStyleSheet(QString());
    m_text->setPlainText(ddl);
    m_copy->setEnabled(true);
    m_openInConsole->setEnabled(true);
    emit finished(true);
}

void DdlViewer::showFailure(const QString &message)
{
    m_loading = false;
    m_status->setText(tr("Could not read the DDL of %1: %2").arg(m_qualified, message));
    m_status->setStyleSheet(toneStyleSheet(Tone::Error, palette()));
    m_text->clear();
    emit finished(false);
}

} // namespace strata::ui
