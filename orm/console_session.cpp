#include "console_session.h"

#include "error.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <functional>

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

// The statement's leading keywords, upper-cased: enough to follow BEGIN / COMMIT typed by hand.
QString leadingWords(const QString &sql)
{
    static const QRegularExpression comments(QStringLiteral("^(\\s+|--[^\\n]*\\n?|/\\*.*?\\*/)+"),
                                             QRegularExpression::DotMatchesEverythingOption);
    QString text = sql;
    text.remove(comments);
    return text.left(40).simplified().toUpper();
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
    while (m_busy)
        co_await m_idle.wait();
    m_busy = true;
    emit busyChanged(true);
}

void ConsoleSession::unlock()
{
    m_busy = false;
    m_running = false;
    m_idle.notifyAll();
    emit busyChanged(false);
}

QCoro::Task<> ConsoleSession::open(QString schema)
{
    if (!m_database)
        throw Error(Error::Kind::Usage, QStringLiteral("the console's database is gone"));
    co_await lock();
    Turn turn{[this] { unlock(); }};
    if (m_connection) {
        auto old = std::move(m_connection);
        co_await old->close();
    }
    m_streamOpen = false;
    setTransactionOpen(false);
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
}

QCoro::Task<> ConsoleSession::applySettings()
{
    if (!m_connection)
        co_return;
    if (m_dialect == Dialect::Postgres) {
        if (!m_schema.isEmpty()) {
            const QString sql = QStringLiteral("SET search_path TO ") + quoteIdentifier(m_schema);
            co_await m_connection->execute(sql);
        }
        const QString ro = QStringLiteral("SET default_transaction_read_only = ") +
                           (m_readOnly ? QStringLiteral("on") : QStringLiteral("off"));
        co_await m_connection->execute(ro);
    } else {
        const QString ro = QStringLiteral("PRAGMA query_only = ") +
                           (m_readOnly ? QStringLiteral("1") : QStringLiteral("0"));
        co_await m_connection->execute(ro);
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
    setTransactionOpen(false);
    co_await old->close();
}

QCoro::Task<> ConsoleSession::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    if (!m_connection)
        co_return;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    m_streamOpen = false;
    co_await applySettings();
}

void ConsoleSession::setAutocommit(bool autocommit)
{
    m_autocommit = autocommit;
}

void ConsoleSession::setTransactionOpen(bool open)
{
    if (open == m_transactionOpen)
        return;
    m_transactionOpen = open;
    emit transactionChanged(open);
}

QCoro::Task<> ConsoleSession::commit()
{
    if (!m_connection)
        co_return;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    m_streamOpen = false;
    co_await m_connection->execute(QStringLiteral("COMMIT"));
    setTransactionOpen(false);
}

QCoro::Task<> ConsoleSession::rollback()
{
    if (!m_connection)
        co_return;
    co_await lock();
    Turn turn{[this] { unlock(); }};
    m_streamOpen = false;
    co_await m_connection->execute(QStringLiteral("ROLLBACK"));
    setTransactionOpen(false);
}

QCoro::Task<quint64> ConsoleSession::start(QString sql, int batchRows)
{
    if (!m_connection)
        throw Error(Error::Kind::Usage, QStringLiteral("the console is not connected"),
                    displayUrl());
    co_await lock();
    Turn turn{[this] { unlock(); }};
    ++m_stream;
    m_streamOpen = false;
    m_running = true;
    const QString words = leadingWords(sql);
    if (!m_autocommit && !m_transactionOpen && !words.startsWith(QLatin1String("BEGIN")) &&
        !words.startsWith(QLatin1String("START TRANSACTION"))) {
        co_await m_connection->execute(QStringLiteral("BEGIN"));
        setTransactionOpen(true);
    }
    try {
        co_await m_connection->start(sql, {}, batchRows);
    } catch (...) {
        m_running = false;
        throw;
    }
    m_running = false;
    if (words.startsWith(QLatin1String("BEGIN")) ||
        words.startsWith(QLatin1String("START TRANSACTION")))
        setTransactionOpen(true);
    else if ((words.startsWith(QLatin1String("COMMIT")) || words.startsWith(QLatin1String("END")) ||
              words.startsWith(QLatin1String("ROLLBACK"))) &&
             !words.contains(QLatin1String(" TO ")))
        setTransactionOpen(false);
    m_streamOpen = true;
    co_return m_stream;
}

const Columns &ConsoleSession::columns() const
{
    static const Columns none;
    return m_connection ? m_connection->columns() : none;
}

qint64 ConsoleSession::rowsAffected() const
{
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
    try {
        batch = co_await m_connection->nextBatch();
    } catch (...) {
        m_streamOpen = false;
        throw;
    }
    if (!batch)
        m_streamOpen = false;
    co_return batch;
}

QCoro::Task<> ConsoleSession::cancel()
{
    if (m_connection && m_running)
        co_await m_connection->cancel();
}

QCoro::Task<Result> ConsoleSession::execute(QString sql)
{
    if (!m_connection)
        throw Error(Error::Kind::Usage, QStringLiteral("the console is not connected"),
                    displayUrl());
    co_await lock();
    Turn turn{[this] { unlock(); }};
    ++m_stream;
    m_streamOpen = false;
    m_running = true;
    Result result = co_await m_connection->execute(sql);
    co_return result;
}

} // namespace orm
