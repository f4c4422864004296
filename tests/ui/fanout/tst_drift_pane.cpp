// The tenant drift pane in the real window (Tools → Tenant drift…), on both backends: tenants
// that match the template (one with an awkward name), lack a column, have another type, lack a
// CHECK or an index; the matrix shows who drifts and how, a cell lists the exact differences,
// the script is read-only text that runs only through its button and an accepted confirmation,
// and the tenant is compared again afterwards.

#include "fanout_fixture.h"

#include "ui/fanout/drift_pane.h"

#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>

using strata::test::TenantSet;
using strata::ui::DriftPane;

namespace {

QString table(bool withScore, bool textEmail, bool check)
{
    return QStringLiteral("CREATE TABLE {t}\"Customer\" (id integer PRIMARY KEY, name text NOT "
                          "NULL, email %1%2%3);"
                          "INSERT INTO {t}\"Customer\" (id, name, email) VALUES (1, 'Ann', 'a@x');")
        .arg(textEmail ? QStringLiteral("text") : QStringLiteral("varchar(80)"),
             withScore ? QStringLiteral(", score integer") : QString(),
             check ? QStringLiteral(", CONSTRAINT \"Customer_email_check\" CHECK (email <> '')")
                   : QString());
}

int rowOf(DriftPane *pane, const QString &schema)
{
    for (int row = 0; row < pane->report().tenants.size(); ++row)
        if (pane->report().tenants[row].schema == schema)
            return row;
    return -1;
}

QString cell(DriftPane *pane, int row, DriftPane::Category category)
{
    QTableWidgetItem *item = pane->matrix()->item(row, category);
    return item ? item->text() : QStringLiteral("<none>");
}

} // namespace

class TestDriftPane : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void matrixShowsWhoDriftsAndScriptsRunOnlyWhenConfirmed();
    void theTenantModelsAreATemplate();
};

void TestDriftPane::matrixShowsWhoDriftsAndScriptsRunOnlyWhenConfirmed()
{
    STRATA_BACKEND_URL(url);
    TenantSet t(backend, url, QStringLiteral("dp"));
    const bool pg = t.pg();
    const QString templateSchema = t.add("_template", table(true, false, true));
    const QString same = t.add("_t Same \"Q\"", table(true, false, true));
    const QString noScore = t.add("_t_noscore", table(false, false, true));
    const QString typed = t.add("_t_typed", table(true, true, false));
    MainWindow window(t.registry.get());
    window.show();
    DriftPane *pane = strata::test::openFromTools<DriftPane>(window, "driftAction");
    QVERIFY(pane);
    QTRY_VERIFY_WITH_TIMEOUT(!pane->isLoadingSchemas() && pane->schemas().contains(typed), 20000);
    // The registry's databases, extras added meanwhile too.
    auto *databases = pane->findChild<QComboBox *>(QStringLiteral("driftDatabase"));
    QCOMPARE(databases->currentText(), QStringLiteral("primary"));
    t.registry->addExtra(QStringLiteral("later"),
                         strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("later")));
    QVERIFY(databases->findData(QStringLiteral("later")) > 0);
    pane->setTemplate(templateSchema);
    pane->setTenantPattern(t.prefix + "_t*");
    QStringList tenants = pane->tenants();
    tenants.sort();
    QCOMPARE(tenants, (QStringList{same, noScore, typed}));
    pane->setRowCounts(true);
    QSignalSpy compared(pane, &DriftPane::compared);
    QTest::mouseClick(pane->findChild<QPushButton *>(QStringLiteral("driftCompare")),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(compared.count(), 1, 30000);
    QCOMPARE(pane->report().tenants.size(), 3);
    QCOMPARE(pane->matrix()->rowCount(), 3);
    QVERIFY2(pane->statusLabel()->text().startsWith("2 of 3 tenant(s) drift"),
             qPrintable(pane->statusLabel()->text()));

    // At a glance: the same tenant has no cell filled; the others where they differ.
    const int sameRow = rowOf(pane, same), noScoreRow = rowOf(pane, noScore),
              typedRow = rowOf(pane, typed);
    for (int c = 0; c < DriftPane::CategoryCount; ++c)
        QCOMPARE(cell(pane, sameRow, DriftPane::Category(c)), QString());
    QVERIFY(pane->matrix()->verticalHeaderItem(sameRow)->text().startsWith(QStringLiteral("✓")));
    QVERIFY(pane->matrix()->verticalHeaderItem(typedRow)->text().startsWith(QStringLiteral("✗")));
    QCOMPARE(cell(pane, noScoreRow, DriftPane::MissingColumns), QStringLiteral("1"));
    QCOMPARE(cell(pane, noScoreRow, DriftPane::Types), QString());
    QCOMPARE(cell(pane, typedRow, DriftPane::Types), QStringLiteral("1"));
    QCOMPARE(cell(pane, typedRow, DriftPane::Constraints), QStringLiteral("1"));
    QCOMPARE(cell(pane, typedRow, DriftPane::RowCounts), QString()); // 1 row each

    // A click on a cell: the exact difference.
    const QRect rect =
        pane->matrix()->visualItemRect(pane->matrix()->item(typedRow, DriftPane::Types));
    QTest::mouseClick(pane->matrix()->viewport(), Qt::LeftButton, {}, rect.center());
    QVERIFY2(pane->details()->toPlainText().contains("Customer.email: type"),
             qPrintable(pane->details()->toPlainText()));
    pane->selectCell(typedRow, DriftPane::Constraints);
    QVERIFY2(pane->details()->toPlainText().contains("missing constraint"),
             qPrintable(pane->details()->toPlainText()));
    QVERIFY(pane->script()->isReadOnly());
    QVERIFY2(pane->script()->toPlainText().contains("BEGIN;"),
             qPrintable(pane->script()->toPlainText()));
    QPushButton *run = pane->runScriptButton();
    QVERIFY(run->isEnabled());
    QVERIFY2(run->text().contains(typed), qPrintable(run->text()));

    // Declined: nothing changes.
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY(pane->confirmation() && pane->confirmation()->isVisible());
    QVERIFY2(pane->confirmation()->text().contains(typed),
             qPrintable(pane->confirmation()->text()));
    pane->confirmation()->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!pane->confirmation());
    QVERIFY(!pane->isRunningScript());
    const auto typeOfEmail = [&] {
        return pg ? t.query(typed, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                   "WHERE attrelid = '{t}\"Customer\"'::regclass AND attname = "
                                   "'email'")
                        .text(0, 0)
                  : t.query(typed, "SELECT type FROM pragma_table_info('Customer', '" +
                                       QString(typed).replace("'", "''") +
                                       "') WHERE name = 'email'")
                        .text(0, 0);
    };
    QCOMPARE(typeOfEmail().toLower(), QStringLiteral("text"));

    // Accepted: the script runs on that tenant alone, which is compared again.
    QSignalSpy ran(pane, &DriftPane::scriptFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY(pane->confirmation() && pane->confirmation()->isVisible());
    pane->confirmation()->button(QMessageBox::Yes)->click();
    QTRY_COMPARE_WITH_TIMEOUT(ran.count(), 1, 30000);
    QVERIFY2(ran.first().at(1).toBool(), qPrintable(pane->statusLabel()->text()));
    QCOMPARE(ran.first().at(0).toString(), typed);
    QVERIFY(!pane->report().tenants[typedRow].drifts());
    QVERIFY(pane->matrix()->verticalHeaderItem(typedRow)->text().startsWith(QStringLiteral("✓")));
    QCOMPARE(cell(pane, typedRow, DriftPane::Types), QString());
    QVERIFY2(pane->details()->toPlainText().contains("now matches"),
             qPrintable(pane->details()->toPlainText()));
    QVERIFY(typeOfEmail().contains(QStringLiteral("80")));
    // The other drifting tenant was left alone.
    QVERIFY(pane->report().tenants[noScoreRow].drifts());
    QVERIFY2(pane->statusLabel()->text().contains("1 of 3 tenant(s) drift"),
             qPrintable(pane->statusLabel()->text()));
}

