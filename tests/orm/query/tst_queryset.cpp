// QuerySet behaviour on both backends with real data: lookups, ordering, slices, keyset paging
// over 10,000 rows, terminal operations, writes, cancelling a count. Where a query runs
// (using) and what it refuses before any SQL: tst_queryset_routing.cpp.

#include "queryset_fixture.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTimer>

#include <functional>

using orm::Database;
using orm::Error;
using orm::Q;
using orm::QuerySet;
using orm::Registry;
using strata::test::await;
using namespace queryset_fixture;

Q_DECLARE_METATYPE(orm::Q)

class TestQuerySet : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }
    void cleanupTestCase();

    void lookups_data();
    void lookups();
    void orderingAndSlices();
    void keysetPaging_data();
    void keysetPaging();
    void countExistsGet();
    void firstLastValues();
    void stream();
    void writes();
    void cancelCount();
};

void TestQuerySet::cleanupTestCase()
{
    closeFixtures();
}

void TestQuerySet::lookups_data()
{
    QTest::addColumn<Q>("q");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("exact") << Q("name", "Ann") << QList<int>{1};
    QTest::newRow("exact null") << Q("nickname", QVariant()) << QList<int>{1, 4, 7};
    QTest::newRow("iexact") << Q("name__iexact", "ANN") << QList<int>{1};
    QTest::newRow("iexact unicode") << Q("name__iexact", "zoë") << QList<int>{6};
    QTest::newRow("contains") << Q("name__contains", "nn") << QList<int>{1, 2};
    QTest::newRow("contains is case-sensitive") << Q("name__contains", "NN") << QList<int>{};
    QTest::newRow("contains %") << Q("name__contains", "%") << QList<int>{5};
    QTest::newRow("contains _") << Q("name__contains", "_") << QList<int>{4};
    QTest::newRow("contains backslash") << Q("name__contains", "\\") << QList<int>{7};
    QTest::newRow("contains glob chars") << Q("name__contains", "*") << QList<int>{};
    QTest::newRow("icontains") << Q("name__icontains", "NN") << QList<int>{1, 2};
    QTest::newRow("startswith") << Q("name__startswith", "a") << QList<int>{2, 7};
    QTest::newRow("startswith upper") << Q("name__startswith", "A") << QList<int>{1};
    QTest::newRow("endswith") << Q("name__endswith", "b") << QList<int>{3, 4, 7};
    QTest::newRow("gt") << Q("grp__gt", 2) << QList<int>{5, 6, 7};
    QTest::newRow("gte") << Q("grp__gte", 2) << QList<int>{3, 4, 5, 6, 7};
    QTest::newRow("lt") << Q("grp__lt", 2) << QList<int>{1, 2};
    QTest::newRow("lte") << Q("score__lte", 2.5) << QList<int>{1, 2};
    QTest::newRow("in") << Q("id__in", QVariantList{1, 3, 99}) << QList<int>{1, 3};
    QTest::newRow("in empty") << Q("id__in", QVariantList{}) << QList<int>{};
    QTest::newRow("isnull") << Q("nickname__isnull", true) << QList<int>{1, 4, 7};
    QTest::newRow("isnull false") << Q("nickname__isnull", false) << QList<int>{2, 3, 5, 6};
    QTest::newRow("range") << Q("score__range", QVariantList{2, 5}) << QList<int>{2, 4, 5};
    QTest::newRow("bool") << Q("active", false) << QList<int>{2, 5};
    QTest::newRow("or") << (Q("name", "Ann") | Q("grp", 3)) << QList<int>{1, 5, 6, 7};
    QTest::newRow("and not") << (Q("grp", 1) & ~Q("name__startswith", "A")) << QList<int>{2};
    // ~q is q's complement: rows whose nickname is NULL are not "an", so they stay.
    QTest::newRow("not nullable") << ~Q("nickname", "an") << QList<int>{1, 3, 4, 5, 6, 7};
    QTest::newRow("not gt nullable") << ~Q("score__gt", 3) << QList<int>{1, 2, 3, 6};
    QTest::newRow("injection is a value") << Q("name", "x' OR '1'='1") << QList<int>{};
}

void TestQuerySet::lookups()
{
    STRATA_BACKEND_URL(url);
    QFETCH(Q, q);
    QFETCH(QList<int>, expected);
    Fixture &f = fixture(backend);
    const QuerySet qs = QuerySet(f.registry.get(), f.items).filter(q);
    QCOMPARE(ids(await(qs.all())), expected);
    QCOMPARE(await(qs.count()), qint64(expected.size()));
    // exclude() is the complement.
    const QList<int> rest = ids(await(QuerySet(f.registry.get(), f.items).exclude(q).all()));
    QCOMPARE(rest.size() + expected.size(), 7);
    for (int id : expected)
        QVERIFY(!rest.contains(id));
}

