// Following foreign keys in the real window's grid (offscreen), on SQLite (attached files) and
// PostgreSQL (schemas), in two tenants of awkward names whose rows differ: a single key and a
// composite one lead to the referenced row, filtered exactly (text with quotes and spaces, a
// timestamp with microseconds) with the row current; a NULL key is refused with its reason; a
// key into another schema (PostgreSQL) switches the schema; Ctrl+click follows; Back and
// Forward restore the table, its sort and filters and the current cell, across a tenant
// switch too; "Referenced by" counts the rows of each referencing table (0, 1, many) and opens
// them filtered; a table nothing references says so. Nothing is written.

#include "main_window_fixture.h"

#include "orm/query/sql_dialect.h"
#include "ui/editing/grid_editing.h"
#include "ui/navigation/foreign_key_navigation.h"

#include <QStatusBar>

namespace {

using strata::test::await;
using strata::ui::navigation::ForeignKeyNavigation;
using strata::ui::navigation::ReferenceCount;

const QString kOdd = QStringLiteral("Odd \"Name\"");  // the referenced table
const QString kOrders = QStringLiteral("weird name"); // what references it
const QString kLonely = QStringLiteral("lonely");     // referenced by nothing
const QString kTag = QStringLiteral("tag");           // a text key
const QString kMoment = QStringLiteral("moment");     // a timestamp key
// The orders' columns, in the grid's order.
enum Order { Id, TheOdd, Region, Code, Label, At, Note };
// `Odd "Name"`'s.
enum OddColumn { WeirdId, Title, OddRegion, OddCode };

const QString kSpaced = QStringLiteral("  it's \"x\" "); // spaces kept: exact, not trimmed
const QString kMicro = QStringLiteral("2024-05-03 10:30:00.123456");

const auto q = orm::quoteIdentifier;

class Fixture {
    QString m_backend;

public:
    Fixture(const QString &backend, const QString &url)
        : m_backend(backend)
        , registry(std::make_unique<orm::Registry>(url))
    {
        await(registry->connect());
        const QString unique = strata::test::uniqueName(QStringLiteral("fk"));
        a = QStringLiteral("weird name ") + unique;
        b = QStringLiteral("Tenant \"Two\" ") + unique;
        // Tenant a: Odd 1 is referenced by three orders through "the odd" and two through
        // (region, code); Odd 2 by none through "the odd" and one through the pair.
        addTenant(
            a,
            QStringLiteral("(1, 'Alpha', 'north', 10), (2, 'Beta', 'south', 20), "
                           "(3, 'It''s \"q\"', 'north', 30)"),
            QStringLiteral("(1, 1, 'south', 20, '%1', '%2', 'first'), "
                           "(2, 1, NULL, NULL, NULL, NULL, 'second'), "
                           "(3, NULL, 'north', 10, 'it''s \"x\"', '2024-05-03 10:30:00.5', "
                           "'third'), "
                           "(4, 3, 'north', 30, NULL, NULL, 'fourth'), "
                           "(5, 1, 'north', 10, NULL, NULL, 'fifth')")
                .arg(QString(kSpaced).replace(QLatin1Char('\''), QStringLiteral("''")), kMicro));
        // Tenant b: other rows under the same ids.
        addTenant(b, QStringLiteral("(1, 'Uno', 'east', 1), (5, 'Cinco', 'west', 5)"),
                  QStringLiteral("(1, 5, 'east', 1, NULL, NULL, 'uno')"));
    }
    ~Fixture()
    {
        window.reset();
        if (pg())
            for (const QString &schema : {a, b, shared})
                if (!schema.isEmpty())
                    await(registry->database()->executeScript(
                        QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(q(schema))));
        await(registry->disconnect());
    }

    bool pg() const { return strata::test::isPostgres(m_backend); }

