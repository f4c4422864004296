// The model tree's filter on a real registry, both backends: typing finds tables by name and
// by column without any table expanded (the names come from the catalog, one query per
// schema), only in the tenant where a column exists; typing fast never shows a stale result;
// clearing gives the tree back as it was; a table created later is found once the tree has
// refreshed; found tables open and read their real fields like the tree's.

#include "await.h"
#include "backends.h"

#include "orm/query/sql_dialect.h"
#include "orm/registry/registry.h"
#include "ui/model_tree.h"
#include "ui/tree_icons.h"

#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>
#include <QTreeView>

#include <memory>

using strata::ui::ModelTree;

namespace {

using strata::test::isPostgres;

const auto q = orm::quoteIdentifier; // every name the tests use needs quoting

const QString OddTable = QStringLiteral("Odd \"Name\"");
const QString SpacedTable = QStringLiteral("weird name");

// What the results show: "schema/table" for every table found, "schema/table/column" for each
// column under it (fields read later included).
QStringList shown(const ModelTree &tree)
{
    QStringList lines;
    const QStandardItemModel *model = tree.filterResults();
    for (int d = 0; d < model->rowCount(); ++d) {
        const QStandardItem *database = model->item(d);
        for (int s = 0; s < database->rowCount(); ++s) {
            const QStandardItem *schema = database->child(s);
            for (int t = 0; t < schema->rowCount(); ++t) {
                const QStandardItem *table = schema->child(t);
                const QString path =
                    schema->text() + u'/' + table->data(ModelTree::ModelNameRole).toString();
                lines << path;
                for (int c = 0; c < table->rowCount(); ++c)
                    if (table->child(c)->data(ModelTree::NodeKindRole).toInt() ==
                        int(ModelTree::NodeKind::Field))
                        lines << path + u'/' + table->child(c)->text();
            }
        }
    }
    return lines;
}

QStandardItem *resultTable(const ModelTree &tree, const QString &schema, const QString &table)
{
    const QStandardItemModel *model = tree.filterResults();
    for (int d = 0; d < model->rowCount(); ++d)
        for (int s = 0; s < model->item(d)->rowCount(); ++s) {
            QStandardItem *node = model->item(d)->child(s);
            for (int t = 0; node->text() == schema && t < node->rowCount(); ++t)
                if (node->child(t)->data(ModelTree::ModelNameRole).toString() == table)
                    return node->child(t);
        }
    return nullptr;
}

} // namespace

class TestModelTreeFilter : public QObject {
    Q_OBJECT

    // Two tenants that differ (a column in one only), awkward names in both, listed in a real
    // tree with no table expanded.
    struct Fixture {
        std::unique_ptr<orm::Registry> registry;
        std::unique_ptr<ModelTree> tree;
        QString tenantA;
        QString tenantB;
        QString backend;
        QString fileB; // SQLite: tenant B's file
    };

    // Fills `f`; a failed check leaves it half made (the test then ends).
    void makeFixture(Fixture *f, const QString &backend, const QString &url)
    {
        f->backend = backend;
        f->registry = std::make_unique<orm::Registry>(url);
        orm::Database *db = f->registry->database();
        const QString tenantDdl = QStringLiteral("CREATE TABLE %1%2 (id int, shared_col text%4);"
                                                 "CREATE TABLE %1plain (plain_col int, other int);"
                                                 "CREATE VIEW %1seen AS SELECT id FROM %3;");
        if (isPostgres(backend)) {
            f->tenantA = strata::test::uniqueName(QStringLiteral("Odd \"Tenant\""));
            f->tenantB = strata::test::uniqueName(QStringLiteral("weird tenant"));
            strata::test::await(
                db->executeScript(QStringLiteral("CREATE SCHEMA %1; CREATE SCHEMA %2;")
                                      .arg(q(f->tenantA), q(f->tenantB))));
            for (const QString &tenant : {f->tenantA, f->tenantB}) {
                const QString prefix = q(tenant) + u'.';
                const QString extra =
                    tenant == f->tenantA
                        ? QStringLiteral(", only_in_a int, \"Odd \"\"Col\"\"\" int")
                        : QString();
                strata::test::await(db->executeScript(
                    tenantDdl.arg(prefix, q(OddTable), prefix + q(OddTable), extra)));
            }
            strata::test::await(
                db->executeScript(QStringLiteral("CREATE TABLE %1.%2 (spaced_col int)")
                                      .arg(q(f->tenantB), q(SpacedTable))));
        } else {
            f->tenantA = QStringLiteral("main");
            f->tenantB = QStringLiteral("weird \"tenant\"");
            strata::test::await(db->executeScript(
                tenantDdl.arg(QString(), q(OddTable), q(OddTable),
                              QStringLiteral(", only_in_a int, \"Odd \"\"Col\"\"\" int"))));
            f->fileB = strata::test::urlFor(backend, QStringLiteral("tenant_b"));
            orm::Database other(f->fileB);
            strata::test::await(other.executeScript(
                tenantDdl.arg(QString(), q(OddTable), q(OddTable), QString()) +
                QStringLiteral("CREATE TABLE %1 (spaced_col int);").arg(q(SpacedTable))));
            db->attach(f->tenantB, orm::DatabaseUrl::parse(f->fileB).path());
        }
        f->tree = std::make_unique<ModelTree>(f->registry.get());
        ModelTree &tree = *f->tree;
        tree.setProbeInterval(24 * 3600 * 1000); // refreshes only when a test asks
        tree.addDatabase(QString());
        tree.show();
        strata::test::await(f->registry->connect());
        tree.listSchemas(QString());
        QTRY_VERIFY_WITH_TIMEOUT(tree.hasSchemas(QString()), 10000);
        tree.showDatabase(QString());
        tree.showSchema(QString(), f->tenantA);
        tree.showSchema(QString(), f->tenantB);
        QTRY_VERIFY_WITH_TIMEOUT(
            tree.hasModels(QString(), f->tenantA) && tree.hasModels(QString(), f->tenantB), 10000);
    }

