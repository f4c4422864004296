// The window behind a real PgBouncer in transaction pooling mode (2 server connections), with
// other clients busy on the pool: the schema switcher and the grid show each tenant's own
// table, and a console tab on a tenant, read-only, answers from that tenant and refuses writes;
// nothing either of them sets reaches the other clients.

#include "main_window_fixture.h"
#include "pool_neighbours.h"

#include "orm/query/sql_dialect.h"
#include "ui/console/console_tab.h"
#include "ui/console/result_view.h"

#include <QToolBar>

using namespace strata;
using test::bouncerUrl;
using ui::MainWindow;

namespace {

void choose(MainWindow &window, const QString &schema)
{
    QComboBox *switcher = window.schemaSwitcher();
    switcher->setCurrentIndex(switcher->findText(schema));
    emit switcher->textActivated(schema);
}

QStringList headers(MainWindow &window)
{
    QStringList names;
    for (int c = 0; c < window.gridModel()->columnCount(); ++c)
        names << window.gridModel()->headerData(c, Qt::Horizontal).toString();
    return names;
}

} // namespace

class TestWindowPooler : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Database> m_direct;
    QString m_wide;   // widget (id, label, extra), 5 rows
    QString m_narrow; // widget (id, label), 3 rows

private slots:
    void initTestCase()
    {
        STRATA_REQUIRE_PGBOUNCER();
        m_direct = std::make_unique<orm::Database>(test::postgresUrl());
        test::await(m_direct->connect());
        m_wide = test::uniqueName(QStringLiteral("pool_wide"));
        m_narrow = test::uniqueName(QStringLiteral("pool_narrow"));
        test::await(m_direct->executeScript(
            QStringLiteral(
                "CREATE SCHEMA %1; CREATE TABLE %1.widget (id integer PRIMARY KEY, label text, "
                "extra text); INSERT INTO %1.widget SELECT g, 'w-' || g, 'x-' || g FROM "
                "generate_series(1, 5) g;"
                "CREATE SCHEMA %2; CREATE TABLE %2.widget (id integer PRIMARY KEY, label text); "
                "INSERT INTO %2.widget SELECT g, 'n-' || g FROM generate_series(1, 3) g;")
                .arg(m_wide, m_narrow)));
    }
    void cleanupTestCase()
    {
        if (!m_direct)
            return;
        test::await(m_direct->executeScript(
            QStringLiteral("DROP SCHEMA %1 CASCADE; DROP SCHEMA %2 CASCADE;")
                .arg(m_wide, m_narrow)));
        test::await(m_direct->disconnect(true));
    }

    void switcherAndGridShowEachTenant()
    {
        test::PoolNeighbours others;
        orm::Registry registry(bouncerUrl());
        MainWindow window(&registry);
        window.show();
        test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(window.schemaSwitcher()->findText(m_wide) >= 0 &&
                                     window.schemaSwitcher()->findText(m_narrow) >= 0,
                                 10000);
        for (int round = 0; round < 3; ++round) {
            choose(window, m_wide);
            QTRY_VERIFY_WITH_TIMEOUT(
                window.listedModels(QString(), m_wide).contains(QStringLiteral("widget")), 10000);
            window.openModel(QStringLiteral("widget"));
            QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label", "extra"}),
                                      10000);
            QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
            QCOMPARE(window.gridModel()->totalRows(), 5);
            QTRY_COMPARE_WITH_TIMEOUT(test::row0(window, 1), QStringLiteral("w-1"), 10000);

            choose(window, m_narrow);
            QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label"}), 10000);
            QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
            QCOMPARE(window.gridModel()->totalRows(), 3);
            QTRY_COMPARE_WITH_TIMEOUT(test::row0(window, 1), QStringLiteral("n-1"), 10000);
            QVERIFY(window.gridModel()->lastError().isEmpty());
        }
        const QStringList leaks = others.stop();
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        test::await(registry.disconnect());
    }

    void readOnlyConsoleOnATenant()
    {
        test::PoolNeighbours others;
        orm::Registry registry(bouncerUrl());
        test::await(registry.connect());
        ui::ConsoleTab tab;
        tab.setTarget(registry.database(), m_narrow);
        tab.resize(900, 600);
        tab.show();
        QAction *readOnly = tab.findChild<QAction *>(QStringLiteral("readOnlyAction"));
        QVERIFY(readOnly);
        auto *bar = tab.findChild<QToolBar *>();
        QVERIFY(bar && bar->widgetForAction(readOnly));
        QTest::mouseClick(bar->widgetForAction(readOnly), Qt::LeftButton);
        QVERIFY(readOnly->isChecked());
        for (int i = 0; i < 20; ++i) {
            QVERIFY(test::await(
                tab.run(QStringLiteral("SELECT current_schema() || ' ' || "
                                       "current_setting('transaction_read_only') || ' ' || "
                                       "(SELECT count(*) FROM widget)"),
                        0)));
            ui::ResultView *view = tab.result(0);
            QTRY_VERIFY_WITH_TIMEOUT(view->model()->isRowLoaded(0), 10000);
            QCOMPARE(view->model()->cellText(0, 0), m_narrow + QStringLiteral(" on 3"));
            QVERIFY(!test::await(tab.run(QStringLiteral("INSERT INTO widget VALUES (100 + %1, "
                                                        "'written')")
                                             .arg(i),
                                         0)));
            QCOMPARE(tab.lastErrorState(), QStringLiteral("25006"));
        }
        const orm::Result rows = test::await(
            m_direct->execute(QStringLiteral("SELECT count(*) FROM %1.widget").arg(m_narrow)));
        QCOMPARE(rows.text(0, 0), QStringLiteral("3"));
        const QStringList leaks = others.stop();
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        tab.close();
        test::await(registry.disconnect());
    }
};

QTEST_MAIN(TestWindowPooler)
#include "tst_window_pooler.moc"
