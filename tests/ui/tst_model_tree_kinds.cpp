// The tree's newcomer items on both backends: an icon per kind of node (bundled SVGs that render
// where no icon theme is installed), partitions under their partitioned table (PostgreSQL; one
// whose parent lives in another schema stays at the top), schemas and tables in natural order
// (t2 before t10, public/main first), the database's words (no "model" or "field" anywhere in
// the tree's texts or tooltips) and readable column lines.

#include "await.h"
#include "backends.h"

#include "orm/registry/registry.h"
#include "ui/model_tree.h"
#include "ui/tree_icons.h"

#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTest>
#include <QTreeView>

using strata::ui::ModelTree;
using strata::ui::treeIcon;
using strata::ui::TreeIconKind;

namespace {

QStringList childTexts(QStandardItem *parent, ModelTree::NodeKind kind)
{
    QStringList texts;
    for (int row = 0; row < parent->rowCount(); ++row)
        if (parent->child(row)->data(ModelTree::NodeKindRole).toInt() == int(kind))
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

// Every text and tooltip the tree shows, at every depth.
void collectShown(QStandardItem *item, QStringList &shown)
{
    shown << item->text() << item->toolTip();
    for (int row = 0; row < item->rowCount(); ++row)
        collectShown(item->child(row), shown);
}

bool sameIcon(QStandardItem *item, TreeIconKind kind)
{
    return item && item->icon().cacheKey() == treeIcon(kind).cacheKey();
}

} // namespace

class TestModelTreeKinds : public QObject {
    Q_OBJECT

    QStringList m_dropSchemas;

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void cleanup()
    {
        if (m_dropSchemas.isEmpty())
            return;
        orm::Database admin(strata::test::postgresUrl());
        for (const QString &schema : std::as_const(m_dropSchemas))
            strata::test::await(admin.executeScript(
                QStringLiteral("DROP SCHEMA IF EXISTS \"%1\" CASCADE").arg(schema)));
        m_dropSchemas.clear();
    }

    // Each bundled fallback renders (the SVG icon engine is there, the resource registered) and
    // draws something, and no two kinds share an icon.
    void bundledIconsRender()
    {
        const QList<TreeIconKind> kinds{TreeIconKind::Database,
                                        TreeIconKind::Schema,
                                        TreeIconKind::TenantGroup,
                                        TreeIconKind::Table,
                                        TreeIconKind::View,
                                        TreeIconKind::MaterializedView,
                                        TreeIconKind::PartitionedTable,
                                        TreeIconKind::Partition,
                                        TreeIconKind::Column,
                                        TreeIconKind::PrimaryKeyColumn,
                                        TreeIconKind::ForeignKeyColumn};
        QSet<qint64> keys;
        for (TreeIconKind kind : kinds) {
            QVERIFY(!treeIcon(kind).isNull());
            keys.insert(treeIcon(kind).cacheKey());
            const QImage image = QIcon(strata::ui::treeIconFallback(kind)).pixmap(16, 16).toImage();
            QVERIFY2(!image.isNull(), qPrintable(strata::ui::treeIconFallback(kind)));
            int opaque = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x)
                    opaque += qAlpha(image.pixel(x, y)) > 128;
            QVERIFY2(opaque > 20, qPrintable(strata::ui::treeIconFallback(kind)));
        }
        QCOMPARE(keys.size(), kinds.size());
    }

