// `strata inspect`, run as the built binary on a fixture database of each backend.

#include "await.h"
#include "backends.h"

#include "orm/database/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>

using orm::Database;
using orm::DatabaseUrl;
using strata::test::await;

namespace {

using strata::test::isPostgres;

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run inspect(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(STRATA_BINARY), QStringList{"inspect"} + arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
    }
    return Run{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
               QString::fromUtf8(process.readAllStandardOutput()),
               QString::fromUtf8(process.readAllStandardError())};
}

QString describe(const Run &run)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3")
        .arg(run.exitCode)
        .arg(run.out, run.err);
}

int closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// One error line on stderr, nothing on stdout, the exit code expected.
void expectError(const Run &run, int exitCode, const QString &text)
{
    QVERIFY2(run.exitCode == exitCode, qPrintable(describe(run)));
    QVERIFY2(run.out.isEmpty(), qPrintable(describe(run)));
    QVERIFY2(run.err.startsWith(QLatin1String("strata inspect: ")), qPrintable(describe(run)));
    QVERIFY2(run.err.contains(text), qPrintable(describe(run)));
    if (exitCode == 1)
        QVERIFY2(run.err.count(QLatin1Char('\n')) == 1, qPrintable(describe(run)));
}

} // namespace

class TestCliInspect : public QObject {
    Q_OBJECT

private slots:
    void initTestCase_data() { strata::test::addBackendRows(); }
    void initTestCase();
    void cleanupTestCase();

    void text();
    void json();
    void ddl();
    void errors();
    void usage();

private:
    // Per backend: the fixture's URL and schema.
    QMap<QString, QPair<QString, QString>> m_fixtures;
};

void TestCliInspect::initTestCase()
{
    for (const QString &backend : {QStringLiteral("sqlite"), QStringLiteral("postgres")}) {
        const QString url = strata::test::urlFor(backend, QStringLiteral("inspect"));
        if (url.isEmpty())
            continue;
        Database db(url);
        await(db.connect());
        QString schema = QStringLiteral("main");
        QString prefix;
        QString identity = QStringLiteral("INTEGER PRIMARY KEY");
        if (isPostgres(backend)) {
            schema = strata::test::uniqueName(QStringLiteral("inspect"));
            prefix = QLatin1Char('"') + schema + QStringLiteral("\".");
            identity = QStringLiteral("integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
            await(db.executeScript(QStringLiteral("CREATE SCHEMA \"%1\"").arg(schema)));
        }
        await(db.executeScript(
            QStringLiteral(
                "CREATE TABLE %1country (id %2, name text NOT NULL UNIQUE);"
                "CREATE TABLE %1customer (id %2, name varchar(40) NOT NULL DEFAULT 'anon',"
                "  country_id integer REFERENCES %1country (id));"
                "CREATE INDEX customer_name_idx ON %1customer (name);"
                "CREATE VIEW %1customer_names AS SELECT name FROM %1customer;")
                .arg(prefix, identity)));
        await(db.disconnect());
        m_fixtures.insert(backend, {url, schema});
    }
}

void TestCliInspect::cleanupTestCase()
{
    if (!m_fixtures.contains(QStringLiteral("postgres")))
        return;
    const auto [url, schema] = m_fixtures.value(QStringLiteral("postgres"));
    Database db(url);
    await(db.connect());
    await(db.executeScript(QStringLiteral("DROP SCHEMA \"%1\" CASCADE").arg(schema)));
    await(db.disconnect());
}

void TestCliInspect::text()
{
    STRATA_BACKEND_URL(unused);
    const auto [url, schema] = m_fixtures.value(backend);
    const Run run = inspect({"--database", url, "--schema", schema});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.err.isEmpty(), qPrintable(describe(run)));
    const QString &out = run.out;
    const auto has = [&out](const QString &text) {
        if (!out.contains(text))
            qWarning().noquote() << "missing:" << text << "\nin:\n" << out;
        return out.contains(text);
    };
    QVERIFY(has(schema + ".country (table)\n"));
    QVERIFY(has(schema + ".customer (table)\n"));
    QVERIFY(has(schema + ".customer_names (view)\n"));
    // Columns with types, NOT NULL, keys, defaults.
    QVERIFY(out.contains(QRegularExpression(QStringLiteral("\n  id +\\S+ +NOT NULL  PRIMARY KEY  "
                                                           "IDENTITY\n"))));
    QVERIFY(out.contains(QRegularExpression(
        QStringLiteral("\n  name +(varchar\\(40\\)|character varying\\(40\\)) +NOT NULL  "
                       "DEFAULT 'anon'"))));
    QVERIFY(has("  primary key (id)\n"));
    QVERIFY(has(QStringLiteral("(country_id) -> %1.country(id)\n").arg(schema)));
    QVERIFY(has("  index customer_name_idx (name)\n"));
    QVERIFY(out.contains(QRegularExpression(QStringLiteral("  index \\S+ UNIQUE \\(name\\)\n"))));
    // Models in name order.
    QVERIFY(out.indexOf(".country (") < out.indexOf(".customer ("));
    QVERIFY(out.indexOf(".customer (") < out.indexOf(".customer_names ("));
    // The password never shows.
    const QString password = DatabaseUrl::parse(url).password();
    QVERIFY(password.isEmpty() || !out.contains(password));
}

