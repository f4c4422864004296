// The strata executable itself, run as a person runs it (offscreen, --screenshot): which
// database it opens (--database > STRATA_DATABASE_URL > saved connections in --config > the
// demo), and what it says when it cannot (non-zero exit, a message, never the password).

#include "backends.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "support/await.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestApp : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    QString m_fileA; // a SQLite database with table only_a
    QString m_fileB; // ... with only_b

    struct Run {
        int code = -1;
        QString out;
        QString err;
    };

    // `display` false: as over SSH or in a container, no display and no Qt platform chosen.
    Run strata(const QStringList &arguments, const QString &environmentUrl = {},
               bool display = true) const
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (display) {
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        } else {
            for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
                env.remove(QLatin1String(name));
        }
        // Never the user's own config, data (the demo) or keyring prompts.
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        env.remove(QStringLiteral("STRATA_DATABASE_URL"));
        if (!environmentUrl.isEmpty())
            env.insert(QStringLiteral("STRATA_DATABASE_URL"), environmentUrl);
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(STRATA_EXE), arguments);
        Run run;
        if (!process.waitForFinished(60000)) {
            process.kill();
            process.waitForFinished();
            run.err = QStringLiteral("(timed out)");
            return run;
        }
        run.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        return run;
    }

    QString shot(const QString &name) const
    {
        return m_home.filePath(name + QStringLiteral(".png"));
    }

    // Opens `model` with --screenshot: exit 0 means the primary database was the one holding it.
    Run opens(const QString &model, QStringList arguments, const QString &environmentUrl = {}) const
    {
        const QString png = shot(model + QString::number(arguments.size()));
        arguments << QStringLiteral("--screenshot") << png << QStringLiteral("--select") << model;
        return strata(arguments, environmentUrl);
    }

    QString writeConfig(const QString &url, const QString &name = QStringLiteral("saved")) const
    {
        const QString path = m_home.filePath(QStringLiteral("connections.json"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        file.write(
            QStringLiteral(R"({"connections": [{"name": "%1", "url": "%2", "primary": true}]})")
                .arg(name, url)
                .toUtf8());
        return path;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        m_fileA = strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("a"));
        m_fileB = strata::test::urlFor(QStringLiteral("sqlite"), QStringLiteral("b"));
        for (const auto &[url, table] : {std::pair{m_fileA, QStringLiteral("only_a")},
                                         std::pair{m_fileB, QStringLiteral("only_b")}}) {
            orm::Database db(url);
            strata::test::await(
                db.executeScript(QStringLiteral("CREATE TABLE %1 (id INTEGER PRIMARY KEY, v TEXT);"
                                                "INSERT INTO %1 VALUES (1, 'x');")
                                     .arg(table)));
        }
        // Without ?create=true: the program must find the files, not make new ones.
        m_fileA = QStringLiteral("sqlite:///") + orm::DatabaseUrl::parse(m_fileA).path();
        m_fileB = QStringLiteral("sqlite:///") + orm::DatabaseUrl::parse(m_fileB).path();
    }

    void screenshotOfTheDatabaseGiven()
    {
        const Run run = opens(QStringLiteral("only_a"), {QStringLiteral("--database"), m_fileA});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(run.out.trimmed()));
        QVERIFY(QFile(run.out.trimmed()).size() > 1000);
    }

    void databaseBeatsEnvironment()
    {
        const Run run =
            opens(QStringLiteral("only_a"), {QStringLiteral("--database"), m_fileA}, m_fileB);
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const Run other =
            opens(QStringLiteral("only_b"), {QStringLiteral("--database"), m_fileA}, m_fileB);
        QCOMPARE(other.code, 1);
        QVERIFY2(other.err.contains(QStringLiteral("only_b")), qPrintable(other.err));
    }

    void environmentBeatsSavedConnections()
    {
        const QString config = writeConfig(m_fileA);
        const Run run =
            opens(QStringLiteral("only_b"), {QStringLiteral("--config"), config}, m_fileB);
        QVERIFY2(run.code == 0, qPrintable(run.err));
    }

    void savedConnectionsBeatTheDemo()
    {
        const QString config = writeConfig(m_fileA);
        const Run run = opens(QStringLiteral("only_a"), {QStringLiteral("--config"), config});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        // --extra adds to saved connections; the primary stays the saved one.
        const Run extra = opens(QStringLiteral("only_a"),
                                {QStringLiteral("--config"), config, QStringLiteral("--extra"),
                                 QStringLiteral("other=") + m_fileB});
        QVERIFY2(extra.code == 0, qPrintable(extra.err));
    }

    void noArgumentsOpenTheDemo()
    {
        const Run run = opens(QStringLiteral("customer"), {});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY(QFile::exists(m_home.filePath(QStringLiteral("data/strata/demo.db"))));
    }

    void unreachableDatabaseFailsWithoutThePassword()
    {
        // Nothing listens on port 1.
        const QString url =
            QStringLiteral("postgresql://ann:s3cretpw@127.0.0.1:1/shop?connect_timeout=3");
        const QString png = shot(QStringLiteral("unreachable"));
        const Run run =
            strata({QStringLiteral("--database"), url, QStringLiteral("--screenshot"), png});
        QVERIFY2(run.code != 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("127.0.0.1")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("cannot connect")), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("s3cretpw")), qPrintable(run.err));
        QVERIFY(!run.out.contains(QStringLiteral("s3cretpw")));
        QVERIFY(!QFile::exists(png));
    }

    void malformedUrlFailsWithoutThePassword()
    {
        const QString png = shot(QStringLiteral("malformed"));
        const Run run =
            strata({QStringLiteral("--database"), QStringLiteral("mysql://ann:s3cretpw@db/shop"),
                    QStringLiteral("--screenshot"), png});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains(QStringLiteral("strata: ")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("mysql")), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("s3cretpw")), qPrintable(run.err));
        QVERIFY(!QFile::exists(png));
    }

    void unknownModelFails()
    {
        const Run run =
            opens(QStringLiteral("no_such_table"), {QStringLiteral("--database"), m_fileA});
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(QStringLiteral("no table or view named 'no_such_table'")),
                 qPrintable(run.err));
    }

    // --schema opens in that schema or tenant; with --select, the table of that schema; a schema
    // or table that is not there ends the screenshot with 1 and a message naming both.
    void schemaOption()
    {
        const Run inMain =
            opens(QStringLiteral("only_a"), {QStringLiteral("--database"), m_fileA,
                                             QStringLiteral("--schema"), QStringLiteral("main")});
        QVERIFY2(inMain.code == 0, qPrintable(inMain.err));
        const Run nowhere =
            opens(QStringLiteral("only_a"), {QStringLiteral("--database"), m_fileA,
                                             QStringLiteral("--schema"), QStringLiteral("nosuch")});
        QCOMPARE(nowhere.code, 1);
        QVERIFY2(nowhere.err.contains(QStringLiteral("'nosuch'")), qPrintable(nowhere.err));
        QVERIFY2(nowhere.err.contains(QStringLiteral("only_a")), qPrintable(nowhere.err));

        const QString pg = strata::test::postgresUrl();
        if (pg.isEmpty()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL must not skip under CI");
            return;
        }
        const QString tenant = strata::test::uniqueName(QStringLiteral("tenant"));
        const QString table = strata::test::uniqueName(QStringLiteral("tenant_only"));
        orm::Database db(pg);
        strata::test::await(db.executeScript(
            QStringLiteral("CREATE SCHEMA %1; CREATE TABLE %1.%2 (id int PRIMARY KEY);"
                           "INSERT INTO %1.%2 VALUES (7);")
                .arg(tenant, table)));
        const Run inTenant =
            opens(table, {QStringLiteral("--database"), pg, QStringLiteral("--schema"), tenant});
        const Run inPublic = opens(table, {QStringLiteral("--database"), pg,
                                           QStringLiteral("--schema"), QStringLiteral("public")});
        strata::test::await(db.executeScript(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(tenant)));
        QVERIFY2(inTenant.code == 0, qPrintable(inTenant.err));
        QCOMPARE(inPublic.code, 1);
        QVERIFY2(inPublic.err.contains(table) && inPublic.err.contains(QStringLiteral("public")),
                 qPrintable(inPublic.err));
    }

    // --console runs SQL in a console tab of the window and shoots once the result shows; an
    // SQL error is shown (and saved) too, and reported with exit code 1.
    void consoleScreenshot()
    {
        QStringList urls{m_fileA};
        if (!strata::test::postgresUrl().isEmpty())
            urls << strata::test::postgresUrl();
        else if (qEnvironmentVariableIsSet("CI"))
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL must not skip under CI");
        for (const QString &url : std::as_const(urls)) {
            const QString png = shot(QStringLiteral("console%1").arg(url.size()));
            const Run ok =
                strata({QStringLiteral("--database"), url, QStringLiteral("--screenshot"), png,
                        QStringLiteral("--console"), QStringLiteral("SELECT 6 * 7 AS answer")});
            QVERIFY2(ok.code == 0, qPrintable(ok.err));
            QCOMPARE(ok.out.trimmed(), png);
            QFile picture(png);
            QVERIFY(picture.open(QIODevice::ReadOnly));
            QVERIFY(picture.read(8).startsWith("\x89PNG"));

            const QString badPng = png + QStringLiteral(".bad.png");
            const Run bad =
                strata({QStringLiteral("--database"), url, QStringLiteral("--screenshot"), badPng,
                        QStringLiteral("--console"), QStringLiteral("SELEC 6 * 7")});
            QCOMPARE(bad.code, 1);
            QVERIFY2(bad.err.contains(QLatin1String("SELEC")), qPrintable(bad.err));
            QVERIFY(QFile::exists(badPng));
            const QString password = orm::DatabaseUrl::parse(url).password();
            QVERIFY(password.isEmpty() || !bad.err.contains(password));
        }
    }

    void badCommandLineSaysWhy()
    {
        const Run run = strata({QStringLiteral("--extra"), QStringLiteral("nourl")});
        QCOMPARE(run.code, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--extra wants NAME=URL")), qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("usage: strata")));
    }

    // Without a display the command line is still read first: a mistake is said as such, not
    // as Qt's "could not load the Qt platform plugin" abort.
    void withoutADisplayMistakesAreSaidAsSuch()
    {
        const Run bogus = strata({QStringLiteral("--bogus")}, {}, false);
        QCOMPARE(bogus.code, 2);
        QVERIFY2(bogus.err.contains(QStringLiteral("unexpected argument '--bogus'")),
                 qPrintable(bogus.err));
        QVERIFY2(!bogus.err.contains(QStringLiteral("platform plugin")), qPrintable(bogus.err));

        const Run command = strata({QStringLiteral("frobnicate")}, {}, false);
        QCOMPARE(command.code, 2);
        QVERIFY2(command.err.contains(QStringLiteral("unknown command 'frobnicate'")),
                 qPrintable(command.err));
        QVERIFY2(command.err.contains(QStringLiteral("query")), qPrintable(command.err));

        // The window itself says there is no display and what works without one.
        const Run window = strata({QStringLiteral("--database"), m_fileA}, {}, false);
        QCOMPARE(window.code, 2);
        QVERIFY2(window.err.contains(QStringLiteral("no display")), qPrintable(window.err));
        QVERIFY2(window.err.contains(QStringLiteral("strata --screenshot")),
                 qPrintable(window.err));
        QVERIFY2(!window.err.contains(QStringLiteral("platform plugin")), qPrintable(window.err));
    }

    // A screenshot needs no display: it renders offscreen by itself.
    void screenshotWithoutADisplay()
    {
        const QString png = shot(QStringLiteral("nodisplay"));
        const Run run =
            strata({QStringLiteral("--database"), m_fileA, QStringLiteral("--screenshot"), png,
                    QStringLiteral("--select"), QStringLiteral("only_a")},
                   {}, false);
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QCOMPARE(run.out.trimmed(), png);
        QVERIFY(QFile::exists(png));
    }
};

QTEST_GUILESS_MAIN(TestApp)
#include "tst_app.moc"
