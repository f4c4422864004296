// The integration examples under docs/examples, run as the programs they are, on both backends.

#include "backends.h"

#include "orm/core/database_url.h"

#include <QProcess>
#include <QTest>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(STRATA_EXAMPLES_DIR "/") + program, arguments);
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestExamples : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }

    void lifespanBinding()
    {
        STRATA_BACKEND_URL(url);
        const Run r = run(QStringLiteral("example-lifespan"), {url});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QStringLiteral("hello from the lifespan binding"));
    }

    void manual()
    {
        STRATA_BACKEND_URL(url);
        const Run r = run(QStringLiteral("example-manual"), {url});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QStringLiteral("the answer is 42"));
    }

    void syncCli()
    {
        STRATA_BACKEND_URL(url);
        const Run r = run(QStringLiteral("example-sync-cli"), {url});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out, QStringLiteral("one\ntwo\n"));
    }

    void errorsReachTheUser()
    {
        STRATA_BACKEND_URL(url);
        const Run bad = run(QStringLiteral("example-sync-cli"), {url, QStringLiteral("SELEC 1")});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains(QLatin1String("SELEC")), qPrintable(bad.err));
        if (backend == QLatin1String("postgres")) {
            const QString password = orm::DatabaseUrl::parse(url).password();
            const QString wrong =
                orm::DatabaseUrl::parse(url).withPassword(QStringLiteral("not-it")).toString();
            const Run denied = run(QStringLiteral("example-lifespan"), {wrong});
            QCOMPARE(denied.code, 1);
            QVERIFY2(denied.err.contains(QLatin1String("password authentication failed")),
                     qPrintable(denied.err));
            QVERIFY(!denied.err.contains(QLatin1String("not-it")));
            QVERIFY(!denied.err.contains(password));
        }
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"
