#pragma once

// A RowSource over a synthetic table of any size (ids 1..N), answering every call by arithmetic,
// after an optional delay, and recording what it was asked.
//   id      integer, the key
//   name    "name-<id>"
//   note    NULL when id % 7 == 0, '' when id % 5 == 0, else "note <id>"

#include "ui/row_source.h"

#include "orm/core/error.h"

#include <QCoro/QCoroTimer>

#include <atomic>
#include <chrono>
#include <cmath>

namespace strata::test {

class FakeRowSource : public ui::RowSource {
public:
    explicit FakeRowSource(qint64 rows, int delayMs = 0, int countDelayMs = 0)
        : m_rows(rows)
        , m_delayMs(delayMs)
        , m_countDelayMs(countDelayMs)
    {
    }

    orm::Columns columns() const override
    {
        return {
            orm::Column{QStringLiteral("id"), QStringLiteral("int8"), 0, orm::LogicalType::Integer},
            orm::Column{QStringLiteral("name"), QStringLiteral("text"), 0, orm::LogicalType::Text},
            orm::Column{QStringLiteral("note"), QStringLiteral("text"), 0, orm::LogicalType::Text}};
    }
    void setQuery(const ui::GridQuery &query) override
    {
        if (query.sortColumn >= 3)
            throw orm::Error(orm::Error::Kind::UnknownField, QStringLiteral("no such column"));
        m_query = query;
    }
    QString selectSql() const override
    {
        return QStringLiteral("SELECT id, name, note FROM fake ORDER BY id%1")
            .arg(m_query.sortColumn == 0 && m_query.descending ? QStringLiteral(" DESC")
                                                               : QString());
    }

    QCoro::Task<ui::RowPage> first(int limit) override
    {
        calls << QStringLiteral("first %1").arg(limit);
        co_await delay();
        co_return page(0, limit);
    }
    QCoro::Task<ui::RowPage> last(int limit) override
    {
        calls << QStringLiteral("last %1").arg(limit);
        co_await delay();
        co_return page(m_rows - limit, limit);
    }
    QCoro::Task<ui::RowPage> after(QVariantList key, int limit) override
    {
        calls << QStringLiteral("after %1 %2").arg(key.value(0).toLongLong()).arg(limit);
        co_await delay();
        co_return page(position(key) + 1, limit);
    }
    QCoro::Task<ui::RowPage> before(QVariantList key, int limit) override
    {
        calls << QStringLiteral("before %1 %2").arg(key.value(0).toLongLong()).arg(limit);
        co_await delay();
        const qint64 end = position(key);
        const qint64 start = std::max<qint64>(0, end - limit);
        co_return page(start, int(end - start));
    }
    QCoro::Task<ui::RowPage> seek(double fraction, int limit) override
    {
        calls << QStringLiteral("seek %1 %2").arg(fraction).arg(limit);
        co_await delay();
        co_return page(std::llround(fraction * double(m_rows)), limit);
    }
    QCoro::Task<qint64> count() override
    {
        m_cancelled = false;
        ++counts;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(m_countDelayMs);
        while (std::chrono::steady_clock::now() < deadline && !m_cancelled)
            co_await QCoro::sleepFor(std::chrono::milliseconds(5));
        if (m_cancelled)
            throw orm::Error(orm::Error::Kind::Cancelled, QStringLiteral("count cancelled"));
        co_return m_rows;
    }
    void cancelCount() override { m_cancelled = true; }

    static QString noteFor(qint64 id)
    {
        if (id % 7 == 0)
            return {};
        if (id % 5 == 0)
            return QLatin1String("");
        return QStringLiteral("note %1").arg(id);
    }
    // The id at a position in the current order.
    qint64 idAt(qint64 position) const { return descending() ? m_rows - position : position + 1; }

    QStringList calls;
    int counts = 0;

private:
    bool descending() const { return m_query.sortColumn == 0 && m_query.descending; }
    qint64 position(const QVariantList &key) const
    {
        const qint64 id = key.value(0).toLongLong();
        return descending() ? m_rows - id : id - 1;
    }
    QCoro::Task<> delay()
    {
        if (m_delayMs > 0)
            co_await QCoro::sleepFor(std::chrono::milliseconds(m_delayMs));
    }
    ui::RowPage page(qint64 start, int limit) const
    {
        start = std::clamp<qint64>(start, 0, m_rows);
        const qint64 end = std::min(m_rows, start + std::max(0, limit));
        ui::RowPage page;
        page.rows = orm::RowBatch(3);
        for (qint64 p = start; p < end; ++p) {
            const qint64 id = idAt(p);
            page.rows.appendInteger(id);
            const QByteArray name = "name-" + QByteArray::number(id);
            page.rows.appendText(name.constData(), name.size());
            const QString note = noteFor(id);
            if (note.isNull()) {
                page.rows.appendNull();
            } else {
                const QByteArray bytes = note.toUtf8();
                page.rows.appendText(bytes.constData(), bytes.size());
            }
        }
        if (end > start) {
            page.firstKey = QVariantList{idAt(start)};
            page.lastKey = QVariantList{idAt(end - 1)};
        }
        return page;
    }

    qint64 m_rows;
    int m_delayMs;
    int m_countDelayMs;
    ui::GridQuery m_query;
    std::atomic_bool m_cancelled{false};
};

} // namespace strata::test
