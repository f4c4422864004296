#include "console_tab.h"
#include "ui/theme.h"

#include "result_view.h"
#include "sql_editor.h"

#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/schema/catalog_words.h"
#include "orm/session/sql_splitter.h"
#include "ui/launch_task.h"

#include <QAction>
#include <QCoreApplication>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabWidget>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace strata::ui {
namespace {

// Closes a session nothing holds any more, then deletes it a moment later: waiters that the
// close woke (a completion query, a stream's next batch) resume first and find it closed.
void retireSession(orm::ConsoleSession *session)
{
    // Owned by the application meanwhile: one still closing when the application ends (the
    // last tab of a test, a quit) is freed with it rather than leaked.
    session->setParent(QCoreApplication::instance());
    const auto deleteSoon = [session = QPointer<orm::ConsoleSession>(session)] {
        QTimer::singleShot(2000, session, [session] { delete session.data(); });
    };
    launchTask(session, session->close(), deleteSoon,
               [deleteSoon](const TaskFailure &) { deleteSoon(); });
}

// Commit (true: committed, false: the server rolled a failed transaction back) or rollback.
QCoro::Task<bool> endTransaction(QPointer<orm::ConsoleSession> session, bool commit)
{
    if (commit)
        co_return co_await session->commit();
    co_await session->rollback();
    co_return true;
}

} // namespace

