// The fan-out pane in the real window (Tools → Run on many targets…), on both backends: tenants
// that differ (a column more, no table, an awkward name) and a database on a refused port; the
// picker's modes and counts, the merged rows with their source columns, the marked missing
// column, sorting and filtering, per-target outcomes; writes only after the typed count, each
// target in its own transaction; and 50 targets running while the window's thread keeps
// turning, all stopped by Cancel.

#include "fanout_fixture.h"
#include "loopback_ports.h"

#include "ui/fanout/fan_out_pane.h"
#include "ui/fanout/merged_result_model.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTreeWidget>

using strata::test::TenantSet;
using strata::ui::FanOutPane;
using strata::ui::MergedResultModel;
using Status = orm::TargetOutcome::Status;

namespace {

const QString kAwkward = QStringLiteral(" Mixed \"Q\" s");

// Tenants _a (2 rows), _b (3 rows and a column `note` more), _c (no table), an awkward one
// (1 row), and an extra database nobody listens for.
std::unique_ptr<TenantSet> makeTenants(const QString &backend, const QString &url)
{
    auto t = std::make_unique<TenantSet>(backend, url, QStringLiteral("fop"));
    const QString create = QStringLiteral(
        "CREATE TABLE {t}\"Items\" (id integer PRIMARY KEY, name text, qty integer%1);");
    t->add(QStringLiteral("_a"),
           create.arg(QString()) + "INSERT INTO {t}\"Items\" VALUES (1, 'a1', 10), (2, 'a2', 20)");
    t->add(QStringLiteral("_b"), create.arg(QStringLiteral(", note text")) +
                                     "INSERT INTO {t}\"Items\" VALUES (1, 'b1', 10, 'n1'), "
                                     "(2, 'b2', 3, NULL), (3, 'b3', 30, 'n3')");
    t->add(QStringLiteral("_c"));
    t->add(kAwkward, create.arg(QString()) + "INSERT INTO {t}\"Items\" VALUES (1, 'q1', 10)");
    t->registry->addExtra(QStringLiteral("down"),
                          QStringLiteral("postgresql://strata:sekret@127.0.0.1:%1/x")
                              .arg(strata::test::closedPort()));
    return t;
}

// The pane from the Tools menu, its targets listed (null if it did not open or list them).
FanOutPane *openPane(MainWindow &window)
{
    window.show();
    FanOutPane *pane = strata::test::openFromTools<FanOutPane>(window, "fanOutAction");
    if (!pane)
        return nullptr;
    if (!QTest::qWaitFor([pane] { return !pane->isLoadingTargets(); }, 20000))
        return nullptr;
    return pane->isLoadingTargets() || pane->availableTargets().isEmpty() ? nullptr : pane;
}

QTreeWidgetItem *outcomeOf(FanOutPane *pane, const QString &database, const QString &schema)
{
    QTreeWidget *list = pane->outcomeList();
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        if (list->topLevelItem(i)->text(0) == database && list->topLevelItem(i)->text(1) == schema)
            return list->topLevelItem(i);
    return nullptr;
}

QStringList headers(QAbstractItemModel *model)
{
    QStringList names;
    for (int c = 0; c < model->columnCount(); ++c)
        names << model->headerData(c, Qt::Horizontal).toString();
    return names;
}

int columnNamed(QAbstractItemModel *model, const QString &name)
{
    for (int c = 0; c < model->columnCount(); ++c)
        if (model->headerData(c, Qt::Horizontal).toString().section(u' ', 0, 0) == name)
            return c;
    return -1;
}

void clickRun(FanOutPane *pane)
{
    QTest::mouseClick(pane->findChild<QPushButton *>(QStringLiteral("fanOutRun")), Qt::LeftButton);
}

} // namespace

class TestFanOutPane : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void picksTargetsByModePatternAndChecks();
    void mergesTenantsThatDifferWithFailures();
    void writesNeedTheTypedCountAndRunPerTarget();
    void fiftyTargetsKeepTheWindowTurningAndCancelStopsThemAll();
    void closingThePaneMidRunCancelsIt();
};

