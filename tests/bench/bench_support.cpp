#include "bench_support.h"

#include "orm/core/text_escape.h"

#include <QEventLoop>
#include <QFile>
#include <QLocale>
#include <QUrl>

#include <cmath>
#include <cstdio>
#include <ctime>

namespace strata::bench {

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer check;
    check.setTimerType(Qt::PreciseTimer);
    check.setInterval(1);
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    check.start();
    loop.exec();
    return done();
}

void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

QString backendName(Backend backend)
{
    return backend == Backend::Postgres ? QStringLiteral("postgres") : QStringLiteral("sqlite");
}

namespace {

using orm::text::jsonString;

// A JSON number with three significant digits, never an exponent for ordinary figures;
// null for a value that is not finite.
QString jsonNumber(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("null");
    const double magnitude = std::fabs(value);
    if (magnitude >= 100)
        return QString::number(value, 'f', 0);
    if (magnitude == 0)
        return QStringLiteral("0");
    // Three significant digits, trailing zeros dropped.
    const int decimals = qBound(0, 2 - int(std::floor(std::log10(magnitude))), 9);
    QString text = QString::number(value, 'f', decimals);
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
    }
    return text;
}

void printLine(const QString &line)
{
    const QByteArray utf8 = line.toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

qint64 procStatusKb(const char *field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key)) {
            // "VmRSS:\t  123456 kB"
            const QByteArray number = line.mid(key.size()).trimmed().split(' ').value(0);
            bool ok = false;
            const qint64 kb = number.toLongLong(&ok);
            return ok ? kb : -1;
        }
    }
    return -1;
}

} // namespace

Report::Report(QString scenario, Backend backend)
    : m_scenario(std::move(scenario))
    , m_backend(backendName(backend))
{
}

void Report::print(const QString &metric, const QString &reference, const QString &tail) const
{
    QString line = QStringLiteral("{\"scenario\": %1, \"backend\": %2, \"metric\": %3")
                       .arg(jsonString(m_scenario), jsonString(m_backend), jsonString(metric));
    if (!reference.isEmpty())
        line += QStringLiteral(", \"reference\": ") + jsonString(reference);
    printLine(line + tail + QLatin1Char('}'));
}

void Report::value(const QString &metric, double value, const QString &unit) const
{
    print(metric, {},
          QStringLiteral(", \"value\": %1, \"unit\": %2").arg(jsonNumber(value), jsonString(unit)));
}

void Report::reference(const QString &metric, const QString &reference, double value,
                       const QString &unit) const
{
    print(metric, reference,
          QStringLiteral(", \"value\": %1, \"unit\": %2").arg(jsonNumber(value), jsonString(unit)));
}

void Report::ratio(const QString &metric, const QString &reference, double ours,
                   double referenceValue) const
{
    const double ratio = referenceValue > 0 ? ours / referenceValue : qQNaN();
    print(metric, {},
          QStringLiteral(", \"vs\": %1, \"ratio\": %2")
              .arg(jsonString(reference), jsonNumber(ratio)));
}

void note(const QString &text)
{
    const QByteArray utf8 = (QStringLiteral("strata-bench: ") + text + QLatin1Char('\n')).toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stderr);
    std::fflush(stderr);
}

qint64 currentRss()
{
    const qint64 kb = procStatusKb("VmRSS");
    return kb < 0 ? -1 : kb * 1024;
}

qint64 peakRss()
{
    const qint64 kb = procStatusKb("VmHWM");
    return kb < 0 ? -1 : kb * 1024;
}

bool resetPeakRss()
{
    QFile file(QStringLiteral("/proc/self/clear_refs"));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    return file.write("5") == 1;
}

StallProbe::StallProbe()
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1);
    QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
}

namespace {

qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

} // namespace

void StallProbe::start()
{
    m_maxGap = 0;
    m_maxGapCpu = 0;
    m_maxCpu = 0;
    m_ticks = 0;
    m_clock.start();
    m_last = 0;
    m_lastCpu = threadCpuNs();
    m_running = true;
    m_timer.start();
}

void StallProbe::stop()
{
    if (!m_running)
        return;
    tick(); // the stretch since the last tick counts too
    m_timer.stop();
    m_running = false;
}

void StallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 cpu = threadCpuNs();
    if (now - m_last > m_maxGap) {
        m_maxGap = now - m_last;
        m_maxGapCpu = cpu - m_lastCpu;
    }
    m_maxCpu = qMax(m_maxCpu, cpu - m_lastCpu);
    m_last = now;
    m_lastCpu = cpu;
    ++m_ticks;
}

double StallProbe::maxStallMs() const
{
    return qMax(0.0, double(m_maxGap) / 1e6 - double(m_timer.interval()));
}

QString withHostPort(const QString &url, const QString &host, int port)
{
    QUrl parsed(url, QUrl::StrictMode);
    parsed.setHost(host);
    parsed.setPort(port);
    return parsed.toString(QUrl::FullyEncoded);
}

QString count(qint64 n)
{
    return QLocale(QLocale::English).toString(n);
}

} // namespace strata::bench
