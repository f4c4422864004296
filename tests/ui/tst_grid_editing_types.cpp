// The grid's editors for the types that need more than a line: enums as a list of their values
// (PostgreSQL's enum labels in their sort order, wherever the type lives and however it is
// named; SQLite's CHECK (column IN (...)) lists), bytea / blob cells from and to a file (byte
// exact through a commit, refused on other types and for a file too big), and the foreign-key
// lookup (referenced rows searched on the server as the user types, paged, the pick staged;
// a key in another schema; the active tenant's rows), on SQLite and PostgreSQL, in tenants with
// awkward names.

#include "grid_editing_fixture.h"

#include "ui/editing/blob_files.h"
#include "ui/editing/foreign_key_lookup.h"

#include <QApplication>
#include <QComboBox>
#include <QListWidget>
#include <QStyleOptionViewItem>
#include <QToolButton>

using namespace grid_editing;
using strata::ui::editing::ForeignKeyLookup;
using strata::ui::editing::PendingInsertsModel;

namespace {

const QString kTyped = QStringLiteral("typed things");
const QString kRef = QStringLiteral("Ref \"Things\"");
const QString kOrders = QStringLiteral("Odd \"Orders\"");
const QString kMood = QStringLiteral("weird mood");
const QString kThing = QStringLiteral("thing ref");

// Every referenced row's name: "Banana n" for n = 3, 13, ... (12 rows), "Apple n" for the 108
// others; more than two pages of kLookupPageRows.
constexpr int kRefRows = 120;

QString refName(int n)
{
    return (n % 10 == 3 ? QStringLiteral("Banana %1") : QStringLiteral("Apple %1")).arg(n);
}

// The tables these tests edit, in the fixture's tenants; on PostgreSQL the enum type and a
// referenced table live in a schema of their own (dropped when the test ends).
class Types {
public:
    explicit Types(Fixture &f)
        : m_f(f)
    {
        const QString a = q(f.a);
        QString script;
        if (f.pg()) {
            other = strata::test::uniqueName(QStringLiteral("Types \"X\" "));
            const QString t = q(other);
            script = QStringLiteral(
                         "CREATE SCHEMA %1;"
                         "CREATE TYPE %1.\"Odd \"\"Mood\"\"\" AS ENUM ('sad', 'ok', 'happy');"
                         "CREATE TYPE %2.plain_mood AS ENUM ('lo', 'hi');"
                         "CREATE TABLE %1.kinds (code text PRIMARY KEY, label text);"
                         "INSERT INTO %1.kinds VALUES ('k1', 'First kind'), ('k2', 'Second');"
                         "CREATE TABLE %2.%3 (id integer PRIMARY KEY, %4 %1.\"Odd \"\"Mood\"\"\", "
                         "plain %2.plain_mood, tags %1.\"Odd \"\"Mood\"\"\"[], data bytea, label "
                         "text);"
                         "INSERT INTO %2.%3 VALUES (1, 'ok', 'hi', '{sad}', NULL, 'one'), "
                         "(2, 'sad', 'lo', '{}', '\\x00ff', 'two');")
                         .arg(t, a, q(kTyped), q(kMood));
        } else {
            script = QStringLiteral("CREATE TABLE %1.%2 (id INTEGER PRIMARY KEY, %3 TEXT CHECK "
                                    "(%3 IN ('sad', 'meh', 'ok', 'happy')), plain TEXT, tags "
                                    "TEXT, data BLOB, label TEXT, CHECK (plain IN ('lo', 'hi')));"
                                    "INSERT INTO %1.%2 VALUES (1, 'ok', 'hi', 'sad', NULL, 'one'), "
                                    "(2, 'sad', 'lo', '', x'00ff', 'two');")
                         .arg(a, q(kTyped), q(kMood));
        }
        script += references(f.a, 1, kRefRows);
        script += references(f.b, 1000, 3);
        run(script);
        if (f.pg()) // a label added later sorts by its place, not by when it came
            run(QStringLiteral("ALTER TYPE %1.\"Odd \"\"Mood\"\"\" ADD VALUE 'meh' BEFORE 'ok'")
                    .arg(q(other)));
    }
    ~Types()
    {
        m_f.settle();
        if (!other.isEmpty())
            run(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(q(other)));
    }

    QString other; // PostgreSQL: the schema of the enum type and of kinds

private:
    static QString q(const QString &name) { return orm::quoteIdentifier(name); }
    void run(const QString &sql) const { await(m_f.registry->database()->executeScript(sql)); }