void TestFanOutPane::picksTargetsByModePatternAndChecks()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    MainWindow window(t->registry.get());
    FanOutPane *pane = openPane(window);
    QVERIFY(pane);
    QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("fanOutDock"))->isVisible());

    // The picker lists every database × schema; the unreachable one says why.
    QListWidget *picker = pane->findChild<QListWidget *>(QStringLiteral("fanOutTargetPicker"));
    QStringList texts;
    for (int i = 0; i < picker->count(); ++i)
        texts << picker->item(i)->text();
    QVERIFY2(texts.contains(QStringLiteral("primary · ") + t->prefix + kAwkward),
             qPrintable(texts.join('\n')));
    bool downListed = false;
    for (const QString &text : texts)
        downListed |= text.startsWith(QStringLiteral("down (unreachable"));
    QVERIFY2(downListed, qPrintable(texts.join('\n')));

    pane->setPattern(t->prefix + QStringLiteral("_?"));
    QList<orm::FanOutTarget> chosen = pane->chosenTargets();
    QStringList schemas;
    for (const orm::FanOutTarget &target : chosen)
        if (target.error.isEmpty())
            schemas << target.schema;
    QCOMPARE(schemas, (QStringList{t->prefix + "_a", t->prefix + "_b", t->prefix + "_c"}));
    QVERIFY2(pane->countLabel()->text().startsWith(QStringLiteral("4 of ")),
             qPrintable(pane->countLabel()->text()));
    QVERIFY2(pane->countLabel()->text().contains(QStringLiteral("2 database(s); 1 unreachable")),
             qPrintable(pane->countLabel()->text()));

    // Unchecking one by hand makes a hand-picked list of the rest.
    for (int i = 0; i < picker->count(); ++i)
        if (picker->item(i)->text().endsWith(t->prefix + "_b"))
            picker->item(i)->setCheckState(Qt::Unchecked);
    QCOMPARE(pane->findChild<QComboBox *>(QStringLiteral("fanOutMode"))->currentIndex(),
             int(FanOutPane::Mode::Checked));
    QCOMPARE(pane->chosenTargets().size(), 3);
    QVERIFY2(pane->countLabel()->text().startsWith(QStringLiteral("3 of ")),
             qPrintable(pane->countLabel()->text()));

    // "All tenants": every schema but the default one, ours among them.
    pane->setMode(FanOutPane::Mode::Tenants);
    schemas.clear();
    for (const orm::FanOutTarget &target : pane->chosenTargets())
        schemas << target.schema;
    for (const QString &schema : t->schemas)
        QVERIFY2(schemas.contains(schema), qPrintable(schema));
    QVERIFY(!schemas.contains(t->pg() ? QStringLiteral("public") : QStringLiteral("main")));

    // An extra added while the pane is open shows in the picker.
    t->registry->addExtra(QStringLiteral("later"),
                          strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("later")));
    QTRY_VERIFY_WITH_TIMEOUT(
        !picker->findItems(QStringLiteral("later · main"), Qt::MatchExactly).isEmpty(), 20000);
}

void TestFanOutPane::mergesTenantsThatDifferWithFailures()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    MainWindow window(t->registry.get());
    FanOutPane *pane = openPane(window);
    QVERIFY(pane);
    pane->setPattern(t->prefix + QStringLiteral("*"));
    pane->setSql(QStringLiteral("SELECT * FROM \"Items\" ORDER BY id"));
    QSignalSpy finished(pane, &FanOutPane::runFinished);
    clickRun(pane);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);

    MergedResultModel *model = pane->resultModel();
    QCOMPARE(headers(model), (QStringList{"database", "schema", "id", "name", "qty", "note *"}));
    const QString tip = model->headerData(5, Qt::Horizontal, Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains("primary." + t->prefix + "_a") &&
                 tip.contains("primary." + t->prefix + kAwkward) && !tip.contains("_b"),
             qPrintable(tip));
    QCOMPARE(model->rowCount(), 6);

    // Partial results: the tenant without the table and the refused database failed, the
    // others' rows are all there with their sources.
    QTreeWidgetItem *c = outcomeOf(pane, "primary", t->prefix + "_c");
    QVERIFY(c);
    QCOMPARE(c->text(2), QStringLiteral("failed"));
    QVERIFY2(c->text(5).contains("Items", Qt::CaseInsensitive), qPrintable(c->text(5)));
    QTreeWidgetItem *down = outcomeOf(pane, "down", QString());
    QVERIFY(down);
    QCOMPARE(down->text(2), QStringLiteral("failed"));
    QVERIFY2(down->text(5).contains("refused", Qt::CaseInsensitive), qPrintable(down->text(5)));
    QVERIFY2(!down->text(5).contains("sekret"), qPrintable(down->text(5)));
    QTreeWidgetItem *a = outcomeOf(pane, "primary", t->prefix + "_a");
    QCOMPARE(a->text(2), QStringLiteral("ok"));
    QCOMPARE(a->text(3), QStringLiteral("2"));
    QVERIFY2(a->text(5).contains("lacks note"), qPrintable(a->text(5)));
    QCOMPARE(outcomeOf(pane, "primary", t->prefix + "_b")->text(3), QStringLiteral("3"));
    QCOMPARE(outcomeOf(pane, "primary", t->prefix + kAwkward)->text(3), QStringLiteral("1"));
    QVERIFY2(pane->statusLabel()->text().contains("2 failed"),
             qPrintable(pane->statusLabel()->text()));

    // A's rows read NULL in `note`, marked; b's own NULL is a plain NULL.
    QMap<QString, QModelIndex> noteOf;
    for (int row = 0; row < model->rowCount(); ++row)
        noteOf[model->index(row, 3).data().toString()] = model->index(row, 5);
    QCOMPARE(noteOf["a1"].data().toString(), QStringLiteral("NULL"));
    QVERIFY(noteOf["a1"].data(MergedResultModel::IsMissingRole).toBool());
    QVERIFY(noteOf["b2"].data(MergedResultModel::IsNullRole).toBool());
    QVERIFY(!noteOf["b2"].data(MergedResultModel::IsMissingRole).toBool());
    QCOMPARE(noteOf["b3"].data().toString(), QStringLiteral("n3"));
    QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("primary"));

    // Sorted by qty (as numbers: 3 before 10), then filtered.
    QSortFilterProxyModel *proxy = pane->resultProxy();
    pane->resultView()->sortByColumn(columnNamed(proxy, "qty"), Qt::AscendingOrder);
    QCOMPARE(proxy->index(0, columnNamed(proxy, "name")).data().toString(), QStringLiteral("b2"));
    QCOMPARE(proxy->index(5, columnNamed(proxy, "name")).data().toString(), QStringLiteral("b3"));
    auto *filter = pane->findChild<QLineEdit *>(QStringLiteral("fanOutFilter"));
    QTest::keyClicks(filter, QStringLiteral("q1"));
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, 1).data().toString(), t->prefix + kAwkward);
}

