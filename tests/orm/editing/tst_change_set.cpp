// Staged edits on both backends, in tenant schemas and tables of awkward names: row identity,
// staging and undo, the reviewed SQL, commits in one transaction, conflicts against a second
// connection that changed or deleted the row, errors on the row that caused them, lock waits
// and SQLite busy, and read-only databases.

#include "editing_fixture.h"

#include "orm/database/transaction.h"
#include "unprivileged.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

using namespace editing_fixture;
using orm::editing::ChangeSet;
using orm::editing::CommitError;
using orm::editing::CommitResult;
using orm::editing::StagedChange;

namespace {

using Status = CommitResult::Status;

const QVariant kNull;

QString statusName(Status status)
{
    switch (status) {
    case Status::Committed:
        return QStringLiteral("Committed");
    case Status::Nothing:
        return QStringLiteral("Nothing");
    case Status::Refused:
        return QStringLiteral("Refused");
    case Status::Conflicts:
        return QStringLiteral("Conflicts");
    case Status::Failed:
        return QStringLiteral("Failed");
    }
    return {};
}

#define COMPARE_STATUS(result, expected)                                                           \
    QVERIFY2((result).status == (expected),                                                        \
             qPrintable(statusName((result).status) + QStringLiteral(": ") + (result).summary()))

} // namespace

class TestChangeSet : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void rowIdentity();
    void stagesUndoesAndReviews();
    void reviewIsTheExactSql();
    void commitsInOneTransactionInItsTenant();
    void insertsLeaveColumnsToTheServer();
    void conflictWhenAnotherSessionChangedTheRow();
    void conflictWhenAnotherSessionDeletedTheRow();
    void constraintAndTypeErrorsNameTheRow_data();
    void constraintAndTypeErrorsNameTheRow();
    void lockWaitOrBusyFailsWithoutWriting();
    void readOnlyDatabasesRefuse();
    void badInputIsRefusedClearly();
    void checksValuesAsTheServerStoresThem();
    void generatedColumnsAreTheServers();
    void pasteOfManyRowsChecksEachRow();
    void pastedCellsUndoAndDropOneByOne();
    void awkwardTextsCommitAndCheckExactly();
    void pasteAcrossChunksConflictsInTheLast();
    void rowsFoldedWhileSendingStayWhole();
    void pasteInSlicesGivesTheLoopBack();
};

void TestChangeSet::rowIdentity()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    using orm::editing::rowIdentityOf;

    const auto film = rowIdentityOf(t->model(t->a));
    QVERIFY2(film.isEditable(), qPrintable(film.readOnlyReason));
    QCOMPARE(film.columns, QStringList{kId});
    QCOMPARE(film.source, QStringLiteral("primary key"));

    // A unique key of NOT NULL columns identifies rows; a nullable or partial one does not.
    const QString s = t->a;
    t->run(QStringLiteral("CREATE TABLE %1 (%2 text NOT NULL, %3 integer NOT NULL, v text, "
                          "UNIQUE (%2, %3))")
               .arg(orm::qualifiedName(s, QStringLiteral("by code")),
                    Tenants::q(QStringLiteral("Code \"c\"")), Tenants::q(QStringLiteral("n"))));
    const auto byCode = rowIdentityOf(t->model(s, QStringLiteral("by code")));
    QVERIFY2(byCode.isEditable(), qPrintable(byCode.readOnlyReason));
    QCOMPARE(byCode.columns, (QStringList{QStringLiteral("Code \"c\""), QStringLiteral("n")}));
    QVERIFY(byCode.source.startsWith(QStringLiteral("unique key ")));

    t->run(QStringLiteral("CREATE TABLE %1 (code text UNIQUE, v text)")
               .arg(orm::qualifiedName(s, QStringLiteral("nullable key"))));
    const auto nullable = rowIdentityOf(t->model(s, QStringLiteral("nullable key")));
    QVERIFY(!nullable.isEditable());
    QCOMPARE(nullable.readOnlyReason,
             QStringLiteral("nullable key has no primary key or unique not-null key"));

    t->run(QStringLiteral("CREATE TABLE %1 (code text NOT NULL, live integer NOT NULL)")
               .arg(orm::qualifiedName(s, QStringLiteral("partial"))));
    t->run(QStringLiteral("CREATE UNIQUE INDEX %1 ON %2 (code) WHERE live = 1")
               .arg(t->pg() ? QStringLiteral("partial_code")
                            : orm::qualifiedName(s, QStringLiteral("partial_code")),
                    t->pg() ? orm::qualifiedName(s, QStringLiteral("partial"))
                            : Tenants::q(QStringLiteral("partial"))));
    QVERIFY(!rowIdentityOf(t->model(s, QStringLiteral("partial"))).isEditable());

    // A view has no key of its own: read-only, whatever ctid or rowid it could be given.
    t->run(QStringLiteral("CREATE VIEW %1 AS SELECT * FROM %2")
               .arg(orm::qualifiedName(s, QStringLiteral("film_list")),
                    t->pg() ? t->film(s) : Tenants::q(kTable)));
    const orm::Model view = t->model(s, QStringLiteral("film_list"));
    QCOMPARE(rowIdentityOf(view).readOnlyReason,
             QStringLiteral("film_list has no primary key or unique not-null key"));
    ChangeSet edits(t->registry.get(), QString(), s, view);
    QVERIFY(!edits.isEditable());
    try {
        edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("x"));
        QFAIL("a view without a key was staged");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Usage);
        QVERIFY2(error.message().contains(QStringLiteral("no primary key or unique not-null key")),
                 qPrintable(error.message()));
    }
}

