// What the PostgreSQL server says beside results (issue 13): notices and warnings reach the
// connection's notice handler, and COPY ... TO STDOUT is refused by name instead of its rows
// vanishing, with the connection still usable after it.

#include "postgres_suite.h"

#include "orm/core/error.h"

#include <QTest>

#include <optional>

using namespace orm;
using strata::test::await;

namespace {

QCoro::Task<> ignoreRows(QCoro::Task<Result> task)
{
    co_await task;
}

} // namespace

class TestPostgresNotices : public strata::test::PostgresSuite {
    Q_OBJECT

private slots:
    void initTestCase() { STRATA_REQUIRE_POSTGRES(); }

    void noticesReachTheHandler()
    {
        auto c = connect();
        QList<drivers::Notice> notices;
        c->setNoticeHandler([&notices](const drivers::Notice &n) { notices.append(n); });
        exec(*c, QStringLiteral("DO $$ BEGIN RAISE NOTICE 'hello %', 42; "
                                "RAISE WARNING 'careful' USING DETAIL = 'why', HINT = 'how'; "
                                "END $$"));
        QCOMPARE(notices.size(), 2);
        QCOMPARE(notices[0].severity, QStringLiteral("NOTICE"));
        QCOMPARE(notices[0].message, QStringLiteral("hello 42"));
        QCOMPARE(notices[1].severity, QStringLiteral("WARNING"));
        QCOMPARE(notices[1].message, QStringLiteral("careful"));
        QCOMPARE(notices[1].detail, QStringLiteral("why"));
        QCOMPARE(notices[1].hint, QStringLiteral("how"));

        // The server's own notices too ("does not exist, skipping").
        exec(*c, QStringLiteral("DROP TABLE IF EXISTS strata_no_such_table_for_notices"));
        QCOMPARE(notices.size(), 3);
        QVERIFY2(notices[2].message.contains(QLatin1String("does not exist")),
                 qPrintable(notices[2].message));

        // Without a handler they are dropped, and nothing breaks.
        c->setNoticeHandler({});
        exec(*c, QStringLiteral("DO $$ BEGIN RAISE NOTICE 'unheard'; END $$"));
        QCOMPARE(notices.size(), 3);
    }

    void copyToStdoutIsRefused()
    {
        auto c = connect();
        std::optional<Error> error;
        try {
            await(ignoreRows(c->execute(
                QStringLiteral("COPY (SELECT g FROM generate_series(1, 100000) g) TO STDOUT"))));
        } catch (const Error &e) {
            error = e;
        }
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Usage);
        QVERIFY2(error->message().contains(QLatin1String("COPY ... TO STDOUT is not supported")),
                 qPrintable(error->message()));
        // Every row was read past: the connection answers the next statement.
        QCOMPARE(exec(*c, QStringLiteral("SELECT 7")).text(0, 0), QStringLiteral("7"));
        QCOMPARE(c->transactionStatus(), drivers::TransactionStatus::Idle);
    }

    // COPY FROM STDIN was already ended with an error the server reports: still so.
    void copyFromStdinFails()
    {
        auto c = connect();
        exec(*c, QStringLiteral("CREATE TEMP TABLE copy_in (n int)"));
        std::optional<Error> error;
        try {
            await(ignoreRows(c->execute(QStringLiteral("COPY copy_in FROM STDIN"))));
        } catch (const Error &e) {
            error = e;
        }
        QVERIFY(error);
        QVERIFY2(error->message().contains(QLatin1String("not supported")),
                 qPrintable(error->message()));
        QCOMPARE(exec(*c, QStringLiteral("SELECT count(*) FROM copy_in")).text(0, 0),
                 QStringLiteral("0"));
    }
};

QTEST_GUILESS_MAIN(TestPostgresNotices)
#include "tst_postgres_notices.moc"
