#pragma once

// A line across the top of the grid that says what the grid cannot show by itself: why rows
// failed to load (with what to do next), that a table does not exist in the chosen tenant, or,
// on an empty window, how to open one. Hidden while there is nothing to say. Its colours come
// from the palette, so it reads in light and dark themes alike.

#include <QFrame>

class QLabel;

namespace strata::ui {

class GridNotice : public QFrame {
    Q_OBJECT

public:
    enum class Kind { Hint, Problem };

    explicit GridNotice(QWidget *parent = nullptr);

    void show(Kind kind, const QString &text);
    void clear();
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    QLabel *m_icon;
    QLabel *m_text;
    Kind m_kind = Kind::Hint;
};

} // namespace strata::ui