void TestChangeSet::stagesUndoesAndReviews()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    QCOMPARE(edits.pendingCount(), 0);

    // NULL and the empty string are different values, both ways.
    edits.updateCell({1}, kNote, kNull, QStringLiteral(""));
    edits.updateCell({2}, kNote, QStringLiteral(""), kNull);
    const int insert = edits.insertRow({{kTitle, QStringLiteral("Delta")}});
    edits.updateInsertedCell(insert, kTag, QStringLiteral("tag 4"));
    const int copy = edits.duplicateRow(t->rows(t->a).value(3));
    edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}});
    QCOMPARE(edits.pendingCount(), 6);
    QVERIFY(edits.isDeleted({3}));
    QCOMPARE(*edits.pendingValue({1}, kNote), QVariant(QStringLiteral("")));
    QVERIFY(!edits.pendingValue({1}, kNote)->isNull());
    QVERIFY(!edits.pendingValue({2}, kNote)->isValid());
    QCOMPARE(edits.pendingInserts(), (QList<int>{insert, copy}));
    QCOMPARE(edits.insertValues(insert).value(kTag), QVariant(QStringLiteral("tag 4")));
    // The copy leaves its identity to the server.
    QVERIFY(!edits.insertValues(copy).contains(kId));
    QCOMPARE(edits.insertValues(copy).value(kTitle).toString(), QStringLiteral("Gamma"));

    // A row staged for deletion takes no cell changes.
    QVERIFY_THROWS_EXCEPTION(
        orm::Error, edits.updateCell({3}, kTitle, QStringLiteral("Gamma"), QStringLiteral("x")));

    QCOMPARE(edits.review().size(), 5); // the insert and its cell are one statement

    // Undone one by one, last first.
    QVERIFY(edits.undo());
    QVERIFY(!edits.isDeleted({3}));
    QVERIFY(edits.undo());
    QCOMPARE(edits.pendingInserts(), QList<int>{insert});
    QVERIFY(edits.undo());
    QVERIFY(!edits.insertValues(insert).contains(kTag));
    QCOMPARE(edits.pendingCount(), 3);

    // A cell changed twice still checks the value the server had.
    edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("A1"));
    edits.updateCell({1}, kTitle, QStringLiteral("A1"), QStringLiteral("A2"));
    edits.undo();
    const auto statements = edits.review();
    bool checked = false;
    for (const auto &statement : statements)
        if (statement.key == orm::editing::RowKey{1} &&
            statement.params.contains(QVariant(QStringLiteral("Alpha"))))
            checked = true;
    QVERIFY(checked);

    edits.revert();
    QCOMPARE(edits.pendingCount(), 0);
    QVERIFY(edits.review().isEmpty());
    QVERIFY(!edits.undo());
    const auto nothing = await(edits.commit());
    COMPARE_STATUS(nothing, Status::Nothing);
}

void TestChangeSet::reviewIsTheExactSql()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({2}, kTitle, QStringLiteral("Beta"), QStringLiteral("Beta 2"));
    edits.updateCell({2}, kNote, QStringLiteral(""), kNull);
    edits.updateCell({1}, kNote, kNull, QStringLiteral("n"));
    edits.insertRow({{kTitle, QStringLiteral("New")}, {kNote, kNull}});
    edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}, {kNote, QStringLiteral("it's")}});

    const QString film = t->film(t->a);
    const bool pg = t->pg();
    const auto p = [pg](int n) {
        return (pg ? QStringLiteral("$") : QStringLiteral("?")) + QString::number(n);
    };
    const QString same = pg ? QStringLiteral(" IS NOT DISTINCT FROM ") : QStringLiteral(" IS ");
    const auto statements = edits.review();
    QCOMPARE(statements.size(), 4);
    // Columns in name order; the key, then the values seen in the changed columns.
    QCOMPARE(statements[0].sql,
             QStringLiteral("UPDATE ") + film + QStringLiteral(" SET \"Title\" = ") + p(1) +
                 QStringLiteral(", \"note's\" = ") + p(2) +
                 QStringLiteral(" WHERE \"Film ID\" = ") + p(3) + QStringLiteral(" AND \"Title\"") +
                 same + p(4) + QStringLiteral(" AND \"note's\"") + same + p(5));
    QCOMPARE(statements[0].params, (QVariantList{QStringLiteral("Beta 2"), kNull, 2,
                                                 QStringLiteral("Beta"), QStringLiteral("")}));
    // A NULL seen is IS NULL.
    QCOMPARE(statements[1].sql, QStringLiteral("UPDATE ") + film +
                                    QStringLiteral(" SET \"note's\" = ") + p(1) +
                                    QStringLiteral(" WHERE \"Film ID\" = ") + p(2) +
                                    QStringLiteral(" AND \"note's\" IS NULL"));
    QCOMPARE(statements[1].params, (QVariantList{QStringLiteral("n"), 1}));
    QCOMPARE(statements[2].sql, QStringLiteral("INSERT INTO ") + film +
                                    QStringLiteral(" (\"Title\", \"note's\") VALUES (") + p(1) +
                                    QStringLiteral(", ") + p(2) + QStringLiteral(")"));
    QCOMPARE(statements[2].params, (QVariantList{QStringLiteral("New"), kNull}));
    QCOMPARE(statements[3].sql, QStringLiteral("DELETE FROM ") + film +
                                    QStringLiteral(" WHERE \"Film ID\" = ") + p(1) +
                                    QStringLiteral(" AND \"Title\"") + same + p(2) +
                                    QStringLiteral(" AND \"note's\"") + same + p(3));
    QCOMPARE(statements[3].kind, StagedChange::Kind::Delete);
    QCOMPARE(statements[3].key, (orm::editing::RowKey{3}));
}

void TestChangeSet::commitsInOneTransactionInItsTenant()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QMap<int, QVariantMap> before = t->rows(t->b);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({1}, kNote, kNull, QStringLiteral(""));
    edits.updateCell({2}, kNote, QStringLiteral(""), kNull);
    edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("Ålpha \"1\""));
    edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}});
    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.statements, 3);
    QCOMPARE(result.rowsChanged, 3);
    QCOMPARE(edits.pendingCount(), 0);

    const auto rows = t->rows(t->a);
    QCOMPARE(rows.keys(), (QList<int>{1, 2}));
    QCOMPARE(rows[1].value(kTitle).toString(), QStringLiteral("Ålpha \"1\""));
    QVERIFY(rows[1].value(kNote).isValid());
    QCOMPARE(rows[1].value(kNote).toString(), QStringLiteral(""));
    QVERIFY(!rows[2].value(kNote).isValid());
    // The other tenant's rows of the same ids are untouched.
    QCOMPARE(t->rows(t->b), before);
}

