#include "statement_effect.h"

#include "orm/session/sql_splitter.h"

#include <QSet>

namespace orm {

namespace {

// The words outside strings ('..', E'..', $tag$..$tag$), quoted identifiers ("..", `..`, [..])
// and comments, upper-cased. Quoting left open sets *unterminated: what follows it cannot be
// told apart, so the caller must assume the worst.
QStringList bareWords(const QString &sql, bool *unterminated)
{
    QStringList words;
    const qsizetype n = sql.size();
    qsizetype i = 0;
    *unterminated = false;
    const auto skipTo = [&](QStringView end) {
        const qsizetype at = sql.indexOf(end, i);
        if (at < 0)
            *unterminated = true;
        i = at < 0 ? n : at + end.size();
    };
    while (i < n) {
        const QChar c = sql[i];
        if (c == QLatin1Char('\'')) {
            // '' is a quote inside; a backslash escapes only in E'' strings (standard strings
            // and SQLite's take it literally, as the server does)
            const bool escapes =
                i > 0 && (sql[i - 1] == QLatin1Char('E') || sql[i - 1] == QLatin1Char('e'));
            ++i;
            bool closed = false;
            while (i < n) {
                if (escapes && sql[i] == QLatin1Char('\\')) {
                    i += 2;
                } else if (sql[i] == QLatin1Char('\'')) {
                    ++i;
                    if (i < n && sql[i] == QLatin1Char('\''))
                        ++i;
                    else {
                        closed = true;
                        break;
                    }
                } else {
                    ++i;
                }
            }
            if (!closed)
                *unterminated = true;
        } else if (c == QLatin1Char('"') || c == QLatin1Char('`')) {
            ++i;
            skipTo(QString(c));
        } else if (c == QLatin1Char('[')) {
            ++i;
            skipTo(u"]");
        } else if (c == QLatin1Char('-') && i + 1 < n && sql[i + 1] == QLatin1Char('-')) {
            skipTo(u"\n");
        } else if (c == QLatin1Char('/') && i + 1 < n && sql[i + 1] == QLatin1Char('*')) {
            i += 2;
            skipTo(u"*/");
        } else if (c == QLatin1Char('$')) {
            qsizetype j = i + 1;
            while (j < n && (sql[j].isLetterOrNumber() || sql[j] == QLatin1Char('_')))
                ++j;
            if (j < n && sql[j] == QLatin1Char('$')) {
                const QString tag = sql.mid(i, j - i + 1);
                i = j + 1;
                skipTo(tag);
            } else {
                i = j;
            }
        } else if (c.isLetter() || c == QLatin1Char('_')) {
            qsizetype j = i + 1;
            while (j < n && (sql[j].isLetterOrNumber() || sql[j] == QLatin1Char('_')))
                ++j;
            words << sql.mid(i, j - i).toUpper();
            i = j;
        } else {
            ++i;
        }
    }
    return words;
}

} // namespace

StatementEffect statementEffect(const QString &sql)
{
    static const QSet<QString> reading{
        QStringLiteral("SELECT"), QStringLiteral("VALUES"), QStringLiteral("TABLE"),
        QStringLiteral("WITH"),   QStringLiteral("SHOW"),   QStringLiteral("EXPLAIN"),
    };
    // Words that write, lock or run arbitrary code wherever they appear (a data-modifying CTE,
    // SELECT ... INTO, FOR UPDATE/SHARE, EXPLAIN ANALYZE runs the statement).
    static const QSet<QString> writing{
        QStringLiteral("INSERT"),  QStringLiteral("UPDATE"),   QStringLiteral("DELETE"),
        QStringLiteral("MERGE"),   QStringLiteral("UPSERT"),   QStringLiteral("REPLACE"),
        QStringLiteral("INTO"),    QStringLiteral("TRUNCATE"), QStringLiteral("CREATE"),
        QStringLiteral("DROP"),    QStringLiteral("ALTER"),    QStringLiteral("GRANT"),
        QStringLiteral("REVOKE"),  QStringLiteral("COPY"),     QStringLiteral("CALL"),
        QStringLiteral("DO"),      QStringLiteral("LOCK"),     QStringLiteral("SHARE"),
        QStringLiteral("ANALYZE"), QStringLiteral("ANALYSE"),  QStringLiteral("VACUUM"),
        QStringLiteral("REINDEX"), QStringLiteral("CLUSTER"),  QStringLiteral("REFRESH"),
        QStringLiteral("NOTIFY"),  QStringLiteral("ATTACH"),   QStringLiteral("DETACH"),
        QStringLiteral("SET"),     QStringLiteral("RESET"),    QStringLiteral("PRAGMA"),
        QStringLiteral("COMMIT"),  QStringLiteral("ROLLBACK"), QStringLiteral("BEGIN"),
    };
    QString leading = leadingKeywords(sql);
    while (leading.startsWith(QLatin1Char('(')) || leading.startsWith(QLatin1Char(' ')))
        leading.remove(0, 1); // (SELECT ...) UNION (SELECT ...)
    const QString first = leading.section(QLatin1Char(' '), 0, 0).section(QLatin1Char('('), 0, 0);
    if (!reading.contains(first))
        return StatementEffect::MayWrite;
    bool unterminated = false;
    const QStringList words = bareWords(sql, &unterminated);
    if (unterminated || words.isEmpty() || !reading.contains(words.first()))
        return StatementEffect::MayWrite;
    for (const QString &word : words)
        if (writing.contains(word))
            return StatementEffect::MayWrite;
    return StatementEffect::Reads;
}

} // namespace orm
