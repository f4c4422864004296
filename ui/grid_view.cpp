#include "grid_view.h"

#include "cell_format.h"
#include "filter_bar.h"
#include "grid_delegate.h"
#include "grid_model.h"
#include "grid_notice.h"
#include "grid_scroll_bar.h"
#include "row_number_header.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTextDocument>
#include <QTimer>
#include <QVBoxLayout>

#include <map>

namespace strata::ui {

GridView::GridView(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableView)
    , m_scrollBar(new GridScrollBar)
    , m_detail(new QPlainTextEdit)
    , m_splitter(new QSplitter(Qt::Horizontal))
    , m_notice(new GridNotice)
{
    m_filters = new FilterBar(m_table);
    m_table->setObjectName(QStringLiteral("gridTable"));
    m_scrollBar->setObjectName(QStringLiteral("gridScrollBar"));
    m_detail->setObjectName(QStringLiteral("detailPane"));
    m_detail->setReadOnly(true);
    m_detail->setPlaceholderText(tr("The current cell's whole value"));

    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    // One line per cell, drawn without QStyledItemDelegate's per-cell text layout.
    m_table->setItemDelegate(new GridDelegate(m_table));
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Uniform rows: the header never measures a section, whatever the span's size.
    m_table->setVerticalHeader(new RowNumberHeader(m_table));
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 6);
    rows->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("000000000")) + 8);
    m_table->horizontalHeader()->setDefaultSectionSize(140);
    m_table->installEventFilter(this);
    m_table->viewport()->installEventFilter(this);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const QModelIndex index = m_table->indexAt(at);
        if (!index.isValid())
            return;
        QMenu *menu = cellMenu(index);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_table->viewport()->mapToGlobal(at));
    });
    m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table->horizontalHeader(), &QWidget::customContextMenuRequested, this,
            [this](const QPoint &at) {
                const int column = m_table->horizontalHeader()->logicalIndexAt(at);
                if (column < 0)
                    return;
                QMenu *menu = headerMenu(column);
                menu->setAttribute(Qt::WA_DeleteOnClose);
                menu->popup(m_table->horizontalHeader()->mapToGlobal(at));
            });

    auto *gridArea = new QWidget;
    auto *grid = new QVBoxLayout(gridArea);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(0);
    auto *row = new QHBoxLayout;
    row->setSpacing(0);
    row->addWidget(m_table);
    row->addWidget(m_scrollBar);
    grid->addWidget(m_notice);
    grid->addWidget(m_filters);
    m_filters->setFixedHeight(m_filters->sizeHint().height());
    grid->addLayout(row);

    m_splitter->addWidget(gridArea);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &GridView::onViewScrolled);
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this,
            &GridView::updateScrollRange);
    connect(m_scrollBar, &QScrollBar::valueChanged, this, &GridView::onScrollBarMoved);

    m_holdTimer = new QTimer(this);
    m_holdTimer->setSingleShot(true);
    m_holdTimer->setInterval(kFirstRowsHoldMs);
    connect(m_holdTimer, &QTimer::timeout, this, &GridView::releaseHold);
}

void GridView::setModel(GridModel *model)
{
    releaseHold();
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_table->setModel(model);
    m_filters->rebuild();
    if (!model)
        return;
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        // Another table (or the same one read again): its columns are sized anew, unless the
        // columns stayed (a sort or filter keeps the reader's widths).
        if (m_table->horizontalHeader()->count() != m_model->columnCount())
            m_columnsFitted = false;
        // A new table is read from its top (its first page is on its way already).
        m_table->verticalScrollBar()->setValue(0);
        // The viewport waits for the first rows, and the filter row (editors: a few ms) for
        // their paint; asking for an editor builds it at once.
        m_filtersStale = true;
        if (!holdForFirstRows())
            QTimer::singleShot(0, this, [this] { rebuildFilters(); });
        updateNotice();
    });
    connect(model, &GridModel::loadingChanged, this, [this](bool loading) {
        if (!loading)
            releaseHold();
    });
    connect(model, &GridModel::failureChanged, this, &GridView::releaseHold);
    connect(model, &GridModel::failureChanged, this, &GridView::updateNotice);
    connect(model, &GridModel::totalRowsChanged, this, &GridView::onTotalRowsChanged);
    connect(model, &GridModel::baseChanged, this, &GridView::updateScrollRange);
    connect(model, &GridModel::rowsLoaded, this, &GridView::updateDetail);
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const QModelIndex current = m_table->currentIndex();
                if (current.isValid() && current.row() >= topLeft.row() &&
                    current.row() <= bottomRight.row() && current.column() >= topLeft.column() &&
                    current.column() <= bottomRight.column())
                    updateDetail();
            });
    connect(model, &GridModel::rowsLoaded, this, [this] {
        if (!m_columnsFitted && m_model->columnCount() > 0 &&
            m_model->isRowLoaded(m_model->base())) {
            m_columnsFitted = true;
            fitColumns();
        }
        releaseHold();
    });
    connect(m_filters, &FilterBar::filterChanged, this, &GridView::applyFilter,
            Qt::UniqueConnection);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                updateDetail();
                if (current.isValid())
                    emit currentCellChanged(m_model->base() + current.row(), current.column());
            });
    updateScrollRange();
    updateViewport();
    updateNotice();
}

