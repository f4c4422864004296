// The saved-connections controller without a window: saving adds (and connects) the database at
// once, an edit replaces it and asks for its successor to be shown, removing asks through the
// Confirm callback (naming uncommitted work the probe reports), declining keeps everything, and
// the connection opened as the primary waits for the next start.

#include "await.h"
#include "backends.h"

#include "orm/registry/registry.h"
#include "ui/saved_connections_controller.h"

#include <QFile>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using strata::ui::LogPane;
using strata::ui::SavedConnection;
using strata::ui::SavedConnections;
using strata::ui::SavedConnectionsController;

namespace {

// A controller on a temporary file, a keyring in memory, and what it logged.
struct Fixture {
    explicit Fixture(orm::Registry *registry)
        : controller(registry)
    {
        controller.setPath(dir.filePath(QStringLiteral("connections.json")));
        controller.setPasswordKeeper(
            {[this](const QString &name, const QString &password, QString *) {
                 keyring.insert(name, password);
                 return true;
             },
             [this](const QString &name) { return keyring.remove(name) > 0; }});
        QObject::connect(&controller, &SavedConnectionsController::logged,
                         [this](LogPane::Level, const QString &text) { log << text; });
    }

    QStringList savedNames() const
    {
        SavedConnections saved(controller.path());
        saved.load();
        QStringList names;
        for (const SavedConnection &connection : saved.connections())
            names << connection.name;
        return names;
    }

    QTemporaryDir dir;
    SavedConnectionsController controller;
    QMap<QString, QString> keyring;
    QStringList log;
};

} // namespace

class TestSavedConnectionsController : public QObject {
    Q_OBJECT

private slots:
    void saveAppliesAtOnceAndEditReplaces()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        strata::test::await(registry.connect());
        Fixture fixture(&registry);
        SavedConnectionsController &controller = fixture.controller;
        QSignalSpy changed(&controller, &SavedConnectionsController::savedChanged);
        QSignalSpy activate(&controller, &SavedConnectionsController::activateRequested);

        const QString shopUrl = strata::test::urlFor(QStringLiteral("sqlite"), "shop");
        QVERIFY(controller.save({QStringLiteral("shop"), shopUrl, false}, QStringLiteral("pw")));
        QCOMPARE(registry.extraNames(), QStringList{"shop"});
        QCOMPARE(fixture.savedNames(), QStringList{"shop"});
        QCOMPARE(fixture.keyring.value(QStringLiteral("shop")), QStringLiteral("pw"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(activate.count(), 0); // it replaced nothing shown
        QVERIFY2(fixture.log.join(u'\n').contains(QStringLiteral("it applies now")),
                 qPrintable(fixture.log.join(u'\n')));
        const QPointer<orm::Database> shop = registry.database(QStringLiteral("shop"));
        QTRY_VERIFY_WITH_TIMEOUT(shop->isConnected(), 10000);

        // The shown database, renamed and moved: replaced at once, its successor asked for.
        controller.setActiveDatabase(QStringLiteral("shop"));
        const QString storeUrl = strata::test::urlFor(QStringLiteral("sqlite"), "store");
        QVERIFY(controller.save({QStringLiteral("store"), storeUrl, false}, QString(),
                                QStringLiteral("shop")));
        QCOMPARE(registry.extraNames(), QStringList{"store"});
        QCOMPARE(fixture.savedNames(), QStringList{"store"});
        QVERIFY(!fixture.keyring.contains(QStringLiteral("shop")));
        QCOMPARE(activate.count(), 1);
        QCOMPARE(activate.at(0).at(0).toString(), QStringLiteral("store"));
        QTRY_VERIFY_WITH_TIMEOUT(shop.isNull(), 10000); // closed and deleted
        orm::Database *store = registry.database(QStringLiteral("store"));
        QTRY_VERIFY_WITH_TIMEOUT(store->isConnected(), 10000);
        QCOMPARE(changed.count(), 2);
        strata::test::await(registry.disconnect(true));
    }

    void removingAsksAboutUncommittedWork()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        const QString busyUrl = strata::test::urlFor(QStringLiteral("sqlite"), "busy");
        registry.addExtra(QStringLiteral("busy"), busyUrl);
        Fixture fixture(&registry);
        SavedConnectionsController &controller = fixture.controller;
        SavedConnections saved(controller.path());
        saved.put({QStringLiteral("busy"), busyUrl, false});
        saved.save();
        const QPointer<orm::Database> busy = registry.database(QStringLiteral("busy"));
        controller.setUncommittedWorkProbe([&](const orm::Database *database) {
            return database == busy.data() ? QStringList{QStringLiteral("console tab 3")}
                                           : QStringList();
        });
        QCOMPARE(controller.uncommittedWork(busy), QStringList{"console tab 3"});
        QVERIFY(controller.uncommittedWork(nullptr).isEmpty());
        QStringList questions;
        bool answer = false;
        controller.setConfirm([&](const QString &, const QString &question) {
            questions << question;
            return answer;
        });

        // Declined: the file and the registry stay as they were, for a removal and an edit.
        controller.confirmAndRemove(QStringLiteral("busy"));
        QCOMPARE(questions.size(), 1);
        QVERIFY2(questions.last().contains(QStringLiteral("console tab 3")) &&
                     questions.last().contains(QStringLiteral("closes now")),
                 qPrintable(questions.last()));
        QVERIFY(!controller.save({QStringLiteral("busy"), busyUrl, false}, QString(),
                                 QStringLiteral("busy")));
        QCOMPARE(questions.size(), 2);
        QVERIFY(questions.last().contains(QStringLiteral("console tab 3")));
        QVERIFY(fixture.log.join(u'\n').contains(QStringLiteral("was not saved")));
        QCOMPARE(registry.extraNames(), QStringList{"busy"});
        QCOMPARE(fixture.savedNames(), QStringList{"busy"});

        // Accepted: gone from the file, the keyring and the registry.
        fixture.keyring.insert(QStringLiteral("busy"), QStringLiteral("pw"));
        answer = true;
        controller.confirmAndRemove(QStringLiteral("busy"));
        QCOMPARE(questions.size(), 3);
        QVERIFY(registry.extraNames().isEmpty());
        QVERIFY(fixture.savedNames().isEmpty());
        QVERIFY(fixture.keyring.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(busy.isNull(), 10000);
        // Nothing left to remove.
        QVERIFY(!controller.remove(QStringLiteral("busy")));
        QVERIFY(fixture.log.last().contains(QStringLiteral("No saved connection named busy")));
    }

    // Without a Confirm callback a question is declined.
    void unansweredQuestionsDecline()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        const QString url = strata::test::urlFor(QStringLiteral("sqlite"), "held");
        registry.addExtra(QStringLiteral("held"), url);
        Fixture fixture(&registry);
        fixture.controller.setUncommittedWorkProbe(
            [](const orm::Database *) { return QStringList{QStringLiteral("console tab 1")}; });
        QVERIFY(!fixture.controller.save({QStringLiteral("held"), url, false}, QString()));
        QCOMPARE(registry.extraNames(), QStringList{"held"});
        QVERIFY(fixture.savedNames().isEmpty());
    }

