// The crash journal on both backends: written as changes are staged (mode 0600, the
// connection's name and never its URL), offered back once its owner is gone ("3 unsaved
// changes to ... in pagila"), loaded or discarded, removed by commit and revert; and a helper
// process killed after staging, whose changes are recovered and committed.

#include "editing_fixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/stat.h>

using namespace editing_fixture;
using orm::editing::ChangeSet;
using orm::editing::CommitResult;

class TestChangeJournal : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void journalIsWrittenAsChangesAreStaged();
    void leftBehindJournalsAreOfferedAndLoaded();
    void commitRevertAndDiscardRemoveIt();
    void survivesAKilledProcess();
};

namespace {

ChangeSet::Options journalIn(const QTemporaryDir &dir)
{
    return {dir.path(), QStringLiteral("pagila")};
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Text that JSON must escape, and not only ASCII.
const QString kTricky = QStringLiteral("Zoë \"q\" \\ line\nnext\ttab \x01");

void stageThree(ChangeSet &edits)
{
    edits.updateCell({1}, kNote, QVariant(), kTricky);
    edits.insertRow({{kTitle, QStringLiteral("Delta")}});
    edits.deleteRow({3}, {{kTitle, QStringLiteral("Gamma")}});
}

} // namespace

void TestChangeJournal::journalIsWrittenAsChangesAreStaged()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    QTemporaryDir dir;
    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), journalIn(dir));
    QVERIFY(edits.journalPath().isEmpty()); // nothing staged, no file
    edits.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("A"));
    const QString path = edits.journalPath();
    QVERIFY(QFile::exists(path));
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    const QByteArray first = contents(path);
    edits.updateCell({2}, kTitle, QStringLiteral("Beta"), QStringLiteral("B"));
    QVERIFY(contents(path).size() > first.size()); // each change reaches the file at once

    const QByteArray text = contents(path);
    QVERIFY(text.contains("pagila"));
    const orm::DatabaseUrl parsed = orm::DatabaseUrl::parse(url);
    if (!parsed.password().isEmpty())
        QVERIFY(!text.contains(parsed.password().toUtf8()));
    QVERIFY(!text.contains(url.toUtf8()));
    // Its owner is alive: not offered as left behind.
    QVERIFY(ChangeSet::journalsLeftBehind(dir.path()).isEmpty());
    QVERIFY_THROWS_EXCEPTION(orm::Error, ChangeSet::discardJournal(path));
    // Undone to nothing, the journal goes.
    edits.undo();
    edits.undo();
    QVERIFY(!QFile::exists(path));

    // A journal that cannot be made refuses the change, naming the directory.
    QFile blocker(QDir(dir.path()).filePath(QStringLiteral("a file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString nowhere = blocker.fileName() + QStringLiteral("/journals");
    ChangeSet unjournaled(t->registry.get(), QString(), t->a, t->model(t->a),
                          {nowhere, QStringLiteral("pagila")});
    try {
        unjournaled.updateCell({1}, kTitle, QStringLiteral("Alpha"), QStringLiteral("A"));
        QFAIL("a change was staged without its journal");
    } catch (const orm::Error &error) {
        QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
        QVERIFY2(error.message().contains(nowhere), qPrintable(error.message()));
    }
    QCOMPARE(unjournaled.pendingCount(), 0);
}

void TestChangeJournal::leftBehindJournalsAreOfferedAndLoaded()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    QTemporaryDir dir;
    QString path;
    QList<orm::editing::PlannedStatement> staged;
    {
        ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), journalIn(dir));
        stageThree(edits);
        edits.updateCell({2}, kTitle, QStringLiteral("Beta"), QStringLiteral("undone"));
        edits.undo();
        path = edits.journalPath();
        staged = edits.review();
    } // closed without a commit: left behind

    const auto left = ChangeSet::journalsLeftBehind(dir.path());
    QCOMPARE(left.size(), 1);
    QCOMPARE(left[0].path, path);
    QCOMPARE(left[0].pendingCount, 3);
    QCOMPARE(left[0].description(),
             QStringLiteral("3 unsaved changes to Film List \"x\" in pagila, schema ") + t->a);

    // Another tenant's change set will not take it.
    ChangeSet other(t->registry.get(), QString(), t->b, t->model(t->b), journalIn(dir));
    QVERIFY_THROWS_EXCEPTION(orm::Error, other.restore(path));

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), journalIn(dir));
    edits.restore(path);
    QCOMPARE(edits.pendingCount(), 3);
    QCOMPARE(edits.journalPath(), path);
    const auto restored = edits.review();
    QCOMPARE(restored.size(), staged.size());
    for (qsizetype i = 0; i < staged.size(); ++i) {
        QCOMPARE(restored[i].sql, staged[i].sql);
        QCOMPARE(restored[i].params.size(), staged[i].params.size());
        for (qsizetype p = 0; p < staged[i].params.size(); ++p) {
            QCOMPARE(restored[i].params[p].isNull(), staged[i].params[p].isNull());
            QCOMPARE(restored[i].params[p].toString(), staged[i].params[p].toString());
        }
    }
    // Owned again: not offered while this set is open.
    QVERIFY(ChangeSet::journalsLeftBehind(dir.path()).isEmpty());
    // Going on writes into the same file.
    edits.updateCell({2}, kNote, QStringLiteral(""), QVariant());
    QCOMPARE(ChangeSet(t->registry.get(), QString(), t->a, t->model(t->a)).pendingCount(), 0);
    const auto result = await(edits.commit());
    QVERIFY2(result.status == CommitResult::Status::Committed, qPrintable(result.summary()));
    QVERIFY(!QFile::exists(path));
    const auto rows = t->rows(t->a);
    QCOMPARE(rows.value(1).value(kNote).toString(), kTricky);
    QVERIFY(!rows.value(2).value(kNote).isValid());
    QVERIFY(!rows.contains(3));
    QCOMPARE(rows.value(4).value(kTitle).toString(), QStringLiteral("Delta"));
}

