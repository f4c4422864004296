#pragma once

// Writing a console result to CSV or JSON, streamed: rows already read come from the result's
// spool, the rest are formatted straight from each batch as it is pulled from the open stream
// (the stream still spools it for the grid), so a result of any size exports in bounded memory.
// Progress is signalled; cancel() stops at the next batch and removes the unfinished file.

#include "result_stream.h"

#include <QObject>
#include <QPointer>

namespace strata::ui {

class ResultExporter : public QObject {
    Q_OBJECT

public:
    enum class Format { Csv, Json };
    Q_ENUM(Format)

    explicit ResultExporter(ResultStreamPtr stream, QObject *parent = nullptr);

    // Writes every row of the result to `path`; returns the rows written. Throws orm::Error
    // (Cancelled when cancel() was called; Usage for a file that cannot be written).
    QCoro::Task<qint64> exportTo(QString path, Format format);
    void cancel() { m_cancelled = true; }
    bool isRunning() const { return m_running; }

    static Format formatForPath(const QString &path);
    // What a save dialog's answer means: the extension typed wins; without one, the format of
    // the filter chosen, whose extension is added to the name.
    static std::pair<QString, Format> target(const QString &path, const QString &nameFilter);

signals:
    // Rows written so far; `total` is -1 while the result's size is not known yet.
    void progress(qint64 rows, qint64 total);

private:
    ResultStreamPtr m_stream;
    bool m_cancelled = false;
    bool m_running = false;
};

} // namespace strata::ui