void TestChangeSet::insertsLeaveColumnsToTheServer()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    const int insert = edits.insertRow({{kTitle, QStringLiteral("Delta")}, {kNote, kNull}});
    edits.updateInsertedCell(insert, kTag, QStringLiteral("tag 4"));
    QVariantMap gamma = t->rows(t->a).value(3);
    gamma[kTag] = QStringLiteral("tag 5"); // the copy needs its own unique tag
    edits.duplicateRow(gamma);
    const int dropped = edits.insertRow({{kTitle, QStringLiteral("never")}});
    edits.deleteInsertedRow(dropped);
    QCOMPARE(edits.review().size(), 2);
    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);

    const auto rows = t->rows(t->a);
    QCOMPARE(rows.size(), 5);
    const QVariantMap delta = rows.value(4);
    QCOMPARE(delta.value(kTitle).toString(), QStringLiteral("Delta"));
    QCOMPARE(delta.value(kRating).toInt(), 3); // the column's default
    QCOMPARE(delta.value(kTag).toString(), QStringLiteral("tag 4"));
    QVERIFY(!delta.value(kNote).isValid());
    const QVariantMap copy = rows.value(5); // identity numbered by the server
    QCOMPARE(copy.value(kTitle).toString(), QStringLiteral("Gamma"));
    QCOMPARE(copy.value(kNote).toString(), QStringLiteral("it's"));
    QCOMPARE(copy.value(kRating), rows.value(3).value(kRating));
}

void TestChangeSet::conflictWhenAnotherSessionChangedTheRow()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("mine"));
    edits.updateCell({2}, kTitle, QStringLiteral("Beta"), QStringLiteral("Beta 2"));
    edits.updateCell({2}, kRating, 4, 5);

    // Someone else changes row 2's title (the rating stays as seen).
    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    await(other.execute(QStringLiteral("UPDATE %1 SET %2 = 'theirs' WHERE %3 = 2")
                            .arg(t->film(t->a), Tenants::q(kTitle), Tenants::q(kId))));

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Conflicts);
    QCOMPARE(result.conflicts.size(), 1);
    const auto &conflict = result.conflicts.first();
    QCOMPARE(conflict.key.value(0).toInt(), 2);
    QVERIFY(!conflict.deleted);
    QCOMPARE(conflict.current.value(kTitle).toString(), QStringLiteral("theirs"));
    QCOMPARE(conflict.columns, QStringList{kTitle});
    QCOMPARE(conflict.changeIds.size(), 2);
    QVERIFY2(conflict.message.contains(QStringLiteral("Title is now 'theirs' (was 'Beta')")),
             qPrintable(conflict.message));
    // Nothing of the batch was written, row 1's change included; the changes stay.
    QCOMPARE(t->rows(t->a).value(1).value(kTitle).toString(), QStringLiteral("Alpha"));
    QCOMPARE(t->rows(t->a).value(2).value(kRating).toInt(), 4);
    QCOMPARE(edits.pendingCount(), 3);

    // Re-applied onto the current values, the commit goes through.
    edits.rebase(conflict);
    const auto again = await(edits.commit());
    COMPARE_STATUS(again, Status::Committed);
    const auto rows = t->rows(t->a);
    QCOMPARE(rows[1].value(kTitle).toString(), QStringLiteral("mine"));
    QCOMPARE(rows[2].value(kTitle).toString(), QStringLiteral("Beta 2"));
    QCOMPARE(rows[2].value(kRating).toInt(), 5);
    await(other.disconnect());
}

void TestChangeSet::conflictWhenAnotherSessionDeletedTheRow()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({1}, kNote, kNull, QStringLiteral("kept"));
    edits.deleteRow({2}, {{kTitle, QStringLiteral("Beta")}, {kNote, QStringLiteral("")}});
    edits.updateCell({3}, kNote, QStringLiteral("it's"), QStringLiteral("gone"));

    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    // Row 3 deleted, row 2 changed under the pending delete.
    await(other.execute(
        QStringLiteral("DELETE FROM %1 WHERE %2 = 3").arg(t->film(t->a), Tenants::q(kId))));
    await(other.execute(QStringLiteral("UPDATE %1 SET %2 = 'edited' WHERE %3 = 2")
                            .arg(t->film(t->a), Tenants::q(kNote), Tenants::q(kId))));

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Conflicts);
    QCOMPARE(result.conflicts.size(), 2);
    QCOMPARE(result.conflicts[0].key.value(0).toInt(), 2);
    QVERIFY(!result.conflicts[0].deleted);
    QCOMPARE(result.conflicts[0].columns, QStringList{kNote});
    QCOMPARE(result.conflicts[1].key.value(0).toInt(), 3);
    QVERIFY(result.conflicts[1].deleted);
    QVERIFY(result.conflicts[1].current.isEmpty());
    QVERIFY2(result.conflicts[1].message.contains(QStringLiteral("was deleted")),
             qPrintable(result.conflicts[1].message));
    QVERIFY(!t->rows(t->a).value(1).value(kNote).isValid());

    // A deleted row cannot be rebased; dropped, the rest commits.
    QVERIFY_THROWS_EXCEPTION(orm::Error, edits.rebase(result.conflicts[1]));
    edits.drop(result.conflicts[1].key);
    edits.drop(result.conflicts[0].key);
    QCOMPARE(edits.pendingCount(), 1);
    const auto again = await(edits.commit());
    COMPARE_STATUS(again, Status::Committed);
    QCOMPARE(t->rows(t->a).value(1).value(kNote).toString(), QStringLiteral("kept"));
    QCOMPARE(t->rows(t->a).value(2).value(kNote).toString(), QStringLiteral("edited"));
    await(other.disconnect());
}

void TestChangeSet::constraintAndTypeErrorsNameTheRow_data()
{
    QTest::addColumn<QString>("column");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("says");
    QTest::newRow("unique") << kTag << QVariant(QStringLiteral("tag 1"))
                            << int(CommitError::Kind::UniqueViolation) << QStringLiteral("unique");
    QTest::newRow("check") << kRating << QVariant(9) << int(CommitError::Kind::CheckViolation)
                           << QStringLiteral("check");
    QTest::newRow("not null") << kTitle << QVariant() << int(CommitError::Kind::NotNullViolation)
                              << QStringLiteral("not.null");
    QTest::newRow("foreign key") << kGenreId << QVariant(99)
                                 << int(CommitError::Kind::ForeignKeyViolation)
                                 << QStringLiteral("foreign key");
    QTest::newRow("type") << kRating << QVariant(QStringLiteral("five"))
                          << int(CommitError::Kind::TypeError)
                          << QStringLiteral("\"five\"|cannot store TEXT value in INTEGER");
}

