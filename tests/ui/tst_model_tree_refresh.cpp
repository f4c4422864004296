// The tree follows the catalog on the real window, on SQLite (a tenant file attached) and
// PostgreSQL (a tenant schema): a table another client creates in one tenant shows within a few
// seconds, and one it drops goes, by the catalog probe; with the probe off, the tree's Refresh
// (its context menu, on any node) reads the catalog again.

#include "main_window_fixture.h"

namespace {

QModelIndex findNode(QTreeView *tree, const QString &text)
{
    const QModelIndexList hits =
        tree->model()->match(tree->model()->index(0, 0), Qt::DisplayRole, text, 1,
                             Qt::MatchStartsWith | Qt::MatchRecursive);
    return hits.value(0);
}

} // namespace

class TestModelTreeRefresh : public QObject {
    Q_OBJECT

    // A tenant (schema or attached file) with one table; its name.
    QString addTenant(orm::Registry &registry, const QString &backend, QStringList &dropLater)
    {
        if (backend == QLatin1String("postgres")) {
            const QString schema = strata::test::uniqueName(QStringLiteral("live"));
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.first (id INTEGER);")
                    .arg(schema)));
            dropLater << schema;
            return schema;
        }
        const QString file = strata::test::urlFor(backend, QStringLiteral("live"));
        orm::Database tenant(file);
        strata::test::await(
            tenant.executeScript(QStringLiteral("CREATE TABLE first (id INTEGER);")));
        registry.database()->attach(QStringLiteral("live"), orm::DatabaseUrl::parse(file).path());
        m_tenantFile = file;
        return QStringLiteral("live");
    }
    // Runs DDL in the tenant as another client would.
    void elsewhere(const QString &backend, const QString &schema, const QString &ddl)
    {
        if (backend == QLatin1String("postgres")) {
            orm::Database other(strata::test::postgresUrl());
            strata::test::await(
                other.executeScript(QStringLiteral("SET search_path TO %1; %2").arg(schema, ddl)));
            return;
        }
        orm::Database other(m_tenantFile);
        strata::test::await(other.executeScript(ddl));
    }
    QString m_tenantFile;

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void ddlElsewhereShowsWithinSeconds()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        QStringList schemas;
        const QString tenant = addTenant(registry, backend, schemas);
        MainWindow window(&registry);
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(window.schemaSwitcher()->findText(tenant) >= 0, 10000);
        window.setActiveSchema(tenant);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), tenant).contains(QStringLiteral("first")), 10000);
        QCOMPARE(window.modelTree()->probeInterval(), 2000);

        elsewhere(backend, tenant, QStringLiteral("CREATE TABLE second (id INTEGER);"));
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), tenant).contains(QStringLiteral("second")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(findNode(window.tree(), QStringLiteral("second")).isValid(),
                                 10000);
        elsewhere(backend, tenant, QStringLiteral("DROP TABLE first;"));
        QTRY_VERIFY_WITH_TIMEOUT(
            !window.listedModels(QString(), tenant).contains(QStringLiteral("first")), 10000);
        QVERIFY(!findNode(window.tree(), QStringLiteral("first")).isValid());
        QCOMPARE(window.activeSchema(), tenant);
        if (!schemas.isEmpty())
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schemas.first())));
        strata::test::await(registry.disconnect(true));
    }

    void refreshActionReadsTheCatalogAgain()
    {
        STRATA_BACKEND_URL(url);
        orm::Registry registry(url);
        QStringList schemas;
        const QString tenant = addTenant(registry, backend, schemas);
        MainWindow window(&registry);
        window.modelTree()->setProbeInterval(24 * 3600 * 1000); // only Refresh reads again
        window.show();
        strata::test::await(registry.connect(orm::Registry::ConnectMode::Lenient));
        QTRY_VERIFY_WITH_TIMEOUT(window.schemaSwitcher()->findText(tenant) >= 0, 10000);
        window.setActiveSchema(tenant);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), tenant).contains(QStringLiteral("first")), 10000);
        elsewhere(backend, tenant, QStringLiteral("CREATE TABLE third (id INTEGER);"));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 10000);
        QVERIFY(!window.listedModels(QString(), tenant).contains(QStringLiteral("third")));

        // The context menu of the tenant's table node, as the user opens it.
        QTreeView *tree = window.tree();
        const QModelIndex node = findNode(tree, QStringLiteral("first"));
        QVERIFY(node.isValid());
        tree->scrollTo(node);
        emit tree->customContextMenuRequested(tree->visualRect(node).center());
        QMenu *menu = nullptr;
        QTRY_VERIFY((menu = window.modelTree()->findChild<QMenu *>(
                         QStringLiteral("treeContextMenu"))) != nullptr);
        QStringList entries;
        for (QAction *action : menu->actions())
            entries << action->text();
        QCOMPARE(entries, (QStringList{"&Open", "&Copy name", "Show &DDL", "&Refresh"}));
        for (QAction *action : menu->actions())
            if (action->objectName() == QLatin1String("refreshTreeAction"))
                action->trigger();
        menu->close();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.listedModels(QString(), tenant).contains(QStringLiteral("third")), 10000);
        if (!schemas.isEmpty())
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schemas.first())));
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestModelTreeRefresh)
#include "tst_model_tree_refresh.moc"
