#include "orm/registry/registry.h"

#include "orm/schema/reflection.h"

#include <QElapsedTimer>
#include <QSet>

namespace orm {

namespace {

struct Attempt {
    QPointer<Database> database; // removeExtra may delete it while it connects
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
                               attempt->database ? attempt->database->displayUrl() : QString());
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
    m_connectDone.open();
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
    emit extraAdded(name);
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

QCoro::Task<> Registry::removeExtra(QString name)
{
    if (name.isEmpty())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("the primary database cannot be removed (removeExtra was "
                                   "given an empty name)"),
                    m_primary ? m_primary->displayUrl() : QString());
    const auto it = std::find_if(m_extras.begin(), m_extras.end(),
                                 [&](const auto &extra) { return extra.first == name; });
    if (it == m_extras.end())
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("cannot remove '%1': no extra database of that name (known: %2)")
                        .arg(name, extraNames().isEmpty()
                                       ? QStringLiteral("none")
                                       : extraNames().join(QStringLiteral(", "))));
    const QPointer<Database> db = it->second;
    m_extras.erase(it);
    bool ours = false;
    {
        std::lock_guard lock(m_stateMutex);
        ours = m_connected.removeAll(db.data()) > 0;
    }
    {
        std::lock_guard lock(m_modelsMutex);
        std::erase_if(m_reflected, [&](const auto &entry) { return entry.first.first == name; });
    }
    if (!db) { // deleted by its owner meanwhile
        emit extraRemoved(name);
        co_return;
    }
    // No state change of it is reported under a name that no longer resolves.
    QObject::disconnect(db, nullptr, this, nullptr);
    const bool owned = db->parent() == this;
    qCInfo(lcRegistry).noquote()
        << QStringLiteral("removing extra database '%1' (%2)").arg(name, db->displayUrl());
    emit extraRemoved(name);

