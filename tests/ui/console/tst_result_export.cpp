// Exporting a console result on real databases: the exact CSV and JSON of every kind of cell,
// whether the rows come back from the spool or straight from the batch just pulled; progress;
// cancel (the file is removed, the console goes on); a file that cannot be written.
#include "await.h"
#include "backends.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/session/console_session.h"
#include "ui/console/result_export.h"
#include "ui/console/result_stream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace strata;

namespace {

constexpr int kRows = 1000;

// Rows 1..n: an integer, a real, text that needs quoting every third row, an empty string every
// fifth, NULL every seventh, a two-byte blob and a boolean.
QString mixedRows(bool pg, int rows)
{
    if (pg)
        return QStringLiteral(
                   "SELECT g AS n, g / 4.0::float8 AS r, "
                   "CASE WHEN g % 3 = 0 THEN 'a,\"' || g || E'\"\\nz' ELSE 't' || g END AS s, "
                   "CASE WHEN g % 5 = 0 THEN '' ELSE 'e' END AS e, "
                   "CASE WHEN g % 7 = 0 THEN NULL ELSE g END AS z, "
                   "'\\x0aff'::bytea AS b, g % 2 = 0 AS flag FROM generate_series(1, %1) g")
            .arg(rows);
    return QStringLiteral(
               "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %1) "
               "SELECT g AS n, g / 4.0 AS r, "
               "CASE WHEN g % 3 = 0 THEN 'a,\"' || g || '\"' || char(10) || 'z' "
               "ELSE 't' || g END AS s, "
               "CASE WHEN g % 5 = 0 THEN '' ELSE 'e' END AS e, "
               "CASE WHEN g % 7 = 0 THEN NULL ELSE g END AS z, "
               "x'0aff' AS b, g % 2 = 0 AS flag FROM s")
        .arg(rows);
}

QByteArray expectedCsvRow(bool pg, int g)
{
    QByteArray row = QByteArray::number(g) + ',' + QByteArray::number(g / 4.0) + ',';
    row +=
        g % 3 == 0 ? "\"a,\"\"" + QByteArray::number(g) + "\"\"\nz\"" : 't' + QByteArray::number(g);
    row += g % 5 == 0 ? ",\"\"," : ",e,";
    row += g % 7 == 0 ? QByteArray() : QByteArray::number(g);
    row += ",\\x0aff,";
    // PostgreSQL booleans arrive as the server's text; SQLite has none and answers 0 or 1.
    row += pg ? (g % 2 == 0 ? "t" : "f") : (g % 2 == 0 ? "1" : "0");
    return row + "\r\n";
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestResultExport : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Database> m_db;
    std::unique_ptr<orm::ConsoleSession> m_session;
    bool m_pg = false;

    // Runs `sql` in batches of `batchRows` and reads `readFirst` rows before anyone exports,
    // as a result tab that was scrolled a little would have.
    ui::ResultStreamPtr start(const QString &sql, int batchRows, qint64 readFirst)
    {
        const quint64 id = test::await(m_session->start(sql, batchRows));
        auto stream = std::make_shared<ui::ResultStream>(m_session.get(), id, m_session->columns());
        test::await(stream->ensure(readFirst));
        return stream;
    }

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void init()
    {
        STRATA_BACKEND_URL(url);
        m_pg = backend == QLatin1String("postgres");
        m_db = std::make_unique<orm::Database>(url);
        test::await(m_db->connect());
        m_session = std::make_unique<orm::ConsoleSession>(m_db.get());
        test::await(m_session->open());
    }
    void cleanup()
    {
        if (m_session)
            test::await(m_session->close());
        m_session.reset();
        if (m_db)
            test::await(m_db->disconnect());
        m_db.reset();
    }

    void csvIsExactWhereverTheRowsComeFrom()
    {
        // 250 rows read before the export: they come back from the spool, the rest straight
        // from each batch as it is pulled.
        ui::ResultStreamPtr stream = start(mixedRows(m_pg, kRows), 100, 250);
        QVERIFY(stream->rowsRead() >= 250 && !stream->isFinished());
        ui::ResultExporter exporter(stream);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rows.csv"));
        QCOMPARE(test::await(exporter.exportTo(path, ui::ResultExporter::Format::Csv)),
                 qint64(kRows));
        QByteArray expected = "n,r,s,e,z,b,flag\r\n";
        for (int g = 1; g <= kRows; ++g)
            expected += expectedCsvRow(m_pg, g);
        const QByteArray written = readAll(path);
        QCOMPARE(written.size(), expected.size());
        QCOMPARE(written, expected);
        // The exported rows are the result's too: the grid can scroll to every one of them.
        QCOMPARE(stream->rowsRead(), qint64(kRows));
        QCOMPARE(stream->read(kRows - 1, 1).text(0, 0), QString::number(kRows));
    }

    void jsonIsExactWhereverTheRowsComeFrom()
    {
        ui::ResultStreamPtr stream = start(mixedRows(m_pg, kRows), 64, 100);
        ui::ResultExporter exporter(stream);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rows.json"));
        QCOMPARE(ui::ResultExporter::formatForPath(path), ui::ResultExporter::Format::Json);
        QCOMPARE(test::await(exporter.exportTo(path, ui::ResultExporter::Format::Json)),
                 qint64(kRows));
        QJsonParseError error;
        const QJsonArray rows = QJsonDocument::fromJson(readAll(path), &error).array();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(rows.size(), kRows);
        for (int g = 1; g <= kRows; ++g) {
            const QJsonObject row = rows[g - 1].toObject();
            QCOMPARE(row.value(QStringLiteral("n")), QJsonValue(g));
            QCOMPARE(row.value(QStringLiteral("r")), QJsonValue(g / 4.0));
            QCOMPARE(row.value(QStringLiteral("s")).toString(),
                     g % 3 == 0 ? QStringLiteral("a,\"%1\"\nz").arg(g)
                                : QStringLiteral("t%1").arg(g));
            QCOMPARE(row.value(QStringLiteral("e")).toString(),
                     g % 5 == 0 ? QString() : QStringLiteral("e"));
            QVERIFY(row.value(QStringLiteral("e")).isString());
            if (g % 7 == 0)
                QVERIFY(row.value(QStringLiteral("z")).isNull());
            else
                QCOMPARE(row.value(QStringLiteral("z")), QJsonValue(g));
            QCOMPARE(QByteArray::fromBase64(row.value(QStringLiteral("b")).toString().toLatin1()),
                     QByteArray("\x0a\xff", 2));
            if (m_pg)
                QCOMPARE(row.value(QStringLiteral("flag")), QJsonValue(g % 2 == 0));
            else
                QCOMPARE(row.value(QStringLiteral("flag")), QJsonValue(g % 2 == 0 ? 1 : 0));
        }
    }

    void emptyResultAndNonFiniteReals()
    {
        QTemporaryDir dir;
        const QString none = dir.filePath(QStringLiteral("none.json"));
        {
            ui::ResultExporter exporter(start(m_pg ? QStringLiteral("SELECT 1 AS one WHERE false")
                                                   : QStringLiteral("SELECT 1 AS one WHERE 0"),
                                              100, 0));
            QCOMPARE(test::await(exporter.exportTo(none, ui::ResultExporter::Format::Json)),
                     qint64(0));
        }
        QCOMPARE(readAll(none), QByteArray("[]\n"));
        // JSON has no infinities: they are written as PostgreSQL spells them, as strings.
        const QString inf = dir.filePath(QStringLiteral("inf.json"));
        ui::ResultExporter exporter(start(m_pg ? QStringLiteral("SELECT 'Infinity'::float8 AS v")
                                               : QStringLiteral("SELECT 9e999 AS v"),
                                          100, 0));
        QCOMPARE(test::await(exporter.exportTo(inf, ui::ResultExporter::Format::Json)), qint64(1));
        const QJsonArray rows = QJsonDocument::fromJson(readAll(inf)).array();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].toObject().value(QStringLiteral("v")).toString(),
                 QStringLiteral("Infinity"));
    }

    void progressReachesTheTotal()
    {
        ui::ResultStreamPtr stream = start(mixedRows(m_pg, kRows), 100, 0);
        ui::ResultExporter exporter(stream);
        QSignalSpy progress(&exporter, &ui::ResultExporter::progress);
        QTemporaryDir dir;
        QCOMPARE(test::await(exporter.exportTo(dir.filePath(QStringLiteral("p.csv")),
                                               ui::ResultExporter::Format::Csv)),
                 qint64(kRows));
        QVERIFY(progress.size() >= kRows / 100); // at least once per batch
        qint64 last = 0;
        for (const QList<QVariant> &signal : progress) {
            const qint64 rows = signal.at(0).toLongLong();
            const qint64 total = signal.at(1).toLongLong();
            QVERIFY2(rows >= last, "progress never goes back");
            QVERIFY(total == -1 || total >= rows);
            last = rows;
        }
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(kRows));
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(kRows));
        QVERIFY(!exporter.isRunning());
    }

    void cancelRemovesTheFileAndTheConsoleGoesOn()
    {
        ui::ResultStreamPtr stream = start(mixedRows(m_pg, 200000), 1000, 0);
        ui::ResultExporter exporter(stream);
        qint64 seen = 0;
        connect(&exporter, &ui::ResultExporter::progress, &exporter, [&](qint64 rows, qint64) {
            seen = rows;
            if (rows >= 5000)
                exporter.cancel();
        });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cancelled.csv"));
        try {
            test::await(exporter.exportTo(path, ui::ResultExporter::Format::Csv));
            QFAIL("a cancelled export must throw");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Cancelled);
        }
        QVERIFY(seen >= 5000 && seen < 200000);
        QVERIFY(!QFile::exists(path));
        QVERIFY(!exporter.isRunning());
        // The result is still there to scroll, and the console runs the next statement.
        QVERIFY(stream->rowsRead() >= 5000);
        QCOMPARE(stream->read(0, 1).text(0, 0), QStringLiteral("1"));
        test::await(m_session->start(QStringLiteral("SELECT 42")));
        QCOMPARE(m_session->columns().size(), 1);
    }

    void unwritableFileIsNamed()
    {
        ui::ResultExporter exporter(start(mixedRows(m_pg, 10), 100, 0));
        const QString path = QStringLiteral("/nonexistent-dir-strata/out.csv");
        try {
            test::await(exporter.exportTo(path, ui::ResultExporter::Format::Csv));
            QFAIL("exporting into a missing directory must throw");
        } catch (const orm::Error &error) {
            QCOMPARE(error.kind(), orm::Error::Kind::Usage);
            QVERIFY2(error.message().contains(path), qPrintable(error.message()));
        }
        QVERIFY(!exporter.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestResultExport)
#include "tst_result_export.moc"
