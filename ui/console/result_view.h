#pragma once

// One result tab of the console: the data grid over a ResultStream (rows load as the reader
// scrolls), the row status, export to CSV/JSON with a progress bar and cancel, copy as TSV, and
// the plot view.

#include "result_export.h"
#include "result_stream.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace strata::ui {

class GridModel;
class GridView;
class PlotView;

class ResultView : public QWidget {
    Q_OBJECT

public:
    explicit ResultView(ResultStreamPtr stream, QWidget *parent = nullptr);
    ~ResultView() override;

    const ResultStreamPtr &stream() const { return m_stream; }
    GridView *grid() const { return m_grid; }
    GridModel *model() const { return m_model; }
    PlotView *plot();
    // The first rows are on screen (or the result turned out empty).
    bool isShown() const { return m_shown; }

    // Exports the whole result (streamed); true when written. The progress bar shows meanwhile.
    QCoro::Task<bool> exportTo(QString path);
    // In the format given, whatever the path's extension.
    QCoro::Task<bool> exportTo(QString path, ResultExporter::Format format);
    void cancelExport();
    bool isExporting() const { return m_exporter != nullptr; }
    QString lastExportError() const { return m_exportError; }
    void showPlot(bool plot);

signals:
    void shown();
    void exportFinished(bool ok, const QString &message);

private:
    void updateStatus();
    void chooseExportFile();

    ResultStreamPtr m_stream;
    GridModel *m_model;
    GridView *m_grid;
    PlotView *m_plot = nullptr;
    QStackedWidget *m_stack;
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_cancelExport;
    QPushButton *m_plotButton;
    ResultExporter *m_exporter = nullptr;
    QString m_exportError;
    bool m_shown = false;
};

} // namespace strata::ui
