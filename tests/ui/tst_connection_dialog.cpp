// The saved-connection dialog: the URL it builds from its fields, its test button (connect and
// disconnect in the background, the error text shown), and saving through the window: the
// password goes to the keyring (a fake here), never into the connections file.

#include "await.h"
#include "backends.h"
#include "fake_keyring.h"

#include "orm/core/database_url.h"
#include "orm/registry/registry.h"
#include "ui/connection_dialog.h"
#include "ui/log_pane.h"
#include "ui/main_window.h"
#include "ui/saved_connections.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using strata::ui::ConnectionDialog;
using strata::ui::MainWindow;
using strata::ui::SavedConnection;
using strata::ui::SavedConnections;

class TestConnectionDialog : public QObject {
    Q_OBJECT

    static void fillPostgres(ConnectionDialog &dialog)
    {
        dialog.nameEdit()->setText(QStringLiteral("shop"));
        dialog.backendBox()->setCurrentIndex(0);
        dialog.hostEdit()->setText(QStringLiteral("db.example.com"));
        dialog.portBox()->setValue(6543);
        dialog.databaseEdit()->setText(QStringLiteral("shop floor"));
        dialog.userEdit()->setText(QStringLiteral("ann@corp"));
        dialog.passwordEdit()->setText(QStringLiteral("p@ss:w/rd"));
        dialog.sslModeBox()->setCurrentIndex(
            dialog.sslModeBox()->findData(QStringLiteral("require")));
    }

private slots:
    void buildsPostgresUrls()
    {
        ConnectionDialog dialog;
        fillPostgres(dialog);
        QVERIFY(dialog.problem().isEmpty());
        QCOMPARE(dialog.url(false),
                 QStringLiteral(
                     "postgresql://ann%40corp@db.example.com:6543/shop%20floor?sslmode=require"));
        // The URL the ORM parses back to the same parts, password included only on request.
        const orm::DatabaseUrl full = orm::DatabaseUrl::parse(dialog.url(true));
        QCOMPARE(full.user(), QStringLiteral("ann@corp"));
        QCOMPARE(full.password(), QStringLiteral("p@ss:w/rd"));
        QCOMPARE(full.host(), QStringLiteral("db.example.com"));
        QCOMPARE(full.port(), 6543);
        QCOMPARE(full.databaseName(), QStringLiteral("shop floor"));
        QCOMPARE(full.option(QStringLiteral("sslmode")), QStringLiteral("require"));
        QVERIFY(!orm::DatabaseUrl::parse(dialog.url(false)).hasPassword());

        // What is saved: no password; the password apart.
        const SavedConnection saved = dialog.connection();
        QCOMPARE(saved.name, QStringLiteral("shop"));
        QVERIFY(!saved.url.contains(QStringLiteral("p@ss")));
        QCOMPARE(dialog.password(), QStringLiteral("p@ss:w/rd"));

        // Defaults: no port, no sslmode, no user.
        dialog.portBox()->setValue(0);
        dialog.sslModeBox()->setCurrentIndex(0);
        dialog.userEdit()->clear();
        QCOMPARE(dialog.url(true), QStringLiteral("postgresql://db.example.com/shop%20floor"));
        dialog.hostEdit()->setText(QStringLiteral("::1"));
        QCOMPARE(orm::DatabaseUrl::parse(dialog.url(true)).host(), QStringLiteral("::1"));
    }

    void buildsSqliteUrls()
    {
        ConnectionDialog dialog;
        dialog.nameEdit()->setText(QStringLiteral("archive"));
        dialog.backendBox()->setCurrentIndex(1);
        QVERIFY(!dialog.problem().isEmpty()); // no file yet
        dialog.fileEdit()->setText(QStringLiteral("/srv/data/archive.db"));
        QVERIFY(dialog.problem().isEmpty());
        QCOMPARE(dialog.url(true), QStringLiteral("sqlite:////srv/data/archive.db"));
        QCOMPARE(orm::DatabaseUrl::parse(dialog.url(true)).path(),
                 QStringLiteral("/srv/data/archive.db"));
        QVERIFY(dialog.password().isEmpty());
    }

