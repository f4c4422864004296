#include "orm/drivers/postgres/postgres_host_list.h"

#include "orm/core/error.h"
#include "orm/drivers/postgres/resolve_host.h"

namespace orm::drivers::postgres {

QCoro::Task<HostList> HostList::resolve(DatabaseUrl url, QString displayUrl)
{
    HostList list;
    const QList<DatabaseUrl::HostPort> &hosts = url.hosts();
    // The parse made sure a ?hostaddr= list has one entry per host.
    const QStringList given = url.options().contains(QStringLiteral("hostaddr"))
                                  ? url.option(QStringLiteral("hostaddr")).split(QLatin1Char(','))
                                  : QStringList();
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        Entry entry{hosts[i], given.value(i)};
        if (given.isEmpty() && !orm::detail::isNumericOrLocalHost(hosts[i].host)) {
            if (hosts.size() == 1) {
                entry.address = co_await orm::detail::resolveHost(hosts[i].host, displayUrl);
            } else {
                try {
                    entry.address = co_await orm::detail::resolveHost(hosts[i].host, displayUrl);
                } catch (const Error &error) {
                    list.m_notes << error.message();
                    continue;
                }
            }
        }
        list.m_left << list.m_all.size();
        list.m_all << entry;
    }
    if (list.m_left.isEmpty())
        throw Error(Error::Kind::ConnectionFailed, list.m_notes.join(QLatin1Char('\n')),
                    displayUrl);
    co_return list;
}

QList<DatabaseUrl::HostPort> HostList::hosts() const
{
    QList<DatabaseUrl::HostPort> out;
    for (qsizetype i : m_left)
        out << m_all[i].host;
    return out;
}

QStringList HostList::addresses() const
{
    QStringList out;
    for (qsizetype i : m_left)
        out << m_all[i].address;
    return out;
}

bool HostList::follow(const QString &hostAndPort)
{
    if (hostAndPort == m_seen)
        return false;
    // The first report is the first host; prefer-standby's second pass starts over.
    if (!m_seen.isNull())
        m_current = (m_current + 1) % m_left.size();
    m_seen = hostAndPort;
    return true;
}

bool HostList::dropCurrent(const QString &why, bool preferStandby)
{
    m_notes << why;
    m_all[m_left[m_current]].timedOut = true;
    QList<qsizetype> left;
    if (preferStandby) {
        for (qsizetype i : m_left)
            if (!m_all[i].timedOut)
                left << i;
    } else {
        left = m_left.mid(m_current + 1);
    }
    if (left.isEmpty())
        return false;
    m_left = left;
    m_current = 0;
    m_seen = QString();
    return true;
}

} // namespace orm::drivers::postgres