void TestQuerySet::orderingAndSlices()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    const QuerySet qs(f.registry.get(), f.items);
    const QuerySet ordered = qs.orderBy({QStringLiteral("-grp"), QStringLiteral("name")});
    // Names compare bytewise in both (C collation on the test cluster, BINARY on SQLite).
    QCOMPARE(ids(await(ordered.all()), false), (QList<int>{5, 6, 7, 3, 4, 1, 2}));
    QCOMPARE(ids(await(ordered.limit(3).all()), false), (QList<int>{5, 6, 7}));
    QCOMPARE(ids(await(ordered.limit(2).offset(3).all()), false), (QList<int>{3, 4}));
    QCOMPARE(ids(await(ordered.offset(5).all()), false), (QList<int>{1, 2}));
    QCOMPARE(ids(await(ordered.reversed().limit(2).all()), false), (QList<int>{2, 1}));
    // NULL is the greatest value on both backends.
    QCOMPARE(
        ids(await(qs.orderBy({QStringLiteral("nickname"), QStringLiteral("id")}).all()), false),
        (QList<int>{2, 3, 5, 6, 1, 4, 7}));
    QCOMPARE(ids(await(qs.orderBy({QStringLiteral("-score"), QStringLiteral("id")}).all()), false),
             (QList<int>{3, 6, 7, 5, 4, 2, 1}));
    QCOMPARE(await(ordered.limit(2).offset(6).count()), qint64(1));
}

void TestQuerySet::keysetPaging_data()
{
    QTest::addColumn<QStringList>("keys");
    QTest::addColumn<int>("pageSize");
    QTest::newRow("primary key") << QStringList{QStringLiteral("id")} << 1000;
    QTest::newRow("two keys ascending")
        << QStringList{QStringLiteral("grp"), QStringLiteral("id")} << 700;
    QTest::newRow("mixed directions")
        << QStringList{QStringLiteral("-grp"), QStringLiteral("name"), QStringLiteral("-id")}
        << 999;
    QTest::newRow("nullable keys")
        << QStringList{QStringLiteral("nickname"), QStringLiteral("-score"), QStringLiteral("id")}
        << 640;
}

void TestQuerySet::keysetPaging()
{
    STRATA_BACKEND_URL(url);
    QFETCH(QStringList, keys);
    QFETCH(int, pageSize);
    Fixture &f = fixture(backend);
    const QuerySet qs = QuerySet(f.registry.get(), f.big).orderBy(keys);
    const QList<int> all = ids(await(qs.all()), false);
    QCOMPARE(all.size(), 10000);

    const QList<int> forward = await(walk(qs, keys, true, pageSize));
    QCOMPARE(forward.size(), 10000);
    QCOMPARE(QSet<int>(forward.begin(), forward.end()).size(), 10000); // each row exactly once
    QCOMPARE(forward, all);

    QList<int> backward = await(walk(qs, keys, false, pageSize));
    QCOMPARE(backward.size(), 10000);
    std::reverse(backward.begin(), backward.end());
    QCOMPARE(backward, all);

    // A page in the middle: before() gives the rows just above the bound, nearest first.
    const int middle = 5000;
    QVariantList bound;
    const orm::Result pivot = await(qs.offset(middle).limit(1).all());
    for (const QString &key : keys)
        bound << pivot.value(0, key.startsWith(QLatin1Char('-')) ? key.mid(1) : key);
    QCOMPARE(ids(await(qs.before(bound).limit(3).all()), false),
             (QList<int>{all[middle - 1], all[middle - 2], all[middle - 3]}));
    QCOMPARE(ids(await(qs.after(bound).limit(2).all()), false),
             (QList<int>{all[middle + 1], all[middle + 2]}));
    QCOMPARE(await(qs.after(bound).count()), qint64(10000 - middle - 1));
}

