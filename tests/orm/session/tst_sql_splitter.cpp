// Statement splitting with each database's own scanner: no GUI, no database.
#include "orm/session/sql_splitter.h"

#include "blocked_global_pool.h"
#include "reference_sql_splitter.h"

#include <QCoro/QCoroTask>
#include <QRandomGenerator>

#include <QTest>

#include <optional>

using orm::Dialect;

namespace {

QString describe(const QList<orm::SqlStatement> &statements)
{
    QStringList parts;
    for (const orm::SqlStatement &s : statements)
        parts << QStringLiteral("[%1+%2]").arg(s.start).arg(s.length);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestSqlSplitter : public QObject {
    Q_OBJECT

private slots:
    void split_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::addColumn<QString>("script");
        QTest::addColumn<QStringList>("statements");
        const int pg = int(Dialect::Postgres);
        const int lite = int(Dialect::Sqlite);
        for (const int d : {pg, lite}) {
            const char *tag = d == pg ? "postgres" : "sqlite";
            auto row = [&](const char *name) { return &QTest::addRow("%s: %s", tag, name); };
            *row("one") << d << "SELECT 1" << QStringList{"SELECT 1"};
            *row("three") << d << "SELECT 1; SELECT 2;\nSELECT 3"
                          << QStringList{"SELECT 1;", "SELECT 2;", "SELECT 3"};
            *row("string with semicolon")
                << d << "SELECT 'a;b'; SELECT 2;" << QStringList{"SELECT 'a;b';", "SELECT 2;"};
            *row("doubled quote in string") << d << "SELECT 'it''s; fine'; SELECT 2"
                                            << QStringList{"SELECT 'it''s; fine';", "SELECT 2"};
            *row("quoted identifier") << d << "SELECT 1 AS \"x;y\"; SELECT 2"
                                      << QStringList{"SELECT 1 AS \"x;y\";", "SELECT 2"};
            *row("line comment") << d << "SELECT 1 -- not; here\n; SELECT 2"
                                 << QStringList{"SELECT 1 -- not; here\n;", "SELECT 2"};
            *row("block comment") << d << "SELECT /* ; */ 1; SELECT 2"
                                  << QStringList{"SELECT /* ; */ 1;", "SELECT 2"};
            *row("empty statements") << d << ";; SELECT 1;;" << QStringList{"SELECT 1;"};
            *row("comment only") << d << "SELECT 1;\n-- the end\n" << QStringList{"SELECT 1;"};
            *row("unicode") << d << "SELECT 'é;ü'; SELECT '日本'"
                            << QStringList{"SELECT 'é;ü';", "SELECT '日本'"};
            *row("not SQL at all") << d << "SELEC 6 * 7" << QStringList{"SELEC 6 * 7"};
            *row("unterminated string") << d << "SELECT 1; SELECT 'abc; def"
                                        << QStringList{"SELECT 1;", "SELECT 'abc; def"};
        }
        QTest::addRow("postgres: dollar quoting")
            << pg << "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT f()"
            << QStringList{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
                           "SELECT f()"};
        QTest::addRow("postgres: tagged dollar quoting")
            << pg << "DO $body$ BEGIN PERFORM 1; END $body$; SELECT $x$;$x$"
            << QStringList{"DO $body$ BEGIN PERFORM 1; END $body$;", "SELECT $x$;$x$"};
        QTest::addRow("postgres: nested block comments")
            << pg << "SELECT /* a /* b; */ c; */ 1; SELECT 2"
            << QStringList{"SELECT /* a /* b; */ c; */ 1;", "SELECT 2"};
        QTest::addRow("postgres: E-string escape")
            << pg << "SELECT E'a\\';b'; SELECT 2" << QStringList{"SELECT E'a\\';b';", "SELECT 2"};
        // The old blank test read only the state after the last ';': this ran as nothing.
        QTest::addRow("postgres: not SQL, then a comment")
            << pg << "SELEC 1; -- why" << QStringList{"SELEC 1; -- why"};
        QTest::addRow("sqlite: trigger body")
            << lite
            << "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END; "
               "SELECT 1"
            << QStringList{"CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE "
                           "FROM c; END;",
                           "SELECT 1"};
        QTest::addRow("sqlite: bracket identifier")
            << lite << "SELECT [a;b] FROM t; SELECT 2"
            << QStringList{"SELECT [a;b] FROM t;", "SELECT 2"};
    }

    void split()
    {
        QFETCH(int, dialect);
        QFETCH(QString, script);
        QFETCH(QStringList, statements);
        const QList<orm::SqlStatement> got = orm::splitSql(script, Dialect(dialect));
        QStringList texts;
        for (const orm::SqlStatement &s : got) {
            QCOMPARE(script.mid(s.start, s.length), s.text);
            texts << s.text;
        }
        QCOMPARE(texts, statements);
    }

    // The linear splitter against the one it replaced (sqlite3_complete on every prefix, and
    // libpg_query with the old blank test): scripts built at random from the pieces either
    // scanner treats specially, with a fixed seed.
    void sameAsTheQuadraticSplitter()
    {
        static const char *const fragments[] = {
            ";",   " ",    "\n",      "'",      "\"",       "`",       "[",    "]",
            "--",  "/*",   "*/",      "create", "CREATE",   "trigger", "temp", "temporary",
            "end", "END",  "explain", "begin",  "select 1", "x",       "$$",   "$a$",
            "é",   "日本", "\t",      "\v",     "-",        "/",       "*",    "E'\\''",
            "(",   ")",    "\r\n",    "_end",   "end_",     "😀",
        };
        QRandomGenerator random(13);
        for (int round = 0; round < 4000; ++round) {
            QString script;
            const int length = int(random.bounded(1, 24));
            for (int i = 0; i < length; ++i)
                script += QString::fromUtf8(
                    fragments[random.bounded(int(sizeof fragments / sizeof *fragments))]);
            for (const Dialect dialect : {Dialect::Postgres, Dialect::Sqlite}) {
                const auto got = orm::splitSql(script, dialect);
                const auto expected = orm::reference::splitSqlQuadratic(script, dialect);
                if (got != expected)
                    QFAIL(qPrintable(
                        QStringLiteral("%1 script %2 split differently: %3 vs %4")
                            .arg(dialect == Dialect::Postgres ? "postgres" : "sqlite",
                                 QString::fromLatin1(script.toUtf8().toPercentEncoding()),
                                 describe(got), describe(expected))));
            }
        }
    }

    // Which bytes make a word: "create<byte>trigger" is CREATE TRIGGER only when the byte
    // separates words, as SQLite's IdChar says.
    void everyByteAfterAKeyword()
    {
        for (int byte = 1; byte < 256; ++byte) {
            QByteArray utf8("create");
            utf8 += char(byte);
            utf8 += " trigger t begin select 1; end; select 2;";
            const QString script = QString::fromLatin1(utf8);
            const auto got = orm::splitSql(script, Dialect::Sqlite);
            QCOMPARE(got, orm::reference::splitSqlQuadratic(script, Dialect::Sqlite));
        }
    }

    // What took 36 s and 11 s (issue 13): many ';' inside one string, and nothing but ';'.
    // Correct answers here; how fast is strata-bench split's to say.
    void hostileScripts()
    {
        const QString inString =
            QStringLiteral("INSERT INTO t VALUES ('%1');").arg(QString(1 << 20, u';'));
        for (const Dialect dialect : {Dialect::Postgres, Dialect::Sqlite}) {
            const auto one = orm::splitSql(inString, dialect);
            QCOMPARE(one.size(), 1);
            QCOMPARE(one.first().text, inString);
            QVERIFY(orm::splitSql(QString(1 << 20, u';'), dialect).isEmpty());
            const QString many = QStringLiteral("SELECT 1;").repeated(100'000);
            const auto statements = orm::splitSql(many, dialect);
            QCOMPARE(statements.size(), 100'000);
            QCOMPARE(statements.last().start, many.size() - 9);
        }
    }

    // A NUL ends what SQLite reads (sqlite3_complete stops at it): the rest is one statement.
    void nulByte()
    {
        const QString script =
            QStringLiteral("SELECT 1; SELECT 2") + QChar(0) + QStringLiteral("; SELECT 3;");
        const auto got = orm::splitSql(script, Dialect::Sqlite);
        QCOMPARE(got, orm::reference::splitSqlQuadratic(script, Dialect::Sqlite));
        QCOMPARE(got.size(), 2);
    }

    // Positions stay right past a lone surrogate (what toUtf8 writes as U+FFFD).
    void loneSurrogate()
    {
        const QString script =
            QStringLiteral("SELECT '") + QChar(0xD800) + QStringLiteral("'; SELECT 2;");
        for (const Dialect dialect : {Dialect::Postgres, Dialect::Sqlite}) {
            const auto got = orm::splitSql(script, dialect);
            QCOMPARE(got.size(), 2);
            QCOMPARE(got.last().text, QStringLiteral("SELECT 2;"));
        }
    }

    void statementUnderCursor()
    {
        const QString script = QStringLiteral("SELECT 1;\n\nSELECT 2;  \nSELECT 3");
        const auto statements = orm::splitSql(script, Dialect::Postgres);
        QCOMPARE(statements.size(), 3);
        QCOMPARE(orm::statementAt(statements, 0), 0);
        QCOMPARE(orm::statementAt(statements, 4), 0);
        QCOMPARE(orm::statementAt(statements, 9), 0); // just after the ';'
        QCOMPARE(orm::statementAt(statements, 13), 1);
        QCOMPARE(orm::statementAt(statements, int(script.size())), 2);
        QCOMPARE(orm::statementAt({}, 0), -1);
    }

    void leadingKeywords()
    {
        QCOMPARE(orm::leadingKeywords(QStringLiteral("  begin;")), QStringLiteral("BEGIN;"));
        QCOMPARE(
            orm::leadingKeywords(QStringLiteral("-- why\n/* what\n */ create\n  table t (a int)")),
            QStringLiteral("CREATE TABLE T (A INT)"));
        QCOMPARE(orm::leadingKeywords(QStringLiteral("select '/* not a comment */'")),
                 QStringLiteral("SELECT '/* NOT A COMMENT */'"));
        QCOMPARE(orm::leadingKeywords(QStringLiteral("-- only a comment")), QString());
        QCOMPARE(
            orm::leadingKeywords(QStringLiteral("INSERT INTO %1 VALUES (1)").arg(QString(60, u'x')))
                .size(),
            40);
    }

    // The console splits off its thread on Strata's pool: while Qt's own pool is held (by its
    // raster engine's fills, or anyone's long jobs) a script is still split, on both dialects.
    void splitsWhileQtsPoolIsBusy()
    {
        strata::test::BlockedGlobalPool blocked;
        for (const Dialect dialect : {Dialect::Postgres, Dialect::Sqlite}) {
            std::optional<QList<orm::SqlStatement>> statements;
            const auto body = [&]() -> QCoro::Task<> {
                QCoro::Task<QList<orm::SqlStatement>> splitting =
                    orm::splitSqlOffThread(QStringLiteral("SELECT 1; SELECT 2"), dialect);
                statements = co_await std::move(splitting);
            };
            QCoro::Task<> task = body(); // the lambda outlives its coroutine
            QTRY_VERIFY_WITH_TIMEOUT(statements.has_value(), 5000);
            QCOMPARE(statements->size(), 2);
        }
        QVERIFY(!blocked.released());
    }
};

QTEST_GUILESS_MAIN(TestSqlSplitter)
#include "tst_sql_splitter.moc"