    if (owned) {
        // No longer the registry's child: were the registry deleted while this runs, the
        // Database must not go with it under its own suspended retire().
        db->setParent(nullptr);
        co_await db->retire();
        if (db)
            db->deleteLater();
    } else if (ours) {
        co_await db->disconnect(); // its owner may still use it: give back our reference only
    }
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

bool Registry::holds(const Database *database) const
{
    if (!database)
        return false;
    if (m_primary.data() == database)
        return true;
    return std::any_of(m_extras.cbegin(), m_extras.cend(),
                       [&](const auto &extra) { return extra.second.data() == database; });
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

bool Registry::isConnected() const
{
    std::lock_guard lock(m_stateMutex);
    return m_references > 0;
}

int Registry::referenceCount() const
{
    std::lock_guard lock(m_stateMutex);
    return m_references;
}

QList<ConnectOutcome> Registry::currentOutcomes() const
{
    QList<ConnectOutcome> outcomes;
    for (Database *db : databases()) {
        ConnectOutcome outcome{nameOf(db), db, std::nullopt};
        if (!db->isConnected())
            outcome.error = Error(Error::Kind::ConnectionFailed,
                                  db->failureReason().isEmpty() ? QStringLiteral("not connected")
                                                                : db->failureReason(),
                                  db->displayUrl());
        outcomes << outcome;
    }
    return outcomes;
}

QCoro::Task<QList<ConnectOutcome>> Registry::connect(ConnectMode mode)
{
    for (;;) {
        std::unique_lock lock(m_stateMutex);
        if (!m_connecting && m_references > 0) {
            // Nested: already connected by an outer call; report how things stand.
            ++m_references;
            lock.unlock();
            co_return currentOutcomes();
        }
        if (!m_connecting)
            break;
        // Another caller (maybe on another thread) is connecting: complete with it.
        lock.unlock();
        co_await m_connectDone.wait();
        lock.lock();
        // An abandoned connect (quitting) fails every caller, lenient ones too.
        if (!m_connecting && m_references == 0 && m_connectFailure &&
            (mode == ConnectMode::Strict || m_connectFailure->kind() == Error::Kind::Cancelled))
            throw *m_connectFailure;
    }
    {
        std::lock_guard lock(m_stateMutex);
        m_connecting = true;
        m_connectFailure.reset();
        m_references = 1;
        m_connectDone.close();
    }
    std::optional<Error> failure;
    QList<ConnectOutcome> outcomes;
    try {
        outcomes = co_await connectAll(mode);
    } catch (const Error &error) {
        failure = error;
    }
    QList<Database *> undo;
    {
        std::lock_guard lock(m_stateMutex);
        m_connecting = false;
        if (std::exchange(m_abandoned, false)) {
            // A forced disconnect (quitting) came while connecting: undo what connected.
            undo = std::exchange(m_connected, {});
            m_references = 0;
            failure = Error(Error::Kind::Cancelled,
                            QStringLiteral("connect() was abandoned: the registry was "
                                           "disconnected while it was connecting"));
        }
        m_connectFailure = failure;
    }
    for (Database *db : std::as_const(undo))
        co_await db->disconnect();
    m_connectDone.open();
    if (failure)
        throw *failure;
    co_return outcomes;
}

QCoro::Task<QList<ConnectOutcome>> Registry::connectAll(ConnectMode mode)
{
    const QList<Database *> all = databases();
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
    QList<QPointer<Database>> removed; // connected, but removed from the registry meanwhile
    const Attempt *firstFailure = nullptr;
    for (const Attempt &attempt : attempts) {
        if (!holds(attempt.database)) {
            if (attempt.database && !attempt.error)
                removed << attempt.database;
            continue;
        }
        outcomes << ConnectOutcome{nameOf(attempt.database), attempt.database, attempt.error};
        if (attempt.error) {
            if (!firstFailure || attempt.finishedAt < firstFailure->finishedAt)
                firstFailure = &attempt;
        } else {
            std::lock_guard lock(m_stateMutex);
            m_connected << attempt.database;
        }
    }

    for (const QPointer<Database> &db : std::as_const(removed))
        if (db)
            co_await db->disconnect(); // the reference this connect took

    if (firstFailure && mode == ConnectMode::Strict) {
        const Error error = *firstFailure->error;
        QList<Database *> connected;
        {
            std::lock_guard lock(m_stateMutex);
            connected = std::exchange(m_connected, {});
            m_references = 0;
        }
        std::vector<QCoro::Task<>> undo;
        for (Database *db : connected)
            undo.push_back(db->disconnect());
        for (auto &task : undo)
            co_await task;
        throw error;
    }
    co_await reflectAtConnect();
    co_return outcomes;
}

QCoro::Task<> Registry::disconnect(bool force)
{
    QList<Database *> connected;
    bool abandon = false;
    {
        std::lock_guard lock(m_stateMutex);
        if (m_references == 0)
            co_return;
        m_references = force ? 0 : m_references - 1;
        if (m_references > 0)
            co_return;
        connected = std::exchange(m_connected, {});
        abandon = force && m_connecting;
        if (abandon)
            m_abandoned = true;
    }
    if (abandon) {
        // Connects under way are abandoned rather than awaited (a silent host would hold a
        // quit for its whole connect timeout); connect() then undoes what did connect.
        qCInfo(lcDatabase) << "abandoning the connect under way (forced disconnect)";
        connected = databases();
    }
    std::vector<QCoro::Task<>> running;
    for (Database *db : connected)
        running.push_back(db->disconnect(force));
    for (auto &task : running)
        co_await task;
    if (abandon)
        co_await m_connectDone.wait();
}

QCoro::Task<> Registry::reconnect(QString name)
{
    Database *db = name.isEmpty() ? m_primary.data() : database(name);
    if (!isConnected())
        throw Error(Error::Kind::Usage,
                    QStringLiteral("reconnect('%1') needs the registry connected first").arg(name));
    const QPointer<Database> guarded = db;
    if (holdsConnected(db))
        co_await db->disconnect(true);
    {
        std::lock_guard lock(m_stateMutex);
        m_connected.removeAll(db);
    }
    if (!holds(guarded))
        throw Error(
            Error::Kind::Usage,
            QStringLiteral("reconnect('%1'): the database was removed meanwhile").arg(name));
    co_await db->connect();
    if (!holds(guarded)) {
        if (guarded)
            co_await guarded->disconnect(); // the reference this connect took
        throw Error(
            Error::Kind::Usage,
            QStringLiteral("reconnect('%1'): the database was removed meanwhile").arg(name));
    }
    std::lock_guard lock(m_stateMutex);
    m_connected << db;
}

bool Registry::holdsConnected(const Database *database) const
{
    std::lock_guard lock(m_stateMutex);
    return m_connected.contains(database);
}

// -- Models ------------------------------------------------------------------------------------

namespace {

bool ruleKeeps(const ReflectRule &rule, const QString &table)
{
    const bool included = rule.include.pattern().isEmpty() || rule.include.match(table).hasMatch();
    const bool excluded = !rule.exclude.pattern().isEmpty() && rule.exclude.match(table).hasMatch();
    return included && !excluded;
}

QString applyTemplate(const QString &nameTemplate, const Model &model)
{
    QString name = nameTemplate;
    name.replace(QLatin1String("{table}"), model.table);
    name.replace(QLatin1String("{schema}"), model.schema);
    return name;
}

} // namespace

void Registry::addModel(Model model)
{
    if (model.name.trimmed().isEmpty())
        throw Error(Error::Kind::Configuration, QStringLiteral("a model needs a name"));
    std::lock_guard lock(m_modelsMutex);
    for (const Model &known : std::as_const(m_declared))
        if (known.name == model.name)
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("there is already a model named '%1'").arg(model.name));
    model.origin = ModelOrigin::Declared;
    m_declared << std::move(model);
}

QList<Model> Registry::models() const
{
    std::lock_guard lock(m_modelsMutex);
    return m_declared;
}

void Registry::addTenantModel(Model model)
{
    if (model.name.trimmed().isEmpty())
        throw Error(Error::Kind::Configuration, QStringLiteral("a tenant model needs a name"));
    std::lock_guard lock(m_modelsMutex);
    for (const Model &known : std::as_const(m_tenant))
        if (known.name == model.name)
            throw Error(
                Error::Kind::Configuration,
                QStringLiteral("there is already a tenant model named '%1'").arg(model.name));
    model.origin = ModelOrigin::Tenant;
    model.schema.clear(); // it lives in every tenant schema, not in one of its own
    m_tenant << std::move(model);
}

QList<Model> Registry::tenantModels() const
{
    std::lock_guard lock(m_modelsMutex);
    return m_tenant;
}

void Registry::addReflectRule(ReflectRule rule)
{
    for (const QRegularExpression *pattern : {&rule.include, &rule.exclude})
        if (!pattern->isValid())
            throw Error(Error::Kind::Configuration,
                        QStringLiteral("reflection rule: invalid pattern '%1': %2")
                            .arg(pattern->pattern(), pattern->errorString()));
    if (rule.nameTemplate.isEmpty())
        rule.nameTemplate = QStringLiteral("{table}");
    std::lock_guard lock(m_modelsMutex);
    m_rules << std::move(rule);
}

QList<ReflectRule> Registry::reflectRules() const
{
    std::lock_guard lock(m_modelsMutex);
    return m_rules;
}

Database *Registry::findDatabase(const QString &name) const
{
    if (name.isEmpty())
        return m_primary.data();
    return extraNames().contains(name) ? database(name) : nullptr;
}

Database *Registry::databaseNamed(const QString &name) const
{
    return name.isEmpty() ? m_primary.data() : database(name);
}

void Registry::checkStillHeld(const QString &name, const QPointer<Database> &database,
                              const QString &during) const
{
    // What was read from a database removed (or replaced under the same name) meanwhile must
    // not land in the cache of the name.
    bool same = false;
    try {
        same = database && databaseNamed(name) == database.data();
    } catch (const Error &) {
    }
    if (!same)
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("database '%1' was removed while %2").arg(name, during));
}

