// Editing in the real window's grid (offscreen), on SQLite and PostgreSQL, in tenants with
// awkward names and a table named `Odd "Name"`: a cell edited in place is staged (shown, marked,
// counted), reviewed as its SQL, committed and then in the database; undone one by one;
// reverted; NULL and '' kept apart; a row another session changed is a conflict (nothing
// written), re-applied then committed; a constraint violation is shown on its row with the
// changes kept; tables that cannot be edited say why; rows inserted and deleted; a tenant
// switch with pending changes asks, and so does quitting.

#include "grid_editing_fixture.h"

using namespace grid_editing;

class TestGridEditing : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void editShowsStagedThenCommits();
    void doubleClickAndTypingStartAnEdit();
    void undoOneByOneAndRevert();
    void nullIsNotEmpty();
    void conflictStopsCommitThenRebase();
    void constraintViolationShownOnItsRow();
    void readOnlyTablesSayWhy();
    void readOnlyDatabaseSaysWhy();
    void insertAndDeleteRows();
    void selectionOfUnreadRowsIsRefused();
    void failedInsertIsMarkedOnItsRow();
    void tenantSwitchAsks();
    void journaledEditsOfferedBackAtStart();
    void quitWithPendingChangesAsks();
};

void TestGridEditing::editShowsStagedThenCommits()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    QVERIFY(f.editing()->readOnlyReason().isEmpty());

    // F2, type, Enter: staged, not written.
    QVERIFY(f.type(0, Title, QStringLiteral("Ålpha \"1\"")));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Ålpha \"1\""));
    // The detail pane shows what is staged, not the stored value under it.
    window.grid()->table()->setCurrentIndex(window.gridModel()->index(0, Title));
    QCOMPARE(window.grid()->detailPane()->toPlainText(), QStringLiteral("Ålpha \"1\""));
    QVERIFY(window.gridModel()->index(0, Title).data(Qt::BackgroundRole).isValid());
    QVERIFY(!window.gridModel()->index(0, Note).data(Qt::BackgroundRole).isValid());
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Alpha"));
    const auto *pending = window.findChild<QLabel *>(QStringLiteral("pendingLabel"));
    QVERIFY2(pending->text().contains(QLatin1String("1 pending change")),
             qPrintable(pending->text()));
    QVERIFY2(window.queryLabel()->text().contains(QLatin1String("1 pending change")),
             qPrintable(window.queryLabel()->text()));

    // A number through its own editor, a boolean through its list.
    QVERIFY(f.type(1, Rating, QStringLiteral("5")));
    auto *flag = qobject_cast<QComboBox *>(f.openEditor(1, Flag));
    QVERIFY(flag);
    QCOMPARE(flag->currentText(), QStringLiteral("false"));
    flag->setCurrentIndex(flag->findText(QStringLiteral("true")));
    QTest::keyClick(flag, Qt::Key_Return);
    QVERIFY(f.closed(1, Flag));
    QCOMPARE(f.editing()->pendingCount(), 3);
    QCOMPARE(f.cell(1, Flag), QStringLiteral("true"));

    // Review: the exact statements, with their parameters.
    const QString review = f.editing()->reviewText();
    QVERIFY2(review.contains(QLatin1String("UPDATE")) &&
                 review.contains(QStringLiteral("'Ålpha \"1\"'")) &&
                 review.contains(QLatin1String("Odd \"\"Name\"\"")),
             qPrintable(review));
    QTest::mouseClick(f.button(QStringLiteral("reviewButton")), Qt::LeftButton);
    QTRY_VERIFY(window.findChild<QDialog *>(QStringLiteral("reviewDialog")));
    auto *dialog = window.findChild<QDialog *>(QStringLiteral("reviewDialog"));
    QVERIFY(dialog->findChild<QPlainTextEdit *>(QStringLiteral("reviewText"))
                ->toPlainText()
                .contains(review));
    dialog->reject();

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Ålpha \"1\""));
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("rating")).toInt(), 5);
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("flag")).toBool(), true);
    // The other tenant's rows of the same table are untouched.
    QCOMPARE(f.stored(f.b, 1, QStringLiteral("Title")).toString(), QStringLiteral("Uno"));
    QCOMPARE(f.stored(f.b, 2, QStringLiteral("rating")).toInt(), 4);
    // The grid reads the rows again: the stored value, unmarked.
    QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0) && !window.isBusy(), 15000);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Ålpha \"1\""));
    QVERIFY(!window.gridModel()->index(0, Title).data(Qt::BackgroundRole).isValid());
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("Committed")),
             qPrintable(f.editing()->lastNotice()));
    f.settle();
}

