#include "result_output.h"

#include "table_printer.h"

#include "orm/core/text_escape.h"

#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>
#include <cstdio>

namespace strata::app {

namespace {

QString cellText(const orm::Result &result, int row, int column)
{
    if (result.isNull(row, column))
        return {};
    const QVariant value = result.value(row, column);
    if (value.typeId() == QMetaType::QByteArray)
        return QStringLiteral("\\x") + QString::fromLatin1(value.toByteArray().toHex());
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return result.text(row, column);
}

void printCsv(QTextStream &out, const orm::Result &result)
{
    QStringList header;
    for (const orm::Column &column : result.columns)
        header << orm::text::csvField(column.name);
    out << header.join(QLatin1Char(',')) << "\r\n";
    for (int row = 0; row < result.rowCount(); ++row) {
        QStringList line;
        for (int c = 0; c < result.columnCount(); ++c)
            line << (result.isNull(row, c) ? QString()
                                           : orm::text::csvField(cellText(result, row, c)));
        out << line.join(QLatin1Char(',')) << "\r\n";
    }
}

// A cell as JSON with its proper type: numbers, booleans, null, embedded JSON, strings.
QString jsonValue(const orm::Result &result, int row, int column)
{
    if (result.isNull(row, column))
        return QStringLiteral("null");
    const orm::LogicalType type = result.columns[column].type;
    if (type == orm::LogicalType::Numeric) {
        static const QRegularExpression number(
            QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"));
        const QString text = result.text(row, column);
        return number.match(text).hasMatch() ? text : orm::text::jsonString(text);
    }
    if (type == orm::LogicalType::Json) {
        const QString text = result.text(row, column);
        QJsonParseError error;
        QJsonDocument::fromJson(QStringLiteral("[%1]").arg(text).toUtf8(), &error);
        return error.error == QJsonParseError::NoError ? text.trimmed()
                                                       : orm::text::jsonString(text);
    }
    const QVariant value = result.value(row, column);
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return value.toString();
    case QMetaType::Double: {
        const double v = value.toDouble();
        if (!std::isfinite(v))
            return orm::text::jsonString(result.text(row, column));
        return QString::number(v, 'g', QLocale::FloatingPointShortest);
    }
    default:
        return orm::text::jsonString(cellText(result, row, column));
    }
}

void printJson(QTextStream &out, const orm::Result &result)
{
    QStringList names;
    for (const orm::Column &column : result.columns)
        names << orm::text::jsonString(column.name);
    out << '[';
    for (int row = 0; row < result.rowCount(); ++row) {
        QStringList members;
        for (int c = 0; c < result.columnCount(); ++c)
            members << names[c] + QStringLiteral(": ") + jsonValue(result, row, c);
        out << (row ? ",\n  {" : "\n  {") << members.join(QStringLiteral(", ")) << '}';
    }
    out << (result.rowCount() ? "\n]\n" : "]\n");
}

} // namespace

std::optional<OutputFormat> parseOutputFormat(const QString &name)
{
    if (name == QLatin1String("table"))
        return OutputFormat::Table;
    if (name == QLatin1String("csv"))
        return OutputFormat::Csv;
    if (name == QLatin1String("json"))
        return OutputFormat::Json;
    return std::nullopt;
}

void printResult(const orm::Result &result, OutputFormat format)
{
    if (format == OutputFormat::Table) {
        std::fflush(stdout);
        printTable(stdout, result);
        return;
    }
    QTextStream out(stdout);
    if (format == OutputFormat::Csv)
        printCsv(out, result);
    else
        printJson(out, result);
}

bool splitNamedValue(const QString &entry, QString *name, QString *value)
{
    const qsizetype eq = entry.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return false;
    *name = entry.left(eq);
    *value = entry.mid(eq + 1);
    return true;
}

orm::Result textResult(const QStringList &columns, const QList<QStringList> &rows)
{
    orm::Result result;
    for (const QString &name : columns)
        result.columns << orm::Column{name, QStringLiteral("text"), 0, orm::LogicalType::Text};
    orm::RowBatch batch(int(columns.size()));
    for (const QStringList &row : rows)
        for (int c = 0; c < columns.size(); ++c) {
            const QByteArray text = row.value(c).toUtf8();
            if (row.value(c).isNull())
                batch.appendNull();
            else
                batch.appendText(text.constData(), text.size());
        }
    result.append(std::move(batch));
    return result;
}

} // namespace strata::app
