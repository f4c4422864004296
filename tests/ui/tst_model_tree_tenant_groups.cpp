// Hundreds of tenants in the tree: past the threshold, the tenants shaped like the template fold
// into one node ("32 tenants like ‘template’"), listed lazily in natural order, and the drifting
// ones stay apart with a tooltip saying what drifts. Until the comparison (off the GUI thread)
// ends, the schemas show one by one; Refresh compares again; showSchema opens the group.
//
// PostgreSQL: a database of its own with 35 tenants (awkward names among them) and 3 that
// drift (an extra column, a missing table, another type), the template named "template" or
// found as the structure most tenants share. SQLite attaches at most 10 databases
// (SQLITE_MAX_ATTACHED), fewer than the default threshold of 20: a SQLite file never groups at
// that threshold, so the SQLite case lowers it to show the grouping works there too.

#include "await.h"
#include "backends.h"
#include "own_database.h"

#include "orm/registry/registry.h"
#include "ui/model_tree.h"
#include "ui/natural_order.h"

#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTest>
#include <QTreeView>

#include <optional>

using strata::ui::ModelTree;

namespace {

const QString TenantTables =
    QStringLiteral("CREATE TABLE %1.account (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                   "CREATE TABLE %1.orders (id INTEGER PRIMARY KEY, account_id INTEGER, "
                   "total NUMERIC(10,2));");

QString quotedName(const QString &name)
{
    return QLatin1Char('"') + QString(name).replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
           QLatin1Char('"');
}

QStringList schemaTexts(QStandardItem *parent)
{
    QStringList texts;
    for (int row = 0; parent && row < parent->rowCount(); ++row)
        if (parent->child(row)->data(ModelTree::NodeKindRole).toInt() ==
            int(ModelTree::NodeKind::Schema))
            texts << parent->child(row)->text();
    return texts;
}

QStandardItem *childNamed(QStandardItem *parent, const QString &text)
{
    for (int row = 0; parent && row < parent->rowCount(); ++row)
        if (parent->child(row)->text() == text)
            return parent->child(row);
    return nullptr;
}

} // namespace

class TestModelTreeTenantGroups : public QObject {
    Q_OBJECT

    std::optional<strata::test::OwnDatabase> m_database; // PostgreSQL: dropped after the test

    // A PostgreSQL database of its own: the shared one holds other suites' schemas.
    QString freshDatabase()
    {
        m_database.emplace(QStringLiteral("groups"));
        return m_database->url();
    }

