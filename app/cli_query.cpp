// strata query: runs one SQL statement on a database of the registry and prints the result.
//
//   strata query --database URL [--extra NAME=URL]... [--using NAME] [--schema S]
//                [--attach NAME=FILE]... [--format table|csv|json] [--timeout SECONDS] "SQL"
//
// The registry holds every database given, as the desktop program's does, but only the one the
// statement runs on is connected: an unrelated extra on a host that is down does not matter.
// --timeout bounds the statement: past it, it is cancelled on the server. SIGINT (Ctrl+C),
// SIGTERM and SIGHUP cancel it on the server too, or abandon the connect under way, then exit
// with 128 + the signal (130 for Ctrl+C); a second one exits at once.
// --schema: PostgreSQL sets search_path to S on the connection for this statement (checked to
// exist first). SQLite has no search path: S must be an attached database (main, temp, or one
// given with --attach NAME=FILE), and the SQL names its tables as S.table itself; the statement
// runs as given.
//
// Exit codes: 0 success; 1 a database or SQL error (message with SQLSTATE and position on
// stderr, or --timeout passed); 2 a usage error (bad option, URL, extra name or schema); 128 +
// signal when interrupted. Passwords are never printed.

#include "command.h"
#include "command_line.h"
#include "result_output.h"
#include "termination_signals.h"

#include "orm/query/sql_dialect.h"
#include "orm/registry/registry.h"
#include "orm/session/sql_splitter.h"
#include "orm/sync/run_sync.h"

#include <QCommandLineParser>
#include <QFile>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <unistd.h>
#include <vector>

namespace {

// An argument found wrong only once the database answered (an unknown schema): exit code 2.
using strata::app::UsageError;

// What a signal or --timeout stops: the connect under way, or the statement on the server.
class Interruption {
public:
    explicit Interruption(orm::Database *database)
        : m_database(database)
    {
    }

    bool isSet() const { return !m_reason.isEmpty(); }
    const QString &reason() const { return m_reason; }
    int exitCode() const { return m_exitCode; }
    // Whether the stop found a statement on the server (else it abandoned the connect).
    bool stoppedAStatement() const { return m_stoppedAStatement; }

    // The statement now on the server (nullptr between statements).
    void setRunning(orm::drivers::Connection *connection)
    {
        m_connected = true;
        m_running = connection;
        if (m_running && isSet())
            m_pending.push_back(m_running->cancel()); // stopped while it was being sent
    }