    void fieldsComeBackFromASavedConnection()
    {
        ConnectionDialog dialog;
        dialog.setConnection(
            {QStringLiteral("shop"),
             QStringLiteral("postgresql://ann@db.example.com:6543/shop?sslmode=verify-full"),
             true});
        QCOMPARE(dialog.hostEdit()->text(), QStringLiteral("db.example.com"));
        QCOMPARE(dialog.portBox()->value(), 6543);
        QCOMPARE(dialog.userEdit()->text(), QStringLiteral("ann"));
        QCOMPARE(dialog.sslModeBox()->currentData().toString(), QStringLiteral("verify-full"));
        QVERIFY(dialog.primaryBox()->isChecked());
        QCOMPARE(dialog.url(false),
                 QStringLiteral("postgresql://ann@db.example.com:6543/shop?sslmode=verify-full"));
        dialog.setConnection({QStringLiteral("a"), QStringLiteral("sqlite:////tmp/a.db"), false});
        QCOMPARE(dialog.backendBox()->currentIndex(), 1);
        QCOMPARE(dialog.fileEdit()->text(), QStringLiteral("/tmp/a.db"));
    }

    // A libpq host list comes back as the Host field ("h1:5432,[::1]:5433,h3") and goes out as
    // the same hosts, with the options the dialog has no field for.
    void hostListsRoundTrip()
    {
        ConnectionDialog dialog;
        const QString url =
            QStringLiteral("postgresql://ann@h1:5432,[::1]:5433,h3/shop?sslmode=require&"
                           "target_session_attrs=read-write");
        dialog.setConnection({QStringLiteral("ha"), url, false}, QStringLiteral("pw"));
        QCOMPARE(dialog.hostEdit()->text(), QStringLiteral("h1:5432,[::1]:5433,h3"));
        QCOMPARE(dialog.portBox()->value(), 0);
        QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
        const orm::DatabaseUrl back = orm::DatabaseUrl::parse(dialog.url(true));
        QCOMPARE(back.hosts(), orm::DatabaseUrl::parse(url).hosts());
        QCOMPARE(back.option(QStringLiteral("target_session_attrs")), QStringLiteral("read-write"));
        QCOMPARE(back.option(QStringLiteral("sslmode")), QStringLiteral("require"));
        QCOMPARE(back.password(), QStringLiteral("pw"));
        QCOMPARE(orm::DatabaseUrl::parse(dialog.connection().url).hosts(), back.hosts());
        QVERIFY(!dialog.connection().url.contains(QStringLiteral("pw")));

        // Typed by hand: the Port field is the port of the hosts that give none.
        dialog.hostEdit()->setText(QStringLiteral("127.0.0.1:1, ::1"));
        dialog.portBox()->setValue(6543);
        using HostPort = orm::DatabaseUrl::HostPort;
        QCOMPARE(orm::DatabaseUrl::parse(dialog.url(false)).hosts(),
                 (QList<HostPort>{{"127.0.0.1", 1}, {"::1", 6543}}));
        // A socket directory too.
        dialog.hostEdit()->setText(QStringLiteral("/run/postgresql"));
        dialog.portBox()->setValue(0);
        QCOMPARE(orm::DatabaseUrl::parse(dialog.url(false)).host(),
                 QStringLiteral("/run/postgresql"));

        // A single host keeps its own Port field; the kept options go when another is loaded.
        dialog.setConnection({QStringLiteral("one"), QStringLiteral("postgresql://h:7/d"), false});
        QCOMPARE(dialog.hostEdit()->text(), QStringLiteral("h"));
        QCOMPARE(dialog.portBox()->value(), 7);
        QCOMPARE(dialog.url(false), QStringLiteral("postgresql://h:7/d"));
    }

    void aMissingNameOrDatabaseIsSaid()
    {
        ConnectionDialog dialog;
        QVERIFY(dialog.problem().contains(QStringLiteral("name")));
        dialog.nameEdit()->setText(QStringLiteral("x"));
        QVERIFY(dialog.problem().contains(QStringLiteral("database")));
    }