// Besides F2: a double-click opens the editor, and typing on a cell starts an edit with what
// was typed.
void TestGridEditing::doubleClickAndTypingStartAnEdit()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QTableView *view = window.grid()->table();
    const QModelIndex title = window.gridModel()->index(2, Title);
    const QPoint at = view->visualRect(title).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
    auto *editor = qobject_cast<QLineEdit *>(view->indexWidget(title));
    QVERIFY(editor);
    QCOMPARE(editor->text(), QStringLiteral("Gamma"));
    QTest::keyClick(editor, Qt::Key_Escape); // Escape stages nothing
    QVERIFY(f.closed(2, Title));
    QCOMPARE(f.editing()->pendingCount(), 0);

    const QModelIndex rating = window.gridModel()->index(0, Rating);
    view->setCurrentIndex(rating);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_2);
    auto *typed = qobject_cast<QLineEdit *>(view->indexWidget(rating));
    QVERIFY(typed);
    QCOMPARE(typed->text(), QStringLiteral("2"));
    QTest::keyClick(typed, Qt::Key_Return);
    QVERIFY(f.closed(0, Rating));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QCOMPARE(f.cell(0, Rating), QStringLiteral("2"));
    f.editing()->revert();
    f.settle();
}

void TestGridEditing::undoOneByOneAndRevert()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QVERIFY(f.type(0, Title, QStringLiteral("one")));
    QVERIFY(f.type(1, Title, QStringLiteral("two")));
    QVERIFY(f.type(2, Note, QStringLiteral("three")));
    QCOMPARE(f.editing()->pendingCount(), 3);

    // Ctrl+Z in the grid takes back the last one, then the one before.
    QTableView *view = window.grid()->table();
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(f.editing()->pendingCount(), 2);
    QCOMPARE(f.cell(2, Note), QStringLiteral("it's"));
    QCOMPARE(f.cell(1, Title), QStringLiteral("two"));
    f.action(QStringLiteral("undoEditAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 1);
    QCOMPARE(f.cell(1, Title), QStringLiteral("Beta"));
    QCOMPARE(f.cell(0, Title), QStringLiteral("one"));

    QVERIFY(f.type(1, Rating, QStringLiteral("1")));
    QTest::mouseClick(f.button(QStringLiteral("revertButton")), Qt::LeftButton);
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    QCOMPARE(f.cell(1, Rating), QStringLiteral("4"));
    QVERIFY(!f.button(QStringLiteral("commitButton"))->isEnabled());
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Alpha"));
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("rating")).toInt(), 4);
    f.settle();
}

