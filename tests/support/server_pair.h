#pragma once

// A primary/standby pair of a test's own, made by with-postgres.sh's pair.sh (initdb,
// pg_basebackup -R; same user and password as the test server), for tests that destroy it:
//   const QStringList ports = test::runPair({"create", "name"}).split(u' ');
//   test::runPair({"stop-primary", "name"}); test::runPair({"promote", "name"});

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "orm/core/database_url.h"

namespace strata::test {

inline QString pairScript()
{
    return qEnvironmentVariable("STRATA_TEST_PG_PAIR");
}

// What pair.sh printed, trimmed; empty when it failed.
inline QString runPair(const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel); // why it failed, in the log
    process.start(pairScript(), arguments);
    if (!process.waitForFinished(120000) || process.exitCode() != 0)
        return {};
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

// A multi-host URL over the pair that wants the primary, with base's user and password.
inline QString pairUrl(const QString &base, const QStringList &ports)
{
    const orm::DatabaseUrl server = orm::DatabaseUrl::parse(base);
    return QStringLiteral("postgresql://%1:%2@127.0.0.1:%3,127.0.0.1:%4/postgres"
                          "?target_session_attrs=read-write&connect_timeout=2")
        .arg(server.user(), QString::fromLatin1(QUrl::toPercentEncoding(server.password())),
             ports.value(0), ports.value(1));
}

} // namespace strata::test
