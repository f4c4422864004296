// Distinctive passwords given to the real window (offscreen) go nowhere a person or another
// program could read them: not the log pane, the status bar, the window title, the tree, the
// Connections menu, the console's history and saved tabs, nor any file under HOME. The
// console's files are the user's alone (mode 0600).

#include "main_window_fixture.h"

#include "ui/console/console_history.h"
#include "ui/console/console_pane.h"
#include "ui/console/console_tab.h"

#include <QDirIterator>
#include <QListWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUrl>

namespace {

// What a person can read of the window: titles, labels, the tree, menus, the log.
QStringList everythingShown(MainWindow &window)
{
    QStringList shown{window.windowTitle(), window.statusBar()->currentMessage()};
    for (QLabel *label : window.findChildren<QLabel *>())
        shown << label->text() << label->toolTip();
    for (QAction *action : window.findChildren<QAction *>())
        shown << action->text() << action->toolTip() << action->statusTip();
    QStandardItemModel *tree = window.treeModel();
    QList<QModelIndex> pending;
    for (int row = 0; row < tree->rowCount(); ++row)
        pending << tree->index(row, 0);
    while (!pending.isEmpty()) {
        const QModelIndex index = pending.takeLast();
        shown << index.data(Qt::DisplayRole).toString() << index.data(Qt::ToolTipRole).toString();
        for (int row = 0; row < tree->rowCount(index); ++row)
            pending << tree->index(row, 0, index);
    }
    shown << window.logPane()->lines() << window.logPane()->toPlainText();
    return shown;
}

QString encoded(const QString &part)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part));
}

} // namespace

class TestMainWindowSecrets : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    QString home() const { return m_home.path(); }

    // Every file under HOME, none holding any of `secrets` (plain or percent-encoded).
    void verifyNoFileHolds(const QStringList &secrets)
    {
        int files = 0;
        QDirIterator it(home(), QDir::Files | QDir::Hidden | QDir::System,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            const QByteArray bytes = file.readAll();
            for (const QString &secret : secrets) {
                QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(path + ": " + secret));
                QVERIFY2(!bytes.contains(encoded(secret).toUtf8()), qPrintable(path));
            }
            ++files;
        }
        QVERIFY(files > 0); // something was written, and looked at
    }

    static void verifyOwnerOnly(const QString &path)
    {
        QVERIFY2(QFile::exists(path), qPrintable(path));
        QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

private slots:
    void initTestCase()
    {
        // Everything the window and the console write lands under this HOME.
        QVERIFY(m_home.isValid());
        qputenv("HOME", home().toUtf8());
        qputenv("XDG_CONFIG_HOME", (home() + QStringLiteral("/config")).toUtf8());
        qputenv("XDG_DATA_HOME", (home() + QStringLiteral("/data")).toUtf8());
        qputenv("XDG_CACHE_HOME", (home() + QStringLiteral("/cache")).toUtf8());
        QVERIFY(
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation).startsWith(home()));
    }

    void windowShowsNoPassword();
    void consoleKeepsNoSecret_data() { strata::test::addBackendRows(); }
    void consoleKeepsNoSecret();
};

