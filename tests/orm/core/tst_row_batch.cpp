// Row-level helpers of orm::RowBatch and orm::Result: copying rows between batches, raw values
// (what keyset paging binds back) and toBatch, on cells as SQLite and as PostgreSQL store them.
#include "orm/core/result.h"
#include "orm/core/row_batch.h"

#include <QDateTime>
#include <QTest>

#include <cmath>
#include <limits>

using orm::CellKind;
using orm::LogicalType;
using orm::Result;
using orm::RowBatch;

namespace {

const QByteArray kBlob = QByteArray::fromHex("0001ff7f80");

// SQLite's cells: each kind as the driver appends it. The second row holds the edge cases.
RowBatch sqliteRows()
{
    RowBatch rows(5);
    rows.appendInteger(42);
    rows.appendReal(0.1);
    const QByteArray text = QStringLiteral("h\u00e9llo \u2713").toUtf8();
    rows.appendText(text.constData(), text.size());
    rows.appendBlob(kBlob.constData(), kBlob.size());
    rows.appendNull();

    rows.appendInteger(std::numeric_limits<qint64>::min());
    rows.appendReal(-0.0);
    rows.appendText("", 0); // empty, not NULL
    rows.appendBlob(nullptr, 0);
    rows.appendNull();
    return rows;
}

// PostgreSQL's cells: text as the server writes it, bytea decoded to a blob.
const char *const kPostgresText[] = {"2024-01-31 12:00:00.5+01", "12345678901234567890.5", "t",
                                     "{1,2,3}"};
const LogicalType kPostgresTypes[] = {LogicalType::TimestampTz, LogicalType::Numeric,
                                      LogicalType::Bool, LogicalType::Text, LogicalType::Bytes};

RowBatch postgresRows()
{
    RowBatch rows(5);
    for (const char *text : kPostgresText)
        rows.appendText(text, qsizetype(qstrlen(text)));
    rows.appendBlob(kBlob.constData(), kBlob.size());
    for (int c = 0; c < 4; ++c)
        rows.appendNull();
    rows.appendBlob(nullptr, 0);
    return rows;
}

// A result of `rows`' rows in batches of the given sizes.
Result resultOf(const RowBatch &rows, const QList<int> &sizes)
{
    Result result;
    for (int c = 0; c < rows.columnCount(); ++c)
        result.columns.append(orm::Column{QStringLiteral("c%1").arg(c), {}, 0, kPostgresTypes[c]});
    int row = 0;
    for (int size : sizes) {
        RowBatch batch(rows.columnCount());
        for (int i = 0; i < size; ++i)
            rows.copyRowTo(row++, batch);
        result.append(std::move(batch));
    }
    return result;
}

// Every cell of `a` row `ra` equals `b` row `rb`: kind, bytes, text and typed value.
void compareRows(const RowBatch &a, int ra, const RowBatch &b, int rb)
{
    QCOMPARE(a.columnCount(), b.columnCount());
    for (int c = 0; c < a.columnCount(); ++c) {
        QCOMPARE(a.kind(ra, c), b.kind(rb, c));
        QCOMPARE(a.bytes(ra, c).toByteArray(), b.bytes(rb, c).toByteArray());
        QCOMPARE(a.text(ra, c), b.text(rb, c));
        QCOMPARE(a.text(ra, c).isNull(), b.text(rb, c).isNull());
        QCOMPARE(a.rawValue(ra, c), b.rawValue(rb, c));
    }
}

} // namespace

class TestRowBatch : public QObject {
    Q_OBJECT

private slots:
    void numbersReadBack()
    {
        const RowBatch rows = sqliteRows();
        QCOMPARE(rows.integer(0, 0), qint64(42));
        QCOMPARE(rows.real(0, 1), 0.1);
        QCOMPARE(rows.integer(1, 0), std::numeric_limits<qint64>::min());
        QVERIFY(std::signbit(rows.real(1, 1)));
    }

    void copyRowToKeepsSqliteCells()
    {
        const RowBatch from = sqliteRows();
        RowBatch to(from.columnCount());
        from.copyRowTo(1, to);
        from.copyRowTo(0, to);
        QCOMPARE(to.rowCount(), 2);
        compareRows(from, 1, to, 0);
        compareRows(from, 0, to, 1);
        QCOMPARE(to.kind(0, 2), CellKind::Text);
        QVERIFY(!to.isNull(0, 2));
        QCOMPARE(to.text(0, 2), QString(QLatin1String("")));
        QCOMPARE(to.kind(0, 3), CellKind::Blob);
        QVERIFY(to.isNull(0, 4));
        QCOMPARE(to.value(1, 3), QVariant(kBlob));
    }

