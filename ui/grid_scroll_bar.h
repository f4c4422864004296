#pragma once

// The grid's vertical scroll bar, painted flat with opaque solid colours from the palette.
// Qt's raster engine splits any gradient or translucent fill taller than about 96 lines across
// QThreadPool::globalInstance() and makes the GUI thread wait for it: Fusion's scroll bar (a
// gradient groove and handle, translucent edges) does that on every scroll step, so a frame
// waits for other threads to be scheduled (10-25 ms on a busy two-core machine). Solid opaque
// fills are written in place. The bar paints all of itself, so its parents never paint under it.

#include <QScrollBar>

namespace strata::ui {

class GridScrollBar : public QScrollBar {
    Q_OBJECT

public:
    explicit GridScrollBar(QWidget *parent = nullptr);

protected:
    void paintEvent(QPaintEvent *event) override;
};

} // namespace strata::ui
