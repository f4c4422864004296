#include "result_export.h"

#include "orm/error.h"

#include <QCoro/QCoroTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <cstring>

namespace strata::ui {
namespace {

constexpr int kChunkRows = 8192;
constexpr qsizetype kFlushBytes = 1 << 20;

void appendNumber(QByteArray &out, orm::CellKind kind, QByteArrayView bytes)
{
    if (kind == orm::CellKind::Integer) {
        qint64 v = 0;
        std::memcpy(&v, bytes.data(), sizeof v);
        out.append(QByteArray::number(v));
    } else {
        double v = 0;
        std::memcpy(&v, bytes.data(), sizeof v);
        out.append(QByteArray::number(v, 'g', 17));
    }
}

void appendJsonString(QByteArray &out, QByteArrayView text)
{
    out.append('"');
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                out.append(escaped);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
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

void appendCsvCell(QByteArray &out, const orm::RowBatch &rows, int row, int column)
{
    const orm::CellKind kind = rows.kind(row, column);
    const QByteArrayView bytes = rows.bytes(row, column);
    switch (kind) {
    case orm::CellKind::Null:
        return;
    case orm::CellKind::Integer:
    case orm::CellKind::Real:
        appendNumber(out, kind, bytes);
        return;
    case orm::CellKind::Blob:
        out.append("\\x");
        out.append(QByteArray(bytes.data(), bytes.size()).toHex());
        return;
    case orm::CellKind::Text:
        break;
    }
    bool quote = bytes.isEmpty(); // "" tells an empty string from NULL
    for (const char c : bytes)
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    if (!quote) {
        out.append(bytes.data(), bytes.size());
        return;
    }
    out.append('"');
    for (const char c : bytes) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
}

void appendJsonCell(QByteArray &out, const orm::RowBatch &rows, int row, int column,
                    const orm::Column &type)
{
    const orm::CellKind kind = rows.kind(row, column);
    const QByteArrayView bytes = rows.bytes(row, column);
    switch (kind) {
    case orm::CellKind::Null:
        out.append("null");
        return;
    case orm::CellKind::Integer:
    case orm::CellKind::Real:
        appendNumber(out, kind, bytes);
        return;
    case orm::CellKind::Blob:
        appendJsonString(out, QByteArray(bytes.data(), bytes.size()).toBase64());
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
            out.append(bytes.data(), bytes.size());
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
        out.append(bytes.data(), bytes.size());
        return;
    default:
        break;
    }
    appendJsonString(out, bytes);
}

ResultExporter::ResultExporter(ResultStreamPtr stream, QObject *parent)
    : QObject(parent)
    , m_stream(std::move(stream))
{
}

ResultExporter::Format ResultExporter::formatForPath(const QString &path)
{
    return path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? Format::Json : Format::Csv;
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
    QByteArray out;
    out.reserve(kFlushBytes + (64 << 10));
    if (format == Format::Csv) {
        for (int c = 0; c < columnCount; ++c) {
            if (c)
                out.append(',');
            const QByteArray name = columns[c].name.toUtf8();
            orm::RowBatch header(1);
            header.appendText(name.constData(), name.size());
            appendCsvCell(out, header, 0, 0);
        }
        out.append("\r\n");
    } else {
        out.append("[");
    }
    std::vector<QByteArray> keys;
    for (const orm::Column &column : columns) {
        QByteArray key;
        appendJsonString(key, column.name.toUtf8());
        key.append(':');
        keys.push_back(key);
    }

    qint64 written = 0;
    QElapsedTimer slice;
    slice.start();
    const auto fail = [&](orm::Error error) {
        file.remove();
        if (self)
            m_running = false;
        return error;
    };
    while (true) {
        if (!self || m_cancelled)
            throw fail(orm::Error(orm::Error::Kind::Cancelled, tr("export cancelled")));
        if (written < stream->rowsRead()) {
            const orm::RowBatch rows = stream->read(written, kChunkRows);
            for (int r = 0; r < rows.rowCount(); ++r) {
                if (format == Format::Csv) {
                    for (int c = 0; c < columnCount; ++c) {
                        if (c)
                            out.append(',');
                        appendCsvCell(out, rows, r, c);
                    }
                    out.append("\r\n");
                } else {
                    out.append(written + r ? ",\n{" : "\n{");
                    for (int c = 0; c < columnCount; ++c) {
                        if (c)
                            out.append(',');
                        out.append(keys[size_t(c)]);
                        appendJsonCell(out, rows, r, c, columns[c]);
                    }
                    out.append('}');
                }
            }
            written += rows.rowCount();
            if (out.size() >= kFlushBytes) {
                if (file.write(out) != out.size())
                    throw fail(orm::Error(orm::Error::Kind::Usage,
                                          tr("cannot write %1: %2").arg(path, file.errorString())));
                out.clear();
            }
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
    if (file.write(out) != out.size() || !file.flush())
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
