#pragma once

// --screenshot: waits until the window has settled (connections tried, schemas and models
// listed, the selected model's first rows and row count in), saves a PNG of it and quits with
// 0, or with 1 and a message on stderr when the wait times out or the model cannot open.

#include <QObject>
#include <QString>

class QTimer;

namespace strata::ui {
class MainWindow;
}

namespace strata::ui {
class ConsolePane;
}

namespace strata::app {

class Screenshot : public QObject {
    Q_OBJECT

public:
    Screenshot(ui::MainWindow *window, QString file, QString selectModel, int timeoutMs);
    // Call when the registry's connect attempt has finished.
    void onStarted();
    // Runs `sql` in a console tab once the window has settled, and shoots when its result (or
    // its error) is shown; an SQL error still saves the picture, then exits with 1.
    void setConsole(ui::ConsolePane *console, QString sql);
    // --schema: a database without that schema ends the run with 1, naming it (and the table).
    void setSchema(QString schema) { m_schema = std::move(schema); }

private:
    void poll();
    void finish(int code, const QString &message);

    ui::MainWindow *m_window;
    QString m_file;
    QString m_select;
    QString m_schema;
    bool m_started = false;
    bool m_done = false;
    int m_settled = 0; // consecutive polls with nothing loading
    ui::ConsolePane *m_console = nullptr;
    QString m_consoleSql;
    enum class ConsoleState { None, Waiting, Running, Done } m_consoleState = ConsoleState::None;
    QString m_consoleError;
    QTimer *m_poll;
};

} // namespace strata::app