void TestGridEditing::nullIsNotEmpty()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QVERIFY(window.gridModel()->index(0, Note).data(strata::ui::GridModel::IsNullRole).toBool());
    // NULL emptied in its editor becomes ''; 'x' set to NULL by Set NULL.
    QVERIFY(f.type(0, Note, QString()));
    QCOMPARE(f.editing()->pendingCount(), 1);
    QVERIFY(!window.gridModel()->index(0, Note).data(strata::ui::GridModel::IsNullRole).toBool());
    QCOMPARE(f.cell(0, Note), QString());
    window.grid()->table()->setCurrentIndex(window.gridModel()->index(1, Note));
    window.grid()->table()->selectionModel()->select(window.gridModel()->index(1, Note),
                                                     QItemSelectionModel::ClearAndSelect);
    QVERIFY(window.grid()->detailPane()->toPlainText() != QStringLiteral("NULL"));
    f.action(QStringLiteral("setNullAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 2);
    // The current cell was set to NULL in place: the detail pane follows.
    QCOMPARE(window.grid()->detailPane()->toPlainText(), QStringLiteral("NULL"));
    QVERIFY(window.gridModel()->index(1, Note).data(strata::ui::GridModel::IsNullRole).toBool());
    QCOMPARE(f.cell(1, Note), QStringLiteral("NULL"));
    // An untouched editor stages nothing: NULL stays NULL when opened and closed.
    QWidget *editor = f.openEditor(1, Note);
    QVERIFY(editor);
    QTest::keyClick(editor, Qt::Key_Return);
    QVERIFY(f.closed(1, Note));
    QCOMPARE(f.editing()->pendingCount(), 2);

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    const QVariant empty = f.stored(f.a, 1, QStringLiteral("weird name"));
    QVERIFY(!empty.isNull());
    QCOMPARE(empty.toString(), QString());
    QVERIFY(f.stored(f.a, 2, QStringLiteral("weird name")).isNull());
    f.settle();
}

void TestGridEditing::conflictStopsCommitThenRebase()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QVERIFY(f.type(0, Title, QStringLiteral("mine")));
    QVERIFY(f.type(1, Title, QStringLiteral("mine too")));
    // Someone else changes the first row since the grid read it.
    f.elsewhere(f.a, QStringLiteral("UPDATE %1 SET \"Title\" = 'theirs' WHERE \"weird id\" = 1"));

    f.commit();
    QCOMPARE(f.editing()->conflicts().size(), 1);
    QCOMPARE(f.editing()->pendingCount(), 2);
    // Nothing of the batch was written.
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("theirs"));
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("Title")).toString(), QStringLiteral("Beta"));
    // The grid lists the row with what it holds now, and marks it.
    auto *list = window.findChild<QTreeWidget *>(QStringLiteral("conflictList"));
    QCOMPARE(list->topLevelItemCount(), 1);
    QVERIFY2(list->topLevelItem(0)->text(2).contains(QLatin1String("theirs")),
             qPrintable(list->topLevelItem(0)->text(2)));
    QVERIFY(list->isVisibleTo(&window));
    QVERIFY2(window.gridModel()
                 ->index(0, Title)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .contains(QLatin1String("changed")),
             qPrintable(window.gridModel()->index(0, Title).data(Qt::ToolTipRole).toString()));
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("Nothing was written")),
             qPrintable(f.editing()->lastNotice()));

    // Re-apply mine over theirs, knowingly; then the commit goes through.
    QTest::mouseClick(f.button(QStringLiteral("rebaseButton")), Qt::LeftButton);
    QCOMPARE(f.editing()->conflicts().size(), 0);
    QCOMPARE(f.editing()->pendingCount(), 2);
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("mine"));
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("Title")).toString(), QStringLiteral("mine too"));

    // Dropping a conflicting row's change keeps the other rows' for the next commit.
    QTRY_VERIFY_WITH_TIMEOUT(window.gridModel()->isRowLoaded(0) && !window.isBusy(), 15000);
    QVERIFY(f.type(0, Title, QStringLiteral("again")));
    QVERIFY(f.type(2, Title, QStringLiteral("kept")));
    f.elsewhere(f.a, QStringLiteral("DELETE FROM %1 WHERE \"weird id\" = 1"));
    f.commit();
    QCOMPARE(f.editing()->conflicts().size(), 1);
    QVERIFY(f.editing()->conflicts().first().deleted);
    QTest::mouseClick(f.button(QStringLiteral("dropButton")), Qt::LeftButton);
    QCOMPARE(f.editing()->pendingCount(), 1);
    f.commit();
    QCOMPARE(f.stored(f.a, 3, QStringLiteral("Title")).toString(), QStringLiteral("kept"));
    f.settle();
}

void TestGridEditing::constraintViolationShownOnItsRow()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QVERIFY(f.type(0, Note, QStringLiteral("fine")));
    QVERIFY(f.type(1, Rating, QStringLiteral("9"))); // CHECK (rating BETWEEN 1 AND 5)
    f.commit();
    QVERIFY(f.editing()->lastError().has_value());
    QCOMPARE(f.editing()->lastError()->kind, orm::editing::CommitError::Kind::CheckViolation);
    QCOMPARE(f.editing()->pendingCount(), 2); // kept, to fix
    QVERIFY(f.stored(f.a, 1, QStringLiteral("weird name")).isNull());
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("rating")).toInt(), 4);
    // On its row: marked, with the message; the other row is not.
    const QString tip = window.gridModel()->index(1, Rating).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1String("check"), Qt::CaseInsensitive), qPrintable(tip));
    QVERIFY(window.gridModel()->index(1, Title).data(Qt::ToolTipRole).toString() == tip);
    QVERIFY(window.gridModel()->index(0, Note).data(Qt::ToolTipRole).toString() != tip);
    QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("kept")),
             qPrintable(f.editing()->lastNotice()));

    // Fixed in place, it commits.
    QVERIFY(f.type(1, Rating, QStringLiteral("2")));
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("rating")).toInt(), 2);
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("weird name")).toString(), QStringLiteral("fine"));
    f.settle();
}

