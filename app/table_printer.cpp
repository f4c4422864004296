#include "table_printer.h"

#include <QString>

#include <string>
#include <vector>

namespace strata::app {
namespace {

// Where rendered text goes: Width counts what a cell takes (in UTF-16 units, as the columns
// were always measured), Writer writes it, holding back trailing spaces so that no line ends in
// one.
struct Width {
    qsizetype units = 0;
    void put(const char *, qsizetype, qsizetype width) { units += width; }
};

class Writer {
public:
    explicit Writer(std::FILE *out)
        : m_out(out)
    {
    }
    ~Writer() { flush(); }

    void put(const char *data, qsizetype size, qsizetype)
    {
        qsizetype end = size;
        while (end > 0 && data[end - 1] == ' ')
            --end;
        if (end == 0) {
            m_spaces += size;
            return;
        }
        // Padding to a huge cell's width is written a buffer at a time, like the cell.
        while (m_spaces > 0) {
            const qsizetype n = qMin<qsizetype>(m_spaces, kFlushAt);
            m_buffer.append(size_t(n), ' ');
            m_spaces -= n;
            if (qsizetype(m_buffer.size()) >= kFlushAt)
                flush();
        }
        if (end >= kFlushAt) { // a long run of a cell goes out as it is, never copied
            flush();
            std::fwrite(data, 1, size_t(end), m_out);
        } else {
            m_buffer.append(data, size_t(end));
        }
        m_spaces = size - end;
        if (qsizetype(m_buffer.size()) >= kFlushAt)
            flush();
    }
    void pad(qsizetype spaces) { m_spaces += qMax<qsizetype>(spaces, 0); }
    void endLine()
    {
        m_spaces = 0;
        m_buffer += '\n';
        if (qsizetype(m_buffer.size()) >= kFlushAt)
            flush();
    }
    void flush()
    {
        if (!m_buffer.empty())
            std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_out);
        m_buffer.clear();
    }

private:
    static constexpr qsizetype kFlushAt = 64 * 1024;
    std::FILE *m_out;
    std::string m_buffer;
    qsizetype m_spaces = 0;
};

// The length of the valid UTF-8 sequence at `s` (of `size` bytes), 0 if it is not one:
// overlong forms, surrogates and code points past U+10FFFF are not.
int sequenceLength(const unsigned char *s, qsizetype size, char32_t &code)
{
    const unsigned char b = s[0];
    int length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        length = 2;
        code = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        length = 3;
        code = b & 0x0F;
        low = b == 0xE0 ? 0xA0 : 0x80;
        high = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        length = 4;
        code = b & 0x07;
        low = b == 0xF0 ? 0x90 : 0x80;
        high = b == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (size < length)
        return 0;
    for (int i = 1; i < length; ++i) {
        const unsigned char c = s[i];
        if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xBF))
            return 0;
        code = (code << 6) | (c & 0x3F);
    }
    return length;
}

template <typename Out>
void escape(Out &out, const char *prefix, unsigned value, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char text[8];
    int n = 0;
    for (const char *p = prefix; *p; ++p)
        text[n++] = *p;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        text[n++] = hex[(value >> shift) & 0xF];
    out.put(text, n, n);
}

// UTF-8 text, control characters escaped, plain runs passed on whole.
template <typename Out>
void renderText(Out &out, QByteArrayView text)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const qsizetype size = text.size();
    qsizetype run = 0; // start of the plain run not yet passed on
    qsizetype width = 0;
    const auto flushRun = [&](qsizetype to) {
        if (to > run)
            out.put(text.data() + run, to - run, width);
        width = 0;
    };
    for (qsizetype i = 0; i < size;) {
        const unsigned char b = s[i];
        if (b >= 0x20 && b < 0x7F) {
            ++width;
            ++i;
            continue;
        }
        if (b < 0x80) { // C0 controls and DEL
            flushRun(i);
            if (b == '\n')
                out.put("\\n", 2, 2);
            else if (b == '\r')
                out.put("\\r", 2, 2);
            else if (b == '\t')
                out.put("\\t", 2, 2);
            else
                escape(out, "\\x", b, 2);
            run = ++i;
            continue;
        }
        char32_t code = 0;
        const int length = sequenceLength(s + i, size - i, code);
        if (length == 0) {
            flushRun(i);
            out.put("\xEF\xBF\xBD", 3, 1); // U+FFFD
            run = ++i;
            continue;
        }
        if (code <= 0x9F) { // C1 controls: 0x9b alone starts an escape sequence on some terminals
            flushRun(i);
            escape(out, "\\u", unsigned(code), 4);
            run = i += length;
            continue;
        }
        width += code >= 0x10000 ? 2 : 1;
        i += length;
    }
    flushRun(size);
}

