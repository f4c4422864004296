#pragma once

#include "orm/registry/registry.h"

#include <QCoreApplication>
#include <QPointer>

namespace orm {

// Binds a Registry to the application's lifecycle (Edgy's lifespan / registry.asgi(app)):
// the registry connects once the event loop has started (so a window paints first) and
// disconnects when the application quits, before exec() returns (quit()): statements still
// running are cancelled, open transactions rolled back (their connections close) and every
// connection closed.
//
//   auto *lifespan = orm::Lifespan::bind(&registry, &app);
//   return app.exec();
//
// Hooks::None is for hosts that drive the lifecycle themselves (Edgy's Django case): the
// binding hooks no application event, and the host calls startup() and shutdown().
class Lifespan : public QObject {
    Q_OBJECT

public:
    enum class Hooks { Application, None };
    Q_ENUM(Hooks)

    struct Options {
        Hooks hooks = Hooks::Application;
        // Lenient suits a desktop program: one database down does not stop the others.
        Registry::ConnectMode mode = Registry::ConnectMode::Lenient;
    };

    // The binding is a child of `app`.
    static Lifespan *bind(Registry *registry, QCoreApplication *app, Options options);
    static Lifespan *bind(Registry *registry, QCoreApplication *app)
    {
        return bind(registry, app, Options{});
    }

    Registry *registry() const { return m_registry; }
    Hooks hooks() const { return m_options.hooks; }
    bool isStarted() const { return m_started; }

    // Connects the registry; emits started() with each database's outcome. In strict mode a
    // failure is emitted as startFailed() (and thrown to an awaiting caller).
    QCoro::Task<QList<ConnectOutcome>> startup();
    // Gives back exactly the reference startup() took (after a startup under way has settled):
    // the registry disconnects only if nothing else holds it, and a Database shared with another
    // registry stays connected for that one.
    QCoro::Task<> shutdown();
    // Quitting (the aboutToQuit hook): abandons a startup under way, gives back the binding's
    // reference, then forces whatever others still hold, saying so in the log: statements still
    // running are cancelled and every connection closed.
    QCoro::Task<> quit();

signals:
    void started(const QList<orm::ConnectOutcome> &outcomes);
    void startFailed(const QString &reason);
    // A database's state: connecting, connected, failed (with the reason), disconnected.
    void databaseStateChanged(const QString &name, orm::Database::State state,
                              const QString &reason);
    void stopped();

private:
    Lifespan(Registry *registry, QCoreApplication *app, Options options);
    void onLoopStarted();
    void onAboutToQuit();

    QPointer<Registry> m_registry;
    Options m_options;
    bool m_started = false;
    bool m_starting = false;
    WaitQueue m_startupDone; // open unless startup() is under way
};

} // namespace orm

Q_DECLARE_METATYPE(QList<orm::ConnectOutcome>)