void TestFanOutPane::writesNeedTheTypedCountAndRunPerTarget()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    MainWindow window(t->registry.get());
    FanOutPane *pane = openPane(window);
    QVERIFY(pane);
    const QString a = t->prefix + "_a", b = t->prefix + "_b", c = t->prefix + "_c";
    orm::FanOutTarget ta{QString(), a, {}}, tb{QString(), b, {}}, tc{QString(), c, {}};
    pane->checkTargets({ta, tb, tc});
    QCOMPARE(pane->chosenTargets().size(), 3);
    pane->setSql(QStringLiteral("UPDATE \"Items\" SET qty = qty + 1 WHERE id = 1"));

    // Declined: nothing runs.
    clickRun(pane);
    QDialog *confirm = pane->confirmation();
    QVERIFY(confirm);
    QTRY_VERIFY(confirm->isVisible());
    QVERIFY(!pane->fanOut());
    QVERIFY2(confirm->findChild<QLabel *>(QStringLiteral("fanOutConfirmText"))
                 ->text()
                 .contains(QStringLiteral("<b>3</b> target")),
             qPrintable(confirm->findChild<QLabel *>(QStringLiteral("fanOutConfirmText"))->text()));
    confirm->reject();
    QVERIFY(!pane->fanOut());
    QCOMPARE(t->query(a, "SELECT qty FROM {t}\"Items\" WHERE id = 1").value(0, 0).toInt(), 10);

    // Only the number of targets unlocks it.
    clickRun(pane);
    confirm = pane->confirmation();
    QTRY_VERIFY(confirm && confirm->isVisible());
    auto *typed = confirm->findChild<QLineEdit *>(QStringLiteral("fanOutConfirmTyped"));
    QPushButton *ok = confirm->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QTest::keyClicks(typed, QStringLiteral("2"));
    QVERIFY(!ok->isEnabled());
    typed->clear();
    QTest::keyClicks(typed, QStringLiteral("3"));
    QVERIFY(ok->isEnabled());
    QSignalSpy finished(pane, &FanOutPane::runFinished);
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);

    // Each target on its own: a and b committed, c (no table) failed and kept nothing.
    QCOMPARE(outcomeOf(pane, "primary", a)->text(2), QStringLiteral("ok, committed"));
    QCOMPARE(outcomeOf(pane, "primary", a)->text(3), QStringLiteral("1"));
    QCOMPARE(outcomeOf(pane, "primary", b)->text(2), QStringLiteral("ok, committed"));
    QCOMPARE(outcomeOf(pane, "primary", c)->text(2), QStringLiteral("failed, rolled back"));
    QCOMPARE(t->query(a, "SELECT qty FROM {t}\"Items\" WHERE id = 1").value(0, 0).toInt(), 11);
    QCOMPARE(t->query(b, "SELECT qty FROM {t}\"Items\" WHERE id = 1").value(0, 0).toInt(), 11);
    QCOMPARE(t->query(a, "SELECT qty FROM {t}\"Items\" WHERE id = 2").value(0, 0).toInt(), 20);
}