void TestGridEditing::readOnlyTablesSayWhy()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    // A table without a key: no editor opens, and the reason shows in the bar and the status bar.
    QVERIFY(f.show(f.a, kNoKey));
    QVERIFY2(f.editing()->readOnlyReason().contains(QLatin1String("no primary key")),
             qPrintable(f.editing()->readOnlyReason()));
    auto *notice = window.findChild<QLabel *>(QStringLiteral("editingNotice"));
    QVERIFY2(notice->text().contains(QLatin1String("no primary key")), qPrintable(notice->text()));
    QVERIFY(notice->isVisibleTo(&window));
    QVERIFY(!f.openEditor(0, 1));
    QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("no primary key")),
             qPrintable(window.statusBar()->currentMessage()));
    f.action(QStringLiteral("deleteRowsAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.rowCount(f.a), 3);

    // A view without a key, the same.
    QVERIFY(f.show(f.a, kView));
    QVERIFY(!f.openEditor(0, 0));
    QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("no primary key")),
             qPrintable(window.statusBar()->currentMessage()));

    // The window's read-only mode refuses on a table that could be edited.
    QVERIFY(f.show(f.a));
    QVERIFY(f.editing()->readOnlyReason().isEmpty());
    window.setReadOnlyMode(true);
    QVERIFY(!f.openEditor(0, Title));
    QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("read-only mode")),
             qPrintable(window.statusBar()->currentMessage()));
    f.action(QStringLiteral("insertRowAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 0);
    window.setReadOnlyMode(false);
    QVERIFY(f.type(0, Title, QStringLiteral("allowed again")));
    QCOMPARE(f.editing()->pendingCount(), 1);
    f.editing()->revert();
    f.settle();
}

// A database that takes no changes (PostgreSQL: sessions made read-only by the server, as on a
// standby; SQLite: a file opened read-only) refuses edits with that reason, before staging.
void TestGridEditing::readOnlyDatabaseSaysWhy()
{
    STRATA_BACKEND_URL(url);
    QString readOnly;
    {
        Fixture f(backend, url); // its tables, in the primary database this time
        await(f.registry->database()->executeScript(
            QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, t text); INSERT INTO %1 "
                           "VALUES (1, 'one');")
                .arg(Fixture::q(f.a + QStringLiteral(" ro")))));
        readOnly =
            f.pg() ? url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
                         QStringLiteral("options=-c%20default_transaction_read_only%3Don")
                   : QString(url).replace(QStringLiteral("create=true"), QStringLiteral("mode=ro"));
        const QString table = f.a + QStringLiteral(" ro");
        orm::Registry registry(readOnly);
        MainWindow window(&registry);
        window.setAsksForPasswords(false);
        window.show();
        await(registry.connect());
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty() && !window.isBusy(), 15000);
        QVERIFY(registry.database()->isReadOnly());
        window.openModel(table);
        QTRY_VERIFY_WITH_TIMEOUT(window.openedModel() == table &&
                                     window.gridModel()->isRowLoaded(0) && !window.isBusy(),
                                 15000);
        QVERIFY2(window.editing()->readOnlyReason().contains(QLatin1String("takes no changes")),
                 qPrintable(window.editing()->readOnlyReason()));
        QTableView *view = window.grid()->table();
        view->setCurrentIndex(window.gridModel()->index(0, 1));
        view->setFocus();
        QTest::keyClick(view, Qt::Key_F2);
        QVERIFY(!view->indexWidget(window.gridModel()->index(0, 1)));
        QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("takes no changes")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(window.editing()->pendingCount(), 0);
        await(registry.disconnect(true));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        await(f.registry->database()->executeScript(
            QStringLiteral("DROP TABLE %1").arg(Fixture::q(table))));
    }
}

