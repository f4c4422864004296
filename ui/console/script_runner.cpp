#include "script_runner.h"

#include "ui/launch_task.h"

#include <QElapsedTimer>

namespace strata::ui {
namespace {

QCoro::Task<> connected()
{
    co_return;
}

} // namespace

ScriptRunner::ScriptRunner(QObject *parent)
    : QObject(parent)
{
}

bool ScriptRunner::isReadOnlyRefusal(const orm::Error &error)
{
    return error.sqlState() == QLatin1String("25006") ||
           error.sqlState().startsWith(QLatin1String("SQLITE_READONLY"));
}

bool ScriptRunner::changesCatalog(const QString &sql)
{
    const QString words = orm::leadingKeywords(sql);
    for (const char *verb : {"CREATE ", "ALTER ", "DROP ", "ATTACH ", "DETACH ", "IMPORT "})
        if (words.startsWith(QLatin1String(verb)))
            return true;
    return false;
}

QCoro::Task<bool> ScriptRunner::run(QString script, int offset)
{
    QCoro::Task<bool> running = run(connected(), std::move(script), offset);
    co_return co_await std::move(running);
}

QCoro::Task<bool> ScriptRunner::run(QCoro::Task<> connect, QString script, int offset)
{
    if (m_running)
        co_return false;
    QPointer<ScriptRunner> self(this);
    m_running = true;
    m_cancelled = false;
    bool ok = false;
    std::exception_ptr thrown;
    try {
        co_await std::move(connect);
        if (!self)
            co_return false;
        QCoro::Task<bool> statements = runStatements(m_session, std::move(script), offset);
        ok = co_await std::move(statements);
    } catch (...) {
        thrown = std::current_exception();
    }
    // Gone with its owner (a closed tab): nobody is left to tell.
    if (!self)
        co_return false;
    m_running = false;
    if (thrown)
        std::rethrow_exception(thrown);
    emit finished(ok, m_cancelled);
    co_return ok;
}

void ScriptRunner::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    if (m_session)
        launchTask(
            m_session, m_session->cancel(), [] {},
            [](const TaskFailure &failure) {
                qWarning("console: cancel failed: %s", qPrintable(failure.message));
            });
}

QCoro::Task<bool> ScriptRunner::runStatements(orm::ConsoleSession *target, QString script,
                                              int offset)
{
    QPointer<ScriptRunner> self(this);
    QPointer<orm::ConsoleSession> session = target;
    if (!session)
        throw orm::Error(orm::Error::Kind::Usage, tr("the console has no session"));
    // Off this (the GUI) thread: megabytes of script take a while to split.
    QCoro::Task<QList<orm::SqlStatement>> splitting =
        orm::splitSqlOffThread(std::move(script), session->dialect());
    const QList<orm::SqlStatement> statements = co_await std::move(splitting);
    if (!self || !session)
        co_return false;
    if (statements.isEmpty())
        emit nothingToRun();
    bool ok = true;
    ResultStreamPtr previous;
    for (int index = 0; index < statements.size(); ++index) {
        const orm::SqlStatement &statement = statements[index];
        if (m_cancelled) {
            emit statementSkipped(index, statement);
            ok = false;
            break;
        }
        if (previous && !previous->isFinished()) {
            co_await previous->ensure(kScriptRows);
            if (!self || !session)
                co_return false;
            if (!previous->isFinished())
                previous->truncate(tr("the next statement ran; the first %L1 rows are kept")
                                       .arg(previous->rowsRead()));
        }
        emit statementStarted(index, statement);
        QElapsedTimer timer;
        timer.start();
        try {
            const quint64 id = co_await session->start(statement.text, 2048);
            if (!self || !session)
                co_return false;
            const orm::Columns columns = session->columns();
            if (!columns.isEmpty()) {
                auto stream = std::make_shared<ResultStream>(session, id, columns);
                co_await stream->ensure(1); // the first batch: what "first rows" measures
                if (!self)
                    co_return false;
                if (stream->isTruncated() && !stream->failure().isEmpty() &&
                    stream->rowsRead() == 0)
                    throw orm::Error(orm::Error::Kind::Sql, stream->failure());
                previous = stream;
                emit resultReady(index, statement, stream, timer.elapsed());
            } else {
                // GCC 12 miscompiles `while (co_await ...)` once the loop turns (a resumption
                // of a dead frame): the result goes to a named variable.
                for (;;) {
                    const std::optional<orm::RowBatch> batch = co_await session->nextBatch(id);
                    if (!batch || !session)
                        break;
                }
                if (!self || !session)
                    co_return false;
                emit statementDone(index, statement, session->rowsAffected(), timer.elapsed());
            }
        } catch (const orm::Error &error) {
            if (!self)
                co_return false;
            ok = false;
            // Positions count from 1 within the statement; the editor wants the text's index.
            const int position =
                error.kind() != orm::Error::Kind::Sql
                    ? -1
                    : offset + statement.start + (error.position() > 0 ? error.position() - 1 : 0);
            emit statementFailed(index, statement, error, position, timer.elapsed(),
                                 session && session->isTransactionFailed());
            break;
        }
    }
    co_return ok;
}

} // namespace strata::ui