    // Ref "Things" (`rows` rows, keys from `first`), pair (a composite key), and Odd "Orders"
    // referencing them (and, on PostgreSQL, kinds in the other schema).
    QString references(const QString &schema, int first, int rows) const
    {
        const QString s = q(schema);
        // PostgreSQL resolves REFERENCES by search_path, SQLite inside the table's own file.
        const QString ref = m_f.pg() ? s + QLatin1Char('.') : QString();
        QStringList values;
        for (int n = first; n < first + rows; ++n)
            values << QStringLiteral("(%1, '%2')")
                          .arg(QString::number(n),
                               first == 1 ? refName(n) : QStringLiteral("Only B %1").arg(n));
        return QStringLiteral(
                   "CREATE TABLE %1.%2 (\"ref id\" integer PRIMARY KEY, \"Name\" text NOT NULL, "
                   "note text);"
                   "INSERT INTO %1.%2 (\"ref id\", \"Name\") VALUES %3;"
                   "CREATE TABLE %1.pair (x integer, y integer, PRIMARY KEY (x, y));"
                   "INSERT INTO %1.pair VALUES (1, 1);"
                   "CREATE TABLE %1.%4 (id integer PRIMARY KEY, %5 integer REFERENCES %6%2 "
                   "(\"ref id\"), px integer, py integer, %7 FOREIGN KEY (px, py) REFERENCES "
                   "%6pair (x, y));"
                   "INSERT INTO %1.%4 (id, %5, px, py) VALUES (1, %8, 1, 1), (2, %9, 1, 1);")
            .arg(
                s, q(kRef), values.join(QStringLiteral(", ")), q(kOrders), q(kThing), ref,
                m_f.pg()
                    ? QStringLiteral("\"kind code\" text REFERENCES %1.kinds (code),").arg(q(other))
                    : QString(),
                QString::number(first + std::min(4, rows - 1)), QString::number(first + 1));
    }

    Fixture &m_f;
};

int columnOf(Fixture &f, const QString &name)
{
    const orm::Columns columns = f.window->gridModel()->columns();
    for (int c = 0; c < columns.size(); ++c)
        if (columns[c].name == name)
            return c;
    qWarning() << "no column" << name;
    return -1;
}

QByteArray everyByte()
{
    QByteArray bytes;
    for (int b = 0; b < 256; ++b)
        bytes.append(char(b));
    return bytes;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

// The lookup has answered what is typed.
bool idle(ForeignKeyLookup *lookup)
{
    return QTest::qWaitFor([lookup] { return !lookup->isBusy(); }, 15000);
}

void grabTo(QWidget *widget, const QString &name)
{
    widget->grab().save(QStringLiteral("/tmp/celledit-%1.png").arg(name));
}

} // namespace

class TestGridEditingTypes : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void enumListInOrderStagesAPick();
    void blobRoundTripThroughAFile();
    void blobFileRefusals();
    void lookupSearchesPagesAndPicks();
    void lookupInTheActiveTenantAndOtherSchemas();
    void lookupRowsGoAboveNearTheBottom();
    void newRowsTakeTheGridsEditors();
    void newRowLookupPicks();
};

