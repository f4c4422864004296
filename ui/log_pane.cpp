#include "log_pane.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>

namespace strata::ui {
namespace {

QPointer<LogPane> g_pane;
QtMessageHandler g_previous = nullptr;

void forwardMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (g_previous)
        g_previous(type, context, message);
    if (type < QtWarningMsg || !context.category ||
        !QByteArray(context.category).startsWith("strata."))
        return;
    // Any thread may log; the pane lives on the GUI thread.
    const LogPane::Level level =
        type == QtWarningMsg ? LogPane::Level::Warning : LogPane::Level::Error;
    if (LogPane *pane = g_pane.data())
        QMetaObject::invokeMethod(
            pane, [pane, level, message] { pane->append(level, message); }, Qt::QueuedConnection);
}

} // namespace

LogPane::LogPane(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("logPane"));
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setPlaceholderText(tr("Warnings and errors appear here"));
}

LogPane::~LogPane()
{
    if (g_pane == this) {
        qInstallMessageHandler(g_previous);
        g_pane = nullptr;
    }
}

void LogPane::captureOrmWarnings()
{
    if (g_pane)
        return;
    g_pane = this;
    g_previous = qInstallMessageHandler(forwardMessage);
}

void LogPane::append(Level level, const QString &text)
{
    static const char *const names[] = {"info", "warning", "error"};
    const QString line = QStringLiteral("%1  %2  %3")
                             .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                  QLatin1String(names[int(level)]), maskSecrets(text));
    m_lines << line;
    appendPlainText(line);
    emit appended(int(level), line);
}

} // namespace strata::ui