    MainWindow &open()
    {
        window = std::make_unique<MainWindow>(registry.get());
        window->setSavedConnectionsPath(m_dir.filePath(QStringLiteral("connections.json")));
        window->setAsksForPasswords(false);
        window->resize(1200, 700);
        window->show();
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get()))
            qWarning("the window did not become active: its shortcuts may not fire");
        (void)QTest::qWaitFor(
            [this] {
                return window->schemaSwitcher()->findText(a) >= 0 &&
                       window->schemaSwitcher()->findText(b) >= 0;
            },
            15000);
        return *window;
    }

    // Opens a table of a tenant and waits for its rows.
    bool show(const QString &schema, const QString &name)
    {
        window->setActiveSchema(schema);
        window->openModel(name);
        return shows(schema, name);
    }
    // Whether the grid shows `name` of `schema`, counted and idle (waits for it).
    bool shows(const QString &schema, const QString &name) const
    {
        return QTest::qWaitFor(
            [&] {
                return window->activeSchema() == schema && window->openedModel() == name &&
                       window->openedSchema() == schema && window->gridModel()->isCountKnown() &&
                       !window->isBusy();
            },
            15000);
    }
    qint64 rows() const { return window->gridModel()->totalRows(); }
    QString cell(qint64 row, int column) const
    {
        return window->gridModel()->cellFullText(row, column);
    }
    int currentColumn() const { return window->grid()->table()->currentIndex().column(); }
    ForeignKeyNavigation *navigation() const { return window->navigation(); }

    // The cell's context menu (owned by the caller) and its actions of that object name.
    std::unique_ptr<QMenu> menu(int row, int column) const
    {
        return std::unique_ptr<QMenu>(
            window->grid()->cellMenu(window->gridModel()->index(row, column)));
    }
    static QList<QAction *> actions(QMenu *menu, const QString &name)
    {
        QList<QAction *> found;
        for (QAction *action : menu->findChildren<QAction *>(name))
            if (menu->actions().contains(action))
                found << action;
        return found;
    }
    // "Referenced by" of the cell's row, once counted: its entries' texts.
    QMenu *referencedBy(QMenu *menu) const
    {
        auto *sub = menu->findChild<QMenu *>(QStringLiteral("referencedByMenu"));
        if (!sub)
            return nullptr;
        // Filled once counted: the placeholder gone.
        (void)QTest::qWaitFor(
            [this, sub] {
                return navigation()->pendingWork() == 0 &&
                       !texts(sub).contains(
                           QStringLiteral("Looking for tables that reference this row…"));
            },
            15000);
        return sub;
    }
    static QStringList texts(QMenu *menu)
    {
        QStringList lines;
        for (QAction *action : menu->actions())
            lines << action->text();
        return lines;
    }
    static QAction *entry(QMenu *menu, const QString &starts)
    {
        for (QAction *action : menu->actions())
            if (action->text().startsWith(starts))
                return action;
        return nullptr;
    }
    void settle() const
    {
        if (window)
            QTRY_VERIFY_WITH_TIMEOUT(!window->isBusy(), 15000);
    }
    // A schema apart (PostgreSQL) with a table the first tenant's `located` references.
    void addShared()
    {
        shared = QStringLiteral("Shared \"Ref\" ") + strata::test::uniqueName(QStringLiteral("s"));
        run(QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.country (code text PRIMARY KEY, "
                           "name text); INSERT INTO %1.country VALUES ('fr', 'France'), ('it', "
                           "'Italy');"
                           "CREATE TABLE %2.located (id integer PRIMARY KEY, country text "
                           "REFERENCES %1.country (code)); INSERT INTO %2.located VALUES (1, "
                           "'it'), (2, 'fr'), (3, 'it');")
                .arg(q(shared), q(a)));
    }
    // SQLite: the main file holds a table of the tenants' name too, with other rows.
    void addMainOdd()
    {
        run(QStringLiteral("CREATE TABLE %1 (\"weird id\" integer PRIMARY KEY, \"Title\" text);"
                           "INSERT INTO %1 VALUES (5, 'main five');")
                .arg(q(kOdd)));
    }
    QString count(const QString &schema, const QString &table) const
    {
        return await(registry->database()->execute(QStringLiteral("SELECT count(*) FROM %1")
                                                       .arg(orm::qualifiedName(schema, table))))
            .value(0, 0)
            .toString();
    }

    QString a, b, shared;
    std::unique_ptr<orm::Registry> registry;
    std::unique_ptr<MainWindow> window;

