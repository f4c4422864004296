#include "orm/drivers/postgres/postgres_conninfo.h"

#include <algorithm>

namespace orm::drivers::postgres {

ConnectParameters::ConnectParameters(const DatabaseUrl &u,
                                     const QList<DatabaseUrl::HostPort> &hosts,
                                     const QStringList &addresses)
{
    // libpq's lists: entry i of each is host i; an empty entry is libpq's default (the socket
    // directory, port 5432, the name's own lookup).
    QStringList names;
    QStringList ports;
    for (const DatabaseUrl::HostPort &h : hosts) {
        names << h.host;
        ports << (h.port > 0 ? QString::number(h.port) : QString());
    }
    const auto anyGiven = [](const QStringList &list) {
        return std::any_of(list.begin(), list.end(), [](const QString &e) { return !e.isEmpty(); });
    };
    if (anyGiven(names) || hosts.size() > 1)
        add("host", names.join(QLatin1Char(',')));
    if (anyGiven(addresses))
        add("hostaddr", addresses.join(QLatin1Char(',')));
    if (anyGiven(ports))
        add("port", ports.join(QLatin1Char(',')));
    if (!u.databaseName().isEmpty())
        add("dbname", u.databaseName());
    if (!u.user().isEmpty())
        add("user", u.user());
    if (u.hasPassword())
        add("password", u.password());
    for (auto it = u.options().cbegin(); it != u.options().cend(); ++it)
        if (it.key() != QLatin1String("hostaddr"))
            add(it.key().toUtf8().constData(), it.value());
    if (!u.options().contains(QStringLiteral("application_name")))
        add("application_name", QStringLiteral("strata"));
    // A link that goes silent (a cut cable, a dropped NAT entry) is noticed within about a
    // minute instead of the system's two hours; the URL may say otherwise.
    const auto keepalive = [&u, this](const char *key, const char *value) {
        if (!u.options().contains(QLatin1String(key)))
            add(key, QLatin1String(value));
    };
    keepalive("keepalives", "1");
    keepalive("keepalives_idle", "30");
    keepalive("keepalives_interval", "10");
    keepalive("keepalives_count", "3");
    // Cells are stored as UTF-8 bytes.
    if (!u.options().contains(QStringLiteral("client_encoding")))
        add("client_encoding", QStringLiteral("UTF8"));
    for (size_t i = 0; i < m_keywords.size(); ++i) {
        m_keywordPointers.push_back(m_keywords[i].constData());
        m_valuePointers.push_back(m_values[i].constData());
    }
    m_keywordPointers.push_back(nullptr);
    m_valuePointers.push_back(nullptr);
}

void ConnectParameters::add(const char *key, const QString &value)
{
    m_keywords.emplace_back(key);
    m_values.push_back(value.toUtf8());
}

void ConnectParameters::clear()
{
    m_valuePointers.clear();
    m_values.clear();
}

} // namespace orm::drivers::postgres
