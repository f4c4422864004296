#pragma once

// Saved connections: a JSON file in the user's config directory (or --config FILE), never
// holding a password. Passwords live in the system keyring (PasswordStore) or are asked for.
//
//   {"connections": [{"name": "shop", "url": "postgresql://ann@db/shop", "primary": true},
//                    {"name": "archive", "url": "sqlite:////srv/archive.db"}]}

#include <QList>
#include <QString>

namespace strata::ui {

struct SavedConnection {
    QString name;
    QString url; // without the password
    bool primary = false;
};

class SavedConnections {
public:
    // connections.json in QStandardPaths::AppConfigLocation.
    static QString defaultPath();

    explicit SavedConnections(QString path = defaultPath());

    const QString &path() const { return m_path; }
    // A missing file is an empty list; a malformed one throws orm::Error(Configuration).
    void load();
    // Strips any password before writing.
    void save() const;

    const QList<SavedConnection> &connections() const { return m_connections; }
    void setConnections(QList<SavedConnection> connections)
    {
        m_connections = std::move(connections);
    }
    // Replaces the connection of the same name, or appends.
    void put(SavedConnection connection);
    bool remove(const QString &name);

private:
    QString m_path;
    QList<SavedConnection> m_connections;
};

// The URL without its password (what may be written to disk or shown).
QString withoutPassword(const QString &url);

} // namespace strata::ui
