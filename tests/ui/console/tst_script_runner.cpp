// The console's script runner on real databases, with no widget: a script runs statement by
// statement, stops at the first error with the statement and the error's position in the text,
// a cancel stops it (while connecting too), and the session's modes hold across runs (a manual
// transaction stays open, read-only refuses a write).

#include "await.h"
#include "backends.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/session/console_session.h"
#include "ui/console/script_runner.h"

#include <QCoro/QCoroTimer>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace strata;
using ui::ScriptRunner;

namespace {

// What a run told, in order.
struct Recorded {
    QStringList steps; // "started 0", "result 1", "done 2 rows=3", "failed 1 at=12", ...
    QList<orm::SqlStatement> started;
    QList<ui::ResultStreamPtr> streams;
    std::optional<orm::Error> error;
    int position = -2;
    int finished = 0;
    bool ok = false;
    bool cancelled = false;
};

void record(ScriptRunner *runner, Recorded *r)
{
    QObject::connect(runner, &ScriptRunner::nothingToRun, runner,
                     [r] { r->steps << QStringLiteral("nothing"); });
    QObject::connect(runner, &ScriptRunner::statementStarted, runner,
                     [r](int index, const orm::SqlStatement &statement) {
                         r->steps << QStringLiteral("started %1").arg(index);
                         r->started << statement;
                     });
    QObject::connect(
        runner, &ScriptRunner::resultReady, runner,
        [r](int index, const orm::SqlStatement &, const ui::ResultStreamPtr &stream, qint64) {
            r->steps << QStringLiteral("result %1").arg(index);
            r->streams << stream;
        });
    QObject::connect(runner, &ScriptRunner::statementDone, runner,
                     [r](int index, const orm::SqlStatement &, qint64 rows, qint64) {
                         r->steps << QStringLiteral("done %1 rows=%2").arg(index).arg(rows);
                     });
    QObject::connect(runner, &ScriptRunner::statementFailed, runner,
                     [r](int index, const orm::SqlStatement &, const orm::Error &error,
                         int position, qint64, bool) {
                         r->steps << QStringLiteral("failed %1").arg(index);
                         r->error = error;
                         r->position = position;
                     });
    QObject::connect(runner, &ScriptRunner::statementSkipped, runner,
                     [r](int index, const orm::SqlStatement &) {
                         r->steps << QStringLiteral("skipped %1").arg(index);
                     });
    QObject::connect(runner, &ScriptRunner::finished, runner, [r](bool ok, bool cancelled) {
        ++r->finished;
        r->ok = ok;
        r->cancelled = cancelled;
    });
}

// Stands in for the console tab opening its session: done only once the timer fired.
QCoro::Task<> slowConnect(int ms)
{
    QTimer timer;
    timer.setSingleShot(true);
    timer.start(ms);
    co_await timer;
}

} // namespace

