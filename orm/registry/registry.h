#pragma once

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QRegularExpression>
#include <QStringList>

#include <map>
#include <mutex>
#include <optional>

namespace orm {

// Which reflected models of one database and schema the registry keeps, and what it calls them
// (Edgy's AutoReflectModel). A table is kept when `include` matches somewhere in its name
// and `exclude` does not (anchor with ^ and $ for whole names); an empty pattern is no filter.
struct ReflectRule {
    QString database; // an extra database's name; empty: the primary
    QString schema;   // empty: the database's default schema (PostgreSQL's current one, "main")
    QRegularExpression include{QStringLiteral(".*")};
    QRegularExpression exclude;
    QString nameTemplate = QStringLiteral("{table}"); // {table} and {schema} are replaced
};

// What connect() did for one database of a registry.
struct ConnectOutcome {
    QString name; // empty for the primary database
    Database *database = nullptr;
    std::optional<Error> error; // empty when it connected

    bool ok() const { return !error.has_value(); }
};

// The primary database plus named extra databases (Edgy's Registry(database, extra={})).
//
// connect() opens every database concurrently (the time is about the slowest one's, not the
// sum) and nests: only the first call connects, only the last disconnect() disconnects. Strict
// mode undoes a partial connect and throws the first error; lenient mode keeps the databases
// that connected and reports each outcome (the desktop program's choice).
class TenantScope;

class Registry : public QObject {
    Q_OBJECT

public:
    enum class ConnectMode { Strict, Lenient };
    Q_ENUM(ConnectMode)

    // The registry adopts a parentless Database. Throws Error(InvalidUrl) for a bad URL.
    explicit Registry(Database *primary, QObject *parent = nullptr);
    explicit Registry(const QString &primaryUrl, QObject *parent = nullptr);
    ~Registry() override;

    // Adds an extra database under `name` (and emits extraAdded); throws Error(Configuration)
    // for an empty or duplicate name, Error(InvalidUrl) for a bad URL. It is not connected: a
    // connected registry connects it with reconnect(name).
    Database *addExtra(const QString &name, Database *database);
    Database *addExtra(const QString &name, const QString &url);
    // Removes an extra database. Its name leaves the registry at once (extraRemoved is emitted
    // before the first suspension, so the name is free for a replacement right away, and
    // reflection's cache for it is forgotten); then a connect under way ends, every reference
    // is dropped and every connection closed (leased ones after the pool's grace), and the
    // Database is deleted (deleteLater) when the task finishes. A database the registry did
    // not adopt (it had a parent) only gets the registry's own reference back and is not
    // deleted; its owner must keep it alive until this task ends. Throws Error(Configuration)
    // for the primary (empty name) or an unknown name.
    QCoro::Task<> removeExtra(QString name);

    Database *database() const { return m_primary; }
    // The primary for an empty name, an extra by name, or null for a name it does not hold (an
    // extra removed meanwhile): for callers that check rather than catch.
    Database *findDatabase(const QString &name) const;
    // The extra database called `name`; throws Error(Configuration) naming the known ones.
    Database *database(const QString &name) const;
    QStringList extraNames() const;
    // The primary first, then the extras in the order they were added.
    QList<Database *> databases() const;

    // Connects every database at once. Strict: all or nothing, throws the first error. Lenient:
    // never throws for a database that failed; each outcome is returned (and signalled).
    // A connect() called while another is connecting completes with it: it returns once the
    // databases are connected, or throws the first one's error (strict mode). Safe to call from
    // several threads at once (AsyncEnv per thread).
    QCoro::Task<QList<ConnectOutcome>> connect(ConnectMode mode = ConnectMode::Strict);
    // Counts down; the last call disconnects every database (those that connected). force=true
    // drops the count to zero at once, and abandons a connect() under way (it throws
    // Error(Cancelled)): for quitting only, it takes references other holders still count on.
    QCoro::Task<> disconnect(bool force = false);
    bool isConnected() const;
    int referenceCount() const;
    // Retries one database that failed in lenient mode (or reconnects one that dropped, or
    // connects one added after connect()).
    QCoro::Task<> reconnect(QString name);

    // -- Models. Declared, reflected and tenant models are kept apart, as Edgy does. --------

    // A model declared in C++ (origin becomes Declared). Throws Error(Configuration) for a
    // model without a name or one whose name is taken.
    void addModel(Model model);
    QList<Model> models() const;
    // A model living in every tenant schema and not in the default one (origin Tenant):
    // SchemaManager::create() makes its table in each new schema.
    void addTenantModel(Model model);
    QList<Model> tenantModels() const;

