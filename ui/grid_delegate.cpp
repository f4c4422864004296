#include "grid_delegate.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>
#include <QWidget>

#include <algorithm>
#include <cmath>

namespace strata::ui {
namespace {

constexpr int kMaxFonts = 4;
constexpr qsizetype kMaxElided = 4096;

QStyle *styleOf(const QStyleOptionViewItem &option)
{
    return option.widget ? option.widget->style() : QApplication::style();
}

// The style's text margin on either side of a cell (QCommonStyle's for item views).
int textMargin(const QStyleOptionViewItem &option)
{
    return styleOf(option)->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, option.widget) + 1;
}

QPalette::ColorGroup colorGroup(const QStyleOptionViewItem &option)
{
    if (!(option.state & QStyle::State_Enabled))
        return QPalette::Disabled;
    return (option.state & QStyle::State_Active) ? QPalette::Normal : QPalette::Inactive;
}

bool isLineBreak(QChar c)
{
    return c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QChar::LineSeparator ||
           c == QChar::ParagraphSeparator;
}

// The first line, and an ellipsis when more follow.
QString firstLine(const QString &text)
{
    const auto end = std::find_if(text.cbegin(), text.cend(), isLineBreak);
    if (end == text.cend())
        return text;
    return text.left(end - text.cbegin()) + QChar(0x2026);
}

} // namespace

GridDelegate::Metrics::Metrics(const QFont &f, const QPaintDevice *device)
    : font(f)
    , metrics(device ? QFontMetricsF(f, device) : QFontMetricsF(f))
{
    for (int c = 32; c < 127; ++c)
        ascii[size_t(c)] = metrics.horizontalAdvance(QLatin1Char(char(c)));
}

qreal GridDelegate::Metrics::asciiWidth(const QString &text) const
{
    qreal width = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 32 || u >= 127)
            return -1;
        width += ascii[u];
    }
    return width;
}

qreal GridDelegate::Metrics::width(const QString &text) const
{
    const qreal quick = asciiWidth(text);
    return quick >= 0 ? quick : metrics.horizontalAdvance(text);
}

GridDelegate::GridDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

GridDelegate::~GridDelegate() = default;

GridDelegate::Metrics &GridDelegate::metricsFor(const QFont &font, const QWidget *widget) const
{
    // QFont's == compares the shared data first: the same font object is found at once.
    for (auto it = m_metrics.begin(); it != m_metrics.end(); ++it)
        if ((*it)->font == font) {
            if (it != m_metrics.begin())
                std::rotate(m_metrics.begin(), it, it + 1);
            return *m_metrics.front();
        }
    if (int(m_metrics.size()) >= kMaxFonts)
        m_metrics.pop_back();
    m_metrics.insert(m_metrics.begin(), std::make_unique<Metrics>(font, widget));
    return *m_metrics.front();
}

QFont GridDelegate::resolvedFont(const QVariant &role, const QFont &base) const
{
    if (!role.isValid())
        return base;
    const QFont font = qvariant_cast<QFont>(role);
    if (!(font == m_roleFont && base == m_baseFont)) {
        m_roleFont = font;
        m_baseFont = base;
        m_resolved = font.resolve(base);
    }
    return m_resolved;
}

QString GridDelegate::fitted(Metrics &metrics, const QString &line, int width,
                             Qt::TextElideMode mode) const
{
    if (mode == Qt::ElideNone)
        return line;
    // A value of printable ASCII is measured by adding advances; only one too wide is shaped.
    const qreal quick = metrics.asciiWidth(line);
    if (quick >= 0 && quick <= width)
        return line;
    const std::pair<int, QString> key(width, line);
    const auto found = metrics.elided.constFind(key);
    if (found != metrics.elided.cend())
        return *found;
    if (metrics.elided.size() >= kMaxElided)
        metrics.elided.clear();
    const QString elided = metrics.metrics.elidedText(line, mode, width);
    metrics.elided.insert(key, elided);
    return elided;
}

