#pragma once

// The data grid's table model: a bounded window onto a relation of any size.
//
// Rows live in pages (a few hundred consecutive rows each, with the keys of their first and last
// rows) fetched asynchronously from a RowSource: the first page at once, neighbours by keyset
// (after/before a page's edge key), far jumps by a seek, the end by last(). A bounded number of
// pages is kept; the ones farthest from the viewport go first. Cells not loaded yet show a
// placeholder. The row count runs in the background and can be cancelled; until it is known the
// model offers the rows found so far plus one page, and grows as the reader scrolls.
//
// QTableView's cost grows with rowCount() (100 M rows do not even open), so the model shows the
// view a *span* of at most spanRows() table rows starting at base(); GridView moves the span and
// maps its own scroll bar onto the whole table.

#include "row_source.h"

#include <QAbstractTableModel>
#include <QBrush>
#include <QFont>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>
#include <vector>

class QIcon;

namespace strata::ui {

// What may stand over the stored cells of loaded rows (the grid's staged edits, ui/editing/): a
// role's value that replaces the stored one, or an invalid QVariant to show what is stored.
class GridCellOverlay {
public:
    virtual ~GridCellOverlay() = default;
    virtual QVariant cellData(qint64 row, int column, int role) const = 0;
    // Whether loaded cells take an editor (the overlay's delegate says why not when it refuses).
    virtual bool cellsEditable() const = 0;
};

class GridModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Role {
        IsNullRole = Qt::UserRole + 1, // bool: the cell is SQL NULL
        IsLoadedRole,                  // bool: the row has arrived
        FullTextRole,                  // QString: the whole value (null QString for NULL)
        TableRowRole,                  // qint64: the row's position in the whole table
        IsStaleRole,                   // bool: read before a fetch failed (may be out of date)
    };

    // Requests issued since the source or query was set, by kind (tests and the status bar).
    struct Stats {
        int first = 0;
        int last = 0;
        int after = 0;
        int before = 0;
        int seek = 0;
        int evicted = 0;
    };

    explicit GridModel(QObject *parent = nullptr);
    ~GridModel() override;

    // Starts over on a new source: header at once, first page and row count in the background.
    // `query` (sort and filters carried over from another source) applies when it compiles on
    // this one; a filter that does not is dropped.
    void setSource(RowSourcePtr source, const GridQuery &query = {});
    const RowSourcePtr &source() const { return m_source; }
    // Sort and filters, compiled by the source; false (and errorOccurred) if they do not compile.
    bool setQuery(const GridQuery &query);
    const GridQuery &query() const { return m_query; }
    // The filter in force on a column ("" when none).
    QString filterText(int column) const;
    // What a filtered column's header shows beside its name.
    static QIcon filterMarker();
    bool setFilter(int column, const QString &text);
    QString selectSql() const;
    // Forgets every row and reads again (after a failure, or to see new rows).
    void refresh();

    int pageRows() const { return m_pageRows; }
    void setPageRows(int rows);
    int spanRows() const { return m_spanRows; }
    void setSpanRows(int rows);
    int maxCachedPages() const { return m_maxPages; }
    void setMaxCachedPages(int pages);

    // The whole table's row count: exact once isCountKnown(), an estimate before.
    qint64 totalRows() const { return m_total; }
    bool isCountKnown() const { return m_countKnown; }
    bool isCounting() const { return m_counting; }
    void cancelCount();

    qint64 base() const { return m_base; }
    // Moves the span so that it starts at `base` (clamped); the view's rows show other table rows.
    void setBase(qint64 base);
    // The table rows the view shows; loading follows them.
    void setViewport(qint64 firstRow, qint64 lastRow);
    qint64 viewportFirst() const { return m_viewFirst; }
    // Makes the last rows reachable before the count is known (Ctrl+End).
    void goToEnd();

    bool isRowLoaded(qint64 row) const { return pageAt(row) != nullptr; }
    // Cell access by table row; empty/null when the row is not loaded.
    // The columns of the rows shown (the source's, as it last answered).
    const orm::Columns &columns() const { return m_columns; }
    QString cellText(qint64 row, int column) const;
    QString cellFullText(qint64 row, int column) const;
    bool isCellNull(qint64 row, int column) const;
    // A loaded cell as the source read it (RowBatch::rawValue); invalid for NULL or not loaded.
    QVariant rawValue(qint64 row, int column) const;

