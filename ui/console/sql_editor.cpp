#include "sql_editor.h"

#include "ui/theme.h"

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
    setDialect(m_dialect);
    followPalette();
}

void SqlEditor::setEditorFont(const QFont &font)
{
    m_lexer->setDefaultFont(font);
    m_lexer->setFont(font, -1);
    setMarginsFont(font);
    setMarginWidth(0, QStringLiteral("0000"));
}

void SqlEditor::changeEvent(QEvent *event)
{
    QsciScintilla::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        followPalette();
}

void SqlEditor::followPalette()
{
    const QPalette p = palette();
    const bool dark = isDark(p);
    const QColor text = p.color(QPalette::Text);
    const QColor base = p.color(QPalette::Base);
    // QsciLexerSQL's own colours (navy keywords, dark green comments) are for white paper only.
    m_lexer->setDefaultColor(text);
    m_lexer->setDefaultPaper(base);
    m_lexer->setColor(text, -1);
    m_lexer->setPaper(base, -1);
    const QColor keyword = toneColor(Tone::Accent, p);
    const QColor comment = dark ? QColor(0x8a, 0xb8, 0x7a) : QColor(0x3a, 0x6e, 0x2a);
    const QColor number = dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x00, 0x6e, 0x6e);
    const QColor string = dark ? QColor(0xe0, 0xa0, 0x7c) : QColor(0x8b, 0x1e, 0x6e);
    const QColor name = dark ? QColor(0xdc, 0xdc, 0xaa) : QColor(0x6b, 0x5a, 0x00);
    for (int style : {QsciLexerSQL::Keyword, QsciLexerSQL::PlusKeyword, QsciLexerSQL::KeywordSet5,
                      QsciLexerSQL::KeywordSet6, QsciLexerSQL::KeywordSet7,
                      QsciLexerSQL::KeywordSet8, QsciLexerSQL::CommentDocKeyword})
        m_lexer->setColor(keyword, style);
    for (int style : {QsciLexerSQL::Comment, QsciLexerSQL::CommentLine, QsciLexerSQL::CommentDoc,
                      QsciLexerSQL::PlusComment, QsciLexerSQL::CommentLineHash})
        m_lexer->setColor(comment, style);
    m_lexer->setColor(number, QsciLexerSQL::Number);
    for (int style : {QsciLexerSQL::SingleQuotedString, QsciLexerSQL::DoubleQuotedString})
        m_lexer->setColor(string, style);
    for (int style : {QsciLexerSQL::QuotedIdentifier, QsciLexerSQL::QuotedOperator})
        m_lexer->setColor(name, style);
    setCaretForegroundColor(text);
    setMarginsBackgroundColor(p.color(QPalette::Window));
    setMarginsForegroundColor(p.color(QPalette::WindowText));
    setSelectionBackgroundColor(p.color(QPalette::Highlight));
    setSelectionForegroundColor(p.color(QPalette::HighlightedText));
    setMatchedBraceBackgroundColor(p.color(QPalette::AlternateBase));
    setMatchedBraceForegroundColor(keyword);
    setIndicatorForegroundColor(toneColor(Tone::Error, p), m_errorIndicator);
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
    m_words.clear();
    m_qualified.clear();
    for (QString &word : words) {
        const qsizetype dot = word.indexOf(QLatin1Char('.'));
        if (dot > 0 && dot < word.size() - 1)
            m_qualified[word.left(dot).toCaseFolded()] << word.mid(dot + 1);
        else
            m_words << std::move(word);
    }
}

void WordListApis::updateAutoCompletionList(const QStringList &context, QStringList &list)
{
    const QString prefix = context.isEmpty() ? QString() : context.last();
    // After "qualifier.": what that schema or table holds.
    if (context.size() >= 2) {
        const auto names = m_qualified.constFind(context[context.size() - 2].toCaseFolded());
        if (names != m_qualified.cend()) {
            for (const QString &name : *names)
                if (name.startsWith(prefix, Qt::CaseInsensitive))
                    list << name;
            return;
        }
    }
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
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        autoCompleteFromAll(); // the list at once, before the two letters that open it
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
