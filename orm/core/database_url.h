#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace orm {

// A parsed database URL:
//   postgresql://user:password@host:port/dbname?sslmode=require&connect_timeout=5
//   postgres://...   (same), [::1] for IPv6 hosts, ?host=/run/postgresql for a socket directory
//   postgresql://h1:5432,[::1]:5433,h3/db   a host list, tried in order (as libpq does), also as
//   ?host=h1,h2&port=5432,5433 (one port for all hosts, or one per host) or ?hostaddr= lists
//   sqlite:///relative/path.db   sqlite:////absolute/path.db   sqlite://:memory:
// Parts may be percent-encoded; the password may also come as ?password= (as libpq takes it),
// and may hold unencoded '@', '/', '?' or ':' (the user info ends at the last '@' before the
// query). parse() throws orm::Error(InvalidUrl) saying what is wrong, never quoting the user
// info or a secret option (orm/core/secrets.h).
class DatabaseUrl {
public:
    enum class Backend { Postgres, Sqlite };

    DatabaseUrl() = default;
    static DatabaseUrl parse(const QString &text);

    bool isNull() const { return m_scheme.isEmpty(); }
    Backend backend() const { return m_backend; }
    const QString &scheme() const { return m_scheme; }

    // One entry of a PostgreSQL host list; an empty host (or 0 for the port) means libpq's
    // default.
    struct HostPort {
        QString host;
        int port = 0;
        bool operator==(const HostPort &) const = default;
    };

    // PostgreSQL parts; empty (or 0 for the port) means libpq's default.
    const QString &user() const { return m_user; }
    const QString &password() const { return m_password; }
    bool hasPassword() const { return m_hasPassword; }
    // The hosts in the order libpq tries them: at least one for PostgreSQL (ports filled in
    // when the URL gives one port for all), none for SQLite.
    const QList<HostPort> &hosts() const { return m_hosts; }
    bool isHostList() const { return m_hosts.size() > 1; }
    // The first host and its port: the only ones unless isHostList().
    const QString &host() const;
    int port() const { return m_hosts.isEmpty() ? 0 : m_hosts.first().port; }
    // The hosts as "h1:5432,[::1]:5433,h3" (ports left out when default): for messages.
    QString hostsText() const;
    const QString &databaseName() const { return m_database; }

    // SQLite: the file path as given (relative or absolute), or ":memory:".
    const QString &path() const { return m_path; }
    bool isMemory() const { return m_path == QLatin1String(":memory:"); }

    // Query options (sslmode, connect_timeout, host, application_name, create, ...).
    const QMap<QString, QString> &options() const { return m_options; }
    QString option(const QString &key, const QString &fallback = {}) const
    {
        return m_options.value(key, fallback);
    }
    // connect_timeout in seconds: as given (0: wait without a bound, as libpq reads it), else
    // the default, so that a host that never answers cannot hang anything.
    int connectTimeoutSeconds() const;
    static constexpr int kDefaultConnectTimeoutSeconds = 10;
    // The default for URLs that do not say, for the whole process (the window's Preferences
    // set it): kDefaultConnectTimeoutSeconds until set; clamped to 0..kMaxConnectTimeoutSeconds.
    // Thread-safe; connections opened from then on use it.
    static void setDefaultConnectTimeoutSeconds(int seconds);
    static int defaultConnectTimeoutSeconds();
    // The largest connect_timeout accepted: its milliseconds must fit a QTimer's int.
    static constexpr int kMaxConnectTimeoutSeconds = 2147483;

    DatabaseUrl withPassword(const QString &password) const;
    // Without the password and the secret options (sslpassword): what may be written to disk.
    DatabaseUrl withoutSecrets() const;

    // The URL with the password and secret options replaced by "***": safe for logs, titles
    // and messages.
    QString toDisplayString() const;
    // The full URL, password included: only for handing to a driver.
    QString toString() const;

    bool operator==(const DatabaseUrl &other) const { return toString() == other.toString(); }

private:
    QString build(bool maskPassword) const;

    Backend m_backend = Backend::Sqlite;
    QString m_scheme;
    QString m_user;
    QString m_password;
    bool m_hasPassword = false;
    QList<HostPort> m_hosts;
    QString m_database;
    QString m_path;
    QMap<QString, QString> m_options;
};

} // namespace orm
