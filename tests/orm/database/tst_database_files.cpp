// A Database over files and sessions it must not change: whether it can only read
// (Database::isReadOnly, on both backends), and attached files taken as paths, never URIs.

#include "await.h"
#include "backends.h"
#include "support/unprivileged.h"

#include "orm/database/database.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using orm::Database;
using strata::test::await;

class TestDatabaseFiles : public QObject {
    Q_OBJECT

private slots:
    void sqliteWritableFileIsNotReadOnly();
    void sqliteReadOnlyFileIsReported();
    void postgresReadOnlySessionIsReported();
    void attachedFileUriIsAPath();
};

void TestDatabaseFiles::sqliteWritableFileIsNotReadOnly()
{
    Database db(strata::test::urlFor(QStringLiteral("sqlite")));
    QVERIFY(!db.isReadOnly());
    await(db.connect());
    QVERIFY(!db.isReadOnly());
    await(db.disconnect());

    Database ro(db.url().toString() + QStringLiteral("&mode=ro"));
    await(ro.connect());
    QVERIFY(ro.isReadOnly());
    await(ro.disconnect());
}

void TestDatabaseFiles::sqliteReadOnlyFileIsReported()
{
    STRATA_AS_UNPRIVILEGED_USER();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shared.db"));
    {
        Database maker(QStringLiteral("sqlite:///%1?create=true").arg(path));
        await(maker.connect());
        await(maker.executeScript(QStringLiteral("CREATE TABLE t (x integer)")));
        await(maker.disconnect());
    }
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ReadOther));
    Database db(QStringLiteral("sqlite:///%1").arg(path));
    await(db.connect());
    QVERIFY(db.isReadOnly());
    QCOMPARE(await(db.execute(QStringLiteral("SELECT count(*) FROM t"))).rowCount(), 1);
    await(db.disconnect());
}

void TestDatabaseFiles::postgresReadOnlySessionIsReported()
{
    const QString url = strata::test::postgresUrl();
    if (url.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    Database plain(url);
    await(plain.connect());
    QVERIFY(!plain.isReadOnly());
    await(plain.disconnect());

    // What a standby, or a role set to read-only, gives every session.
    const QString readOnlyUrl =
        url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
        QStringLiteral("options=-c%20default_transaction_read_only%3Don");
    Database readOnly(readOnlyUrl);
    await(readOnly.connect());
    QVERIFY(readOnly.isReadOnly());
    await(readOnly.disconnect());
}

void TestDatabaseFiles::attachedFileUriIsAPath()
{
    // A file really named "file:tenant.db?mode=memory", holding a row: attached by that name,
    // the row is found. Read as a URI it would be an empty database in memory instead.
    QTemporaryDir dir;
    const QString name = QStringLiteral("file:tenant.db?mode=memory");
    {
        const QString encoded =
            QString::fromLatin1(QUrl::toPercentEncoding(dir.filePath(name), "/"));
        Database maker(QStringLiteral("sqlite:///%1?create=true").arg(encoded));
        await(maker.connect());
        await(maker.executeScript(
            QStringLiteral("CREATE TABLE t (v text); INSERT INTO t VALUES ('on disk')")));
        await(maker.disconnect());
    }
    QVERIFY(QFile::exists(dir.filePath(name)));
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(dir.path()));
    {
        Database db(strata::test::urlFor(QStringLiteral("sqlite")));
        db.attach(QStringLiteral("tenant"), name);
        await(db.connect());
        const orm::Result result = await(db.execute(QStringLiteral("SELECT v FROM tenant.t")));
        QCOMPARE(result.rowCount(), 1);
        QCOMPARE(result.text(0, 0), QStringLiteral("on disk"));
        await(db.disconnect());
    }
    QDir::setCurrent(previous);
}

QTEST_GUILESS_MAIN(TestDatabaseFiles)
#include "tst_database_files.moc"