void TestCliInspect::json()
{
    STRATA_BACKEND_URL(unused);
    const auto [url, schema] = m_fixtures.value(backend);
    const Run run = inspect({"--json", "--database", url, "--schema", schema});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
    const QJsonObject root = document.object();
    QCOMPARE(root.value("schema").toString(), schema);
    QCOMPARE(root.value("backend").toString(),
             isPostgres(backend) ? QStringLiteral("postgresql") : QStringLiteral("sqlite"));
    QCOMPARE(root.value("database").toString(), DatabaseUrl::parse(url).toDisplayString());
    const QString password = DatabaseUrl::parse(url).password();
    QVERIFY(password.isEmpty() || !run.out.contains(password));

    const QJsonArray models = root.value("models").toArray();
    QCOMPARE(models.size(), 3);
    QCOMPARE(models[0].toObject().value("name").toString(), QStringLiteral("country"));
    QJsonObject customer = models[1].toObject();
    QCOMPARE(customer.value("table").toString(), QStringLiteral("customer"));
    QCOMPARE(customer.value("schema").toString(), schema);
    QCOMPARE(customer.value("kind").toString(), QStringLiteral("table"));
    QCOMPARE(models[2].toObject().value("kind").toString(), QStringLiteral("view"));
    QCOMPARE(customer.value("primaryKey").toArray(), QJsonArray{"id"});

    const QJsonArray fields = customer.value("fields").toArray();
    QCOMPARE(fields.size(), 3);
    const QJsonObject id = fields[0].toObject();
    QCOMPARE(id.value("name").toString(), QStringLiteral("id"));
    QCOMPARE(id.value("logicalType").toString(), QStringLiteral("integer"));
    QCOMPARE(id.value("primaryKey").toBool(), true);
    QCOMPARE(id.value("identity").toBool(), true);
    QCOMPARE(id.value("nullable").toBool(), false);
    const QJsonObject name = fields[1].toObject();
    QCOMPARE(name.value("logicalType").toString(), QStringLiteral("text"));
    QVERIFY(name.value("default").toString().startsWith(QLatin1String("'anon'")));
    QVERIFY(fields[2].toObject().value("default").isNull());
    QCOMPARE(fields[2].toObject().value("nullable").toBool(), true);

    const QJsonArray keys = customer.value("foreignKeys").toArray();
    QCOMPARE(keys.size(), 1);
    const QJsonObject key = keys[0].toObject();
    QCOMPARE(key.value("columns").toArray(), QJsonArray{"country_id"});
    QCOMPARE(key.value("targetSchema").toString(), schema);
    QCOMPARE(key.value("targetTable").toString(), QStringLiteral("country"));
    QCOMPARE(key.value("targetColumns").toArray(), QJsonArray{"id"});

    bool plainIndex = false;
    for (const QJsonValue &index : customer.value("indexes").toArray())
        if (index.toObject().value("name").toString() == QLatin1String("customer_name_idx")) {
            plainIndex = true;
            QCOMPARE(index.toObject().value("columns").toArray(), QJsonArray{"name"});
            QCOMPARE(index.toObject().value("unique").toBool(), false);
        }
    QVERIFY(plainIndex);

    // Stable: the same document twice.
    QCOMPARE(inspect({"--json", "--database", url, "--schema", schema}).out, run.out);
}

