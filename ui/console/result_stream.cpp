#include "result_stream.h"

#include "ui/grid_model.h"

#include "orm/core/error.h"

#include <QCoro/QCoroSignal>
#include <QDir>

#include <cmath>
#include <cstring>

namespace strata::ui {
namespace {

constexpr qint64 kIndexRows = 256;

// Spool layout per cell: kind (1 byte), length (4 bytes, native), payload. Built in a
// std::string: QByteArray::append goes out of line on every call in Qt 6.4.
void spoolCell(std::string &out, orm::CellKind kind, QByteArrayView bytes)
{
    const quint32 length = quint32(bytes.size());
    char head[1 + sizeof length];
    head[0] = char(kind);
    std::memcpy(head + 1, &length, sizeof length);
    out.append(head, sizeof head);
    out.append(bytes.data(), size_t(bytes.size()));
}

// Parses one row at `pos` into `batch` (or skips it when batch is null); returns the new pos.
qsizetype parseRow(const QByteArray &data, qsizetype pos, int columns, orm::RowBatch *batch)
{
    for (int c = 0; c < columns; ++c) {
        const auto kind = orm::CellKind(data.at(pos));
        quint32 length = 0;
        std::memcpy(&length, data.constData() + pos + 1, sizeof length);
        const char *payload = data.constData() + pos + 1 + sizeof length;
        pos += 1 + qsizetype(sizeof length) + qsizetype(length);
        if (!batch)
            continue;
        batch->appendCell(kind, QByteArrayView(payload, qsizetype(length)));
    }
    return pos;
}

} // namespace

ResultStream::ResultStream(orm::ConsoleSession *session, quint64 stream, orm::Columns columns,
                           QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_stream(stream)
    , m_columns(std::move(columns))
    , m_spool(QDir::tempPath() + QStringLiteral("/strata-console-XXXXXX.spool"))
{
    if (!m_spool.open())
        finish(true, tr("could not open a spool file in %1").arg(QDir::tempPath()));
}

ResultStream::~ResultStream() = default;

void ResultStream::append(const orm::RowBatch &batch)
{
    m_buffer.clear();
    const int columns = batch.columnCount();
    for (int r = 0; r < batch.rowCount(); ++r) {
        if ((m_rows + r) % kIndexRows == 0)
            m_index.push_back(m_spoolEnd + m_buffer.size());
        for (int c = 0; c < columns; ++c)
            spoolCell(m_buffer, batch.kind(r, c), batch.bytes(r, c));
    }
    m_spool.seek(m_spoolEnd);
    if (m_spool.write(m_buffer.data(), qint64(m_buffer.size())) != qint64(m_buffer.size())) {
        finish(true, tr("could not write the spool file: %1").arg(m_spool.errorString()));
        return;
    }
    m_spoolEnd += m_buffer.size();
    m_rows += batch.rowCount();
    if (m_buffer.capacity() > (8 << 20))
        m_buffer = std::string();
}

void ResultStream::finish(bool truncated, const QString &why)
{
    if (m_finished)
        return;
    m_finished = true;
    m_truncated = truncated;
    m_failure = why;
    emit progressed(m_rows);
    emit finished(m_rows);
    progressQueue.notifyAll();
}

void ResultStream::truncate(const QString &why)
{
    finish(true, why);
}

QCoro::Task<> ResultStream::pullOnce()
{
    if (m_finished)
        co_return;
    if (m_pulling) {
        co_await progressQueue.wait();
        co_return;
    }
    QPointer<ResultStream> self(this);
    orm::ConsoleSession *session = m_session;
    if (!session || !session->isCurrent(m_stream)) {
        finish(true, tr("another statement ran on this console since"));
        co_return;
    }
    m_pulling = true;
    std::optional<orm::RowBatch> batch;
    QString failure;
    try {
        batch = co_await session->nextBatch(m_stream);
    } catch (const orm::Error &error) {
        failure = error.toString();
    } catch (const std::exception &error) {
        failure = QString::fromUtf8(error.what());
    }
    if (!self)
        co_return;
    m_pulling = false;
    if (!failure.isEmpty()) {
        progressQueue.notifyAll();
        finish(true, failure);
        co_return;
    }
    if (!batch) {
        finish(false, {});
        co_return;
    }
    append(*batch);
    if (!m_finished) // a failed spool write finished the stream without these rows
        m_recent = std::move(*batch);
    emit progressed(m_rows);
    progressQueue.notifyAll();
}

QCoro::Task<> ResultStream::ensure(qint64 rows)
{
    QPointer<ResultStream> self(this);
    while (self && m_rows < rows && !m_finished)
        co_await pullOnce();
}

orm::RowBatch ResultStream::read(qint64 first, int count)
{
    const int columns = int(m_columns.size());
    orm::RowBatch batch(columns);
    first = std::clamp<qint64>(first, 0, m_rows);
    count = int(std::clamp<qint64>(count, 0, m_rows - first));
    if (count == 0 || columns == 0)
        return batch;
    const size_t from = size_t(first / kIndexRows);
    const size_t to = size_t((first + count + kIndexRows - 1) / kIndexRows);
    const qint64 begin = m_index[from];
    const qint64 end = to < m_index.size() ? m_index[to] : m_spoolEnd;
    m_spool.seek(begin);
    const QByteArray data = m_spool.read(end - begin);
    qsizetype pos = 0;
    for (qint64 r = qint64(from) * kIndexRows; r < first; ++r)
        pos = parseRow(data, pos, columns, nullptr);
    batch.reserve(count, data.size() / std::max<qint64>(1, to * kIndexRows - from * kIndexRows));
    for (int r = 0; r < count; ++r)
        pos = parseRow(data, pos, columns, &batch);
    return batch;
}

// --- StreamRowSource --------------------------------------------------------------------------

StreamRowSource::StreamRowSource(ResultStreamPtr stream)
    : m_stream(std::move(stream))
{
}

void StreamRowSource::setModel(GridModel *model)
{
    m_model = model;
}

void StreamRowSource::setQuery(const GridQuery &query)
{
    if (!(query == GridQuery{}))
        throw orm::Error(orm::Error::Kind::Usage,
                         QStringLiteral("a console result shows the rows in the order the "
                                        "statement returns them: sort and filter in the SQL"));
}

RowPage StreamRowSource::page(qint64 first, int limit)
{
    RowPage page;
    page.rows = m_stream->read(first, limit);
    const int rows = page.rows.rowCount();
    page.firstKey = QVariantList{first};
    page.lastKey = QVariantList{first + std::max(rows, 1) - 1};
    return page;
}

QCoro::Task<RowPage> StreamRowSource::first(int limit)
{
    co_await m_stream->ensure(limit);
    co_return page(0, limit);
}

QCoro::Task<RowPage> StreamRowSource::last(int limit)
{
    co_await m_stream->ensure(std::numeric_limits<qint64>::max());
    const qint64 rows = m_stream->rowsRead();
    co_return page(std::max<qint64>(0, rows - limit), limit);
}

QCoro::Task<RowPage> StreamRowSource::after(QVariantList key, int limit)
{
    const qint64 from = key.value(0).toLongLong() + 1;
    co_await m_stream->ensure(from + limit);
    co_return page(from, limit);
}

QCoro::Task<RowPage> StreamRowSource::before(QVariantList key, int limit)
{
    const qint64 end = key.value(0).toLongLong();
    const qint64 from = std::max<qint64>(0, end - limit);
    co_return page(from, int(end - from));
}

QCoro::Task<RowPage> StreamRowSource::seek(double fraction, int limit)
{
    // The model placed the request at fraction * its total: the same row, by position.
    const qint64 total = m_model ? m_model->totalRows() : m_stream->rowsRead();
    const qint64 row = std::llround(fraction * double(total));
    co_await m_stream->ensure(row + limit);
    co_return page(row, limit);
}

QCoro::Task<qint64> StreamRowSource::count()
{
    m_countCancelled = false;
    ResultStreamPtr stream = m_stream; // alive while this waits
    while (!stream->isFinished() && !m_countCancelled)
        co_await stream->progressQueue.wait();
    if (m_countCancelled && !stream->isFinished())
        throw orm::Error(orm::Error::Kind::Cancelled, QStringLiteral("count cancelled"));
    co_return stream->rowsRead();
}

void StreamRowSource::cancelCount()
{
    m_countCancelled = true;
    m_stream->progressQueue.notifyAll();
}

} // namespace strata::ui