void TestChangeSet::constraintAndTypeErrorsNameTheRow()
{
    STRATA_BACKEND_URL(url);
    QFETCH(QString, column);
    QFETCH(QVariant, value);
    QFETCH(int, kind);
    QFETCH(QString, says);
    auto t = makeTenants(backend, url);
    const auto before = t->rows(t->a);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({1}, kNote, kNull, QStringLiteral("written first"));
    const int failing = edits.updateCell({2}, column, before[2].value(column), value);
    edits.updateCell({3}, kNote, QStringLiteral("it's"), QStringLiteral("after"));

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Failed);
    QVERIFY(result.error);
    QVERIFY2(
        int(result.error->kind) == kind,
        qPrintable(
            QStringLiteral("kind %1: %2").arg(int(result.error->kind)).arg(result.error->message)));
    QCOMPARE(result.error->key.value(0).toInt(), 2);
    QCOMPARE(result.error->changeIds, QList<int>{failing});
    QVERIFY2(result.error->message.startsWith(QStringLiteral("row Film ID=2: ")),
             qPrintable(result.error->message));
    QVERIFY2(result.error->message.contains(
                 QRegularExpression(says, QRegularExpression::CaseInsensitiveOption)),
             qPrintable(result.error->message));
    // Nothing written, everything still staged.
    QCOMPARE(t->rows(t->a), before);
    QCOMPARE(edits.pendingCount(), 3);
}

void TestChangeSet::lockWaitOrBusyFailsWithoutWriting()
{
    QFETCH_GLOBAL(QString, backend);
    QString url = strata::test::urlFor(backend);
    if (url.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    if (backend == QLatin1String("sqlite"))
        url += QStringLiteral("&busy_timeout=200");
    auto t = makeTenants(backend, url);
    ChangeSet::Options options;
    options.lockTimeoutMs = 200;
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), options);
    edits.updateCell({1}, kNote, kNull, QStringLiteral("mine"));
    edits.updateCell({2}, kNote, QStringLiteral(""), QStringLiteral("mine too"));

    // Another connection holds row 2 (PostgreSQL: its row lock; SQLite: the file's write lock).
    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    orm::Transaction holder = await(orm::Transaction::begin(&other));
    await(holder.execute(QStringLiteral("UPDATE %1 SET %2 = 'held' WHERE %3 = 2")
                             .arg(t->film(t->a), Tenants::q(kNote), Tenants::q(kId))));

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Failed);
    QVERIFY(result.error);
    if (t->pg()) {
        QCOMPARE(result.error->kind, CommitError::Kind::LockTimeout);
        QCOMPARE(result.error->key.value(0).toInt(), 2);
        QVERIFY2(result.error->message.contains(QStringLiteral("another session holds a lock")),
                 qPrintable(result.error->message));
    } else {
        QCOMPARE(result.error->kind, CommitError::Kind::Busy);
        QVERIFY2(result.error->message.contains(QStringLiteral("locked")),
                 qPrintable(result.error->message));
    }
    await(holder.rollback());
    QVERIFY(!t->rows(t->a).value(1).value(kNote).isValid());
    QCOMPARE(edits.pendingCount(), 2);

    // Once the lock is gone the same changes commit.
    const auto again = await(edits.commit());
    COMPARE_STATUS(again, Status::Committed);
    QCOMPARE(t->rows(t->a).value(2).value(kNote).toString(), QStringLiteral("mine too"));
    await(other.disconnect());
}

void TestChangeSet::readOnlyDatabasesRefuse()
{
    // Root writes through file modes: the file's case runs as an unprivileged user.
    STRATA_AS_UNPRIVILEGED_USER();
    QFETCH_GLOBAL(QString, backend);
    if (backend == QLatin1String("sqlite")) {
        // A file opened read-only (mode=ro), and a file this user may not write: staging and
        // committing say why, and nothing is sent.
        const QString path = sqlitePath(QStringLiteral("ro"));
        {
            orm::Database writer(QStringLiteral("sqlite:///%1?create=true").arg(path));
            await(writer.connect());
            await(writer.executeScript(QStringLiteral(
                "CREATE TABLE \"Read Only\" (id INTEGER PRIMARY KEY, v text); INSERT INTO \"Read "
                "Only\" VALUES (1, 'a')")));
            await(writer.disconnect());
        }
        const QString copy = sqlitePath(QStringLiteral("ro-mode"));
        QVERIFY(QFile::copy(path, copy));
        QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                                QFileDevice::ReadOther));
        for (const QString &url : {QStringLiteral("sqlite:///%1?mode=ro").arg(path),
                                   QStringLiteral("sqlite:///%1").arg(copy)}) {
            orm::Registry registry(url);
            await(registry.connect());
            const orm::Model model = await(orm::reflection::loadModel(
                registry.database(), QString(), QStringLiteral("Read Only")));
            ChangeSet edits(&registry, QString(), QString(), model);
            QVERIFY2(edits.readOnlyReason().contains(QStringLiteral("is a read-only file")),
                     qPrintable(url + QStringLiteral(": ") + edits.readOnlyReason()));
            QVERIFY_THROWS_EXCEPTION(orm::Error,
                                     edits.updateCell({1}, QStringLiteral("v"), QStringLiteral("a"),
                                                      QStringLiteral("b")));
            QCOMPARE(edits.pendingCount(), 0);
            await(registry.disconnect());
        }
        return;
    }
    const QString standby = qEnvironmentVariable("STRATA_TEST_PG_STANDBY_URL");
    if (standby.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_STANDBY_URL is not set: the standby must not skip under CI");
        QSKIP("no standby (run through tests/support/with-postgres.sh)");
    }
    auto t = makeTenants(backend, strata::test::postgresUrl());
    const orm::Model model = t->model(t->a);
    orm::Registry registry(standby);
    await(registry.connect());
    ChangeSet edits(&registry, QString(), t->a, model, {QString(), QStringLiteral("replica")});
    QCOMPARE(edits.readOnlyReason(),
             QStringLiteral("replica takes no changes (a read-only server: a standby, or "
                            "default_transaction_read_only)"));
    QVERIFY_THROWS_EXCEPTION(
        orm::Error, edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("x")));
    await(registry.disconnect());
}

void TestChangeSet::badInputIsRefusedClearly()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    orm::Model model = t->model(t->a);
    ChangeSet edits(t->registry.get(), QString(), t->a, model);
    const auto message = [&](auto &&stage) {
        try {
            stage();
        } catch (const orm::Error &error) {
            return error.message();
        }
        return QString();
    };
    QCOMPARE(message([&] { edits.updateCell({1}, QStringLiteral("nope"), 1, 2); }),
             QStringLiteral("Film List \"x\" has no column \"nope\""));
    QCOMPARE(message([&] {
                 edits.updateCell({1, 2}, kTitle, 1, 2);
             }),
             QStringLiteral("Film List \"x\": a row key needs 1 value(s) (Film ID), got 2"));
    QCOMPARE(message([&] { edits.updateInsertedCell(42, kTitle, 1); }),
             QStringLiteral("Film List \"x\": no row staged for insertion has id 42"));
    QCOMPARE(edits.pendingCount(), 0);
    QVERIFY_THROWS_EXCEPTION(orm::Error,
                             ChangeSet(t->registry.get(), QStringLiteral("missing"), t->a, model));
}