private:
    void run(const QString &sql) const { await(registry->database()->executeScript(sql)); }

    void addTenant(const QString &schema, const QString &odd, const QString &orders)
    {
        QString script = QStringLiteral(
            "CREATE TABLE %1 (\"weird id\" integer PRIMARY KEY, \"Title\" text NOT NULL, "
            "region text, code integer, UNIQUE (region, code));"
            "CREATE TABLE tag (label text PRIMARY KEY);"
            "CREATE TABLE moment (at timestamp PRIMARY KEY);"
            "CREATE TABLE %2 (id integer PRIMARY KEY, \"the odd\" integer REFERENCES %1 "
            "(\"weird id\"), region text, code integer, label text REFERENCES tag (label), "
            "at timestamp REFERENCES moment (at), note text, "
            "FOREIGN KEY (region, code) REFERENCES %1 (region, code));"
            "CREATE TABLE lonely (id integer PRIMARY KEY);"
            "INSERT INTO lonely VALUES (1);"
            "INSERT INTO %1 VALUES %3;"
            "INSERT INTO tag VALUES ('%4'), ('it''s \"x\"'), ('%%');"
            "INSERT INTO moment VALUES ('%5'), ('2024-05-03 10:30:00.5');"
            "INSERT INTO %2 VALUES %6;");
        script = script.arg(q(kOdd), q(kOrders), odd,
                            QString(kSpaced).replace(QLatin1Char('\''), QStringLiteral("''")),
                            kMicro, orders);
        if (pg()) {
            run(QStringLiteral("CREATE SCHEMA %1; SET search_path TO %1; %2 RESET search_path;")
                    .arg(q(schema), script));
            return;
        }
        const QString url = strata::test::urlFor(m_backend, QStringLiteral("tenant"));
        orm::Database tenant(url);
        await(tenant.executeScript(script));
        await(tenant.disconnect());
        registry->database()->attach(schema, orm::DatabaseUrl::parse(url).path());
    }

    QTemporaryDir m_dir;
};

} // namespace

class TestFkNavigation : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void followSingleKey();
    void followCompositeKey();
    void exactTextAndTimestampKeys();
    void nullKeyRefused();
    void ctrlClickFollows();
    void targetSchema();
    void backAndForwardRestore();
    void treeOpensRecordHistory();
    void backAcrossTenantSwitch();
    void backAcrossConnections();
    void referencedByCountsAndOpens();
    void noReferencesSaysSo();
};

void TestFkNavigation::followSingleKey()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(!f.navigation()->backAction()->isEnabled());
    QVERIFY(f.show(f.a, kOrders));
    QCOMPARE(f.rows(), 5);
    QCOMPARE(f.cell(0, TheOdd), QStringLiteral("1"));

    // The menu of a "the odd" cell offers its key, by the referenced table's name.
    std::unique_ptr<QMenu> menu = f.menu(0, TheOdd);
    QList<QAction *> follow = Fixture::actions(menu.get(), QStringLiteral("followKeyAction"));
    QCOMPARE(follow.size(), 1);
    QCOMPARE(follow.first()->text().remove(QLatin1Char('&')),
             QStringLiteral("Go to referenced row in Odd \"Name\""));
    QVERIFY(follow.first()->isEnabled());
    follow.first()->trigger();
    QVERIFY(f.shows(f.a, kOdd));
    // That row only, current, in the key's column; the filter row and the status bar say so.
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    QCOMPARE(window.grid()->currentRow(), 0);
    QCOMPARE(f.currentColumn(), int(WeirdId));
    QCOMPARE(window.gridModel()->filterText(WeirdId), QStringLiteral("=1"));
    QCOMPARE(window.grid()->filterEditor(WeirdId)->text(), QStringLiteral("=1"));
    QVERIFY2(window.queryLabel()->text().contains(QLatin1String("filtered")),
             qPrintable(window.queryLabel()->text()));
    QVERIFY(f.navigation()->backAction()->isEnabled());
    QVERIFY(!window.editing()->hasChanges());

    // Tenant b's same key leads to b's own row.
    QVERIFY(f.show(f.b, kOrders));
    QCOMPARE(f.cell(0, TheOdd), QStringLiteral("5"));
    QVERIFY(f.navigation()->follow(0, f.navigation()->keysOf(TheOdd).first()));
    QVERIFY(f.shows(f.b, kOdd));
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Cinco"));
    // Following wrote nothing.
    QCOMPARE(f.count(f.a, kOdd), QStringLiteral("3"));
    QCOMPARE(f.count(f.b, kOrders), QStringLiteral("1"));
    f.settle();
}

