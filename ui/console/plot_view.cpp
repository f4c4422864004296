#include "plot_view.h"

#include "ui/launch_task.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QScatterSeries>
#include <QSet>
#include <QVBoxLayout>
#include <QValueAxis>

namespace strata::ui {
namespace {

std::optional<double> number(const orm::RowBatch &rows, int r, int c, orm::LogicalType type)
{
    if (rows.isNull(r, c))
        return std::nullopt;
    const QVariant v = rows.value(r, c, type);
    bool ok = false;
    double d = v.toDouble(&ok);
    if (!ok && v.metaType().id() == QMetaType::QDateTime)
        return double(v.toDateTime().toMSecsSinceEpoch());
    if (!ok && v.metaType().id() == QMetaType::QDate)
        return double(v.toDate().toJulianDay());
    if (!ok)
        return std::nullopt;
    return d;
}

// Whether every value read of a column of unknown type (SQLite expressions) is a number.
bool valuesAreNumbers(const orm::RowBatch &rows, int c, orm::LogicalType type)
{
    for (int r = 0; r < rows.rowCount(); ++r)
        if (!rows.isNull(r, c) && !number(rows, r, c, type))
            return false;
    return true;
}

// An axis that labels points placed by row with the X column's text, a label every few rows so
// that they stay readable.
QCategoryAxis *labelAxis(const orm::RowBatch &rows, int x)
{
    constexpr int kMaxLabels = 24;
    auto *axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    const int step = std::max(1, (rows.rowCount() + kMaxLabels - 1) / kMaxLabels);
    QSet<QString> used; // QCategoryAxis wants labels unique
    for (int r = 0; r < rows.rowCount(); r += step) {
        QString label = rows.isNull(r, x) ? QStringLiteral("NULL") : rows.text(r, x);
        while (used.contains(label))
            label += QChar(0x200B); // a zero-width space keeps repeated values apart
        used.insert(label);
        axis->append(label, r);
    }
    axis->setRange(0, std::max(1, rows.rowCount() - 1));
    return axis;
}

} // namespace

bool isNumericColumn(const orm::Column &column)
{
    switch (column.type) {
    case orm::LogicalType::Integer:
    case orm::LogicalType::Real:
    case orm::LogicalType::Numeric:
        return true;
    case orm::LogicalType::Unknown: // SQLite expressions: decided per value
        return true;
    default:
        return false;
    }
}

PlotView::PlotView(ResultStreamPtr stream, QWidget *parent)
    : QWidget(parent)
    , m_stream(std::move(stream))
    , m_x(new QComboBox)
    , m_y(new QListWidget)
    , m_kind(new QComboBox)
    , m_note(new QLabel)
    , m_view(new QChartView)
{
    setObjectName(QStringLiteral("plotView"));
    m_x->setObjectName(QStringLiteral("plotX"));
    m_y->setObjectName(QStringLiteral("plotY"));
    m_kind->setObjectName(QStringLiteral("plotKind"));
    m_kind->addItems({tr("Line"), tr("Bar"), tr("Scatter")});
    const orm::Columns &columns = m_stream->columns();
    // Only numbers can be Y: text columns are not offered, nor are untyped ones (SQLite
    // expressions) whose values read so far are text.
    const orm::RowBatch read =
        m_stream->read(0, int(std::min<qint64>(m_stream->rowsRead(), kMaxPoints)));
    int firstNumeric = -1;
    for (int c = 0; c < columns.size(); ++c) {
        m_x->addItem(columns[c].name);
        auto *item = new QListWidgetItem(columns[c].name, m_y);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool numeric =
            isNumericColumn(columns[c]) && (columns[c].type != orm::LogicalType::Unknown ||
                                            valuesAreNumbers(read, c, columns[c].type));
        item->setCheckState(Qt::Unchecked);
        item->setHidden(!numeric);
        if (numeric && c > 0 && firstNumeric < 0) {
            firstNumeric = c;
            item->setCheckState(Qt::Checked);
        }
    }
    m_y->setMaximumWidth(200);
    m_view->setRenderHint(QPainter::Antialiasing);

    auto *controls = new QVBoxLayout;
    controls->addWidget(new QLabel(tr("X")));
    controls->addWidget(m_x);
    controls->addWidget(new QLabel(tr("Y (numeric)")));
    controls->addWidget(m_y, 1);
    controls->addWidget(m_kind);
    controls->addWidget(m_note);
    m_note->setWordWrap(true);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_view, 1);

    connect(m_x, &QComboBox::currentIndexChanged, this, &PlotView::scheduleReplot);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &PlotView::scheduleReplot);
    connect(m_y, &QListWidget::itemChanged, this, &PlotView::scheduleReplot);
}

void PlotView::scheduleReplot()
{
    // replot() never fails: a stream that cannot be read just ends with the rows it has.
    launchTask(
        this, replot(), [] {}, [](const TaskFailure &) {});
}

void PlotView::setXColumn(int column)
{
    QSignalBlocker blocker(m_x);
    m_x->setCurrentIndex(column);
}

void PlotView::setYColumns(const QList<int> &columns)
{
    QSignalBlocker blocker(m_y);
    for (int i = 0; i < m_y->count(); ++i)
        m_y->item(i)->setCheckState(columns.contains(i) ? Qt::Checked : Qt::Unchecked);
}

void PlotView::setKind(Kind kind)
{
    QSignalBlocker blocker(m_kind);
    m_kind->setCurrentIndex(int(kind));
}

