// The lifespan style: bind the registry to the application; it connects once the event loop
// runs and disconnects (cancelling what still runs) before exec() returns.
//
//   example-lifespan [DATABASE_URL]      (default: an in-memory SQLite database)

#include "orm/sync/lifespan.h"

#include <QCoreApplication>
#include <QTextStream>

namespace {

// A top-level coroutine: nobody awaits it, so it catches everything itself.
QCoro::Task<> greet(orm::Registry *registry)
{
    QTextStream out(stdout);
    // Built outside the co_await: GCC 12 miscompiles a braced list inside one.
    QVariantList params;
    params << QStringLiteral("the lifespan binding");
    try {
        const orm::Result result = co_await registry->database()->execute(
            QStringLiteral("SELECT 'hello from ' || $1"), params);
        out << result.text(0, 0) << Qt::endl;
    } catch (const orm::Error &error) {
        QTextStream(stderr) << error.toString() << Qt::endl;
        QCoreApplication::exit(1);
        co_return;
    }
    QCoreApplication::quit();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString url =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("sqlite://:memory:");
    try {
        orm::Registry registry(url);
        orm::Lifespan *lifespan = orm::Lifespan::bind(&registry, &app);
        QObject::connect(lifespan, &orm::Lifespan::started, &app,
                         [&registry] { greet(&registry); });
        QObject::connect(lifespan, &orm::Lifespan::databaseStateChanged, &app,
                         [](const QString &, orm::Database::State state, const QString &reason) {
                             if (state == orm::Database::State::Failed) {
                                 QTextStream(stderr) << reason << Qt::endl;
                                 QCoreApplication::exit(1);
                             }
                         });
        return app.exec();
    } catch (const orm::Error &error) {
        QTextStream(stderr) << error.toString() << Qt::endl;
        return 2;
    }
}
