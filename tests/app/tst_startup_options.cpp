// strata's start-up options: --database / STRATA_DATABASE_URL precedence, --extra, --config,
// --screenshot/--select, and the message a person sees for each bad command line.

#include "app/startup_options.h"

#include <QTest>

#include <stdexcept>

using strata::app::parseStartupOptions;
using strata::app::StartupOptions;

class TestStartupOptions : public QObject {
    Q_OBJECT

    static QString errorOf(const QStringList &arguments)
    {
        try {
            parseStartupOptions(arguments, {});
        } catch (const std::invalid_argument &error) {
            return QString::fromUtf8(error.what());
        }
        return {};
    }

private slots:
    void nothingMeansTheDemo()
    {
        const StartupOptions options = parseStartupOptions({}, {});
        QVERIFY(options.databaseUrl.isEmpty());
        QVERIFY(options.extras.isEmpty());
        QVERIFY(options.configFile.isEmpty());
        QVERIFY(options.screenshotFile.isEmpty());
    }

    void environmentSetsThePrimary()
    {
        const StartupOptions options =
            parseStartupOptions({}, QStringLiteral("postgresql://env@h/db"));
        QCOMPARE(options.databaseUrl, QStringLiteral("postgresql://env@h/db"));
    }

    void databaseBeatsTheEnvironment()
    {
        const StartupOptions options =
            parseStartupOptions({QStringLiteral("--database"), QStringLiteral("sqlite:///cli.db")},
                                QStringLiteral("postgresql://env@h/db"));
        QCOMPARE(options.databaseUrl, QStringLiteral("sqlite:///cli.db"));
    }

    void theLastDatabaseWins()
    {
        const StartupOptions options =
            parseStartupOptions({QStringLiteral("--database"), QStringLiteral("sqlite:///a.db"),
                                 QStringLiteral("--database"), QStringLiteral("sqlite:///b.db")},
                                {});
        QCOMPARE(options.databaseUrl, QStringLiteral("sqlite:///b.db"));
    }

    void extrasAccumulateInOrder()
    {
        const StartupOptions options = parseStartupOptions(
            {QStringLiteral("--extra"), QStringLiteral("archive=sqlite:///a.db"),
             QStringLiteral("--config"), QStringLiteral("/tmp/c.json"), QStringLiteral("--extra"),
             QStringLiteral("shop=postgresql://u@h/db?sslmode=require&x=1")},
            QStringLiteral("sqlite:///env.db"));
        QCOMPARE(options.extras.size(), 2);
        QCOMPARE(options.extras[0].first, QStringLiteral("archive"));
        QCOMPARE(options.extras[0].second, QStringLiteral("sqlite:///a.db"));
        // Only the first '=' splits: URLs keep theirs.
        QCOMPARE(options.extras[1].first, QStringLiteral("shop"));
        QCOMPARE(options.extras[1].second,
                 QStringLiteral("postgresql://u@h/db?sslmode=require&x=1"));
        QCOMPARE(options.configFile, QStringLiteral("/tmp/c.json"));
        QCOMPARE(options.databaseUrl, QStringLiteral("sqlite:///env.db"));
    }

    void screenshotAndSelect()
    {
        const StartupOptions options =
            parseStartupOptions({QStringLiteral("--screenshot"), QStringLiteral("out.png"),
                                 QStringLiteral("--select"), QStringLiteral("customer")},
                                {});
        QCOMPARE(options.screenshotFile, QStringLiteral("out.png"));
        QCOMPARE(options.selectModel, QStringLiteral("customer"));
    }

    void badCommandLines_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("database without value") << QStringList{QStringLiteral("--database")}
                                                << QStringLiteral("--database needs a value");
        QTest::newRow("value is an option")
            << QStringList{QStringLiteral("--config"), QStringLiteral("--database"),
                           QStringLiteral("x")}
            << QStringLiteral("--config needs a value");
        QTest::newRow("extra without =")
            << QStringList{QStringLiteral("--extra"), QStringLiteral("archive")}
            << QStringLiteral("--extra wants NAME=URL, got 'archive'");
        QTest::newRow("extra without name")
            << QStringList{QStringLiteral("--extra"), QStringLiteral("=sqlite:///a.db")}
            << QStringLiteral("--extra wants NAME=URL");
        QTest::newRow("extra without url")
            << QStringList{QStringLiteral("--extra"), QStringLiteral("archive=")}
            << QStringLiteral("--extra wants NAME=URL, got 'archive'");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("--databse"), QStringLiteral("x")}
            << QStringLiteral("unexpected argument '--databse'");
    }

    void badCommandLines()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const QString error = errorOf(arguments);
        QVERIFY2(error.startsWith(message), qPrintable(error));
    }

    // --extra's URL is not echoed back in the error (it may hold a password).
    void extraErrorsDoNotEchoTheUrl()
    {
        const QString error =
            errorOf({QStringLiteral("--extra"), QStringLiteral("postgresql://u:s3cret@h/db")});
        QVERIFY(!error.isEmpty());
        QVERIFY2(!error.contains(QStringLiteral("s3cret")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestStartupOptions)
#include "tst_startup_options.moc"