    // Waits for the comparison, without blocking the loop: QTRY pumps events.
    static void awaitGrouping(ModelTree &tree)
    {
        QTRY_VERIFY_WITH_TIMEOUT(tree.tenantGrouping(QString()).has_value(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 20000);
    }

private slots:
    void cleanup() { m_database.reset(); }

    void postgresTenantsGroup_data()
    {
        QTest::addColumn<QString>("templateName");
        QTest::newRow("named template") << QStringLiteral("template");
        QTest::newRow("commonest structure") << QStringLiteral("base");
        // The registry's tenant tables are the template; "seed" is one more tenant like them.
        QTest::newRow("tenant models") << QStringLiteral("seed");
    }

    void postgresTenantsGroup()
    {
        QFETCH(QString, templateName);
        if (strata::test::postgresUrl().isEmpty()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");
            QSKIP("no PostgreSQL server (run through `make test`)");
        }
        const QString url = freshDatabase();
        QStringList alike;
        for (int i = 1; i <= 33; ++i)
            alike << QStringLiteral("t%1").arg(i);
        alike << QStringLiteral("weird name") << QStringLiteral("Odd \"Name\"");
        QString script;
        for (const QString &schema :
             QStringList{templateName} + alike + QStringList{"t_extra", "t_missing", "t_type"})
            script += QStringLiteral("CREATE SCHEMA %1;").arg(quotedName(schema)) +
                      TenantTables.arg(quotedName(schema));
        script += QStringLiteral("ALTER TABLE t_extra.account ADD COLUMN nickname text;"
                                 "DROP TABLE t_missing.orders;"
                                 "ALTER TABLE t_type.orders ALTER COLUMN total TYPE bigint;");
        orm::Registry registry(url);
        strata::test::await(registry.database()->executeScript(script));
        const bool models = templateName == QLatin1String("seed");
        if (models) {
            registry.addTenantModel(orm::ModelBuilder("account", "account")
                                        .field("id", "integer")
                                        .primaryKey()
                                        .field("name", "text")
                                        .notNull()
                                        .build());
            registry.addTenantModel(orm::ModelBuilder("orders", "orders")
                                        .field("id", "integer")
                                        .primaryKey()
                                        .field("account_id", "integer")
                                        .field("total", "numeric(10,2)")
                                        .build());
            alike.prepend(templateName);
        }

        ModelTree tree(&registry);
        tree.addDatabase(QString());
        tree.show();
        // What the tree shows when the schemas are first listed: every schema on its own.
        int shownAtListing = -1;
        bool groupAtListing = true;
        connect(&tree, &ModelTree::schemasListed, this, [&] {
            if (shownAtListing >= 0)
                return;
            shownAtListing = schemaTexts(tree.model()->item(0)).size();
            groupAtListing = tree.tenantGroupItem(QString()) != nullptr;
        });
        strata::test::await(registry.connect());
        tree.showDatabase(QString());
        tree.listSchemas(QString());
        QTRY_VERIFY_WITH_TIMEOUT(shownAtListing >= 0, 10000);
        // public, the template (models: one more tenant), the tenants
        QCOMPARE(shownAtListing, 1 + (models ? 0 : 1) + alike.size() + 3);
        QVERIFY(!groupAtListing);
        awaitGrouping(tree);

        const strata::ui::TenantGrouping grouping = *tree.tenantGrouping(QString());
        QCOMPARE(grouping.templateSchema, models ? QString() : templateName);
        QStringList expectedAlike = alike;
        std::sort(expectedAlike.begin(), expectedAlike.end(), strata::ui::naturalLess);
        QCOMPARE(grouping.alike, expectedAlike);
        QCOMPARE(grouping.drifting.keys(), (QStringList{"t_extra", "t_missing", "t_type"}));

        QStandardItem *database = tree.model()->item(0);
        QStandardItem *group = tree.tenantGroupItem(QString());
        QVERIFY(group);
        const auto label = [&](int count) {
            return models ? QStringLiteral("%1 tenants like the tenant tables").arg(count)
                          : QStringLiteral("%1 tenants like ‘%2’")
                                .arg(QString::number(count), templateName);
        };
        QCOMPARE(group->text(), label(alike.size()));
        // Beside it, the default schema, the template and the drifting tenants, in order.
        QStringList apart{"public", "t_extra", "t_missing", "t_type"};
        if (!models)
            apart.insert(templateName == QLatin1String("base") ? 1 : 4, templateName);
        QCOMPARE(schemaTexts(database), apart);
        const auto tip = [&](const QString &schema) {
            return childNamed(database, schema)->toolTip();
        };
        QVERIFY2(tip("t_extra").contains("nickname"), qPrintable(tip("t_extra")));
        QVERIFY2(tip("t_missing").contains("orders"), qPrintable(tip("t_missing")));
        QVERIFY2(tip("t_type").contains("bigint"), qPrintable(tip("t_type")));
        QVERIFY(tip("public").isEmpty());

        // Its tenants are listed when it opens, in natural order.
        QCOMPARE(group->rowCount(), 1);
        QCOMPARE(group->child(0)->data(ModelTree::NodeKindRole).toInt(),
                 int(ModelTree::NodeKind::Placeholder));
        tree.view()->expand(static_cast<QSortFilterProxyModel *>(tree.view()->model())
                                ->mapFromSource(group->index()));
        QCOMPARE(schemaTexts(group), expectedAlike);
        tree.view()->collapse(static_cast<QSortFilterProxyModel *>(tree.view()->model())
                                  ->mapFromSource(group->index()));

        // The switcher's showSchema finds a tenant inside the group, and lists its tables.
        tree.showSchema(QString(), QStringLiteral("Odd \"Name\""));
        QCOMPARE(tree.view()->currentIndex().data().toString(), QStringLiteral("Odd \"Name\""));
        QVERIFY(tree.view()->isExpanded(tree.view()->currentIndex().parent()));
        QTRY_VERIFY_WITH_TIMEOUT(tree.hasModels(QString(), QStringLiteral("Odd \"Name\"")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);
        QCOMPARE(tree.listedModels(QString(), QStringLiteral("Odd \"Name\"")),
                 (QStringList{"account", "orders"}));

        // Refresh after DDL compares again: t7 drifts now, and what was open stays open.
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("ALTER TABLE t7.orders ADD COLUMN due date")));
        tree.refreshDatabase(QString());
        QTRY_VERIFY_WITH_TIMEOUT(tree.tenantGrouping(QString())->drifting.contains("t7"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 20000);
        group = tree.tenantGroupItem(QString());
        QCOMPARE(group->text(), label(alike.size() - 1));
        QVERIFY(childNamed(database, "t7"));
        QVERIFY(childNamed(database, "t7")->toolTip().contains("due"));
        QVERIFY(!schemaTexts(group).contains("t7"));
        QCOMPARE(tree.view()->currentIndex().data().toString(), QStringLiteral("Odd \"Name\""));
        strata::test::await(registry.disconnect(true));
    }

    void sqliteAttachedTenantsGroup()
    {
        const QString url =
            strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("groups"));
        orm::Registry registry(url);
        const QString one =
            QStringLiteral("CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT "
                           "NULL); CREATE TABLE orders (id INTEGER PRIMARY KEY, "
                           "account_id INTEGER, total NUMERIC(10,2));");
        const QStringList alike{"t1", "t2", "t3", "t10", "weird name", "t4", "t5"};
        for (const QString &name : alike + QStringList{"t_extra", "t_missing"}) {
            const QString file = strata::test::urlFor(QStringLiteral("sqlite"), name);
            orm::Database tenant(file);
            QString ddl = one;
            if (name == QLatin1String("t_extra"))
                ddl += QStringLiteral("ALTER TABLE account ADD COLUMN nickname TEXT;");
            if (name == QLatin1String("t_missing"))
                ddl += QStringLiteral("DROP TABLE orders;");
            strata::test::await(tenant.executeScript(ddl));
            registry.database()->attach(name, orm::DatabaseUrl::parse(file).path());
        }
        ModelTree tree(&registry);
        // Nine attached files: below the default threshold (SQLite attaches at most 10).
        QCOMPARE(tree.tenantGroupThreshold(), strata::ui::TenantGroupThreshold);
        tree.setTenantGroupThreshold(5);
        tree.addDatabase(QString());
        tree.show();
        strata::test::await(registry.connect());
        tree.showDatabase(QString());
        tree.listSchemas(QString());
        awaitGrouping(tree);
        const strata::ui::TenantGrouping grouping = *tree.tenantGrouping(QString());
        // No schema named template: the structure most tenants share, t1 first of them.
        QCOMPARE(grouping.templateSchema, QStringLiteral("t1"));
        QCOMPARE(grouping.alike, (QStringList{"t2", "t3", "t4", "t5", "t10", "weird name"}));
        QCOMPARE(grouping.drifting.keys(), (QStringList{"t_extra", "t_missing"}));
        QStandardItem *database = tree.model()->item(0);
        QCOMPARE(schemaTexts(database), (QStringList{"main", "t1", "t_extra", "t_missing"}));
        QCOMPARE(tree.tenantGroupItem(QString())->text(), QStringLiteral("6 tenants like ‘t1’"));
        QVERIFY(childNamed(database, "t_extra")->toolTip().contains("nickname"));
        tree.showSchema(QString(), QStringLiteral("weird name"));
        QCOMPARE(tree.view()->currentIndex().data().toString(), QStringLiteral("weird name"));
        QTRY_VERIFY_WITH_TIMEOUT(tree.hasModels(QString(), QStringLiteral("weird name")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);

        // Fewer tenants than the threshold: no group, every schema on its own again.
        tree.setTenantGroupThreshold(20);
        tree.refreshDatabase(QString());
        QTRY_VERIFY_WITH_TIMEOUT(!tree.tenantGrouping(QString()).has_value(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);
        QVERIFY(!tree.tenantGroupItem(QString()));
        QCOMPARE(schemaTexts(database).size(), 10);
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestModelTreeTenantGroups)
#include "tst_model_tree_tenant_groups.moc"
