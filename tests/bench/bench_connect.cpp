// Scenario "connect": a Registry of a primary and two extra databases, each reached through its
// own TcpProxy adding 200 ms per hop, against one Database connecting through such a proxy
// ("single"). Registry::connect opens its databases concurrently, so the ratio should stay
// near 1.

#include "scenarios.h"
#include "support/await.h"
#include "support/tcp_proxy.h"

#include "orm/core/database_url.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

namespace strata::bench {
namespace {

using namespace std::chrono_literals;

constexpr auto kLatency = 200ms;
constexpr int kRounds = 2;
constexpr int kExtras = 2;
constexpr int kTimeoutMs = 5 * 60 * 1000;

[[noreturn]] void fail(const QString &message)
{
    throw std::runtime_error(message.toStdString());
}

QCoro::Task<double> connectSingle(QString url)
{
    orm::Database database(url);
    const Stopwatch clock;
    co_await database.connect();
    const double seconds = clock.seconds();
    co_await database.disconnect();
    co_return seconds;
}

QCoro::Task<double> connectRegistry(QString primaryUrl, QStringList extraUrls)
{
    orm::Registry registry(primaryUrl);
    for (int i = 0; i < extraUrls.size(); ++i)
        registry.addExtra(QStringLiteral("extra%1").arg(i + 1), extraUrls[i]);
    const Stopwatch clock;
    const QList<orm::ConnectOutcome> outcomes = co_await registry.connect();
    const double seconds = clock.seconds();
    for (const orm::ConnectOutcome &outcome : outcomes)
        if (!outcome.ok())
            fail(QStringLiteral("registry connect: %1").arg(outcome.error->toString()));
    co_await registry.disconnect();
    co_return seconds;
}

} // namespace

void runConnect(const Context &context, Backend backend)
{
    if (backend != Backend::Postgres)
        return;
    const Report report(QStringLiteral("connect"), backend);
    const orm::DatabaseUrl target = orm::DatabaseUrl::parse(context.pgUrl);
    if (!target.option(QStringLiteral("host")).isEmpty())
        fail(QStringLiteral("connect needs a TCP host in the URL, not a socket directory"));
    const QString host = target.host().isEmpty() ? QStringLiteral("127.0.0.1") : target.host();
    const quint16 port = quint16(target.port() ? target.port() : 5432);

    // One proxy per database, as if each lived on its own distant server.
    std::vector<std::unique_ptr<strata::test::TcpProxy>> proxies;
    QStringList urls;
    for (int i = 0; i < 1 + kExtras; ++i) {
        proxies.push_back(std::make_unique<strata::test::TcpProxy>(host, port, kLatency));
        if (!proxies.back()->listenPort())
            fail(QStringLiteral("the proxy could not listen"));
        urls +=
            withHostPort(context.pgUrl, QStringLiteral("127.0.0.1"), proxies.back()->listenPort());
    }

    double single = 0;
    double registry = 0;
    for (int round = 1; round <= kRounds; ++round) {
        const double s = strata::test::await(connectSingle(urls.first()), kTimeoutMs);
        single = round == 1 ? s : std::min(single, s);
        const double r =
            strata::test::await(connectRegistry(urls.first(), urls.mid(1)), kTimeoutMs);
        registry = round == 1 ? r : std::min(registry, r);
        note(QStringLiteral("connect/postgres: round %1 single %2 s, registry of %3 %4 s "
                            "(%5 ms proxy latency)")
                 .arg(round)
                 .arg(s, 0, 'f', 3)
                 .arg(1 + kExtras)
                 .arg(r, 0, 'f', 3)
                 .arg(kLatency.count()));
    }

    report.value(QStringLiteral("time"), registry, QStringLiteral("s"));
    report.reference(QStringLiteral("time"), QStringLiteral("single"), single, QStringLiteral("s"));
    report.ratio(QStringLiteral("time"), QStringLiteral("single"), registry, single);
}

} // namespace strata::bench