// With tenant models in the registry, the template offered first is the models: tenants are
// compared with what they declare (a tenant of another type and one without the table drift),
// and a script brings one there.
void TestDriftPane::theTenantModelsAreATemplate()
{
    STRATA_BACKEND_URL(url);
    TenantSet t(backend, url, QStringLiteral("dpm"));
    t.registry->addTenantModel(orm::ModelBuilder("Customer", "Customer")
                                   .field("id", "integer")
                                   .primaryKey()
                                   .field("name", "text")
                                   .notNull()
                                   .field("email", "varchar(80)")
                                   .build());
    const QString same = t.add("_same", table(false, false, false));
    const QString typed = t.add("_typed", table(false, true, false));
    const QString empty = t.add("_empty");
    MainWindow window(t.registry.get());
    window.show();
    DriftPane *pane = strata::test::openFromTools<DriftPane>(window, "driftAction");
    QVERIFY(pane);
    QTRY_VERIFY_WITH_TIMEOUT(!pane->isLoadingSchemas() && pane->schemas().contains(empty), 20000);
    auto *templates = pane->findChild<QComboBox *>(QStringLiteral("driftTemplate"));
    QCOMPARE(templates->itemText(0), QStringLiteral("Tenant models (1)"));
    pane->setTemplateModels();
    QVERIFY(pane->usesModels());
    pane->setTenantPattern(t.prefix + "_*");
    QStringList tenants = pane->tenants();
    tenants.sort();
    QCOMPARE(tenants, (QStringList{empty, same, typed}));
    QSignalSpy compared(pane, &DriftPane::compared);
    pane->compare();
    QTRY_COMPARE_WITH_TIMEOUT(compared.count(), 1, 30000);
    QVERIFY2(
        pane->statusLabel()->text().startsWith("2 of 3 tenant(s) drift from the tenant models"),
        qPrintable(pane->statusLabel()->text()));
    QCOMPARE(cell(pane, rowOf(pane, same), DriftPane::Types), QString());
    QCOMPARE(cell(pane, rowOf(pane, typed), DriftPane::Types), QStringLiteral("1"));
    QCOMPARE(cell(pane, rowOf(pane, empty), DriftPane::MissingTables), QStringLiteral("1"));

    const int row = rowOf(pane, empty);
    pane->selectCell(row, DriftPane::MissingTables);
    QVERIFY2(pane->details()->toPlainText().contains("Customer: missing table"),
             qPrintable(pane->details()->toPlainText()));
    QSignalSpy ran(pane, &DriftPane::scriptFinished);
    pane->runSelectedScript();
    QTRY_VERIFY(pane->confirmation() && pane->confirmation()->isVisible());
    QVERIFY2(pane->confirmation()->text().contains("the tenant models"),
             qPrintable(pane->confirmation()->text()));
    pane->confirmation()->button(QMessageBox::Yes)->click();
    QTRY_COMPARE_WITH_TIMEOUT(ran.count(), 1, 30000);
    QVERIFY2(ran.first().at(1).toBool(), qPrintable(pane->statusLabel()->text()));
    QVERIFY2(!pane->report().tenants[row].drifts(),
             qPrintable(pane->report().tenants[row].items.value(0).describe()));
    QCOMPARE(t.query(empty, "SELECT count(*) FROM {t}\"Customer\"").value(0, 0).toInt(), 0);
}

QTEST_MAIN(TestDriftPane)
#include "tst_drift_pane.moc"
