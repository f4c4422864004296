#include "orm/sync/lifespan.h"

#include "orm/sync/run_sync.h"

#include <QTimer>

namespace orm {
namespace {

// Top-level coroutine for the hook: nobody awaits it, so it must catch everything.
QCoro::Task<> startupFromHook(QPointer<Lifespan> lifespan)
{
    try {
        co_await lifespan->startup();
    } catch (const std::exception &) {
        // Reported through startFailed() and the registry's state signals.
    }
}

QCoro::Task<> quitTask(Lifespan *lifespan)
{
    co_await lifespan->quit();
}

} // namespace

Lifespan *Lifespan::bind(Registry *registry, QCoreApplication *app, Options options)
{
    if (!registry || !app)
        throw Error(Error::Kind::Configuration,
                    QStringLiteral("Lifespan::bind needs a registry and an application"));
    return new Lifespan(registry, app, options);
}

Lifespan::Lifespan(Registry *registry, QCoreApplication *app, Options options)
    : QObject(app)
    , m_registry(registry)
    , m_options(options)
{
    qRegisterMetaType<QList<orm::ConnectOutcome>>();
    m_startupDone.open();
    connect(registry, &Registry::databaseStateChanged, this, &Lifespan::databaseStateChanged);
    if (options.hooks == Hooks::None)
        return;
    // A zero timer fires once the event loop runs: exec() has started, the window is shown.
    QTimer::singleShot(0, this, &Lifespan::onLoopStarted);
    // aboutToQuit comes after the main loop has stopped, still inside exec(): runSync can
    // finish the disconnect on a local loop before exec() returns.
    connect(app, &QCoreApplication::aboutToQuit, this, &Lifespan::onAboutToQuit,
            Qt::DirectConnection);
}

void Lifespan::onLoopStarted()
{
    startupFromHook(this);
}

void Lifespan::onAboutToQuit()
{
    if (!m_started && !m_starting)
        return;
    try {
        runSync([this] { return quitTask(this); });
    } catch (const std::exception &error) {
        qCWarning(lcDatabase).noquote() << "disconnecting on quit failed:" << error.what();
    }
}

QCoro::Task<QList<ConnectOutcome>> Lifespan::startup()
{
    if (m_started || m_starting)
        throw Error(Error::Kind::Usage, QStringLiteral("the lifespan has already started"));
    m_starting = true;
    m_startupDone.close();
    QPointer<Lifespan> self(this);
    QList<ConnectOutcome> outcomes;
    try {
        outcomes = co_await m_registry->connect(m_options.mode);
    } catch (const Error &error) {
        if (self) {
            m_starting = false;
            m_startupDone.open();
            emit startFailed(error.toString());
        }
        throw;
    }
    if (!self)
        co_return outcomes;
    m_starting = false;
    m_started = true;
    m_startupDone.open();
    emit started(outcomes);
    co_return outcomes;
}

QCoro::Task<> Lifespan::shutdown()
{
    // A quit during startup waits for the connect to settle, then undoes it.
    co_await m_startupDone.wait();
    if (!m_started)
        co_return;
    m_started = false;
    if (m_registry)
        co_await m_registry->disconnect(); // exactly the reference startup() took
    emit stopped();
}

QCoro::Task<> Lifespan::quit()
{
    const QPointer<Registry> registry = m_registry;
    if (m_starting && registry) {
        // A host that never answers must not hold up quitting for its connect timeout.
        qCInfo(lcDatabase) << "quitting during start-up: the connects under way are abandoned";
        co_await registry->disconnect(true); // startup() fails with Error(Cancelled)
    }
    co_await shutdown();
    if (registry && registry->referenceCount() > 0) {
        qCInfo(lcDatabase).noquote()
            << QStringLiteral("quitting: %1 reference(s) to the registry still held elsewhere "
                              "are dropped, and every connection closed")
                   .arg(registry->referenceCount());
        co_await registry->disconnect(true);
    }
}

} // namespace orm
