#pragma once

// The grid's filter row: one line edit under each column header, kept aligned with the header's
// sections as they are resized or scrolled. Enter (or a pause in typing) applies a filter.

#include <QList>
#include <QWidget>

class QHeaderView;
class QLineEdit;
class QTableView;
class QTimer;

namespace strata::ui {

class FilterBar : public QWidget {
    Q_OBJECT

public:
    explicit FilterBar(QTableView *table, QWidget *parent = nullptr);

    // One editor per column of the table's model (call after the model's columns change).
    void rebuild();
    QLineEdit *editor(int column) const { return m_editors.value(column); }
    QSize sizeHint() const override;
    // Marks a column's filter as not compiling (red, the message as its tooltip), or clears
    // the mark with an empty message.
    void setError(int column, const QString &message);
    QString error(int column) const { return m_errors.value(column); }
    // Shows `text` in a column's editor as the filter in force, without applying it again.
    void setAppliedText(int column, const QString &text);

signals:
    void filterChanged(int column, const QString &text);

public slots:
    void relayout();

private:
    void apply(int column);

    QTableView *m_table;
    QList<QLineEdit *> m_editors;
    QList<QString> m_applied;
    QList<QString> m_errors;
    QList<QString> m_tips;
    QTimer *m_typingPause;
};

} // namespace strata::ui