class TestScriptRunner : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Database> m_db;
    std::unique_ptr<orm::ConsoleSession> m_session;
    std::unique_ptr<ScriptRunner> m_runner;
    Recorded m_recorded;
    QString m_backend;

    bool isPg() const { return m_backend == QLatin1String("postgres"); }
    QString slowQuery() const
    {
        return isPg() ? QStringLiteral("SELECT pg_sleep(30)")
                      : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c) SELECT count(*) FROM c");
    }
    QString committedRows(const QString &table)
    {
        const orm::Result rows =
            test::await(m_db->execute(QStringLiteral("SELECT count(*) FROM %1").arg(table)));
        return rows.text(0, 0);
    }

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void init()
    {
        STRATA_BACKEND_URL(url);
        m_backend = backend;
        m_db = std::make_unique<orm::Database>(url);
        test::await(m_db->connect());
        m_session = std::make_unique<orm::ConsoleSession>(m_db.get());
        test::await(m_session->open());
        m_runner = std::make_unique<ScriptRunner>();
        m_runner->setSession(m_session.get());
        m_recorded = Recorded();
        record(m_runner.get(), &m_recorded);
    }
    void cleanup()
    {
        m_runner.reset();
        if (m_session)
            test::await(m_session->close());
        m_session.reset();
        QTest::qWait(50); // resumptions the closed session woke run now
        if (m_db)
            test::await(m_db->disconnect(true));
        m_db.reset();
    }

    void multiStatementScript()
    {
        const QString table = test::uniqueName(QStringLiteral("runner_script"));
        // Rows, a statement without rows between results, then one more result and a drop.
        const QString script = QStringLiteral("CREATE TABLE %1 (n integer);\n"
                                              "INSERT INTO %1 VALUES (10), (20), (30);\n"
                                              "SELECT n FROM %1 ORDER BY n;\n"
                                              "SELECT count(*) AS total FROM %1;\n"
                                              "DROP TABLE %1;")
                                   .arg(table);
        QVERIFY(test::await(m_runner->run(script)));
        const Recorded &r = m_recorded;
        // What CREATE and DROP report as rows differs between the databases: not compared.
        QStringList steps = r.steps;
        for (QString &step : steps)
            if (step.startsWith(QLatin1String("done 0")) ||
                step.startsWith(QLatin1String("done 4")))
                step = step.section(QLatin1Char(' '), 0, 1);
        QCOMPARE(steps,
                 (QStringList{"started 0", "done 0", "started 1", "done 1 rows=3", "started 2",
                              "result 2", "started 3", "result 3", "started 4", "done 4"}));
        QCOMPARE(r.started.size(), 5);
        QCOMPARE(r.started[2].start, int(script.indexOf(QStringLiteral("SELECT n"))));
        QCOMPARE(r.started[2].text, QStringLiteral("SELECT n FROM %1 ORDER BY n;").arg(table));
        QCOMPARE(r.finished, 1);
        QVERIFY(r.ok);
        QVERIFY(!r.cancelled);
        // The earlier result was read on before the next statement ran: all its rows are here.
        QVERIFY(r.streams[0]->isFinished());
        QCOMPARE(r.streams[0]->rowsRead(), 3);
        QCOMPARE(r.streams[0]->columns().size(), 1);
        test::await(r.streams[1]->ensure(1));
        QCOMPARE(r.streams[1]->read(0, 1).text(0, 0), QStringLiteral("3"));
        QVERIFY(!m_runner->isRunning());
    }

    // The script is split off the runner's thread (issue 13: megabytes of it froze the window):
    // run() returns to the event loop before any statement starts, even for a short script,
    // where splitting on the thread itself emitted statementStarted inside run().
    void splitsOffTheCallersThread()
    {
        const QString inString =
            QStringLiteral("SELECT length('%1') AS n;").arg(QString(1 << 20, u';'));
        QCoro::Task<bool> run = m_runner->run(inString + QStringLiteral("\nSELECT 2 AS b;"));
        QVERIFY(m_recorded.steps.isEmpty());
        QVERIFY(test::await(std::move(run)));
        QCOMPARE(m_recorded.steps, (QStringList{"started 0", "result 0", "started 1", "result 1"}));
        QCOMPARE(m_recorded.started[0].text, inString);
        test::await(m_recorded.streams[0]->ensure(1));
        QCOMPARE(m_recorded.streams[0]->read(0, 1).text(0, 0), QString::number(1 << 20));
    }

    void stopsAtTheFirstError()
    {
        const QString script =
            QStringLiteral("SELECT 1 AS a;\n  SELECT * FROM no_such_table_here;\nSELECT 3 AS c;");
        QVERIFY(!test::await(m_runner->run(script)));
        const Recorded &r = m_recorded;
        QCOMPARE(r.steps, (QStringList{"started 0", "result 0", "started 1", "failed 1"}));
        QCOMPARE(r.started[1].start, int(script.indexOf(QStringLiteral("SELECT *"))));
        QVERIFY(r.error);
        QCOMPARE(r.error->kind(), orm::Error::Kind::Sql);
        QVERIFY2(r.error->message().contains(QStringLiteral("no_such_table_here")),
                 qPrintable(r.error->message()));
        // At the statement when the database gives no closer position (SQLite), else inside it.
        QVERIFY(r.position >= r.started[1].start && r.position < r.started[1].end());
        QCOMPARE(r.finished, 1);
        QVERIFY(!r.ok);
        QVERIFY(!r.cancelled);
        // The session goes on.
        QVERIFY(test::await(m_runner->run(QStringLiteral("SELECT 4"))));
    }

    void errorPositionMapsToTheText()
    {
        // The script is a selection starting at `offset` in the editor's text.
        const QString text =
            QStringLiteral("-- header\nSELECT 1;\nSELECT nosuchcolumn FROM (SELECT 1 AS x) s;");
        const int offset = int(text.indexOf(QStringLiteral("SELECT 1")));
        QVERIFY(!test::await(m_runner->run(text.mid(offset), offset)));
        QCOMPARE(m_recorded.position, int(text.indexOf(QStringLiteral("nosuchcolumn"))));
        QVERIFY(m_recorded.error);
        if (isPg())
            QCOMPARE(m_recorded.error->sqlState(), QStringLiteral("42703"));
        else
            QCOMPARE(m_recorded.error->sqlState(), QStringLiteral("SQLITE_ERROR"));
    }

    void cancelStopsTheRun()
    {
        auto running = m_runner->run(slowQuery() + QStringLiteral(";\nSELECT 2 AS after;"));
        QTRY_COMPARE_WITH_TIMEOUT(m_recorded.steps.size(), 1, 10000);
        QTest::qWait(200);
        QVERIFY(m_runner->isRunning());
        m_runner->cancel();
        QVERIFY(!test::await(std::move(running), 10000));
        const Recorded &r = m_recorded;
        QCOMPARE(r.steps, (QStringList{"started 0", "failed 0"}));
        QVERIFY(r.error);
        QCOMPARE(r.error->kind(), orm::Error::Kind::Cancelled);
        QCOMPARE(r.position, -1);
        QCOMPARE(r.finished, 1);
        QVERIFY(r.cancelled);
        QVERIFY(m_runner->isCancelled());
        // The connection stays usable, and the next run is not cancelled.
        QVERIFY(test::await(m_runner->run(QStringLiteral("SELECT 42 AS answer"))));
        QVERIFY(!m_runner->isCancelled());
    }

    void cancelWhileConnecting()
    {
        auto running = m_runner->run(slowConnect(300), QStringLiteral("SELECT 1; SELECT 2"), 0);
        QVERIFY(m_runner->isRunning());
        m_runner->cancel();
        QVERIFY(!test::await(std::move(running)));
        QCOMPARE(m_recorded.steps, QStringList{"skipped 0"});
        QVERIFY(m_recorded.cancelled);
    }

    void whatConnectThrowsIsThrown()
    {
        auto failing = []() -> QCoro::Task<> {
            throw orm::Error(orm::Error::Kind::Usage, QStringLiteral("no database is active"));
            co_return;
        };
        try {
            test::await(m_runner->run(failing(), QStringLiteral("SELECT 1"), 0));
            QFAIL("no error");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Usage);
        }
        QVERIFY(!m_runner->isRunning());
        QCOMPARE(m_recorded.finished, 0);
        QVERIFY(m_recorded.steps.isEmpty());
    }

    void nothingToRun()
    {
        QVERIFY(test::await(m_runner->run(QStringLiteral("  -- only a comment\n"))));
        QCOMPARE(m_recorded.steps, QStringList{"nothing"});
        QCOMPARE(m_recorded.finished, 1);
    }

    void manualTransactionStaysOpenAcrossRuns()
    {
        const QString table = test::uniqueName(QStringLiteral("runner_tx"));
        QVERIFY(
            test::await(m_runner->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table))));
        m_session->setAutocommit(false);
        QVERIFY(test::await(m_runner->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table))));
        QVERIFY(m_session->isTransactionOpen());
        QVERIFY(test::await(m_runner->run(QStringLiteral("INSERT INTO %1 VALUES (2)").arg(table))));
        QVERIFY(m_session->isTransactionOpen());
        // The second run saw the first one's row: the same transaction.
        QVERIFY(test::await(m_runner->run(QStringLiteral("SELECT count(*) FROM %1").arg(table))));
        ui::ResultStreamPtr count = m_recorded.streams.last();
        test::await(count->ensure(1));
        QCOMPARE(count->read(0, 1).text(0, 0), QStringLiteral("2"));
        test::await(m_session->rollback());
        QVERIFY(!m_session->isTransactionOpen());
        QCOMPARE(committedRows(table), QStringLiteral("0"));
        m_session->setAutocommit(true);
        QVERIFY(test::await(m_runner->run(QStringLiteral("DROP TABLE %1").arg(table))));
    }

    void readOnlyRefusesAWrite()
    {
        const QString table = test::uniqueName(QStringLiteral("runner_ro"));
        test::await(m_session->setReadOnly(true));
        QVERIFY(!test::await(m_runner->run(
            QStringLiteral("SELECT 1; CREATE TABLE %1 (n integer); SELECT 2").arg(table))));
        QCOMPARE(m_recorded.steps, (QStringList{"started 0", "result 0", "started 1", "failed 1"}));
        QVERIFY(m_recorded.error);
        QVERIFY2(ScriptRunner::isReadOnlyRefusal(*m_recorded.error),
                 qPrintable(m_recorded.error->sqlState()));
        test::await(m_session->setReadOnly(false));
        QVERIFY(test::await(m_runner->run(
            QStringLiteral("CREATE TABLE %1 (n integer); DROP TABLE %1").arg(table))));
    }

    // The session's turns go first come, first served: a call made the moment a turn ends (a
    // callback starting the next statement) waits behind the call that was already waiting. It
    // used to take the free turn before the waiting call was resumed, which logged "Read-only:
    // changes are refused" after a later "Read-only off" (CI, tst_console_transactions).
    void sessionTurnsAreFirstComeFirstServed()
    {
        QStringList order;
        // Long enough that it is still running when the second call comes (a SELECT 1 can be
        // done before the caller goes on).
        const QString holds = isPg() ? QStringLiteral("SELECT pg_sleep(0.1)")
                                     : QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION "
                                                      "ALL SELECT x + 1 FROM c WHERE x < 300000) "
                                                      "SELECT count(*) FROM c");
        auto chained = [&]() -> QCoro::Task<> {
            co_await m_session->execute(holds);
            co_await m_session->execute(QStringLiteral("SELECT 2"));
            order << QStringLiteral("chained");
        };
        auto waiting = [&]() -> QCoro::Task<> {
            co_await m_session->setReadOnly(true);
            order << QStringLiteral("waiting");
        };
        auto first = chained();  // holds the turn with SELECT 1
        auto second = waiting(); // waits for it
        test::await(std::move(first));
        test::await(std::move(second));
        QCOMPARE(order, (QStringList{"waiting", "chained"}));
        QVERIFY(m_session->isReadOnly());
        QVERIFY(!m_session->isBusy());
    }

    // The tool's own queries (completion's catalog reads) never end a result the user is still
    // reading: they give up instead, and go through once it has been read.
    void asideQueriesLeaveAResultBeingRead()
    {
        const quint64 stream = test::await(m_session->start(
            QStringLiteral("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                           "WHERE x < 5000) SELECT x FROM c"),
            100));
        try {
            test::await(m_session->executeAside(QStringLiteral("SELECT 1")));
            QFAIL("the aside query ran while a result was being read");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Usage);
        }
        QVERIFY(m_session->isCurrent(stream));
        qint64 rows = 0;
        while (auto batch = test::await(m_session->nextBatch(stream)))
            rows += batch->rowCount();
        QCOMPARE(rows, 5000);
        QCOMPARE(test::await(m_session->executeAside(QStringLiteral("SELECT 7"))).text(0, 0),
                 QStringLiteral("7"));
    }

    // The tool's own queries never open a transaction in manual mode: one that ran after a
    // Rollback (completion reading names after DDL) left the console in a transaction again.
    void asideQueriesOpenNoTransaction()
    {
        const QString table = test::uniqueName(QStringLiteral("aside_tx"));
        QVERIFY(
            test::await(m_runner->run(QStringLiteral("CREATE TABLE %1 (n integer)").arg(table))));
        m_session->setAutocommit(false);
        QVERIFY(test::await(m_runner->run(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(table))));
        QVERIFY(m_session->isTransactionOpen());
        test::await(m_session->rollback());
        QVERIFY(!m_session->isTransactionOpen());
        test::await(m_session->executeAside(QStringLiteral("SELECT 1")));
        QVERIFY(!m_session->isTransactionOpen());
        m_session->setAutocommit(true);
        QVERIFY(test::await(m_runner->run(QStringLiteral("DROP TABLE %1").arg(table))));
    }

    void noSession()
    {
        ScriptRunner alone;
        try {
            test::await(alone.run(QStringLiteral("SELECT 1")));
            QFAIL("no error");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Usage);
        }
        QVERIFY(!alone.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestScriptRunner)
#include "tst_script_runner.moc"
