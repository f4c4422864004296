#pragma once

// The log pane: warnings (DatabaseNotConnected, failed connections), errors and notes, newest
// last. Passwords never show: every line goes through maskSecrets() first.

#include "orm/core/secrets.h"

#include <QPlainTextEdit>

namespace strata::ui {

// The ORM's one masking function (orm/core/secrets.h), by the name the window's code uses.
using orm::maskSecrets;

class LogPane : public QPlainTextEdit {
    Q_OBJECT

public:
    enum class Level { Info, Warning, Error };

    explicit LogPane(QWidget *parent = nullptr);
    ~LogPane() override;

    void append(Level level, const QString &text);
    // Also show the ORM's own warnings (category strata.*), from any thread.
    void captureOrmWarnings();
    // Lines so far, as shown (for tests).
    QStringList lines() const { return m_lines; }

signals:
    void appended(int level, const QString &line);

private:
    QStringList m_lines;
};

} // namespace strata::ui
