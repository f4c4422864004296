#include "orm/sync/async_env.h"

namespace orm {
namespace {

QCoro::Task<> connectStrict(Registry *registry)
{
    co_await registry->connect(Registry::ConnectMode::Strict);
}

QCoro::Task<> disconnectOnce(Registry *registry)
{
    co_await registry->disconnect();
}

} // namespace

AsyncEnv::AsyncEnv(Registry &registry, QThread *thread, std::chrono::milliseconds timeout)
    : m_registry(registry)
    , m_options{timeout, thread}
{
    runSync([registry = &m_registry] { return connectStrict(registry); }, m_options);
}

AsyncEnv::~AsyncEnv()
{
    try {
        runSync([registry = &m_registry] { return disconnectOnce(registry); }, m_options);
    } catch (const std::exception &error) {
        qCWarning(lcDatabase).noquote() << "AsyncEnv: disconnecting failed:" << error.what();
    }
}

} // namespace orm
