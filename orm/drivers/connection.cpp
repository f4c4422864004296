#include "orm/drivers/connection.h"

namespace orm::drivers {

Connection::~Connection() = default;

QCoro::Task<Result> Connection::execute(QString sql, QVariantList params)
{
    co_await start(std::move(sql), std::move(params));
    Result result;
    result.columns = columns();
    while (std::optional<RowBatch> batch = co_await nextBatch())
        result.append(std::move(*batch));
    result.rowsAffected = rowsAffected();
    co_return result;
}

} // namespace orm::drivers
