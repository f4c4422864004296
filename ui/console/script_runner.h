#pragma once

// Running a console script on a ConsoleSession, statement by statement, with no widget: the
// script is split with the session's own scanner, each statement runs in turn, the run stops at
// the first error (or at a cancel), and every step is a signal for whoever shows it.
//
// A statement that returns rows gives a ResultStream whose first batch is read; the next
// statement reads up to kScriptRows more of it first and keeps that much (a PostgreSQL
// transaction must not see its statement cancelled). Manual transactions, autocommit and
// read-only mode are the session's: the runner runs in whatever the session is set to, so a
// transaction left open stays open for the next run.
//
//     ScriptRunner runner;
//     runner.setSession(session);
//     connect(&runner, &ScriptRunner::statementFailed, ...);
//     const bool ok = co_await runner.run(script);

#include "result_stream.h"

#include "orm/core/error.h"
#include "orm/session/console_session.h"
#include "orm/session/sql_splitter.h"

#include <QObject>
#include <QPointer>

namespace strata::ui {

class ScriptRunner : public QObject {
    Q_OBJECT

public:
    // Rows a script's earlier results keep when the next statement runs (the last one stays
    // open and loads as the reader scrolls).
    static constexpr qint64 kScriptRows = 100'000;

    explicit ScriptRunner(QObject *parent = nullptr);

    // The session runs use and cancel() stops; it may change between runs.
    void setSession(orm::ConsoleSession *session) { m_session = session; }
    orm::ConsoleSession *session() const { return m_session; }

    // Runs `script`, whose first character is at `offset` in the text it was taken from: error
    // positions (statementFailed) are indexes into that text. True when every statement ran.
    // An orm::Error of a statement ends the run with statementFailed; anything else (no
    // session) is thrown once the run has ended. False at once while another run is under way.
    QCoro::Task<bool> run(QString script, int offset = 0);
    // The same, awaiting `connect` first (opening the session): a cancel while it connects
    // stops the run before its first statement, and what it throws is thrown.
    QCoro::Task<bool> run(QCoro::Task<> connect, QString script, int offset);
    bool isRunning() const { return m_running; }

    // Stops the run: the running statement is cancelled on the server (it fails with
    // Error(Cancelled)) and no later statement starts.
    void cancel();
    bool isCancelled() const { return m_cancelled; }

    // An error that is the database refusing a change in read-only mode.
    static bool isReadOnlyRefusal(const orm::Error &error);
    // A statement that changes which tables and columns exist (completion reads them again).
    static bool changesCatalog(const QString &sql);

signals:
    // `index`: the statement's number in the script; `statement`: as split (its start is an
    // index into the script, not the text `offset` refers to).
    void nothingToRun();
    void statementStarted(int index, const orm::SqlStatement &statement);
    // A statement returning rows: its first batch is read (elapsedMs measures "first rows").
    void resultReady(int index, const orm::SqlStatement &statement,
                     const strata::ui::ResultStreamPtr &stream, qint64 elapsedMs);
    // A statement without rows ran; rowsAffected is -1 when the database says none.
    void statementDone(int index, const orm::SqlStatement &statement, qint64 rowsAffected,
                       qint64 elapsedMs);
    // The run stops here. `position`: where the error is in the text `offset` refers to (the
    // statement's start when the database gives no position), -1 unless an SQL error.
    // `transactionFailed`: the error aborted the open transaction (PostgreSQL).
    void statementFailed(int index, const orm::SqlStatement &statement, const orm::Error &error,
                         int position, qint64 elapsedMs, bool transactionFailed);
    // A cancel came before `statement` started: it and the rest are not run.
    void statementSkipped(int index, const orm::SqlStatement &statement);
    // The run ended (not when the runner went first): ok, or stopped by a cancel or an error.
    void finished(bool ok, bool cancelled);

private:
    QCoro::Task<bool> runStatements(orm::ConsoleSession *session, QString script, int offset);

    QPointer<orm::ConsoleSession> m_session;
    bool m_running = false;
    bool m_cancelled = false;
};

} // namespace strata::ui