    // The overlay consulted first for loaded cells (not owned; null: none).
    void setOverlay(const GridCellOverlay *overlay);
    // The overlay's values changed: the view repaints the rows it shows.
    void overlayChanged();
    int cachedPages() const { return int(m_pages.size()); }
    qint64 cachedRows() const;
    bool isLoading() const { return !m_inFlight.empty(); }
    const Stats &stats() const { return m_stats; }
    // Why the last page fetch failed; empty while fetching works. Rows read before it stay
    // (marked stale); rows never read show empty rather than as loading. The next viewport
    // change (a scroll) or refresh() asks again.
    QString lastError() const { return m_error; }
    bool isRowStale(qint64 row) const;
    // Why the last setQuery()/setFilter() was refused (a filter that does not compile), or empty.
    QString lastQueryError() const { return m_queryError; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

signals:
    void totalRowsChanged(qint64 rows, bool exact);
    void loadingChanged(bool loading);
    void rowsLoaded(qint64 firstRow, int count);
    void baseChanged(qint64 base);
    void queryChanged(const QString &sql);
    void errorOccurred(const QString &message);
    // lastError() was set by a failed fetch, or cleared (a retry, a refresh, a new source).
    void failureChanged(const QString &message);

private:
    struct Page {
        qint64 start = 0;
        orm::RowBatch rows;
        QVariantList firstKey;
        QVariantList lastKey;
        bool endAnchored = false; // placed from the end while the count was unknown
        bool stale = false;       // read before a fetch failed

        qint64 end() const { return start + rows.rowCount(); }
    };

public:
    // One fetch the model decided on (public for the free coroutine that reads its page).
    struct Request {
        enum class Kind { First, Last, After, Before, Seek } kind = Kind::First;
        qint64 start = 0; // where the rows go (Before: where they end)
        int limit = 0;
        QVariantList key;
        double fraction = 0;
        bool open = false; // nothing known after the gap: a short page means the end
        bool endAnchored = false;
    };

private:
    // Where launchTask delivers a fetch's page or a count, or their failure.
    void onPageFetched(quint64 generation, const Request &request, RowPage page);
    void onFetchFailed(quint64 generation, const Request &request, const QString &message);
    void onCountFinished(quint64 generation, qint64 rows);
    void onCountFailed(quint64 generation, const QString &message, bool cancelled);
    void restart();
    // restart()'s three steps: the state of a new read (nothing emitted), what the views hear
    // of it, and its first page asked for.
    void resetRead();
    void announceRead();
    void askFirstPage();
    void startCount();
    void setError(const QString &message);
    void schedulePump() const;
    void pump();
    bool planFor(qint64 row, Request &request) const;
    void issue(const Request &request);
    // The end of the page or fetch covering `row`, or -1.
    qint64 coveredUntil(qint64 row) const;
    const Page *pageAt(qint64 row) const;
    void evict();
    void setTotal(qint64 rows, bool exact);
    void updateSpanRows();
    void emitRowsChanged(qint64 first, qint64 last);
    qint64 loadedExtent() const; // end of the last page placed from the start
    const QBrush &dimBrush() const;

    RowSourcePtr m_source;
    const GridCellOverlay *m_overlay = nullptr;
    orm::Columns m_columns;
    GridQuery m_query;
    quint64 m_generation = 0;
    std::map<qint64, Page> m_pages;      // by start row
    std::map<qint64, qint64> m_inFlight; // reserved [start, end) of running fetches
    int m_pageRows = 256;
    int m_spanRows = 100'000;
    int m_maxPages = 64;
    int m_shownRows = 0; // rowCount() as the view last heard it
    qint64 m_total = 0;
    bool m_countKnown = false;
    bool m_counting = false;
    bool m_countDeferred = false; // counting, but not started until the first page is in
    qint64 m_base = 0;
    qint64 m_viewFirst = 0;
    qint64 m_viewLast = -1;
    mutable qint64 m_wanted = -1; // a row data() was asked for outside the viewport
    QString m_error;
    bool m_errorCleared = false;                     // by resetRead(), not yet announced
    bool m_resetting = false;                        // inside setSource's begin/endResetModel
    std::vector<std::function<void()>> m_afterReset; // answers that came inside it
    QString m_queryError;
    Stats m_stats;
    QTimer *m_pumpTimer;
    QTimer *m_countTimer;
    // data() is asked for every visible cell on every paint: what it returns for dimmed and
    // NULL cells is built once (the brush again when the application's palette changes).
    mutable QBrush m_dimBrush;
    mutable qint64 m_dimPaletteKey = -1;
    QFont m_nullFont;
};

} // namespace strata::ui
