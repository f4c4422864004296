#include "registry.h"

#include <QElapsedTimer>

namespace orm {
namespace {

struct Attempt {
    Database *database;
    std::optional<Error> error;
    qint64 finishedAt = 0; // ns since the registry's connect began, to find the first error
};

QCoro::Task<> attemptConnect(Attempt *attempt, const QElapsedTimer *clock)
{
    try {
        co_await attempt->database->connect();
    } catch (const Error &error) {
        attempt->error = error;
    } catch (const std::exception &error) {
        attempt->error = Error(Error::Kind::ConnectionFailed, QString::fromUtf8(error.what()),
                               attempt->database->displayUrl());
    }
    attempt->finishedAt = clock->nsecsElapsed();
}

} // namespace

Registry::Registry(Database *primary, QObject *parent)
    : QObject(parent)
    , m_primary(primary)
{
    if (!primary)
        throw Error(Error::Kind::Configuration, QStringLiteral("the primary database is missing"));
    if (!primary->parent())
        primary->setParent(this);
    watch(QString(), primary);
}

Registry::Registry(const QString &primaryUrl, QObject *parent)
    : Registry(new Database(primaryUrl), parent)
{
}

Registry::~Registry() = default;

Database *Registry::addExtra(const QString &name, Database *database)
{
    if (name.trimmed().isEmpty())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("an extra database needs a name (it was empty)"));
    for (const auto &[known, db] : m_extras)
        if (known == name)
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("there is already an extra database named '%1'").arg(name));
    if (!database)
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("extra database '%1' is missing").arg(name));
    if (!database->parent())
        database->setParent(this);
    m_extras.append({name, database});
    watch(name, database);
    return database;
}

Database *Registry::addExtra(const QString &name, const QString &url)
{
    // Validate the name before the URL, so the error is about the first thing wrong.
    if (name.trimmed().isEmpty() || std::any_of(m_extras.cbegin(), m_extras.cend(),
                                                [&](const auto &e) { return e.first == name; }))
        return addExtra(name, static_cast<Database *>(nullptr));
    return addExtra(name, new Database(url, this));
}

Database *Registry::database(const QString &name) const
{
    for (const auto &[known, db] : m_extras)
        if (known == name)
            return db;
    throw Error(Error::Kind::Configuration,
                QStringLiteral("no extra database named '%1' (known: %2)")
                    .arg(name, extraNames().isEmpty() ? QStringLiteral("none")
                                                      : extraNames().join(QStringLiteral(", "))));
}

QStringList Registry::extraNames() const
{
    QStringList names;
    for (const auto &[name, db] : m_extras)
        names << name;
    return names;
}

QList<Database *> Registry::databases() const
{
    QList<Database *> all{m_primary.data()};
    for (const auto &[name, db] : m_extras)
        all << db.data();
    return all;
}

QString Registry::nameOf(const Database *database) const
{
    for (const auto &[name, db] : m_extras)
        if (db == database)
            return name;
    return {};
}

void Registry::watch(const QString &name, Database *database)
{
    QObject::connect(database, &Database::stateChanged, this,
                     [this, name](Database::State state, const QString &reason) {
                         emit databaseStateChanged(name, state, reason);
                     });
    QObject::connect(database, &Database::notConnectedWarning, this,
                     [this, name](const QString &operation, const QString &) {
                         emit notConnectedWarning(name, operation);
                     });
}

QCoro::Task<QList<ConnectOutcome>> Registry::connect(ConnectMode mode)
{
    const QList<Database *> all = databases();
    if (m_references++ > 0) {
        // Nested: already connected by an outer call; report how things stand.
        QList<ConnectOutcome> outcomes;
        for (Database *db : all) {
            ConnectOutcome outcome{nameOf(db), db, std::nullopt};
            if (!db->isConnected())
                outcome.error =
                    Error(Error::Kind::ConnectionFailed,
                          db->failureReason().isEmpty() ? QStringLiteral("not connected")
                                                        : db->failureReason(),
                          db->displayUrl());
            outcomes << outcome;
        }
        co_return outcomes;
    }

    // All attempts start before any is awaited (QCoro tasks run eagerly), so they overlap.
    QElapsedTimer clock;
    clock.start();
    std::vector<Attempt> attempts;
    attempts.reserve(size_t(all.size()));
    for (Database *db : all)
        attempts.push_back(Attempt{db, std::nullopt});
    std::vector<QCoro::Task<>> running;
    for (Attempt &attempt : attempts)
        running.push_back(attemptConnect(&attempt, &clock));
    for (auto &task : running)
        co_await task;

    QList<ConnectOutcome> outcomes;
    const Attempt *firstFailure = nullptr;
    for (const Attempt &attempt : attempts) {
        outcomes << ConnectOutcome{nameOf(attempt.database), attempt.database, attempt.error};
        if (attempt.error) {
            if (!firstFailure || attempt.finishedAt < firstFailure->finishedAt)
                firstFailure = &attempt;
        } else {
            m_connected << attempt.database;
        }
    }

    if (firstFailure && mode == ConnectMode::Strict) {
        const Error error = *firstFailure->error;
        const QList<Database *> connected = std::exchange(m_connected, {});
        m_references = 0;
        std::vector<QCoro::Task<>> undo;
        for (Database *db : connected)
            undo.push_back(db->disconnect());
        for (auto &task : undo)
            co_await task;
        throw error;
    }
    co_return outcomes;
}

QCoro::Task<> Registry::disconnect(bool force)
{
    if (m_references == 0)
        co_return;
    m_references = force ? 0 : m_references - 1;
    if (m_references > 0)
        co_return;
    const QList<Database *> connected = std::exchange(m_connected, {});
    std::vector<QCoro::Task<>> running;
    for (Database *db : connected)
        running.push_back(db->disconnect(force));
    for (auto &task : running)
        co_await task;
}

QCoro::Task<> Registry::reconnect(QString name)
{
    Database *db = name.isEmpty() ? m_primary.data() : database(name);
    if (m_references == 0)
        throw Error(Error::Kind::Usage,
                    QStringLiteral("reconnect('%1') needs the registry connected first").arg(name));
    if (m_connected.contains(db))
        co_await db->disconnect(true);
    m_connected.removeAll(db);
    co_await db->connect();
    m_connected << db;
}

} // namespace orm
