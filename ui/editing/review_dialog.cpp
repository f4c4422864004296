#include "review_dialog.h"

#include "cell_editors.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace strata::ui::editing {
namespace {

QString parameterText(const QVariant &value)
{
    if (!value.isValid() || value.isNull())
        return QStringLiteral("NULL");
    switch (value.metaType().id()) {
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Double:
        return value.toString();
    case QMetaType::QByteArray:
        return QStringLiteral("‹%1 bytes›").arg(value.toByteArray().size());
    default: {
        QString text = value.toString();
        text.replace(QLatin1Char('\''), QStringLiteral("''"));
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    }
    }
}

} // namespace

QString ReviewDialog::describe(const QList<orm::editing::PlannedStatement> &statements)
{
    QStringList out;
    for (const orm::editing::PlannedStatement &statement : statements) {
        QStringList params;
        for (int i = 0; i < statement.params.size(); ++i)
            params << QStringLiteral("$%1 = %2")
                          .arg(QString::number(i + 1), parameterText(statement.params[i]));
        QString text = statement.sql + QLatin1Char(';');
        if (!params.isEmpty())
            text += QStringLiteral("\n    -- ") + params.join(QStringLiteral(", "));
        out << text;
    }
    return out.join(QStringLiteral("\n\n"));
}

ReviewDialog::ReviewDialog(const QList<orm::editing::PlannedStatement> &statements, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("reviewDialog"));
    setWindowTitle(tr("Review: %1 in one transaction")
                       .arg(countOf(int(statements.size()), tr("statement"), tr("statements"))));
    auto *text = new QPlainTextEdit(this);
    text->setObjectName(QStringLiteral("reviewText"));
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setPlainText(QStringLiteral("BEGIN;\n\n") + describe(statements) +
                       QStringLiteral("\n\nCOMMIT;"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(buttons);
    resize(760, 420);
}

} // namespace strata::ui::editing
