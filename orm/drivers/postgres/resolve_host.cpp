#include "orm/drivers/postgres/resolve_host.h"

#include "orm/core/error.h"
#include "orm/core/thread_context.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <thread>

namespace orm::detail {
namespace {

// Shared by the helper thread and the awaiting coroutine; the mutex orders the hand-off.
struct Lookup {
    std::mutex mutex;
    QString address;
    QString failure;
};

struct LookupAwaiter {
    QByteArray host;
    std::shared_ptr<Lookup> lookup = std::make_shared<Lookup>();

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle)
    {
        QObject *context = threadContext();
        std::thread([host = host, lookup = lookup, context, handle] {
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_socktype = SOCK_STREAM;
            addrinfo *found = nullptr;
            const int rc = getaddrinfo(host.constData(), nullptr, &hints, &found);
            {
                std::lock_guard lock(lookup->mutex);
                if (rc != 0 || !found) {
                    lookup->failure = QString::fromLocal8Bit(gai_strerror(rc));
                } else {
                    char text[INET6_ADDRSTRLEN] = {};
                    getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0,
                                NI_NUMERICHOST);
                    lookup->address = QString::fromLatin1(text);
                }
            }
            if (found)
                freeaddrinfo(found);
            resumeOn(context, handle);
        }).detach(); // owns copies of everything it touches
    }
    void await_resume() const noexcept {}
};

} // namespace

bool isNumericOrLocalHost(const QString &host)
{
    if (host.isEmpty() || host.startsWith(QLatin1Char('/')))
        return true;
    const QByteArray latin = host.toLatin1();
    in6_addr buffer;
    return inet_pton(AF_INET, latin.constData(), &buffer) == 1 ||
           inet_pton(AF_INET6, latin.constData(), &buffer) == 1;
}

QCoro::Task<QString> resolveHost(QString host, QString displayUrl)
{
    LookupAwaiter awaiter{host.toUtf8()};
    const std::shared_ptr<Lookup> lookup = awaiter.lookup;
    co_await awaiter;
    std::lock_guard lock(lookup->mutex);
    if (!lookup->failure.isEmpty())
        throw Error(Error::Kind::ConnectionFailed,
                    QStringLiteral("could not resolve host '%1': %2").arg(host, lookup->failure),
                    displayUrl);
    co_return lookup->address;
}

} // namespace orm::detail
