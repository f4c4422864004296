#include "grid_model.h"

#include "cell_format.h"
#include "launch_task.h"

#include "orm/core/error.h"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QPolygonF>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

namespace strata::ui {
namespace {

constexpr int kMaxInFlight = 2;
// How many pages a keyset walk may take from a known page before a seek is cheaper.
constexpr int kReachPages = 4;

// The page a request asks for; launchTask (GridModel::fetch) delivers it or its failure. The
// source is a parameter, kept alive in the frame while the page is read.
QCoro::Task<RowPage> fetchPage(RowSourcePtr source, GridModel::Request request)
{
    using Kind = GridModel::Request::Kind;
    RowPage page;
    switch (request.kind) {
    case Kind::First:
        page = co_await source->first(request.limit);
        break;
    case Kind::Last:
        page = co_await source->last(request.limit);
        break;
    case Kind::After:
        page = co_await source->after(request.key, request.limit);
        break;
    case Kind::Before:
        page = co_await source->before(request.key, request.limit);
        break;
    case Kind::Seek:
        page = co_await source->seek(request.fraction, request.limit);
        break;
    }
    co_return page;
}

// The source's count, holding the source while it runs.
QCoro::Task<qint64> countRows(RowSourcePtr source)
{
    const qint64 rows = co_await source->count();
    co_return rows;
}

} // namespace

GridModel::GridModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_pumpTimer(new QTimer(this))
    , m_countTimer(new QTimer(this))
{
    m_pumpTimer->setSingleShot(true);
    m_pumpTimer->setInterval(0);
    connect(m_pumpTimer, &QTimer::timeout, this, &GridModel::pump);
    // A timer, not a posted call: it fires after the paint the first page asked for.
    m_countTimer->setSingleShot(true);
    m_countTimer->setInterval(0);
    connect(m_countTimer, &QTimer::timeout, this, &GridModel::startCount);
    // Only italic is set: the view resolves the rest from its own font.
    m_nullFont.setItalic(true);
}

GridModel::~GridModel()
{
    if (m_source && m_counting)
        m_source->cancelCount();
}

void GridModel::setSource(RowSourcePtr source, const GridQuery &query)
{
    if (m_source && m_counting)
        m_source->cancelCount();
    m_source = std::move(source);
    m_query = {};
    m_queryError.clear();
    if (m_source && !(query == GridQuery{})) {
        // Filter by filter, so one that does not fit this source leaves the others in force.
        GridQuery kept;
        kept.sortColumn = query.sortColumn;
        kept.descending = query.descending;
        for (const GridFilter &filter : query.filters) {
            GridQuery candidate = kept;
            candidate.filters.append(filter);
            try {
                m_source->setQuery(candidate);
                kept = candidate;
            } catch (const orm::Error &) {
            }
        }
        try {
            m_source->setQuery(kept);
            m_query = kept;
        } catch (const orm::Error &) {
            m_source->setQuery({});
        }
    }
    beginResetModel();
    m_columns = m_source ? m_source->columns() : orm::Columns{};
    resetRead();
    m_shownRows = int(std::min<qint64>(m_total, m_spanRows));
    // The first page is asked for before the views hear of the reset: their relayout and
    // repaint (milliseconds of this thread) then run while it is read, and its reply is
    // waiting when they are done. A new table is read from its top, where the views go.
    m_viewLast = m_viewLast >= m_viewFirst ? m_viewLast - m_viewFirst : 50;
    m_viewFirst = 0;
    m_resetting = true;
    askFirstPage();
    m_resetting = false;
    endResetModel();
    announceRead();
    // Rows a source had at hand still arrive within setSource() (the console counts on it).
    for (const std::function<void()> &deliver : std::exchange(m_afterReset, {}))
        deliver();
}

bool GridModel::setQuery(const GridQuery &query)
{
    if (!m_source)
        return false;
    try {
        m_source->setQuery(query);
    } catch (const orm::Error &error) {
        // The rows of the query in force stay (and keep loading): only this change failed.
        m_queryError = error.toString();
        emit errorOccurred(m_queryError);
        return false;
    }
    m_queryError.clear();
    m_query = query;
    restart();
    return true;
}

bool GridModel::setFilter(int column, const QString &text)
{
    GridQuery query = m_query;
    query.filters.erase(
        std::remove_if(query.filters.begin(), query.filters.end(),
                       [column](const GridFilter &f) { return f.column == column; }),
        query.filters.end());
    if (!text.trimmed().isEmpty())
        query.filters.append(GridFilter{column, text.trimmed()});
    return query == m_query || setQuery(query);
}

QString GridModel::selectSql() const
{
    return m_source ? m_source->selectSql() : QString();
}

void GridModel::refresh()
{
    if (m_source)
        restart();
}

void GridModel::restart()
{
    resetRead();
    updateSpanRows();
    announceRead();
    // After the views have heard: they move their viewport to the top of the new read.
    askFirstPage();
}

void GridModel::resetRead()
{
    if (m_counting && m_source && !m_countDeferred)
        m_source->cancelCount();
    m_countDeferred = false;
    m_countTimer->stop();
    ++m_generation;
    m_pages.clear();
    m_inFlight.clear();
    m_stats = {};
    m_errorCleared = !m_error.isEmpty(); // said in announceRead()
    m_error.clear();
    m_countKnown = false;
    m_counting = false;
    m_base = 0;
    m_total = m_source ? m_pageRows : 0; // the first page, until it says more
}

void GridModel::announceRead()
{
    if (std::exchange(m_errorCleared, false))
        emit failureChanged(m_error);
    if (m_shownRows > 0)
        emit dataChanged(index(0, 0), index(m_shownRows - 1, std::max(0, columnCount() - 1)));
    emit headerDataChanged(Qt::Vertical, 0, std::max(0, m_shownRows - 1));
    emit baseChanged(0);
    emit totalRowsChanged(m_total, false);
    if (m_source)
        emit queryChanged(selectSql());
}

void GridModel::askFirstPage()
{
    if (!m_source)
        return;
    m_counting = true;
    if (m_viewLast < m_viewFirst) // no view yet: the first rows are what anyone sees first
        m_viewLast = m_viewFirst + 50;
    // The first page before the count: the count (which may read the whole table) starts
    // once that page is in, so that it never competes with the rows the reader waits for.
    m_countDeferred = true;
    pump();
    if (m_inFlight.empty() && !m_countTimer->isActive()) // nothing asked for, or it came at once
        startCount();
}

void GridModel::startCount()
{
    if (!m_countDeferred || !m_source)
        return;
    m_countDeferred = false;
    launchTask(
        this, countRows(m_source),
        [this, generation = m_generation](qint64 rows) { onCountFinished(generation, rows); },
        [this, generation = m_generation](const TaskFailure &failure) {
            onCountFailed(generation, failure.message, failure.isKind(orm::Error::Kind::Cancelled));
        });
}

void GridModel::setPageRows(int rows)
{
    m_pageRows = std::max(1, rows);
}
void GridModel::setSpanRows(int rows)
{
    m_spanRows = std::max(1, rows);
    updateSpanRows();
}
void GridModel::setMaxCachedPages(int pages)
{
    m_maxPages = std::max(2, pages);
}

void GridModel::cancelCount()
{
    if (m_countDeferred) { // not started yet: it never will
        m_countDeferred = false;
        onCountFailed(m_generation, QString(), true);
        return;
    }
    if (m_counting && m_source)
        m_source->cancelCount();
}

void GridModel::setBase(qint64 base)
{
    base = std::clamp<qint64>(base, 0, std::max<qint64>(0, m_total - m_shownRows));
    if (base == m_base)
        return;
    m_base = base;
    if (m_shownRows > 0) {
        emit dataChanged(index(0, 0), index(m_shownRows - 1, std::max(0, columnCount() - 1)));
        emit headerDataChanged(Qt::Vertical, 0, m_shownRows - 1);
    }
    emit baseChanged(m_base);
}

void GridModel::setViewport(qint64 firstRow, qint64 lastRow)
{
    if (firstRow == m_viewFirst && lastRow == m_viewLast)
        return;
    // The reader scrolled after a failure: ask again, once per scroll. Not on a resize (the
    // notice showing or going resizes the view): that would retry in a loop.
    const bool scrolled = std::max<qint64>(0, firstRow) != m_viewFirst;
    m_viewFirst = std::max<qint64>(0, firstRow);
    m_viewLast = std::max(m_viewFirst, lastRow);
    if (!m_error.isEmpty() && m_total > 0 && scrolled)
        setError({});
    schedulePump();
}

void GridModel::setError(const QString &message)
{
    if (message == m_error)
        return;
    m_error = message;
    emit failureChanged(m_error);
}

bool GridModel::isRowStale(qint64 row) const
{
    const Page *page = pageAt(row);
    return page && page->stale;
}

void GridModel::goToEnd()
{
    if (!m_source || m_countKnown)
        return;
    for (const auto &[start, page] : m_pages)
        if (page.endAnchored)
            return;
    // The end is somewhere past what is loaded: place it a few pages on, so a gap separates it
    // from the rows found so far; the count, once known, moves it to its true place.
    const qint64 total = std::max(m_total, loadedExtent() + 2 * qint64(m_pageRows));
    setTotal(total, false);
    Request request;
    request.kind = Request::Kind::Last;
    request.start = total - m_pageRows;
    request.limit = m_pageRows;
    request.endAnchored = true;
    issue(request);
}

qint64 GridModel::cachedRows() const
{
    qint64 rows = 0;
    for (const auto &[start, page] : m_pages)
        rows += page.rows.rowCount();
    return rows;
}

const GridModel::Page *GridModel::pageAt(qint64 row) const
{
    auto it = m_pages.upper_bound(row);
    if (it == m_pages.begin())
        return nullptr;
    --it;
    return row < it->second.end() ? &it->second : nullptr;
}

qint64 GridModel::coveredUntil(qint64 row) const
{
    if (const Page *page = pageAt(row))
        return page->end();
    auto it = m_inFlight.upper_bound(row);
    if (it != m_inFlight.begin() && row < std::prev(it)->second)
        return std::prev(it)->second;
    return -1;
}

qint64 GridModel::loadedExtent() const
{
    qint64 extent = 0;
    for (const auto &[start, page] : m_pages)
        if (!page.endAnchored)
            extent = std::max(extent, page.end());
    for (const auto &[start, end] : m_inFlight)
        extent = std::max(extent, end);
    return extent;
}

QString GridModel::cellText(qint64 row, int column) const
{
    const Page *page = pageAt(row);
    if (!page || column < 0 || column >= m_columns.size())
        return {};
    return displayText(page->rows, int(row - page->start), column, m_columns[column]);
}

QString GridModel::cellFullText(qint64 row, int column) const
{
    const Page *page = pageAt(row);
    if (!page || column < 0 || column >= m_columns.size())
        return {};
    return fullText(page->rows, int(row - page->start), column, m_columns[column]);
}

bool GridModel::isCellNull(qint64 row, int column) const
{
    const Page *page = pageAt(row);
    return page && column >= 0 && column < m_columns.size() &&
           page->rows.isNull(int(row - page->start), column);
}

QVariant GridModel::rawValue(qint64 row, int column) const
{
    const Page *page = pageAt(row);
    if (!page || column < 0 || column >= m_columns.size())
        return {};
    return page->rows.rawValue(int(row - page->start), column);
}

void GridModel::setOverlay(const GridCellOverlay *overlay)
{
    m_overlay = overlay;
    overlayChanged();
}

void GridModel::overlayChanged()
{
    if (m_shownRows > 0 && !m_columns.isEmpty())
        emit dataChanged(index(0, 0), index(m_shownRows - 1, int(m_columns.size()) - 1));
}

Qt::ItemFlags GridModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid() && m_overlay && m_overlay->cellsEditable() && pageAt(m_base + index.row()))
        flags |= Qt::ItemIsEditable;
    return flags;
}

int GridModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shownRows;
}

int GridModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant GridModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const qint64 row = m_base + index.row();
    const int column = index.column();
    const Page *page = pageAt(row);
    if (role == TableRowRole)
        return row;
    if (role == IsLoadedRole)
        return page != nullptr;
    if (role == IsStaleRole)
        return page && page->stale;
    if (!page) {
        if (role == Qt::DisplayRole && !m_error.isEmpty())
            return QString(); // not loading: the grid's notice says why
        if (role == Qt::DisplayRole) {
            if (row < m_viewFirst || row > m_viewLast) {
                m_wanted = row;
                schedulePump();
            }
            return placeholderText();
        }
        if (role == Qt::ForegroundRole)
            return dimBrush();
        return {};
    }
    if (m_overlay) {
        QVariant over = m_overlay->cellData(row, column, role);
        if (over.isValid())
            return over;
    }
    const int r = int(row - page->start);
    const bool null = page->rows.isNull(r, column);
    switch (role) {
    case Qt::DisplayRole:
        return displayText(page->rows, r, column, m_columns[column]);
    case Qt::EditRole:
    case FullTextRole:
        return fullText(page->rows, r, column, m_columns[column]);
    case IsNullRole:
        return null;
    case Qt::ForegroundRole:
        if (null || page->stale)
            return dimBrush();
        return {};
    case Qt::FontRole:
        if (null)
            return m_nullFont;
        return {};
    case Qt::TextAlignmentRole: {
        // Numbers line up on the right: by the column's type, or by what the cell holds where
        // the column has none (SQLite's expressions).
        const orm::LogicalType type = m_columns[column].type;
        const orm::CellKind kind = page->rows.kind(r, column);
        if (type == orm::LogicalType::Integer || type == orm::LogicalType::Real ||
            type == orm::LogicalType::Numeric || kind == orm::CellKind::Integer ||
            kind == orm::CellKind::Real)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    }
    case Qt::ToolTipRole:
        if (page->stale)
            return tr("Read before reading rows failed: it may be out of date (Refresh reads "
                      "it again)");
        if (m_columns[column].type == orm::LogicalType::Bytes ||
            page->rows.bytes(r, column).size() > kDisplayChars)
            return tr("Shortened: the detail pane shows the whole value");
        return {};
    default:
        return {};
    }
}