QList<Model> Registry::applyRules(const QString &database, const QString &schema,
                                  QList<Model> listed) const
{
    QList<ReflectRule> rules;
    {
        std::lock_guard lock(m_modelsMutex);
        for (const ReflectRule &rule : m_rules)
            if (rule.database == database && rule.schema == schema)
                rules << rule;
    }
    QList<Model> kept;
    kept.reserve(listed.size());
    for (Model &model : listed) {
        model.database = database;
        if (rules.isEmpty()) {
            kept << std::move(model);
            continue;
        }
        for (const ReflectRule &rule : std::as_const(rules)) {
            if (!ruleKeeps(rule, model.table))
                continue;
            model.name = applyTemplate(rule.nameTemplate, model);
            kept << std::move(model);
            break;
        }
    }
    return kept;
}

QCoro::Task<QList<Model>> Registry::reflectedModels(QString database, QString schema)
{
    co_return co_await reflect(database, schema, false);
}

QCoro::Task<QList<Model>> Registry::modelsOf(QString database, QString schema)
{
    QList<Model> reflected = co_await reflectedModels(database, schema);
    co_return withOrigins(database, schema, std::move(reflected));
}

QCoro::Task<QList<Model>> Registry::refreshModelsOf(QString database, QString schema)
{
    QList<Model> reflected = co_await reflect(database, schema, true);
    co_return withOrigins(database, schema, std::move(reflected));
}

QList<Model> Registry::withOrigins(const QString &database, const QString &schema,
                                   QList<Model> reflected) const
{
    const bool defaultSchema =
        schema.isEmpty() || schema == QLatin1String("main") || schema == QLatin1String("public");
    const QList<Model> declared = models();
    const QList<Model> tenant = tenantModels();
    for (Model &model : reflected) {
        if (database.isEmpty() && defaultSchema)
            for (const Model &candidate : declared)
                if (candidate.table == model.table) {
                    Model marked = candidate;
                    marked.schema = model.schema;
                    model = marked;
                }
        if (!defaultSchema)
            for (const Model &candidate : tenant)
                if (candidate.table == model.table) {
                    Model marked = candidate;
                    marked.schema = schema;
                    marked.origin = ModelOrigin::Tenant;
                    model = marked;
                }
    }
    return reflected;
}

