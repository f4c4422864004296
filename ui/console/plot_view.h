#pragma once

// A Qt Charts plot of a console result: an X column and one or more numeric Y columns, as lines,
// bars or points. It plots the first kMaxPoints rows (read from the result, never more).

#include "result_stream.h"

#include <QWidget>

class QComboBox;
class QListWidget;
class QLabel;

namespace QtCharts {
}
class QChartView;

namespace strata::ui {

class PlotView : public QWidget {
    Q_OBJECT

public:
    enum class Kind { Line, Bar, Scatter };
    static constexpr int kMaxPoints = 10'000;

    explicit PlotView(ResultStreamPtr stream, QWidget *parent = nullptr);

    void setXColumn(int column);
    void setYColumns(const QList<int> &columns);
    void setKind(Kind kind);
    // Reads the rows (up to kMaxPoints) and draws; the chart's series count and points, for tests.
    QCoro::Task<> replot();
    int seriesCount() const;
    int pointCount(int series) const;
    QChartView *chartView() const { return m_view; }

    // Replots in the background (after a control changed).
    void scheduleReplot();

signals:
    // A replot has put its chart on screen.
    void replotted();

private:
    ResultStreamPtr m_stream;
    QComboBox *m_x;
    QListWidget *m_y;
    QComboBox *m_kind;
    QLabel *m_note;
    QChartView *m_view;
};

bool isNumericColumn(const orm::Column &column);

} // namespace strata::ui