void TestGridEditingTypes::enumListInOrderStagesAPick()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    f.open();
    QVERIFY(f.show(f.a, kTyped));
    // Read once when the table opened, off the GUI thread's way.
    QTRY_VERIFY_WITH_TIMEOUT(f.editing()->valueLists().contains(kMood), 15000);
    const QStringList order{"sad", "meh", "ok", "happy"};
    QCOMPARE(f.editing()->valueLists().value(kMood), order);
    QCOMPARE(f.editing()->valueLists().value(QStringLiteral("plain")), (QStringList{"lo", "hi"}));
    // An array of enums, and plain text, are not lists.
    QVERIFY(!f.editing()->valueLists().contains(QStringLiteral("tags")));
    QVERIFY(!f.editing()->valueLists().contains(QStringLiteral("label")));

    const int mood = columnOf(f, kMood);
    auto *box = qobject_cast<QComboBox *>(f.openEditor(0, mood));
    QVERIFY(box);
    QStringList items;
    for (int i = 0; i < box->count(); ++i)
        items << box->itemText(i);
    QCOMPARE(items, order);
    QCOMPARE(box->currentText(), QStringLiteral("ok")); // the stored value selected
    grabTo(box, QStringLiteral("enum-") + backend);
    box->showPopup(); // the list as the user sees it open
    QTRY_VERIFY(box->view()->isVisible());
    grabTo(box->view()->window(), QStringLiteral("enum-list-") + backend);
    box->hidePopup();
    // Untouched, Enter stages nothing.
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(f.closed(0, mood));
    QCOMPARE(f.editing()->pendingCount(), 0);

    box = qobject_cast<QComboBox *>(f.openEditor(0, mood));
    QVERIFY(box);
    box->setCurrentIndex(box->findText(QStringLiteral("happy")));
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(f.closed(0, mood));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QCOMPARE(f.cell(0, mood), QStringLiteral("happy"));
    // A label added later, in its place (PostgreSQL's ADD VALUE ... BEFORE).
    box = qobject_cast<QComboBox *>(f.openEditor(1, mood));
    QVERIFY(box);
    box->setCurrentIndex(box->findText(QStringLiteral("meh")));
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(f.closed(1, mood));
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const auto stored = [&](int id) {
        return await(f.registry->database()->execute(
                         QStringLiteral("SELECT %1 FROM %2 WHERE id = %3")
                             .arg(orm::quoteIdentifier(kMood), f.table(f.a, kTyped),
                                  QString::number(id))))
            .text(0, 0);
    };
    QCOMPARE(stored(1), QStringLiteral("happy"));
    QCOMPARE(stored(2), QStringLiteral("meh"));
    f.settle();
}

void TestGridEditingTypes::blobRoundTripThroughAFile()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    MainWindow &window = f.open();
    // Load and Save from a file show only on a table with a bytea / blob column.
    const auto fileButtonsShown = [&] {
        int shown = 0;
        for (QToolButton *button : f.editing()->bar()->findChildren<QToolButton *>())
            if (QAction *action = button->defaultAction();
                action && action->objectName().endsWith(QLatin1String("FileAction")) &&
                button->isVisibleTo(f.editing()->bar()))
                ++shown;
        return shown;
    };
    QVERIFY(f.show(f.a));
    QCOMPARE(fileButtonsShown(), 0);
    QVERIFY(!f.action(QStringLiteral("loadCellFromFileAction"))->isVisible());
    QVERIFY(f.show(f.a, kTyped));
    QCOMPARE(fileButtonsShown(), 2);
    QVERIFY(f.action(QStringLiteral("loadCellFromFileAction"))->isVisible());
    QVERIFY(f.action(QStringLiteral("saveCellToFileAction"))->isVisible());
    QTemporaryDir dir;
    const QString in = dir.filePath(QStringLiteral("every byte.bin"));
    {
        QFile file(in);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(everyByte());
    }
    const int data = columnOf(f, QStringLiteral("data"));
    QTableView *view = window.grid()->table();
    view->setCurrentIndex(window.gridModel()->index(0, data));
    // Both are in the cell's context menu.
    std::unique_ptr<QMenu> menu(window.grid()->cellMenu(window.gridModel()->index(0, data)));
    QStringList named;
    for (QAction *action : menu->actions())
        named << action->objectName();
    QVERIFY2(named.contains(QLatin1String("loadCellFromFileAction")) &&
                 named.contains(QLatin1String("saveCellToFileAction")),
             qPrintable(named.join(u' ')));
    QVERIFY2(f.editing()->loadCellFromFile(in), qPrintable(f.editing()->lastNotice()));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QVERIFY(window.gridModel()->index(0, data).data(Qt::BackgroundRole).isValid());
    // The staged bytes save as they are, before any commit.
    const QString staged = dir.filePath(QStringLiteral("staged.bin"));
    QVERIFY2(f.editing()->saveCellToFile(staged), qPrintable(f.editing()->lastNotice()));
    QCOMPARE(fileBytes(staged), everyByte());

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const orm::Result stored = await(f.registry->database()->execute(
        QStringLiteral("SELECT data FROM %1 WHERE id = 1").arg(f.table(f.a, kTyped))));
    QCOMPARE(stored.value(0, 0).toByteArray(), everyByte());
    // Read back from the server by the grid, then saved: the same 256 bytes.
    QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0) && !window.isBusy(), 15000);
    view->setCurrentIndex(window.gridModel()->index(0, data));
    const QString out = dir.filePath(QStringLiteral("out.bin"));
    QVERIFY2(f.editing()->saveCellToFile(out), qPrintable(f.editing()->lastNotice()));
    QCOMPARE(fileBytes(out), everyByte());
    // The second row's two stored bytes, 0x00 and 0xff.
    view->setCurrentIndex(window.gridModel()->index(1, data));
    QVERIFY(f.editing()->saveCellToFile(out));
    QCOMPARE(fileBytes(out), QByteArray::fromHex("00ff"));
    f.settle();
}

