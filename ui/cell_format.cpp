#include "cell_format.h"

#include <optional>

namespace strata::ui {
namespace {

// PostgreSQL sends bytea as text in hex form ("\x89504e47..."); SQLite as a blob.
QByteArray binaryBytes(const orm::RowBatch &rows, int row, int column)
{
    const QByteArrayView raw = rows.bytes(row, column);
    if (rows.kind(row, column) == orm::CellKind::Blob)
        return raw.toByteArray();
    if (raw.startsWith("\\x"))
        return QByteArray::fromHex(raw.sliced(2).toByteArray());
    return raw.toByteArray();
}

// Booleans read as words whatever the backend sends (PostgreSQL "t"/"f", SQLite 1/0).
std::optional<QString> booleanText(const orm::RowBatch &rows, int row, int column,
                                   const orm::Column &info)
{
    if (info.type != orm::LogicalType::Bool)
        return std::nullopt;
    const QVariant value = rows.value(row, column, info.type);
    if (value.metaType().id() != QMetaType::Bool)
        return std::nullopt; // not a boolean after all (SQLite keeps what it is given)
    return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
}

} // namespace

bool isBinary(const orm::RowBatch &rows, int row, int column, const orm::Column &info)
{
    const orm::CellKind kind = rows.kind(row, column);
    return kind == orm::CellKind::Blob ||
           (kind == orm::CellKind::Text && info.type == orm::LogicalType::Bytes);
}

QString displayText(const orm::RowBatch &rows, int row, int column, const orm::Column &info)
{
    if (rows.isNull(row, column))
        return nullText();
    if (isBinary(rows, row, column, info)) {
        const QByteArray bytes = binaryBytes(rows, row, column);
        QString text = QStringLiteral("‹%1 bytes›").arg(bytes.size());
        if (!bytes.isEmpty())
            text += QLatin1Char(' ') + QString::fromLatin1(bytes.left(8).toHex()) +
                    (bytes.size() > 8 ? QStringLiteral("…") : QString());
        return text;
    }
    if (auto boolean = booleanText(rows, row, column, info))
        return *boolean;
    const QByteArrayView raw = rows.bytes(row, column);
    if (rows.kind(row, column) != orm::CellKind::Text)
        return rows.text(row, column);
    // Decode only a prefix of a long value: a multi-megabyte cell must not cost a repaint.
    const qsizetype cut = kDisplayChars * 4;
    QString text = QString::fromUtf8(raw.first(std::min(raw.size(), cut)));
    bool shortened = raw.size() > cut;
    if (text.size() > kDisplayChars) {
        text.truncate(kDisplayChars);
        shortened = true;
    }
    for (QChar &c : text)
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QChar(0x21b5); // ↵: one line per cell
    if (shortened)
        text += QStringLiteral("…");
    return text.isNull() ? QString(QLatin1String("")) : text;
}

QString fullText(const orm::RowBatch &rows, int row, int column, const orm::Column &info)
{
    if (rows.isNull(row, column))
        return {};
    if (isBinary(rows, row, column, info)) {
        const QByteArray bytes = binaryBytes(rows, row, column);
        QString dump;
        for (qsizetype offset = 0; offset < bytes.size(); offset += 16) {
            const QByteArray line = bytes.mid(offset, 16);
            QString ascii;
            for (char c : line)
                ascii += (c >= 32 && c < 127) ? QLatin1Char(c) : QLatin1Char('.');
            dump += QStringLiteral("%1  %2  %3\n")
                        .arg(offset, 8, 16, QLatin1Char('0'))
                        .arg(QString::fromLatin1(line.toHex(' ')), -47)
                        .arg(ascii);
        }
        return dump.isNull() ? QString(QLatin1String("")) : dump;
    }
    if (auto boolean = booleanText(rows, row, column, info))
        return *boolean;
    return rows.text(row, column);
}

QString tsvField(const QString &text)
{
    if (!text.contains(QLatin1Char('\t')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('"')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace strata::ui