QString GridView::notice() const
{
    return m_notice->text();
}

void GridView::setMessage(const QString &text)
{
    m_message = text;
    updateNotice();
}

void GridView::setEmptyText(const QString &text)
{
    m_emptyText = text;
    updateNotice();
}

void GridView::updateNotice()
{
    if (!m_message.isEmpty())
        m_notice->show(GridNotice::Kind::Problem, m_message);
    else if (m_model && !m_model->lastError().isEmpty())
        m_notice->show(GridNotice::Kind::Problem,
                       tr("Reading rows failed: %1\n%2")
                           .arg(m_model->lastError(),
                                m_model->cachedRows() > 0
                                    ? tr("The rows shown were read before and may be out of "
                                         "date. Scroll or Refresh (View menu) to read again.")
                                    : tr("Refresh (View menu) to try again.")));
    else if ((!m_model || !m_model->source()) && !m_emptyText.isEmpty())
        m_notice->show(GridNotice::Kind::Hint, m_emptyText);
    else
        m_notice->clear();
}

bool GridView::holdForFirstRows()
{
    if (!m_model || m_model->columnCount() == 0)
        return false;
    if (!m_holding) {
        m_holding = true;
        m_table->setUpdatesEnabled(false);
    }
    m_holdTimer->start();
    return true;
}

void GridView::releaseHold()
{
    if (!m_holding)
        return;
    m_holding = false;
    m_holdTimer->stop();
    m_table->setUpdatesEnabled(true); // repaints
    // The filter row after the rows' first paint (asking for an editor builds it at once).
    QTimer::singleShot(0, this, [this] { rebuildFilters(); });
}

void GridView::rebuildFilters() const
{
    if (!m_filtersStale)
        return;
    m_filtersStale = false;
    m_filters->rebuild();
    // Filters carried over from the previous source show in their editors.
    if (m_model)
        for (const GridFilter &filter : m_model->query().filters)
            m_filters->setAppliedText(filter.column, filter.text);
}

QLineEdit *GridView::filterEditor(int column) const
{
    rebuildFilters();
    return m_filters->editor(column);
}

QString GridView::filterError(int column) const
{
    rebuildFilters();
    return m_filters->error(column);
}

void GridView::applyFilter(int column, const QString &text)
{
    if (!m_model)
        return;
    rebuildFilters();
    // A filter that does not compile leaves the rows as they were and says why, on the editor
    // itself (the model also reports it, which the window logs).
    m_filters->setError(column,
                        m_model->setFilter(column, text) ? QString() : m_model->lastQueryError());
}

int GridView::visibleRows() const
{
    const int height = m_table->verticalHeader()->defaultSectionSize();
    return std::max(1, m_table->viewport()->height() / std::max(1, height));
}

qint64 GridView::topRow() const
{
    return m_model ? m_model->base() + m_table->verticalScrollBar()->value() : 0;
}

void GridView::scrollToRow(qint64 row)
{
    m_followEnd = false;
    if (!m_model)
        return;
    const qint64 top =
        std::clamp<qint64>(row, 0, std::max<qint64>(0, m_model->totalRows() - visibleRows()));
    const qint64 inSpan = top - m_model->base();
    if (inSpan > m_table->verticalScrollBar()->maximum() && inSpan < m_model->rowCount())
        m_table->doItemsLayout(); // see rebase()
    if (inSpan < 0 || inSpan > m_table->verticalScrollBar()->maximum())
        rebase(top);
    else
        m_table->verticalScrollBar()->setValue(int(inSpan));
    updateViewport();
}

void GridView::goToStart()
{
    scrollToRow(0);
    if (m_model && m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(0, std::max(0, m_table->currentIndex().column())));
}

