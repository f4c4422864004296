// A synchronous command-line tool: an AsyncEnv scope connects the registry, runSync runs each
// query to completion, and leaving the scope disconnects (Edgy's with_async_env + run_sync).
//
//   example-sync-cli [DATABASE_URL] [SQL]

#include "orm/sync/async_env.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // Qt needs it; its event loop never runs
    const QString url =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("sqlite://:memory:");
    const QString sql = argc > 2 ? QString::fromLocal8Bit(argv[2])
                                 : QStringLiteral("SELECT 'one' AS word UNION ALL SELECT 'two'");
    QTextStream out(stdout);
    try {
        orm::Registry registry(url);
        orm::AsyncEnv env(registry);
        orm::Database *db = registry.database();
        const orm::Result result = orm::runSync([db, sql] { return db->execute(sql); });
        for (int row = 0; row < result.rowCount(); ++row) {
            QStringList cells;
            for (int column = 0; column < result.columnCount(); ++column)
                cells << (result.isNull(row, column) ? QStringLiteral("NULL")
                                                     : result.text(row, column));
            out << cells.join(QLatin1Char('\t')) << Qt::endl;
        }
        return 0;
    } catch (const orm::Error &error) {
        QTextStream(stderr) << error.toString() << Qt::endl;
        return 1;
    }
}