template <typename Out>
void renderText(Out &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    renderText(out, QByteArrayView(utf8));
}

// A cell as `strata query` has always shown it: NULL, bytea as \x and hex, booleans as
// true/false, everything else as the database's text.
template <typename Out>
void renderCell(Out &out, const orm::RowBatch &batch, int row, int column, orm::LogicalType type)
{
    switch (batch.kind(row, column)) {
    case orm::CellKind::Null:
        out.put("NULL", 4, 4);
        return;
    case orm::CellKind::Blob: {
        out.put("\\x", 2, 2);
        static const char hex[] = "0123456789abcdef";
        const QByteArrayView bytes = batch.bytes(row, column);
        char chunk[4096];
        for (qsizetype at = 0; at < bytes.size();) {
            int n = 0;
            for (; at < bytes.size() && n < int(sizeof chunk); ++at) {
                const auto b = static_cast<unsigned char>(bytes[at]);
                chunk[n++] = hex[b >> 4];
                chunk[n++] = hex[b & 0xF];
            }
            out.put(chunk, n, n);
        }
        return;
    }
    case orm::CellKind::Text:
        if (type != orm::LogicalType::Bool) {
            renderText(out, batch.bytes(row, column));
            return;
        }
        break;
    case orm::CellKind::Integer:
    case orm::CellKind::Real:
        break;
    }
    const QVariant value = batch.value(row, column, type);
    if (value.typeId() == QMetaType::Bool)
        renderText(out, value.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
    else
        renderText(out, batch.text(row, column));
}

bool isNumeric(orm::LogicalType type)
{
    return type == orm::LogicalType::Integer || type == orm::LogicalType::Real ||
           type == orm::LogicalType::Numeric;
}

} // namespace

void printTable(std::FILE *file, const orm::Result &result)
{
    const int columns = result.columnCount();
    std::vector<qsizetype> widths(size_t(qMax(columns, 0)));
    // Right-aligned: numeric columns, and untyped ones (SQLite expressions) holding numbers only.
    std::vector<bool> right(size_t(qMax(columns, 0)));
    for (int c = 0; c < columns; ++c) {
        Width w;
        renderText(w, result.columns[c].name);
        widths[c] = w.units;
        const orm::LogicalType type = result.columns[c].type;
        right[c] = isNumeric(type) || (type == orm::LogicalType::Unknown && result.rowCount() > 0);
    }
    for (const orm::RowBatch &batch : result.batches()) {
        for (int row = 0; row < batch.rowCount(); ++row) {
            for (int c = 0; c < columns; ++c) {
                Width w;
                renderCell(w, batch, row, c, result.columns[c].type);
                widths[c] = qMax(widths[c], w.units);
                const orm::CellKind kind = batch.kind(row, c);
                if (result.columns[c].type == orm::LogicalType::Unknown &&
                    kind != orm::CellKind::Null && kind != orm::CellKind::Integer &&
                    kind != orm::CellKind::Real)
                    right[c] = false;
            }
        }
    }

    Writer out(file);
    for (int c = 0; c < columns; ++c) {
        if (c > 0)
            out.put(" | ", 3, 3);
        Width w;
        renderText(w, result.columns[c].name);
        renderText(out, result.columns[c].name);
        out.pad(widths[c] - w.units);
    }
    out.endLine();
    for (int c = 0; c < columns; ++c) {
        if (c > 0)
            out.put("-+-", 3, 3);
        static const std::string dashes(4096, '-'); // a rule as wide as a 50 MB cell, in pieces
        for (qsizetype left = widths[c]; left > 0; left -= qsizetype(dashes.size())) {
            const qsizetype n = qMin(left, qsizetype(dashes.size()));
            out.put(dashes.data(), n, n);
        }
    }
    out.endLine();
    for (const orm::RowBatch &batch : result.batches()) {
        for (int row = 0; row < batch.rowCount(); ++row) {
            for (int c = 0; c < columns; ++c) {
                if (c > 0)
                    out.put(" | ", 3, 3);
                Width w;
                renderCell(w, batch, row, c, result.columns[c].type);
                if (right[c])
                    out.pad(widths[c] - w.units);
                renderCell(out, batch, row, c, result.columns[c].type);
                if (!right[c])
                    out.pad(widths[c] - w.units);
            }
            out.endLine();
        }
    }
    const QByteArray footer =
        QStringLiteral("(%1 %2)")
            .arg(QString::number(result.rowCount()),
                 result.rowCount() == 1 ? QStringLiteral("row") : QStringLiteral("rows"))
            .toUtf8();
    out.put(footer.constData(), footer.size(), footer.size());
    out.endLine();
    out.flush();
}

} // namespace strata::app
