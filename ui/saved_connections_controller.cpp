#include "saved_connections_controller.h"

#include "launch_task.h"
#include "password_store.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"

#include <memory>
#include <vector>

namespace strata::ui {

SavedConnectionsController::SavedConnectionsController(orm::Registry *registry, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_path(SavedConnections::defaultPath())
    , m_passwords{[](const QString &name, const QString &password, QString *error) {
                      return storePassword(name, password, error);
                  },
                  [](const QString &name) { return forgetPassword(name); }}
{
}

SavedConnectionsController::~SavedConnectionsController() = default;

QStringList SavedConnectionsController::uncommittedWork(const orm::Database *database) const
{
    return m_probe ? m_probe(database) : QStringList();
}

QStringList SavedConnectionsController::uncommittedWorkOn(const QStringList &extras) const
{
    QStringList pending;
    if (!m_probe)
        return pending;
    for (const QString &name : extras)
        if (m_registry->extraNames().contains(name))
            pending << m_probe(m_registry->database(name));
    return pending;
}

bool SavedConnectionsController::ask(const QString &title, const QString &question) const
{
    return m_confirm && m_confirm(title, question);
}

QList<SavedConnection> SavedConnectionsController::load(LogPane::Level level, bool *ok)
{
    SavedConnections saved(m_path);
    if (ok)
        *ok = true;
    try {
        saved.load();
    } catch (const orm::Error &error) {
        emit logged(level, error.toString());
        if (ok)
            *ok = false;
    }
    return saved.connections();
}

bool SavedConnectionsController::save(const SavedConnection &connection, const QString &password,
                                      const QString &previousName)
{
    const bool renamed = !previousName.isEmpty() && previousName != connection.name;
    const QString replaced = previousName.isEmpty() ? connection.name : previousName;
    // An empty password field keeps the password: the open database's (never the keyring's
    // here, whose reads may block), moved to the new name on a rename.
    const QString kept = password.isEmpty() ? openPassword(replaced) : password;
    // Replacing an open database closes it: ask first when that would roll work back.
    if (const QStringList pending = uncommittedWorkOn({replaced, connection.name});
        !pending.isEmpty() &&
        !ask(tr("Uncommitted work"),
             tr("Saving %1 closes its open database, and these transactions on it hold "
                "uncommitted work, which closing rolls back:\n\n%2\n\nSave anyway?")
                 .arg(replaced, pending.join(QLatin1Char('\n'))))) {
        emit logged(LogPane::Level::Info, tr("The connection %1 was not saved: its open database "
                                             "holds uncommitted work.")
                                              .arg(connection.name));
        return false;
    }
    SavedConnections saved(m_path);
    try {
        saved.load();
        if (renamed) {
            saved.remove(previousName);
            if (m_passwords.forget)
                m_passwords.forget(previousName);
        }
        SavedConnection stored = connection;
        stored.url = withoutPassword(connection.url);
        if (stored.primary) // one primary at most
            for (SavedConnection other : saved.connections())
                if (other.name != stored.name && other.primary) {
                    other.primary = false;
                    saved.put(other);
                }
        saved.put(stored);
        saved.save();
    } catch (const orm::Error &error) {
        emit logged(
            LogPane::Level::Error,
            tr("Saving the connection %1 failed: %2").arg(connection.name, error.toString()));
        return false;
    }
    QString note;
    const QString stored = renamed ? kept : password;
    if (!stored.isEmpty() && m_passwords.store) {
        QString error;
        if (!m_passwords.store(connection.name, stored, &error))
            note = tr(" The password was not kept (%1): it will be asked for.").arg(error);
        else
            note = tr(" Its password is in the system keyring.");
    }
    const bool primary =
        !m_primary.isEmpty() && (replaced == m_primary || connection.name == m_primary);
    if (primary) {
        // The registry's primary database cannot be swapped while the program runs.
        if (replaced == m_primary)
            m_primary = connection.name;
        else if (m_registry->extraNames().contains(replaced))
            apply({replaced}, QString(), QString()); // renamed onto the primary's
        emit logged(LogPane::Level::Info,
                    tr("Saved connection %1 (%2) in %3; it is the primary database, which "
                       "changes at the next start.%4")
                        .arg(connection.name, withoutPassword(connection.url), m_path, note));
        emit savedChanged();
        return true;
    }
    if (connection.primary)
        note += tr(" It opens as the primary database from the next start on.");
    emit logged(LogPane::Level::Info,
                tr("Saved connection %1 (%2) in %3; it applies now.%4")
                    .arg(connection.name, withoutPassword(connection.url), m_path, note));
    emit savedChanged();

    QStringList removed;
    const QStringList open = m_registry->extraNames();
    for (const QString &name : {replaced, connection.name})
        if (open.contains(name) && !removed.contains(name))
            removed << name;
    // As stored (a password typed into the URL is dropped as it is from the file), then with
    // the password given or kept.
    QString url = withoutPassword(connection.url);
    if (!kept.isEmpty()) {
        try {
            url = orm::DatabaseUrl::parse(url).withPassword(kept).toString();
        } catch (const orm::Error &) {
            // addExtra reports the bad URL
        }
    }
    apply(removed, connection.name, url);
    return true;
}

bool SavedConnectionsController::remove(const QString &name)
{
    SavedConnections saved(m_path);
    try {
        saved.load();
        if (!saved.remove(name)) {
            emit logged(LogPane::Level::Warning, tr("No saved connection named %1").arg(name));
            return false;
        }
        saved.save();
    } catch (const orm::Error &error) {
        emit logged(LogPane::Level::Error,
                    tr("Removing the connection %1 failed: %2").arg(name, error.toString()));
        return false;
    }
    if (m_passwords.forget)
        m_passwords.forget(name);
    emit savedChanged();
    if (!m_primary.isEmpty() && name == m_primary) {
        emit logged(LogPane::Level::Info,
                    tr("Removed the saved connection %1 from %2 (and its keyring entry); it is "
                       "the primary database, which stays open until the next start.")
                        .arg(name, m_path));
        return true;
    }
    emit logged(LogPane::Level::Info, tr("Removed the saved connection %1 from %2 (and its "
                                         "keyring entry).")
                                          .arg(name, m_path));
    if (m_registry->extraNames().contains(name))
        apply({name}, QString(), QString());
    return true;
}

void SavedConnectionsController::confirmAndRemove(const QString &name)
{
    QString question =
        tr("Remove the saved connection '%1' and its password from the keyring?").arg(name);
    if (name != m_primary && m_registry->extraNames().contains(name))
        question += tr(" Its open database closes now.");
    if (const QStringList pending = uncommittedWorkOn({name}); !pending.isEmpty())
        question += tr("\n\nThese transactions on it hold uncommitted work, which closing rolls "
                       "back:\n\n%1")
                        .arg(pending.join(QLatin1Char('\n')));
    if (ask(tr("Remove saved connection"), question))
        remove(name);
}

// The databases a change replaces leave first (each removeExtra takes its name out of the
// registry, emitting extraRemoved, before its first suspension), the new definition takes the
// name at once, and it is connected once the old ones are closed.
void SavedConnectionsController::apply(const QStringList &removed, const QString &added,
                                       const QString &url)
{
    // Decided before the removals, which make the window fall back to the primary.
    const bool activate = removed.contains(m_active);
    std::vector<QCoro::Task<>> removals;
    for (const QString &name : removed)
        removals.push_back(m_registry->removeExtra(name));
    QPointer<orm::Database> db;
    if (!added.isEmpty()) {
        try {
            db = m_registry->addExtra(added, url);
        } catch (const orm::Error &error) {
            emit logged(LogPane::Level::Error,
                        QStringLiteral("%1: %2").arg(tr("Opening %1").arg(added),
                                                     maskSecrets(error.toString())));
        }
        if (db && activate)
            emit activateRequested(added);
    }
    if (removals.empty()) {
        connectAdded(added, db);
        return;
    }
    auto left = std::make_shared<std::size_t>(removals.size());
    const auto closed = [this, left, added, db] {
        if (--*left == 0)
            connectAdded(added, db);
    };
    for (QCoro::Task<> &removal : removals)
        launchTask(this, std::move(removal), closed, [this, closed](const TaskFailure &failure) {
            emit logged(LogPane::Level::Error,
                        QStringLiteral("%1: %2").arg(tr("Removing a database"),
                                                     maskSecrets(failure.message)));
            closed();
        });
}

void SavedConnectionsController::connectAdded(const QString &added, orm::Database *database)
{
    // Unless the registry is not connected (its connect() will), or the name went meanwhile.
    if (!database || !m_registry || !m_registry->isConnected() ||
        m_registry->findDatabase(added) != database)
        return;
    // A failure shows as the database's state (menu, tree, log): nothing more to say.
    launchTask(
        this, m_registry->reconnect(added), [] {}, [](const TaskFailure &) {});
}

QString SavedConnectionsController::openPassword(const QString &name) const
{
    orm::Database *db = name.isEmpty() ? nullptr : m_registry->findDatabase(name);
    return db ? db->url().password() : QString();
}

bool SavedConnectionsController::rememberPassword(const QString &database, const QString &password)
{
    const QString saved = database.isEmpty() ? m_primary : database;
    if (saved.isEmpty() || !m_passwords.store)
        return false;
    bool known = false;
    for (const SavedConnection &connection : load(LogPane::Level::Warning))
        known |= connection.name == saved;
    if (!known)
        return false;
    QString error;
    if (!m_passwords.store(saved, password, &error)) {
        emit logged(
            LogPane::Level::Warning,
            tr("The password of %1 could not be kept in the keyring: %2").arg(saved, error));
        return false;
    }
    return true;
}

} // namespace strata::ui