void TestFkNavigation::followCompositeKey()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    // Order 1 is (south, 20): its region cell is in the composite key only.
    std::unique_ptr<QMenu> menu = f.menu(0, Region);
    QList<QAction *> follow = Fixture::actions(menu.get(), QStringLiteral("followKeyAction"));
    QCOMPARE(follow.size(), 1);
    QVERIFY2(follow.first()->text().contains(QLatin1String("(region, code)")),
             qPrintable(follow.first()->text()));
    follow.first()->trigger();
    QVERIFY(f.shows(f.a, kOdd));
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Beta"));
    QCOMPARE(window.gridModel()->filterText(OddRegion), QStringLiteral("=south"));
    QCOMPARE(window.gridModel()->filterText(OddCode), QStringLiteral("=20"));
    QCOMPARE(f.currentColumn(), int(OddRegion));
    f.settle();
}

void TestFkNavigation::exactTextAndTimestampKeys()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    // A label with leading and trailing spaces, beside one without: only the spaced one.
    QCOMPARE(f.cell(0, Label), kSpaced);
    QVERIFY(f.navigation()->followCell(0, Label));
    QVERIFY(f.shows(f.a, kTag));
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, 0), kSpaced);

    // A timestamp with microseconds (the filter text would be a period): exactly that one.
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QVERIFY(f.navigation()->followCell(0, At));
    QVERIFY(f.shows(f.a, kMoment));
    QCOMPARE(f.rows(), 1);
    QVERIFY2(f.cell(0, 0).startsWith(kMicro), qPrintable(f.cell(0, 0)));
    QVERIFY(window.gridModel()->lastError().isEmpty());
    f.settle();
}

void TestFkNavigation::nullKeyRefused()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    QSignalSpy refused(f.navigation(), &ForeignKeyNavigation::refused);
    // Order 3 has no "the odd": the item is there, disabled, with the reason.
    std::unique_ptr<QMenu> menu = f.menu(2, TheOdd);
    QList<QAction *> follow = Fixture::actions(menu.get(), QStringLiteral("followKeyAction"));
    QCOMPARE(follow.size(), 1);
    QVERIFY(!follow.first()->isEnabled());
    QVERIFY2(follow.first()->toolTip().contains(QLatin1String("the odd is NULL")),
             qPrintable(follow.first()->toolTip()));
    QVERIFY(!f.navigation()->followCell(2, TheOdd));
    QCOMPARE(refused.count(), 1);
    QVERIFY(window.statusBar()->currentMessage().contains(QLatin1String("is NULL")));
    // Order 2's pair is NULL: its composite key references nothing either.
    menu = f.menu(1, Code);
    follow = Fixture::actions(menu.get(), QStringLiteral("followKeyAction"));
    QCOMPARE(follow.size(), 1);
    QVERIFY(!follow.first()->isEnabled());
    QVERIFY2(follow.first()->toolTip().contains(QLatin1String("region, code are NULL")),
             qPrintable(follow.first()->toolTip()));
    // The grid stays where it was; no history was made.
    QCOMPARE(window.openedModel(), kOrders);
    QVERIFY(!f.navigation()->backAction()->isEnabled());
    // A column in no key offers nothing to follow.
    menu = f.menu(0, Note);
    QVERIFY(Fixture::actions(menu.get(), QStringLiteral("followKeyAction")).isEmpty());
    QVERIFY(!f.navigation()->followCell(0, Note));
    f.settle();
}

