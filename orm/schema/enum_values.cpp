#include "orm/schema/enum_values.h"

#include "orm/query/sql_dialect.h"

#include <optional>

namespace orm::reflection {
namespace {

// SQLite's SQL as tokens, enough to find CHECK constraints and read their lists: comments and
// white space dropped, quoted identifiers and string literals unquoted.
struct Token {
    enum Kind { Word, Identifier, String, Symbol } kind;
    QString text;
};

std::optional<QList<Token>> tokenize(const QString &sql)
{
    QList<Token> tokens;
    const qsizetype n = sql.size();
    qsizetype i = 0;
    const auto isWord = [](QChar c) {
        return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('$');
    };
    while (i < n) {
        const QChar c = sql[i];
        if (c.isSpace()) {
            ++i;
        } else if (c == QLatin1Char('-') && i + 1 < n && sql[i + 1] == QLatin1Char('-')) {
            const qsizetype end = sql.indexOf(QLatin1Char('\n'), i);
            i = end < 0 ? n : end + 1;
        } else if (c == QLatin1Char('/') && i + 1 < n && sql[i + 1] == QLatin1Char('*')) {
            const qsizetype end = sql.indexOf(QStringLiteral("*/"), i + 2);
            i = end < 0 ? n : end + 2;
        } else if (c == QLatin1Char('\'') || c == QLatin1Char('"') || c == QLatin1Char('`') ||
                   c == QLatin1Char('[')) {
            const QChar close = c == QLatin1Char('[') ? QLatin1Char(']') : c;
            QString text;
            qsizetype j = i + 1;
            bool closed = false;
            while (j < n) {
                if (sql[j] == close) {
                    if (close != QLatin1Char(']') && j + 1 < n && sql[j + 1] == close) {
                        text += close; // a doubled quote
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                text += sql[j++];
            }
            if (!closed)
                return std::nullopt; // not SQL we understand
            tokens << Token{c == QLatin1Char('\'') ? Token::String : Token::Identifier, text};
            i = j + 1;
        } else if (isWord(c)) {
            qsizetype j = i;
            while (j < n && isWord(sql[j]))
                ++j;
            tokens << Token{Token::Word, sql.mid(i, j - i)};
            i = j;
        } else {
            tokens << Token{Token::Symbol, QString(c)};
            ++i;
        }
    }
    return tokens;
}

bool isSymbol(const Token &token, char symbol)
{
    return token.kind == Token::Symbol && token.text == QLatin1Char(symbol);
}

bool isKeyword(const Token &token, const char *word)
{
    return token.kind == Token::Word &&
           token.text.compare(QLatin1String(word), Qt::CaseInsensitive) == 0;
}

// `name IN ('a', ...)` exactly, as the tokens between CHECK's parentheses: the name and the
// values, or nothing.
std::optional<std::pair<QString, QStringList>> inList(const QList<Token> &tokens)
{
    if (tokens.size() < 5)
        return std::nullopt;
    const Token &name = tokens[0];
    if (name.kind != Token::Word && name.kind != Token::Identifier)
        return std::nullopt;
    if (!isKeyword(tokens[1], "IN") || !isSymbol(tokens[2], '(') || !isSymbol(tokens.last(), ')'))
        return std::nullopt;
    // Between the list's parentheses: a string, then a comma and a string, any number of times.
    const qsizetype first = 3, last = tokens.size() - 1;
    if ((last - first) % 2 == 0)
        return std::nullopt; // "IN ()" or a trailing comma
    QStringList values;
    for (qsizetype i = first; i < last; ++i) {
        if ((i - first) % 2 == 1) {
            if (!isSymbol(tokens[i], ','))
                return std::nullopt;
        } else if (tokens[i].kind != Token::String) {
            return std::nullopt;
        } else {
            values << tokens[i].text;
        }
    }
    return std::make_pair(name.text, values);
}

QCoro::Task<ColumnValueLists> pgEnumValues(drivers::Connection *connection, QString schema,
                                           QString table)
{
    // The column's own type, or a domain's base type, when it is an enum (typtype 'e'); an
    // array's type is the array's (typtype 'b'), so arrays of enums are left out.
    const QString sql = QStringLiteral(
        "SELECT a.attname, e.enumlabel "
        "FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
        "AND NOT a.attisdropped "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "JOIN pg_catalog.pg_enum e ON e.enumtypid = "
        "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
        "WHERE n.nspname = COALESCE(NULLIF($1, ''), current_schema()) AND c.relname = $2 "
        "ORDER BY a.attnum, e.enumsortorder");
    const QVariantList params{schema, table};
    const Result rows = co_await connection->execute(sql, params);
    ColumnValueLists lists;
    for (int r = 0; r < rows.rowCount(); ++r)
        lists[rows.text(r, 0)] << rows.text(r, 1);
    co_return lists;
}

QCoro::Task<ColumnValueLists> sqliteEnumValues(drivers::Connection *connection, QString schema,
                                               QString table)
{
    if (schema.isEmpty())
        schema = QStringLiteral("main");
    // The schema is SQL text in "<schema>".sqlite_schema: it must be one that exists.
    const QVariantList existsParams{schema};
    const Result found = co_await connection->execute(
        QStringLiteral("SELECT 1 FROM pragma_database_list WHERE name = ?1"), existsParams);
    if (found.rowCount() == 0)
        co_return ColumnValueLists{};
    const QString sql = QStringLiteral("SELECT m.sql, p.name FROM %1.sqlite_schema m "
                                       "JOIN pragma_table_info(m.name, ?1) p "
                                       "WHERE m.type = 'table' AND m.name = ?2 ORDER BY p.cid")
                            .arg(quoteIdentifier(schema));
    const QVariantList params{schema, table};
    const Result rows = co_await connection->execute(sql, params);
    if (rows.rowCount() == 0 || rows.isNull(0, 0))
        co_return ColumnValueLists{};
    QStringList columns;
    for (int r = 0; r < rows.rowCount(); ++r)
        columns << rows.text(r, 1);
    co_return sqliteCheckLists(rows.text(0, 0), columns);
}

} // namespace

ColumnValueLists sqliteCheckLists(const QString &createSql, const QStringList &columns)
{
    const std::optional<QList<Token>> tokens = tokenize(createSql);
    if (!tokens)
        return {};
    ColumnValueLists lists;
    QStringList unsure;
    for (qsizetype i = 0; i + 1 < tokens->size(); ++i) {
        if (!isKeyword((*tokens)[i], "CHECK") || !isSymbol((*tokens)[i + 1], '('))
            continue;
        // The tokens inside CHECK's balanced parentheses.
        int depth = 0;
        qsizetype end = i + 1;
        for (; end < tokens->size(); ++end) {
            if (isSymbol((*tokens)[end], '('))
                ++depth;
            else if (isSymbol((*tokens)[end], ')') && --depth == 0)
                break;
        }
        if (end >= tokens->size())
            return {}; // unbalanced: not SQL we understand
        const QList<Token> inside = tokens->mid(i + 2, end - i - 2);
        i = end;
        const auto list = inList(inside);
        if (!list)
            continue;
        QString column;
        for (const QString &name : columns)
            if (name.compare(list->first, Qt::CaseInsensitive) == 0)
                column = name;
        if (column.isEmpty())
            continue;
        if (lists.contains(column))
            unsure << column;
        lists.insert(column, list->second);
    }
    for (const QString &column : unsure)
        lists.remove(column);
    return lists;
}

QCoro::Task<ColumnValueLists> enumValues(Database *db, QString schema, QString table)
{
    // The lease lives in this frame, so the connection outlives every query; `db` may not.
    ConnectionLease lease = co_await db->acquire(QStringLiteral("enumValues"));
    drivers::Connection *connection = lease.get();
    if (dialectOf(connection->backend()) == Dialect::Postgres)
        co_return co_await pgEnumValues(connection, std::move(schema), std::move(table));
    co_return co_await sqliteEnumValues(connection, std::move(schema), std::move(table));
}

} // namespace orm::reflection