void TestGridEditing::insertAndDeleteRows()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    // A new row: its columns left to the server until set.
    f.action(QStringLiteral("insertRowAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 1);
    strata::ui::editing::PendingInsertsModel *rows = f.editing()->bar()->newRowsModel();
    QCOMPARE(rows->rowCount(), 1);
    QVERIFY(f.editing()->bar()->newRows()->isVisibleTo(&window));
    QCOMPARE(rows->index(0, Rating).data().toString(), QStringLiteral("DEFAULT"));
    QVERIFY(rows->setData(rows->index(0, Title), QStringLiteral("Delta \"new\"")));
    // A duplicate of the second row.
    QTableView *view = window.grid()->table();
    view->selectionModel()->select(window.gridModel()->index(1, Title),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    f.action(QStringLiteral("duplicateRowAction"))->trigger();
    QCOMPARE(rows->rowCount(), 2);
    QCOMPARE(rows->index(1, Title).data().toString(), QStringLiteral("Beta"));
    QCOMPARE(rows->index(1, Id).data().toString(), QStringLiteral("DEFAULT"));
    // The first row marked for deletion, not removed until commit.
    view->selectionModel()->select(window.gridModel()->index(0, Title),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    f.action(QStringLiteral("deleteRowsAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 4);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Alpha"));
    QVERIFY(window.gridModel()->index(0, Title).data(Qt::FontRole).value<QFont>().strikeOut());
    QVERIFY(!f.openEditor(0, Title)); // marked rows take no edits
    QCOMPARE(f.rowCount(f.a), 3);

    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.rowCount(f.a), 4);
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("<no row>"));
    const orm::Result added = await(f.registry->database()->execute(
        QStringLiteral("SELECT \"Title\", rating, \"weird name\" FROM %1 WHERE \"weird id\" > 3 "
                       "ORDER BY \"weird id\"")
            .arg(f.table(f.a))));
    QCOMPARE(added.rowCount(), 2);
    QCOMPARE(added.value(0, 0).toString(), QStringLiteral("Delta \"new\""));
    QCOMPARE(added.value(0, 1).toInt(), 3); // the server's default
    QCOMPARE(added.value(1, 0).toString(), QStringLiteral("Beta"));
    QCOMPARE(added.value(1, 2).toString(), QStringLiteral("x"));
    QVERIFY(!f.editing()->bar()->newRows()->isVisibleTo(&window));
    f.settle();
}

// A selection reaching rows the grid has not read yet (Select All on 5,000 rows) is refused,
// naming how many, by Delete rows, Set NULL and Duplicate: acting on the rows read alone would
// leave out part of the selection without a word. A selection of rows read goes ahead.
void TestGridEditing::selectionOfUnreadRowsIsRefused()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    f.elsewhere(f.a, QStringLiteral("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM "
                                    "n WHERE i < 5000) INSERT INTO %1 (\"Title\") SELECT 'row ' "
                                    "|| i FROM n"));
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    strata::ui::GridModel *model = window.gridModel();
    QTableView *view = window.grid()->table();
    view->selectAll();
    const qint64 last = model->base() + model->rowCount() - 1;
    QVERIFY(model->isRowLoaded(model->base()));
    QVERIFY(!model->isRowLoaded(last));
    for (const char *name : {"deleteRowsAction", "setNullAction", "duplicateRowAction"}) {
        f.action(QString::fromLatin1(name))->trigger();
        QCOMPARE(f.editing()->pendingCount(), 0);
        QVERIFY2(f.editing()->lastNotice().contains(QLatin1String("not been read")),
                 qPrintable(
                     QStringLiteral("%1: %2").arg(QLatin1String(name), f.editing()->lastNotice())));
    }
    QCOMPARE(f.rowCount(f.a), 5003);

    view->selectionModel()->select(QItemSelection(model->index(0, Title), model->index(1, Title)),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    f.action(QStringLiteral("deleteRowsAction"))->trigger();
    QCOMPARE(f.editing()->pendingCount(), 2);
    f.settle();
}

// A new row the server refuses (NOT NULL "Title" left out) is marked with the server's message
// on that row, the first of two; nothing is written, and once fixed it commits.
void TestGridEditing::failedInsertIsMarkedOnItsRow()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    f.open();
    QVERIFY(f.show(f.a));
    f.action(QStringLiteral("insertRowAction"))->trigger();
    f.action(QStringLiteral("insertRowAction"))->trigger();
    strata::ui::editing::PendingInsertsModel *rows = f.editing()->bar()->newRowsModel();
    QVERIFY(rows->setData(rows->index(1, Title), QStringLiteral("Second")));
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 3);
    QCOMPARE(f.rowCount(f.a), 3);
    const QString message = rows->index(0, Note).data(Qt::ToolTipRole).toString();
    QVERIFY2(message.contains(QLatin1String("Title"), Qt::CaseInsensitive) &&
                 message.contains(QLatin1String("NULL"), Qt::CaseInsensitive),
             qPrintable(message));
    QCOMPARE(rows->headerData(0, Qt::Vertical, Qt::ToolTipRole).toString(), message);
    QVERIFY(rows->index(0, Note).data(Qt::BackgroundRole).isValid());
    QVERIFY(rows->index(1, Note).data(Qt::ToolTipRole).toString() != message);
    QVERIFY(!rows->headerData(1, Qt::Vertical, Qt::ToolTipRole).isValid());

    // Typed in the new row's own line editor, then committed.
    auto *line = qobject_cast<QLineEdit *>(f.openNewRowEditor(0, Title));
    QVERIFY(line);
    QTest::keyClicks(line, QStringLiteral("First"));
    QTest::keyClick(line, Qt::Key_Return);
    QVERIFY(f.newRowClosed(0, Title));
    f.commit();
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.rowCount(f.a), 5);
    f.settle();
}

