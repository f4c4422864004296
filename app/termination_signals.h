#pragma once

// SIGINT, SIGTERM and SIGHUP as a Qt signal, so that the window and `strata query` can cancel
// their statements on the server and disconnect before they exit (psql cancels on Ctrl+C; a
// killed client leaves its backend running the statement to its end).
//
//   strata::app::TerminationSignals terminations;
//   QObject::connect(&terminations, &TerminationSignals::received, ..., [](int signal) { ... });
//
// The handler itself only writes the signal's number to a pipe; a notifier on this thread's
// event loop (a nested runSync loop counts) reads it and emits received(). A second signal
// that arrives before the process has ended exits at once with 128 + signal, as a second
// Ctrl+C does in psql: the way out when a server or link does not answer.

#include <QObject>

class QSocketNotifier;

namespace strata::app {

class TerminationSignals : public QObject {
    Q_OBJECT

public:
    // Installs the handlers (one instance at a time); the destructor restores the defaults.
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

    // The exit code a process ended by `signal` reports: 128 + signal (130 for SIGINT).
    static int exitCodeFor(int signal) { return 128 + signal; }
    // "SIGINT", "SIGTERM", "SIGHUP".
    static QString nameOf(int signal);

signals:
    void received(int signal);

private:
    void readPipe();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace strata::app