void TestFanOutPane::fiftyTargetsKeepTheWindowTurningAndCancelStopsThemAll()
{
    STRATA_BACKEND_URL(url);
    TenantSet t(backend, url, QStringLiteral("fo50"));
    QList<orm::FanOutTarget> targets;
    QString endless;
    if (t.pg()) {
        for (int i = 0; i < 50; ++i)
            targets << orm::FanOutTarget{QString(), t.add(QStringLiteral("_%1").arg(i)), {}};
        endless = QStringLiteral("SELECT pg_sleep(30)");
    } else {
        // SQLite attaches at most 10 databases: 50 extras on one file stand for 50 targets
        // on one server.
        const QString file = strata::test::urlFor(backend, QStringLiteral("fifty"));
        for (int i = 0; i < 50; ++i) {
            const QString name = t.prefix + QStringLiteral("_%1").arg(i);
            t.registry->addExtra(name, file);
            targets << orm::FanOutTarget{name, QStringLiteral("main"), {}};
        }
        endless = QStringLiteral("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM "
                                 "r) SELECT count(*) FROM r");
    }
    MainWindow window(t.registry.get());
    FanOutPane *pane = openPane(window);
    QVERIFY(pane);
    QTRY_VERIFY_WITH_TIMEOUT(pane->availableTargets().size() >= 50, 20000);
    pane->checkTargets(targets);
    QCOMPARE(pane->chosenTargets().size(), 50);
    pane->setSql(endless);

    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
    ticker.start(5);
    clickRun(pane);
    QVERIFY(pane->isRunning());
    const auto running = [pane] {
        int n = 0;
        for (const orm::TargetOutcome &o : pane->fanOut()->outcomes())
            n += o.status == Status::Running;
        return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT(running() > 0, 20000);
    // A few at a time on the one server, and the window's thread keeps handling events.
    const int before = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= before + 40, 20000);
    QVERIFY(pane->isRunning());
    QVERIFY2(running() >= 1 && running() <= orm::FanOutOptions{}.perServer,
             qPrintable(QString::number(running())));

    QSignalSpy finished(pane, &FanOutPane::runFinished);
    QTest::mouseClick(pane->findChild<QPushButton *>(QStringLiteral("fanOutCancel")),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    for (const auto &o : pane->fanOut()->outcomes())
        QCOMPARE(o.status, Status::Cancelled);
    QVERIFY2(pane->statusLabel()->text().contains("50 cancelled"),
             qPrintable(pane->statusLabel()->text()));
    QCOMPARE(outcomeOf(pane, targets[7].databaseLabel(), targets[7].schema)->text(2),
             QStringLiteral("cancelled"));
}

// A pane destroyed while its statements run cancels them; the run ends (and goes) on its own,
// calling nothing of the pane back.
void TestFanOutPane::closingThePaneMidRunCancelsIt()
{
    STRATA_BACKEND_URL(url);
    const auto t = makeTenants(backend, url);
    MainWindow window(t->registry.get());
    FanOutPane *pane = openPane(window);
    QVERIFY(pane);
    pane->checkTargets({orm::FanOutTarget{QString(), t->prefix + "_a", {}},
                        orm::FanOutTarget{QString(), t->prefix + "_b", {}}});
    QCOMPARE(pane->chosenTargets().size(), 2);
    pane->setSql(t->pg() ? QStringLiteral("SELECT pg_sleep(30)")
                         : QStringLiteral("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + "
                                          "1 FROM r) SELECT count(*) FROM r"));
    clickRun(pane);
    QPointer<orm::FanOut> fanOut = pane->fanOut();
    QVERIFY(fanOut);
    QTRY_VERIFY_WITH_TIMEOUT(fanOut->outcomes()[0].status == Status::Running, 20000);
    delete window.findChild<QDockWidget *>(QStringLiteral("fanOutDock"));
    QVERIFY(!window.findChild<FanOutPane *>());
    QVERIFY(fanOut && fanOut->isCancelled());
    QTRY_VERIFY_WITH_TIMEOUT(!fanOut, 20000);
    // The tenants answer at once again: nothing of the run holds them.
    QCOMPARE(t->query(t->prefix + "_a", "SELECT count(*) FROM {t}\"Items\"").value(0, 0).toInt(),
             2);
}

QTEST_MAIN(TestFanOutPane)
#include "tst_fan_out_pane.moc"