const QBrush &GridModel::dimBrush() const
{
    const QPalette palette = QGuiApplication::palette();
    if (palette.cacheKey() != m_dimPaletteKey) {
        m_dimBrush = QBrush(palette.color(QPalette::Disabled, QPalette::Text));
        m_dimPaletteKey = palette.cacheKey();
    }
    return m_dimBrush;
}

QString GridModel::filterText(int column) const
{
    for (const GridFilter &filter : m_query.filters)
        if (filter.column == column && !filter.text.isEmpty())
            return filter.text;
    return {};
}

QVariant GridModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role == Qt::DisplayRole) {
        if (orientation == Qt::Horizontal)
            return section < m_columns.size() ? m_columns[section].name : QVariant();
        return QString::number(m_base + section + 1);
    }
    if (orientation != Qt::Horizontal || section >= m_columns.size())
        return {};
    // A filtered column says so in its header: a funnel, and the filter in the tooltip.
    const QString filter = filterText(section);
    if (role == Qt::DecorationRole && !filter.isEmpty())
        return filterMarker();
    if (role == Qt::ToolTipRole)
        return filter.isEmpty() ? m_columns[section].typeName
                                : tr("%1, filtered: %2").arg(m_columns[section].typeName, filter);
    return {};
}

QIcon GridModel::filterMarker()
{
    static const QIcon icon = [] {
        QIcon themed = QIcon::fromTheme(QStringLiteral("view-filter"));
        if (!themed.isNull())
            return themed;
        // No icon theme (a bare desktop, a container): a funnel drawn in the text colour.
        QPixmap pixmap(12, 12);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QGuiApplication::palette().color(QPalette::WindowText));
        painter.drawPolygon(QPolygonF({{1, 1}, {11, 1}, {7, 6}, {7, 11}, {5, 10}, {5, 6}}));
        return QIcon(pixmap);
    }();
    return icon;
}