QCoro::Task<QList<Model>> Registry::reflect(QString database, QString schema, bool refresh)
{
    const ReflectKey key{database, schema};
    if (!refresh) {
        std::optional<QList<Model>> cached;
        {
            std::lock_guard lock(m_modelsMutex);
            if (const auto it = m_reflected.find(key); it != m_reflected.end())
                cached = it->second;
        }
        if (cached)
            co_return *cached;
    }
    Database *db = databaseNamed(database);
    const QPointer<Database> guarded = db;
    const QList<Model> listed = co_await reflection::listModels(db, schema);
    checkStillHeld(database, guarded, QStringLiteral("its models were listed"));
    QList<Model> kept = applyRules(database, schema, listed);
    {
        std::lock_guard lock(m_modelsMutex);
        m_reflected[key] = kept;
    }
    emit modelsReflected(database, schema);
    co_return kept;
}

QList<Model> Registry::cachedReflectedModels(const QString &database, const QString &schema) const
{
    std::lock_guard lock(m_modelsMutex);
    const auto it = m_reflected.find(ReflectKey{database, schema});
    return it == m_reflected.end() ? QList<Model>() : it->second;
}

QCoro::Task<Model> Registry::loadFields(Model model)
{
    if (model.fieldsLoaded)
        co_return model;
    const auto sameModel = [&model](const Model &cached) {
        return cached.database == model.database && cached.schema == model.schema &&
               cached.table == model.table;
    };
    std::optional<Model> hit;
    {
        std::lock_guard lock(m_modelsMutex);
        for (const auto &[key, models] : m_reflected)
            for (const Model &cached : models)
                if (!hit && cached.fieldsLoaded && sameModel(cached))
                    hit = cached;
    }
    if (hit)
        co_return *hit;
    Database *db = databaseNamed(model.database);
    const QPointer<Database> guarded = db;
    Model loaded = co_await reflection::loadModel(db, model.schema, model.table);
    checkStillHeld(model.database, guarded,
                   QStringLiteral("the fields of '%1' were read").arg(model.name));
    loaded.name = model.name; // the rules' name, not the table's
    loaded.database = model.database;
    loaded.origin = ModelOrigin::Reflected;
    loaded.fieldsLoaded = true;
    {
        std::lock_guard lock(m_modelsMutex);
        for (auto &[key, models] : m_reflected)
            for (Model &cached : models)
                if (sameModel(cached))
                    cached = loaded;
    }
    co_return loaded;
}

void Registry::forgetReflected()
{
    std::lock_guard lock(m_modelsMutex);
    m_reflected.clear();
}

std::optional<Model> Registry::findModel(const QString &name) const
{
    std::lock_guard lock(m_modelsMutex);
    for (const Model &model : m_declared)
        if (model.name == name)
            return model;
    for (const auto &[key, models] : m_reflected)
        for (const Model &model : models)
            if (model.name == name)
                return model;
    for (const Model &model : m_tenant)
        if (model.name == name)
            return model;
    return std::nullopt;
}

QCoro::Task<> Registry::reflectQuietly(QString database, QString schema)
{
    try {
        co_await reflect(database, schema, true);
    } catch (const std::exception &error) {
        qCWarning(lcRegistry).noquote()
            << "could not reflect the models of"
            << (database.isEmpty() ? QStringLiteral("the primary database")
                                   : QStringLiteral("database '%1'").arg(database))
            << (schema.isEmpty() ? QStringLiteral("(default schema)")
                                 : QStringLiteral("schema '%1'").arg(schema))
            << "at connect:" << error.what();
    }
}

QCoro::Task<> Registry::reflectAtConnect()
{
    QList<ReflectKey> keys;
    for (const ReflectRule &rule : reflectRules())
        if (!keys.contains(ReflectKey{rule.database, rule.schema}))
            keys << ReflectKey{rule.database, rule.schema};
    // Concurrent, like connect: every task starts before any is awaited.
    std::vector<QCoro::Task<>> running;
    for (const ReflectKey &key : std::as_const(keys)) {
        Database *db = nullptr;
        try {
            db = databaseNamed(key.first);
        } catch (const Error &error) {
            qCWarning(lcRegistry).noquote() << "reflection rule:" << error.message();
            continue;
        }
        if (holdsConnected(db)) // lenient mode: skip the databases that failed
            running.push_back(reflectQuietly(key.first, key.second));
    }
    for (auto &task : running)
        co_await task;
}

} // namespace orm