    // The connection opened as the primary: saved, renamed, but the registry keeps its primary
    // until the next start.
    void thePrimaryChangesAtTheNextStart()
    {
        const QString url = strata::test::urlFor(QStringLiteral("sqlite"));
        orm::Registry registry(url);
        Fixture fixture(&registry);
        fixture.controller.setPrimaryConnectionName(QStringLiteral("main"));
        orm::Database *primary = registry.database();
        QVERIFY(fixture.controller.save({QStringLiteral("main"), url, true}, QString()));
        QVERIFY(fixture.controller.save({QStringLiteral("renamed"), url, true}, QString(),
                                        QStringLiteral("main")));
        QCOMPARE(fixture.controller.primaryConnectionName(), QStringLiteral("renamed"));
        QCOMPARE(fixture.savedNames(), QStringList{"renamed"});
        QVERIFY(registry.extraNames().isEmpty());
        QCOMPARE(registry.database(), primary);
        QVERIFY(fixture.log.last().contains(QStringLiteral("changes at the next start")));
        QVERIFY(fixture.controller.remove(QStringLiteral("renamed")));
        QVERIFY(fixture.log.last().contains(QStringLiteral("stays open until the next start")));
    }

    // A libpq host list, saved: the file keeps every host and target_session_attrs but no
    // secret; the registry gets it whole. (Loopback ports nothing listens on: it stays down.)
    void aHostListKeepsItsHosts()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite")));
        Fixture fixture(&registry);
        const QString url = QStringLiteral(
            "postgresql://ann:Zq9pw@127.0.0.1:1,[::1]:2,localhost/shop?target_session_attrs="
            "read-write&sslpassword=Zq9key&connect_timeout=1");
        const orm::DatabaseUrl given = orm::DatabaseUrl::parse(url);
        QCOMPARE(given.hosts().size(), 3);
        QVERIFY(
            fixture.controller.save({QStringLiteral("ha"), url, false}, QStringLiteral("Zq9pw")));

        QFile file(fixture.controller.path());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(!text.contains("Zq9"), text.constData());
        SavedConnections saved(fixture.controller.path());
        saved.load();
        QCOMPARE(saved.connections().size(), 1);
        const orm::DatabaseUrl kept = orm::DatabaseUrl::parse(saved.connections()[0].url);
        QCOMPARE(kept.hosts(), given.hosts());
        QCOMPARE(kept.option(QStringLiteral("target_session_attrs")), QStringLiteral("read-write"));
        QVERIFY(!kept.hasPassword());
        QVERIFY(!kept.options().contains(QStringLiteral("sslpassword")));

        const orm::DatabaseUrl open = registry.database(QStringLiteral("ha"))->url();
        QCOMPARE(open.hosts(), given.hosts());
        QCOMPARE(open.password(), QStringLiteral("Zq9pw"));
        for (const QString &line : fixture.log)
            QVERIFY2(!line.contains(QStringLiteral("Zq9")), qPrintable(line));
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_GUILESS_MAIN(TestSavedConnectionsController)
#include "tst_saved_connections_controller.moc"
