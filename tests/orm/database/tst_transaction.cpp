// Transactions on both backends: commit, rollback, the scope that rolls back unless committed,
// query sets bound to a transaction, and a failed statement refusing to commit.

#include "await.h"
#include "backends.h"

#include "orm/database/transaction.h"
#include "orm/query/queryset.h"

#include <QTest>

using orm::Database;
using orm::Error;
using orm::Q;
using orm::QuerySet;
using orm::Transaction;
using strata::test::await;

namespace {

orm::Model noteModel(const QString &table)
{
    orm::Model m;
    m.name = QStringLiteral("Note");
    m.table = table;
    orm::Field id;
    id.name = QStringLiteral("id");
    id.type = orm::LogicalType::Integer;
    id.primaryKey = true;
    id.nullable = false;
    orm::Field text;
    text.name = QStringLiteral("text");
    text.type = orm::LogicalType::Text;
    text.nullable = false;
    m.fields = {id, text};
    return m;
}

struct Setup {
    std::unique_ptr<Database> db;
    QuerySet notes;
};

Setup setUp(const QString &url, int poolSize = 4)
{
    auto db = std::make_unique<Database>(url);
    db->setPoolSize(poolSize);
    await(db->connect());
    const QString table = strata::test::uniqueName(QStringLiteral("note"));
    await(db->executeScript(
        QStringLiteral("CREATE TABLE %1 (id integer PRIMARY KEY, text text NOT NULL)").arg(table)));
    QuerySet notes(db.get(), noteModel(table));
    return {std::move(db), notes};
}

QVariantMap note(int id, const QString &text)
{
    return {{QStringLiteral("id"), id}, {QStringLiteral("text"), text}};
}

// The scope: leaves without committing, by an exception.
QCoro::Task<> failHalfway(Database *db, QuerySet notes)
{
    Transaction tx = co_await Transaction::begin(db);
    const QVariantMap row = note(10, QStringLiteral("lost"));
    co_await notes.inTransaction(tx).create(row);
    throw std::runtime_error("something went wrong");
}

} // namespace

class TestTransaction : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void commit();
    void rollback();
    void scopeRollsBackUnlessCommitted();
    void rollbackBeforeConnectionIsReused();
    void exceptionUnwindsTheScope();
    void failedStatementRefusesCommit();
    void endedTransaction();
};

void TestTransaction::commit()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url);
    Transaction tx = await(Transaction::begin(s.db.get()));
    QVERIFY(tx.isActive());
    QCOMPARE(tx.database(), s.db.get());
    const QuerySet inTx = s.notes.inTransaction(tx);
    await(inTx.create(note(1, QStringLiteral("one"))));
    await(inTx.bulkCreate({note(2, QStringLiteral("two")), note(3, QStringLiteral("three"))}));
    QCOMPARE(await(inTx.filter(Q("id", 2)).update({{QStringLiteral("text"), QStringLiteral("2")}})),
             qint64(1));
    QCOMPARE(await(inTx.count()), qint64(3));
    // Another connection does not see uncommitted rows.
    QCOMPARE(await(s.notes.count()), qint64(0));
    await(tx.commit());
    QVERIFY(!tx.isActive());
    QCOMPARE(await(s.notes.count()), qint64(3));
    QCOMPARE(await(s.notes.filter(Q("id", 2)).get()).value(QStringLiteral("text")).toString(),
             QStringLiteral("2"));
    await(s.db->disconnect());
}

void TestTransaction::rollback()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url);
    await(s.notes.create(note(1, QStringLiteral("kept"))));
    Transaction tx = await(Transaction::begin(s.db.get()));
    const QuerySet inTx = s.notes.inTransaction(tx);
    await(inTx.create(note(2, QStringLiteral("gone"))));
    QCOMPARE(await(inTx.remove()), qint64(2));
    QCOMPARE(await(tx.execute(QStringLiteral("SELECT count(*) FROM ") +
                              orm::quoteIdentifier(s.notes.model().table)))
                 .value(0, 0)
                 .toInt(),
             0);
    await(tx.rollback());
    QCOMPARE(await(s.notes.count()), qint64(1));
    QCOMPARE(await(s.notes.get()).value(QStringLiteral("text")).toString(), QStringLiteral("kept"));
    await(s.db->disconnect());
}