    // Auto-reflection: once connected, the registry lists the models of every rule's database
    // and schema (names only, fast), so that they are known from the start. Throws
    // Error(Configuration) for an invalid pattern.
    void addReflectRule(ReflectRule rule);
    QList<ReflectRule> reflectRules() const;
    // The reflected models of a database (extra name; empty: the primary) and schema: listed on
    // the first call and cached, filtered and named by the rules for that database and schema
    // (every model, named as its table, when there is none). Fields are not loaded.
    QCoro::Task<QList<Model>> reflectedModels(QString database = {}, QString schema = {});
    // The models a database and schema show, each with its origin: those reflectedModels()
    // lists, where a declared model of the same table stands in for a reflected one in the
    // primary's default schema ("", main or public), and a tenant model in any other schema
    // (with that schema, origin Tenant). Fields are not loaded.
    QCoro::Task<QList<Model>> modelsOf(QString database = {}, QString schema = {});
    // modelsOf read afresh from the catalog (after DDL): the schema's cached listing, fields
    // included, is replaced.
    QCoro::Task<QList<Model>> refreshModelsOf(QString database = {}, QString schema = {});
    // That merge over models already listed: no database work.
    QList<Model> withOrigins(const QString &database, const QString &schema,
                             QList<Model> reflected) const;
    // What reflectedModels() has cached for them so far, without touching the database.
    QList<Model> cachedReflectedModels(const QString &database = {},
                                       const QString &schema = {}) const;
    // A reflected model with its fields, keys and indexes, read on the first call and cached.
    // Models that already have their fields (declared ones) come back as they are.
    QCoro::Task<Model> loadFields(Model model);
    // Forgets what reflection cached (after a schema change, say): the next calls read again.
    void forgetReflected();
    // A model by name: declared first, then the reflected ones cached so far, then tenant ones.
    std::optional<Model> findModel(const QString &name) const;

    // The tenant `schema` on the primary database, as a value (include orm/tenancy/tenant.h to use
    // it): registry.tenant("acme").query(model) runs in schema acme. Nothing ambient is set.
    TenantScope tenant(const QString &schema);

signals:
    // addExtra() added an extra database.
    void extraAdded(const QString &name);
    // removeExtra() took an extra database out: its name no longer resolves. Its connections
    // are still closing; the removeExtra() task ends once they are closed.
    void extraRemoved(const QString &name);
    // A database's state changed; `name` is empty for the primary.
    void databaseStateChanged(const QString &name, orm::Database::State state,
                              const QString &reason);
    void notConnectedWarning(const QString &name, const QString &operation);
    // reflectedModels() listed the models of a database (empty: the primary) and schema.
    void modelsReflected(const QString &database, const QString &schema);

private:
    using ReflectKey = std::pair<QString, QString>; // database name, schema as asked
    Database *databaseNamed(const QString &name) const;
    // Throws Error(Configuration) unless `name` still resolves to `database`.
    void checkStillHeld(const QString &name, const QPointer<Database> &database,
                        const QString &during) const;
    QList<Model> applyRules(const QString &database, const QString &schema,
                            QList<Model> listed) const;
    QCoro::Task<QList<Model>> reflect(QString database, QString schema, bool refresh);
    // Lists the models of every rule's database and schema; logs failures, never throws.
    QCoro::Task<> reflectAtConnect();
    QCoro::Task<> reflectQuietly(QString database, QString schema);

    void watch(const QString &name, Database *database);
    QString nameOf(const Database *database) const;
    // The first connect() proper (connect() itself handles nesting and concurrent callers).
    QCoro::Task<QList<ConnectOutcome>> connectAll(ConnectMode mode);
    // How each database stands, for a connect() that found the registry connected already.
    QList<ConnectOutcome> currentOutcomes() const;
    // Whether `database` is one this registry's connect() connected.
    bool holdsConnected(const Database *database) const;
    // Whether `database` is still the primary or one of the extras (not removed meanwhile).
    bool holds(const Database *database) const;

    QPointer<Database> m_primary;
    QList<std::pair<QString, QPointer<Database>>> m_extras;
    // Connection state, shared by every thread that connects or disconnects this registry;
    // never held across co_await.
    mutable std::mutex m_stateMutex;
    int m_references = 0;
    QList<Database *> m_connected;         // the databases this registry's connect() connected
    bool m_connecting = false;             // a first connect() is under way; the others wait on:
    WaitQueue m_connectDone;               // open unless a first connect() is under way
    std::optional<Error> m_connectFailure; // why the last first connect() failed (strict)
    bool m_abandoned = false;              // a forced disconnect came during that connect()

    mutable std::mutex m_modelsMutex; // guards the models below; never held across co_await
    QList<Model> m_declared;
    QList<Model> m_tenant;
    QList<ReflectRule> m_rules;
    std::map<ReflectKey, QList<Model>> m_reflected;
};

} // namespace orm
