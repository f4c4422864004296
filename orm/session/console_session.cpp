#include "orm/session/console_session.h"

#include "orm/core/error.h"
#include "orm/session/sql_splitter.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include <functional>
#include <utility>

namespace orm {
namespace {

// Releases the session's turn however the coroutine leaves.
struct Turn {
    std::function<void()> release;
    ~Turn()
    {
        if (release)
            release();
    }
};

// A notice as psql prints it, less the severity: the message, then its DETAIL and HINT.
QString noticeText(const drivers::Notice &notice)
{
    QString text = notice.message;
    if (!notice.detail.isEmpty())
        text += QStringLiteral("\nDETAIL: ") + notice.detail;
    if (!notice.hint.isEmpty())
        text += QStringLiteral("\nHINT: ") + notice.hint;
    return text;
}

} // namespace

ConsoleSession::ConsoleSession(Database *database, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_dialect(dialectOf(database->url().backend()))
{
}

ConsoleSession::~ConsoleSession()
{
    // Closing needs the event loop; dropping the connection closes it synchronously enough
    // (the drivers cancel and finish what runs in their destructors).
}

QString ConsoleSession::displayUrl() const
{
    return m_database ? m_database->displayUrl() : QString();
}

bool ConsoleSession::isOpen() const
{
    return m_connection && m_connection->isOpen();
}

QCoro::Task<> ConsoleSession::lock()
{
    // Tickets keep the order calls came in: a waiter is resumed by a posted event, and a call
    // made before that event runs must not take the free turn ahead of it.
    const quint64 ticket = m_nextTicket++;
    while (ticket != m_nowServing)
        co_await m_idle.wait();
    m_busy = true;
    emit busyChanged(true);
}

void ConsoleSession::unlock()
{
    m_busy = false;
    m_running = false;
    ++m_nowServing;
    m_idle.notifyAll();
    emit busyChanged(false);
}

QCoro::Task<> ConsoleSession::open(QString schema)
{
    if (!m_database)
        throw Error(Error::Kind::Usage, QStringLiteral("the console's database is gone"));
    co_await lock();
    Turn turn{[this] { unlock(); }};
    co_await openInTurn(std::move(schema));
}

QCoro::Task<> ConsoleSession::openInTurn(QString schema)
{
    if (!m_database)
        throw Error(Error::Kind::Usage, QStringLiteral("the console's database is gone"));
    if (m_connection) {
        auto old = std::move(m_connection);
        co_await old->close();
    }
    m_streamOpen = false;
    setTransactionState(TransactionState::None);
    DatabaseUrl url = m_database->url();
    const QMap<QString, QString> attachments =
        m_dialect == Dialect::Sqlite ? m_database->attachments() : QMap<QString, QString>();
    const bool attachedSchema = m_dialect == Dialect::Sqlite && !schema.isEmpty() &&
                                schema != QLatin1String("main") && attachments.contains(schema) &&
                                attachments.value(schema) != QLatin1String(":memory:");
    if (attachedSchema) {
        const QString path = QFileInfo(attachments.value(schema)).absoluteFilePath();
        url = DatabaseUrl::parse(QStringLiteral("sqlite:///") + path);
    }
    auto connection = drivers::createConnection(url);
    connection->setNoticeHandler([self = QPointer<ConsoleSession>(this)](const drivers::Notice &n) {
        if (self)
            emit self->noticeReceived(n.severity, noticeText(n));
    });
    co_await connection->open();
    m_connection = std::move(connection);
    m_schema = schema;
    if (m_dialect == Dialect::Sqlite) {
        for (auto it = attachments.cbegin(); it != attachments.cend(); ++it) {
            if (attachedSchema && it.key() == schema)
                continue;
            QVariantList params{it.value(), it.key()};
            co_await m_connection->execute(QStringLiteral("ATTACH DATABASE ? AS ?"), params);
        }
    }
    co_await applySettings();
    m_settingsPending = false;
    updateTransactionState();
}

QCoro::Task<> ConsoleSession::applySettings()
{
    if (!m_connection)
        co_return;
    // PostgreSQL keeps nothing in the session: each transaction carries the settings
    // (beginTransaction()), so that a transaction pooler has nothing to drop or hand on.
    if (m_dialect == Dialect::Sqlite) {
        const QString ro = QStringLiteral("PRAGMA query_only = ") +
                           (m_readOnly ? QStringLiteral("1") : QStringLiteral("0"));
        co_await m_connection->execute(ro);
    }
}

bool ConsoleSession::carriesSettings() const
{
    return m_dialect == Dialect::Postgres && (m_readOnly || !m_schema.isEmpty());
}

QString ConsoleSession::transactionSettings() const
{
    QStringList parts;
    if (m_readOnly)
        parts << QStringLiteral("SET TRANSACTION READ ONLY");
    if (!m_schema.isEmpty())
        parts << QStringLiteral("SET LOCAL search_path TO ") + quoteIdentifier(m_schema);
    return parts.join(QStringLiteral("; "));
}

QCoro::Task<> ConsoleSession::beginTransaction()
{
    const QString settings = m_dialect == Dialect::Postgres ? transactionSettings() : QString();
    if (settings.isEmpty())
        co_await m_connection->execute(QStringLiteral("BEGIN"));
    else // one round trip
        co_await m_connection->executeScript(QStringLiteral("BEGIN; ") + settings);
}

QCoro::Task<> ConsoleSession::endCarrier()
{
    if (!m_carrier)
        co_return;
    m_carrier = false;
    const qint64 affected = m_connection->rowsAffected();
    // COMMIT ends a failed transaction too (PostgreSQL rolls it back).
    co_await m_connection->execute(QStringLiteral("COMMIT"));
    m_carriedRowsAffected = affected;
}

QCoro::Task<> ConsoleSession::dropCarrier()
{
    if (!m_carrier)
        co_return;
    m_carrier = false;
    try {
        if (m_connection && m_connection->isOpen())
            co_await m_connection->execute(QStringLiteral("ROLLBACK"));
    } catch (const Error &) {
        // The statement's own error is the one to tell; a broken link ended the transaction.
    }
}

QCoro::Task<> ConsoleSession::close()
{
    if (!m_connection)
        co_return;
    if (m_running)
        co_await m_connection->cancel();
    co_await lock();
    Turn turn{[this] { unlock(); }};
    auto old = std::move(m_connection);
    m_streamOpen = false;
    setTransactionState(TransactionState::None);
    co_await old->close();
}

QCoro::Task<ConsoleSession::ReadOnlyEffect> ConsoleSession::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    if (!m_connection)
        co_return ReadOnlyEffect::Now;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    if (!m_connection)
        co_return ReadOnlyEffect::Now; // closed while waiting: the next open applies it
    co_await endStream();
    if (m_dialect != Dialect::Postgres || !isTransactionOpen()) {
        co_await applySettings(); // SQLite's query_only holds at once, in a transaction too
        co_return ReadOnlyEffect::Now;
    }
    // PostgreSQL undoes a SET made inside a transaction that rolls back: the settings go again
    // once the transaction has ended.
    m_settingsPending = true;
    if (isTransactionFailed())
        co_return ReadOnlyEffect::NextTransaction; // it refuses every statement until it ends
    co_await applySettings();
    // default_transaction_read_only is read when a transaction starts: the open one is told
    // apart. Turning it read-only is always allowed; read-write only before its first query
    // (an attempt after it would fail, and so abort, the transaction).
    if (!readOnly && m_snapshotTaken)
        co_return ReadOnlyEffect::NextTransaction;
    const QString sql = QStringLiteral("SET transaction_read_only = ") +
                        (readOnly ? QStringLiteral("on") : QStringLiteral("off"));
    co_await m_connection->execute(sql);
    co_return ReadOnlyEffect::Now;
}

QCoro::Task<> ConsoleSession::applyPendingSettings()
{
    if (!m_settingsPending || isTransactionOpen() || !m_connection)
        co_return;
    co_await applySettings();
    m_settingsPending = false;
}

void ConsoleSession::setAutocommit(bool autocommit)
{
    m_autocommit = autocommit;
}

QCoro::Task<bool> ConsoleSession::switchToAutocommit(TransactionEnd end)
{
    if (!m_connection) {
        m_autocommit = true;
        co_return true;
    }
    co_await lock();
    Turn turn{[this] { unlock(); }};
    bool asked = true;
    if (m_connection && isTransactionOpen()) {
        try {
            if (end == TransactionEnd::Commit)
                asked = co_await commitInTurn();
            else
                co_await rollbackInTurn();
        } catch (...) {
            // PostgreSQL ends a transaction whose COMMIT fails (a deferred constraint); SQLite
            // may keep it open (SQLITE_BUSY): then it still waits for Commit or Rollback.
            if (!isTransactionOpen())
                m_autocommit = true;
            throw;
        }
    }
    m_autocommit = true;
    co_return asked;
}

void ConsoleSession::noteStatement(const QString &leadingWords)
{
    if (m_transactionState == TransactionState::None)
        m_snapshotTaken = false; // the statement opens a transaction, or runs in one of its own
    // What PostgreSQL runs without a snapshot (transaction control, SET, SHOW).
    for (const char *verb :
         {"BEGIN", "START TRANSACTION", "SET ", "SHOW ", "RESET ", "SAVEPOINT ", "RELEASE "})
        if (leadingWords.startsWith(QLatin1String(verb)))
            return;
    m_snapshotTaken = true;
}

void ConsoleSession::setTransactionState(TransactionState state)
{
    if (state == m_transactionState)
        return;
    const bool wasOpen = isTransactionOpen();
    m_transactionState = state;
    emit transactionStateChanged(state);
    if (wasOpen != isTransactionOpen())
        emit transactionChanged(isTransactionOpen());
}

void ConsoleSession::updateTransactionState(std::optional<TransactionState> guess)
{
    if (m_carrier) { // the console's own transaction, not the user's
        setTransactionState(TransactionState::None);
        return;
    }
    const drivers::TransactionStatus status =
        m_connection ? m_connection->transactionStatus() : drivers::TransactionStatus::Unknown;
    switch (status) {
    case drivers::TransactionStatus::Idle:
        setTransactionState(TransactionState::None);
        return;
    case drivers::TransactionStatus::Open:
        setTransactionState(TransactionState::Open);
        return;
    case drivers::TransactionStatus::Failed:
        setTransactionState(TransactionState::Failed);
        return;
    case drivers::TransactionStatus::Unknown:
        break;
    }
    if (guess)
        setTransactionState(*guess);
}

QCoro::Task<> ConsoleSession::endStream()
{
    const bool open = m_streamOpen;
    m_streamOpen = false;
    if (open && m_carrier && m_readOnly) {
        co_await dropCarrier(); // nothing to keep: the driver cancels the rest
        co_return;
    }
    if (!open || !m_connection || m_dialect != Dialect::Postgres ||
        (m_transactionState != TransactionState::Open && !m_carrier))
        co_return;
    m_running = true; // cancel() can stop it, at the price of the transaction
    std::optional<Error> failure;
    try {
        for (;;) {
            const std::optional<RowBatch> batch = co_await m_connection->nextBatch();
            if (!batch)
                break;
        }
    } catch (const Error &error) {
        failure = error;
    }
    m_running = false;
    if (failure)
        co_await dropCarrier();
    else
        co_await endCarrier(); // the statement's changes are kept: it ran in autocommit
    updateTransactionState();
    if (failure)
        throw Error(failure->kind(),
                    QStringLiteral("reading the rest of the previous result, which keeps the "
                                   "transaction: %1")
                        .arg(failure->message()),
                    failure->database(), failure->sqlState());
}

QCoro::Task<bool> ConsoleSession::commit()
{
    if (!m_connection)
        co_return false;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    const bool committed = co_await commitInTurn();
    co_return committed;
}

QCoro::Task<> ConsoleSession::rollback()
{
    if (!m_connection)
        co_return;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    co_await rollbackInTurn();
}

QCoro::Task<bool> ConsoleSession::commitInTurn()
{
    if (!m_connection)
        co_return false;
    co_await endStream();
    // PostgreSQL ends a failed transaction's COMMIT with ROLLBACK (and no error).
    const bool failed = m_transactionState == TransactionState::Failed ||
                        m_connection->transactionStatus() == drivers::TransactionStatus::Failed;
    try {
        co_await m_connection->execute(QStringLiteral("COMMIT"));
    } catch (...) {
        updateTransactionState(); // a failed COMMIT may end the transaction or leave it open
        throw;
    }
    updateTransactionState(TransactionState::None);
    co_await applyPendingSettings();
    co_return !failed;
}

QCoro::Task<> ConsoleSession::rollbackInTurn()
{
    if (!m_connection)
        co_return;
    m_streamOpen = false;
    try {
        co_await m_connection->execute(QStringLiteral("ROLLBACK"));
    } catch (...) {
        updateTransactionState();
        throw;
    }
    updateTransactionState(TransactionState::None);
    co_await applyPendingSettings();
}

QCoro::Task<> ConsoleSession::resetSession()
{
    // The server ended the session (a restart, pg_terminate_backend, a cut link) while the
    // console was idle: open a new one with the same schema and mode, and say what the old one
    // took with it. A statement of a lost transaction is never replayed on the new session.
    const bool transactionLost = m_transactionState != TransactionState::None;
    co_await openInTurn(m_schema);
    QString lost = transactionLost
                       ? QStringLiteral("The open transaction was rolled back by the server: "
                                        "nothing of it was committed. ")
                       : QString();
    lost += QStringLiteral("Settings made with SET, temporary tables and prepared statements "
                           "of the old session are gone; the schema and read-only mode were "
                           "applied again.");
    const QString message =
        QStringLiteral("The connection to the server was lost and a new session was opened. ") +
        lost;
    emit sessionReset(message);
    if (transactionLost)
        throw Error(Error::Kind::ConnectionLost,
                    message + QStringLiteral(" The statement was not run: run it again in a new "
                                             "transaction if you still want it."),
                    displayUrl());
}

QCoro::Task<quint64> ConsoleSession::start(QString sql, int batchRows)
{
    if (!m_connection)
        throw Error(Error::Kind::Usage, QStringLiteral("the console is not connected"),
                    displayUrl());
    co_await lock();
    Turn turn{[this] { unlock(); }};
    co_await endStream();
    ++m_stream;
    m_running = true;
    m_carriedRowsAffected.reset();
    const QString words = leadingKeywords(sql);
    const bool begins = words.startsWith(QLatin1String("BEGIN")) ||
                        words.startsWith(QLatin1String("START TRANSACTION"));
    const bool ends =
        (words.startsWith(QLatin1String("COMMIT")) || words.startsWith(QLatin1String("END")) ||
         words.startsWith(QLatin1String("ROLLBACK")) || words.startsWith(QLatin1String("ABORT"))) &&
        !words.contains(QLatin1String(" TO "));
    noteStatement(words);
    std::exception_ptr thrown;
    try {
        if (!m_connection->probeIdle())
            co_await resetSession();     // throws when a transaction was lost with the session
        co_await applyPendingSettings(); // a transaction ended by hand, or by an error
        co_await beginFor(words, true);
        co_await m_connection->start(sql, {}, batchRows);
        if (begins && m_transactionState == TransactionState::None && carriesSettings()) {
            co_await drainStream(); // the user's BEGIN: the settings go into it at once
            co_await m_connection->executeScript(transactionSettings());
        } else if (m_carrier && m_connection->columns().isEmpty()) {
            co_await drainStream(); // a command is done: its carrier commits now
            co_await endCarrier();
        }
    } catch (...) {
        thrown = std::current_exception();
    }
    if (thrown) {
        m_running = false;
        co_await dropCarrier();
        try {
            std::rethrow_exception(thrown);
        } catch (const Error &error) {
            throwIfDropped();
            const bool transactionLost = error.kind() == Error::Kind::ConnectionLost &&
                                         m_transactionState != TransactionState::None;
            // The driver knows after an error: PostgreSQL's transaction may have failed,
            // SQLite's may have been rolled back.
            updateTransactionState();
            if (transactionLost) {
                // The link died as the statement went out: the server has rolled the
                // transaction back; the statement is not sent again.
                setTransactionState(TransactionState::None);
                throw Error(Error::Kind::ConnectionLost,
                            error.message() +
                                QStringLiteral("\nThe open transaction was rolled back by the "
                                               "server: nothing of it was committed. The "
                                               "statement was not run again: run it in a new "
                                               "transaction if you still want it."),
                            displayUrl(), error.sqlState());
            }
            throw;
        } catch (...) {
            updateTransactionState();
            throw;
        }
    }
    m_running = false;
    // PostgreSQL tells the status once the statement's results are read (nextBatch); until
    // then its keywords say what it will be.
    std::optional<TransactionState> guess;
    if (begins)
        guess = TransactionState::Open;
    else if (ends)
        guess = TransactionState::None;
    updateTransactionState(guess);
    m_streamOpen = !m_carriedRowsAffected && !(begins && carriesSettings());
    co_return m_stream;
}

QCoro::Task<> ConsoleSession::beginFor(const QString &words, bool usersStatement)
{
    if (m_transactionState != TransactionState::None || controlsTransaction(words))
        co_return;
    if (!m_autocommit && usersStatement) { // manual mode: the first statement opens the
                                           // user's transaction
        co_await beginTransaction();
        updateTransactionState(TransactionState::Open);
        co_return;
    }
    if (!carriesSettings())
        co_return;
    if (refusedInTransactions(words)) {
        // It cannot carry the settings; it runs as it is (unqualified names resolve in the
        // server's default search_path), unless the console is read-only: all of them write.
        if (m_readOnly)
            throw Error(Error::Kind::Sql,
                        QStringLiteral("cannot run %1 while the console is read-only")
                            .arg(words.section(QLatin1Char(' '), 0, 1)),
                        displayUrl(), QStringLiteral("25006"));
        co_return;
    }
    co_await beginTransaction();
    m_carrier = true;
}

QCoro::Task<> ConsoleSession::drainStream()
{
    for (;;) {
        const std::optional<RowBatch> batch = co_await m_connection->nextBatch();
        if (!batch)
            break;
    }
}

const Columns &ConsoleSession::columns() const
{
    static const Columns none;
    return m_connection ? m_connection->columns() : none;
}

qint64 ConsoleSession::rowsAffected() const
{
    if (m_carriedRowsAffected)
        return *m_carriedRowsAffected;
    return m_connection ? m_connection->rowsAffected() : -1;
}

QCoro::Task<std::optional<RowBatch>> ConsoleSession::nextBatch(quint64 stream)
{
    if (!isCurrent(stream))
        co_return std::nullopt;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    if (!isCurrent(stream) || !m_connection)
        co_return std::nullopt;
    m_running = true;
    std::optional<RowBatch> batch;
    std::exception_ptr thrown;
    try {
        batch = co_await m_connection->nextBatch();
        if (!batch)
            co_await endCarrier(); // read to its end: the statement's carrier commits
    } catch (...) {
        thrown = std::current_exception();
    }
    m_running = false;
    if (thrown) {
        co_await dropCarrier();
        throwIfDropped();
        m_streamOpen = false;
        updateTransactionState(); // an error in a later row can fail the transaction
        std::rethrow_exception(thrown);
    }
    if (!batch)
        m_streamOpen = false;
    updateTransactionState();
    co_return batch;
}

QCoro::Task<> ConsoleSession::cancel()
{
    if (!m_connection || !m_running)
        co_return;
    QTimer::singleShot(m_cancelGrace, this, [this, stream = m_stream] { dropUnanswered(stream); });
    co_await m_connection->cancel();
}

void ConsoleSession::dropUnanswered(quint64 stream)
{
    if (!m_connection || !m_running || stream != m_stream)
        return; // the statement ended (cancelled, or done) in time
    const bool transactionLost = m_transactionState != TransactionState::None;
    m_dropped =
        QStringLiteral("The server did not answer the cancel within %1 s, so the connection "
                       "was dropped. ")
            .arg(double(m_cancelGrace.count()) / 1000.0) +
        (transactionLost ? QStringLiteral("The open transaction is lost: nothing of it was "
                                          "committed. ")
                         : QString()) +
        QStringLiteral("The next statement opens a new session.");
    m_connection->abandon(); // the call waiting on it throws, and throwIfDropped() explains
}

void ConsoleSession::throwIfDropped()
{
    if (m_dropped.isEmpty())
        return;
    const QString message = std::exchange(m_dropped, {});
    m_streamOpen = false;
    setTransactionState(TransactionState::None);
    throw Error(Error::Kind::Cancelled, message, displayUrl());
}

QCoro::Task<Result> ConsoleSession::execute(QString sql, QVariantList params)
{
    if (!m_connection)
        throw Error(Error::Kind::Usage, QStringLiteral("the console is not connected"),
                    displayUrl());
    co_await lock();
    Turn turn{[this] { unlock(); }};
    co_await endStream();
    co_return co_await executeInTurn(std::move(sql), std::move(params));
}

QCoro::Task<Result> ConsoleSession::executeAside(QString sql, QVariantList params)
{
    if (!m_connection)
        throw Error(Error::Kind::Usage, QStringLiteral("the console is not connected"),
                    displayUrl());
    co_await lock();
    Turn turn{[this] { unlock(); }};
    if (m_streamOpen)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("a result is still being read on the console"), displayUrl());
    co_return co_await executeInTurn(std::move(sql), std::move(params));
}

QCoro::Task<Result> ConsoleSession::executeInTurn(QString sql, QVariantList params)
{
    ++m_stream;
    m_running = true;
    m_carriedRowsAffected.reset();
    const QString words = leadingKeywords(sql);
    noteStatement(words);
    std::optional<Result> result;
    std::exception_ptr thrown;
    try {
        // Not the user's statement: in manual mode it opens no transaction of theirs.
        co_await beginFor(words, false);
        result = co_await m_connection->execute(sql, params);
        co_await endCarrier();
    } catch (...) {
        thrown = std::current_exception();
    }
    m_running = false;
    if (thrown) {
        co_await dropCarrier();
        throwIfDropped();
        updateTransactionState();
        std::rethrow_exception(thrown);
    }
    updateTransactionState();
    co_return std::move(*result);
}

} // namespace orm
