#include "result_export.h"

#include "orm/core/error.h"
#include "orm/core/text_escape.h"

#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace strata::ui {
namespace {

constexpr int kChunkRows = 8192;
constexpr size_t kFlushBytes = 1 << 20;

std::string_view view(QByteArrayView bytes)
{
    return {bytes.data(), size_t(bytes.size())};
}

void appendNumber(std::string &out, const orm::RowBatch &rows, int row, int column)
{
    char digits[32];
    const std::to_chars_result end =
        rows.kind(row, column) == orm::CellKind::Integer
            ? std::to_chars(digits, digits + sizeof digits, rows.integer(row, column))
            // the shortest text that reads back
            : std::to_chars(digits, digits + sizeof digits, rows.real(row, column));
    out.append(digits, end.ptr);
}

// One CSV field for a cell: nothing for NULL, "" for an empty string, blobs as \x hex.
void appendCsvCell(std::string &out, const orm::RowBatch &rows, int row, int column)
{
    const orm::CellKind kind = rows.kind(row, column);
    const QByteArrayView bytes = rows.bytes(row, column);
    switch (kind) {
    case orm::CellKind::Null:
        return;
    case orm::CellKind::Integer:
    case orm::CellKind::Real:
        appendNumber(out, rows, row, column);
        return;
    case orm::CellKind::Blob:
        out.append("\\x");
        out.append(view(QByteArray(bytes.data(), bytes.size()).toHex()));
        return;
    case orm::CellKind::Text:
        orm::text::appendCsvField(out, view(bytes));
        return;
    }
}

// One JSON value for a cell: numbers, booleans and embedded JSON as themselves, blobs as base64.
void appendJsonCell(std::string &out, const orm::RowBatch &rows, int row, int column,
                    const orm::Column &type)
{
    const orm::CellKind kind = rows.kind(row, column);
    const QByteArrayView bytes = rows.bytes(row, column);
    switch (kind) {
    case orm::CellKind::Null:
        out.append("null");
        return;
    case orm::CellKind::Real: {
        const double v = rows.real(row, column);
        if (!std::isfinite(
                v)) { // JSON has no infinities or NaN: written as text, as PostgreSQL does
            orm::text::appendJsonString(out, std::isnan(v) ? "NaN"
                                             : v > 0       ? "Infinity"
                                                           : "-Infinity");
            return;
        }
        appendNumber(out, rows, row, column);
        return;
    }
    case orm::CellKind::Integer:
        appendNumber(out, rows, row, column);
        return;
    case orm::CellKind::Blob:
        orm::text::appendJsonString(out, view(QByteArray(bytes.data(), bytes.size()).toBase64()));
        return;
    case orm::CellKind::Text:
        break;
    }
    switch (type.type) {
    case orm::LogicalType::Integer:
    case orm::LogicalType::Real:
    case orm::LogicalType::Numeric:
        // PostgreSQL's text for NaN and infinities is no JSON number.
        if (!bytes.isEmpty() &&
            (std::isdigit(static_cast<unsigned char>(bytes[0])) || bytes[0] == '-') &&
            !bytes.endsWith(QByteArrayView("Infinity"))) {
            out.append(view(bytes));
            return;
        }
        break;
    case orm::LogicalType::Bool:
        if (bytes == QByteArrayView("t") || bytes == QByteArrayView("true")) {
            out.append("true");
            return;
        }
        if (bytes == QByteArrayView("f") || bytes == QByteArrayView("false")) {
            out.append("false");
            return;
        }
        break;
    case orm::LogicalType::Json:
        out.append(view(bytes));
        return;
    default:
        break;
    }
    orm::text::appendJsonString(out, view(bytes));
}

// Yields to the event loop so that the window stays live during a long export.
QCoro::Task<> breathe()
{
    QTimer timer;
    timer.setSingleShot(true);
    timer.start(0);
    co_await timer;
}

} // namespace

ResultExporter::ResultExporter(ResultStreamPtr stream, QObject *parent)
    : QObject(parent)
    , m_stream(std::move(stream))
{
}

ResultExporter::Format ResultExporter::formatForPath(const QString &path)
{
    return path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? Format::Json : Format::Csv;
}