void GridModel::sort(int column, Qt::SortOrder order)
{
    GridQuery query = m_query;
    query.sortColumn = column;
    query.descending = order == Qt::DescendingOrder;
    if (!(query == m_query))
        setQuery(query);
}

void GridModel::schedulePump() const
{
    if (!m_pumpTimer->isActive())
        m_pumpTimer->start();
}

void GridModel::pump()
{
    if (!m_source || !m_error.isEmpty())
        return;
    // Visible rows first, then half a page on either side, then a row data() asked for.
    const qint64 margin = m_pageRows / 2;
    const qint64 limit = m_countKnown ? m_total : std::numeric_limits<qint64>::max();
    const std::pair<qint64, qint64> ranges[] = {
        {m_viewFirst, m_viewLast},
        {m_viewLast + 1, m_viewLast + margin},
        {m_viewFirst - margin, m_viewFirst - 1},
        {m_wanted, m_wanted},
    };
    for (auto [first, last] : ranges) {
        first = std::max<qint64>(first, 0);
        last = std::min({last, limit - 1, m_total - 1});
        for (qint64 row = first; row <= last && m_inFlight.size() < kMaxInFlight;) {
            const qint64 covered = coveredUntil(row);
            if (covered > row) {
                row = covered;
                continue;
            }
            Request request;
            if (!planFor(row, request))
                break; // waiting for a neighbour that is on its way
            issue(request);
            row = request.kind == Request::Kind::Before ? request.start : request.start + 1;
        }
    }
    m_wanted = -1;
}