void GridView::goToEnd()
{
    if (!m_model)
        return;
    m_model->goToEnd(); // before the count is known, this places the end
    scrollToRow(m_model->totalRows());
    const int last = m_model->rowCount() - 1;
    if (last >= 0)
        m_table->setCurrentIndex(
            m_model->index(last, std::max(0, m_table->currentIndex().column())));
    m_followEnd = !m_model->isCountKnown();
}

qint64 GridView::currentRow() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() && m_model ? m_model->base() + current.row() : -1;
}

void GridView::setCurrentCell(qint64 row, int column)
{
    if (!m_model)
        return;
    if (row < topRow() || row >= topRow() + visibleRows())
        scrollToRow(row - visibleRows() / 2);
    m_table->setCurrentIndex(m_model->index(int(row - m_model->base()), column));
}

void GridView::onTotalRowsChanged(qint64 rows, bool exact)
{
    updateScrollRange();
    if (!m_followEnd || !m_model)
        return;
    scrollToRow(rows); // clears m_followEnd
    const int last = m_model->rowCount() - 1;
    if (last >= 0)
        m_table->setCurrentIndex(
            m_model->index(last, std::max(0, m_table->currentIndex().column())));
    m_followEnd = !exact;
}

void GridView::onViewScrolled(int value)
{
    if (!m_model || m_syncing)
        return;
    const qint64 top = m_model->base() + value;
    const int span = m_model->rowCount();
    const int margin = span / 4;
    const bool nearStart = value < margin && m_model->base() > 0;
    const bool nearEnd =
        value > span - margin - visibleRows() && m_model->base() + span < m_model->totalRows();
    if (nearStart || nearEnd)
        rebase(top);
    m_syncing = true;
    m_scrollBar->setValue(int(std::min<qint64>(top, m_scrollBar->maximum())));
    m_syncing = false;
    updateViewport();
}

void GridView::onScrollBarMoved(int value)
{
    if (!m_model || m_syncing)
        return;
    m_followEnd = false; // the reader moved away (scrollToRow clears it too)
    scrollToRow(value);
}

void GridView::rebase(qint64 top)
{
    const qint64 oldBase = m_model->base();
    const QModelIndex current = m_table->currentIndex();
    const qint64 currentTableRow = current.isValid() ? oldBase + current.row() : -1;
    m_syncing = true;
    m_model->setBase(top - m_model->rowCount() / 2);
    const qint64 base = m_model->base();
    // The span may just have grown (the count arrived): QTableView lays out its rows lazily,
    // and its scroll bar would clamp the value to the old range.
    if (top - base > m_table->verticalScrollBar()->maximum())
        m_table->doItemsLayout();
    m_table->verticalScrollBar()->setValue(int(top - base));
    // The selection is in view rows, which now show other table rows: keep the current cell
    // only if it is still in the span.
    if (oldBase != base) {
        m_table->selectionModel()->clearSelection();
        if (currentTableRow >= base && currentTableRow < base + m_model->rowCount())
            m_table->selectionModel()->setCurrentIndex(
                m_model->index(int(currentTableRow - base), current.column()),
                QItemSelectionModel::NoUpdate);
        else
            m_table->selectionModel()->clearCurrentIndex();
    }
    m_syncing = false;
    m_scrollBar->blockSignals(true);
    m_scrollBar->setValue(int(top));
    m_scrollBar->blockSignals(false);
}

void GridView::updateScrollRange()
{
    if (!m_model)
        return;
    const qint64 maximum = std::max<qint64>(0, m_model->totalRows() - visibleRows());
    m_syncing = true;
    m_scrollBar->setRange(0, int(std::min<qint64>(maximum, std::numeric_limits<int>::max())));
    m_scrollBar->setPageStep(visibleRows());
    m_scrollBar->setSingleStep(1);
    m_scrollBar->setValue(int(std::min<qint64>(topRow(), m_scrollBar->maximum())));
    m_syncing = false;
}

void GridView::updateViewport()
{
    if (!m_model)
        return;
    const qint64 top = topRow();
    m_model->setViewport(top, top + visibleRows());
}