void TestFkNavigation::ctrlClickFollows()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    QTableView *view = window.grid()->table();
    // Ctrl+click elsewhere stays the grid's: it selects.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier,
                      view->visualRect(window.gridModel()->index(3, Note)).center());
    QCOMPARE(window.openedModel(), kOrders);
    // On a key cell it follows: order 4's "the odd" is 3.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ControlModifier,
                      view->visualRect(window.gridModel()->index(3, TheOdd)).center());
    QVERIFY(f.shows(f.a, kOdd));
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("It's \"q\""));
    f.settle();
}

void TestFkNavigation::targetSchema()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    if (f.pg()) {
        // A key into another schema opens it there, and Back comes home.
        f.addShared();
        MainWindow &window = f.open();
        QVERIFY(f.show(f.a, QStringLiteral("located")));
        QCOMPARE(f.cell(0, 1), QStringLiteral("it"));
        std::unique_ptr<QMenu> menu = f.menu(0, 1);
        QList<QAction *> follow = Fixture::actions(menu.get(), QStringLiteral("followKeyAction"));
        QCOMPARE(follow.size(), 1);
        QVERIFY2(follow.first()->text().contains(f.shared + QStringLiteral(".country")),
                 qPrintable(follow.first()->text()));
        follow.first()->trigger();
        QVERIFY(f.shows(f.shared, QStringLiteral("country")));
        QCOMPARE(window.schemaSwitcher()->currentText(), f.shared);
        QCOMPARE(f.rows(), 1);
        QCOMPARE(f.cell(0, 1), QStringLiteral("Italy"));
        // "Referenced by" of Italy: located, in the tenant's schema, 2 rows.
        menu = f.menu(0, 0);
        QMenu *referenced = f.referencedBy(menu.get());
        QVERIFY(referenced);
        QCOMPARE(Fixture::texts(referenced),
                 QStringList{QStringLiteral("%1.located (country): 2 rows").arg(f.a)});
        f.navigation()->back();
        QVERIFY(f.shows(f.a, QStringLiteral("located")));
        QCOMPARE(f.rows(), 3);
    } else {
        // A SQLite key stays in its own attached file, even when the main file has a table of
        // the same name.
        f.addMainOdd();
        f.open();
        QVERIFY(f.show(f.b, kOrders));
        QVERIFY(f.navigation()->followCell(0, TheOdd));
        QVERIFY(f.shows(f.b, kOdd));
        QCOMPARE(f.cell(0, Title), QStringLiteral("Cinco"));
    }
    f.settle();
}

void TestFkNavigation::backAndForwardRestore()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    // Sorted by id descending, filtered on the note, the current cell on a row below the top.
    window.grid()->table()->sortByColumn(Id, Qt::DescendingOrder);
    QVERIFY(window.gridModel()->setFilter(Note, QStringLiteral("f")));
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(f.rows(), 3); // fifth, fourth, first
    QCOMPARE(f.cell(0, Note), QStringLiteral("fifth"));
    window.grid()->setCurrentCell(1, Note);
    QCOMPARE(f.cell(1, TheOdd), QStringLiteral("3"));

    QVERIFY(f.navigation()->followCell(1, TheOdd));
    QVERIFY(f.shows(f.a, kOdd));
    QCOMPARE(f.cell(0, Title), QStringLiteral("It's \"q\""));
    QVERIFY(f.navigation()->backAction()->isEnabled());
    QVERIFY(!f.navigation()->forwardAction()->isEnabled());
    QVERIFY2(f.navigation()->backAction()->toolTip().contains(kOrders),
             qPrintable(f.navigation()->backAction()->toolTip()));

    // Alt+Left: the orders again, sorted and filtered as they were, the same cell current.
    window.grid()->table()->setFocus();
    QTest::keyClick(window.grid()->table(), Qt::Key_Left, Qt::AltModifier);
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(window.gridModel()->query().sortColumn, int(Id));
    QVERIFY(window.gridModel()->query().descending);
    QCOMPARE(window.gridModel()->filterText(Note), QStringLiteral("f"));
    QCOMPARE(f.rows(), 3);
    QTRY_COMPARE(window.grid()->currentRow(), 1);
    QCOMPARE(f.currentColumn(), int(Note));
    QVERIFY(!f.navigation()->backAction()->isEnabled());
    QVERIFY(f.navigation()->forwardAction()->isEnabled());

    // Alt+Right: forward to the row followed.
    QTest::keyClick(window.grid()->table(), Qt::Key_Right, Qt::AltModifier);
    QVERIFY(f.shows(f.a, kOdd));
    QCOMPARE(f.rows(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("It's \"q\""));
    QVERIFY(f.navigation()->backAction()->isEnabled());
    QVERIFY(!f.navigation()->forwardAction()->isEnabled());

    // Going somewhere new from a place gone back to forgets the way forward.
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QVERIFY(f.navigation()->followCell(0, TheOdd)); // fifth: the odd 1
    QVERIFY(f.shows(f.a, kOdd));
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    QVERIFY(!f.navigation()->forwardAction()->isEnabled());
    QCOMPARE(f.navigation()->history().backPlaces().size(), 1);

    // The View menu holds both, with their shortcuts.
    QCOMPARE(f.navigation()->backAction()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_Left));
    QCOMPARE(f.navigation()->forwardAction()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_Right));
    bool inMenu = false;
    for (QAction *top : window.menuBar()->actions())
        if (top->menu() && top->menu()->actions().contains(f.navigation()->backAction()))
            inMenu = top->text().remove(QLatin1Char('&')) == QLatin1String("View");
    QVERIFY(inMenu);
    f.settle();
}

