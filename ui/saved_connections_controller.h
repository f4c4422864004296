#pragma once

// Saved connections applied to a running registry: adding, editing and removing one writes the
// file (SavedConnections), keeps its password in the keyring (PasswordKeeper) and changes the
// registry's extra databases at once. No widget here: questions go through a Confirm callback,
// what is worth telling through logged(), so it runs (and is tested) without a window.

#include "log_pane.h"
#include "saved_connections.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace orm {
class Database;
class Registry;
} // namespace orm

namespace strata::ui {

class SavedConnectionsController : public QObject {
    Q_OBJECT

public:
    // Where passwords go (the system keyring by default; tests put in a fake).
    struct PasswordKeeper {
        std::function<bool(const QString &name, const QString &password, QString *error)> store;
        std::function<bool(const QString &name)> forget;
    };
    // Descriptions of open transactions holding uncommitted work on `database` (on every
    // database when it is null); whoever opens them (the console pane) provides it.
    using UncommittedWorkProbe = std::function<QStringList(const orm::Database *database)>;
    // Asks the person a yes/no question; true for yes. Without one, every question is declined.
    using Confirm = std::function<bool(const QString &title, const QString &question)>;

    explicit SavedConnectionsController(orm::Registry *registry, QObject *parent = nullptr);
    ~SavedConnectionsController() override;

    // The file they live in (connections.json in the config directory unless set).
    void setPath(const QString &path) { m_path = path; }
    QString path() const { return m_path; }
    void setPasswordKeeper(PasswordKeeper keeper) { m_passwords = std::move(keeper); }
    void setUncommittedWorkProbe(UncommittedWorkProbe probe) { m_probe = std::move(probe); }
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    // The saved connection that the registry opened as its primary database (empty: none).
    void setPrimaryConnectionName(const QString &name) { m_primary = name; }
    QString primaryConnectionName() const { return m_primary; }
    // The database the window shows: an edit replacing it asks for its successor to be shown
    // (activateRequested).
    void setActiveDatabase(const QString &name) { m_active = name; }

    // What the probe reports for `database` (every database when null); empty without a probe.
    QStringList uncommittedWork(const orm::Database *database) const;
    // The saved connections in the file; a file that cannot be read is logged at `level`, sets
    // `ok` false and gives what was read before the fault.
    QList<SavedConnection> load(LogPane::Level level, bool *ok = nullptr);

    // Writes the connection (URL without password) to the file, replacing `previousName` (an
    // edit) or one of the same name, and its password to the keyring when one is given. False
    // (and a log line) on failure, or when the person declines to close an open database whose
    // console transactions hold uncommitted work (Confirm's question). It applies at once: the
    // registry's extra databases of those names are removed (extraRemoved now, their connections
    // close in the background), the connection is added under its name (with the password
    // given, or the replaced database's) and connected when the registry is. The saved
    // connection opened as the primary cannot be swapped while running: that change waits for
    // the next start, and the log says so.
    bool save(const SavedConnection &connection, const QString &password,
              const QString &previousName = {});
    // Removes a saved connection and its keyring entry, and the registry's extra database of
    // that name (as save() removes one).
    bool remove(const QString &name);
    // Asks first (naming uncommitted work on its open database), then removes on yes.
    void confirmAndRemove(const QString &name);
    // Keeps `password` in the keyring for the registry's database `database` ("" the primary)
    // when it was opened from a saved connection; false when it was not, or on failure.
    bool rememberPassword(const QString &database, const QString &password);

signals:
    void logged(strata::ui::LogPane::Level level, const QString &text);
    // The file changed: menus listing it are out of date.
    void savedChanged();
    // The database replacing the active one was added under `name`: show it.
    void activateRequested(const QString &name);

private:
    // What the probe reports for those of `extras` that are open extra databases.
    QStringList uncommittedWorkOn(const QStringList &extras) const;
    // Removes and adds registry databases for a change; the added one connects once the removed
    // ones are closed.
    void apply(const QStringList &removed, const QString &added, const QString &url);
    void connectAdded(const QString &added, orm::Database *database);
    // The password in the URL of the registry's extra database `name`, if any.
    QString openPassword(const QString &name) const;

    bool ask(const QString &title, const QString &question) const;

    QPointer<orm::Registry> m_registry;
    QString m_path;
    QString m_primary;
    QString m_active;
    PasswordKeeper m_passwords;
    UncommittedWorkProbe m_probe;
    Confirm m_confirm;
};

} // namespace strata::ui