void GridView::updateDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!m_model || !current.isValid()) {
        // Cleared again, an empty pane still relaid and repainted itself on every page.
        if (!m_detail->document()->isEmpty())
            m_detail->clear();
        return;
    }
    const qint64 row = m_model->base() + current.row();
    // Through the model's roles, so that a staged value shows, not the stored one under it.
    QString text;
    if (!m_model->isRowLoaded(row))
        text = tr("(loading)");
    else if (current.data(GridModel::IsNullRole).toBool())
        text = tr("NULL");
    else
        text = current.data(GridModel::FullTextRole).toString();
    if (m_detail->toPlainText() != text) // dataChanged comes for every page and edit
        m_detail->setPlainText(text);
}

QString GridView::selectionAsTsv(bool withHeaders) const
{
    if (!m_model)
        return {};
    std::map<int, std::map<int, QString>> cells;
    const QModelIndexList selected = m_table->selectionModel()->selectedIndexes();
    int minColumn = std::numeric_limits<int>::max();
    int maxColumn = -1;
    for (const QModelIndex &index : selected) {
        const qint64 row = m_model->base() + index.row();
        const QString text = !m_model->isRowLoaded(row) ? QString()
                             : m_model->isCellNull(row, index.column())
                                 ? QStringLiteral("NULL")
                                 : m_model->cellFullText(row, index.column());
        cells[index.row()][index.column()] = text;
        minColumn = std::min(minColumn, index.column());
        maxColumn = std::max(maxColumn, index.column());
    }
    QStringList lines;
    if (withHeaders && maxColumn >= minColumn) {
        QStringList names;
        for (int column = minColumn; column <= maxColumn; ++column)
            names << tsvField(m_model->headerData(column, Qt::Horizontal).toString());
        lines << names.join(QLatin1Char('\t'));
    }
    for (const auto &[row, columns] : cells) {
        QStringList fields;
        for (int column = minColumn; column <= maxColumn; ++column) {
            auto it = columns.find(column);
            fields << (it == columns.end() ? QString() : tsvField(it->second));
        }
        lines << fields.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n'));
}

void GridView::copySelection() const
{
    QApplication::clipboard()->setText(selectionAsTsv());
}

QString GridView::selectionAsSqlList() const
{
    if (!m_model)
        return {};
    QModelIndexList selected = m_table->selectionModel()->selectedIndexes();
    std::sort(selected.begin(), selected.end(), [](const QModelIndex &a, const QModelIndex &b) {
        return a.row() != b.row() ? a.row() < b.row() : a.column() < b.column();
    });
    const orm::Columns columns = m_model->columns();
    QStringList items;
    for (const QModelIndex &index : std::as_const(selected)) {
        const qint64 row = m_model->base() + index.row();
        if (!m_model->isRowLoaded(row) || m_model->isCellNull(row, index.column()))
            continue;
        const QString text = m_model->cellFullText(row, index.column());
        const orm::LogicalType type =
            index.column() < columns.size() ? columns[index.column()].type : orm::LogicalType::Text;
        bool number = false;
        if (type == orm::LogicalType::Integer || type == orm::LogicalType::Real ||
            type == orm::LogicalType::Numeric)
            text.toDouble(&number);
        QString item = number ? text
                              : QStringLiteral("'%1'").arg(
                                    QString(text).replace(QLatin1Char('\''), QStringLiteral("''")));
        if (!items.contains(item))
            items << item;
    }
    return items.isEmpty() ? QString()
                           : QStringLiteral("(%1)").arg(items.join(QStringLiteral(", ")));
}

QMenu *GridView::cellMenu(const QModelIndex &index)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("gridCellMenu"));
    if (!m_table->selectionModel()->isSelected(index))
        m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect);
    QAction *copy = menu->addAction(tr("&Copy"), this, &GridView::copySelection);
    copy->setObjectName(QStringLiteral("copyCellsAction"));
    copy->setShortcut(QKeySequence::Copy);
    menu->addAction(tr("Copy with &headers"), this,
                    [this] { QApplication::clipboard()->setText(selectionAsTsv(true)); })
        ->setObjectName(QStringLiteral("copyWithHeadersAction"));
    menu->addAction(tr("Copy as SQL &IN list"), this,
                    [this] { QApplication::clipboard()->setText(selectionAsSqlList()); })
        ->setObjectName(QStringLiteral("copyInListAction"));
    menu->addSeparator();
    const qint64 row = m_model ? m_model->base() + index.row() : -1;
    const int column = index.column();
    if (m_model && m_model->isRowLoaded(row)) {
        const bool null = m_model->isCellNull(row, column);
        const QString value = m_model->cellFullText(row, column);
        QAction *filter = menu->addAction(
            null ? tr("&Filter: is NULL") : tr("&Filter: equals %1").arg(value.left(40)), this,
            [this, column, null, value] {
                const QString text = null ? QStringLiteral("NULL") : QLatin1Char('=') + value;
                if (QLineEdit *edit = filterEditor(column))
                    edit->setText(text);
                applyFilter(column, text);
            });
        filter->setObjectName(QStringLiteral("filterByValueAction"));
        filter->setEnabled(!value.contains(QLatin1Char('\n')));
    }
    emit cellMenuAboutToShow(menu, row, column);
    if (!actions().isEmpty()) { // what the window gives the grid (Refresh rows)
        menu->addSeparator();
        menu->addActions(actions());
    }
    return menu;
}

