// The real window on tenants that differ, on SQLite (attached files) and PostgreSQL (schemas):
// the open table follows a tenant switch with that tenant's own columns (one tenant has a
// column more, one lacks the table, one has another column type), the sort and filters carry
// over where their columns exist, a tenant without the table says so in the grid's place;
// switching the connection closes the previous connection's table; a page that fails shows the
// failure in the grid, keeps the rows read before (stale), and the next scroll asks again.

#include "main_window_fixture.h"

#include "ui/grid_notice.h"

namespace {

// Schemas (PostgreSQL) or attached files (SQLite) created for one test, dropped at its end.
class Tenants {
public:
    Tenants(orm::Registry &registry, const QString &backend)
        : m_registry(registry)
        , m_postgres(backend == QLatin1String("postgres"))
        , m_backend(backend)
    {
    }
    ~Tenants()
    {
        if (m_postgres && !m_schemas.isEmpty())
            strata::test::await(m_registry.database()->executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE;")
                    .arg(m_schemas.join(QStringLiteral(" CASCADE; DROP SCHEMA ")))));
    }
    // A tenant whose tables `script` creates, naming them unqualified; its schema's name.
    QString add(const QString &prefix, const QString &script)
    {
        if (m_postgres) {
            const QString schema = strata::test::uniqueName(prefix);
            m_schemas << schema;
            strata::test::await(m_registry.database()->executeScript(
                QStringLiteral("CREATE SCHEMA %1; SET search_path TO %1; %2 RESET search_path;")
                    .arg(schema, script)));
            return schema;
        }
        const QString file = strata::test::urlFor(m_backend, prefix);
        orm::Database tenant(file);
        strata::test::await(tenant.executeScript(script));
        m_registry.database()->attach(prefix, orm::DatabaseUrl::parse(file).path());
        return prefix;
    }

private:
    orm::Registry &m_registry;
    bool m_postgres;
    QString m_backend;
    QStringList m_schemas;
};

QString widgetRows(const QString &tag, int rows, bool extra)
{
    QStringList values;
    for (int n = 1; n <= rows; ++n)
        values << (extra ? QStringLiteral("(%1, '%2-%1', 'x-%1')")
                         : QStringLiteral("(%1, '%2-%1')"))
                      .arg(n)
                      .arg(tag);
    return QStringLiteral("CREATE TABLE widget (id INTEGER PRIMARY KEY, label TEXT%1);"
                          "INSERT INTO widget VALUES %2;")
        .arg(extra ? QStringLiteral(", extra TEXT") : QString(), values.join(u','));
}

QStringList headers(MainWindow &window)
{
    QStringList names;
    for (int c = 0; c < window.gridModel()->columnCount(); ++c)
        names << window.gridModel()->headerData(c, Qt::Horizontal).toString();
    return names;
}

// Chooses a schema in the toolbar, as a user does.
void choose(MainWindow &window, const QString &schema)
{
    QComboBox *switcher = window.schemaSwitcher();
    switcher->setCurrentIndex(switcher->findText(schema));
    emit switcher->textActivated(schema);
}

} // namespace