ConsoleTab::ConsoleTab(QWidget *parent)
    : QWidget(parent)
    , m_editor(new SqlEditor)
    , m_results(new QTabWidget)
    , m_messages(new QPlainTextEdit)
    , m_toolbar(new QToolBar)
    , m_state(new QLabel)
    , m_target(new QLabel)
    , m_elapsed(new QLabel)
    , m_elapsedTick(new QTimer(this))
    , m_runner(new ScriptRunner(this))
{
    setObjectName(QStringLiteral("consoleTab"));
    m_messages->setObjectName(QStringLiteral("consoleMessages"));
    m_messages->setReadOnly(true);
    m_results->setObjectName(QStringLiteral("consoleResults"));
    m_results->addTab(m_messages, tr("Messages"));
    m_state->setObjectName(QStringLiteral("transactionState"));
    m_target->setObjectName(QStringLiteral("consoleTarget"));
    m_elapsed->setObjectName(QStringLiteral("consoleElapsed"));
    m_elapsedTick->setInterval(100);
    connect(m_elapsedTick, &QTimer::timeout, this, [this] {
        m_elapsed->setText(
            tr("  running %1 s").arg(QLocale().toString(m_runClock.elapsed() / 1000.0, 'f', 1)));
    });

    m_runAll = m_toolbar->addAction(tr("Run all"), this, &ConsoleTab::runAll);
    m_runAll->setShortcut(QKeySequence(Qt::Key_F5));
    m_runSelection = m_toolbar->addAction(tr("Run selection"), this, &ConsoleTab::runSelection);
    m_runSelection->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    m_runStatement = m_toolbar->addAction(tr("Run statement"), this, &ConsoleTab::runStatement);
    m_runStatement->setToolTip(tr("Run the statement under the cursor (Ctrl+Enter)"));
    m_cancel = m_toolbar->addAction(tr("Cancel"), this, &ConsoleTab::cancel);
    m_cancel->setToolTip(tr("Stop the running statement on the server (Esc)"));
    m_toolbar->addSeparator();
    m_manual = m_toolbar->addAction(tr("Manual transaction"));
    m_manual->setObjectName(QStringLiteral("manualTransactionAction"));
    m_manual->setCheckable(true);
    m_manual->setToolTip(tr("Off: every statement commits on its own (autocommit)"));
    connect(m_manual, &QAction::toggled, this, &ConsoleTab::setManualTransactions);
    m_commit = m_toolbar->addAction(tr("Commit"), this, &ConsoleTab::commit);
    m_commit->setObjectName(QStringLiteral("commitAction"));
    m_rollback = m_toolbar->addAction(tr("Rollback"), this, &ConsoleTab::rollback);
    m_rollback->setObjectName(QStringLiteral("rollbackAction"));
    m_readOnly = m_toolbar->addAction(tr("Read-only"));
    m_readOnly->setObjectName(QStringLiteral("readOnlyAction"));
    m_readOnly->setCheckable(true);
    m_readOnly->setToolTip(tr("Refuse every change to the database on this console"));
    connect(m_readOnly, &QAction::toggled, this, &ConsoleTab::setReadOnly);
    m_toolbar->addWidget(m_state);
    m_toolbar->addWidget(m_elapsed);
    auto *spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolbar->addWidget(spacer);
    m_toolbar->addWidget(m_target);
    for (QAction *action : m_toolbar->actions())
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addActions(m_toolbar->actions());

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setObjectName(QStringLiteral("consoleSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_editor);
    splitter->addWidget(m_results);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    // Room for a few lines of SQL however small the dock starts.
    m_editor->setMinimumHeight(m_editor->fontMetrics().lineSpacing() * 4);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolbar);
    layout->addWidget(splitter, 1);

    connect(m_editor, &SqlEditor::runStatementRequested, this, &ConsoleTab::runStatement);
    connect(m_editor, &SqlEditor::cancelRequested, this, &ConsoleTab::cancel);
    connect(m_editor, &QsciScintilla::textChanged, this, &ConsoleTab::textChanged);
    connectRunner();
    updateState();
}

ConsoleTab::~ConsoleTab()
{
    if (m_endTransactionBox) {
        // Unanswered: it must not answer into a tab half destroyed.
        m_endTransactionBox->disconnect(this);
        delete m_endTransactionBox;
    }
    if (!m_session)
        return;
    if (!m_session->isBusy()) {
        // Nothing awaits it: freeing it closes its connection now, which also holds when the
        // application is quitting and no event loop will run a deferred close.
        delete m_session;
        return;
    }
    // A statement still runs: the connection closes once nothing runs on it any more.
    m_session->setParent(nullptr);
    retireSession(m_session);
}

void ConsoleTab::setTarget(orm::Database *database, const QString &schema)
{
    if (database == m_database && schema == m_schemaName)
        return;
    if (database != m_database) {
        if (m_session) {
            m_session->setParent(nullptr);
            retireSession(m_session);
            m_session = nullptr;
            m_runner->setSession(nullptr);
        }
        m_history = database ? std::make_unique<ConsoleHistory>(database->displayUrl()) : nullptr;
        if (database)
            m_editor->setDialect(orm::dialectOf(database->url().backend()));
        emit historyChanged();
    }
    m_database = database;
    m_schemaName = schema;
    m_sessionStale = true;
    followDatabaseReadOnly();
    updateState();
}

void ConsoleTab::setTargetName(const QString &name)
{
    m_target->setText(m_schemaName.isEmpty() ? tr("on %1  ").arg(name)
                                             : tr("on %1 · %2  ").arg(name, m_schemaName));
    m_target->setToolTip(m_database ? tr("Statements run on %1").arg(m_database->displayUrl())
                                    : QString());
}

void ConsoleTab::followDatabaseReadOnly()
{
    const bool locked = m_database && m_database->isReadOnly();
    if (locked == m_databaseReadOnly)
        return;
    m_databaseReadOnly = locked;
    if (locked) {
        m_readOnlyBeforeLock = m_readOnly->isChecked();
        m_readOnly->setChecked(true);
        log(tr("The database takes no changes (a hot standby, a read-only file, or a server that "
               "makes its sessions read-only): this console is read-only"));
    } else {
        m_readOnly->setChecked(m_readOnlyBeforeLock);
    }
    m_readOnly->setEnabled(!locked);
    m_readOnly->setToolTip(locked ? tr("The database takes no changes: the console is read-only")
                                  : tr("Refuse every change to the database on this console"));
}

QString ConsoleTab::text() const
{
    return m_editor->text();
}
void ConsoleTab::setText(const QString &text)
{
    m_editor->setText(text);
}

void ConsoleTab::insertStatement(const QString &sql)
{
    const QString all = m_editor->text();
    const auto [start, end] = m_editor->selectionRange();
    QString text = sql;
    // Its own line: typed into the middle of another statement it would make neither run.
    if (start > 0 && all[start - 1] != QLatin1Char('\n'))
        text.prepend(QLatin1Char('\n'));
    if (end < all.size() && all[end] != QLatin1Char('\n'))
        text.append(QLatin1Char('\n'));
    m_editor->beginUndoAction();
    m_editor->replaceSelectedText(text); // at the cursor when nothing is selected; undoable
    m_editor->endUndoAction();
    m_editor->setFocus();
}

void ConsoleTab::runAll()
{
    launchRun(text(), 0);
}

void ConsoleTab::launchRun(const QString &sql, int offset)
{
    // run() reports every failure itself, on the Messages tab.
    launchTask(
        this, run(sql, offset), [](bool) {}, [](const TaskFailure &) {});
}

// The names completion offers, read on the tab's own connection (its search_path and
// attachments decide what it sees). Its queries go between the user's statements and never end
// a result still being read: they give up then, and a later run reads the names again.
QCoro::Task<> ConsoleTab::loadCompletion()
{
    if (!m_session)
        co_return;
    QPointer<ConsoleTab> self(this);
    QPointer<orm::ConsoleSession> session = m_session;
    orm::reflection::CatalogQuery query = [session, self](QString sql, QVariantList params) {
        if (!session || !self)
            throw orm::Error(orm::Error::Kind::Cancelled, QStringLiteral("the console is gone"));
        return session->executeAside(std::move(sql), std::move(params));
    };
    try {
        const QStringList names =
            co_await orm::reflection::completionWords(session->dialect(), std::move(query));
        if (self)
            m_editor->setCatalogNames(names);
    } catch (const orm::Error &error) {
        if (!self || !session)
            co_return; // the tab let its connection go: nothing to read any more
        if (error.kind() == orm::Error::Kind::Usage && m_session == session)
            m_catalogStale = true; // a result is being read: the next run tries again
        else
            qWarning("console: could not read names for completion: %s",
                     qPrintable(error.toString()));
    }
}

void ConsoleTab::runSelection()
{
    const auto [start, end] = m_editor->selectionRange();
    if (end <= start) {
        runAll();
        return;
    }
    launchRun(text().mid(start, end - start), start);
}

void ConsoleTab::runStatement()
{
    const QString all = text();
    const orm::Dialect dialect =
        m_database ? orm::dialectOf(m_database->url().backend()) : m_editor->dialect();
    // Split off this thread (a large script takes a while); the cursor is where it was now.
    const int cursor = m_editor->cursorIndex();
    launchTask(
        this, orm::splitSqlOffThread(all, dialect),
        [this, cursor](const QList<orm::SqlStatement> &statements) {
            const int i = orm::statementAt(statements, cursor);
            if (i >= 0)
                launchRun(statements[i].text, statements[i].start);
        },
        [this](const TaskFailure &failure) { log(tr("Cannot run: %1").arg(failure.message)); });
}

void ConsoleTab::cancel()
{
    if (!m_running)
        return;
    log(tr("Cancelling…"));
    m_runner->cancel();
}

void ConsoleTab::setManualTransactions(bool manual)
{
    if (m_manual->isChecked() != manual) {
        m_manual->setChecked(manual); // comes back here through toggled
        return;
    }
    if (!manual && m_session && m_session->isTransactionOpen()) {
        // Autocommit would leave the transaction open with nothing to end it: ask first, with
        // manual mode shown until the answer.
        {
            const QSignalBlocker blocker(m_manual);
            m_manual->setChecked(true);
        }
        askToLeaveManualMode();
        return;
    }
    if (m_session)
        m_session->setAutocommit(!manual);
    updateState();
}

void ConsoleTab::askToLeaveManualMode()
{
    if (m_endTransactionBox)
        return; // already asking
    const bool failed = m_session->isTransactionFailed();
    // Window-modal and answered through `finished`: no nested event loop, and the tab may go
    // while the question is open (the box goes with it).
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("endTransactionBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Question);
    box->setWindowTitle(tr("Switch to autocommit"));
    if (failed) {
        box->setText(tr("The open transaction failed: an error aborted it, so it can only be "
                        "rolled back. Roll it back and switch to autocommit?"));
        box->setInformativeText(tr("The server refuses every statement in a failed transaction "
                                   "and answers a commit with a rollback. Cancel keeps manual "
                                   "transactions and the transaction as it is."));
    } else {
        box->setText(tr("A transaction is open on this console. Commit it or roll it back, then "
                        "switch to autocommit?"));
        box->setInformativeText(tr("Cancel keeps manual transactions and the transaction open."));
    }
    QPushButton *commit = nullptr;
    if (!failed) {
        commit = box->addButton(tr("Commit"), QMessageBox::AcceptRole);
        commit->setObjectName(QStringLiteral("commitTransactionButton"));
    }
    QPushButton *rollback = box->addButton(tr("Roll back"), QMessageBox::DestructiveRole);
    rollback->setObjectName(QStringLiteral("rollbackTransactionButton"));
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelSwitchButton"));
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    connect(box, &QMessageBox::finished, this, [this, box, commit, rollback] {
        QAbstractButton *clicked = box->clickedButton();
        if (clicked != commit && clicked != rollback) {
            log(tr("Manual transaction stays on: the transaction is still open"));
            updateState();
            return;
        }
        {
            const QSignalBlocker blocker(m_manual);
            m_manual->setChecked(false);
        }
        updateState();
        leaveManualMode(clicked == commit ? orm::ConsoleSession::TransactionEnd::Commit
                                          : orm::ConsoleSession::TransactionEnd::Rollback);
    });
    m_endTransactionBox = box;
    box->open();
}

void ConsoleTab::leaveManualMode(orm::ConsoleSession::TransactionEnd end)
{
    QPointer<orm::ConsoleSession> session = m_session;
    if (!session)
        return;
    const bool commit = end == orm::ConsoleSession::TransactionEnd::Commit;
    // Only the session's own errors are shown; anything else ends the switch unseen.
    launchTask(
        this, session->switchToAutocommit(end),
        [this, session, commit](bool asked) {
            log(!commit ? tr("Rolled back; autocommit is on")
                : asked ? tr("Committed; autocommit is on")
                        : tr("Rolled back: the transaction had failed, so the server rolled it "
                             "back instead of committing; autocommit is on"));
            afterLeavingManualMode(session);
        },
        [this, session](const TaskFailure &failure) {
            if (!failure.error)
                return;
            log(failure.message);
            afterLeavingManualMode(session);
        });
}

void ConsoleTab::afterLeavingManualMode(const QPointer<orm::ConsoleSession> &session)
{
    if (session && session == m_session) {
        if (!session->isAutocommit()) {
            // The end failed and left the transaction open: it still waits for its end.
            log(tr("The transaction is still open: manual transaction stays on"));
            const QSignalBlocker blocker(m_manual);
            m_manual->setChecked(true);
        } else if (m_manual->isChecked()) {
            session->setAutocommit(false); // turned on again meanwhile
        }
    }
    updateState();
}

void ConsoleTab::applyReadOnly(bool readOnly)
{
    using Effect = orm::ConsoleSession::ReadOnlyEffect;
    const QString on = tr("Read-only: changes are refused on this console");
    if (!m_session) {
        log(readOnly ? on : tr("Read-only off"));
        return;
    }
    const bool inTransaction = m_session->isTransactionOpen();
    launchTask(
        this, m_session->setReadOnly(readOnly),
        [this, readOnly, inTransaction, on](Effect effect) {
            if (effect == Effect::Now)
                log(readOnly ? (inTransaction ? tr("%1, in the open transaction too").arg(on) : on)
                             : tr("Read-only off"));
            else if (readOnly)
                log(tr("Read-only from the next transaction: the open transaction failed and "
                       "takes no settings (it refuses every change anyway); roll it back"));
            else
                log(tr("Read-only off from the next transaction: the open transaction has run a "
                       "query, and PostgreSQL keeps it read-only to its end. Commit or roll back "
                       "to change data."));
            updateState();
        },
        [this](const TaskFailure &failure) {
            if (!failure.error)
                return;
            log(tr("Read-only: %1").arg(failure.message));
            updateState();
        });
}

void ConsoleTab::setReadOnly(bool readOnly)
{
    if (m_readOnly->isChecked() != readOnly) {
        m_readOnly->setChecked(readOnly);
        return;
    }
    applyReadOnly(readOnly);
    updateState();
}

void ConsoleTab::finishTransaction(bool commit)
{
    if (!m_session)
        return;
    launchTask(
        this, endTransaction(m_session, commit),
        [this, commit](bool committed) {
            log(!commit     ? tr("Rolled back")
                : committed ? tr("Committed")
                            : tr("Rolled back: the transaction had failed, so the server rolled "
                                 "it back instead of committing"));
            updateState();
        },
        [this](const TaskFailure &failure) {
            if (!failure.error)
                return;
            log(failure.message);
            updateState();
        });
}

void ConsoleTab::commit()
{
    finishTransaction(true);
}
void ConsoleTab::rollback()
{
    finishTransaction(false);
}

int ConsoleTab::resultCount() const
{
    return m_results->count() - 1;
}

ResultView *ConsoleTab::result(int index) const
{
    return qobject_cast<ResultView *>(m_results->widget(index + 1));
}

QString ConsoleTab::messages() const
{
    return m_messages->toPlainText();
}

void ConsoleTab::log(const QString &line)
{
    m_messages->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void ConsoleTab::clearResults()
{
    while (m_results->count() > 1) {
        QWidget *w = m_results->widget(1);
        m_results->removeTab(1);
        w->deleteLater();
    }
}

void ConsoleTab::updateState()
{
    using State = orm::ConsoleSession::TransactionState;
    const State transaction = m_session ? m_session->transactionState() : State::None;
    const bool open = transaction != State::None;
    const bool failed = transaction == State::Failed;
    const bool manual = m_manual->isChecked();
    m_commit->setEnabled(open && !m_running);
    m_rollback->setEnabled(open && !m_running);
    // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK: say so before the click.
    m_commit->setText(failed ? tr("Commit (rolls back)") : tr("Commit"));
    m_commit->setToolTip(failed ? tr("The transaction failed: committing it rolls it back, as "
                                     "the server turns COMMIT into ROLLBACK; nothing is saved")
                                : tr("Commit the open transaction"));
    m_rollback->setToolTip(failed ? tr("Roll back the failed transaction; statements run again "
                                       "after it")
                                  : tr("Roll back the open transaction"));
    m_cancel->setEnabled(m_running);
    if (m_running && !m_elapsedTick->isActive()) {
        m_runClock.start();
        m_elapsed->setText(tr("  running…"));
        m_elapsedTick->start();
    } else if (!m_running && m_elapsedTick->isActive()) {
        m_elapsedTick->stop();
        m_elapsed->clear();
    }
    m_runAll->setEnabled(!m_running);
    m_runSelection->setEnabled(!m_running);
    m_runStatement->setEnabled(!m_running);
    QString state = failed   ? tr("✖ transaction failed — roll back")
                    : open   ? tr("● transaction open")
                    : manual ? tr("manual")
                             : tr("autocommit");
    if (m_readOnly->isChecked())
        state += tr(", read-only");
    m_state->setText(QStringLiteral("  ") + state);
    m_state->setToolTip(failed ? tr("An error aborted the transaction: the server refuses every "
                                    "statement until it ends. Roll back to go on (Commit rolls "
                                    "back too).")
                        : open ? tr("A transaction is open: Commit or Roll back to end it")
                               : QString());
    m_state->setStyleSheet(failed ? toneStyleSheet(Tone::Error, palette(), true)
                           : open ? toneStyleSheet(Tone::Warning, palette(), true)
                                  : QString());
}

QCoro::Task<> ConsoleTab::ensureSession()
{
    if (!m_database)
        throw orm::Error(orm::Error::Kind::Usage, tr("no database is active"));
    if (m_session && !m_sessionStale && m_session->isOpen())
        co_return;
    QPointer<ConsoleTab> self(this);
    if (!m_session) {
        m_session = new orm::ConsoleSession(m_database, this);
        m_runner->setSession(m_session);
        connect(m_session, &orm::ConsoleSession::transactionStateChanged, this,
                &ConsoleTab::updateState);
        connect(m_session, &orm::ConsoleSession::sessionReset, this,
                [this](const QString &message) { log(message); });
        // RAISE NOTICE and the server's warnings, as psql shows them ("NOTICE:  ...").
        connect(m_session, &orm::ConsoleSession::noticeReceived, this,
                [this](const QString &severity, const QString &text) {
                    log(severity + QStringLiteral(":  ") + text);
                });
    }
    QPointer<orm::ConsoleSession> session = m_session;
    followDatabaseReadOnly(); // it may have connected, or failed over, since the tab was aimed
    session->setAutocommit(!m_manual->isChecked());
    co_await session->setReadOnly(m_readOnly->isChecked());
    if (session->isTransactionOpen())
        log(tr("The open transaction is rolled back: the console reconnects"));
    co_await session->open(m_schemaName);
    if (!self || !session)
        co_return;
    m_sessionStale = false;
    m_editor->setDialect(session->dialect());
    log(tr("Connected to %1%2")
            .arg(session->displayUrl(),
                 m_schemaName.isEmpty() ? QString() : tr(", schema %1").arg(m_schemaName)));
    co_await loadCompletion(); // before the first statement, whose result it must not end
}

QCoro::Task<bool> ConsoleTab::run(QString sql, int offset)
{
    if (m_running)
        co_return false;
    QPointer<ConsoleTab> self(this);
    m_running = true;
    m_lastError.clear();
    m_lastState.clear();
    clearResults();
    m_editor->clearError();
    updateState();
    m_streamOpen = false;
    m_lastView = nullptr;
    m_resultNumber = 0;
    bool ok = false;
    try {
        QCoro::Task<bool> running = m_runner->run(ensureSession(), std::move(sql), offset);
        ok = co_await std::move(running);
    } catch (const orm::Error &error) {
        if (!self)
            co_return false;
        m_lastError = error.message();
        log(tr("Cannot run: %1").arg(error.toString()));
    } catch (const std::exception &error) {
        if (!self)
            co_return false;
        m_lastError = QString::fromUtf8(error.what());
        log(tr("Cannot run: %1").arg(m_lastError));
    }
    if (!self)
        co_return ok;
    m_running = false;
    updateState();
    // Not while a result is still being read: the catalog query would end its stream (a later
    // run does it then).
    if (m_catalogStale && !m_streamOpen && m_session) {
        m_catalogStale = false;
        launchTask(
            this, loadCompletion(), [] {}, [](const TaskFailure &) {});
    }
    const QPointer<ResultView> lastView = m_lastView;
    if (!ok || !lastView)
        m_results->setCurrentWidget(m_messages);
    else
        m_results->setCurrentWidget(lastView);
    if (ok && lastView && !lastView->isShown())
        connect(
            lastView, &ResultView::shown, this, [this] { emit runFinished(true); },
            Qt::SingleShotConnection);
    else
        emit runFinished(ok);
    co_return ok;
}

void ConsoleTab::connectRunner()
{
    connect(m_runner, &ScriptRunner::nothingToRun, this, [this] { log(tr("Nothing to run")); });
    connect(m_runner, &ScriptRunner::statementSkipped, this,
            [this](int, const orm::SqlStatement &statement) {
                log(tr("Cancelled before: %1").arg(statement.text.left(60).simplified()));
            });
    connect(
        m_runner, &ScriptRunner::statementStarted, this,
        [this](int, const orm::SqlStatement &) { m_statementTime = QDateTime::currentDateTime(); });
    connect(m_runner, &ScriptRunner::resultReady, this, &ConsoleTab::showResult);
    connect(m_runner, &ScriptRunner::statementDone, this, &ConsoleTab::showDone);
    connect(m_runner, &ScriptRunner::statementFailed, this, &ConsoleTab::showFailure);
}

void ConsoleTab::showResult(int, const orm::SqlStatement &statement, const ResultStreamPtr &stream,
                            qint64 elapsedMs)
{
    auto *view = new ResultView(stream);
    ++m_resultNumber;
    m_results->addTab(view, tr("Result %1").arg(m_resultNumber));
    m_results->setTabToolTip(m_results->count() - 1, statement.text.left(200));
    m_lastView = view;
    m_streamOpen = !stream->isFinished();
    // One arg() with every value: chained ones would read a "%1" in the statement as theirs.
    log(tr("Result %1: %2 — first rows in %3 ms")
            .arg(QString::number(m_resultNumber), statement.text.left(80).simplified(),
                 QLocale().toString(elapsedMs)));
    HistoryEntry entry = historyEntry(statement, elapsedMs);
    entry.rows = stream->isFinished() ? stream->rowsRead() : -1;
    appendHistory(entry);
}

void ConsoleTab::showDone(int, const orm::SqlStatement &statement, qint64 rowsAffected,
                          qint64 elapsedMs)
{
    m_streamOpen = false;
    m_catalogStale = m_catalogStale || ScriptRunner::changesCatalog(statement.text);
    log(tr("%1 — %2, %3 ms")
            .arg(statement.text.left(80).simplified(),
                 rowsAffected >= 0 ? tr("%Ln row(s) affected", nullptr, int(rowsAffected))
                                   : tr("done"),
                 QLocale().toString(elapsedMs)));
    HistoryEntry entry = historyEntry(statement, elapsedMs);
    entry.rows = rowsAffected;
    appendHistory(entry);
}

void ConsoleTab::showFailure(int, const orm::SqlStatement &statement, const orm::Error &error,
                             int position, qint64 elapsedMs, bool transactionFailed)
{
    m_lastError = error.message();
    m_lastState = error.sqlState();
    QString line =
        error.kind() == orm::Error::Kind::Cancelled
            ? tr("Cancelled after %1 ms: %2").arg(QLocale().toString(elapsedMs), error.message())
            : tr("Error: %1").arg(error.message());
    if (!error.sqlState().isEmpty())
        line += tr(" (SQLSTATE %1)").arg(error.sqlState());
    if (ScriptRunner::isReadOnlyRefusal(error) && m_databaseReadOnly)
        line += tr(" — the database takes no changes (a replica, or opened read-only)");
    else if (ScriptRunner::isReadOnlyRefusal(error) && m_readOnly->isChecked())
        line += tr(" — this console is read-only: turn Read-only off to change data");
    log(line);
    if (transactionFailed)
        log(tr("The transaction failed: the server refuses every statement until it ends. Roll "
               "back to go on (Commit rolls back too)."));
    if (position >= 0)
        m_editor->markError(position, error.message());
    HistoryEntry entry = historyEntry(statement, elapsedMs);
    entry.ok = false;
    entry.error = error.message();
    appendHistory(entry);
}

HistoryEntry ConsoleTab::historyEntry(const orm::SqlStatement &statement, qint64 elapsedMs) const
{
    HistoryEntry entry;
    entry.sql = statement.text;
    entry.time = m_statementTime;
    entry.durationMs = elapsedMs;
    return entry;
}

void ConsoleTab::appendHistory(const HistoryEntry &entry)
{
    if (!m_history)
        return;
    m_history->append(entry);
    emit historyChanged();
}

} // namespace strata::ui