void TestQuerySet::countExistsGet()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    const QuerySet qs(f.registry.get(), f.items);
    QCOMPARE(await(qs.count()), qint64(7));
    QCOMPARE(await(qs.filter(Q("grp", 3)).count()), qint64(3));
    QVERIFY(await(qs.filter(Q("grp", 3)).exists()));
    QVERIFY(!await(qs.filter(Q("grp", 42)).exists()));
    QVERIFY(!await(qs.orderBy({QStringLiteral("id")}).offset(7).exists()));
    QVERIFY(await(qs.orderBy({QStringLiteral("id")}).offset(6).exists()));

    const orm::Row bob = await(qs.filter(Q("name", "Bob")).get());
    QCOMPARE(bob.value(QStringLiteral("id")).toInt(), 3);
    QCOMPARE(bob.value(QStringLiteral("nickname")).toString(), QStringLiteral("bobby"));
    QVERIFY(!bob.value(QStringLiteral("score")).isValid()); // NULL
    QCOMPARE(bob.value(QStringLiteral("active")), QVariant(true));
    QCOMPARE(bob.size(), 6);

    try {
        await(qs.filter(Q("name", "nobody")).get());
        QFAIL("get() found a row");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::NoRow);
        QCOMPARE(error.message(), QStringLiteral("Item.get(): no row matches name=\"nobody\""));
    }
    try {
        await(qs.filter(Q("grp", 3) & Q("active", true)).get());
        QFAIL("get() returned one of several rows");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::SeveralRows);
        QCOMPARE(error.message(),
                 QStringLiteral("Item.get(): more than one row matches grp=3 AND active=true"));
    }
}

void TestQuerySet::firstLastValues()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    const QuerySet qs(f.registry.get(), f.items);
    QCOMPARE(await(qs.first())->value(QStringLiteral("id")).toInt(), 1);
    QCOMPARE(await(qs.last())->value(QStringLiteral("id")).toInt(), 7);
    const QuerySet byScore = qs.orderBy({QStringLiteral("-score"), QStringLiteral("id")});
    QCOMPARE(await(byScore.first())->value(QStringLiteral("id")).toInt(), 3);
    QCOMPARE(await(byScore.last())->value(QStringLiteral("id")).toInt(), 1);
    QCOMPARE(await(qs.filter(Q("grp", 2)).last())->value(QStringLiteral("name")).toString(),
             QStringLiteral("bo_b"));
    QVERIFY(!await(qs.filter(Q("grp", 42)).first()).has_value());
    QVERIFY(!await(qs.filter(Q("grp", 42)).last()).has_value());

    const orm::Result picked = await(qs.values({QStringLiteral("name"), QStringLiteral("id")})
                                         .orderBy({QStringLiteral("id")})
                                         .limit(2)
                                         .all());
    QCOMPARE(picked.columnCount(), 2);
    QCOMPARE(picked.columns[0].name, QStringLiteral("name"));
    QCOMPARE(picked.columns[1].name, QStringLiteral("id"));
    QCOMPARE(picked.value(1, 0).toString(), QStringLiteral("anna"));
    QCOMPARE(picked.value(1, 1).toInt(), 2);
}

namespace {
QCoro::Task<QList<int>> readStream(QuerySet qs, int batchRows, int *batches, QStringList *columns)
{
    orm::QueryStream stream = co_await qs.stream(batchRows);
    for (const orm::Column &column : stream.columns())
        *columns << column.name;
    QList<int> seen;
    while (std::optional<orm::RowBatch> batch = co_await stream.next()) {
        ++*batches;
        for (int row = 0; row < batch->rowCount(); ++row)
            seen << batch->value(row, 0, orm::LogicalType::Integer).toInt();
    }
    if (!stream.atEnd())
        throw Error(Error::Kind::Usage, QStringLiteral("stream not at its end"));
    co_return seen;
}
} // namespace

void TestQuerySet::stream()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    const QuerySet qs = QuerySet(f.registry.get(), f.big)
                            .values({QStringLiteral("id"), QStringLiteral("name")})
                            .filter(Q("id__lte", 2500))
                            .orderBy({QStringLiteral("id")});
    int batches = 0;
    QStringList columns;
    const QList<int> seen = await(readStream(qs, 1000, &batches, &columns));
    QCOMPARE(columns, (QStringList{QStringLiteral("id"), QStringLiteral("name")}));
    QCOMPARE(seen.size(), 2500);
    QCOMPARE(seen.first(), 1);
    QCOMPARE(seen.last(), 2500);
    QVERIFY2(batches >= 3, qPrintable(QString::number(batches)));
    // The lease went back: the pool serves the next query.
    QCOMPARE(await(qs.count()), qint64(2500));
}