bool GridModel::planFor(qint64 row, Request &request) const
{
    const qint64 P = m_pageRows;
    const qint64 reach = kReachPages * P;
    // The closest page or fetch before the row, and after it.
    qint64 prevEnd = 0;
    const Page *prevPage = nullptr;
    bool prevInFlight = false;
    auto page = m_pages.upper_bound(row);
    if (page != m_pages.begin()) {
        prevPage = &std::prev(page)->second;
        prevEnd = prevPage->end();
    }
    auto flight = m_inFlight.upper_bound(row);
    if (flight != m_inFlight.begin() && std::prev(flight)->second > prevEnd) {
        prevEnd = std::prev(flight)->second;
        prevInFlight = true;
    }
    qint64 nextStart = std::numeric_limits<qint64>::max();
    const Page *nextPage = nullptr;
    bool nextInFlight = false;
    if (page != m_pages.end()) {
        nextPage = &page->second;
        nextStart = nextPage->start;
    }
    if (flight != m_inFlight.end() && flight->first < nextStart) {
        nextStart = flight->first;
        nextInFlight = true;
    }
    const bool open = nextStart == std::numeric_limits<qint64>::max() && !m_countKnown;
    if (m_countKnown)
        nextStart = std::min(nextStart, m_total);
    const auto gapLimit = [&](qint64 from) { return int(std::min(P, nextStart - from)); };

    if (row - prevEnd < reach && (prevPage || prevInFlight || prevEnd == 0)) {
        if (prevInFlight)
            return false;
        request.start = prevEnd;
        request.limit = gapLimit(prevEnd);
        request.open = open;
        if (prevEnd == 0 && (!prevPage || prevPage->end() != 0)) {
            request.kind = Request::Kind::First;
        } else {
            request.kind = Request::Kind::After;
            request.key = prevPage->lastKey;
        }
        return request.limit > 0;
    }
    if (nextStart - row <= reach && !open) {
        if (nextInFlight)
            return false;
        if (nextPage && nextPage->start == nextStart) {
            request.kind = Request::Kind::Before;
            request.key = nextPage->firstKey;
            request.limit = int(std::min(P, nextStart - prevEnd));
            request.start = nextStart; // the rows end here
            request.endAnchored = nextPage->endAnchored;
            return true;
        }
        if (m_countKnown && nextStart == m_total) {
            request.kind = Request::Kind::Last;
            request.limit = int(std::min(P, m_total - prevEnd));
            request.start = m_total - request.limit;
            return true;
        }
    }
    // Far from anything known: a seek, placed where the reader is.
    const qint64 total = std::max<qint64>(1, m_total);
    request.kind = Request::Kind::Seek;
    request.start = std::max(prevEnd, row - P / 4);
    request.limit = gapLimit(request.start);
    request.fraction = double(request.start) / double(total);
    return request.limit > 0;
}