void TestTransaction::scopeRollsBackUnlessCommitted()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url);
    {
        Transaction tx = await(Transaction::begin(s.db.get()));
        await(s.notes.inTransaction(tx).create(note(1, QStringLiteral("abandoned"))));
    } // destroyed without commit: a detached rollback runs
    QCOMPARE(await(s.notes.count()), qint64(0));
    // Moving a transaction moves the scope; assigning over one abandons it.
    Transaction outer = await(Transaction::begin(s.db.get()));
    await(s.notes.inTransaction(outer).create(note(2, QStringLiteral("moved"))));
    Transaction moved = std::move(outer);
    QVERIFY(!outer.isActive());
    QVERIFY(moved.isActive());
    await(moved.commit());
    QCOMPARE(await(s.notes.count()), qint64(1));
    await(s.db->disconnect());
}

void TestTransaction::rollbackBeforeConnectionIsReused()
{
    STRATA_BACKEND_URL(url);
    // One connection: the next query must wait until the abandoned transaction rolled back,
    // or it would run inside it (and see its row).
    Setup s = setUp(url, 1);
    {
        Transaction tx = await(Transaction::begin(s.db.get()));
        await(s.notes.inTransaction(tx).create(note(1, QStringLiteral("abandoned"))));
    }
    QCOMPARE(await(s.notes.count()), qint64(0));
    // And the connection is not left in a transaction: this commits on its own.
    await(s.notes.create(note(2, QStringLiteral("autocommit"))));
    Database other(url);
    await(other.connect());
    QCOMPARE(await(s.notes.usingDatabase(&other).count()), qint64(1));
    await(other.disconnect());
    await(s.db->disconnect());
}

void TestTransaction::exceptionUnwindsTheScope()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url, 1);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, await(failHalfway(s.db.get(), s.notes)));
    QCOMPARE(await(s.notes.count()), qint64(0));
    await(s.db->disconnect());
}

void TestTransaction::failedStatementRefusesCommit()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url);
    Transaction tx = await(Transaction::begin(s.db.get()));
    const QuerySet inTx = s.notes.inTransaction(tx);
    await(inTx.create(note(1, QStringLiteral("first"))));
    try {
        await(inTx.create(note(1, QStringLiteral("duplicate"))));
        QFAIL("a duplicate key was inserted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Sql);
    }
    try {
        await(tx.commit());
        QFAIL("committed after a failed statement");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Usage);
        QVERIFY2(error.message().contains(QLatin1String("rolled back")), error.what());
    }
    QCOMPARE(await(s.notes.count()), qint64(0));
    await(s.db->disconnect());
}

void TestTransaction::endedTransaction()
{
    STRATA_BACKEND_URL(url);
    Setup s = setUp(url);
    Transaction tx = await(Transaction::begin(s.db.get()));
    const QuerySet inTx = s.notes.inTransaction(tx);
    await(tx.commit());
    try {
        await(inTx.count());
        QFAIL("a query ran on an ended transaction");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Usage);
        QCOMPARE(error.message(), QStringLiteral("count: the transaction has already ended"));
    }
    try {
        await(tx.commit());
        QFAIL("committed twice");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Usage);
        QCOMPARE(error.message(), QStringLiteral("commit(): no active transaction"));
    }
    // usingDatabase() leaves the transaction.
    QCOMPARE(await(inTx.usingDatabase(s.db.get()).count()), qint64(0));
    await(s.db->disconnect());
}

QTEST_GUILESS_MAIN(TestTransaction)
#include "tst_transaction.moc"