void TestFkNavigation::treeOpensRecordHistory()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    window.grid()->setCurrentCell(3, Code);
    // Opening another table from the tree is a step too.
    emit window.modelTree()->modelActivated(QString(), f.a, kLonely);
    QVERIFY(f.shows(f.a, kLonely));
    QVERIFY(f.navigation()->backAction()->isEnabled());
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QTRY_COMPARE(window.grid()->currentRow(), 3);
    QCOMPARE(f.currentColumn(), int(Code));
    f.navigation()->forward();
    QVERIFY(f.shows(f.a, kLonely));
    f.settle();
}

void TestFkNavigation::backAcrossTenantSwitch()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    QVERIFY(f.navigation()->followCell(0, TheOdd));
    QVERIFY(f.shows(f.a, kOdd));
    // The switcher takes the table into tenant b (not a step of the history)...
    window.setActiveSchema(f.b);
    QVERIFY(f.shows(f.b, kOdd));
    QCOMPARE(f.navigation()->history().backPlaces().size(), 1);
    // ...and Back returns to tenant a's orders, switching the schema back.
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(window.schemaSwitcher()->currentText(), f.a);
    QCOMPARE(f.rows(), 5);
    QCOMPARE(f.cell(0, Note), QStringLiteral("first"));
    // Forward: where the user left, tenant b's table.
    f.navigation()->forward();
    QVERIFY(f.shows(f.b, kOdd));
    QCOMPARE(window.schemaSwitcher()->currentText(), f.b);
    f.settle();
}

void TestFkNavigation::backAcrossConnections()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    // A second connection (a SQLite file) with a table of its own.
    const QString otherUrl =
        strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("other"));
    {
        orm::Database other(otherUrl);
        await(other.executeScript(
            QStringLiteral("CREATE TABLE elsewhere (id integer PRIMARY KEY); INSERT INTO "
                           "elsewhere VALUES (1), (2);")));
        await(other.disconnect());
    }
    f.registry->addExtra(QStringLiteral("other"), otherUrl);
    await(f.registry->reconnect(QStringLiteral("other")));
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    window.grid()->setCurrentCell(2, Note);
    // The tree opens the other connection's table: a step of the history.
    emit window.modelTree()->modelActivated(QStringLiteral("other"), QStringLiteral("main"),
                                            QStringLiteral("elsewhere"));
    QVERIFY(f.shows(QStringLiteral("main"), QStringLiteral("elsewhere")));
    QCOMPARE(window.activeDatabase(), QStringLiteral("other"));
    QCOMPARE(f.rows(), 2);
    // Back: the primary again, in tenant a, at the same cell.
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(window.activeDatabase(), QString());
    QCOMPARE(window.schemaSwitcher()->currentText(), f.a);
    QTRY_COMPARE(window.grid()->currentRow(), 2);
    QCOMPARE(f.currentColumn(), int(Note));
    f.navigation()->forward();
    QVERIFY(f.shows(QStringLiteral("main"), QStringLiteral("elsewhere")));
    QCOMPARE(window.activeDatabase(), QStringLiteral("other"));
    // The connection removed: its places go from the history.
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOrders));
    QVERIFY(f.navigation()->forwardAction()->isEnabled());
    f.settle();
    await(f.registry->removeExtra(QStringLiteral("other")));
    QTRY_VERIFY(!f.navigation()->forwardAction()->isEnabled());
    f.settle();
}