    // Cancels on the server what runs, or abandons the connect; the run then fails with
    // Cancelled. A server or link that does not answer within kGrace cannot hold the exit.
    void stop(const QString &reason, int exitCode)
    {
        if (isSet())
            return;
        m_reason = reason;
        m_exitCode = exitCode;
        m_stoppedAStatement = m_running != nullptr || m_connected;
        if (m_running)
            m_pending.push_back(m_running->cancel());
        else
            m_pending.push_back(m_database->disconnect(true));
        QTimer::singleShot(kGrace, [reason, exitCode] {
            std::fprintf(stderr,
                         "strata query: %s: the server did not answer the cancel within %d s; "
                         "exiting without it\n",
                         qPrintable(reason), int(kGrace.count() / 1000));
            std::fflush(stderr);
            ::_exit(exitCode);
        });
    }

private:
    static constexpr std::chrono::milliseconds kGrace{3000};
    orm::Database *m_database;
    orm::drivers::Connection *m_running = nullptr;
    bool m_connected = false;
    bool m_stoppedAStatement = false;
    QString m_reason;
    int m_exitCode = 0;
    std::vector<QCoro::Task<>> m_pending;
};

QCoro::Task<orm::Result> runStatement(orm::Database *db, QString sql, QString schema,
                                      Interruption *interruption)
{
    co_await db->connect();
    orm::ConnectionLease lease = co_await db->acquire(QStringLiteral("query"));
    const bool pg = lease->backend() == orm::DatabaseUrl::Backend::Postgres;
    if (!schema.isEmpty()) {
        if (pg) {
            const QVariantList name{schema};
            const orm::Result found = co_await lease->execute(
                QStringLiteral("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1"), name);
            if (found.rowCount() == 0)
                throw UsageError{
                    QStringLiteral("no schema named '%1' in %2").arg(schema, db->displayUrl())};
        } else {
            const orm::Result attached =
                co_await lease->execute(QStringLiteral("PRAGMA database_list"));
            QStringList names;
            for (int row = 0; row < attached.rowCount(); ++row)
                names << attached.text(row, attached.columnIndex(QStringLiteral("name")));
            if (!names.contains(schema))
                throw UsageError{QStringLiteral("no attached database named '%1' (attached: %2; "
                                                "attach one with --attach NAME=FILE)")
                                     .arg(schema, names.join(QStringLiteral(", ")))};
        }
    }
    // The schema lives in the statement's own transaction (set_config(..., true) is SET LOCAL):
    // behind a transaction pooler the next transaction may be another server session, and
    // nothing set may outlive it there. What cannot run in a transaction runs as it is.
    const QString words = orm::leadingKeywords(sql);
    const bool scoped = pg && !schema.isEmpty() && !orm::controlsTransaction(words) &&
                        !orm::refusedInTransactions(words);
    std::exception_ptr error;
    orm::Result result;
    try {
        if (scoped) {
            co_await lease->execute(QStringLiteral("BEGIN"));
            // A value, not SQL: the quoted identifier is a bound parameter of set_config.
            const QVariantList path{orm::quoteIdentifier(schema)};
            co_await lease->execute(
                QStringLiteral("SELECT pg_catalog.set_config('search_path', $1, true)"), path);
        }
        interruption->setRunning(lease.get());
        result = co_await lease->execute(std::move(sql));
        interruption->setRunning(nullptr);
        if (scoped)
            co_await lease->execute(QStringLiteral("COMMIT"));
    } catch (...) {
        error = std::current_exception();
    }
    interruption->setRunning(nullptr);
    if (error && scoped && lease->isOpen()) {
        try { // the connection goes back to a pool: not inside a failed transaction
            co_await lease->execute(QStringLiteral("ROLLBACK"));
        } catch (...) {
        }
    }
    if (error)
        std::rethrow_exception(error);
    co_return result;
}

QString rowsAffectedText(qint64 n)
{
    if (n < 0)
        return QStringLiteral("OK");
    return QStringLiteral("%1 %2 affected").arg(n).arg(n == 1 ? "row" : "rows");
}

int runQuery(const QStringList &arguments)
{
    strata::app::CommandLine cli(
        QStringLiteral("query"),
        QStringLiteral("Runs one SQL statement and prints its result.\n\n"
                       "--schema on PostgreSQL sets search_path for the statement. SQLite has no "
                       "search path: there --schema must name an attached database (main, temp, "
                       "or one given with --attach), and the SQL qualifies its tables itself "
                       "(SELECT * FROM acme.t).\n\n"
                       "Exit codes: 0 success, 1 database or SQL error, 2 usage error."));
    QCommandLineParser &parser = cli.parser();
    const QCommandLineOption database =
        cli.addDatabase(QStringLiteral("The primary database's URL."));
    const QCommandLineOption extra = cli.addExtra();
    const QCommandLineOption usingOption(QStringLiteral("using"),
                                         QStringLiteral("Run on the extra database NAME."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption schema(QStringLiteral("schema"),
                                    QStringLiteral("Run in schema S (see above)."),
                                    QStringLiteral("S"));
    parser.addOptions({usingOption, schema});
    const QCommandLineOption attach = cli.addAttach(
        QStringLiteral("SQLite: attach FILE as schema NAME on every connection (repeatable)."));
    const QCommandLineOption format = cli.addFormat();
    const QCommandLineOption timeout(
        QStringLiteral("timeout"),
        QStringLiteral("Cancel the statement on the server if it runs longer than SECONDS."),
        QStringLiteral("SECONDS"));
    parser.addOption(timeout);
    cli.addStatement();
    if (const std::optional<int> done = cli.parse(arguments))
        return *done;

    strata::app::OutputFormat outputFormat{};
    double timeoutSeconds = 0;
    QString sql;
    std::unique_ptr<orm::Registry> registry;
    orm::Database *target = nullptr;
    try {
        const QString url = cli.required(database, QStringLiteral("--database URL"));
        outputFormat = cli.outputFormat(format);
        if (parser.isSet(timeout)) {
            bool ok = false;
            timeoutSeconds = parser.value(timeout).toDouble(&ok);
            if (!ok || !(timeoutSeconds > 0) || timeoutSeconds > 86400 * 24)
                return cli.usage(
                    QStringLiteral("--timeout expects a number of seconds above 0, got '%1'")
                        .arg(parser.value(timeout)));
        }
        sql = cli.statement();
        registry = std::make_unique<orm::Registry>(url);
        cli.addExtras(*registry, extra);
        target = parser.isSet(usingOption) ? registry->database(parser.value(usingOption))
                                           : registry->database();
        cli.attachFiles(*target, attach);
    } catch (const strata::app::UsageError &error) {
        return cli.usage(error.message);
    } catch (const orm::Error &error) {
        return cli.usage(error.toString());
    }

    QTextStream out(stdout);
    Interruption interruption(target);
    strata::app::TerminationSignals terminations;
    QObject::connect(&terminations, &strata::app::TerminationSignals::received, [&](int signal) {
        interruption.stop(QStringLiteral("interrupted by %1")
                              .arg(strata::app::TerminationSignals::nameOf(signal)),
                          strata::app::TerminationSignals::exitCodeFor(signal));
    });
    QTimer statementTimer;
    statementTimer.setSingleShot(true);
    QObject::connect(&statementTimer, &QTimer::timeout, [&] {
        interruption.stop(QStringLiteral("the statement ran longer than --timeout %1 s")
                              .arg(parser.value(timeout)),
                          1);
    });
    if (timeoutSeconds > 0)
        statementTimer.start(std::chrono::milliseconds(qint64(timeoutSeconds * 1000)));
    // Whatever happens below, the database is disconnected before the registry goes.
    const auto disconnect = [target] {
        try {
            orm::runSync([target] { return target->disconnect(); });
        } catch (const orm::Error &) {
        }
    };
    try {
        const QString statementSchema = parser.value(schema);
        const orm::Result result = orm::runSync([target, sql, statementSchema, &interruption] {
            return runStatement(target, sql, statementSchema, &interruption);
        });
        statementTimer.stop();
        disconnect();
        if (result.columnCount() == 0) {
            if (outputFormat == strata::app::OutputFormat::Json)
                out << QStringLiteral("{\"rowsAffected\": %1}\n").arg(result.rowsAffected);
            else if (outputFormat == strata::app::OutputFormat::Csv)
                out << "rows_affected\r\n" << result.rowsAffected << "\r\n";
            else
                out << rowsAffectedText(result.rowsAffected) << '\n';
        } else {
            out.flush(); // printResult writes to stdout itself
            strata::app::printResult(result, outputFormat);
        }
        return 0;
    } catch (const UsageError &error) {
        out.flush();
        disconnect();
        return cli.usage(error.message);
    } catch (const orm::Error &error) {
        out.flush();
        disconnect();
        if (interruption.isSet()) {
            QTextStream(stderr) << "strata query: " << interruption.reason()
                                << (interruption.stoppedAStatement()
                                        ? ": the statement was cancelled on the server"
                                        : ": the connect was abandoned")
                                << " (" << error.toString() << ")\n";
            return interruption.exitCode();
        }
        return cli.failure(error.toString());
    }
}

} // namespace

STRATA_COMMAND(query, "run one SQL statement and print its result", runQuery);
