#pragma once

// One console tab: an SQL editor over its own connection of the active database (a
// ConsoleSession, opened on the first run and held for the tab's life), the run / cancel /
// transaction / read-only controls, and the results: a Messages tab (elapsed times, rows
// affected, errors with SQLSTATE) and a result tab per statement that returns rows. A
// ScriptRunner runs the scripts; the tab shows what it signals.

#include "console_history.h"
#include "orm/session/console_session.h"
#include "orm/session/sql_splitter.h"
#include "script_runner.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QMessageBox;
class QPlainTextEdit;
class QTabWidget;
class QToolBar;

namespace orm {
class Database;
}

namespace strata::ui {

class ResultView;
class SqlEditor;

class ConsoleTab : public QWidget {
    Q_OBJECT

public:
    // Rows a script's earlier results keep when the next statement runs (the last one stays
    // open and loads as the reader scrolls).
    static constexpr qint64 kScriptRows = ScriptRunner::kScriptRows;

    explicit ConsoleTab(QWidget *parent = nullptr);
    ~ConsoleTab() override;

    // The database and schema the next run uses; a change re-opens the tab's connection.
    void setTarget(orm::Database *database, const QString &schema);
    orm::Database *database() const { return m_database; }
    QString schema() const { return m_schemaName; }
    orm::ConsoleSession *session() const { return m_session; }

    SqlEditor *editor() const { return m_editor; }
    // What the tab's toolbar names as where it runs ("pagila · tenant_7"), and the elapsed time
    // of the statement running (empty when none runs).
    void setTargetName(const QString &name);
    QLabel *targetLabel() const { return m_target; }
    QLabel *elapsedLabel() const { return m_elapsed; }
    QString text() const;
    void setText(const QString &text);
    // Puts `sql` at the cursor (over the selection) as one undoable edit, on a line of its own,
    // and focuses the editor; nothing runs.
    void insertStatement(const QString &sql);

    // Run all, the selection (all when nothing is selected), the statement under the cursor.
    void runAll();
    void runSelection();
    void runStatement();
    void cancel();
    // Runs `sql` as if it were the editor's text starting at `offset` (error positions map back).
    QCoro::Task<bool> run(QString sql, int offset);
    bool isRunning() const { return m_running; }

    // Turning manual transactions off while a transaction is open (or failed) asks first:
    // Commit, Roll back (the only way out of a failed one) or Cancel, which keeps manual mode.
    void setManualTransactions(bool manual);
    // On PostgreSQL, read-only on applies to the open transaction too; off, once the
    // transaction has run a query, from the next one (the Messages tab says which).
    void setReadOnly(bool readOnly);
    void commit();
    void rollback();

    // Results of the last run.
    int resultCount() const;
    ResultView *result(int index) const;
    QTabWidget *resultTabs() const { return m_results; }
    QString messages() const;
    QString lastError() const { return m_lastError; }
    QString lastErrorState() const { return m_lastState; }
    ConsoleHistory *history() const { return m_history.get(); }

signals:
    // A run ended: its results are on screen (the last result's first rows, or the error).
    void runFinished(bool ok);
    void textChanged();
    void historyChanged();

private:
    QCoro::Task<> ensureSession();
    void launchRun(const QString &sql, int offset);
    QCoro::Task<> loadCompletion();
    // Session settings started from the controls: they show their outcome when it comes.
    void applyReadOnly(bool readOnly);
    // A database that takes no changes (a replica, a read-only file) makes the console
    // read-only, and Read-only cannot be turned off while it is the target.
    void followDatabaseReadOnly();
    void finishTransaction(bool commit);
    // Asks how to end the open transaction before autocommit (Cancel keeps manual mode).
    void askToLeaveManualMode();
    void leaveManualMode(orm::ConsoleSession::TransactionEnd end);
    void afterLeavingManualMode(const QPointer<orm::ConsoleSession> &session);
    // The runner's steps, on screen and in the history.
    void connectRunner();
    void showResult(int index, const orm::SqlStatement &statement, const ResultStreamPtr &stream,
                    qint64 elapsedMs);
    void showDone(int index, const orm::SqlStatement &statement, qint64 rowsAffected,
                  qint64 elapsedMs);
    void showFailure(int index, const orm::SqlStatement &statement, const orm::Error &error,
                     int position, qint64 elapsedMs, bool transactionFailed);
    HistoryEntry historyEntry(const orm::SqlStatement &statement, qint64 elapsedMs) const;
    void appendHistory(const HistoryEntry &entry);
    void log(const QString &line);
    void clearResults();
    void updateState();

    orm::Database *m_database = nullptr;
    QString m_schemaName;
    orm::ConsoleSession *m_session = nullptr;
    bool m_catalogStale = false; // DDL ran since completion last read the names
    bool m_sessionStale = true;
    bool m_databaseReadOnly = false;
    bool m_readOnlyBeforeLock = false; // the user's choice, back once the target takes changes
    std::unique_ptr<ConsoleHistory> m_history;
    SqlEditor *m_editor;
    QTabWidget *m_results;
    QPlainTextEdit *m_messages;
    QToolBar *m_toolbar;
    QAction *m_runAll;
    QAction *m_runSelection;
    QAction *m_runStatement;
    QAction *m_cancel;
    QAction *m_manual;
    QAction *m_commit;
    QAction *m_rollback;
    QAction *m_readOnly;
    QLabel *m_state;
    QLabel *m_target;
    QLabel *m_elapsed;
    class QTimer *m_elapsedTick;
    QElapsedTimer m_runClock;
    QPointer<QMessageBox> m_endTransactionBox; // the question before autocommit, while open
    ScriptRunner *m_runner;
    bool m_running = false;
    // The run under way: its results so far, and whether the last one is still being read.
    QDateTime m_statementTime;
    QPointer<ResultView> m_lastView;
    int m_resultNumber = 0;
    bool m_streamOpen = false;
    QString m_lastError;
    QString m_lastState;
};

} // namespace strata::ui