void TestFkNavigation::referencedByCountsAndOpens()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOdd));
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    // Alpha: three orders through "the odd", two through the pair.
    std::unique_ptr<QMenu> menu = f.menu(0, Title);
    QMenu *referenced = f.referencedBy(menu.get());
    QVERIFY(referenced);
    QCOMPARE(Fixture::texts(referenced),
             (QStringList{QStringLiteral("weird name (region, code): 2 rows"),
                          QStringLiteral("weird name (the odd): 3 rows")}));
    // Beta: none, and one.
    std::unique_ptr<QMenu> beta = f.menu(1, Title);
    QCOMPARE(Fixture::texts(f.referencedBy(beta.get())),
             (QStringList{QStringLiteral("weird name (region, code): 1 row"),
                          QStringLiteral("weird name (the odd): 0 rows")}));

    // Opening one: the orders that reference Alpha, and only those.
    Fixture::entry(referenced, QStringLiteral("weird name (the odd)"))->trigger();
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(f.rows(), 3);
    QCOMPARE(window.gridModel()->filterText(TheOdd), QStringLiteral("=1"));
    for (int row = 0; row < 3; ++row)
        QCOMPARE(f.cell(row, TheOdd), QStringLiteral("1"));
    f.navigation()->back();
    QVERIFY(f.shows(f.a, kOdd));
    menu = f.menu(0, Title);
    referenced = f.referencedBy(menu.get());
    Fixture::entry(referenced, QStringLiteral("weird name (region, code)"))->trigger();
    QVERIFY(f.shows(f.a, kOrders));
    QCOMPARE(f.rows(), 2);
    QCOMPARE(f.cell(0, Note), QStringLiteral("third"));
    QCOMPARE(f.cell(1, Note), QStringLiteral("fifth"));

    // Tenant b counts its own rows.
    QVERIFY(f.show(f.b, kOdd));
    QCOMPARE(f.cell(1, Title), QStringLiteral("Cinco"));
    menu = f.menu(1, Title);
    QCOMPARE(Fixture::texts(f.referencedBy(menu.get())),
             (QStringList{QStringLiteral("weird name (region, code): 0 rows"),
                          QStringLiteral("weird name (the odd): 1 row")}));
    // A text key referenced once: tag `  it's "x" ` by order 1.
    QVERIFY(f.show(f.a, kTag));
    const qint64 spaced = f.cell(0, 0) == kSpaced ? 0 : f.cell(1, 0) == kSpaced ? 1 : 2;
    QCOMPARE(f.cell(spaced, 0), kSpaced);
    menu = f.menu(int(spaced), 0);
    QCOMPARE(Fixture::texts(f.referencedBy(menu.get())),
             QStringList{QStringLiteral("weird name (label): 1 row")});
    f.settle();
}

void TestFkNavigation::noReferencesSaysSo()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kLonely));
    std::unique_ptr<QMenu> menu = f.menu(0, 0);
    QMenu *referenced = f.referencedBy(menu.get());
    QVERIFY(referenced);
    QCOMPARE(Fixture::texts(referenced), QStringList{QStringLiteral("No table references lonely")});
    QVERIFY(!referenced->actions().first()->isEnabled());
    // And a table that references others but no one references.
    QVERIFY(f.show(f.a, kOrders));
    menu = f.menu(0, Note);
    QCOMPARE(Fixture::texts(f.referencedBy(menu.get())),
             QStringList{QStringLiteral("No table references weird name")});
    QCOMPARE(window.openedModel(), kOrders);
    f.settle();
}

QTEST_MAIN(TestFkNavigation)
#include "tst_fk_navigation.moc"
