// Statement splitting with each database's own scanner: no GUI, no database.
#include "orm/session/sql_splitter.h"

#include <QTest>

using orm::Dialect;

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
};

QTEST_GUILESS_MAIN(TestSqlSplitter)
#include "tst_sql_splitter.moc"