void GridModel::issue(const Request &request)
{
    qint64 first = request.start;
    qint64 end = request.start + request.limit;
    if (request.kind == Request::Kind::Before) {
        first = request.start - request.limit;
        end = request.start;
    }
    const bool wasLoading = isLoading();
    m_inFlight[first] = end;
    switch (request.kind) {
    case Request::Kind::First:
        ++m_stats.first;
        break;
    case Request::Kind::Last:
        ++m_stats.last;
        break;
    case Request::Kind::After:
        ++m_stats.after;
        break;
    case Request::Kind::Before:
        ++m_stats.before;
        break;
    case Request::Kind::Seek:
        ++m_stats.seek;
        break;
    }
    if (!wasLoading)
        emit loadingChanged(true);
    launchTask(
        this, fetchPage(m_source, request),
        [this, generation = m_generation, request](RowPage page) {
            onPageFetched(generation, request, std::move(page));
        },
        [this, generation = m_generation, request](const TaskFailure &failure) {
            onFetchFailed(generation, request, failure.message);
        });
}

void GridModel::onPageFetched(quint64 generation, const Request &request, RowPage fetched)
{
    if (m_resetting) { // it came at once, inside setSource's reset: taken right after it
        auto page = std::make_shared<RowPage>(std::move(fetched));
        m_afterReset.push_back([this, generation, request, page] {
            onPageFetched(generation, request, std::move(*page));
        });
        return;
    }
    if (generation != m_generation)
        return;
    // The count was deferred until the first page is in; it starts once these rows are shown
    // (starting it can open a connection: a few ms the reader would wait for).
    if (m_countDeferred)
        m_countTimer->start();
    const qint64 reservedFirst =
        request.kind == Request::Kind::Before ? request.start - request.limit : request.start;
    m_inFlight.erase(reservedFirst);
    const int rows = fetched.rows.rowCount();
    Page page;
    page.rows = std::move(fetched.rows);
    page.firstKey = std::move(fetched.firstKey);
    page.lastKey = std::move(fetched.lastKey);
    page.endAnchored = request.endAnchored;
    page.start = request.kind == Request::Kind::Before ? request.start - rows : request.start;

    if (request.kind == Request::Kind::First && rows < request.limit && !m_countKnown) {
        setTotal(rows, true); // the whole table fits in the first page
    } else if (request.kind == Request::Kind::Last && request.endAnchored && rows < request.limit) {
        m_pages.clear(); // smaller than one page after all: it is the whole table
        page.start = 0;
        page.endAnchored = false;
        setTotal(rows, true);
    } else if (request.kind == Request::Kind::After && request.open && rows < request.limit) {
        setTotal(page.start + rows, true); // walked off the end
    } else if (!m_countKnown && !page.endAnchored && rows > 0) {
        // Offer one more page than found, so the reader can scroll on.
        qint64 tail = 0;
        for (const auto &[start, p] : m_pages)
            if (p.endAnchored)
                tail = std::max(tail, p.end() - start);
        if (tail == 0)
            setTotal(std::max(m_total, page.end() + m_pageRows), false);
    }
    if (rows > 0 && page.start >= 0) {
        m_pages[page.start] = std::move(page);
        emitRowsChanged(
            request.kind == Request::Kind::Before ? request.start - rows : request.start,
            (request.kind == Request::Kind::Before ? request.start : request.start + rows) - 1);
        emit rowsLoaded(
            request.kind == Request::Kind::Before ? request.start - rows : request.start, rows);
    }
    evict();
    if (!isLoading())
        emit loadingChanged(false);
    schedulePump();
}

void GridModel::onFetchFailed(quint64 generation, const Request &request, const QString &message)
{
    if (m_resetting) {
        m_afterReset.push_back(
            [this, generation, request, message] { onFetchFailed(generation, request, message); });
        return;
    }
    if (generation != m_generation)
        return;
    startCount();
    m_inFlight.erase(request.kind == Request::Kind::Before ? request.start - request.limit
                                                           : request.start);
    // Rows already shown stay, marked stale; no retry loop: the next scroll, refresh() or a new
    // query asks again.
    for (auto &[start, page] : m_pages)
        page.stale = true;
    if (m_pages.empty() && !m_countKnown)
        setTotal(0, false); // no rows to offer: the notice says why
    else if (m_shownRows > 0)
        emitRowsChanged(m_base, m_base + m_shownRows - 1);
    setError(message);
    emit errorOccurred(message);
    if (!isLoading())
        emit loadingChanged(false);
}

