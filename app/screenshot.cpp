#include "screenshot.h"

#include "ui/console/console_pane.h"

#include "orm/database/database.h"
#include "ui/grid_model.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"

#include <QCoreApplication>
#include <QLabel>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

namespace strata::app {

Screenshot::Screenshot(ui::MainWindow *window, QString file, QString selectModel, int timeoutMs)
    : QObject(window)
    , m_window(window)
    , m_file(std::move(file))
    , m_select(std::move(selectModel))
    , m_poll(new QTimer(this))
{
    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, &Screenshot::poll);
    QTimer::singleShot(timeoutMs, this, [this, timeoutMs] {
        finish(1, QStringLiteral("timed out after %1 s waiting for loading to finish (%2)")
                      .arg(timeoutMs / 1000)
                      .arg(m_window->queryLabel()->text()));
    });
    connect(window->gridModel(), &ui::GridModel::errorOccurred, this,
            [this](const QString &message) {
                finish(1, QStringLiteral("opening %1 failed: %2").arg(m_select, message));
            });
    connect(window->logPane(), &ui::LogPane::appended, this,
            [this](int level, const QString &line) {
                if (level != int(ui::LogPane::Level::Error))
                    return;
                if ((!m_select.isEmpty() &&
                     line.contains(QStringLiteral("Opening %1").arg(m_select))) ||
                    (!m_schema.isEmpty() &&
                     line.contains(QStringLiteral("Opening schema %1").arg(m_schema))))
                    finish(1, m_select.isEmpty() || line.contains(m_select)
                                  ? line
                                  : QStringLiteral("%1; %2 is not opened").arg(line, m_select));
            });
}

void Screenshot::onStarted()
{
    m_started = true;
    if (!m_select.isEmpty())
        m_window->openModel(m_select);
    m_poll->start();
}

void Screenshot::poll()
{
    const ui::GridModel *grid = m_window->gridModel();
    // The active (primary) database failed to connect: nothing will load, say so now rather
    // than at the timeout. A failed extra database does not matter here (lenient start).
    if (const orm::Database *db = m_window->database(m_window->activeDatabase());
        m_started && db && db->state() == orm::Database::State::Failed) {
        finish(1, QStringLiteral("cannot connect to %1: %2")
                      .arg(db->displayUrl(), ui::maskSecrets(db->failureReason())));
        return;
    }
    bool ready = m_started && !m_window->isBusy() && !m_window->activeSchema().isEmpty();
    if (!m_select.isEmpty())
        ready = ready && !m_window->openedModel().isEmpty() && grid->isRowLoaded(0) &&
                !grid->isCounting();
    if (ready && m_consoleState == ConsoleState::Waiting) {
        m_consoleState = ConsoleState::Running;
        connect(
            m_console, &ui::ConsolePane::scriptFinished, this,
            [this](bool ok, const QString &message) {
                m_consoleState = ConsoleState::Done;
                if (!ok)
                    m_consoleError = message.isEmpty() ? QStringLiteral("the SQL failed") : message;
            },
            Qt::SingleShotConnection);
        m_console->runScript(m_consoleSql);
    }
    if (m_consoleState == ConsoleState::Waiting || m_consoleState == ConsoleState::Running)
        ready = false;
    m_settled = ready ? m_settled + 1 : 0;
    if (m_settled >= 3) // settled for a few polls: the last repaint has happened
        finish(0, {});
}

void Screenshot::setConsole(ui::ConsolePane *console, QString sql)
{
    m_console = console;
    m_consoleSql = std::move(sql);
    m_consoleState = ConsoleState::Waiting;
}

void Screenshot::finish(int code, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_poll->stop();
    disconnect(m_window->gridModel(), nullptr, this, nullptr);
    if (code == 0) {
        if (!m_window->grab().save(m_file, "PNG")) {
            code = 1;
            std::fprintf(stderr, "strata: cannot write the screenshot to %s\n", qPrintable(m_file));
        } else {
            std::printf("%s\n", qPrintable(m_file));
            std::fflush(stdout);
            if (!m_consoleError.isEmpty()) { // shown in the picture; said here for scripts
                std::fprintf(stderr, "strata: --console: %s\n",
                             qPrintable(ui::maskSecrets(m_consoleError)));
                code = 1;
            }
        }
    } else {
        std::fprintf(stderr, "strata: --screenshot: %s\n", qPrintable(ui::maskSecrets(message)));
        for (const QString &line : m_window->logPane()->lines())
            std::fprintf(stderr, "  log: %s\n", qPrintable(line));
    }
    QCoreApplication::exit(code);
    deleteLater();
}

} // namespace strata::app
