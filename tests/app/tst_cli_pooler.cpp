// `strata query` and `strata inspect` behind a real PgBouncer in transaction pooling mode (2
// server connections; with-postgres.sh starts it), many processes at once, so that their
// transactions really share server sessions. `query --schema` used to give 4 of 80 answers from
// the wrong schema: its set_config, statement and reset were three transactions.

#include "await.h"
#include "backends.h"
#include "pool_neighbours.h"

#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QProcess>
#include <QTest>

#include <memory>
#include <vector>

using namespace strata;
using test::bouncerUrl;

namespace {

std::unique_ptr<QProcess> startStrata(const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    process->start(QStringLiteral(STRATA_BINARY), arguments);
    process->closeWriteChannel();
    return process;
}

} // namespace

class TestCliPooler : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<orm::Database> m_direct;
    QString m_schema;
    QString m_table;

private slots:
    void initTestCase()
    {
        STRATA_REQUIRE_PGBOUNCER();
        m_direct = std::make_unique<orm::Database>(test::postgresUrl());
        test::await(m_direct->connect());
        m_schema = test::uniqueName(QStringLiteral("Pooled CLI"));
        m_table = test::uniqueName(QStringLiteral("where_am_i"));
        test::await(m_direct->executeScript(
            QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.%2 (v text); INSERT INTO %1.%2 "
                           "VALUES ('tenant'); CREATE TABLE public.%2 (v text); INSERT INTO "
                           "public.%2 VALUES ('public');")
                .arg(orm::quoteIdentifier(m_schema), m_table)));
    }
    void cleanupTestCase()
    {
        if (!m_direct)
            return;
        test::await(
            m_direct->executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE; DROP TABLE public.%2;")
                                        .arg(orm::quoteIdentifier(m_schema), m_table)));
        test::await(m_direct->disconnect(true));
    }

    // 80 runs, 10 at a time, half of them with --schema: each answers from its own schema.
    void querySchemaHoldsUnderConcurrency()
    {
        const QString sql =
            QStringLiteral("SELECT v, current_setting('search_path') FROM %1").arg(m_table);
        QStringList wrong;
        for (int wave = 0; wave < 8; ++wave) {
            std::vector<std::pair<bool, std::unique_ptr<QProcess>>> running;
            for (int i = 0; i < 10; ++i) {
                const bool scoped = i % 2 == 0;
                QStringList arguments{QStringLiteral("query"), QStringLiteral("--database"),
                                      bouncerUrl(), QStringLiteral("--format"),
                                      QStringLiteral("csv")};
                if (scoped)
                    arguments << QStringLiteral("--schema") << m_schema;
                running.emplace_back(scoped, startStrata(arguments << sql));
            }
            for (auto &[scoped, process] : running) {
                QVERIFY(process->waitForFinished(60000));
                const QString out = QString::fromUtf8(process->readAllStandardOutput());
                QVERIFY2(process->exitCode() == 0,
                         qPrintable(QString::fromUtf8(process->readAllStandardError())));
                const QString answer = out.section(QStringLiteral("\r\n"), 1, 1);
                const QString expected = scoped
                                             ? QStringLiteral("tenant,")
                                             : QStringLiteral("public,\"\"\"$user\"\", public\"");
                if (!answer.startsWith(expected))
                    wrong << QStringLiteral("%1: %2").arg(scoped ? "--schema" : "no schema",
                                                          answer);
            }
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    }

    // inspect reads the catalog through the pooler like any other client.
    void inspectWorksThroughThePooler()
    {
        auto process = startStrata({QStringLiteral("inspect"), QStringLiteral("--database"),
                                    bouncerUrl(), QStringLiteral("--schema"), m_schema});
        QVERIFY(process->waitForFinished(60000));
        const QString out = QString::fromUtf8(process->readAllStandardOutput());
        QVERIFY2(process->exitCode() == 0,
                 qPrintable(QString::fromUtf8(process->readAllStandardError())));
        QVERIFY2(out.contains(m_table), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestCliPooler)
#include "tst_cli_pooler.moc"
