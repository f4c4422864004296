#include "column_filter.h"

#include "orm/core/error.h"

namespace strata::ui {
namespace {

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
            return orm::Q(field + QLatin1String(lookup), convert(field, type, rest));
        }
    }
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
