// The model tree on its own (no window), on a SQLite registry: it lists schemas, models (with
// their origins) and fields as nodes open, and tells by signals: schemasListed, modelsListed,
// modelReady, modelActivated, and the work it has under way.

#include "await.h"
#include "backends.h"

#include "orm/registry/registry.h"
#include "ui/model_tree.h"

#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>
#include <QTreeView>

using strata::ui::ModelTree;

class TestModelTree : public QObject {
    Q_OBJECT

private slots:
    void signalsWhatItLists()
    {
        orm::Registry registry(strata::test::urlFor(QStringLiteral("sqlite"), "tree"));
        strata::test::await(registry.database()->executeScript(
            QStringLiteral("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                           "CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER "
                           "REFERENCES customer (id));")));
        registry.addModel(orm::ModelBuilder("Customer", "customer")
                              .field("id", "integer")
                              .primaryKey()
                              .field("name", "text")
                              .build());
        ModelTree tree(&registry);
        tree.addDatabase(QString());
        QSignalSpy schemas(&tree, &ModelTree::schemasListed);
        QSignalSpy models(&tree, &ModelTree::modelsListed);
        QSignalSpy ready(&tree, &ModelTree::modelReady);
        QSignalSpy activated(&tree, &ModelTree::modelActivated);
        QSignalSpy started(&tree, &ModelTree::workStarted);
        QSignalSpy finished(&tree, &ModelTree::workFinished);
        tree.show();
        QCOMPARE(tree.model()->rowCount(), 1);
        QCOMPARE(tree.model()->item(0)->text(), QStringLiteral("primary"));

        strata::test::await(registry.connect());
        tree.listSchemas(QString());
        QTRY_COMPARE_WITH_TIMEOUT(schemas.count(), 1, 10000);
        QCOMPARE(schemas.at(0).at(0).toString(), QString());
        QVERIFY(schemas.at(0).at(1).toStringList().contains(QStringLiteral("main")));
        QVERIFY(tree.hasSchemas(QString()));
        // Told again on request, as a fresh listing.
        tree.replaySchemas(QString());
        QCOMPARE(schemas.count(), 2);

        // Opening the schema lists its models, the declared one saying so in its tooltip (its
        // text is the table's name).
        tree.showSchema(QString(), QStringLiteral("main"));
        QTRY_COMPARE_WITH_TIMEOUT(models.count(), 1, 10000);
        QCOMPARE(models.at(0).at(1).toString(), QStringLiteral("main"));
        QCOMPARE(tree.listedModels(QString(), QStringLiteral("main")),
                 (QStringList{"Customer", "invoice"}));
        QCOMPARE(tree.models(QString(), QStringLiteral("main"))[0].origin,
                 orm::ModelOrigin::Declared);
        QStandardItem *schema = tree.model()->item(0)->child(0);
        QCOMPARE(schema->data(ModelTree::SchemaRole).toString(), QStringLiteral("main"));
        QStandardItem *invoiceItem = schema->child(1);
        QCOMPARE(invoiceItem->data(ModelTree::ModelNameRole).toString(), QStringLiteral("invoice"));
        QCOMPARE(schema->child(0)->text(), QStringLiteral("Customer"));
        QVERIFY(
            schema->child(0)->toolTip().contains(QStringLiteral("Declared by the application")));

        // A model asked for comes with its fields.
        tree.prepareModel(QString(), QStringLiteral("main"),
                          tree.models(QString(), QStringLiteral("main"))[1]);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 10000);
        const auto invoice = ready.at(0).at(2).value<orm::Model>();
        QCOMPARE(invoice.name, QStringLiteral("invoice"));
        QCOMPARE(invoice.fieldNames(), (QStringList{"id", "customer_id"}));
        QTRY_COMPARE_WITH_TIMEOUT(invoiceItem->rowCount(), 2, 10000);
        QVERIFY2(invoiceItem->child(1)->text().contains(QStringLiteral("→ customer(id)")),
                 qPrintable(invoiceItem->child(1)->text()));

        // Activating a model node tells which, without opening anything itself.
        tree.selectModel(QString(), QStringLiteral("main"), QStringLiteral("invoice"));
        const QModelIndex current = tree.view()->currentIndex();
        QVERIFY(current.isValid());
        emit tree.view()->activated(current);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QString());
        QCOMPARE(activated.at(0).at(1).toString(), QStringLiteral("main"));
        QCOMPARE(activated.at(0).at(2).toString(), QStringLiteral("invoice"));
        QCOMPARE(ready.count(), 1);

        // Every read that started has ended.
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), started.count(), 10000);
        QCOMPARE(tree.pendingWork(), 0);
        QVERIFY(started.count() >= 3);

        // A removed database leaves the tree with what was listed of it.
        tree.removeDatabase(QString());
        QCOMPARE(tree.model()->rowCount(), 0);
        QVERIFY(!tree.hasSchemas(QString()));
        QVERIFY(!tree.hasModels(QString(), QStringLiteral("main")));
        strata::test::await(registry.disconnect(true));
    }
};

QTEST_MAIN(TestModelTree)
#include "tst_model_tree.moc"