    void testButtonShowsTheError()
    {
        ConnectionDialog dialog;
        dialog.show();
        dialog.nameEdit()->setText(QStringLiteral("down"));
        dialog.hostEdit()->setText(QStringLiteral("127.0.0.1"));
        dialog.portBox()->setValue(1); // nothing listens there
        dialog.databaseEdit()->setText(QStringLiteral("shop"));
        dialog.userEdit()->setText(QStringLiteral("ann"));
        dialog.passwordEdit()->setText(QStringLiteral("s3cretpw"));
        QSignalSpy finished(&dialog, &ConnectionDialog::testFinished);
        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QVERIFY(dialog.isTesting()); // in the background: the dialog stays responsive
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1,
                                  20000); // may end before a wait() would start
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(dialog.testResult().startsWith(QStringLiteral("Failed")),
                 qPrintable(dialog.testResult()));
        QVERIFY2(dialog.testResult().contains(QStringLiteral("127.0.0.1")),
                 qPrintable(dialog.testResult()));
        QVERIFY(!dialog.testResult().contains(QStringLiteral("s3cretpw")));
        QVERIFY(dialog.testButton()->isEnabled());
    }

    void testButtonConnects()
    {
        // A SQLite file that exists (made by the fixture) connects.
        const QString url = strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("t"));
        {
            orm::Database db(url);
            strata::test::await(db.executeScript(QStringLiteral("CREATE TABLE t (id INTEGER)")));
        }
        ConnectionDialog dialog;
        dialog.nameEdit()->setText(QStringLiteral("t"));
        dialog.backendBox()->setCurrentIndex(1);
        dialog.fileEdit()->setText(orm::DatabaseUrl::parse(url).path());
        QSignalSpy finished(&dialog, &ConnectionDialog::testFinished);
        dialog.testConnection();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1,
                                  20000); // may end before a wait() would start
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(dialog.testResult()));
        QVERIFY(dialog.testResult().startsWith(QStringLiteral("Connected")));
        // A file that does not exist does not (the dialog never creates databases).
        dialog.fileEdit()->setText(orm::DatabaseUrl::parse(url).path() + QStringLiteral(".nope"));
        dialog.testConnection();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2,
                                  20000); // may end before a wait() would start
        QCOMPARE(finished.at(1).at(0).toBool(), false);
    }

    void savingKeepsThePasswordOutOfTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("connections.json"));
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        registry.addExtra(QStringLiteral("shop"),
                          strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("shop")));
        MainWindow window(&registry);
        FakeKeyring fake;
        QMap<QString, QString> &keyring = fake.entries;
        window.setPasswordKeeper(fake.keeper());
        window.setSavedConnectionsPath(path);

        ConnectionDialog dialog;
        fillPostgres(dialog);
        QVERIFY(window.saveConnection(dialog.connection(), dialog.password()));
        // Even a URL that carries one (typed by hand, or from an old file) is stripped.
        QVERIFY(window.saveConnection(
            {QStringLiteral("legacy"),
             QStringLiteral("postgresql://bob:hunter2@h/db?password=hunter3&sslmode=require"),
             false},
            QStringLiteral("hunter2")));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        for (const char *secret : {"p@ss", "p%40ss", "w/rd", "hunter2", "hunter3", "password"})
            QVERIFY2(!text.contains(secret), text.constData());
        QVERIFY(text.contains("ann%40corp@db.example.com:6543"));
        QVERIFY(text.contains("sslmode=require"));
        // The file is the user's alone (0600), whatever the umask.
        QCOMPARE(file.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QCOMPARE(keyring.value(QStringLiteral("shop")), QStringLiteral("p@ss:w/rd"));
        QCOMPARE(keyring.value(QStringLiteral("legacy")), QStringLiteral("hunter2"));

        SavedConnections saved(path);
        saved.load();
        QCOMPARE(saved.connections().size(), 2);
        QVERIFY(saved.connections()[0].primary == false);
        // It applies at once: the open "shop" was replaced by the saved definition, which the
        // registry gets with its password (the file does not).
        QCOMPARE(registry.extraNames(), (QStringList{"shop", "legacy"}));
        const orm::DatabaseUrl open = registry.database(QStringLiteral("shop"))->url();
        QCOMPARE(open.host(), QStringLiteral("db.example.com"));
        QCOMPARE(open.password(), QStringLiteral("p@ss:w/rd"));
        QVERIFY(window.connectionAction(QStringLiteral("shop")));

        // The menu lists them for editing and removal.
        QMenu *remove = window.findChild<QMenu *>(QStringLiteral("removeSavedMenu"));
        QVERIFY(remove);
        QCOMPARE(remove->actions().size(), 2);

        // Renaming through an edit moves the keyring entry too.
        QVERIFY(window.saveConnection(
            {QStringLiteral("legacy2"), QStringLiteral("postgresql://bob@h/db"), false},
            QStringLiteral("newpw"), QStringLiteral("legacy")));
        QVERIFY(!keyring.contains(QStringLiteral("legacy")));
        QCOMPARE(keyring.value(QStringLiteral("legacy2")), QStringLiteral("newpw"));
        QCOMPARE(registry.extraNames(), (QStringList{"shop", "legacy2"}));
        QCOMPARE(registry.database(QStringLiteral("legacy2"))->url().password(),
                 QStringLiteral("newpw"));

        // Removal: from the file, the keyring and the menu, and the open database of that name
        // from the registry and the Connections menu.
        QVERIFY(window.removeSavedConnection(QStringLiteral("shop")));
        saved.load();
        QCOMPARE(saved.connections().size(), 1);
        QCOMPARE(saved.connections()[0].name, QStringLiteral("legacy2"));
        QVERIFY(!keyring.contains(QStringLiteral("shop")));
        QCOMPARE(remove->actions().size(), 1);
        QVERIFY(!window.connectionAction(QStringLiteral("shop")));
        QCOMPARE(registry.extraNames(), QStringList{"legacy2"});
        QVERIFY(!window.removeSavedConnection(QStringLiteral("shop")));
        // No password reached the log.
        const QString log = window.logPane()->lines().join(u'\n');
        for (const char *secret : {"p@ss", "hunter2", "hunter3", "newpw"})
            QVERIFY2(!log.contains(QLatin1String(secret)), qPrintable(log));
    }

    // The saved connection the registry opened as its primary cannot be swapped while the
    // program runs: editing or removing it changes the file (and the keyring) only, and the log
    // says it waits for the next start.
    void thePrimaryChangesAtTheNextStart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("connections.json"));
        const QString primaryUrl = strata::test::urlFor(QStringLiteral("sqlite"));
        orm::Registry registry(primaryUrl);
        orm::Database *primary = registry.database();
        MainWindow window(&registry);
        FakeKeyring fake;
        QMap<QString, QString> &keyring = fake.entries;
        window.setPasswordKeeper(fake.keeper());
        window.setSavedConnectionsPath(path);
        SavedConnections saved(path);
        saved.put({QStringLiteral("main"), primaryUrl, true});
        saved.save();
        window.setPrimaryConnectionName(QStringLiteral("main"));

        QVERIFY(window.saveConnection(
            {QStringLiteral("main2"), QStringLiteral("postgresql://ann@elsewhere/db"), true},
            QStringLiteral("pw"), QStringLiteral("main")));
        QCOMPARE(window.primaryConnectionName(), QStringLiteral("main2"));
        QVERIFY(registry.extraNames().isEmpty());
        QCOMPARE(registry.database(), primary);
        QVERIFY(window.connectionAction(QString()));
        QVERIFY(!window.connectionAction(QStringLiteral("main2")));
        QVERIFY(window.logPane()->lines().last().contains(QStringLiteral("next start")));
        QCOMPARE(keyring.value(QStringLiteral("main2")), QStringLiteral("pw"));

        QVERIFY(window.removeSavedConnection(QStringLiteral("main2")));
        QCOMPARE(registry.database(), primary);
        QVERIFY(window.logPane()->lines().last().contains(QStringLiteral("next start")));
        saved.load();
        QVERIFY(saved.connections().isEmpty());
    }
};

QTEST_MAIN(TestConnectionDialog)
#include "tst_connection_dialog.moc"