    void kindsOrderAndWords()
    {
        STRATA_BACKEND_URL(url);
        const bool pg = backend == QLatin1String("postgres");
        orm::Registry registry(url);
        QString schema = QStringLiteral("main");
        QString later, earlier; // two schemas whose names sort t10 after t2
        QString outside;        // PostgreSQL: where a partition's parent lives
        const QString tables = QStringLiteral(
            "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
            "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER "
            "NOT NULL REFERENCES customer (id), note TEXT);"
            "CREATE TABLE t10 (id INTEGER); CREATE TABLE t2 (id INTEGER);"
            "CREATE TABLE \"T1\" (id INTEGER); CREATE TABLE \"weird name\" (id INTEGER);"
            "CREATE TABLE \"Odd \"\"Name\"\"\" (id INTEGER);"
            "CREATE VIEW customer_names AS SELECT name FROM customer;");
        if (pg) {
            const QString prefix = strata::test::uniqueName(QStringLiteral("kinds"));
            schema = prefix + QStringLiteral("_s");
            earlier = prefix + QStringLiteral("_t2");
            later = prefix + QStringLiteral("_t10");
            outside = prefix + QStringLiteral("_other");
            m_dropSchemas << schema << earlier << later << outside;
            strata::test::await(registry.database()->executeScript(
                QStringLiteral("CREATE SCHEMA %1; CREATE SCHEMA %2; CREATE SCHEMA %3; "
                               "CREATE SCHEMA %4; SET search_path TO %1; %5"
                               "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM "
                               "invoice;"
                               "CREATE TABLE measure (day date NOT NULL, v int) PARTITION BY "
                               "RANGE (day);"
                               "CREATE TABLE measure_p10 PARTITION OF measure FOR VALUES FROM "
                               "('2026-10-01') TO ('2026-11-01');"
                               "CREATE TABLE measure_p2 PARTITION OF measure FOR VALUES FROM "
                               "('2026-02-01') TO ('2026-03-01') PARTITION BY RANGE (day);"
                               "CREATE TABLE measure_p2_a PARTITION OF measure_p2 FOR VALUES "
                               "FROM ('2026-02-01') TO ('2026-02-15');"
                               "CREATE TABLE %4.parent (k int) PARTITION BY LIST (k);"
                               "CREATE TABLE orphan PARTITION OF %4.parent FOR VALUES IN (1);"
                               "RESET search_path;")
                    .arg(schema, earlier, later, outside, tables)));
        } else {
            strata::test::await(registry.database()->executeScript(tables));
            earlier = QStringLiteral("t2");
            later = QStringLiteral("t10");
            for (const QString &name : {later, earlier}) {
                const QString file = strata::test::urlFor(backend, name);
                orm::Database attached(file);
                strata::test::await(
                    attached.executeScript(QStringLiteral("CREATE TABLE x (a int)")));
                registry.database()->attach(name, orm::DatabaseUrl::parse(file).path());
            }
        }
        // A declared table (it stands in for the reflected one in the default schema: SQLite's
        // main here): its origin goes to the tooltip and the tone, not the text.
        registry.addModel(orm::ModelBuilder("customer", "customer")
                              .field("id", "integer")
                              .primaryKey()
                              .field("name", "text")
                              .notNull()
                              .build());
        ModelTree tree(&registry);
        tree.setTenantGroupThreshold(100000); // the shared server's schemas stay one by one
        tree.addDatabase(QString());
        QSignalSpy schemasListed(&tree, &ModelTree::schemasListed);
        QSignalSpy modelsListed(&tree, &ModelTree::modelsListed);
        tree.show();
        strata::test::await(registry.connect());
        tree.showDatabase(QString());
        tree.listSchemas(QString());
        QTRY_VERIFY_WITH_TIMEOUT(schemasListed.count() >= 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);
        QStandardItem *database = tree.model()->item(0);
        QVERIFY(sameIcon(database, TreeIconKind::Database));

        // Schemas: the default first, then natural order.
        const QStringList schemas = childTexts(database, ModelTree::NodeKind::Schema);
        QCOMPARE(schemas.first(), pg ? QStringLiteral("public") : QStringLiteral("main"));
        QVERIFY(schemas.indexOf(earlier) >= 0);
        QVERIFY2(schemas.indexOf(earlier) < schemas.indexOf(later), qPrintable(schemas.join(u' ')));
        QVERIFY(sameIcon(childNamed(database, earlier), TreeIconKind::Schema));

        tree.showSchema(QString(), schema);
        QTRY_VERIFY_WITH_TIMEOUT(tree.hasModels(QString(), schema), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);
        QStandardItem *schemaNode = childNamed(database, schema);
        QVERIFY(schemaNode);
        // Tables in natural order, named as they are (the kind is the icon).
        QStringList top = childTexts(schemaNode, ModelTree::NodeKind::Model);
        QStringList expected{"customer", "customer_names", "invoice"};
        if (pg)
            expected << "measure";
        expected << QStringLiteral("Odd \"Name\"");
        if (pg)
            expected << "orphan";
        expected << "T1"
                 << "t2"
                 << "t10";
        if (pg)
            expected << "totals";
        expected << "weird name";
        // T1 folds to t1 (case-insensitive): it sorts before t2.
        QCOMPARE(top, expected);
        QVERIFY(sameIcon(childNamed(schemaNode, "customer"), TreeIconKind::Table));
        QVERIFY(sameIcon(childNamed(schemaNode, "customer_names"), TreeIconKind::View));
        if (!pg) {
            QVERIFY(childNamed(schemaNode, "customer")
                        ->toolTip()
                        .contains("Declared by the application"));
            QVERIFY(childNamed(schemaNode, "customer")->data(Qt::ForegroundRole).isValid());
        }
        QVERIFY(childNamed(schemaNode, "customer_names")->toolTip().startsWith("View "));
        if (pg) {
            QVERIFY(sameIcon(childNamed(schemaNode, "totals"), TreeIconKind::MaterializedView));
            QStandardItem *measure = childNamed(schemaNode, "measure");
            QVERIFY(sameIcon(measure, TreeIconKind::PartitionedTable));
            // Partitions under their parent, in natural order, a sub-partitioned one with its own.
            QCOMPARE(childTexts(measure, ModelTree::NodeKind::Model),
                     (QStringList{"measure_p2", "measure_p10"}));
            QStandardItem *p2 = childNamed(measure, "measure_p2");
            QVERIFY(sameIcon(p2, TreeIconKind::PartitionedTable));
            QCOMPARE(childTexts(p2, ModelTree::NodeKind::Model), QStringList{"measure_p2_a"});
            QVERIFY(sameIcon(childNamed(p2, "measure_p2_a"), TreeIconKind::Partition));
            QVERIFY(sameIcon(childNamed(measure, "measure_p10"), TreeIconKind::Partition));
            // A parent in another schema is not listed here: its partition stays at the top.
            QStandardItem *orphan = childNamed(schemaNode, "orphan");
            QVERIFY(sameIcon(orphan, TreeIconKind::Partition));
            QVERIFY(orphan->toolTip().contains(outside + ".parent"));
            // Expanding a partitioned table lists its columns first, its partitions kept.
            tree.view()->expand(static_cast<QSortFilterProxyModel *>(tree.view()->model())
                                    ->mapFromSource(measure->index()));
            QTRY_COMPARE_WITH_TIMEOUT(childTexts(measure, ModelTree::NodeKind::Field).size(), 2,
                                      10000);
            QCOMPARE(measure->child(0)->data(ModelTree::NodeKindRole).toInt(),
                     int(ModelTree::NodeKind::Field));
            QCOMPARE(childTexts(measure, ModelTree::NodeKind::Model).size(), 2);
            // selectModel finds a nested partition.
            tree.selectModel(QString(), schema, "measure_p2_a");
            QCOMPARE(tree.view()->currentIndex().data().toString(), QStringLiteral("measure_p2_a"));
        }

        // Column lines: name, type, then keys and not null in words, keys with their icon.
        QStandardItem *invoice = childNamed(schemaNode, "invoice");
        tree.view()->expand(static_cast<QSortFilterProxyModel *>(tree.view()->model())
                                ->mapFromSource(invoice->index()));
        QTRY_COMPARE_WITH_TIMEOUT(childTexts(invoice, ModelTree::NodeKind::Field).size(), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);
        QVERIFY(sameIcon(invoice->child(0), TreeIconKind::PrimaryKeyColumn));
        QVERIFY2(invoice->child(0)->text().contains(QRegularExpression(
                     "^id +integer +primary key$", QRegularExpression::CaseInsensitiveOption)),
                 qPrintable(invoice->child(0)->text()));
        QVERIFY(sameIcon(invoice->child(1), TreeIconKind::ForeignKeyColumn));
        QVERIFY2(invoice->child(1)->text().contains("→ customer(id) · not null"),
                 qPrintable(invoice->child(1)->text()));
        QVERIFY(sameIcon(invoice->child(2), TreeIconKind::Column));
        QVERIFY2(!invoice->child(2)->text().contains("not null"),
                 qPrintable(invoice->child(2)->text()));

        // An empty schema says so in the database's words.
        if (pg) {
            tree.showSchema(QString(), earlier);
            QTRY_VERIFY_WITH_TIMEOUT(tree.hasModels(QString(), earlier), 10000);
            QCOMPARE(childNamed(database, earlier)->child(0)->text(),
                     QStringLiteral("(no tables or views)"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(tree.pendingWork(), 0, 10000);

        // No ORM word anywhere the user reads.
        QStringList shown;
        collectShown(tree.model()->invisibleRootItem(), shown);
        shown << tree.filter()->placeholderText();
        for (const QString &text : std::as_const(shown))
            QVERIFY2(!text.contains(QRegularExpression("model|field|\\[declared\\]|\\[tenant\\]",
                                                       QRegularExpression::CaseInsensitiveOption)),
                     qPrintable(text));
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestModelTreeKinds)
#include "tst_model_tree_kinds.moc"
