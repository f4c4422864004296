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

namespace strata::app {

class Screenshot : public QObject {
    Q_OBJECT

public:
    Screenshot(ui::MainWindow *window, QString file, QString selectModel, int timeoutMs);
    // Call when the registry's connect attempt has finished.
    void onStarted();

private:
    void poll();
    void finish(int code, const QString &message);

    ui::MainWindow *m_window;
    QString m_file;
    QString m_select;
    bool m_started = false;
    bool m_done = false;
    int m_settled = 0; // consecutive polls with nothing loading
    QTimer *m_poll;
};

} // namespace strata::app