void TestChangeSet::checksValuesAsTheServerStoresThem()
{
    // Values as the grid reads them (RowBatch::rawValue) match what the server stores, to the
    // microsecond and the last digit, for types without an equality too (json): no false
    // conflict.
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString table = orm::qualifiedName(t->a, QStringLiteral("Typed \"t\""));
    QStringList columns;
    if (t->pg()) {
        t->run(QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, ts timestamp(6), tz "
                              "timestamptz, num numeric(30,12), j json, jb jsonb, b bytea, f "
                              "double precision, r real, ok boolean, iv interval, arr integer[], "
                              "pt point)")
                   .arg(table));
        t->run(
            QStringLiteral("INSERT INTO %1 VALUES (1, '2024-02-29 23:59:59.123456', "
                           "'2024-02-29 23:59:59.654321+05:30', 123456789012345678.123456789012, "
                           "'{\"b\": 1,  \"a\": [1, 2]}', '{\"x\": null}', '\\x00ff10', "
                           "0.1, 0.1, true, '1 day 02:03:04.5', '{1,NULL,3}', '(1.5,2)')")
                .arg(table));
        columns = {"ts", "tz", "num", "j", "jb", "b", "f", "r", "ok", "iv", "arr", "pt"};
    } else {
        t->run(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, f REAL, b BLOB, txt TEXT, "
                              "n NUMERIC, any_col)")
                   .arg(table));
        t->run(QStringLiteral("INSERT INTO %1 VALUES (1, 0.1, x'00ff10', 'a''b', 12.5, 7)")
                   .arg(table));
        columns = {"f", "b", "txt", "n", "any_col"};
    }
    const orm::Model model = t->model(t->a, QStringLiteral("Typed \"t\""));
    const orm::Result read = await(orm::QuerySet(t->registry.get(), model).usingSchema(t->a).all());
    const orm::RowBatch batch = orm::toBatch(read);
    ChangeSet edits(t->registry.get(), QString(), t->a, model);
    for (const QString &column : columns) {
        const int c = read.columnIndex(column);
        // Each cell set to the value it has: the check must match, whatever the type.
        edits.updateCell({batch.rawValue(0, read.columnIndex(QStringLiteral("id")))}, column,
                         batch.rawValue(0, c), batch.rawValue(0, c));
    }
    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.rowsChanged, 1);
}

void TestChangeSet::generatedColumnsAreTheServers()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString name = QStringLiteral("With \"Generated\"");
    t->run(QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, qty integer NOT NULL, "
                          "\"Double qty\" integer GENERATED ALWAYS AS (qty * 2) STORED)")
               .arg(orm::qualifiedName(t->a, name)));
    t->run(QStringLiteral("INSERT INTO %1 (id, qty) VALUES (1, 5)")
               .arg(orm::qualifiedName(t->a, name)));
    const orm::Model model = t->model(t->a, name);
    QVERIFY(model.field(QStringLiteral("Double qty"))->generated);
    ChangeSet edits(t->registry.get(), QString(), t->a, model);
    try {
        edits.updateCell({1}, QStringLiteral("Double qty"), 10, 11);
        QFAIL("a generated column was staged");
    } catch (const orm::Error &error) {
        QCOMPARE(error.message(), name + QStringLiteral(".Double qty is a generated column: the "
                                                        "server computes it"));
    }
    // A duplicate leaves the generated column to the server (its key is the user's to give).
    const int copy = edits.duplicateRow({{QStringLiteral("id"), 1},
                                         {QStringLiteral("qty"), 5},
                                         {QStringLiteral("Double qty"), 10}});
    QVERIFY(!edits.insertValues(copy).contains(QStringLiteral("Double qty")));
    edits.updateInsertedCell(copy, QStringLiteral("id"), 2);
    edits.updateInsertedCell(copy, QStringLiteral("qty"), 7);
    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    const orm::Result rows =
        await(t->db()->execute(QStringLiteral("SELECT \"Double qty\" FROM %1 WHERE id = 2")
                                   .arg(orm::qualifiedName(t->a, name))));
    QCOMPARE(rows.value(0, 0).toInt(), 14);
}

