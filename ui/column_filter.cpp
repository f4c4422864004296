#include "column_filter.h"

#include "orm/core/error.h"

#include <QDateTime>
#include <QRegularExpression>

#include <optional>

namespace strata::ui {
namespace {

bool isDateLike(orm::LogicalType type)
{
    return type == orm::LogicalType::Date || type == orm::LogicalType::Timestamp ||
           type == orm::LogicalType::TimestampTz;
}

// The period a date typed whole or in part names: [start, end).
struct Period {
    QDateTime start;
    QDateTime end;
};

std::optional<Period> parsePeriod(const QString &text)
{
    static const QRegularExpression shape(
        QStringLiteral("^(\\d{4})(?:-(\\d{1,2})(?:-(\\d{1,2})(?:[ "
                       "T](\\d{1,2})(?::(\\d{2})(?::(\\d{2}))?)?)?)?)?$"));
    const QRegularExpressionMatch m = shape.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const auto part = [&m](int i, int otherwise) {
        return m.captured(i).isEmpty() ? otherwise : m.captured(i).toInt();
    };
    const QDate date(part(1, 1), part(2, 1), part(3, 1));
    const QTime time(part(4, 0), part(5, 0), part(6, 0));
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const QDateTime start(date, time);
    QDateTime end;
    if (m.captured(2).isEmpty())
        end = start.addYears(1);
    else if (m.captured(3).isEmpty())
        end = start.addMonths(1);
    else if (m.captured(4).isEmpty())
        end = start.addDays(1);
    else if (m.captured(5).isEmpty())
        end = start.addSecs(3600);
    else if (m.captured(6).isEmpty())
        end = start.addSecs(60);
    else
        end = start.addSecs(1);
    return Period{start, end};
}

// A bound as the column compares with it: the date alone at midnight (so that SQLite's text,
// whatever separates date and time, compares right), else date and time.
QVariant bound(const QDateTime &at, orm::LogicalType type)
{
    if (type == orm::LogicalType::Date || at.time() == QTime(0, 0))
        return at.date().toString(Qt::ISODate);
    return at.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

Period periodOf(const QString &field, orm::LogicalType type, const QString &text)
{
    if (const std::optional<Period> period = parsePeriod(text))
        return *period;
    throw orm::Error(orm::Error::Kind::Usage,
                     QStringLiteral("filter on '%1': '%2' is not a %3 (write 2022, 2022-05, "
                                    "2022-05-03 or 2022-05-03 10:30)")
                         .arg(field, text, orm::logicalTypeName(type)));
}

// Dates and times by the period typed: "2022" is the whole year, "a..b" includes all of b,
// ">2022" starts in 2023.
orm::Q dateFilter(const QString &field, orm::LogicalType type, const QString &op,
                  const QString &text)
{
    const auto from = [&](const QDateTime &at) {
        return orm::Q(field + QStringLiteral("__gte"), bound(at, type));
    };
    const auto before = [&](const QDateTime &at) {
        return orm::Q(field + QStringLiteral("__lt"), bound(at, type));
    };
    const qsizetype dots = text.indexOf(QLatin1String(".."));
    if (op.isEmpty() && dots > 0) {
        const Period low = periodOf(field, type, text.left(dots));
        const Period high = periodOf(field, type, text.mid(dots + 2));
        return from(low.start) & before(high.end);
    }
    const Period period = periodOf(field, type, text);
    if (op == QLatin1String(">"))
        return from(period.end);
    if (op == QLatin1String(">="))
        return from(period.start);
    if (op == QLatin1String("<"))
        return before(period.start);
    if (op == QLatin1String("<="))
        return before(period.end);
    return from(period.start) & before(period.end); // "=" or a bare value: the period
}

QVariant convert(const QString &field, orm::LogicalType type, const QString &text)
{
    bool ok = true;
    QVariant value;
    switch (type) {
    case orm::LogicalType::Integer:
        value = text.toLongLong(&ok);
        break;
    case orm::LogicalType::Real:
        value = text.toDouble(&ok);
        break;
    case orm::LogicalType::Bool: {
        const QString t = text.toLower();
        if (QStringList{"true", "t", "yes", "y", "1", "on"}.contains(t))
            value = true;
        else if (QStringList{"false", "f", "no", "n", "0", "off"}.contains(t))
            value = false;
        else
            ok = false;
        break;
    }
    case orm::LogicalType::Numeric:
        text.toDouble(&ok);
        value = text; // exact digits, compared by the server
        break;
    default:
        value = text;
    }
    if (!ok)
        throw orm::Error(orm::Error::Kind::Usage,
                         QStringLiteral("filter on '%1': '%2' is not a valid %3")
                             .arg(field, text, orm::logicalTypeName(type)));
    return value;
}

bool isTextual(orm::LogicalType type)
{
    return type == orm::LogicalType::Text || type == orm::LogicalType::Json ||
           type == orm::LogicalType::Uuid || type == orm::LogicalType::Unknown;
}

} // namespace

orm::Q compileFilter(const QString &field, orm::LogicalType type, const QString &input)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return {};
    if (text.compare(QLatin1String("NULL"), Qt::CaseInsensitive) == 0)
        return orm::Q(field + QStringLiteral("__isnull"), true);
    if (text.compare(QLatin1String("!NULL"), Qt::CaseInsensitive) == 0 ||
        text.compare(QLatin1String("NOT NULL"), Qt::CaseInsensitive) == 0)
        return orm::Q(field + QStringLiteral("__isnull"), false);
    if (text.startsWith(QLatin1Char('!')))
        return ~compileFilter(field, type, text.mid(1));
    static const std::pair<const char *, const char *> operators[] = {
        {">=", "__gte"}, {"<=", "__lte"}, {">", "__gt"}, {"<", "__lt"}, {"=", ""},
    };
    for (const auto &[op, lookup] : operators) {
        if (text.startsWith(QLatin1String(op))) {
            const QString rest = text.mid(qsizetype(std::strlen(op))).trimmed();
            if (isDateLike(type))
                return dateFilter(field, type, QLatin1String(op), rest);
            return orm::Q(field + QLatin1String(lookup), convert(field, type, rest));
        }
    }
    if (isDateLike(type))
        return dateFilter(field, type, QString(), text);
    const qsizetype dots = text.indexOf(QLatin1String(".."));
    if (dots > 0 && !isTextual(type)) {
        const QVariantList bounds{convert(field, type, text.left(dots).trimmed()),
                                  convert(field, type, text.mid(dots + 2).trimmed())};
        return orm::Q(field + QStringLiteral("__range"), bounds);
    }
    if (isTextual(type))
        return orm::Q(field + QStringLiteral("__icontains"), text);
    return orm::Q(field, convert(field, type, text));
}

} // namespace strata::ui