std::pair<QString, ResultExporter::Format> ResultExporter::target(const QString &path,
                                                                  const QString &nameFilter)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("json"))
        return {path, formatForPath(path)};
    if (nameFilter.contains(QLatin1String("*.json")))
        return {path + QStringLiteral(".json"), Format::Json};
    return {path + QStringLiteral(".csv"), Format::Csv};
}

QCoro::Task<qint64> ResultExporter::exportTo(QString path, Format format)
{
    QPointer<ResultExporter> self(this);
    ResultStreamPtr stream = m_stream; // outlives this object if need be
    m_cancelled = false;
    m_running = true;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        m_running = false;
        throw orm::Error(orm::Error::Kind::Usage,
                         tr("cannot write %1: %2").arg(path, file.errorString()));
    }
    const orm::Columns columns = stream->columns();
    const int columnCount = int(columns.size());
    std::string out;
    out.reserve(kFlushBytes + (64 << 10));
    std::vector<std::string> keys; // JSON: "name": per column
    for (const orm::Column &column : columns) {
        const QByteArray name = column.name.toUtf8();
        std::string key;
        if (format == Format::Csv)
            orm::text::appendCsvField(key, view(name));
        else
            orm::text::appendJsonString(key, view(name));
        keys.push_back(std::move(key));
    }
    if (format == Format::Csv) {
        for (int c = 0; c < columnCount; ++c) {
            if (c)
                out.push_back(',');
            out.append(keys[size_t(c)]);
        }
        out.append("\r\n");
    } else {
        out.push_back('[');
        for (std::string &key : keys)
            key.push_back(':');
    }

    qint64 written = 0;
    const auto writeRows = [&](const orm::RowBatch &rows, int from, int to) {
        for (int r = from; r < to; ++r) {
            if (format == Format::Csv) {
                for (int c = 0; c < columnCount; ++c) {
                    if (c)
                        out.push_back(',');
                    appendCsvCell(out, rows, r, c);
                }
                out.append("\r\n");
            } else {
                out.append(written ? ",\n{" : "\n{");
                for (int c = 0; c < columnCount; ++c) {
                    if (c)
                        out.push_back(',');
                    out.append(keys[size_t(c)]);
                    appendJsonCell(out, rows, r, c, columns[c]);
                }
                out.push_back('}');
            }
            ++written;
        }
    };
    const auto fail = [&](orm::Error error) {
        file.remove();
        if (self)
            m_running = false;
        return error;
    };
    const auto flush = [&] {
        if (file.write(out.data(), qint64(out.size())) != qint64(out.size()))
            throw fail(orm::Error(orm::Error::Kind::Usage,
                                  tr("cannot write %1: %2").arg(path, file.errorString())));
        out.clear();
    };
    QElapsedTimer slice;
    slice.start();
    while (true) {
        if (!self || m_cancelled)
            throw fail(orm::Error(orm::Error::Kind::Cancelled, tr("export cancelled")));
        if (written < stream->rowsRead()) {
            // The batch just pulled is still in memory; older rows come back from the spool.
            const orm::RowBatch &recent = stream->recentRows();
            const qint64 recentFirst = stream->recentFirst();
            if (written >= recentFirst) {
                writeRows(recent, int(written - recentFirst), recent.rowCount());
            } else {
                const int count = int(std::min<qint64>(kChunkRows, recentFirst - written));
                const orm::RowBatch rows = stream->read(written, count);
                writeRows(rows, 0, rows.rowCount());
            }
            if (out.size() >= kFlushBytes)
                flush();
            emit progress(written, stream->isFinished() ? stream->rowsRead() : -1);
            if (slice.elapsed() > 30) {
                co_await breathe();
                slice.restart();
            }
            continue;
        }
        if (stream->isFinished())
            break;
        co_await stream->pullOnce();
    }
    if (stream->isTruncated() && !stream->failure().isEmpty())
        throw fail(
            orm::Error(orm::Error::Kind::Usage,
                       tr("the result could not be read to its end: %1").arg(stream->failure())));
    if (format == Format::Json)
        out.append(written ? "\n]\n" : "]\n");
    flush();
    if (!file.flush())
        throw fail(orm::Error(orm::Error::Kind::Usage,
                              tr("cannot write %1: %2").arg(path, file.errorString())));
    file.close();
    if (self) {
        m_running = false;
        emit progress(written, written);
    }
    co_return written;
}

} // namespace strata::ui