// A paste of many rows goes through the commit's fast path (one compiled template per shape,
// each row's parameters bound into it): shapes that alternate (a NULL seen is IS NULL), rows
// with two columns, an insert and a delete among them; every row still checked by its seen
// values, in its own tenant.
void TestChangeSet::pasteOfManyRowsChecksEachRow()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString film = t->film(t->a);
    for (int n = 10; n < 40; ++n)
        t->run(QStringLiteral("INSERT INTO %1 (%2, %3, %4, %5) VALUES (%6, 'Row %6', %7, 'tag %6')")
                   .arg(film, Tenants::q(kId), Tenants::q(kTitle), Tenants::q(kNote),
                        Tenants::q(kTag), QString::number(n),
                        n % 2 ? QStringLiteral("'note %1'").arg(n) : QStringLiteral("NULL")));
    const QMap<int, QVariantMap> otherBefore = t->rows(t->b);
    const auto seenNote = [](int n) {
        return n % 2 ? QVariant(QStringLiteral("note %1").arg(n)) : kNull;
    };
    const auto pasted = [](int n, int round) {
        return QStringLiteral("pasted %1 \"%2\" it's").arg(n).arg(round);
    };

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    QList<ChangeSet::CellEdit> paste;
    for (int n = 10; n < 40; ++n) {
        paste.append({{n}, kNote, seenNote(n), pasted(n, 1)});
        if (n < 15)
            paste.append(
                {{n}, kTitle, QStringLiteral("Row %1").arg(n), QStringLiteral("Title %1").arg(n)});
    }
    edits.updateCells(paste);
    edits.insertRow({{kTitle, QStringLiteral("Inserted")}, {kTag, QStringLiteral("tag new")}});
    edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}});

    // What the commit sends, statement by statement: each row's own values in the compiler's
    // order (values set by column name, the key, the non-NULL values seen).
    const QList<orm::editing::PlannedStatement> statements = edits.review();
    QCOMPARE(statements.size(), 32);
    for (const auto &statement : statements) {
        if (statement.kind != StagedChange::Kind::Update)
            continue;
        const int n = statement.key.value(0).toInt();
        QVariantList expected;
        if (n < 15)
            expected << QStringLiteral("Title %1").arg(n);
        expected << pasted(n, 1) << n;
        if (n < 15)
            expected << QStringLiteral("Row %1").arg(n);
        if (n % 2)
            expected << seenNote(n);
        QCOMPARE(statement.params, expected);
        QCOMPARE(statement.sql.contains(QStringLiteral("\"note's\" IS NULL")), n % 2 == 0);
        QCOMPARE(statement.sql.contains(QStringLiteral("\"Title\" = ")), n < 15);
    }

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.statements, 32);
    QCOMPARE(result.rowsChanged, 32);
    auto rows = t->rows(t->a);
    QVERIFY(!rows.contains(3));
    for (int n = 10; n < 40; ++n) {
        QCOMPARE(rows[n].value(kNote).toString(), pasted(n, 1));
        QCOMPARE(rows[n].value(kTitle).toString(),
                 n < 15 ? QStringLiteral("Title %1").arg(n) : QStringLiteral("Row %1").arg(n));
    }
    QCOMPARE(rows.size(), 33); // the identity numbers the insert: 4 on PostgreSQL, 40 on SQLite
    const auto inserted = std::find_if(rows.cbegin(), rows.cend(), [](const QVariantMap &row) {
        return row.value(kTag).toString() == QLatin1String("tag new");
    });
    QVERIFY(inserted != rows.cend());
    QCOMPARE(inserted->value(kTitle).toString(), QStringLiteral("Inserted"));
    QCOMPARE(t->rows(t->b), otherBefore);

    // Pasted again while another session changes one row in the middle of a run of one shape:
    // that row conflicts and nothing is written.
    QList<ChangeSet::CellEdit> again;
    for (int n = 10; n < 40; ++n)
        again.append({{n}, kNote, pasted(n, 1), pasted(n, 2)});
    edits.updateCells(again);
    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    await(other.execute(QStringLiteral("UPDATE %1 SET %2 = 'theirs' WHERE %3 = 27")
                            .arg(film, Tenants::q(kNote), Tenants::q(kId))));
    const auto conflicted = await(edits.commit());
    COMPARE_STATUS(conflicted, Status::Conflicts);
    QCOMPARE(conflicted.conflicts.size(), 1);
    QCOMPARE(conflicted.conflicts.first().key.value(0).toInt(), 27);
    QCOMPARE(conflicted.conflicts.first().current.value(kNote).toString(),
             QStringLiteral("theirs"));
    rows = t->rows(t->a);
    QCOMPARE(rows[10].value(kNote).toString(), pasted(10, 1));
    QCOMPARE(rows[39].value(kNote).toString(), pasted(39, 1));
    QCOMPARE(edits.pendingCount(), 30);
    await(other.disconnect());
}

// The staging's indexes (a row's changes chained, changes found by id) through a paste that
// changes one cell twice and names a row by its key's text, undo, drop and an insert's cells.
void TestChangeSet::pastedCellsUndoAndDropOneByOne()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    const int insert = edits.insertRow({{kTitle, QStringLiteral("New")}});
    edits.updateCells({{{1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("A1")},
                       {{2}, kTitle, QStringLiteral("Beta"), QStringLiteral("B1")},
                       {{QStringLiteral("1")}, kTitle, QStringLiteral("A1"), QStringLiteral("A2")},
                       {{1}, kNote, kNull, QStringLiteral("n")}});
    QCOMPARE(edits.pendingCount(), 5);
    QCOMPARE(*edits.pendingValue({QStringLiteral("1")}, kTitle), QVariant(QStringLiteral("A2")));
    // The second change of the cell checks what the server had.
    QCOMPARE(edits.changes()[3].seen, QVariant(QStringLiteral("Alpha")));

    QVERIFY(edits.undo()); // the note
    QVERIFY(!edits.pendingValue({1}, kNote));
    QVERIFY(edits.undo()); // A2
    QCOMPARE(*edits.pendingValue({1}, kTitle), QVariant(QStringLiteral("A1")));
    edits.updateCell({1}, kTitle, QStringLiteral("A1"), QStringLiteral("A3"));
    QCOMPARE(edits.changes().last().seen, QVariant(QStringLiteral("Alpha")));

    edits.drop({QStringLiteral("1")});
    QVERIFY(!edits.pendingValue({1}, kTitle));
    QCOMPARE(*edits.pendingValue({2}, kTitle), QVariant(QStringLiteral("B1")));
    edits.deleteRow({2}, {{kTitle, QStringLiteral("B1")}});
    QCOMPARE(edits.changes().last().values.value(kTitle), QVariant(QStringLiteral("Beta")));
    QVERIFY(edits.isDeleted({QStringLiteral("2")}));
    // Found by id after the drop rebuilt the indexes.
    edits.updateInsertedCell(insert, kTag, QStringLiteral("tag new"));
    QCOMPARE(edits.insertValues(insert).value(kTag), QVariant(QStringLiteral("tag new")));
    QVERIFY(edits.undo());
    QVERIFY(edits.undo()); // the delete
    QVERIFY(!edits.isDeleted({2}));
    edits.updateInsertedCell(insert, kTag, QStringLiteral("tag new"));

    const auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    const auto rows = t->rows(t->a);
    QCOMPARE(rows[1].value(kTitle).toString(), QStringLiteral("Alpha"));
    QCOMPARE(rows[2].value(kTitle).toString(), QStringLiteral("B1"));
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows.last().value(kTag).toString(), QStringLiteral("tag new"));
}

QTEST_GUILESS_MAIN(TestChangeSet)
#include "tst_change_set.moc"

