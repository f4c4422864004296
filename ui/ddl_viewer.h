#pragma once

// A table's or view's DDL (orm::reflection::tableDdl), read in the background and shown
// read-only in a window of its own, with Copy and Open in console. The text is a
// QPlainTextEdit in the editor's monospace font, not the console's QScintilla editor:
// strata_console links strata_ui, so strata_ui cannot use it.

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace orm {
class Database;
} // namespace orm

namespace strata::ui {

class DdlViewer : public QDialog {
    Q_OBJECT

public:
    // Starts reading at once; non-modal, deleted when closed. `shownName` names the database
    // in messages.
    DdlViewer(orm::Database *database, const QString &shownName, const QString &schema,
              const QString &table, QWidget *parent = nullptr);

    // The DDL once read (empty while reading or after a failure).
    QString ddl() const { return m_ddl; }
    bool isLoading() const { return m_loading; }
    // What the line above the text says: reading, the failure, or where the DDL comes from.
    QString statusText() const;
    QPlainTextEdit *text() const { return m_text; }
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *openInConsoleButton() const { return m_openInConsole; }

signals:
    // The user asked for the DDL in a console tab (to edit, not to run).
    void openInConsole(const QString &ddl);
    // Reading ended, with the DDL or an error.
    void finished(bool ok);

private:
    void showDdl(const QString &ddl);
    void showFailure(const QString &message);

    QString m_qualified;
    QString m_ddl;
    bool m_loading = true;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_openInConsole = nullptr;
};

} // namespace strata::ui
