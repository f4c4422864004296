#include "result_view.h"

#include "plot_view.h"
#include "ui/grid_model.h"
#include "ui/grid_view.h"
#include "ui/launch_task.h"

#include "orm/core/error.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace strata::ui {

ResultView::ResultView(ResultStreamPtr stream, QWidget *parent)
    : QWidget(parent)
    , m_stream(std::move(stream))
    , m_model(new GridModel(this))
    , m_grid(new GridView)
    , m_stack(new QStackedWidget)
    , m_status(new QLabel)
    , m_progress(new QProgressBar)
    , m_cancelExport(new QPushButton(tr("Cancel export")))
    , m_plotButton(new QPushButton(tr("Plot")))
{
    setObjectName(QStringLiteral("resultView"));
    m_status->setObjectName(QStringLiteral("resultStatus"));
    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_cancelExport->setObjectName(QStringLiteral("cancelExportButton"));
    m_plotButton->setObjectName(QStringLiteral("plotButton"));
    m_plotButton->setCheckable(true);
    auto *exportCsv = new QPushButton(tr("Export…"));
    exportCsv->setObjectName(QStringLiteral("exportButton"));
    exportCsv->setToolTip(tr("Write every row of the result to a CSV or JSON file"));
    auto *copy = new QPushButton(tr("Copy"));
    copy->setObjectName(QStringLiteral("copyButton"));
    copy->setToolTip(tr("Copy the selected cells as tab-separated text"));
    m_progress->hide();
    m_cancelExport->hide();

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancelExport);
    bar->addWidget(copy);
    bar->addWidget(exportCsv);
    bar->addWidget(m_plotButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
    m_stack->addWidget(m_grid);

    // The statement decides order and filters: no sorting, no filter row.
    m_grid->table()->setSortingEnabled(false);
    m_grid->table()->horizontalHeader()->setSortIndicatorShown(false);
    for (QWidget *child : m_grid->findChildren<QWidget *>())
        if (child->metaObject()->className() == QByteArray("strata::ui::FilterBar"))
            child->hide();
    connect(m_model, &GridModel::rowsLoaded, this, [this] {
        if (!m_shown) {
            m_shown = true;
            emit shown();
        }
        updateStatus();
    });
    connect(m_model, &GridModel::totalRowsChanged, this, [this](qint64 rows, bool exact) {
        if (exact && rows == 0 && !m_shown) {
            m_shown = true;
            emit shown();
        }
        updateStatus();
    });
    connect(m_stream.get(), &ResultStream::progressed, this, &ResultView::updateStatus);
    auto source = std::make_shared<StreamRowSource>(m_stream);
    source->setModel(m_model);
    m_grid->setModel(m_model);
    m_model->setSource(source);

    // Rows already read arrive within setSource(): the first page may be in at once.
    if (m_model->isRowLoaded(0) || (m_model->isCountKnown() && m_model->totalRows() == 0))
        m_shown = true;
    connect(copy, &QPushButton::clicked, m_grid, &GridView::copySelection);
    connect(exportCsv, &QPushButton::clicked, this, &ResultView::chooseExportFile);
    connect(m_cancelExport, &QPushButton::clicked, this, &ResultView::cancelExport);
    connect(m_plotButton, &QPushButton::toggled, this, &ResultView::showPlot);
    updateStatus();
}

ResultView::~ResultView()
{
    if (m_exporter)
        m_exporter->cancel();
}

void ResultView::updateStatus()
{
    const qint64 rows = m_stream->rowsRead();
    QString text;
    if (!m_stream->isFinished())
        text = tr("%L1 rows read so far; more load as you scroll").arg(rows);
    else if (m_stream->isTruncated())
        text = tr("%L1 rows read; the rest is not available (%2)")
                   .arg(rows)
                   .arg(m_stream->failure().isEmpty() ? tr("stopped") : m_stream->failure());
    else
        text = tr("%Ln row(s)", nullptr, int(std::min<qint64>(rows, INT_MAX)));
    m_status->setText(text);
}

PlotView *ResultView::plot()
{
    if (!m_plot) {
        m_plot = new PlotView(m_stream);
        m_stack->addWidget(m_plot);
    }
    return m_plot;
}

void ResultView::showPlot(bool show)
{
    if (show) {
        PlotView *view = plot();
        m_stack->setCurrentWidget(view);
        view->scheduleReplot();
    } else {
        m_stack->setCurrentWidget(m_grid);
    }
    if (m_plotButton->isChecked() != show) {
        QSignalBlocker blocker(m_plotButton);
        m_plotButton->setChecked(show);
    }
}

void ResultView::chooseExportFile()
{
    // Not the static getSaveFileName: the filter chosen must decide the format when the name
    // typed has no extension (it used to write CSV, without one, whatever was chosen).
    auto *dialog = new QFileDialog(this, tr("Export result"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("CSV (*.csv)"), tr("JSON (*.json)")});
    connect(dialog, &QFileDialog::accepted, this, [this, dialog] {
        const QStringList files = dialog->selectedFiles();
        if (files.isEmpty())
            return;
        const auto [path, format] =
            ResultExporter::target(files.first(), dialog->selectedNameFilter());
        // exportTo() shows its own outcome (the status line, exportFinished).
        launchTask(
            this, exportTo(path, format), [](bool) {}, [](const TaskFailure &) {});
    });
    dialog->open();
}

void ResultView::cancelExport()
{
    if (m_exporter)
        m_exporter->cancel();
}

QCoro::Task<bool> ResultView::exportTo(QString path)
{
    const ResultExporter::Format format = ResultExporter::formatForPath(path);
    co_return co_await exportTo(std::move(path), format);
}

QCoro::Task<bool> ResultView::exportTo(QString path, ResultExporter::Format format)
{
    if (m_exporter)
        co_return false;
    QPointer<ResultView> self(this);
    auto *exporter = new ResultExporter(m_stream, this);
    m_exporter = exporter;
    m_exportError.clear();
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancelExport->show();
    connect(exporter, &ResultExporter::progress, this, [this](qint64 rows, qint64 total) {
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000 * rows / std::max<qint64>(1, total)));
        }
        m_progress->setFormat(tr("%L1 rows").arg(rows));
        m_progress->setTextVisible(true);
    });
    bool ok = false;
    QString message;
    try {
        const qint64 rows = co_await exporter->exportTo(path, format);
        ok = true;
        message = tr("Exported %Ln row(s) to %1", nullptr, int(rows)).arg(path);
    } catch (const orm::Error &error) {
        message = error.message();
    } catch (const std::exception &error) {
        message = QString::fromUtf8(error.what());
    }
    if (!self)
        co_return ok;
    exporter->deleteLater();
    m_exporter = nullptr;
    m_exportError = ok ? QString() : message;
    m_progress->hide();
    m_cancelExport->hide();
    m_status->setText(message);
    emit exportFinished(ok, message);
    co_return ok;
}

} // namespace strata::ui