// Texts the commit binds (new values and the values seen, for the check) as users meet them:
// non-ASCII, emoji, empty apart from NULL both ways, a megabyte; stored exactly, then checked
// exactly by a second paste that sees them (no conflict), and a third whose one stale value
// conflicts while the others would have matched.
void TestChangeSet::awkwardTextsCommitAndCheckExactly()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString film = t->film(t->a);
    QString megabyte(1 << 20, QLatin1Char('m'));
    megabyte += QStringLiteral("é");
    const QList<QVariant> texts{
        QStringLiteral("héllo, 世界"),
        QStringLiteral("emoji 🙂🎬 👩‍💻"),
        QStringLiteral(""),
        kNull,
        megabyte,
        QString(32, QLatin1Char('b')) + QStringLiteral("ü"),
        QStringLiteral("it's \"quoted\""),
    };
    for (int i = 0; i < texts.size(); ++i)
        t->run(QStringLiteral("INSERT INTO %1 (%2, %3, %4) VALUES (%5, 'Row %5', %6)")
                   .arg(film, Tenants::q(kId), Tenants::q(kTitle), Tenants::q(kNote),
                        QString::number(100 + i),
                        i % 2 ? QStringLiteral("NULL") : QStringLiteral("''")));
    const auto seenBefore = [](int i) { return i % 2 ? kNull : QVariant(QStringLiteral("")); };

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    QList<ChangeSet::CellEdit> paste;
    for (int i = 0; i < texts.size(); ++i)
        paste.append({{100 + i}, kNote, seenBefore(i), texts[i]});
    edits.updateCells(paste);
    auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.rowsChanged, texts.size());
    auto rows = t->rows(t->a);
    for (int i = 0; i < texts.size(); ++i) {
        const QVariant stored = rows[100 + i].value(kNote);
        if (texts[i].isNull()) {
            QVERIFY2(stored.isNull(), qPrintable(QString::number(i)));
        } else {
            QVERIFY2(!stored.isNull(), qPrintable(QString::number(i)));
            QCOMPARE(stored.toString(), texts[i].toString());
        }
    }

    // Seen as stored: every check matches, NULL and '' each only itself.
    QList<ChangeSet::CellEdit> again;
    for (int i = 0; i < texts.size(); ++i)
        again.append({{100 + i}, kNote, texts[i], QStringLiteral("again %1").arg(i)});
    edits.updateCells(again);
    result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.rowsChanged, texts.size());

    // One value seen stale (the megabyte without its last character): that row conflicts.
    QList<ChangeSet::CellEdit> third;
    for (int i = 0; i < texts.size(); ++i)
        third.append({{100 + i},
                      kNote,
                      QStringLiteral("again %1").arg(i),
                      QStringLiteral("third %1").arg(i)});
    third[4].seen = QStringLiteral("again 4").chopped(1);
    third[2].seen = kNull; // '' was never stored here: "again 2" was
    edits.updateCells(third);
    result = await(edits.commit());
    COMPARE_STATUS(result, Status::Conflicts);
    QCOMPARE(result.conflicts.size(), 2);
    QCOMPARE(result.conflicts[0].key.value(0).toInt(), 102);
    QCOMPARE(result.conflicts[1].key.value(0).toInt(), 104);
    rows = t->rows(t->a);
    for (int i = 0; i < texts.size(); ++i)
        QCOMPARE(rows[100 + i].value(kNote).toString(), QStringLiteral("again %1").arg(i));
}

// A paste of 1,500 rows goes in several chunks (256, then 4 times more each time): all commit;
// pasted again with one row changed behind in the last chunk, that row conflicts and nothing
// of the earlier chunks stays written. The committed and the reverted changes are let go.
void TestChangeSet::pasteAcrossChunksConflictsInTheLast()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString film = t->film(t->a);
    constexpr int kFirst = 1000;
    constexpr int kRows = 1500;
    t->insertNumberedRows(film, kFirst, kRows);
    const auto note = [](int n, int round) {
        return QStringLiteral("note %1 r%2").arg(n).arg(round);
    };

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    QList<ChangeSet::CellEdit> paste;
    for (int n = kFirst; n < kFirst + kRows; ++n)
        paste.append({{n}, kNote, kNull, note(n, 1)});
    edits.updateCells(paste);
    QCOMPARE(edits.review().size(), kRows);
    auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.rowsChanged, kRows);
    QCOMPARE(edits.pendingCount(), 0);
    auto rows = t->rows(t->a);
    for (int n = kFirst; n < kFirst + kRows; ++n)
        QCOMPARE(rows[n].value(kNote).toString(), note(n, 1));

    QList<ChangeSet::CellEdit> again;
    for (int n = kFirst; n < kFirst + kRows; ++n)
        again.append({{n}, kNote, note(n, 1), note(n, 2)});
    edits.updateCells(again);
    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    const int changedBehind = kFirst + 1400; // in the third chunk
    await(other.execute(
        QStringLiteral("UPDATE %1 SET %2 = 'theirs' WHERE %3 = %4")
            .arg(film, Tenants::q(kNote), Tenants::q(kId), QString::number(changedBehind))));
    await(other.disconnect());
    result = await(edits.commit());
    COMPARE_STATUS(result, Status::Conflicts);
    QCOMPARE(result.conflicts.size(), 1);
    QCOMPARE(result.conflicts.first().key.value(0).toInt(), changedBehind);
    QCOMPARE(edits.pendingCount(), kRows);
    rows = t->rows(t->a);
    QCOMPARE(rows[kFirst].value(kNote).toString(), note(kFirst, 1));
    QCOMPARE(rows[kFirst + 300].value(kNote).toString(), note(kFirst + 300, 1));
    QCOMPARE(rows[changedBehind].value(kNote).toString(), QStringLiteral("theirs"));
    edits.revert();
    QCOMPARE(edits.pendingCount(), 0);
    QVERIFY(edits.review().isEmpty());
}

