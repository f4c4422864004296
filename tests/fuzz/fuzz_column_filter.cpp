// The grid's filter compiler (ui/column_filter: what a user types into a column's filter, to a
// Q) on arbitrary text, for every logical type, then compiled to SQL in both dialects.
// Properties: a filter is either refused with Error(Usage) or gives a condition the SQL
// compiler accepts; that SQL binds every value (sql_properties.h), so no text typed in a filter
// reaches the SQL.

#include "sql_properties.h"

#include "orm/core/error.h"
#include "ui/column_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    const auto type = orm::LogicalType(data[0] % (int(orm::LogicalType::Uuid) + 1));
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    orm::Q condition;
    try {
        condition = strata::ui::compileFilter(QStringLiteral("f"), type, text);
    } catch (const orm::Error &error) {
        FUZZ_CHECK(error.kind() == orm::Error::Kind::Usage, error.toString());
        return 0;
    }
    orm::QuerySpec spec;
    spec.model.name = spec.model.table = QStringLiteral("t");
    spec.model.fields = {orm::Field{QStringLiteral("id"),
                                    QStringLiteral("integer"),
                                    orm::LogicalType::Integer,
                                    false,
                                    {},
                                    true},
                         orm::Field{QStringLiteral("f"), QStringLiteral("x"), type}};
    spec.where = condition;
    spec.order = {orm::OrderKey{QStringLiteral("id")}};
    spec.limit = 100;
    for (const orm::Dialect dialect : {orm::Dialect::Postgres, orm::Dialect::Sqlite}) {
        try {
            strata::fuzz::checkCompiled(orm::sql::select(dialect, spec), dialect);
            strata::fuzz::checkCompiled(orm::sql::count(dialect, spec), dialect);
        } catch (const orm::Error &error) {
            FUZZ_CHECK(false, QStringLiteral("filter '%1' compiled to %2, which the SQL compiler "
                                             "refuses: %3")
                                  .arg(text, condition.toString(), error.toString()));
        }
    }
    return 0;
}
