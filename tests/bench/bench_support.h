#pragma once

// Shared pieces of strata-bench: the scenario table, options, JSON figures on stdout, timing,
// resident memory, and the event-loop stall probe.

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace strata::bench {

enum class Backend { Postgres, Sqlite };
QString backendName(Backend backend);

struct Options {
    std::optional<qint64> rows;     // --rows N; each scenario has its own default
    std::optional<Backend> backend; // --backend; both when unset
};

// What a scenario gets: the options and where PostgreSQL is (empty: postgres is skipped).
struct Context {
    Options options;
    QString pgUrl;

    qint64 rows(qint64 fallback) const { return options.rows.value_or(fallback); }
};

// One entry of the scenario table. `run` is called once per backend it lists (filtered by
// --backend, postgres skipped without a server) and throws on failure.
struct Scenario {
    QString name;
    QString summary;
    QList<Backend> backends;
    void (*run)(const Context &context, Backend backend);
};

// Figures of one scenario on one backend, one JSON object per line on stdout:
//   {"scenario": "fetch", "backend": "postgres", "metric": "time", "value": 0.51, "unit": "s"}
//   {"scenario": "fetch", "backend": "postgres", "metric": "time", "reference": "libpq-raw",
//    "value": 0.39, "unit": "s"}     (a reference's own figure)
//   {"scenario": "fetch", "backend": "postgres", "metric": "time", "vs": "libpq-raw",
//   "ratio": 1.21}
class Report {
public:
    Report(QString scenario, Backend backend);

    // Our figure.
    void value(const QString &metric, double value, const QString &unit) const;
    // A reference's figure, measured in the same run.
    void reference(const QString &metric, const QString &reference, double value,
                   const QString &unit) const;
    // ours / reference (lower is better).
    void ratio(const QString &metric, const QString &reference, double ours,
               double referenceValue) const;

private:
    void print(const QString &metric, const QString &reference, const QString &tail) const;

    QString m_scenario;
    QString m_backend;
};

// A progress or diagnostic line on stderr, prefixed with "strata-bench: ".
void note(const QString &text);

// Seconds since construction (steady clock).
class Stopwatch {
public:
    Stopwatch()
        : m_start(std::chrono::steady_clock::now())
    {
    }
    void restart() { m_start = std::chrono::steady_clock::now(); }
    double seconds() const
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

private:
    std::chrono::steady_clock::time_point m_start;
};

// Resident memory of this process (VmRSS) and its high-water mark (VmHWM), in bytes; -1 if
// /proc is unreadable. resetPeakRss() restarts the high-water mark (Linux clear_refs "5").
qint64 currentRss();
qint64 peakRss();
bool resetPeakRss();

// Measures how long the current thread's event loop goes without running a 1 ms precise
// timer: the longest gap between two ticks (or between the last tick and stop()), minus the
// interval. It reads what a user would feel as a frozen window while the work runs.
class StallProbe : public QObject {
public:
    StallProbe();
    void start();
    void stop();
    // The longest stall in milliseconds (0 when the loop never fell behind).
    double maxStallMs() const;
    // How much of that stall the GUI thread spent running (its own CPU time), in milliseconds:
    // the rest it waited for a core, which on a loaded machine is the scheduler, not our code.
    double maxStallCpuMs() const { return double(m_maxGapCpu) / 1e6; }
    // The longest stretch the GUI thread ran between two ticks (CPU time), in milliseconds.
    double maxCpuMs() const { return double(m_maxCpu) / 1e6; }
    int ticks() const { return m_ticks; }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_lastCpu = 0;
    qint64 m_maxGap = 0;
    qint64 m_maxGapCpu = 0;
    qint64 m_maxCpu = 0;
    int m_ticks = 0;
    bool m_running = false;
};

// Runs the event loop until `done` holds (checked on a 1 ms timer), or the timeout passes;
// whether it holds.
bool waitUntil(const std::function<bool()> &done, int timeoutMs);
// Lets the loop run for `ms` (paints, deferred deletes) without measuring anything.
void settle(int ms);

// The PostgreSQL URL rewritten to reach 127.0.0.1:port (a proxy) instead of its own host.
QString withHostPort(const QString &url, const QString &host, int port);

// Formats a row count for notes: 1000000 -> "1,000,000".
QString count(qint64 n);

} // namespace strata::bench