// --ddl: each table's and view's CREATE statements; replayed into a fresh schema (a fresh file)
// they make the same tables again.
void TestCliInspect::ddl()
{
    STRATA_BACKEND_URL(unused);
    const auto [url, schema] = m_fixtures.value(backend);
    const Run run = inspect({"--ddl", "--database", url, "--schema", schema});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.err.isEmpty(), qPrintable(describe(run)));
    const QString &out = run.out;
    // The fixture's schema needs no quotes: the DDL qualifies it bare.
    const QString prefix = isPostgres(backend) ? schema + QLatin1Char('.') : QString();
    for (const QString &table : {QStringLiteral("country"), QStringLiteral("customer")})
        QVERIFY2(out.contains(QStringLiteral("CREATE TABLE %1%2 (").arg(prefix, table)),
                 qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("CREATE VIEW %1customer_names AS").arg(prefix)),
             qPrintable(out));
    QVERIFY2(out.contains(QLatin1String("CREATE INDEX customer_name_idx ON")), qPrintable(out));
    QVERIFY(out.indexOf(QLatin1String("country (")) < out.indexOf(QLatin1String("customer (")));
    QVERIFY2(!out.contains(QLatin1String("sqlite_autoindex")), qPrintable(out));

    Database db(isPostgres(backend) ? url : strata::test::urlFor(backend, QStringLiteral("copy")));
    await(db.connect());
    QString replay = out;
    const QString copy = strata::test::uniqueName(QStringLiteral("inspect copy"));
    if (isPostgres(backend)) {
        await(db.executeScript(QStringLiteral("CREATE SCHEMA \"%1\"").arg(copy)));
        replay.replace(prefix, QLatin1Char('"') + copy + QStringLiteral("\"."));
    }
    await(db.executeScript(replay));
    const Run again = inspect({"--database", isPostgres(backend) ? url : db.url().toString(),
                               "--schema", isPostgres(backend) ? copy : QStringLiteral("main")});
    QVERIFY2(again.exitCode == 0, qPrintable(describe(again)));
    const Run original = inspect({"--database", url, "--schema", schema});
    QString expected = original.out;
    if (isPostgres(backend))
        expected.replace(schema + QLatin1Char('.'), copy + QLatin1Char('.'));
    QCOMPARE(again.out, expected);
    if (isPostgres(backend))
        await(db.executeScript(QStringLiteral("DROP SCHEMA \"%1\" CASCADE").arg(copy)));
    await(db.disconnect());

    expectError(inspect({"--ddl", "--json", "--database", url}), 2, "exclude each other");
}

void TestCliInspect::errors()
{
    STRATA_BACKEND_URL(unused);
    const auto [url, schema] = m_fixtures.value(backend);
    expectError(inspect({"--database", "nonsense://what"}), 1, "nonsense");
    expectError(inspect({"--database", url, "--schema", "no_such_schema"}), 1,
                "no schema named 'no_such_schema'");
    if (isPostgres(backend)) {
        const QString secret = QStringLiteral("wrong-secret-123");
        const QString wrong = DatabaseUrl::parse(url).withPassword(secret).toString();
        const Run denied = inspect({"--database", wrong});
        expectError(denied, 1, "password authentication failed");
        QVERIFY(!denied.err.contains(secret));
        const QString unreachable =
            QStringLiteral("postgresql://ann:%1@127.0.0.1:%2/none?connect_timeout=5")
                .arg(secret)
                .arg(closedPort());
        const Run refused = inspect({"--database", unreachable});
        expectError(refused, 1, "127.0.0.1");
        QVERIFY(!refused.err.contains(secret));
    } else {
        expectError(inspect({"--database", "sqlite:////nonexistent-dir/none.db"}), 1,
                    "does not exist");
    }
}

void TestCliInspect::usage()
{
    QFETCH_GLOBAL(QString, backend);
    if (isPostgres(backend))
        QSKIP("usage errors do not depend on the backend (tested on the sqlite row)");
    expectError(inspect({}), 2, "--database URL is required");
    expectError(inspect({"--bogus"}), 2, "bogus");
    expectError(inspect({"--database", "sqlite:///x.db", "stray"}), 2, "'stray'");
    expectError(inspect({"--database"}), 2, "database");
    const Run help = inspect({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--schema"));
}

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