// The commit folds changes into rows while it sends the rows already whole: a row (or an
// insert) whose first change comes early and its last after hundreds of others is sent once,
// whole, late; an insert dropped late is never sent, and the rows after it keep their place
// (a conflict names the right row).
void TestChangeSet::rowsFoldedWhileSendingStayWhole()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    const QString film = t->film(t->a);
    constexpr int kFirst = 2000;
    constexpr int kRows = 600;
    t->insertNumberedRows(film, kFirst, kRows);
    const auto note = [](int n, int round) {
        return QStringLiteral("note %1 r%2").arg(n).arg(round);
    };

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a));
    edits.updateCell({kFirst}, kNote, kNull, QStringLiteral("early"));
    edits.updateCell({kFirst + 1}, kNote, kNull, QStringLiteral("early, then deleted"));
    const int kept = edits.insertRow({{kTitle, QStringLiteral("Early insert")}});
    const int dropped = edits.insertRow({{kTitle, QStringLiteral("Dropped insert")}});
    QList<ChangeSet::CellEdit> paste;
    for (int n = kFirst + 2; n < kFirst + kRows; ++n)
        paste.append({{n}, kNote, kNull, note(n, 1)});
    edits.updateCells(paste);
    edits.updateCell({kFirst}, kTitle, QStringLiteral("Row %1").arg(kFirst),
                     QStringLiteral("Retitled late"));
    edits.deleteRow({kFirst + 1}, {{kTitle, QStringLiteral("Row %1").arg(kFirst + 1)}});
    edits.updateInsertedCell(kept, kTag, QStringLiteral("tag late"));
    edits.deleteInsertedRow(dropped);
    const int planned = kRows + 1; // every stored row once (one a delete), and one insert
    QCOMPARE(edits.review().size(), planned);

    auto result = await(edits.commit());
    COMPARE_STATUS(result, Status::Committed);
    QCOMPARE(result.statements, planned);
    QCOMPARE(result.rowsChanged, planned);
    auto rows = t->rows(t->a);
    QCOMPARE(rows[kFirst].value(kNote).toString(), QStringLiteral("early"));
    QCOMPARE(rows[kFirst].value(kTitle).toString(), QStringLiteral("Retitled late"));
    QVERIFY(!rows.contains(kFirst + 1));
    for (int n = kFirst + 2; n < kFirst + kRows; ++n)
        QCOMPARE(rows[n].value(kNote).toString(), note(n, 1));
    int early = 0;
    for (const QVariantMap &row : std::as_const(rows)) {
        QVERIFY(row.value(kTitle).toString() != QLatin1String("Dropped insert"));
        if (row.value(kTitle).toString() == QLatin1String("Early insert")) {
            ++early;
            QCOMPARE(row.value(kTag).toString(), QStringLiteral("tag late"));
        }
    }
    QCOMPARE(early, 1);

    // An insert dropped at once, ahead of rows sent while the rest are folded: a row changed
    // behind conflicts by its own key.
    const int droppedAgain = edits.insertRow({{kTitle, QStringLiteral("Dropped again")}});
    edits.deleteInsertedRow(droppedAgain);
    QList<ChangeSet::CellEdit> again;
    for (int n = kFirst + 2; n < kFirst + kRows; ++n)
        again.append({{n}, kNote, note(n, 1), note(n, 2)});
    edits.updateCells(again);
    orm::Database other(url);
    await(other.connect());
    for (const auto &attached : t->db()->attachments().toStdMap())
        other.attach(attached.first, attached.second);
    const int changedBehind = kFirst + 500;
    await(other.execute(
        QStringLiteral("UPDATE %1 SET %2 = 'theirs' WHERE %3 = %4")
            .arg(film, Tenants::q(kNote), Tenants::q(kId), QString::number(changedBehind))));
    await(other.disconnect());
    result = await(edits.commit());
    COMPARE_STATUS(result, Status::Conflicts);
    QCOMPARE(result.conflicts.size(), 1);
    QCOMPARE(result.conflicts.first().key.value(0).toInt(), changedBehind);
    rows = t->rows(t->a);
    QCOMPARE(rows[kFirst + 2].value(kNote).toString(), note(kFirst + 2, 1));
}

// A paste too large for one turn of the event loop is staged in slices: the loop turns while it
// goes, staging, undo and commit are refused meanwhile, a bad cell anywhere stages nothing, and
// what ends up staged and journaled is what updateCells() stages at once. The set may go while
// a paste is staged.
void TestChangeSet::pasteInSlicesGivesTheLoopBack()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    constexpr int kCells = 60'000; // many 2 ms slices, even on a fast machine
    QList<ChangeSet::CellEdit> paste;
    paste.reserve(kCells);
    for (int n = 1; n <= kCells; ++n)
        paste.append({{n}, kNote, kNull, QStringLiteral("pasted %1").arg(n)});
    const auto inUsage = [](const auto &call) {
        try {
            call();
        } catch (const orm::Error &error) {
            return error.kind() == orm::Error::Kind::Usage &&
                   error.message().contains(QLatin1String("being staged"));
        }
        return false;
    };

    QTemporaryDir journals;
    QVERIFY(journals.isValid());
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a),
                    {journals.path(), QStringLiteral("test")});
    int turns = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&turns] { ++turns; });
    ticker.start(0);
    auto staging = edits.updateCellsInSlices(paste);
    QVERIFY(!staging.isReady());
    QVERIFY(edits.isStaging());
    QVERIFY(inUsage([&] { edits.updateCell({1}, kTitle, kNull, QStringLiteral("x")); }));
    QVERIFY(inUsage([&] { edits.undo(); }));
    QVERIFY(inUsage([&] { edits.revert(); }));
    QVERIFY(inUsage([&] { (void)edits.commit(); }));
    const QList<int> ids = await(std::move(staging));
    ticker.stop();
    QVERIFY2(turns >= 2, qPrintable(QStringLiteral("the loop turned %1 times").arg(turns)));
    QVERIFY(!edits.isStaging());
    QCOMPARE(ids.size(), kCells);
    QCOMPARE(edits.pendingCount(), kCells);

    // The same as staged at once, in memory and in the journal.
    ChangeSet atOnce(t->registry.get(), QString(), t->a, t->model(t->a));
    QCOMPARE(atOnce.updateCells(paste), ids);
    QCOMPARE(edits.changes().size(), atOnce.changes().size());
    for (qsizetype i = 0; i < kCells; i += 997) {
        QCOMPARE(edits.changes()[i].key, atOnce.changes()[i].key);
        QCOMPARE(edits.changes()[i].value, atOnce.changes()[i].value);
    }
    const auto journaled = orm::editing::ChangeJournal::read(edits.journalPath());
    QCOMPARE(journaled.changes.size(), kCells);
    QCOMPARE(journaled.changes.last().value, paste.last().value);
    QCOMPARE(journaled.changes.last().id, ids.last());

    // A bad cell at the very end: nothing of the paste is staged.
    QList<ChangeSet::CellEdit> bad = paste;
    bad.last().column = QStringLiteral("no such column");
    QVERIFY_THROWS_EXCEPTION(orm::Error, await(edits.updateCellsInSlices(bad)));
    QVERIFY(!edits.isStaging());
    QCOMPARE(edits.pendingCount(), kCells);
    QVERIFY(edits.undo());
    QCOMPARE(edits.pendingCount(), kCells - 1);

    // The set may be destroyed while a paste is staged: the task ends on its own.
    auto doomed = std::make_unique<ChangeSet>(t->registry.get(), QString(), t->a, t->model(t->a));
    auto orphan = doomed->updateCellsInSlices(paste);
    QVERIFY(!orphan.isReady());
    doomed.reset();
    QCOMPARE(await(std::move(orphan)).size(), kCells);
}