class TestMainWindowTenants : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    // The switcher lists schemas in natural order (t9 before t10) and finds one as the user
    // types any part of its name, in any case; what matches no single schema changes nothing.
    void switcherFindsAsYouTypeInNaturalOrder()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        Tenants tenants(registry, backend);
        const QString ten = tenants.add(QStringLiteral("zzt10"), widgetRows("a", 1, false));
        const QString nine = tenants.add(QStringLiteral("zzt9"), widgetRows("b", 1, false));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QComboBox *switcher = window.schemaSwitcher();
        QTRY_VERIFY_WITH_TIMEOUT(switcher->findText(ten) >= 0 && switcher->findText(nine) >= 0,
                                 10000);
        QVERIFY(switcher->findText(nine) < switcher->findText(ten));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        const QString before = window.activeSchema();

        // Part of the name, upper case: the only match becomes active.
        QVERIFY(switcher->isEditable());
        switcher->lineEdit()->selectAll();
        QTest::keyClicks(switcher->lineEdit(), QStringLiteral("ZZT1"));
        QTest::keyClick(switcher->lineEdit(), Qt::Key_Return);
        QTRY_COMPARE(window.activeSchema(), ten);
        QCOMPARE(switcher->currentText(), ten);

        // Two match "zzt": nothing changes, no entry is added, and the log says why.
        const int count = switcher->count();
        window.chooseSchema(QStringLiteral("zzt"));
        QCOMPARE(window.activeSchema(), ten);
        QCOMPARE(switcher->count(), count);
        QCOMPARE(switcher->currentText(), ten);
        QVERIFY(window.logPane()->lines().join(u'\n').contains(QStringLiteral("'zzt'")));
        window.chooseSchema(before);
        QCOMPARE(window.activeSchema(), before);
        strata::test::await(registry.disconnect(true));
    }

    void tenantSwitchShowsEachTenantsOwnColumns()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        Tenants tenants(registry, backend);
        const QString wide = tenants.add(QStringLiteral("wide"), widgetRows("w", 5, true));
        const QString narrow = tenants.add(QStringLiteral("narrow"), widgetRows("n", 3, false));
        const QString other =
            tenants.add(QStringLiteral("other"),
                        QStringLiteral("CREATE TABLE gadget (id INTEGER PRIMARY KEY);"));
        const QString typed = tenants.add(
            QStringLiteral("typed"),
            QStringLiteral("CREATE TABLE widget (id INTEGER PRIMARY KEY, label INTEGER);"
                           "INSERT INTO widget VALUES (1, 10), (2, 20);"));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QComboBox *switcher = window.schemaSwitcher();
        QTRY_VERIFY_WITH_TIMEOUT(switcher->findText(wide) >= 0 && switcher->findText(typed) >= 0,
                                 10000);

        // The wide tenant's table, sorted by label descending and filtered on label.
        choose(window, wide);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), wide).contains(QStringLiteral("widget")), 10000);
        window.openModel(QStringLiteral("widget"));
        QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label", "extra"}), 10000);
        window.grid()->table()->horizontalHeader()->setSortIndicator(1, Qt::DescendingOrder);
        QLineEdit *label = window.grid()->filterEditor(1);
        QVERIFY(label);
        label->setText(QStringLiteral("-"));
        QTest::keyClick(label, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("w-5"), 10000);
        QCOMPARE(row0(window, 2), QStringLiteral("x-5"));

        // A tenant lacking the extra column: its own two columns and rows, sort and filter kept.
        choose(window, narrow);
        QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label"}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("n-3"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 3);
        QVERIFY(window.gridModel()->lastError().isEmpty());
        QCOMPARE(window.grid()->filterEditor(1)->text(), QStringLiteral("-"));
        QCOMPARE(window.gridModel()->query().sortColumn, 1);
        QVERIFY(window.gridModel()->query().descending);
        QCOMPARE(window.grid()->table()->horizontalHeader()->sortIndicatorSection(), 1);
        QVERIFY(window.rowSource()->lastExecutedSql().contains(narrow));

        // Back to the wide one: the extra column shows again.
        choose(window, wide);
        QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label", "extra"}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 2), QStringLiteral("x-5"), 10000);
        QVERIFY(window.gridModel()->lastError().isEmpty());

        // A tenant without the table: said in the grid's place, no rows, no placeholders.
        choose(window, other);
        QTRY_VERIFY_WITH_TIMEOUT(window.grid()->notice().contains(QStringLiteral("widget")), 10000);
        QVERIFY2(window.grid()->notice().contains(other), qPrintable(window.grid()->notice()));
        QCOMPARE(window.grid()->noticeWidget()->kind(), strata::ui::GridNotice::Kind::Problem);
        QVERIFY(!window.gridModel()->source());
        QCOMPARE(window.gridModel()->rowCount(), 0);
        QVERIFY2(window.queryLabel()->text().contains(QStringLiteral("not in")),
                 qPrintable(window.queryLabel()->text()));

        // A tenant where label is an integer: the text filter does not apply there and is
        // dropped; the sort by label stays.
        choose(window, typed);
        QTRY_COMPARE_WITH_TIMEOUT(headers(window), (QStringList{"id", "label"}), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("20"), 10000);
        QVERIFY(window.grid()->notice().isEmpty());
        QVERIFY(window.gridModel()->query().filters.isEmpty());
        QCOMPARE(window.grid()->filterEditor(1)->text(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QCOMPARE(window.gridModel()->totalRows(), 2);
        strata::test::await(registry.disconnect(true));
    }

    // Switching quickly: only the last tenant chosen fills the grid.
    void quickSwitchesEndOnTheLastTenant()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        Tenants tenants(registry, backend);
        const QString a = tenants.add(QStringLiteral("qa"), widgetRows("a", 2, false));
        const QString b = tenants.add(QStringLiteral("qb"), widgetRows("b", 2, true));
        const QString c = tenants.add(QStringLiteral("qc"), widgetRows("c", 2, false));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(window.schemaSwitcher()->findText(c) >= 0, 10000);
        choose(window, a);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), a).contains(QStringLiteral("widget")), 10000);
        window.openModel(QStringLiteral("widget"));
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("a-1"), 10000);
        choose(window, b);
        choose(window, c);
        QTRY_COMPARE_WITH_TIMEOUT(row0(window, 1), QStringLiteral("c-1"), 10000);
        QCOMPARE(headers(window), (QStringList{"id", "label"}));
        // Nothing the switch to b asked for replaces c's rows afterwards.
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QCOMPARE(row0(window, 1), QStringLiteral("c-1"));
        QCOMPARE(window.activeSchema(), c);
        strata::test::await(registry.disconnect(true));
    }

    // The grid never shows one connection's table beside another connection's name.
    void switchingConnectionClosesThePreviousTable()
    {
        STRATA_BACKEND_URL(url);
        const QString table = strata::test::uniqueName(QStringLiteral("conn"));
        orm::Registry registry(url);
        registry.addExtra(QStringLiteral("second"),
                          strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("conn2")));
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY); INSERT INTO %1 VALUES (1), "
                           "(2), (3);")
                .arg(table)));
        strata::test::await(registry.database(QStringLiteral("second"))
                                ->executeScript(QStringLiteral("CREATE TABLE IF NOT EXISTS "
                                                               "elsewhere (id INTEGER);")));
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        // Nothing open yet: the grid says what to do.
        QVERIFY2(window.grid()->notice().contains(QStringLiteral("Double-click")),
                 qPrintable(window.grid()->notice()));
        QCOMPARE(window.grid()->noticeWidget()->kind(), strata::ui::GridNotice::Kind::Hint);
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isCountKnown(), 10000);
        QVERIFY(window.queryLabel()->text().contains(table));
        QVERIFY(window.grid()->notice().isEmpty());

        window.connectionAction(QStringLiteral("second"))->trigger();
        QCOMPARE(window.activeDatabase(), QStringLiteral("second"));
        QVERIFY(!window.gridModel()->source());
        QCOMPARE(window.gridModel()->rowCount(), 0);
        QCOMPARE(window.gridModel()->columnCount(), 0);
        QVERIFY(window.openedModel().isEmpty());
        QVERIFY2(!window.queryLabel()->text().contains(table),
                 qPrintable(window.queryLabel()->text()));
        QVERIFY(window.connectionLabel()->text().startsWith(QStringLiteral("second")));
        QVERIFY(window.grid()->notice().contains(QStringLiteral("Double-click")));
        // The second connection's own table opens there.
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QStringLiteral("second"), QStringLiteral("main"))
                .contains(QStringLiteral("elsewhere")),
            10000);
        window.openModel(QStringLiteral("elsewhere"));
        QTRY_COMPARE_WITH_TIMEOUT(window.openedModel(), QStringLiteral("elsewhere"), 10000);
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        strata::test::await(registry.disconnect(true));
    }

    // A page that fails: the failure in the grid's place, the rows read before stay (stale),
    // rows never read are not shown as loading; the next scroll asks again and, the table
    // back, reads; Refresh reads everything afresh. A first page that fails leaves no
    // placeholders either.
    void failedPageShowsInTheGridAndTheNextScrollAsksAgain()
    {
        STRATA_BACKEND_URL(url);
        const QString table = strata::test::uniqueName(QStringLiteral("fault"));
        orm::Registry registry(url);
        const QString create =
            backend == QLatin1String("postgres")
                ? QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "
                                 "%1 SELECT g, 'v' || g FROM generate_series(1, 2000) g;")
                : QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, v TEXT); WITH "
                                 "RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g "
                                 "WHERE x < 2000) INSERT INTO %1 SELECT x, 'v' || x FROM g;");
        strata::test::await(registry.database()->executeScript(create.arg(table)));
        MainWindow window(&registry);
        window.resize(1000, 700);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 10000);
        window.openModel(table);
        strata::ui::GridModel *grid = window.gridModel();
        QTRY_VERIFY_WITH_TIMEOUT(grid->isCountKnown() && grid->isRowLoaded(0), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!grid->isLoading(), 10000);
        QCOMPARE(grid->totalRows(), 2000);
        QVERIFY(!grid->isRowLoaded(1500));

        // The table goes (as a server restart or a dropped link would fail a page).
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        window.grid()->scrollToRow(1500);
        QTRY_VERIFY_WITH_TIMEOUT(!grid->lastError().isEmpty(), 10000);
        QVERIFY2(window.grid()->notice().contains(QStringLiteral("Reading rows failed")),
                 qPrintable(window.grid()->notice()));
        QCOMPARE(window.grid()->noticeWidget()->kind(), strata::ui::GridNotice::Kind::Problem);
        QVERIFY(window.grid()->noticeWidget()->isVisible());
        QVERIFY(window.queryLabel()->text().contains(QStringLiteral("failed")));
        QVERIFY(grid->isRowLoaded(0));
        QVERIFY(grid->isRowStale(0));
        QCOMPARE(grid->cellText(0, 1), QStringLiteral("v1"));
        const QModelIndex unread = grid->index(int(1500 - grid->base()), 1);
        QCOMPARE(grid->data(unread, Qt::DisplayRole).toString(), QString());
        QVERIFY(
            grid->data(grid->index(int(0 - grid->base()), 1), strata::ui::GridModel::IsStaleRole)
                .toBool());
        QTest::qWait(300); // no retry loop: no query runs until the reader does something
        QVERIFY(!grid->isLoading());

        // The table is back; the next scroll asks again and reads.
        strata::test::await(registry.database()->executeScript(create.arg(table)));
        const auto seeksBefore = grid->stats().seek + grid->stats().after + grid->stats().before;
        window.grid()->scrollToRow(1200);
        QTRY_VERIFY_WITH_TIMEOUT(grid->isRowLoaded(1200), 10000);
        QVERIFY(grid->stats().seek + grid->stats().after + grid->stats().before > seeksBefore);
        QVERIFY(grid->lastError().isEmpty());
        QVERIFY(window.grid()->notice().isEmpty());
        QVERIFY(!grid->isRowStale(1200));

        // Refresh reads afresh: nothing stale remains.
        grid->refresh();
        window.grid()->goToStart();
        QTRY_VERIFY_WITH_TIMEOUT(grid->isRowLoaded(0), 10000);
        QVERIFY(!grid->isRowStale(0));

        // A first page that fails: no rows offered, so no placeholders, and the notice says so.
        strata::test::await(
            registry.database()->executeScript(QStringLiteral("DROP TABLE %1").arg(table)));
        grid->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!grid->lastError().isEmpty(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!grid->isLoading(), 10000);
        QCOMPARE(grid->rowCount(), 0);
        QVERIFY(window.grid()->notice().contains(QStringLiteral("Refresh")));
        QVERIFY(window.logPane()->lines().join(u'\n').contains(table));
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestMainWindowTenants)
#include "tst_main_window_tenants.moc"
