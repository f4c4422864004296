// A database that can only be read says so in the real window (offscreen): its tree entry, the
// status bar and the log. A SQLite file this user may not write (run as an unprivileged user:
// root writes through file modes) opens read-only by itself, and stays unchanged; a writable
// one beside it says nothing of the kind.

#include "main_window_fixture.h"
#include "support/unprivileged.h"

#include <QCryptographicHash>

namespace {

QString treeText(MainWindow &window, const QString &name)
{
    QStandardItemModel *model = window.treeModel();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->item(row)->data(strata::ui::ModelTree::DatabaseRole).toString() == name)
            return model->item(row)->text();
    return {};
}

QByteArray checksum(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestMainWindowReadOnly : public QObject {
    Q_OBJECT

private slots:
    void readOnlyFileSaysSo();
    void readOnlySessionSaysSo();
};

void TestMainWindowReadOnly::readOnlyFileSaysSo()
{
    STRATA_AS_UNPRIVILEGED_USER();
    QTemporaryDir dir;
    const QString locked = dir.filePath(QStringLiteral("locked.db"));
    const QString open = dir.filePath(QStringLiteral("open.db"));
    for (const QString &path : {locked, open}) {
        orm::Database maker(QStringLiteral("sqlite:///%1?create=true").arg(path));
        strata::test::await(maker.connect());
        strata::test::await(maker.executeScript(QStringLiteral("CREATE TABLE films (id integer)")));
        strata::test::await(maker.disconnect());
    }
    QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ReadGroup |
                                              QFileDevice::ReadOther));
    const QByteArray before = checksum(locked);
    {
        orm::Registry registry(QStringLiteral("sqlite:///%1").arg(locked));
        registry.addExtra(QStringLiteral("writable"), QStringLiteral("sqlite:///%1").arg(open));
        MainWindow window(&registry);
        window.setSavedConnectionsPath(dir.filePath(QStringLiteral("connections.json")));
        window.show();
        strata::test::await(registry.connect());
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 15000);
        QVERIFY(registry.database()->isReadOnly());
        QTRY_VERIFY2_WITH_TIMEOUT(treeText(window, QString()).contains(QLatin1String("read-only")),
                                  qPrintable(treeText(window, QString())), 15000);
        QVERIFY2(window.connectionLabel()->text().contains(QLatin1String("read-only")),
                 qPrintable(window.connectionLabel()->text()));
        QVERIFY2(window.logPane()->toPlainText().contains(QLatin1String("opened read-only")),
                 qPrintable(window.logPane()->toPlainText()));
        // The writable one beside it does not say so.
        QTRY_VERIFY_WITH_TIMEOUT(
            treeText(window, QStringLiteral("writable")).contains(QLatin1String("connected")),
            15000);
        QVERIFY(!treeText(window, QStringLiteral("writable")).contains(QLatin1String("read-only")));
        // Looking at its model changes nothing.
        window.openModel(QStringLiteral("films"));
        QTRY_VERIFY_WITH_TIMEOUT(window.openedModel() == QLatin1String("films") && !window.isBusy(),
                                 15000);
    }
    QCOMPARE(checksum(locked), before);
}

void TestMainWindowReadOnly::readOnlySessionSaysSo()
{
    const QString url = strata::test::postgresUrl();
    if (url.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    QTemporaryDir dir;
    // What a standby, or a role set to read-only, gives every session.
    const QString readOnly =
        url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
        QStringLiteral("options=-c%20default_transaction_read_only%3Don");
    orm::Registry registry(readOnly);
    MainWindow window(&registry);
    window.setSavedConnectionsPath(dir.filePath(QStringLiteral("connections.json")));
    window.show();
    strata::test::await(registry.connect());
    QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 15000);
    QTRY_VERIFY2_WITH_TIMEOUT(treeText(window, QString()).contains(QLatin1String("read-only")),
                              qPrintable(treeText(window, QString())), 15000);
    QVERIFY2(window.connectionLabel()->text().contains(QLatin1String("read-only")),
             qPrintable(window.connectionLabel()->text()));
    // Work the window started (listing the schema's tables) ends before the window does.
    strata::test::await(registry.disconnect(true));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
}

QTEST_MAIN(TestMainWindowReadOnly)
#include "tst_main_window_read_only.moc"
