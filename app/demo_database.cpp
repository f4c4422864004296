#include "demo_database.h"

#include "orm/core/error.h"
#include "orm/core/model.h"
#include "orm/database/database.h"
#include "orm/registry/registry.h"
#include "orm/sync/run_sync.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace strata::app {
namespace {

QString resourceText(const QString &name)
{
    QFile file(QStringLiteral(":/strata/demo/") + name);
    if (!file.open(QIODevice::ReadOnly))
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("the demo's %1 is missing from the resources").arg(name));
    return QString::fromUtf8(file.readAll());
}

QCoro::Task<> runScript(QString url, QString sql)
{
    orm::Database db(url);
    co_await db.connect();
    std::exception_ptr failure;
    try {
        co_await db.executeScript(sql);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await db.disconnect();
    if (failure)
        std::rethrow_exception(failure);
}

// Writes `file` from `sql` unless it exists; a half-written file is removed.
void create(const QString &file, const QString &sql)
{
    if (QFileInfo::exists(file))
        return;
    const QString url = QStringLiteral("sqlite:///%1?create=true").arg(file);
    try {
        orm::runSync([url, sql] { return runScript(url, sql); });
    } catch (...) {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(file + QLatin1String(suffix));
        throw;
    }
}

} // namespace

Demo ensureDemo(const QString &directory)
{
    if (!QDir().mkpath(directory))
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("cannot create the directory %1").arg(directory));
    const QDir dir(directory);
    Demo demo;
    const QString primary = dir.filePath(QStringLiteral("demo.db"));
    create(primary, resourceText(QStringLiteral("primary.sql")));
    demo.primaryUrl = QStringLiteral("sqlite:///%1").arg(primary);

    const QString archive = dir.filePath(QStringLiteral("archive.db"));
    create(archive, resourceText(QStringLiteral("archive.sql")));
    demo.extras.append({QStringLiteral("archive"), QStringLiteral("sqlite:///%1").arg(archive)});

    const QString tenant = resourceText(QStringLiteral("tenant.sql"));
    const std::pair<const char *, int> tenants[] = {{"acme", 40}, {"globex", 15}};
    for (const auto &[name, size] : tenants) {
        const QString file = dir.filePath(QStringLiteral("demo.%1.db").arg(QLatin1String(name)));
        QString sql = tenant;
        sql.replace(QStringLiteral("{tenant}"), QLatin1String(name));
        sql.replace(QStringLiteral("{size}"), QString::number(size));
        create(file, sql);
        demo.tenants.insert(QLatin1String(name), file);
    }
    return demo;
}

void registerDemo(orm::Registry &registry, const Demo &demo)
{
    registry.addModel(orm::ModelBuilder(QStringLiteral("customer"))
                          .field(QStringLiteral("id"), QStringLiteral("INTEGER"))
                          .primaryKey()
                          .identity()
                          .field(QStringLiteral("name"), QStringLiteral("TEXT"))
                          .notNull()
                          .field(QStringLiteral("email"), QStringLiteral("TEXT"))
                          .field(QStringLiteral("country"), QStringLiteral("TEXT"))
                          .notNull()
                          .field(QStringLiteral("created_at"), QStringLiteral("TEXT"))
                          .notNull()
                          .field(QStringLiteral("notes"), QStringLiteral("TEXT"))
                          .build());
    registry.addTenantModel(orm::ModelBuilder(QStringLiteral("project"))
                                .field(QStringLiteral("id"), QStringLiteral("INTEGER"))
                                .primaryKey()
                                .identity()
                                .field(QStringLiteral("name"), QStringLiteral("TEXT"))
                                .notNull()
                                .field(QStringLiteral("budget"), QStringLiteral("NUMERIC"))
                                .tenant()
                                .build());
    registry.addTenantModel(orm::ModelBuilder(QStringLiteral("task"))
                                .field(QStringLiteral("id"), QStringLiteral("INTEGER"))
                                .primaryKey()
                                .identity()
                                .field(QStringLiteral("project_id"), QStringLiteral("INTEGER"))
                                .notNull()
                                .references(QStringLiteral("project"), QStringLiteral("id"))
                                .field(QStringLiteral("title"), QStringLiteral("TEXT"))
                                .notNull()
                                .field(QStringLiteral("done"), QStringLiteral("INTEGER"))
                                .notNull()
                                .tenant()
                                .build());
    for (auto it = demo.tenants.cbegin(); it != demo.tenants.cend(); ++it)
        registry.database()->attach(it.key(), it.value());
}

} // namespace strata::app