void TestGridEditingTypes::blobFileRefusals()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kTyped));
    QTemporaryDir dir;
    const QString small = dir.filePath(QStringLiteral("small.bin"));
    {
        QFile file(small);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("abc");
    }
    QTableView *view = window.grid()->table();
    // Not a blob: refused with the column's type named.
    view->setCurrentIndex(window.gridModel()->index(0, columnOf(f, QStringLiteral("label"))));
    QVERIFY(!f.editing()->loadCellFromFile(small));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("not bytea or a blob")),
             qPrintable(f.editing()->lastNotice()));
    QVERIFY(!f.editing()->saveCellToFile(dir.filePath(QStringLiteral("no.bin"))));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("no.bin"))));
    // Too big: the size and the limit named, nothing staged (a sparse file: no disk used).
    const QString big = dir.filePath(QStringLiteral("big.bin"));
    {
        QFile file(big);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(strata::ui::editing::kMaxBlobFileBytes + (qint64(1) << 20)));
    }
    const int data = columnOf(f, QStringLiteral("data"));
    view->setCurrentIndex(window.gridModel()->index(0, data));
    QVERIFY(!f.editing()->loadCellFromFile(big));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("65 MiB")) &&
                 f.editing()->lastNotice().contains(QLatin1String("64 MiB")),
             qPrintable(f.editing()->lastNotice()));
    // A NULL cell has no bytes to save; a file that is not there is said so.
    QVERIFY(!f.editing()->saveCellToFile(dir.filePath(QStringLiteral("null.bin"))));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("NULL")),
             qPrintable(f.editing()->lastNotice()));
    QVERIFY(!f.editing()->loadCellFromFile(dir.filePath(QStringLiteral("missing.bin"))));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("does not exist")),
             qPrintable(f.editing()->lastNotice()));
    QCOMPARE(f.editing()->pendingCount(), 0);
    f.settle();
}

void TestGridEditingTypes::lookupSearchesPagesAndPicks()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    const int thing = columnOf(f, kThing);
    QCOMPARE(f.cell(0, thing), QStringLiteral("5"));

    auto *lookup = qobject_cast<ForeignKeyLookup *>(f.openEditor(0, thing));
    QVERIFY2(lookup, qPrintable(f.editing()->lastNotice()));
    QCOMPARE(lookup->lineEdit()->text(), QStringLiteral("5"));
    // Opened: the first page, in key order, each row with its readable column.
    QVERIFY(idle(lookup));
    QCOMPARE(lookup->rowCount(), strata::ui::editing::kLookupPageRows);
    QVERIFY(lookup->hasMore());
    QVERIFY2(lookup->list()->item(0)->text().contains(QLatin1String("Apple 1")),
             qPrintable(lookup->list()->item(0)->text()));

    // Typed text searched on the server, any case: the 12 bananas, on one page.
    QLineEdit *line = lookup->lineEdit();
    line->selectAll();
    QTest::keyClicks(line, QStringLiteral("BANANA"));
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 12, 15000);
    QVERIFY(!lookup->hasMore());
    for (int i = 0; i < lookup->rowCount(); ++i)
        QVERIFY2(lookup->list()->item(i)->text().contains(QLatin1String("Banana")),
                 qPrintable(lookup->list()->item(i)->text()));
    grabTo(lookup, QStringLiteral("lookup-") + backend);

    // 108 apples: a page, "more…" the next by keyset, then the rest.
    line->selectAll();
    QTest::keyClicks(line, QStringLiteral("apple"));
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 50 &&
                                 lookup->list()->item(0)->text().contains(QLatin1String("Apple")),
                             15000);
    QVERIFY(lookup->hasMore());
    QListWidget *list = lookup->list();
    list->setFocus();
    list->setCurrentRow(list->count() - 1); // "more…"
    QTest::keyClick(list, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 100, 15000);
    QVERIFY(lookup->hasMore());
    lookup->fetchMore();
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 108, 15000);
    QVERIFY(!lookup->hasMore());
    QSet<QString> seen; // no row twice across the pages
    for (int i = 0; i < lookup->rowCount(); ++i)
        seen.insert(list->item(i)->text());
    QCOMPARE(seen.size(), 108);

    // Picking a row (Enter on it) stages its key.
    const int pickRow = 60;
    const QString picked = list->item(pickRow)->text().section(QStringLiteral(" — "), 0, 0);
    list->setCurrentRow(pickRow);
    QTest::keyClick(list, Qt::Key_Return);
    QVERIFY(f.closed(0, thing));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QCOMPARE(f.cell(0, thing), picked);

    // A key typed directly still works.
    lookup = qobject_cast<ForeignKeyLookup *>(f.openEditor(1, thing));
    QVERIFY(lookup);
    lookup->lineEdit()->selectAll();
    QTest::keyClicks(lookup->lineEdit(), QStringLiteral("7"));
    QTest::keyClick(lookup->lineEdit(), Qt::Key_Return);
    QVERIFY(f.closed(1, thing));
    QCOMPARE(f.editing()->pendingCount(), 2);
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const auto stored = [&](int id) {
        return await(f.registry->database()->execute(
                         QStringLiteral("SELECT %1 FROM %2 WHERE id = %3")
                             .arg(orm::quoteIdentifier(kThing), f.table(f.a, kOrders),
                                  QString::number(id))))
            .value(0, 0)
            .toString();
    };
    QCOMPARE(stored(1), picked);
    QCOMPARE(stored(2), QStringLiteral("7"));

    // A composite key's columns edit plainly.
    QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0) && !window.isBusy(), 15000);
    QWidget *plain = f.openEditor(0, columnOf(f, QStringLiteral("px")));
    QVERIFY(qobject_cast<QLineEdit *>(plain));
    QTest::keyClick(plain, Qt::Key_Escape);
    f.settle();
}