QMenu *GridView::headerMenu(int column)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("gridHeaderMenu"));
    if (!m_model || column < 0 || column >= m_model->columnCount())
        return menu;
    const QString name = m_model->headerData(column, Qt::Horizontal).toString();
    menu->addAction(tr("Sort &ascending"), this,
                    [this, column] { m_table->sortByColumn(column, Qt::AscendingOrder); })
        ->setObjectName(QStringLiteral("sortAscendingAction"));
    menu->addAction(tr("Sort &descending"), this,
                    [this, column] { m_table->sortByColumn(column, Qt::DescendingOrder); })
        ->setObjectName(QStringLiteral("sortDescendingAction"));
    menu->addSeparator();
    menu->addAction(tr("&Filter %1…").arg(name), this,
                    [this, column] {
                        if (QLineEdit *edit = filterEditor(column)) {
                            edit->setFocus();
                            edit->selectAll();
                        }
                    })
        ->setObjectName(QStringLiteral("filterColumnAction"));
    if (!m_model->filterText(column).isEmpty())
        menu->addAction(tr("&Clear the filter"), this,
                        [this, column] {
                            if (QLineEdit *edit = filterEditor(column))
                                edit->clear();
                            applyFilter(column, QString());
                        })
            ->setObjectName(QStringLiteral("clearFilterAction"));
    menu->addSeparator();
    menu->addAction(tr("Copy the column &name"), this,
                    [name] { QApplication::clipboard()->setText(name); })
        ->setObjectName(QStringLiteral("copyColumnNameAction"));
    menu->addAction(tr("Fit the &width"), this,
                    [this, column] { m_table->resizeColumnToContents(column); })
        ->setObjectName(QStringLiteral("fitColumnAction"));
    return menu;
}

void GridView::fitColumns()
{
    if (!m_model)
        return;
    // Measured on the rows loaded (a page at most), never the whole table; bounded so that one
    // long text does not push every other column out of sight.
    constexpr int kMinWidth = 48, kMaxWidth = 320, kSampleRows = 64;
    const QFontMetrics metrics(m_table->font());
    const QFontMetrics headerMetrics(m_table->horizontalHeader()->font());
    const int padding = metrics.horizontalAdvance(QLatin1Char('M')) * 2;
    // Room for the sort indicator and the filter marker.
    const int headerPadding = padding + headerMetrics.height() * 2;
    for (int column = 0; column < m_model->columnCount(); ++column) {
        int width = headerMetrics.horizontalAdvance(
                        m_model->headerData(column, Qt::Horizontal).toString()) +
                    headerPadding;
        for (qint64 row = m_model->base();
             row < m_model->base() + kSampleRows && m_model->isRowLoaded(row); ++row)
            width = std::max(width,
                             metrics.horizontalAdvance(m_model->cellText(row, column)) + padding);
        m_table->setColumnWidth(column, std::clamp(width, kMinWidth, kMaxWidth));
    }
}

bool GridView::eventFilter(QObject *watched, QEvent *event)
{
    // The reader scrolling by wheel or keys stops following the end (Ctrl+End sets it again).
    if ((watched == m_table || watched == m_table->viewport()) &&
        (event->type() == QEvent::Wheel || event->type() == QEvent::KeyPress))
        m_followEnd = false;
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Copy)) {
            copySelection();
            return true;
        }
        if (key->matches(QKeySequence::MoveToEndOfDocument)) {
            goToEnd();
            return true;
        }
        if (key->matches(QKeySequence::MoveToStartOfDocument)) {
            goToStart();
            return true;
        }
    }
    if (watched == m_table->viewport() && event->type() == QEvent::Resize) {
        updateScrollRange();
        updateViewport();
    }
    return QWidget::eventFilter(watched, event);
}

void GridView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateScrollRange();
    updateViewport();
}

} // namespace strata::ui
