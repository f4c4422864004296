#pragma once

#include "orm/registry/registry.h"
#include "orm/sync/run_sync.h"

namespace orm {

// Edgy's with_async_env: an RAII scope for synchronous code that connects the registry on
// entry and disconnects it on exit, through runSync. Scopes nest (the registry counts), so an
// inner scope costs nothing; runSync calls inside never meet the DatabaseNotConnected warning.
//
//   orm::AsyncEnv env(registry);                  // throws the first connect error
//   auto rows = orm::runSync([&db] { return db->execute("SELECT 1"); });
//
// With `thread`, connect and disconnect run on that thread's (running) event loop, and so do
// the connections they open.
class AsyncEnv {
public:
    explicit AsyncEnv(Registry &registry, QThread *thread = nullptr,
                      std::chrono::milliseconds timeout = {});
    ~AsyncEnv();

    AsyncEnv(const AsyncEnv &) = delete;
    AsyncEnv &operator=(const AsyncEnv &) = delete;

    Registry &registry() const { return m_registry; }

private:
    Registry &m_registry;
    RunSyncOptions m_options;
};

} // namespace orm