QCoro::Task<> PlotView::replot()
{
    QPointer<PlotView> self(this);
    ResultStreamPtr stream = m_stream;
    co_await stream->ensure(kMaxPoints);
    if (!self)
        co_return;
    const orm::Columns &columns = stream->columns();
    const int x = m_x->currentIndex();
    const orm::RowBatch rows = stream->read(0, kMaxPoints);
    // Untyped columns whose values turned out to be text are no Y after all.
    {
        QSignalBlocker blocker(m_y);
        for (int i = 0; i < m_y->count() && i < columns.size(); ++i)
            if (!m_y->item(i)->isHidden() && columns[i].type == orm::LogicalType::Unknown &&
                !valuesAreNumbers(rows, i, columns[i].type)) {
                m_y->item(i)->setHidden(true);
                m_y->item(i)->setCheckState(Qt::Unchecked);
            }
    }
    QList<int> ys;
    for (int i = 0; i < m_y->count(); ++i)
        if (!m_y->item(i)->isHidden() && m_y->item(i)->checkState() == Qt::Checked)
            ys << i;
    const auto kind = Kind(m_kind->currentIndex());
    auto *chart = new QChart;
    chart->legend()->setVisible(ys.size() > 1 || kind == Kind::Bar);
    if (x < 0 || ys.isEmpty()) {
        chart->setTitle(tr("Pick an X column and one or more numeric Y columns"));
        QChart *old = m_view->chart();
        m_view->setChart(chart); // the view lets go of the old chart without deleting it
        delete old;
        emit replotted();
        co_return;
    }
    // An X column of unknown type (SQLite expressions) is numeric only if its values all are;
    // otherwise the points go by row, as for a text column.
    bool xNumeric = isNumericColumn(columns[x]);
    if (xNumeric && columns[x].type == orm::LogicalType::Unknown)
        for (int r = 0; r < rows.rowCount() && xNumeric; ++r)
            xNumeric = rows.isNull(r, x) || number(rows, r, x, columns[x].type).has_value();
    if (kind == Kind::Bar) {
        auto *series = new QBarSeries;
        QStringList categories;
        for (int r = 0; r < rows.rowCount(); ++r)
            categories << rows.text(r, x);
        for (int y : ys) {
            auto *set = new QBarSet(columns[y].name);
            for (int r = 0; r < rows.rowCount(); ++r)
                *set << number(rows, r, y, columns[y].type).value_or(0);
            series->append(set);
        }
        chart->addSeries(series);
        auto *axisX = new QBarCategoryAxis;
        axisX->append(categories);
        chart->addAxis(axisX, Qt::AlignBottom);
        series->attachAxis(axisX);
        auto *axisY = new QValueAxis;
        chart->addAxis(axisY, Qt::AlignLeft);
        series->attachAxis(axisY);
    } else {
        // A text X places the points by row and labels them with its values.
        QAbstractAxis *axisX =
            xNumeric ? static_cast<QAbstractAxis *>(new QValueAxis) : labelAxis(rows, x);
        auto *axisY = new QValueAxis;
        chart->addAxis(axisX, Qt::AlignBottom);
        chart->addAxis(axisY, Qt::AlignLeft);
        axisX->setTitleText(columns[x].name);
        for (int y : ys) {
            QXYSeries *series =
                kind == Kind::Line ? static_cast<QXYSeries *>(new QLineSeries) : new QScatterSeries;
            series->setName(columns[y].name);
            QList<QPointF> points;
            for (int r = 0; r < rows.rowCount(); ++r) {
                const std::optional<double> xv =
                    xNumeric ? number(rows, r, x, columns[x].type) : std::optional<double>(r);
                const std::optional<double> yv = number(rows, r, y, columns[y].type);
                if (xv && yv)
                    points << QPointF(*xv, *yv);
            }
            series->replace(points);
            chart->addSeries(series);
            series->attachAxis(axisX);
            series->attachAxis(axisY);
        }
        // Fit the axes to the data.
        double minX = 0, maxX = 1, minY = 0, maxY = 1;
        bool any = false;
        for (QAbstractSeries *s : chart->series())
            for (const QPointF &p : static_cast<QXYSeries *>(s)->points()) {
                if (!any) {
                    minX = maxX = p.x();
                    minY = maxY = p.y();
                    any = true;
                }
                minX = std::min(minX, p.x());
                maxX = std::max(maxX, p.x());
                minY = std::min(minY, p.y());
                maxY = std::max(maxY, p.y());
            }
        if (xNumeric)
            axisX->setRange(minX, maxX > minX ? maxX : minX + 1);
        axisY->setRange(minY, maxY > minY ? maxY : minY + 1);
    }
    m_note->setText(stream->rowsRead() > kMaxPoints || !stream->isFinished()
                        ? tr("The first %L1 rows").arg(rows.rowCount())
                        : tr("%Ln rows", nullptr, rows.rowCount()));
    QChart *old = m_view->chart();
    m_view->setChart(chart);
    delete old;
    emit replotted();
}

int PlotView::seriesCount() const
{
    return m_view->chart() ? int(m_view->chart()->series().size()) : 0;
}

int PlotView::pointCount(int series) const
{
    if (!m_view->chart() || series >= m_view->chart()->series().size())
        return 0;
    QAbstractSeries *s = m_view->chart()->series().at(series);
    if (auto *xy = qobject_cast<QXYSeries *>(s))
        return int(xy->count());
    if (auto *bars = qobject_cast<QBarSeries *>(s))
        return bars->barSets().isEmpty() ? 0 : int(bars->barSets().first()->count());
    return 0;
}

} // namespace strata::ui
