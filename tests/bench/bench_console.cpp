// Scenario "console": a console SELECT of 10,000,000 rows, read the way the console's grid reads
// it (ConsoleSession + ResultStream: the first page, then rows only as they are asked for), and
// a console export of 1,000,000 rows to CSV against psql's \copy of the same query.
//
//   first-rows  time from sending the statement to the first 256 rows being readable (<= 150 ms),
//               after one warm-up run of the same statement on the same session
//   rss         resident growth while the first rows show and 1,000,000 rows are scrolled (spooled
//               to disk): <= 100 MB
//   export      1,000,000 rows to CSV, "vs": "psql-copy" (ratio <= 1.5)

#include "scenarios.h"
#include "support/await.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/session/console_session.h"
#include "ui/console/result_export.h"
#include "ui/console/result_stream.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <stdexcept>

namespace strata::bench {
namespace {

const char *const kScenario = "console";

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QString bigSelect(Backend backend, qint64 rows)
{
    if (backend == Backend::Postgres)
        return QStringLiteral("SELECT g AS id, 'row ' || g AS name FROM "
                              "(SELECT generate_series(1, %1) AS g) s")
            .arg(rows);
    return QStringLiteral("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE "
                          "g < %1) SELECT g AS id, 'row ' || g AS name FROM s")
        .arg(rows);
}

QString sqliteUrl(const QTemporaryDir &dir)
{
    return QStringLiteral("sqlite:///%1?create=true").arg(dir.filePath(QStringLiteral("b.db")));
}

void firstRows(const Context &context, Backend backend, const QString &url)
{
    const Report report(QString::fromLatin1(kScenario), backend);
    const qint64 rows = context.rows(10'000'000);
    orm::Database db(url);
    orm::ConsoleSession session(&db);
    test::await(session.open());
    // Warm-up: the same statement once, its first page read, then ended by the next statement.
    // On PostgreSQL this loads the server's JIT (llvmjit) into this session's backend: from a
    // cold page cache that alone took up to 200 ms, which is the server's start-up, not ours.
    {
        Stopwatch cold;
        const quint64 warm = test::await(session.start(bigSelect(backend, rows), 2048));
        ui::ResultStream stream(&session, warm, session.columns());
        test::await(stream.ensure(256));
        note(QStringLiteral("console %1: first rows of the warm-up (the connection's first big "
                            "statement) %2 ms")
                 .arg(backendName(backend))
                 .arg(cold.seconds() * 1000, 0, 'f', 1));
    }
    test::await(session.start(QStringLiteral("SELECT 1")));
    const qint64 rssBefore = currentRss();
    resetPeakRss();
    Stopwatch watch;
    const quint64 id = test::await(session.start(bigSelect(backend, rows), 2048));
    auto stream = std::make_shared<ui::ResultStream>(&session, id, session.columns());
    test::await(stream->ensure(256));
    const orm::RowBatch first = stream->read(0, 256);
    const double firstSeconds = watch.seconds();
    if (first.rowCount() != 256)
        fail(QStringLiteral("first page has %1 rows").arg(first.rowCount()));
    report.value(QStringLiteral("first-rows"), firstSeconds * 1000, QStringLiteral("ms"));
    const qint64 rssFirst = currentRss() - rssBefore;
    // Scrolling on: 1,000,000 rows pass through (spooled), the rest stays on the server.
    const qint64 scrolled = std::min<qint64>(rows, 1'000'000);
    Stopwatch scroll;
    test::await(stream->ensure(scrolled), 10 * 60 * 1000);
    const double scrollSeconds = scroll.seconds();
    const qint64 growth = std::max(rssFirst, peakRss() - rssBefore);
    report.value(QStringLiteral("rss"), double(growth) / 1e6, QStringLiteral("MB"));
    note(QStringLiteral("console %1: first rows %2 ms; RSS +%3 MB at first rows, +%4 MB peak after "
                        "%5 rows scrolled in %6 s (spool %7 MB); %8 rows never read")
             .arg(backendName(backend))
             .arg(firstSeconds * 1000, 0, 'f', 1)
             .arg(double(rssFirst) / 1e6, 0, 'f', 1)
             .arg(double(growth) / 1e6, 0, 'f', 1)
             .arg(count(stream->rowsRead()))
             .arg(scrollSeconds, 0, 'f', 2)
             .arg(double(stream->spoolBytes()) / 1e6, 0, 'f', 1)
             .arg(count(rows - stream->rowsRead())));
    stream.reset();
    test::await(session.close(), 60000);
}

void exportVsPsql(const Context &context, const QString &url)
{
    const Report report(QString::fromLatin1(kScenario), Backend::Postgres);
    const qint64 rows = std::min<qint64>(context.rows(10'000'000), 1'000'000);
    orm::Database db(url);
    test::await(db.connect());
    test::await(db.executeScript(
        QStringLiteral("CREATE TABLE IF NOT EXISTS bench_console_export (id integer, name text, "
                       "amount numeric(12,2), created timestamptz, flag boolean)")));
    const orm::Result have =
        test::await(db.execute(QStringLiteral("SELECT count(*) FROM bench_console_export")));
    if (have.text(0, 0).toLongLong() != rows) {
        note(QStringLiteral("console: creating %1 rows for the export").arg(count(rows)));
        test::await(db.executeScript(
                        QStringLiteral(
                            "TRUNCATE bench_console_export; INSERT INTO bench_console_export "
                            "SELECT g, 'name ' || g, g * 1.25, now() - g * interval '1 second', "
                            "g % 2 = 0 FROM generate_series(1, %1) g; ANALYZE bench_console_export")
                            .arg(rows)),
                    10 * 60 * 1000);
    }
    test::await(db.disconnect());
    const QString select = QStringLiteral("SELECT * FROM bench_console_export");
    QTemporaryDir dir;
    const QString ours = dir.filePath(QStringLiteral("ours.csv"));
    const QString theirs = dir.filePath(QStringLiteral("psql.csv"));

    const orm::DatabaseUrl parsed = orm::DatabaseUrl::parse(url);
    const auto psqlCopy = [&] {
        QProcess psql;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (parsed.hasPassword())
            env.insert(QStringLiteral("PGPASSWORD"), parsed.password()); // its environment only
        psql.setProcessEnvironment(env);
        QStringList args{QStringLiteral("-X"), QStringLiteral("-q")};
        if (!parsed.host().isEmpty())
            args << QStringLiteral("-h") << parsed.host();
        if (parsed.port())
            args << QStringLiteral("-p") << QString::number(parsed.port());
        if (!parsed.user().isEmpty())
            args << QStringLiteral("-U") << parsed.user();
        if (!parsed.databaseName().isEmpty())
            args << QStringLiteral("-d") << parsed.databaseName();
        args << QStringLiteral("-c")
             << QStringLiteral("\\copy (%1) to '%2' with (format csv, header)").arg(select, theirs);
        Stopwatch watch;
        psql.start(QStringLiteral("psql"), args);
        if (!psql.waitForFinished(10 * 60 * 1000) || psql.exitCode() != 0)
            fail(QStringLiteral("psql failed: %1")
                     .arg(QString::fromLocal8Bit(psql.readAllStandardError())));
        return watch.seconds();
    };
    const auto consoleExport = [&] {
        orm::Database target(url);
        orm::ConsoleSession session(&target);
        test::await(session.open());
        Stopwatch watch;
        const quint64 id = test::await(session.start(select, 8192));
        auto stream = std::make_shared<ui::ResultStream>(&session, id, session.columns());
        ui::ResultExporter exporter(stream);
        const qint64 written =
            test::await(exporter.exportTo(ours, ui::ResultExporter::Format::Csv), 10 * 60 * 1000);
        const double seconds = watch.seconds();
        if (written != rows)
            fail(QStringLiteral("exported %1 rows, expected %2").arg(written).arg(rows));
        stream.reset();
        test::await(session.close());
        return seconds;
    };
    psqlCopy(); // warm-up: caches, the table in shared buffers
    double best = 1e9, bestRef = 1e9;
    for (int round = 0; round < 2; ++round) {
        best = std::min(best, consoleExport());
        bestRef = std::min(bestRef, psqlCopy());
    }
    const qint64 oursLines = [&] {
        QFile f(ours);
        f.open(QIODevice::ReadOnly);
        return qint64(f.readAll().count('\n'));
    }();
    if (oursLines != rows + 1)
        fail(QStringLiteral("our CSV has %1 lines").arg(oursLines));
    report.value(QStringLiteral("export"), best, QStringLiteral("s"));
    report.reference(QStringLiteral("export"), QStringLiteral("psql-copy"), bestRef,
                     QStringLiteral("s"));
    report.ratio(QStringLiteral("export"), QStringLiteral("psql-copy"), best, bestRef);
    note(QStringLiteral("console export of %1 rows: %2 s, psql \\copy %3 s (files %4 / %5 MB)")
             .arg(count(rows))
             .arg(best, 0, 'f', 3)
             .arg(bestRef, 0, 'f', 3)
             .arg(double(QFile(ours).size()) / 1e6, 0, 'f', 1)
             .arg(double(QFile(theirs).size()) / 1e6, 0, 'f', 1));
}

} // namespace

void runConsole(const Context &context, Backend backend)
{
    if (backend == Backend::Postgres) {
        firstRows(context, backend, context.pgUrl);
        exportVsPsql(context, context.pgUrl);
    } else {
        QTemporaryDir dir;
        firstRows(context, backend, sqliteUrl(dir));
    }
}

} // namespace strata::bench