QString GridDelegate::shownText(const QString &text, const QFont &font, int width) const
{
    return fitted(metricsFor(font, nullptr), firstLine(text), width, Qt::ElideRight);
}

GridDelegate::Look GridDelegate::look(const QStyleOptionViewItem &option,
                                      const QModelIndex &index) const
{
    Look look;
    look.text = index.data(Qt::DisplayRole).toString();
    look.font = resolvedFont(index.data(Qt::FontRole), option.font);
    const QVariant alignment = index.data(Qt::TextAlignmentRole);
    look.alignment = alignment.isValid() ? Qt::Alignment::fromInt(alignment.toInt())
                                         : (Qt::AlignLeft | Qt::AlignVCenter);
    const QPalette::ColorGroup group = colorGroup(option);
    if (option.state & QStyle::State_Selected) {
        look.textColor = option.palette.color(group, QPalette::HighlightedText);
    } else {
        const QVariant foreground = index.data(Qt::ForegroundRole);
        look.textColor = foreground.isValid() ? qvariant_cast<QBrush>(foreground).color()
                                              : option.palette.color(group, QPalette::Text);
    }
    const QVariant background = index.data(Qt::BackgroundRole);
    if (background.isValid())
        look.background = qvariant_cast<QBrush>(background);
    return look;
}

void GridDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    const Look look = this->look(option, index);
    const QRect rect = option.rect;
    const QPalette::ColorGroup group = colorGroup(option);

    if (option.state & QStyle::State_Selected)
        painter->fillRect(rect, option.palette.brush(group, QPalette::Highlight));
    else if (look.background.style() != Qt::NoBrush)
        painter->fillRect(rect, look.background);

    const int margin = textMargin(option);
    const QRect textRect = rect.adjusted(margin, 0, -margin, 0);
    if (!look.text.isEmpty() && textRect.width() > 0) {
        Metrics &metrics = metricsFor(look.font, option.widget);
        const QString shown =
            fitted(metrics, firstLine(look.text), textRect.width(), option.textElideMode);
        const Qt::Alignment alignment = QStyle::visualAlignment(option.direction, look.alignment);
        qreal x = textRect.left();
        if (alignment & (Qt::AlignRight | Qt::AlignHCenter)) {
            const qreal room = textRect.width() - metrics.width(shown);
            x += (alignment & Qt::AlignRight) ? room : std::floor(room / 2);
        }
        const QFontMetricsF &m = metrics.metrics;
        qreal top = textRect.top() + (textRect.height() - m.height()) / 2;
        if (alignment & Qt::AlignTop)
            top = textRect.top();
        else if (alignment & Qt::AlignBottom)
            top = textRect.bottom() + 1 - m.height();
        const QPen pen = painter->pen();
        const QFont font = painter->font();
        painter->setPen(look.textColor);
        painter->setFont(look.font);
        painter->drawText(QPointF(x, std::round(top + m.ascent())), shown);
        painter->setFont(font);
        painter->setPen(pen);
    }

    if (option.state & QStyle::State_HasFocus) {
        // As QCommonStyle frames the current cell.
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(option);
        focus.rect = rect;
        focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        focus.backgroundColor = option.palette.color(group, (option.state & QStyle::State_Selected)
                                                                ? QPalette::Highlight
                                                                : QPalette::Window);
        styleOf(option)->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, option.widget);
    }
}

QSize GridDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // One line: the first line's width, and the font's height.
    const QFont font = resolvedFont(index.data(Qt::FontRole), option.font);
    const Metrics &metrics = metricsFor(font, option.widget);
    const QString line = firstLine(index.data(Qt::DisplayRole).toString());
    const int margin = textMargin(option);
    return QSize(int(std::ceil(metrics.width(line))) + 2 * margin,
                 int(std::ceil(metrics.metrics.height())) + 2);
}

} // namespace strata::ui
