// The foreign keys pointing at a table, read from either catalog ("Referenced by" in the grid):
// single and composite keys with their columns in key order, awkward names, a self-reference,
// a key written without columns (SQLite: the primary key), a referencing table in another
// schema (PostgreSQL; a SQLite key never leaves its attached file), a partitioned table's key
// once, a table nothing references, and unknown tables and schemas as clear errors.

#include "await.h"
#include "backends.h"
#include "scratch_schemas.h"

#include "orm/core/error.h"
#include "orm/query/sql_dialect.h"
#include "orm/schema/incoming_references.h"

#include <QTest>

using orm::Database;
using orm::reflection::IncomingReference;
using strata::test::await;

namespace reflection = orm::reflection;

namespace {

using strata::test::isPostgres;

const auto q = orm::quoteIdentifier; // every name the tests use needs quoting

const QString Odd = QStringLiteral("Odd \"Name\"");
const QString Weird = QStringLiteral("weird name");

// One comparable line per reference: table (columns) -> (target columns).
QStringList describe(const QList<IncomingReference> &references, bool withSchema = false)
{
    QStringList lines;
    for (const IncomingReference &r : references)
        lines << QStringLiteral("%1%2 (%3) -> (%4)")
                     .arg(withSchema ? r.schema + QLatin1Char('|') : QString(), r.table,
                          r.columns.join(QLatin1Char(',')), r.targetColumns.join(QLatin1Char(',')));
    return lines;
}

// A key's target as each dialect writes it: PostgreSQL qualified (an unqualified name would be
// looked up on the search path), SQLite bare (a key names a table of its own file).
QString ref(const QString &backend, const QString &schema, const QString &table)
{
    return isPostgres(backend) ? q(schema) + QLatin1Char('.') + q(table) : q(table);
}

} // namespace

class TestIncomingReferences : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void singleCompositeAndSelfReferences();
    void keyWithoutColumnsReferencesThePrimaryKey();
    void otherSchemas();
    void partitionedTableOnce();
    void tableWithoutReferences();
    void unknownTableOrSchema();

private:
    // A schema of its own: PostgreSQL creates one, SQLite attaches a fresh file under that
    // name. Both names need quoting.
    strata::test::ScratchSchemas m_schemas;
};

void TestIncomingReferences::singleCompositeAndSelfReferences()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("Odd \"Refs\" "));
    // `Odd "Name"` is referenced by itself, by a single key with awkward names, and by a
    // composite key whose columns are declared in another order than the target's.
    const QString target = ref(backend, s, Odd);
    await(db.executeScript(
        QStringLiteral(
            "CREATE TABLE %1.%2 (%3 integer, region text, \"parent id\" integer REFERENCES %4 "
            "(%3), PRIMARY KEY (%3, region), UNIQUE (%3));"
            "CREATE TABLE %1.%5 (id integer PRIMARY KEY, %6 integer REFERENCES %4 (%3));"
            "CREATE TABLE %1.lines (id integer PRIMARY KEY, r text, n integer, "
            "FOREIGN KEY (r, n) REFERENCES %4 (region, %3));"
            "CREATE TABLE %1.unrelated (id integer PRIMARY KEY);")
            .arg(q(s), q(Odd), q(QStringLiteral("Odd id")), target, q(Weird),
                 q(QStringLiteral("the odd")))));

    const QList<IncomingReference> references = await(reflection::incomingReferences(&db, s, Odd));
    QCOMPARE(describe(references),
             (QStringList{QStringLiteral("Odd \"Name\" (parent id) -> (Odd id)"),
                          QStringLiteral("lines (r,n) -> (region,Odd id)"),
                          QStringLiteral("weird name (the odd) -> (Odd id)")}));
    for (const IncomingReference &reference : references) {
        QCOMPARE(reference.schema, s);
        // PostgreSQL names every constraint; SQLite's pragma tells no name.
        QCOMPARE(reference.name.isEmpty(), !isPostgres(backend));
    }
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestIncomingReferences::keyWithoutColumnsReferencesThePrimaryKey()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("bare refs "));
    // PostgreSQL fills in the primary key's columns itself; SQLite keeps the key without them
    // (and a target named in other ASCII case), and they are read from the target.
    const QString target =
        isPostgres(backend) ? ref(backend, s, QStringLiteral("pair")) : QStringLiteral("PAIR");
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1.pair (a integer, b text, PRIMARY KEY (a, b));"
                       "CREATE TABLE %1.uses (x integer, y text, FOREIGN KEY (x, y) REFERENCES "
                       "%2);")
            .arg(q(s), target)));
    const QList<IncomingReference> references =
        await(reflection::incomingReferences(&db, s, QStringLiteral("pair")));
    QCOMPARE(describe(references), QStringList{QStringLiteral("uses (x,y) -> (a,b)")});
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestIncomingReferences::otherSchemas()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("tenant one "));
    const QString t = m_schemas.create(db, backend, QStringLiteral("Tenant \"Two\" "));
    // Both schemas have a parent and a child: each child references its own parent.
    for (const QString &schema : {s, t})
        await(db.executeScript(
            QStringLiteral("CREATE TABLE %1.parent (id integer PRIMARY KEY);"
                           "CREATE TABLE %1.child (id integer PRIMARY KEY, p integer REFERENCES "
                           "%2 (id));")
                .arg(q(schema), ref(backend, schema, QStringLiteral("parent")))));
    if (isPostgres(backend)) {
        // A table of the second schema referencing the first schema's parent: listed with its
        // own schema.
        await(db.executeScript(
            QStringLiteral("CREATE TABLE %1.%3 (id integer PRIMARY KEY, %4 integer REFERENCES "
                           "%2.parent (id));")
                .arg(q(t), q(s), q(Odd), q(Weird))));
        QCOMPARE(
            describe(await(reflection::incomingReferences(&db, s, QStringLiteral("parent"))), true),
            (QStringList{QStringLiteral("%1|Odd \"Name\" (weird name) -> (id)").arg(t),
                         QStringLiteral("%1|child (p) -> (id)").arg(s)}));
    } else {
        QCOMPARE(
            describe(await(reflection::incomingReferences(&db, s, QStringLiteral("parent"))), true),
            QStringList{QStringLiteral("%1|child (p) -> (id)").arg(s)});
    }
    QCOMPARE(
        describe(await(reflection::incomingReferences(&db, t, QStringLiteral("parent"))), true),
        QStringList{QStringLiteral("%1|child (p) -> (id)").arg(t)});
    m_schemas.drop(db, backend, s);
    m_schemas.drop(db, backend, t);
    await(db.disconnect());
}