// The lookup's editor stays over its cell; its rows go below it, or above it when the cell is
// near the grid's bottom (they used to push the whole editor up, off its cell), and the arrow
// keys follow.
void TestGridEditingTypes::lookupRowsGoAboveNearTheBottom()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kOrders));
    const int thing = columnOf(f, kThing);
    auto *lookup = qobject_cast<ForeignKeyLookup *>(f.openEditor(0, thing));
    QVERIFY2(lookup, qPrintable(f.editing()->lastNotice()));
    QVERIFY(idle(lookup));
    QTableView *view = window.grid()->table();
    QWidget *area = view->viewport();
    QCOMPARE(lookup->parentWidget(), area);
    const QModelIndex index = window.gridModel()->index(0, thing);
    QStyleOptionViewItem option;
    option.initFrom(view);
    const QRect cell = view->visualRect(index);
    const auto placeAt = [&](int top) {
        option.rect = QRect(cell.left(), top, cell.width(), cell.height());
        view->itemDelegate()->updateEditorGeometry(lookup, option, index);
        QApplication::processEvents(); // the layout settles
        const QRect line(lookup->lineEdit()->mapTo(area, QPoint(0, 0)), lookup->lineEdit()->size());
        const QRect rows(lookup->list()->mapTo(area, QPoint(0, 0)), lookup->list()->size());
        return std::pair{line, rows};
    };

    const auto [lineAtTop, rowsAtTop] = placeAt(0);
    QVERIFY(!lookup->rowsAbove());
    QCOMPARE(lineAtTop.top(), 0);
    QVERIFY(rowsAtTop.top() >= lineAtTop.bottom());

    const int bottomTop = area->height() - cell.height();
    QVERIFY2(bottomTop > 220, "the grid is too short for this test");
    const auto [line, rows] = placeAt(bottomTop);
    QVERIFY(lookup->rowsAbove());
    QCOMPARE(line.top(), bottomTop); // still over its cell
    QVERIFY2(rows.bottom() <= line.top() && rows.top() >= 0 && rows.height() >= 80,
             qPrintable(QStringLiteral("rows %1,%2 %3x%4; the editor at %5")
                            .arg(rows.x())
                            .arg(rows.y())
                            .arg(rows.width())
                            .arg(rows.height())
                            .arg(line.top())));
    QVERIFY(QRect(QPoint(0, 0), area->size()).contains(lookup->geometry()));
    // Up goes into the rows, at the nearest one; Down from there comes back.
    lookup->lineEdit()->setFocus();
    QTest::keyClick(lookup->lineEdit(), Qt::Key_Up);
    QVERIFY(lookup->list()->hasFocus());
    QCOMPARE(lookup->list()->currentRow(), lookup->list()->count() - 1);
    QTest::keyClick(lookup->list(), Qt::Key_Down);
    QVERIFY(lookup->lineEdit()->hasFocus());
    QTest::keyClick(lookup->lineEdit(), Qt::Key_Escape);
    f.settle();
}

