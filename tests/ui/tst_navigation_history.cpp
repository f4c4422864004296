// The window's back/forward history as a plain value: visits record the way back and forget the
// way forward, back and forward trade places, a place keeps its database, schema, query and
// cell, no table open is not a place, a removed database's places go, and the bound holds.

#include "ui/navigation/navigation_history.h"

#include <QTest>

using strata::ui::navigation::NavigationHistory;
using strata::ui::navigation::Place;

namespace {

Place place(const QString &table, const QString &schema = QStringLiteral("public"),
            const QString &database = QString())
{
    Place p;
    p.database = database;
    p.schema = schema;
    p.table = table;
    return p;
}

} // namespace

class TestNavigationHistory : public QObject {
    Q_OBJECT

private slots:
    void backAndForwardTradePlaces()
    {
        NavigationHistory history;
        QVERIFY(!history.canGoBack());
        QVERIFY(!history.canGoForward());
        QVERIFY(!history.peekBack().isValid());
        history.visit(place(QStringLiteral("rental")));
        history.visit(place(QStringLiteral("customer")));
        QCOMPARE(history.peekBack().table, QStringLiteral("customer"));
        // At "address": back to customer, then rental; forward again in the other order.
        Place at = history.back(place(QStringLiteral("address")));
        QCOMPARE(at.table, QStringLiteral("customer"));
        at = history.back(at);
        QCOMPARE(at.table, QStringLiteral("rental"));
        QVERIFY(!history.canGoBack());
        QCOMPARE(history.forwardPlaces().size(), 2);
        at = history.forward(at);
        QCOMPARE(at.table, QStringLiteral("customer"));
        at = history.forward(at);
        QCOMPARE(at.table, QStringLiteral("address"));
        QVERIFY(!history.canGoForward());
        QCOMPARE(history.backPlaces().size(), 2);
        // Nothing left that way: an invalid place, nothing moved.
        QVERIFY(!history.forward(at).isValid());
        QCOMPARE(history.backPlaces().size(), 2);
    }

    void aVisitForgetsTheWayForward()
    {
        NavigationHistory history;
        history.visit(place(QStringLiteral("a")));
        const Place back = history.back(place(QStringLiteral("b")));
        QVERIFY(history.canGoForward());
        history.visit(back);
        QVERIFY(!history.canGoForward());
        QCOMPARE(history.peekBack().table, QStringLiteral("a"));
    }

    void placesKeepTheirSchemaQueryAndCell()
    {
        NavigationHistory history;
        Place tenant = place(QStringLiteral("Odd \"Name\""), QStringLiteral("Tenant \"Two\""),
                             QStringLiteral("shop"));
        tenant.query.sortColumn = QStringLiteral("weird id");
        tenant.query.descending = true;
        tenant.query.filters.append({QStringLiteral("weird name"), QStringLiteral("=it's"),
                                     QVariant(QStringLiteral("it's"))});
        tenant.topRow = 40;
        tenant.row = 42;
        tenant.column = QStringLiteral("weird name");
        history.visit(tenant);
        const Place back = history.back(place(QStringLiteral("other"), QStringLiteral("acme")));
        QCOMPARE(back.database, QStringLiteral("shop"));
        QCOMPARE(back.schema, QStringLiteral("Tenant \"Two\""));
        QCOMPARE(back.title(), QStringLiteral("Tenant \"Two\".Odd \"Name\""));
        QCOMPARE(back.query.sortColumn, QStringLiteral("weird id"));
        QVERIFY(back.query.descending);
        QCOMPARE(back.query.filters.size(), 1);
        QCOMPARE(back.query.filters.first().exact, QVariant(QStringLiteral("it's")));
        QCOMPARE(back.topRow, 40);
        QCOMPARE(back.row, 42);
        QCOMPARE(back.column, QStringLiteral("weird name"));
        QCOMPARE(history.peekForward().schema, QStringLiteral("acme"));
    }

    void noTableIsNoPlace()
    {
        NavigationHistory history;
        history.visit(Place());
        QVERIFY(!history.canGoBack());
        history.visit(place(QStringLiteral("a")));
        // Back from a tenant that lacked the table: nothing to come forward to.
        QCOMPARE(history.back(Place()).table, QStringLiteral("a"));
        QVERIFY(!history.canGoForward());
    }

    void removedDatabaseForgotten()
    {
        NavigationHistory history;
        history.visit(place(QStringLiteral("a"), QStringLiteral("main"), QStringLiteral("file")));
        history.visit(place(QStringLiteral("b")));
        history.visit(place(QStringLiteral("c"), QStringLiteral("main"), QStringLiteral("file")));
        history.back(place(QStringLiteral("d"), QStringLiteral("main"), QStringLiteral("file")));
        history.forget(QStringLiteral("file"));
        QCOMPARE(history.backPlaces().size(), 1);
        QCOMPARE(history.peekBack().table, QStringLiteral("b"));
        QVERIFY(!history.canGoForward());
    }

    void bounded()
    {
        NavigationHistory history(3);
        for (int i = 0; i < 10; ++i)
            history.visit(place(QString::number(i)));
        QCOMPARE(history.backPlaces().size(), 3);
        QCOMPARE(history.backPlaces().first().table, QStringLiteral("7")); // the oldest went
        QCOMPARE(history.peekBack().table, QStringLiteral("9"));
    }
};

QTEST_GUILESS_MAIN(TestNavigationHistory)
#include "tst_navigation_history.moc"
