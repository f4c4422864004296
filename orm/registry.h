#pragma once

#include "database.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <optional>

namespace orm {

// What connect() did for one database of a registry.
struct ConnectOutcome {
    QString name; // empty for the primary database
    Database *database = nullptr;
    std::optional<Error> error; // empty when it connected

    bool ok() const { return !error.has_value(); }
};

// The primary database plus named extra databases (the seed's Registry(database, extra={})).
//
// connect() opens every database concurrently (the time is about the slowest one's, not the
// sum) and nests: only the first call connects, only the last disconnect() disconnects. Strict
// mode undoes a partial connect and throws the first error; lenient mode keeps the databases
// that connected and reports each outcome (the desktop program's choice).
class Registry : public QObject {
    Q_OBJECT

public:
    enum class ConnectMode { Strict, Lenient };
    Q_ENUM(ConnectMode)

    // The registry adopts a parentless Database. Throws Error(InvalidUrl) for a bad URL.
    explicit Registry(Database *primary, QObject *parent = nullptr);
    explicit Registry(const QString &primaryUrl, QObject *parent = nullptr);
    ~Registry() override;

    // Adds an extra database under `name`; throws Error(Configuration) for an empty or
    // duplicate name, Error(InvalidUrl) for a bad URL.
    Database *addExtra(const QString &name, Database *database);
    Database *addExtra(const QString &name, const QString &url);

    Database *database() const { return m_primary; }
    // The extra database called `name`; throws Error(Configuration) naming the known ones.
    Database *database(const QString &name) const;
    QStringList extraNames() const;
    // The primary first, then the extras in the order they were added.
    QList<Database *> databases() const;

    // Connects every database at once. Strict: all or nothing, throws the first error. Lenient:
    // never throws for a database that failed; each outcome is returned (and signalled).
    QCoro::Task<QList<ConnectOutcome>> connect(ConnectMode mode = ConnectMode::Strict);
    // Counts down; the last call disconnects every database (those that connected). force=true
    // drops the count to zero at once (quitting).
    QCoro::Task<> disconnect(bool force = false);
    bool isConnected() const { return m_references > 0; }
    int referenceCount() const { return m_references; }
    // Retries one database that failed in lenient mode (or reconnects one that dropped).
    QCoro::Task<> reconnect(QString name);

signals:
    // A database's state changed; `name` is empty for the primary.
    void databaseStateChanged(const QString &name, orm::Database::State state,
                              const QString &reason);
    void notConnectedWarning(const QString &name, const QString &operation);

private:
    void watch(const QString &name, Database *database);
    QString nameOf(const Database *database) const;

    QPointer<Database> m_primary;
    QList<std::pair<QString, QPointer<Database>>> m_extras;
    int m_references = 0;
    QList<Database *> m_connected; // the databases this registry's connect() connected
};

} // namespace orm
