// The manual style: connect before exec(), disconnect after it (Edgy's connect() and
// disconnect() around the application). Both calls are synchronous here through runSync,
// because no event loop runs yet (or any more).
//
//   example-manual [DATABASE_URL]

#include "orm/registry/registry.h"
#include "orm/sync/run_sync.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString url =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("sqlite://:memory:");
    try {
        orm::Registry registry(url);
        orm::runSync([&registry] { return registry.connect(); });

        // Inside the running loop, runSync hands the work to a subloop: no nested event loop.
        QTimer::singleShot(0, &app, [&registry] {
            try {
                const orm::Result result = orm::runSync([&registry] {
                    return registry.database()->execute(QStringLiteral("SELECT 6 * 7"));
                });
                QTextStream(stdout) << "the answer is " << result.text(0, 0) << Qt::endl;
                QCoreApplication::quit();
            } catch (const orm::Error &error) {
                QTextStream(stderr) << error.toString() << Qt::endl;
                QCoreApplication::exit(1);
            }
        });
        const int code = app.exec();

        orm::runSync([&registry] { return registry.disconnect(); });
        return code;
    } catch (const orm::Error &error) {
        QTextStream(stderr) << error.toString() << Qt::endl;
        return 2;
    }
}
