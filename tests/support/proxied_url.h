#pragma once

// The test PostgreSQL server's URL rewritten to go through a loopback TcpProxy (latency, cuts).

#include "support/tcp_proxy.h"

#include "orm/core/database_url.h"

#include <QString>
#include <QUrl>

namespace strata::test {

inline QString throughProxy(const QString &postgresUrl, const TcpProxy &proxy)
{
    const orm::DatabaseUrl pg = orm::DatabaseUrl::parse(postgresUrl);
    const auto encoded = [](const QString &part) {
        return QString::fromLatin1(QUrl::toPercentEncoding(part));
    };
    return QStringLiteral("postgresql://%1:%2@127.0.0.1:%3/%4")
        .arg(encoded(pg.user()), encoded(pg.password()), QString::number(proxy.listenPort()),
             encoded(pg.databaseName()));
}

} // namespace strata::test
