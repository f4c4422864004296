#pragma once

// The hosts one connect goes through, in the URL's order, as libpq tries them in turn.

#include "orm/core/database_url.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QString>
#include <QStringList>

namespace orm::drivers::postgres {

class HostList {
public:
    // The URL's hosts with one address each: its ?hostaddr= entries, else each name that needs
    // a lookup resolved off the thread (resolve_host.h; libpq would block on it). A host list
    // skips names that do not resolve, as libpq does, keeping why in notes(); a single host,
    // or a list none of which resolves, throws Error(ConnectionFailed) naming them.
    static QCoro::Task<HostList> resolve(DatabaseUrl url, QString displayUrl);

    // What is left to try, for ConnectParameters.
    QList<DatabaseUrl::HostPort> hosts() const;
    QStringList addresses() const;
    // The host libpq is on (by its position in hosts()).
    const DatabaseUrl::HostPort &current() const { return m_all[m_left[m_current]].host; }

    // libpq reports the host it is trying (PQhost, PQport): a different one than last time
    // means it moved on. True when it did. Consecutive equal entries look like one.
    bool follow(const QString &hostAndPort);
    // The current host did not answer in time: what is left is the hosts after it (or, for
    // prefer-standby, whose second pass takes any server, all but those that timed out).
    // `why` joins notes(). False when nothing is left.
    bool dropCurrent(const QString &why, bool preferStandby);

    // What happened to the hosts given up on before libpq's own message, one line each.
    const QStringList &notes() const { return m_notes; }

private:
    struct Entry {
        DatabaseUrl::HostPort host;
        QString address;
        bool timedOut = false;
    };
    QList<Entry> m_all;
    QList<qsizetype> m_left; // indexes into m_all, in order
    qsizetype m_current = 0; // index into m_left
    QString m_seen;          // what libpq last reported
    QStringList m_notes;
};

} // namespace orm::drivers::postgres