void TestGridEditingTypes::lookupInTheActiveTenantAndOtherSchemas()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    f.open();
    // The other tenant's table of the same name: its own rows.
    QVERIFY(f.show(f.b, kOrders));
    const int thing = columnOf(f, kThing);
    auto *lookup = qobject_cast<ForeignKeyLookup *>(f.openEditor(0, thing));
    QVERIFY(lookup);
    QVERIFY(idle(lookup));
    QCOMPARE(lookup->rowCount(), 3);
    QVERIFY(!lookup->hasMore());
    QVERIFY2(lookup->list()->item(0)->text().contains(QLatin1String("Only B 1000")),
             qPrintable(lookup->list()->item(0)->text()));
    // Nothing matches: said, nothing to pick.
    lookup->lineEdit()->selectAll();
    QTest::keyClicks(lookup->lineEdit(), QStringLiteral("apple"));
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 0 &&
                                 lookup->status().contains(QLatin1String("No row")),
                             15000);
    QTest::keyClick(lookup->lineEdit(), Qt::Key_Escape);
    QVERIFY(f.closed(0, thing));
    QCOMPARE(f.editing()->pendingCount(), 0);

    if (f.pg()) {
        // A key into another schema: that schema's rows, found by their text.
        const int kind = columnOf(f, QStringLiteral("kind code"));
        lookup = qobject_cast<ForeignKeyLookup *>(f.openEditor(0, kind));
        QVERIFY(lookup);
        lookup->lineEdit()->selectAll();
        QTest::keyClicks(lookup->lineEdit(), QStringLiteral("second"));
        QTRY_VERIFY_WITH_TIMEOUT(
            !lookup->isBusy() && lookup->rowCount() == 1 &&
                lookup->list()->item(0)->text().startsWith(QLatin1String("k2")),
            15000);
        lookup->pick(0);
        QVERIFY(f.closed(0, kind));
        QCOMPARE(f.editing()->pendingCount(), 1);
        QCOMPARE(f.cell(0, kind), QStringLiteral("k2"));
        f.commit();
        QCOMPARE(await(f.registry->database()->execute(
                           QStringLiteral("SELECT \"kind code\" FROM %1 WHERE id = 1")
                               .arg(f.table(f.b, kOrders))))
                     .text(0, 0),
                 QStringLiteral("k2"));
    }
    f.settle();
}