void TestGridEditing::tenantSwitchAsks()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    MainWindow &window = f.open();
    QVERIFY(f.show(f.a));
    QVERIFY(f.type(0, Title, QStringLiteral("pending")));
    const auto choose = [&window](const QString &schema) {
        QComboBox *switcher = window.schemaSwitcher();
        switcher->setCurrentIndex(switcher->findText(schema));
        emit switcher->textActivated(schema);
    };

    // Cancel: nothing changes, the change stays.
    {
        MessageBoxAnswerer answer(QStringLiteral("cancelButton"));
        choose(f.b);
        QCOMPARE(answer.seen, 1);
        QVERIFY2(answer.text.contains(QLatin1String("1 change")), qPrintable(answer.text));
    }
    QCOMPARE(window.activeSchema(), f.a);
    QCOMPARE(window.schemaSwitcher()->currentText(), f.a);
    QCOMPARE(f.editing()->pendingCount(), 1);

    // Discard: the switch happens, nothing is written.
    {
        MessageBoxAnswerer answer(QStringLiteral("discardEditsButton"));
        choose(f.b);
        QCOMPARE(answer.seen, 1);
    }
    QTRY_VERIFY_WITH_TIMEOUT(window.activeSchema() == f.b && window.openedModel() == kTable &&
                                 window.gridModel()->isRowLoaded(0) && !window.isBusy(),
                             15000);
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.cell(0, Title), QStringLiteral("Uno"));
    QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Alpha"));

    // Commit: the change goes to its own tenant, then the switch happens.
    QVERIFY(f.type(1, Title, QStringLiteral("Dos \"2\"")));
    {
        MessageBoxAnswerer answer(QStringLiteral("commitEditsButton"));
        choose(f.a);
        QCOMPARE(answer.seen, 1);
    }
    QTRY_VERIFY_WITH_TIMEOUT(window.activeSchema() == f.a && window.openedModel() == kTable &&
                                 window.gridModel()->isRowLoaded(0) && !window.isBusy(),
                             15000);
    QCOMPARE(f.editing()->pendingCount(), 0);
    QCOMPARE(f.stored(f.b, 2, QStringLiteral("Title")).toString(), QStringLiteral("Dos \"2\""));
    QCOMPARE(f.stored(f.a, 2, QStringLiteral("Title")).toString(), QStringLiteral("Beta"));
    QCOMPARE(f.cell(1, Title), QStringLiteral("Beta"));

    // Another table of the same tenant asks too.
    QVERIFY(f.type(0, Note, QStringLiteral("n")));
    {
        MessageBoxAnswerer answer(QStringLiteral("cancelButton"));
        window.openModel(kNoKey);
        QCOMPARE(answer.seen, 1);
    }
    QCOMPARE(window.openedModel(), kTable);
    QCOMPARE(f.editing()->pendingCount(), 1);
    f.editing()->revert();
    f.settle();
}