void TestQuerySet::writes()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    Database *db = f.registry->database();
    const QString table = strata::test::uniqueName(QStringLiteral("w"));
    await(db->executeScript(itemDdl(backend, orm::quoteIdentifier(table))));
    const QuerySet qs(f.registry.get(), itemModel(table));

    // create(): RETURNING gives the stored row, identity and defaults included.
    const QVariantMap values{{QStringLiteral("name"), QStringLiteral("new")},
                             {QStringLiteral("grp"), 5},
                             {QStringLiteral("score"), 2.25}};
    const orm::Row created = await(qs.create(values));
    QVERIFY(created.value(QStringLiteral("id")).toInt() > 0);
    QCOMPARE(created.value(QStringLiteral("name")).toString(), QStringLiteral("new"));
    QCOMPARE(created.value(QStringLiteral("active")), QVariant(true)); // the column default
    QCOMPARE(created.value(QStringLiteral("score")).toDouble(), 2.25);
    QVERIFY(!created.value(QStringLiteral("nickname")).isValid());

    // bulkCreate(): all or nothing.
    QList<QVariantMap> rows;
    for (int i = 0; i < 300; ++i)
        rows.append({{QStringLiteral("id"), 1000 + i},
                     {QStringLiteral("name"), QStringLiteral("bulk %1").arg(i)},
                     {QStringLiteral("grp"), i % 3}});
    QCOMPARE(await(qs.bulkCreate(rows)), qint64(300));
    QCOMPARE(await(qs.count()), qint64(301));
    QList<QVariantMap> clash = {{{QStringLiteral("id"), 5000},
                                 {QStringLiteral("name"), QStringLiteral("fine")},
                                 {QStringLiteral("grp"), 1}},
                                {{QStringLiteral("id"), 1000}, // duplicate key
                                 {QStringLiteral("name"), QStringLiteral("dup")},
                                 {QStringLiteral("grp"), 1}}};
    try {
        await(qs.bulkCreate(clash));
        QFAIL("a duplicate key was inserted");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Sql);
        QVERIFY2(error.message().contains(QLatin1String("parameter set 1")), error.what());
    }
    QCOMPARE(await(qs.filter(Q("id", 5000)).count()), qint64(0)); // the first set undone too

    // update() and remove() return the rows they touched.
    QCOMPARE(
        await(
            qs.filter(Q("grp", 0)).update({{QStringLiteral("nickname"), QStringLiteral("zero")}})),
        qint64(100));
    QCOMPARE(await(qs.filter(Q("nickname", "zero")).count()), qint64(100));
    QCOMPARE(await(qs.filter(Q("name__startswith", "bulk 1")).remove()), qint64(111));
    QCOMPARE(await(qs.count()), qint64(190));
    QCOMPARE(await(qs.filter(Q("id", -1)).update({{QStringLiteral("grp"), 9}})), qint64(0));
    QCOMPARE(await(qs.remove()), qint64(190));
    QCOMPARE(await(qs.count()), qint64(0));
}

namespace {
// A relation whose rows take long to produce, to have a count worth cancelling.
QString slowViewSql(const QString &backend, const QString &name)
{
    if (backend == QLatin1String("postgres"))
        return QStringLiteral("CREATE VIEW %1 AS SELECT g AS id FROM generate_series(1, 3) g, "
                              "pg_sleep(10)")
            .arg(name);
    return QStringLiteral("CREATE VIEW %1 AS WITH RECURSIVE c(id) AS (SELECT 1 UNION ALL SELECT id "
                          "+ 1 FROM c WHERE id < 2000000000) SELECT id FROM c")
        .arg(name);
}
} // namespace

void TestQuerySet::cancelCount()
{
    STRATA_BACKEND_URL(url);
    Fixture &f = fixture(backend);
    Database *db = f.registry->database();
    const QString view = strata::test::uniqueName(QStringLiteral("slow"));
    await(db->executeScript(slowViewSql(backend, view)));
    orm::Model model;
    model.name = QStringLiteral("Slow");
    model.table = view;
    model.fields = {makeField(QStringLiteral("id"), QStringLiteral("integer"),
                              orm::LogicalType::Integer, false)};
    const QuerySet qs(f.registry.get(), model);

    orm::CancelToken token;
    QElapsedTimer clock;
    clock.start();
    QTimer::singleShot(300, [token]() mutable { token.cancel(); });
    try {
        await(qs.count(token));
        QFAIL("the count was not cancelled");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Cancelled);
    }
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(token.isCancelled());
    // A cancelled token stops later operations at once; the pool is fine.
    try {
        await(QuerySet(f.registry.get(), f.items).count(token));
        QFAIL("a cancelled token ran a query");
    } catch (const Error &error) {
        QCOMPARE(error.kind(), Error::Kind::Cancelled);
    }
    QCOMPARE(await(QuerySet(f.registry.get(), f.items).count()), qint64(7));
}

QTEST_GUILESS_MAIN(TestQuerySet)
#include "tst_queryset.moc"
