#pragma once

// The data grid widget: a filter row, a QTableView over a GridModel's span, the grid's own
// scroll bar over the whole table, and a detail pane with the current cell's whole value.
//
// The table view's own vertical scroll bar is hidden: it only moves within the span. The grid's
// scroll bar ranges over every row of the table; moving it far re-bases the span (the view keeps
// showing at most spanRows() rows, whatever the table's size), and the view scrolling near an
// edge of the span moves the span along. Row positions stay qint64 throughout; QTableView never
// does pixel arithmetic beyond its span, so tables past ~71 M rows scroll like small ones.

#include <QWidget>

class QLabel;
class QMenu;
class QModelIndex;
class QLineEdit;
class QPlainTextEdit;
class QScrollBar;
class QSplitter;
class QTableView;
class QTimer;

namespace strata::ui {

class GridModel;
class GridNotice;
class FilterBar;

class GridView : public QWidget {
    Q_OBJECT

public:
    explicit GridView(QWidget *parent = nullptr);

    void setModel(GridModel *model);
    GridModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // Ranges over the whole table: value() is the top row.
    QScrollBar *scrollBar() const { return m_scrollBar; }
    QLineEdit *filterEditor(int column) const;
    // The message shown on a column's filter that did not compile (empty when it did).
    QString filterError(int column) const;
    QPlainTextEdit *detailPane() const { return m_detail; }

    // What the line above the rows says, or empty when it is hidden: a message set here (a
    // table missing in the chosen tenant, say), else why rows failed to load, else, with no
    // table open, the empty text.
    QString notice() const;
    GridNotice *noticeWidget() const { return m_notice; }
    void setMessage(const QString &text);
    void setEmptyText(const QString &text);

    qint64 topRow() const;
    int visibleRows() const;
    // Scrolls so that `row` is the top row (clamped).
    void scrollToRow(qint64 row);
    void goToStart();
    void goToEnd();
    // The current cell's table row, or -1.
    qint64 currentRow() const;
    void setCurrentCell(qint64 row, int column);

    // The selected cells as tab-separated lines (whole values; NULL as "NULL"), with the
    // columns' names first if asked.
    QString selectionAsTsv(bool withHeaders = false) const;
    void copySelection() const;
    // The selected cells' distinct values as an SQL list, "(1, 2, 3)" or "('a', 'it''s')",
    // NULLs left out (IN never matches them); empty when nothing but NULL is selected.
    QString selectionAsSqlList() const;

    // The context menus (right click): on a cell (copy, copy with headers, copy as an IN list,
    // filter by the value, the grid's own actions) and on a header (sort, filter, copy the name,
    // fit the width). The caller owns and shows them; tests trigger their actions.
    QMenu *cellMenu(const QModelIndex &index);
    QMenu *headerMenu(int column);
    // Sizes the columns to their name and the rows loaded, within bounds.
    void fitColumns();

signals:
    void currentCellChanged(qint64 row, int column);
    // cellMenu() is building its menu for a cell (table row, column): what others add to it
    // (following foreign keys, ui/navigation/) goes in here, before the grid's own actions.
    void cellMenuAboutToShow(QMenu *menu, qint64 row, int column);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyFilter(int column, const QString &text);
    void rebuildFilters() const;
    void onViewScrolled(int value);
    void onScrollBarMoved(int value);
    void rebase(qint64 top);
    void updateScrollRange();
    void onTotalRowsChanged(qint64 rows, bool exact);
    void updateViewport();
    void updateDetail();
    void updateNotice();
    // A new table's grid (rows and headers) keeps what it showed until its first rows are in (or a
    // moment has passed, or loading ended): no frame of placeholders first, and the rows' reply is
    // not queued behind that paint and the filter row's editors. False: nothing to wait for.
    bool holdForFirstRows();
    void releaseHold();

    GridModel *m_model = nullptr;
    FilterBar *m_filters;
    QTableView *m_table;
    QScrollBar *m_scrollBar;
    QPlainTextEdit *m_detail;
    QSplitter *m_splitter;
    GridNotice *m_notice;
    QString m_message;
    QString m_emptyText;
    bool m_syncing = false;
    // Ctrl+End before the row count was known: the end moves when the count arrives, and the
    // view follows it there until the reader scrolls elsewhere.
    bool m_followEnd = false;
    // A new table's columns are sized once its first rows are in.
    bool m_columnsFitted = false;
    // The filter row waits for the first rows after a reset (rebuildFilters).
    mutable bool m_filtersStale = false;
    static constexpr int kFirstRowsHoldMs = 150;
    QTimer *m_holdTimer = nullptr;
    bool m_holding = false;
};

} // namespace strata::ui