// Edits staged in a window that went away without committing (as a crash leaves them) are
// offered back by the next window: Review opens the table with them staged; Discard forgets
// them for good.
void TestGridEditing::journaledEditsOfferedBackAtStart()
{
    STRATA_BACKEND_URL(url);
    Fixture f(backend, url);
    QTemporaryDir journal;
    f.open(journal.path());
    QVERIFY(f.show(f.a));
    QVERIFY(f.type(0, Title, QStringLiteral("recovered \"x\"")));
    QVERIFY(f.type(1, Note, QStringLiteral("n2")));
    const QString path = f.editing()->changeSet()->journalPath();
    QVERIFY(QFile::exists(path));
    QCOMPARE(QFile::permissions(path),
             QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser); // 0600
    f.settle();
    f.window.reset(); // gone without a word, as a killed process

    {
        MainWindow &window = f.open(journal.path());
        MessageBoxAnswerer answer(QStringLiteral("reviewRecoveredButton"));
        window.offerRecoveredEdits();
        QCOMPARE(answer.seen, 1);
        QVERIFY2(answer.text.contains(QLatin1String("2 unsaved changes to Odd \"Name\" in ")) &&
                     answer.text.contains(f.a),
                 qPrintable(answer.text));
        QTRY_VERIFY_WITH_TIMEOUT(window.activeSchema() == f.a && window.openedModel() == kTable &&
                                     window.gridModel()->isRowLoaded(0) && !window.isBusy() &&
                                     f.editing()->pendingCount() == 2,
                                 15000);
        QCOMPARE(f.cell(0, Title), QStringLiteral("recovered \"x\""));
        QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Alpha"));
        f.commit();
        QCOMPARE(f.editing()->pendingCount(), 0);
        QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(),
                 QStringLiteral("recovered \"x\""));
        QCOMPARE(f.stored(f.a, 2, QStringLiteral("weird name")).toString(), QStringLiteral("n2"));
        QVERIFY(orm::editing::ChangeSet::journalsLeftBehind(journal.path()).isEmpty());

        // Again, discarded this time.
        QVERIFY(f.type(2, Title, QStringLiteral("never")));
        f.settle();
    }
    f.window.reset();
    {
        MainWindow &window = f.open(journal.path());
        MessageBoxAnswerer answer(QStringLiteral("discardRecoveredButton"));
        window.offerRecoveredEdits();
        QCOMPARE(answer.seen, 1);
        QVERIFY2(answer.text.contains(QLatin1String("1 unsaved change to")),
                 qPrintable(answer.text));
        QVERIFY(orm::editing::ChangeSet::journalsLeftBehind(journal.path()).isEmpty());
        QCOMPARE(f.stored(f.a, 3, QStringLiteral("Title")).toString(), QStringLiteral("Gamma"));
        // Nothing is offered the next time (the offer asks before it returns).
        MessageBoxAnswerer none(QMessageBox::Cancel);
        window.offerRecoveredEdits();
        QCOMPARE(none.seen, 0);
        f.settle();
    }
}

QTEST_MAIN(TestGridEditing)
#include "tst_grid_editing.moc"

// Quitting with staged changes asks first: No keeps the window and the changes; Yes quits
// without writing them, and says whether the journal keeps them for the next start.
void TestGridEditing::quitWithPendingChangesAsks()
{
    STRATA_BACKEND_URL(url);
    for (const bool journaled : {false, true}) {
        Fixture f(backend, url);
        QTemporaryDir journal;
        MainWindow &window = f.open(journaled ? journal.path() : QString());
        QVERIFY(f.show(f.a));
        QVERIFY(f.type(0, Title, QStringLiteral("not yet")));
        {
            MessageBoxAnswerer answer(QMessageBox::No);
            QVERIFY(!window.close());
            QCOMPARE(answer.seen, 1);
            QVERIFY2(
                answer.text.contains(QLatin1String("1 change to Odd \"Name\" is not committed")),
                qPrintable(answer.text));
            QVERIFY2(answer.text.contains(journaled
                                              ? QLatin1String("offered back at the next start")
                                              : QLatin1String("Quitting loses them")),
                     qPrintable(answer.text));
        }
        QVERIFY(window.isVisible());
        QCOMPARE(f.editing()->pendingCount(), 1);
        QCOMPARE(f.cell(0, Title), QStringLiteral("not yet"));
        const QString path = journaled ? f.editing()->changeSet()->journalPath() : QString();
        {
            MessageBoxAnswerer answer(QMessageBox::Yes);
            QVERIFY(window.close());
            QCOMPARE(answer.seen, 1);
        }
        QVERIFY(!window.isVisible());
        QCOMPARE(f.stored(f.a, 1, QStringLiteral("Title")).toString(), QStringLiteral("Alpha"));
        if (journaled)
            QVERIFY2(QFile::exists(path), qPrintable(path));
        f.settle();
    }
}