void TestChangeJournal::commitRevertAndDiscardRemoveIt()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    QTemporaryDir dir;
    {
        ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), journalIn(dir));
        stageThree(edits);
        const QString path = edits.journalPath();
        edits.revert();
        QVERIFY(!QFile::exists(path));
        stageThree(edits);
    }
    const auto left = ChangeSet::journalsLeftBehind(dir.path());
    QCOMPARE(left.size(), 1);
    ChangeSet::discardJournal(left[0].path);
    QVERIFY(!QFile::exists(left[0].path));
    QVERIFY(ChangeSet::journalsLeftBehind(dir.path()).isEmpty());
    // A file that is not a journal is not offered.
    QFile stray(QDir(dir.path()).filePath(QStringLiteral("edits-stray.journal")));
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("not a journal\n");
    stray.close();
    QVERIFY(ChangeSet::journalsLeftBehind(dir.path()).isEmpty());
}

void TestChangeJournal::survivesAKilledProcess()
{
    STRATA_BACKEND_URL(url);
    auto t = makeTenants(backend, url);
    QTemporaryDir dir;
    QStringList args{url, dir.path(), t->a};
    const auto attachments = t->db()->attachments();
    for (auto it = attachments.cbegin(); it != attachments.cend(); ++it)
        args << it.key() + QLatin1Char('=') + it.value();
    QProcess helper;
    helper.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    helper.start(QStringLiteral(JOURNAL_HELPER), args);
    QVERIFY2(helper.waitForStarted(10000), qPrintable(helper.errorString()));
    QByteArray said;
    QElapsedTimer clock;
    clock.start();
    while (!said.contains('\n') && clock.elapsed() < 30000 && helper.state() == QProcess::Running) {
        helper.waitForReadyRead(1000);
        said += helper.readAllStandardOutput();
    }
    QVERIFY2(said.startsWith("staged "), said.constData());
    const QString path = QString::fromUtf8(said.mid(7).trimmed());
    QVERIFY(QFile::exists(path));
    QVERIFY(ChangeSet::journalsLeftBehind(dir.path()).isEmpty()); // its owner still runs

    helper.kill(); // SIGKILL: no destructor, no flush, no goodbye
    QVERIFY(helper.waitForFinished(10000));

    const auto left = ChangeSet::journalsLeftBehind(dir.path());
    QCOMPARE(left.size(), 1);
    QCOMPARE(left[0].path, path);
    QCOMPARE(left[0].description(),
             QStringLiteral("3 unsaved changes to Film List \"x\" in pagila, schema ") + t->a);
    // Nothing was written by the killed process.
    QCOMPARE(t->rows(t->a).value(1).value(kTitle).toString(), QStringLiteral("Alpha"));

    ChangeSet edits(t->registry.get(), QString(), t->a, t->model(t->a), journalIn(dir));
    edits.restore(path);
    QCOMPARE(edits.pendingCount(), 3);
    const auto result = await(edits.commit());
    QVERIFY2(result.status == CommitResult::Status::Committed, qPrintable(result.summary()));
    const auto rows = t->rows(t->a);
    QCOMPARE(rows.value(1).value(kTitle).toString(), QStringLiteral("from the crash"));
    QCOMPARE(rows.value(4).value(kTitle).toString(), QStringLiteral("Crash insert"));
    QVERIFY(!rows.contains(3));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestChangeJournal)
#include "tst_change_journal.moc"
