#include "filter_bar.h"
#include "ui/theme.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

namespace strata::ui {

FilterBar::FilterBar(QTableView *table, QWidget *parent)
    : QWidget(parent)
    , m_table(table)
    , m_typingPause(new QTimer(this))
{
    m_typingPause->setSingleShot(true);
    m_typingPause->setInterval(500);
    connect(m_typingPause, &QTimer::timeout, this, [this] {
        for (int column = 0; column < m_editors.size(); ++column)
            apply(column);
    });
    QHeaderView *header = table->horizontalHeader();
    connect(header, &QHeaderView::sectionResized, this, &FilterBar::relayout);
    connect(header, &QHeaderView::sectionMoved, this, &FilterBar::relayout);
    connect(header, &QHeaderView::geometriesChanged, this, &FilterBar::relayout);
    connect(table->horizontalScrollBar(), &QScrollBar::valueChanged, this, &FilterBar::relayout);
    connect(table->verticalHeader(), &QHeaderView::geometriesChanged, this, &FilterBar::relayout);
}

QSize FilterBar::sizeHint() const
{
    QLineEdit probe;
    return {100, probe.sizeHint().height()};
}

void FilterBar::rebuild()
{
    qDeleteAll(m_editors);
    m_editors.clear();
    m_applied.clear();
    m_errors.clear();
    m_tips.clear();
    const int columns = m_table->model() ? m_table->model()->columnCount() : 0;
    for (int column = 0; column < columns; ++column) {
        auto *edit = new QLineEdit(this);
        const QString name = m_table->model()->headerData(column, Qt::Horizontal).toString();
        edit->setObjectName(QStringLiteral("filter_%1").arg(name));
        edit->setPlaceholderText(tr("filter"));
        edit->setToolTip(tr("Filter %1: text (contains), =x, >x, >=x, <x, <=x, a..b, "
                            "NULL, !NULL, !x (not)")
                             .arg(name));
        m_tips << edit->toolTip();
        m_errors << QString();
        edit->setClearButtonEnabled(true);
        connect(edit, &QLineEdit::returnPressed, this, [this, column] { apply(column); });
        connect(edit, &QLineEdit::textEdited, m_typingPause, qOverload<>(&QTimer::start));
        connect(edit, &QLineEdit::textChanged, this, [this, column](const QString &text) {
            if (text.isEmpty()) // the clear button
                apply(column);
        });
        edit->show();
        m_editors << edit;
        m_applied << QString();
    }
    relayout();
}

void FilterBar::apply(int column)
{
    QLineEdit *edit = m_editors.value(column);
    if (!edit || edit->text().trimmed() == m_applied[column])
        return;
    m_applied[column] = edit->text().trimmed();
    emit filterChanged(column, m_applied[column]);
}

void FilterBar::setAppliedText(int column, const QString &text)
{
    QLineEdit *edit = m_editors.value(column);
    if (!edit)
        return;
    m_applied[column] = text.trimmed();
    edit->setText(text);
}

void FilterBar::setError(int column, const QString &message)
{
    QLineEdit *edit = m_editors.value(column);
    if (!edit)
        return;
    m_errors[column] = message;
    edit->setStyleSheet(message.isEmpty()
                            ? QString()
                            : QStringLiteral("QLineEdit { background: %1; color: %2; }")
                                  .arg(errorFieldBackground(edit->palette()).name(),
                                       toneColor(Tone::Error, edit->palette()).name()));
    edit->setToolTip(message.isEmpty() ? m_tips.value(column) : message);
    if (message.isEmpty())
        return;
    // Applied again once corrected, even to the text that last compiled.
    m_applied[column] = QStringLiteral("\x01invalid");
}

void FilterBar::relayout()
{
    const QHeaderView *header = m_table->horizontalHeader();
    // The header starts after the table's frame and its vertical header.
    const int offset = m_table->frameWidth() + m_table->verticalHeader()->width();
    for (int column = 0; column < m_editors.size(); ++column) {
        QLineEdit *edit = m_editors[column];
        if (header->isSectionHidden(column)) {
            edit->hide();
            continue;
        }
        edit->setGeometry(offset + header->sectionViewportPosition(column), 0,
                          header->sectionSize(column), height());
        edit->show();
    }
}

} // namespace strata::ui
