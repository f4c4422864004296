#pragma once

// The console's editor: QScintilla with SQL highlighting for the active dialect, completion of
// keywords and of the schema, table and column names the console's connection reports, and an
// error marker (a squiggle at the failing position plus an annotation with the message).

#include <Qsci/qsciabstractapis.h>
#include <Qsci/qsciscintilla.h>

#include <QHash>

#include "orm/query/sql_dialect.h"

class QsciLexerSQL;

namespace strata::ui {

// Completion words (keywords, schema/table/column names) for QScintilla, matched in place.
// QsciAPIs would prepare them on a thread of its own, which must not be deleted while it runs
// (the process aborts); a word list this size needs no thread.
// Qualified names ("schema.table", "table.column") are offered after their qualifier and a dot
// only: hundreds of tenants with the same tables offer each table once, not once per tenant.
class WordListApis : public QsciAbstractAPIs {
public:
    explicit WordListApis(QsciLexer *lexer);
    void setWords(QStringList words);
    void updateAutoCompletionList(const QStringList &context, QStringList &list) override;
    QStringList callTips(const QStringList &context, int commas, QsciScintilla::CallTipsStyle style,
                         QList<int> &shifts) override;

private:
    QStringList m_words;                     // unqualified, sorted
    QHash<QString, QStringList> m_qualified; // "schema" -> tables, "table" -> columns
};

class SqlEditor : public QsciScintilla {
    Q_OBJECT

public:
    explicit SqlEditor(QWidget *parent = nullptr);
    ~SqlEditor() override;

    void setDialect(orm::Dialect dialect);
    orm::Dialect dialect() const { return m_dialect; }
    // Names offered by completion: "schema", "table", "schema.table", "table.column".
    void setCatalogNames(const QStringList &names);
    QStringList completionWords() const { return m_words; }

    // The text as a QString and the cursor / selection as QString indexes into it.
    int cursorIndex() const;
    // [start, end) of the selection, or an empty range at the cursor.
    std::pair<int, int> selectionRange() const;
    void setCursorIndex(int index);
    void selectRange(int start, int end);

    // Marks the error at QString index `index` (the character the server names) with a squiggle
    // to the end of the word and `message` annotated under its line. -1: no error marked.
    void markError(int index, const QString &message);
    void clearError();
    int errorIndex() const { return m_errorIndex; }

    // The font of the text and the margins (Preferences); the default is the system's fixed font.
    void setEditorFont(const QFont &font);
    QsciLexerSQL *sqlLexer() const { return m_lexer; }

signals:
    void runStatementRequested(); // Ctrl+Enter
    void cancelRequested();       // Esc

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    // Whether the word the cursor ends is one completion offers, exactly (case aside).
    bool isCompleteWordBeforeCursor() const;
    long bytePosition(int index) const;
    int indexOfBytePosition(long position) const;
    void rebuildApis();
    // The highlighting colours, from the palette (and their dark variants on a dark one).
    void followPalette();

    orm::Dialect m_dialect = orm::Dialect::Postgres;
    QsciLexerSQL *m_lexer;
    class WordListApis *m_apis = nullptr;
    QStringList m_names;
    QStringList m_words;
    int m_errorIndex = -1;
    int m_errorIndicator = 8;
};

// Keywords offered for a dialect (upper case).
QStringList sqlKeywords(orm::Dialect dialect);

} // namespace strata::ui
