#pragma once

// One console result: the rows of a statement's open stream, read as they are needed.
//
// Rows are pulled from the console session in batches only when someone asks for them (the grid
// scrolling, an export, a plot) and spooled to a temporary file as they arrive, so memory stays
// bounded whatever the result's size: a SELECT of 10 million rows reads the first batch and
// stops. StreamRowSource shows it in the data grid (GridModel) by row position.

#include "orm/core/wait_queue.h"
#include "orm/session/console_session.h"
#include "ui/row_source.h"

#include <QObject>
#include <QPointer>
#include <QTemporaryFile>

#include <string>
#include <vector>

namespace strata::ui {

class GridModel;

class ResultStream : public QObject {
    Q_OBJECT

public:
    ResultStream(orm::ConsoleSession *session, quint64 stream, orm::Columns columns,
                 QObject *parent = nullptr);
    ~ResultStream() override;

    const orm::Columns &columns() const { return m_columns; }
    qint64 rowsRead() const { return m_rows; }
    // No more rows will come: the statement's rows are all read, or the stream was cut short.
    bool isFinished() const { return m_finished; }
    // Cut short (a later statement, a cancel, an error): rowsRead() is what there is.
    bool isTruncated() const { return m_truncated; }
    QString failure() const { return m_failure; }
    qint64 spoolBytes() const { return m_spoolEnd; }

    // Pulls batches until at least `rows` rows are read or the stream ends. Never throws: a
    // failure ends the stream (failure() says why).
    QCoro::Task<> ensure(qint64 rows);
    // Pulls one more batch (if the stream is still open).
    QCoro::Task<> pullOnce();
    // Stops reading: what was read stays, the rest is dropped.
    void truncate(const QString &why = {});

    // Rows [first, first + count) of what was read, clamped.
    orm::RowBatch read(qint64 first, int count);
    // The batch pulled last, still in memory, and the number of its first row: an export reads
    // it straight from here instead of going back to the spool.
    const orm::RowBatch &recentRows() const { return m_recent; }
    qint64 recentFirst() const { return m_rows - m_recent.rowCount(); }

signals:
    void progressed(qint64 rows);
    void finished(qint64 rows);

private:
    void append(const orm::RowBatch &batch);
    void finish(bool truncated, const QString &why);

    QPointer<orm::ConsoleSession> m_session;
    quint64 m_stream;
    orm::Columns m_columns;
    QTemporaryFile m_spool;
    qint64 m_spoolEnd = 0;
    std::vector<qint64> m_index; // spool offset of every kIndexRows-th row
    qint64 m_rows = 0;
    bool m_pulling = false;
    bool m_finished = false;
    bool m_truncated = false;
    QString m_failure;
    std::string m_buffer; // one batch in spool layout
    orm::RowBatch m_recent;

public:
    // Woken on every batch, at the end, and by StreamRowSource::cancelCount().
    orm::WaitQueue progressQueue;
};

using ResultStreamPtr = std::shared_ptr<ResultStream>;

// The grid's view of a console result: rows by position (the key is the row number), no sorting
// or filtering (the statement decides both), and a count that is known once the stream ends.
class StreamRowSource : public RowSource {
public:
    explicit StreamRowSource(ResultStreamPtr stream);

    // Seeks are placed by the model's current row total: the source reads it from the model.
    void setModel(GridModel *model);
    const ResultStreamPtr &stream() const { return m_stream; }

    orm::Columns columns() const override { return m_stream->columns(); }
    void setQuery(const GridQuery &query) override;
    QString selectSql() const override { return {}; }
    QCoro::Task<RowPage> first(int limit) override;
    QCoro::Task<RowPage> last(int limit) override;
    QCoro::Task<RowPage> after(QVariantList key, int limit) override;
    QCoro::Task<RowPage> before(QVariantList key, int limit) override;
    QCoro::Task<RowPage> seek(double fraction, int limit) override;
    QCoro::Task<qint64> count() override;
    void cancelCount() override;

private:
    RowPage page(qint64 first, int limit);

    ResultStreamPtr m_stream;
    QPointer<GridModel> m_model;
    bool m_countCancelled = false;
};

} // namespace strata::ui