void TestIncomingReferences::partitionedTableOnce()
{
    STRATA_BACKEND_URL(url);
    if (!isPostgres(backend))
        return; // SQLite has no partitions: nothing to list twice
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("parts "));
    // A partitioned table referencing a partitioned one: PostgreSQL keeps a copy of the key per
    // partition on both sides.
    await(db.executeScript(
        QStringLiteral(
            "CREATE TABLE %1.day (d date PRIMARY KEY) PARTITION BY RANGE (d);"
            "CREATE TABLE %1.day_2024 PARTITION OF %1.day FOR VALUES FROM ('2024-01-01') TO "
            "('2025-01-01');"
            "CREATE TABLE %1.day_2025 PARTITION OF %1.day FOR VALUES FROM ('2025-01-01') TO "
            "('2026-01-01');"
            "CREATE TABLE %1.visit (id integer, d date REFERENCES %1.day (d), PRIMARY KEY (id, d)) "
            "PARTITION BY RANGE (d);"
            "CREATE TABLE %1.visit_2024 PARTITION OF %1.visit FOR VALUES FROM ('2024-01-01') TO "
            "('2025-01-01');")
            .arg(q(s))));
    QCOMPARE(describe(await(reflection::incomingReferences(&db, s, QStringLiteral("day")))),
             QStringList{QStringLiteral("visit (d) -> (d)")});
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestIncomingReferences::tableWithoutReferences()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("alone "));
    // It references another table itself: outgoing keys are not incoming ones.
    await(db.executeScript(
        QStringLiteral("CREATE TABLE %1.other (id integer PRIMARY KEY);"
                       "CREATE TABLE %1.%2 (id integer PRIMARY KEY, o integer REFERENCES %3 (id));")
            .arg(q(s), q(Weird), ref(backend, s, QStringLiteral("other")))));
    QVERIFY(await(reflection::incomingReferences(&db, s, Weird)).isEmpty());
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

void TestIncomingReferences::unknownTableOrSchema()
{
    STRATA_BACKEND_URL(url);
    Database db(url);
    await(db.connect());
    const QString s = m_schemas.create(db, backend, QStringLiteral("empty "));
    const auto expectConfiguration = [&](const QString &schema, const QString &table,
                                         const QString &text) {
        try {
            await(reflection::incomingReferences(&db, schema, table));
            QFAIL("no error");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Configuration);
            QVERIFY2(error.message().contains(text), error.what());
        }
    };
    expectConfiguration(s, QStringLiteral("nothing here"), QStringLiteral("nothing here"));
    expectConfiguration(QStringLiteral("no such schema"), QStringLiteral("t"),
                        isPostgres(backend) ? QStringLiteral("no table named no such schema.t")
                                            : QStringLiteral("no such schema"));
    m_schemas.drop(db, backend, s);
    await(db.disconnect());
}

QTEST_GUILESS_MAIN(TestIncomingReferences)
#include "tst_incoming_references.moc"
