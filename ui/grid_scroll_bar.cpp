#include "grid_scroll_bar.h"

#include <QPainter>
#include <QPolygon>
#include <QStyleOptionSlider>

namespace strata::ui {
namespace {

// `from` moved `share` (0..1) of the way towards `to`, opaque.
QColor mixed(const QColor &from, const QColor &to, double share)
{
    return QColor::fromRgbF(float(from.redF() + (to.redF() - from.redF()) * share),
                            float(from.greenF() + (to.greenF() - from.greenF()) * share),
                            float(from.blueF() + (to.blueF() - from.blueF()) * share));
}

// A small triangle pointing up or down, centred in `box`, filled without antialiasing (a few
// solid spans).
void drawArrow(QPainter &painter, const QRect &box, bool up, const QColor &colour)
{
    const int half = std::max(2, std::min(box.width(), box.height()) / 4);
    const QPoint c = box.center();
    const int tip = up ? c.y() - half / 2 : c.y() + half / 2;
    const int base = up ? tip + half : tip - half;
    const QPolygon triangle{QPoint(c.x() - half, base), QPoint(c.x() + half, base),
                            QPoint(c.x(), tip)};
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawPolygon(triangle);
}

} // namespace

GridScrollBar::GridScrollBar(QWidget *parent)
    : QScrollBar(Qt::Vertical, parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAttribute(Qt::WA_Hover);
}

void GridScrollBar::paintEvent(QPaintEvent *)
{
    QStyleOptionSlider option;
    initStyleOption(&option);
    // The parts where the style puts them, so clicks land where they are drawn.
    const auto part = [&](QStyle::SubControl control) {
        return style()->subControlRect(QStyle::CC_ScrollBar, &option, control, this);
    };
    const QPalette &colours = palette();
    const QColor groove =
        mixed(colours.color(QPalette::Window), colours.color(QPalette::Base), 0.5);
    const QColor ink = colours.color(QPalette::WindowText);
    const bool hovered = (option.state & QStyle::State_MouseOver) != 0;
    const auto active = [&](QStyle::SubControl control) {
        return (option.activeSubControls & control) != 0;
    };

    QPainter painter(this);
    painter.fillRect(rect(), groove);
    painter.fillRect(QRect(0, 0, 1, height()), mixed(groove, ink, 0.2)); // the edge by the rows

    for (const auto &[control, up] : {std::pair{QStyle::SC_ScrollBarSubLine, true},
                                      std::pair{QStyle::SC_ScrollBarAddLine, false}}) {
        const QRect box = part(control);
        if (box.isEmpty())
            continue;
        const bool pressed = active(control) && (option.state & QStyle::State_Sunken);
        if (pressed)
            painter.fillRect(box, mixed(groove, ink, 0.25));
        drawArrow(painter, box, up,
                  isEnabled() ? mixed(groove, ink, 0.7) : mixed(groove, ink, 0.3));
    }

    if (maximum() <= minimum() || !isEnabled())
        return;
    QColor handle = mixed(groove, ink, 0.45); // 3:1 on its groove (WCAG, controls)
    if (isSliderDown())
        handle = colours.color(QPalette::Highlight);
    else if (hovered && active(QStyle::SC_ScrollBarSlider))
        handle = mixed(groove, ink, 0.6);
    handle.setAlpha(255);
    painter.fillRect(part(QStyle::SC_ScrollBarSlider).adjusted(3, 1, -2, -1), handle);
}

} // namespace strata::ui