void TestMainWindowSecrets::windowShowsNoPassword()
{
    const QString admin = strata::test::postgresUrl();
    if (admin.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    const orm::DatabaseUrl server = orm::DatabaseUrl::parse(admin);
    // A role of its own, whose password holds what URL syntax means something by.
    const QString role = strata::test::uniqueName(QStringLiteral("zq9role"));
    const QString password = QStringLiteral("Zq9p@ss/w?rd") + role;
    const QString sslPassword = QStringLiteral("Zq9key") + role;
    {
        orm::Database setup(admin);
        strata::test::await(setup.executeScript(
            QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(role, password)));
    }
    const QString where =
        QStringLiteral("%1:%2/%3").arg(server.host()).arg(server.port()).arg(server.databaseName());
    // Typed as a person would: upper-case scheme, the password unencoded, an sslpassword.
    const QString url = QStringLiteral("POSTGRESQL://%1:%2@%3?sslpassword=%4")
                            .arg(role, password, where, sslPassword);
    const QString unreachable =
        QStringLiteral("postgresql://%1:%2@127.0.0.1:1/d?connect_timeout=3&sslpassword=%3")
            .arg(role, password, sslPassword);
    const QStringList secrets{password, sslPassword};

    {
        orm::Registry registry(url);
        registry.addExtra(QStringLiteral("unreachable"), unreachable);
        MainWindow window(&registry);
        FakeKeyring keyring;
        window.setPasswordKeeper(keyring.keeper());
        window.setSavedConnectionsPath(home() + QStringLiteral("/config/strata/connections.json"));
        window.logPane()->captureOrmWarnings();
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(registry.database(QStringLiteral("unreachable"))->state(),
                                  orm::Database::State::Failed, 15000);
        // Saved with its secrets in the URL: stripped by parsing, the password to the keyring.
        QVERIFY(window.saveConnection({QStringLiteral("saved"), url, false}, password));
        QCOMPARE(keyring.entries.value(QStringLiteral("saved")), password);
        QTRY_VERIFY_WITH_TIMEOUT(registry.database(QStringLiteral("saved")) &&
                                     registry.database(QStringLiteral("saved"))->isConnected(),
                                 15000);
        window.connectionAction(QStringLiteral("saved"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!window.activeSchema().isEmpty(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 15000);

        const QStringList shown = everythingShown(window);
        // It did show the databases, masked.
        QVERIFY2(shown.join('\n').contains(QLatin1String("sslpassword=***")),
                 qPrintable(shown.join('\n')));
        for (const QString &text : shown)
            for (const QString &secret : secrets)
                QVERIFY2(!text.contains(secret) && !text.contains(encoded(secret)),
                         qPrintable(text));
        QFile saved(window.savedConnectionsPath());
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray file = saved.readAll();
        QVERIFY2(file.contains(role.toUtf8()), file.constData()); // the connection is there
        QVERIFY2(!file.contains("sslpassword"), file.constData());
    }
    verifyNoFileHolds(secrets);
    orm::Database cleanup(admin);
    strata::test::await(cleanup.executeScript(QStringLiteral("DROP ROLE %1").arg(role)));
}

void TestMainWindowSecrets::consoleKeepsNoSecret()
{
    QFETCH(QString, backend);
    const QString url = strata::test::urlFor(backend);
    if (url.isEmpty()) {
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
        QSKIP("no PostgreSQL server (run through `make test`)");
    }
    const QString role = strata::test::uniqueName(QStringLiteral("zq9console"));
    const QString rolePassword = QStringLiteral("Zq9role") + role;
    const QString conninfoPassword = QStringLiteral("Zq9conninfo") + role;
    const QString urlPassword = QStringLiteral("Zq9url") + role;
    const QStringList secrets{rolePassword, conninfoPassword, urlPassword};
    // On SQLite the ALTER ROLE fails (no such statement): the failed run is kept too.
    const QString sql = QStringLiteral("SELECT 'host=h password=%2' AS conninfo, "
                                       "'postgresql://u:%3@h/d' AS url;\n"
                                       "CREATE ROLE %1 LOGIN PASSWORD '%4';\n")
                            .arg(role, conninfoPassword, urlPassword, rolePassword);

    QString tabsFile;
    QString historyFile;
    {
        orm::Registry registry(url);
        strata::test::await(registry.connect());
        auto pane = std::make_unique<strata::ui::ConsolePane>(&registry);
        pane->resize(900, 600);
        pane->show();
        strata::ui::ConsoleTab *tab = pane->currentTab();
        QVERIFY(tab);
        tab->setText(sql);
        QSignalSpy finished(tab, &strata::ui::ConsoleTab::runFinished);
        tab->runAll();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        // One entry per statement: both ran (on SQLite the second failed), both are kept.
        QTRY_COMPARE_WITH_TIMEOUT(pane->historyList()->count(), 2, 10000);
        // The history as listed holds it masked, and the tab as saved.
        for (int i = 0; i < pane->historyList()->count(); ++i) {
            QListWidgetItem *item = pane->historyList()->item(i);
            for (const QString &text :
                 {item->text(), item->toolTip(), item->data(Qt::UserRole).toString()})
                for (const QString &secret : secrets)
                    QVERIFY2(!text.contains(secret), qPrintable(text));
        }
        const QString kept = pane->historyList()->item(0)->data(Qt::UserRole).toString() +
                             pane->historyList()->item(1)->data(Qt::UserRole).toString();
        QVERIFY2(kept.contains(QLatin1String("PASSWORD '***'")), qPrintable(kept));
        QVERIFY2(kept.contains(QLatin1String("password=***")), qPrintable(kept));
        QVERIFY2(kept.contains(QLatin1String("postgresql://u:***@h/d")), qPrintable(kept));
        pane->saveTabs();
        tabsFile = strata::ui::ConsolePane::tabsFilePath();
        historyFile = tab->history()->filePath();
        QFile saved(tabsFile);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray tabs = saved.readAll();
        QVERIFY2(tabs.contains("PASSWORD '***'"), tabs.constData());
        if (backend == QLatin1String("postgres")) {
            orm::Database cleanup(url);
            strata::test::await(cleanup.executeScript(QStringLiteral("DROP ROLE %1").arg(role)));
        }
    }
    verifyOwnerOnly(tabsFile);
    verifyOwnerOnly(historyFile);
    verifyNoFileHolds(secrets);
}

QTEST_MAIN(TestMainWindowSecrets)
#include "tst_main_window_secrets.moc"
