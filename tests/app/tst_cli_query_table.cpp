// `strata query`'s table output (app/table_printer), run as the built program on both backends:
// control characters in cells and column names are escaped, so that a cell cannot drive the
// terminal, and a 50 MB cell is written without copies of itself (the child's peak resident
// memory, from wait4, against the same query on a tiny cell).

#include "backends.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <vector>

extern char **environ;

namespace {

struct Run {
    int code = -1;
    QByteArray out;
    QString err;
};

Run runStrata(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(STRATA_BINARY), QStringList(QStringLiteral("query")) + arguments);
    process.closeWriteChannel();
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), QString::fromUtf8(process.readAllStandardError())};
}

struct Measured {
    int code = -1;
    qint64 peakKb = -1; // the child's ru_maxrss
};

// Runs `strata query ARGS` with stdout and stderr to files, and reads its peak resident memory.
Measured runMeasured(const QStringList &arguments, const QString &outPath, const QString &errPath)
{
    std::vector<QByteArray> storage{QByteArray(STRATA_BINARY), QByteArray("query")};
    for (const QString &a : arguments)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    const QByteArray out = outPath.toLocal8Bit();
    const QByteArray err = errPath.toLocal8Bit();
    posix_spawn_file_actions_addopen(&files, 1, out.constData(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&files, 2, err.constData(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (spawned != 0)
        return {};
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) != pid)
        return {};
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, qint64(usage.ru_maxrss)};
}

bool isPg(const QString &backend)
{
    return backend == QLatin1String("postgres");
}

} // namespace

class TestCliQueryTable : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void controlCharactersAreEscaped()
    {
        STRATA_BACKEND_URL(url);
        // An OSC title change ended by BEL, DEL, 8-bit CSI (U+009B) and a screen-clearing
        // column name.
        const QString clear = QStringLiteral("e") + QChar(0x1b) + QStringLiteral("[2J");
        const QString sql =
            isPg(backend)
                ? QStringLiteral("SELECT E'a\\x1b]0;title\\x07b' AS x, chr(155) AS c1, "
                                 "E'\\x7f\\t' AS del, 'ok' AS \"%1\"")
                      .arg(clear)
                : QStringLiteral("SELECT 'a' || char(27) || ']0;title' || char(7) || 'b' AS x, "
                                 "char(155) AS c1, char(127, 9) AS del, 'ok' AS \"%1\"")
                      .arg(clear);
        const Run r = runStrata({QStringLiteral("--database"), url, sql});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QString::fromUtf8(r.out),
                 QStringLiteral("x                  | c1     | del    | e\\x1b[2J\n"
                                "-------------------+--------+--------+---------\n"
                                "a\\x1b]0;title\\x07b | \\u009b | \\x7f\\t | ok\n"
                                "(1 row)\n"));
        for (const char c : r.out)
            QVERIFY2(uchar(c) >= 0x20 ? uchar(c) != 0x7f : c == '\n', qPrintable(r.out));
        QVERIFY(!r.out.contains("\xc2\x9b"));

        // Bytes that are not UTF-8 (SQLite stores whatever it is given; PostgreSQL refuses
        // them) come out as U+FFFD, never raw: a lone 0x9b is CSI to a terminal reading 8-bit
        // controls.
        if (!isPg(backend)) {
            const Run bytes = runStrata({QStringLiteral("--database"), url,
                                         QStringLiteral("SELECT CAST(X'9b41ff' AS TEXT) AS t")});
            QVERIFY2(bytes.code == 0, qPrintable(bytes.err));
            QCOMPARE(bytes.out, QByteArray("t\n---\n\xef\xbf\xbd"
                                           "A\xef\xbf\xbd\n(1 row)\n"));
        }
    }

    // A 50 MB cell used to cost about 800 MB in the table output (a dozen QString copies).
    // Its cost now is the result itself and what the driver reads it through (libpq's input
    // buffer and PGresult, SQLite's column buffer): the peak above the same query's on a
    // one-character cell stays under 4 times the cell.
    void largeCellIsStreamed()
    {
        STRATA_BACKEND_URL(url);
        constexpr qint64 kCell = 50 * 1000 * 1000;
        // Stored first, so that what is measured is reading and printing it, not the database
        // building it (SQLite's replace() and hex() hold their own copies while they run). By
        // strata query itself: the child's peak counts what this process held when it was
        // spawned (wait4's ru_maxrss keeps the high-water mark across exec), so this one
        // stays small.
        const QString table = strata::test::uniqueName(QStringLiteral("big_cell"));
        const QString fill =
            isPg(backend)
                ? QStringLiteral("INSERT INTO %1 VALUES (1, repeat('x', %2) || E'\\x1b'), (2, 'y')")
                      .arg(table)
                      .arg(kCell)
                : QStringLiteral("INSERT INTO %1 VALUES (1, replace(hex(zeroblob(%2)), '0', 'x') "
                                 "|| char(27)), (2, 'y')")
                      .arg(table)
                      .arg(kCell / 2);
        for (const QString &statement :
             {QStringLiteral("CREATE TABLE %1 (id integer, big text)").arg(table), fill}) {
            const Run r = runStrata({QStringLiteral("--database"), url, statement});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const auto sql = [&](int id) {
            return QStringLiteral("SELECT id, big FROM %1 WHERE id = %2").arg(table).arg(id);
        };
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.txt"));
        const QString err = dir.filePath(QStringLiteral("err.txt"));
        const Measured small = runMeasured({QStringLiteral("--database"), url, sql(2)}, out, err);
        QCOMPARE(small.code, 0);
        const Measured big = runMeasured({QStringLiteral("--database"), url, sql(1)}, out, err);
        QFile errors(err);
        QVERIFY(errors.open(QIODevice::ReadOnly));
        QVERIFY2(big.code == 0, errors.readAll().constData());
        QFile printed(out);
        QVERIFY(printed.open(QIODevice::ReadOnly));
        // "id | big", a rule as wide as the cell, the row (its last character escaped), the
        // footer.
        QCOMPARE(printed.size(), 9 + (2 + 3 + kCell + 4 + 1) * 2 + 8);
        const QByteArray head = printed.read(64);
        QVERIFY2(head.startsWith("id | big"), head.constData());
        printed.seek(printed.size() - 15);
        QCOMPARE(printed.readAll(), QByteArray("xx\\x1b\n(1 row)\n"));
        const qint64 growthMb = (big.peakKb - small.peakKb) / 1024;
        qInfo("peak resident memory: %lld MB for a 1-byte cell, %lld MB for a 50 MB cell",
              small.peakKb / 1024, big.peakKb / 1024);
        QVERIFY2(growthMb < 4 * kCell / 1000 / 1000,
                 qPrintable(QStringLiteral("a 50 MB cell grew the peak by %1 MB").arg(growthMb)));
        const Run dropped =
            runStrata({QStringLiteral("--database"), url, QStringLiteral("DROP TABLE ") + table});
        QVERIFY2(dropped.code == 0, qPrintable(dropped.err));
    }
};

QTEST_GUILESS_MAIN(TestCliQueryTable)
#include "tst_cli_query_table.moc"