// The editing bar's new rows edit with the grid's own editors: the enum's list in its order, a
// file into a bytea / blob cell and back out, Set NULL and Delete rows on the new rows while
// they have the focus (the grid's rows untouched), each undone on its own; committed as staged.
void TestGridEditingTypes::newRowsTakeTheGridsEditors()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a, kTyped));
    QTRY_VERIFY_WITH_TIMEOUT(f.editing()->valueLists().contains(kMood), 15000);
    QTableView *grid = window.grid()->table();
    const int gridData = columnOf(f, QStringLiteral("data"));
    grid->setCurrentIndex(window.gridModel()->index(0, gridData));
    grid->setFocus();
    f.action(QStringLiteral("insertRowAction"))->trigger();
    f.action(QStringLiteral("insertRowAction"))->trigger();
    PendingInsertsModel *rows = f.editing()->bar()->newRowsModel();
    QTableView *newRows = f.editing()->bar()->newRows();
    QCOMPARE(rows->rowCount(), 2);
    QVERIFY(!f.editing()->newRowsActive()); // the grid had the focus

    // The key, typed: a left-to-the-server cell opens empty.
    const int id = f.newRowColumn(QStringLiteral("id"));
    auto *line = qobject_cast<QLineEdit *>(f.openNewRowEditor(0, id));
    QVERIFY(line);
    QVERIFY(line->text().isEmpty());
    QTest::keyClicks(line, QStringLiteral("70"));
    QTest::keyClick(line, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, id));
    QCOMPARE(rows->index(0, id).data().toString(), QStringLiteral("70"));
    QVERIFY(f.editing()->newRowsActive());

    // The enum: its values in their order; untouched, DEFAULT stays.
    const int mood = f.newRowColumn(kMood);
    auto *box = qobject_cast<QComboBox *>(f.openNewRowEditor(0, mood));
    QVERIFY2(box, qPrintable(f.editing()->lastNotice()));
    QStringList items;
    for (int i = 0; i < box->count(); ++i)
        items << box->itemText(i);
    QCOMPARE(items, (QStringList{"sad", "meh", "ok", "happy"}));
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, mood));
    QCOMPARE(rows->index(0, mood).data().toString(), QStringLiteral("DEFAULT"));
    box = qobject_cast<QComboBox *>(f.openNewRowEditor(0, mood));
    QVERIFY(box);
    box->setCurrentIndex(box->findText(QStringLiteral("happy")));
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, mood));
    QCOMPARE(rows->index(0, mood).data().toString(), QStringLiteral("happy"));
    const int staged = f.editing()->pendingCount();

    // A file into the new row's blob, where the focus is, and back out byte for byte.
    QTemporaryDir dir;
    const QString in = dir.filePath(QStringLiteral("every byte.bin"));
    {
        QFile file(in);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(everyByte());
    }
    const int data = f.newRowColumn(QStringLiteral("data"));
    newRows->setCurrentIndex(rows->index(0, data));
    newRows->setFocus();
    QVERIFY2(f.editing()->loadCellFromFile(in), qPrintable(f.editing()->lastNotice()));
    QCOMPARE(f.editing()->pendingCount(), staged + 1);
    QVERIFY(!window.gridModel()->index(0, gridData).data(Qt::BackgroundRole).isValid());
    QCOMPARE(rows->valueAt(rows->index(0, data)).value_or(QVariant()).toByteArray(), everyByte());
    const QString out = dir.filePath(QStringLiteral("new row.bin"));
    QVERIFY2(f.editing()->saveCellToFile(out), qPrintable(f.editing()->lastNotice()));
    QCOMPARE(fileBytes(out), everyByte());
    // The second new row's blob is left to the server: nothing to save, said so.
    QVERIFY(!f.editing()->saveInsertedCellToFile(rows->insertIdAt(1), QStringLiteral("data"),
                                                 dir.filePath(QStringLiteral("none.bin"))));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("left to the server")),
             qPrintable(f.editing()->lastNotice()));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("none.bin"))));

    // Set NULL on the new row's label (not the grid's selection).
    const int label = f.newRowColumn(QStringLiteral("label"));
    newRows->setCurrentIndex(rows->index(0, label));
    newRows->selectionModel()->select(rows->index(0, label), QItemSelectionModel::ClearAndSelect);
    f.action(QStringLiteral("setNullAction"))->trigger();
    const std::optional<QVariant> null = rows->valueAt(rows->index(0, label));
    QVERIFY(null && (!null->isValid() || null->isNull()));
    QVERIFY(!window.gridModel()->index(0, gridData).data(Qt::BackgroundRole).isValid());

    // Delete rows drops the selected new row; Ctrl+Z brings it back; dropped again.
    newRows->selectionModel()->select(rows->index(1, id), QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
    f.action(QStringLiteral("deleteRowsAction"))->trigger();
    QCOMPARE(rows->rowCount(), 1);
    QVERIFY(!window.gridModel()->index(0, gridData).data(Qt::FontRole).value<QFont>().strikeOut());
    f.action(QStringLiteral("undoEditAction"))->trigger();
    QCOMPARE(rows->rowCount(), 2);
    newRows->selectionModel()->select(rows->index(1, id), QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
    f.action(QStringLiteral("deleteRowsAction"))->trigger();
    QCOMPARE(rows->rowCount(), 1);
    // They are in the new rows' own menu.
    QStringList named;
    for (QAction *action : newRows->actions())
        named << action->objectName();
    for (const char *name : {"setNullAction", "deleteRowsAction", "loadCellFromFileAction",
                             "saveCellToFileAction", "undoEditAction"})
        QVERIFY2(named.contains(QLatin1String(name)), name);
    QCOMPARE(newRows->contextMenuPolicy(), Qt::ActionsContextMenu);

    // Back in the grid, the file goes into the grid's cell.
    grid->setFocus();
    grid->setCurrentIndex(window.gridModel()->index(1, gridData));
    QVERIFY(!f.editing()->newRowsActive());
    QVERIFY2(f.editing()->loadCellFromFile(in), qPrintable(f.editing()->lastNotice()));
    QVERIFY(window.gridModel()->index(1, gridData).data(Qt::BackgroundRole).isValid());
    QCOMPARE(rows->valueAt(rows->index(0, data)).value_or(QVariant()).toByteArray(), everyByte());

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const orm::Result added = await(f.registry->database()->execute(
        QStringLiteral("SELECT %1, data, label FROM %2 WHERE id = 70")
            .arg(orm::quoteIdentifier(kMood), f.table(f.a, kTyped))));
    QCOMPARE(added.rowCount(), 1);
    QCOMPARE(added.text(0, 0), QStringLiteral("happy"));
    QCOMPARE(added.value(0, 1).toByteArray(), everyByte());
    QVERIFY(added.isNull(0, 2));
    const orm::Result changed = await(f.registry->database()->execute(
        QStringLiteral("SELECT data FROM %1 WHERE id = 2").arg(f.table(f.a, kTyped))));
    QCOMPARE(changed.value(0, 0).toByteArray(), everyByte());
    QCOMPARE(await(f.registry->database()->execute(
                       QStringLiteral("SELECT count(*) FROM %1").arg(f.table(f.a, kTyped))))
                 .value(0, 0)
                 .toInt(),
             3);
    f.settle();
}

// A new row's foreign-key cell offers the lookup as the grid's cells do, and the small list of
// new rows makes room for its rows while it is open; the pick is staged and inserted.
void TestGridEditingTypes::newRowLookupPicks()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    Types types(f);
    f.open();
    QVERIFY(f.show(f.a, kOrders));
    f.action(QStringLiteral("insertRowAction"))->trigger();
    PendingInsertsModel *rows = f.editing()->bar()->newRowsModel();
    QTableView *newRows = f.editing()->bar()->newRows();
    QTRY_VERIFY(newRows->isVisible() && newRows->height() > 0);
    const int small = newRows->height();
    QVERIFY(small <= 110);

    const int id = f.newRowColumn(QStringLiteral("id"));
    auto *line = qobject_cast<QLineEdit *>(f.openNewRowEditor(0, id));
    QVERIFY(line);
    QTest::keyClicks(line, QStringLiteral("900"));
    QTest::keyClick(line, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, id));

    const int thing = f.newRowColumn(kThing);
    auto *lookup = qobject_cast<ForeignKeyLookup *>(f.openNewRowEditor(0, thing));
    QVERIFY2(lookup, qPrintable(f.editing()->lastNotice()));
    QVERIFY(lookup->lineEdit()->text().isEmpty());
    QVERIFY(idle(lookup));
    QCOMPARE(lookup->rowCount(), strata::ui::editing::kLookupPageRows);
    // Room for the rows: the list of new rows grew, and the lookup lies whole inside it with
    // its rows at their full height (they had 50 pixels or less before).
    QTRY_VERIFY(newRows->height() > small);
    QTRY_VERIFY(QRect(QPoint(0, 0), newRows->viewport()->size()).contains(lookup->geometry()));
    QTRY_VERIFY2(lookup->list()->height() >= 200,
                 qPrintable(QString::number(lookup->list()->height())));
    QVERIFY(!lookup->rowsAbove());

    QLineEdit *typed = lookup->lineEdit();
    QTest::keyClicks(typed, QStringLiteral("banana"));
    QTRY_VERIFY_WITH_TIMEOUT(!lookup->isBusy() && lookup->rowCount() == 12, 15000);
    grabTo(f.window.get(), QStringLiteral("new-row-lookup-") + backend);
    QListWidget *list = lookup->list();
    const QString picked = list->item(2)->text().section(QStringLiteral(" — "), 0, 0);
    list->setFocus();
    list->setCurrentRow(2);
    QTest::keyClick(list, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, thing));
    QCOMPARE(rows->index(0, thing).data().toString(), picked);
    // Closed: the list is as small as before.
    QTRY_VERIFY(newRows->height() <= 110);

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const orm::Result added = await(f.registry->database()->execute(
        QStringLiteral("SELECT %1 FROM %2 WHERE id = 900")
            .arg(orm::quoteIdentifier(kThing), f.table(f.a, kOrders))));
    QCOMPARE(added.rowCount(), 1);
    QCOMPARE(added.text(0, 0), picked);
    f.settle();
}

QTEST_MAIN(TestGridEditingTypes)
#include "tst_grid_editing_types.moc"