void GridModel::onCountFinished(quint64 generation, qint64 rows)
{
    if (generation != m_generation)
        return;
    m_counting = false;
    // Pages placed from the end move to their true place (or go, if they would overlap).
    const qint64 shift = rows - m_total;
    if (shift != 0) {
        std::map<qint64, Page> kept;
        std::vector<Page> moved;
        for (auto &[start, page] : m_pages) {
            if (page.endAnchored) {
                page.start += shift;
                moved.push_back(std::move(page));
            } else if (page.end() <= rows) {
                kept.emplace(start, std::move(page));
            }
        }
        const qint64 headEnd = kept.empty() ? 0 : kept.rbegin()->second.end();
        for (Page &page : moved)
            if (page.start >= headEnd)
                kept.emplace(page.start, std::move(page));
        m_pages = std::move(kept);
        for (auto &[start, page] : m_pages)
            page.endAnchored = false;
    } else {
        for (auto &[start, page] : m_pages)
            page.endAnchored = false;
    }
    setTotal(rows, true);
    if (shift != 0 && m_shownRows > 0)
        emitRowsChanged(m_base, m_base + m_shownRows - 1);
    schedulePump();
}

void GridModel::onCountFailed(quint64 generation, const QString &message, bool cancelled)
{
    if (generation != m_generation)
        return;
    m_counting = false;
    if (!cancelled)
        emit errorOccurred(tr("Counting rows failed: %1").arg(message));
    emit totalRowsChanged(m_total, m_countKnown);
}

void GridModel::evict()
{
    const qint64 centre = (m_viewFirst + m_viewLast) / 2;
    const qint64 keepFirst = m_viewFirst - m_pageRows;
    const qint64 keepLast = m_viewLast + m_pageRows;
    while (int(m_pages.size()) > m_maxPages) {
        auto farthest = m_pages.end();
        qint64 distance = -1;
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
            const Page &page = it->second;
            if (page.end() > keepFirst && page.start <= keepLast)
                continue;
            const qint64 d = page.start > centre ? page.start - centre : centre - page.end();
            if (d > distance) {
                distance = d;
                farthest = it;
            }
        }
        if (farthest == m_pages.end())
            break;
        const qint64 first = farthest->second.start;
        const qint64 last = farthest->second.end() - 1;
        m_pages.erase(farthest);
        ++m_stats.evicted;
        emitRowsChanged(first, last);
    }
}

void GridModel::setTotal(qint64 rows, bool exact)
{
    const bool changed = rows != m_total || exact != m_countKnown;
    m_total = rows;
    m_countKnown = exact;
    if (exact && m_counting && m_source) {
        // Found by walking off the end: the running count can only agree.
    }
    updateSpanRows();
    if (m_base > std::max<qint64>(0, m_total - m_shownRows))
        setBase(m_total - m_shownRows);
    if (changed)
        emit totalRowsChanged(m_total, m_countKnown);
}

void GridModel::updateSpanRows()
{
    const int rows = int(std::min<qint64>(m_total, m_spanRows));
    if (rows > m_shownRows) {
        beginInsertRows({}, m_shownRows, rows - 1);
        m_shownRows = rows;
        endInsertRows();
    } else if (rows < m_shownRows) {
        beginRemoveRows({}, rows, m_shownRows - 1);
        m_shownRows = rows;
        endRemoveRows();
    }
}

void GridModel::emitRowsChanged(qint64 first, qint64 last)
{
    first = std::max(first, m_base);
    last = std::min(last, m_base + m_shownRows - 1);
    if (first > last || columnCount() == 0)
        return;
    emit dataChanged(index(int(first - m_base), 0), index(int(last - m_base), columnCount() - 1));
}

} // namespace strata::ui
