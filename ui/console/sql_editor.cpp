#include "sql_editor.h"

#include <Qsci/qscilexersql.h>

#include <QFontDatabase>
#include <QKeyEvent>

namespace strata::ui {

QStringList sqlKeywords(orm::Dialect dialect)
{
    QStringList words = {
        "SELECT",    "FROM",        "WHERE",    "GROUP",    "BY",        "ORDER",      "HAVING",
        "LIMIT",     "OFFSET",      "INSERT",   "INTO",     "VALUES",    "UPDATE",     "SET",
        "DELETE",    "CREATE",      "TABLE",    "VIEW",     "INDEX",     "DROP",       "ALTER",
        "ADD",       "COLUMN",      "PRIMARY",  "KEY",      "FOREIGN",   "REFERENCES", "UNIQUE",
        "NOT",       "NULL",        "DEFAULT",  "CHECK",    "AND",       "OR",         "IN",
        "IS",        "LIKE",        "BETWEEN",  "EXISTS",   "CASE",      "WHEN",       "THEN",
        "ELSE",      "END",         "AS",       "DISTINCT", "JOIN",      "INNER",      "LEFT",
        "RIGHT",     "FULL",        "OUTER",    "CROSS",    "ON",        "USING",      "UNION",
        "ALL",       "INTERSECT",   "EXCEPT",   "WITH",     "RECURSIVE", "BEGIN",      "COMMIT",
        "ROLLBACK",  "TRANSACTION", "EXPLAIN",  "ANALYZE",  "ASC",       "DESC",       "COUNT",
        "SUM",       "AVG",         "MIN",      "MAX",      "COALESCE",  "CAST",       "TRUE",
        "FALSE",     "RETURNING",   "CONFLICT", "DO",       "NOTHING",   "TRIGGER",    "OVER",
        "PARTITION", "WINDOW"};
    if (dialect == orm::Dialect::Postgres)
        words << QStringList{
            "ILIKE",        "SCHEMA",   "SEQUENCE", "FUNCTION",    "LANGUAGE",
            "RETURNS",      "GRANT",    "REVOKE",   "TRUNCATE",    "VACUUM",
            "MATERIALIZED", "LATERAL",  "SHOW",     "SEARCH_PATH", "GENERATE_SERIES",
            "NOW",          "INTERVAL", "JSONB",    "TIMESTAMPTZ", "SERIAL",
            "BIGSERIAL",    "TEXT",     "INTEGER",  "BIGINT",      "NUMERIC",
            "BOOLEAN",      "COPY",     "LISTEN",   "NOTIFY"};
    else
        words << QStringList{"PRAGMA",   "ATTACH",  "DETACH", "DATABASE",     "AUTOINCREMENT",
                             "GLOB",     "REPLACE", "ROWID",  "WITHOUT",      "STRICT",
                             "VACUUM",   "INTEGER", "TEXT",   "REAL",         "BLOB",
                             "NUMERIC",  "IFNULL",  "TYPEOF", "GROUP_CONCAT", "JSON_EXTRACT",
                             "STRFTIME", "DATETIME"};
    return words;
}

SqlEditor::SqlEditor(QWidget *parent)
    : QsciScintilla(parent)
    , m_lexer(new QsciLexerSQL(this))
{
    setObjectName(QStringLiteral("consoleEditor"));
    setUtf8(true);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_lexer->setDefaultFont(mono);
    m_lexer->setFoldComments(true);
    setLexer(m_lexer);
    setMarginsFont(mono);
    setMarginLineNumbers(0, true);
    setMarginWidth(0, QStringLiteral("0000"));
    setAutoIndent(true);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setAutoCompletionSource(QsciScintilla::AcsAll);
    setAutoCompletionThreshold(2);
    setAutoCompletionCaseSensitivity(false);
    setAutoCompletionReplaceWord(true);
    setAutoCompletionUseSingle(QsciScintilla::AcusNever);
    setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
    m_errorIndicator = indicatorDefine(QsciScintilla::SquiggleIndicator, m_errorIndicator);
    setIndicatorForegroundColor(QColor(Qt::red), m_errorIndicator);
    setDialect(m_dialect);
}

void SqlEditor::setDialect(orm::Dialect dialect)
{
    m_dialect = dialect;
    // PostgreSQL: # is an operator and $$ quotes; SQLite: backquoted names.
    m_lexer->setHashComments(false);
    m_lexer->setBackslashEscapes(dialect == orm::Dialect::Postgres);
    m_lexer->setQuotedIdentifiers(true);
    rebuildApis();
}

void SqlEditor::setCatalogNames(const QStringList &names)
{
    m_names = names;
    rebuildApis();
}

void SqlEditor::rebuildApis()
{
    m_words = sqlKeywords(m_dialect) + m_names;
    if (!m_apis) {
        m_apis = new WordListApis(m_lexer); // the lexer owns it
        m_lexer->setAPIs(m_apis);
    }
    m_apis->setWords(m_words);
}

SqlEditor::~SqlEditor() = default;

WordListApis::WordListApis(QsciLexer *lexer)
    : QsciAbstractAPIs(lexer)
{
}

void WordListApis::setWords(QStringList words)
{
    words.removeDuplicates();
    words.sort(Qt::CaseInsensitive);
    m_words = std::move(words);
}

void WordListApis::updateAutoCompletionList(const QStringList &context, QStringList &list)
{
    const QString prefix = context.isEmpty() ? QString() : context.last();
    for (const QString &word : std::as_const(m_words))
        if (word.startsWith(prefix, Qt::CaseInsensitive))
            list << word;
}

QStringList WordListApis::callTips(const QStringList &, int, QsciScintilla::CallTipsStyle,
                                   QList<int> &)
{
    return {};
}

long SqlEditor::bytePosition(int index) const
{
    return long(text().left(index).toUtf8().size());
}

int SqlEditor::indexOfBytePosition(long position) const
{
    const QByteArray utf8 = text().toUtf8();
    return int(QString::fromUtf8(utf8.left(position)).size());
}

int SqlEditor::cursorIndex() const
{
    return indexOfBytePosition(SendScintilla(SCI_GETCURRENTPOS));
}

std::pair<int, int> SqlEditor::selectionRange() const
{
    const long a = SendScintilla(SCI_GETSELECTIONSTART);
    const long b = SendScintilla(SCI_GETSELECTIONEND);
    return {indexOfBytePosition(a), indexOfBytePosition(b)};
}

void SqlEditor::setCursorIndex(int index)
{
    const long pos = bytePosition(index);
    SendScintilla(SCI_GOTOPOS, pos);
}

void SqlEditor::selectRange(int start, int end)
{
    SendScintilla(SCI_SETSEL, bytePosition(start), bytePosition(end));
}

void SqlEditor::markError(int index, const QString &message)
{
    clearError();
    if (index < 0)
        return;
    const QString all = text();
    index = std::clamp(index, 0, int(all.size()));
    int end = index;
    while (end < all.size() && !all.at(end).isSpace() && all.at(end) != QLatin1Char(';'))
        ++end;
    if (end == index)
        end = std::min(int(all.size()), index + 1);
    m_errorIndex = index;
    const long from = bytePosition(index);
    const long to = bytePosition(end);
    int line = 0, column = 0;
    lineIndexFromPosition(int(from), &line, &column);
    SendScintilla(SCI_SETINDICATORCURRENT, m_errorIndicator);
    SendScintilla(SCI_INDICATORFILLRANGE, from, to - from);
    annotate(line, message, 0);
    ensureLineVisible(line);
}

void SqlEditor::clearError()
{
    m_errorIndex = -1;
    SendScintilla(SCI_SETINDICATORCURRENT, m_errorIndicator);
    SendScintilla(SCI_INDICATORCLEARRANGE, 0, SendScintilla(SCI_GETLENGTH));
    clearAnnotations();
}

bool SqlEditor::isCompleteWordBeforeCursor() const
{
    const QString all = text();
    const int end = cursorIndex();
    int start = end;
    while (start > 0 && (all[start - 1].isLetterOrNumber() || all[start - 1] == QLatin1Char('_') ||
                         all[start - 1] == QLatin1Char('.')))
        --start;
    const QString word = all.mid(start, end - start);
    if (word.isEmpty())
        return false;
    for (const QString &known : m_words)
        if (known.compare(word, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

void SqlEditor::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        (event->modifiers() & Qt::ControlModifier)) {
        emit runStatementRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape && !isListActive()) {
        emit cancelRequested();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && isListActive() &&
        isCompleteWordBeforeCursor()) {
        // The name is typed in full: Enter is a new line, not the list's (which would only put
        // the same word back and swallow the key).
        cancelList();
    }
    QsciScintilla::keyPressEvent(event);
}

} // namespace strata::ui