    void copyRowToKeepsPostgresCells()
    {
        const RowBatch from = postgresRows();
        RowBatch to(from.columnCount());
        from.copyRowTo(0, to);
        from.copyRowTo(1, to);
        compareRows(from, 0, to, 0);
        compareRows(from, 1, to, 1);
        for (int c = 0; c < from.columnCount(); ++c)
            QCOMPARE(to.value(0, c, kPostgresTypes[c]), from.value(0, c, kPostgresTypes[c]));
        QCOMPARE(to.value(0, 0, LogicalType::TimestampTz).toDateTime(),
                 QDateTime::fromString(QStringLiteral("2024-01-31T12:00:00.5+01:00"),
                                       Qt::ISODateWithMs));
        QCOMPARE(to.value(0, 2, LogicalType::Bool), QVariant(true));
    }

    void appendCellMatchesTypedAppends()
    {
        const RowBatch typed = sqliteRows();
        RowBatch generic(typed.columnCount());
        for (int r = 0; r < typed.rowCount(); ++r)
            for (int c = 0; c < typed.columnCount(); ++c)
                generic.appendCell(typed.kind(r, c), typed.bytes(r, c));
        QCOMPARE(generic.rowCount(), typed.rowCount());
        for (int r = 0; r < typed.rowCount(); ++r)
            compareRows(typed, r, generic, r);
    }

    void rawValuesOfSqliteCells()
    {
        const RowBatch rows = sqliteRows();
        QCOMPARE(rows.rawValue(0, 0).typeId(), QMetaType::LongLong);
        QCOMPARE(rows.rawValue(0, 0), QVariant(qint64(42)));
        QCOMPARE(rows.rawValue(0, 1).typeId(), QMetaType::Double);
        QCOMPARE(rows.rawValue(0, 1), QVariant(0.1));
        QCOMPARE(rows.rawValue(0, 2), QVariant(QStringLiteral("h\u00e9llo \u2713")));
        QCOMPARE(rows.rawValue(0, 3).typeId(), QMetaType::QByteArray);
        QCOMPARE(rows.rawValue(0, 3), QVariant(kBlob));
        QVERIFY(!rows.rawValue(0, 4).isValid());
        QCOMPARE(rows.rawValue(1, 2), QVariant(QString(QLatin1String(""))));
        QCOMPARE(rows.rawValues(0, {4, 0, 2}),
                 (QVariantList{QVariant(), qint64(42), QStringLiteral("h\u00e9llo \u2713")}));
        QVERIFY(rows.rawValues(0, {}).isEmpty());
    }

    void rawValuesOfPostgresCellsStayText()
    {
        // Never re-parsed: a timestamp bound back must compare equal to what the server sent.
        const RowBatch rows = postgresRows();
        for (int c = 0; c < 4; ++c) {
            QCOMPARE(rows.rawValue(0, c).typeId(), QMetaType::QString);
            QCOMPARE(rows.rawValue(0, c).toString(), QString::fromUtf8(kPostgresText[c]));
        }
        QCOMPARE(rows.value(0, 0, LogicalType::TimestampTz).typeId(), QMetaType::QDateTime);
        QCOMPARE(rows.rawValue(0, 4), QVariant(kBlob));
        QCOMPARE(rows.rawValues(1, {0, 4}), (QVariantList{QVariant(), QVariant(QByteArray(""))}));
    }

    void toBatchInOrder()
    {
        const RowBatch rows = sqliteRows();
        const Result result = resultOf(rows, {1, 0, 1});
        QCOMPARE(result.batches().size(), size_t(2)); // the empty batch is not kept
        const RowBatch all = orm::toBatch(result);
        QCOMPARE(all.columnCount(), rows.columnCount());
        QCOMPARE(all.rowCount(), 2);
        compareRows(rows, 0, all, 0);
        compareRows(rows, 1, all, 1);
    }

    void toBatchBackwards()
    {
        const RowBatch rows = postgresRows();
        for (const QList<int> &sizes : {QList<int>{2}, QList<int>{1, 1}}) {
            const RowBatch back = orm::toBatch(resultOf(rows, sizes), true);
            QCOMPARE(back.rowCount(), 2);
            compareRows(rows, 1, back, 0);
            compareRows(rows, 0, back, 1);
        }
    }

    void toBatchOfOneBatchIsThatBatch()
    {
        const RowBatch rows = sqliteRows();
        const RowBatch all = orm::toBatch(resultOf(rows, {2}));
        QCOMPARE(all.rowCount(), 2);
        compareRows(rows, 0, all, 0);
        compareRows(rows, 1, all, 1);
    }

    void toBatchOfNoRows()
    {
        const Result empty = resultOf(sqliteRows(), {});
        for (bool backwards : {false, true}) {
            const RowBatch none = orm::toBatch(empty, backwards);
            QCOMPARE(none.rowCount(), 0);
            QCOMPARE(none.columnCount(), 5);
            QVERIFY(none.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestRowBatch)
#include "tst_row_batch.moc"