    void settle(ModelTree &tree)
    {
        QTRY_VERIFY_WITH_TIMEOUT(tree.pendingWork() == 0 && !tree.isFiltering(), 10000);
    }

    void tearDown(Fixture &f)
    {
        settle(*f.tree);
        f.tree.reset();
        if (isPostgres(f.backend))
            strata::test::await(f.registry->database()->executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE; DROP SCHEMA %2 CASCADE")
                    .arg(q(f.tenantA), q(f.tenantB))));
        strata::test::await(f.registry->disconnect(true));
    }

    // Types as the user does, then waits for the names, the search and the insertion.
    void type(ModelTree &tree, const QString &text)
    {
        tree.filter()->clear();
        QTest::keyClicks(tree.filter(), text);
        settle(tree);
    }

    // No table of the tree had its fields read: the names came from the catalog.
    static void noFieldsRead(ModelTree &tree, const QString &schema)
    {
        for (const orm::Model &model : tree.models(QString(), schema))
            QVERIFY2(!model.fieldsLoaded, qPrintable(model.name));
    }

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void columnOfAnUnexpandedTableIsFound()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        QCOMPARE(tree.filter()->placeholderText(), QStringLiteral("Filter tables and columns"));
        type(tree, QStringLiteral("ONLY_in"));
        QVERIFY(tree.resultsView()->isVisible());
        const QString a = f->tenantA + u'/' + OddTable;
        QCOMPARE(shown(tree), (QStringList{a, a + QStringLiteral("/only_in_a")}));
        // Shown under its table, expanded.
        QStandardItem *table = resultTable(tree, f->tenantA, OddTable);
        QVERIFY(table);
        QVERIFY(tree.resultsView()->isExpanded(table->index()));
        noFieldsRead(tree, f->tenantA);
        noFieldsRead(tree, f->tenantB);
        tearDown(*f);
    }

    void columnIsFoundOnlyInTheTenantThatHasIt()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        // shared_col is in both tenants' Odd "Name"; only_in_a in A's; spaced_col in B's.
        type(tree, QStringLiteral("shared"));
        const QString a = f->tenantA + u'/' + OddTable;
        const QString b = f->tenantB + u'/' + OddTable;
        QCOMPARE(shown(tree), (QStringList{a, a + QStringLiteral("/shared_col"), b,
                                           b + QStringLiteral("/shared_col")}));
        type(tree, QStringLiteral("spaced_c"));
        const QString spaced = f->tenantB + u'/' + SpacedTable;
        QCOMPARE(shown(tree), (QStringList{spaced, spaced + QStringLiteral("/spaced_col")}));
        // A column of one name, awkward, found by its quote.
        type(tree, QStringLiteral("d \"c"));
        QCOMPARE(shown(tree), (QStringList{a, a + QStringLiteral("/Odd \"Col\"")}));
        type(tree, QStringLiteral("no such name anywhere"));
        QCOMPARE(shown(tree), QStringList());
        QCOMPARE(tree.filterResults()->rowCount(), 1); // the line saying nothing matches
        tearDown(*f);
    }

    void tableNameIsFound()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        type(tree, QStringLiteral("IRD na"));
        QCOMPARE(shown(tree), QStringList{f->tenantB + u'/' + SpacedTable});
        // Found by name only: collapsed, its fields read when expanded.
        type(tree, QStringLiteral("\"name\""));
        QCOMPARE(shown(tree),
                 (QStringList{f->tenantA + u'/' + OddTable, f->tenantB + u'/' + OddTable}));
        type(tree, QStringLiteral("seen"));
        QCOMPARE(shown(tree), (QStringList{f->tenantA + QStringLiteral("/seen"),
                                           f->tenantB + QStringLiteral("/seen")}));
        // A view reads as its name, its kind shown by the tree's view icon.
        const QStandardItem *view = resultTable(tree, f->tenantA, QStringLiteral("seen"));
        QCOMPARE(view->text(), QStringLiteral("seen"));
        QCOMPARE(view->icon().cacheKey(), strata::ui::treeIcon(orm::ModelKind::View).cacheKey());
        tearDown(*f);
    }

    void typingFastNeverShowsStaleResults()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        tree.setFilterDebounce(0);       // searches start between keystrokes: each must be dropped
        type(tree, QStringLiteral("x")); // the names are read
        // Every table node inserted, with the text typed when it came.
        QStringList inserted;
        connect(tree.filterResults(), &QStandardItemModel::rowsInserted, this,
                [&](const QModelIndex &parent, int first, int last) {
                    for (int row = first; row <= last; ++row) {
                        const QModelIndex index = tree.filterResults()->index(row, 0, parent);
                        if (index.data(ModelTree::NodeKindRole).toInt() ==
                            int(ModelTree::NodeKind::Model))
                            inserted << tree.filter()->text() + u'|' +
                                            index.data(ModelTree::ModelNameRole).toString();
                    }
                });
        tree.filter()->clear();
        for (const QString &text :
             {QStringLiteral("plain_"), QStringLiteral("plain_c"), QStringLiteral("plain_co"),
              QStringLiteral("plain_col"), QStringLiteral("only_"), QStringLiteral("only_i"),
              QStringLiteral("only_in"), QStringLiteral("only_in_a")}) {
            tree.filter()->setText(text);
            QCoreApplication::processEvents(); // a search may run and post hits meanwhile
        }
        settle(tree);
        QCOMPARE(shown(tree),
                 (QStringList{f->tenantA + u'/' + OddTable,
                              f->tenantA + u'/' + OddTable + QStringLiteral("/only_in_a")}));
        // Whatever was inserted matched the text typed at that moment.
        for (const QString &entry : inserted) {
            const QString text = entry.section(u'|', 0, 0);
            const QString table = entry.section(u'|', 1);
            if (text.startsWith(QLatin1String("plain_")))
                QCOMPARE(table, QStringLiteral("plain"));
            else
                QCOMPARE(table, OddTable);
        }
        // And with the debounce, keystrokes faster than it search once.
        tree.setFilterDebounce(100);
        tree.filter()->clear();
        QTest::keyClicks(tree.filter(), QStringLiteral("plain_c"));
        settle(tree);
        QCOMPARE(shown(tree), (QStringList{f->tenantA + QStringLiteral("/plain"),
                                           f->tenantA + QStringLiteral("/plain/plain_col"),
                                           f->tenantB + QStringLiteral("/plain"),
                                           f->tenantB + QStringLiteral("/plain/plain_col")}));
        tearDown(*f);
    }

    void clearingGivesTheTreeBack()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        // A table opened in the tree (its fields read), the other tenant's schema folded.
        QStandardItem *schemaB = nullptr;
        QStandardItem *plainA = nullptr;
        QStandardItem *database = tree.model()->item(0);
        for (int row = 0; row < database->rowCount(); ++row) {
            QStandardItem *schema = database->child(row);
            if (schema->data(ModelTree::SchemaRole).toString() == f->tenantB)
                schemaB = schema;
            if (schema->data(ModelTree::SchemaRole).toString() == f->tenantA)
                for (int t = 0; t < schema->rowCount(); ++t)
                    if (schema->child(t)->data(ModelTree::ModelNameRole).toString() ==
                        QStringLiteral("plain"))
                        plainA = schema->child(t);
        }
        QVERIFY(schemaB && plainA);
        const auto proxyOf = [&](QStandardItem *item) {
            const QModelIndex source = item->index();
            // The view shows a proxy of the tree's model: find the same node in it.
            const QModelIndexList hits = tree.view()->model()->match(
                tree.view()->model()->index(0, 0), ModelTree::ModelNameRole,
                item->data(ModelTree::ModelNameRole), -1, Qt::MatchExactly | Qt::MatchRecursive);
            for (const QModelIndex &hit : hits)
                if (hit.data(ModelTree::SchemaRole) == source.data(ModelTree::SchemaRole))
                    return hit;
            return QModelIndex();
        };
        tree.view()->expand(proxyOf(plainA));
        QTRY_COMPARE_WITH_TIMEOUT(plainA->rowCount(), 2, 10000);
        QTRY_VERIFY(plainA->child(0)->text().startsWith(QStringLiteral("plain_col")));
        const QModelIndexList schemaHits =
            tree.view()->model()->match(tree.view()->model()->index(0, 0), ModelTree::SchemaRole,
                                        f->tenantB, 1, Qt::MatchExactly | Qt::MatchRecursive);
        QVERIFY(!schemaHits.isEmpty());
        tree.view()->collapse(schemaHits.first());
        settle(tree);
        const int rowsBefore = database->rowCount();

        type(tree, QStringLiteral("only"));
        QVERIFY(tree.resultsView()->isVisible());
        QVERIFY(!tree.view()->isVisible());
        tree.filter()->clear();
        QVERIFY(tree.view()->isVisible());
        QVERIFY(!tree.resultsView()->isVisible());
        QCOMPARE(tree.filterResults()->rowCount(), 0);
        QCOMPARE(database->rowCount(), rowsBefore);
        QVERIFY(tree.view()->isExpanded(proxyOf(plainA)));
        QVERIFY(!tree.view()->isExpanded(schemaHits.first()));
        QCOMPARE(plainA->rowCount(), 2);
        tearDown(*f);
    }

    void tableCreatedLaterIsFoundAfterARefresh()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        type(tree, QStringLiteral("late_col")); // the names are read: nothing yet
        QCOMPARE(shown(tree), QStringList());
        const QString ddl = QStringLiteral("CREATE TABLE %1 (id int, late_col text)");
        if (isPostgres(backend)) {
            orm::Database other(strata::test::postgresUrl());
            strata::test::await(
                other.executeScript(ddl.arg(q(f->tenantB) + QStringLiteral(".late_table"))));
        } else {
            orm::Database other(f->fileB);
            strata::test::await(other.executeScript(ddl.arg(QStringLiteral("late_table"))));
        }
        // The console ran something: the tree reads the catalog again, and so the names; the
        // search shown is run again with them.
        tree.catalogMayHaveChanged(QString());
        const QString late = f->tenantB + QStringLiteral("/late_table");
        QTRY_COMPARE_WITH_TIMEOUT(shown(tree),
                                  (QStringList{late, late + QStringLiteral("/late_col")}), 10000);
        settle(tree);
        type(tree, QStringLiteral("late_t"));
        QCOMPARE(shown(tree), QStringList{late});
        tearDown(*f);
    }

    void foundTablesOpenAndReadTheirFields()
    {
        STRATA_BACKEND_URL(url);
        auto f = std::make_unique<Fixture>();
        makeFixture(f.get(), backend, url);
        if (QTest::currentTestFailed())
            return;
        ModelTree &tree = *f->tree;
        QSignalSpy activated(&tree, &ModelTree::modelActivated);
        type(tree, QStringLiteral("only_in_a"));
        QStandardItem *odd = resultTable(tree, f->tenantA, OddTable);
        QVERIFY(odd);
        emit tree.resultsView()->activated(odd->index()); // a double click, or Enter
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QString());
        QCOMPARE(activated.at(0).at(1).toString(), f->tenantA);
        QCOMPARE(activated.at(0).at(2).toString(), OddTable);
        noFieldsRead(tree, f->tenantA);

        // Found by name, it reads its real fields when the user expands it.
        type(tree, QStringLiteral("plain"));
        QStandardItem *plainB = resultTable(tree, f->tenantB, QStringLiteral("plain"));
        QVERIFY(plainB);
        QCOMPARE(plainB->rowCount(), 1); // found by name and by column: plain_col
        tree.resultsView()->collapse(plainB->index());
        tree.resultsView()->expand(plainB->index());
        QTRY_COMPARE_WITH_TIMEOUT(plainB->rowCount(), 2, 10000);
        QVERIFY2(plainB->child(0)->text().startsWith(QStringLiteral("plain_col  ")),
                 qPrintable(plainB->child(0)->text()));
        QVERIFY(plainB->child(1)->text().startsWith(QStringLiteral("other  ")));
        type(tree, QStringLiteral("IRD NA"));
        QStandardItem *spaced = resultTable(tree, f->tenantB, SpacedTable);
        QVERIFY(spaced);
        QVERIFY(!tree.resultsView()->isExpanded(spaced->index()));
        tree.resultsView()->expand(spaced->index());
        QTRY_VERIFY_WITH_TIMEOUT(spaced->rowCount() == 1 && spaced->child(0)->text().startsWith(
                                                                QStringLiteral("spaced_col  ")),
                                 10000);
        // Not the other tenant's tables.
        for (const orm::Model &model : tree.models(QString(), f->tenantA))
            QVERIFY(!model.fieldsLoaded);
        tearDown(*f);
    }
};

QTEST_MAIN(TestModelTreeFilter)
#include "tst_model_tree_filter.moc"
