#pragma once

// What the fan-out and drift pane suites share: tenants that differ on either backend
// (PostgreSQL schemas, SQLite attached files) in a registry the real window shows, and the
// window's Tools menu opening the panes.

#include "../main_window_fixture.h"

#include "orm/query/sql_dialect.h"

#include <memory>

namespace strata::test {

// Schemas (PostgreSQL) or attached files (SQLite) made for one test, dropped at its end.
struct TenantSet {
    QString backend;
    std::unique_ptr<orm::Registry> registry;
    QString prefix;
    QStringList schemas;

    bool pg() const { return backend == QLatin1String("postgres"); }
    orm::Database *db() const { return registry->database(); }

    TenantSet(const QString &backend_, const QString &url, const QString &prefixStem)
        : backend(backend_)
        , registry(std::make_unique<orm::Registry>(url))
        , prefix(uniqueName(prefixStem))
    {
        await(registry->connect());
    }
    ~TenantSet()
    {
        if (pg())
            for (const QString &schema : std::as_const(schemas))
                await(db()->executeScript(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE")
                                              .arg(orm::quoteIdentifier(schema))));
        await(registry->disconnect(true));
    }
    // A tenant named prefix + suffix whose tables `script` creates ({t} is a table's qualifier:
    // write {t}"Items"); its schema name.
    QString add(const QString &suffix, const QString &script = {})
    {
        const QString schema = prefix + suffix;
        schemas << schema;
        if (pg())
            await(db()->executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        else
            db()->attach(schema,
                         orm::DatabaseUrl::parse(urlFor(backend, QStringLiteral("tenant"))).path());
        if (!script.isEmpty())
            run(schema, script);
        return schema;
    }
    void run(const QString &schema, QString script)
    {
        await(db()->executeScript(
            script.replace(QStringLiteral("{t}"), orm::quoteIdentifier(schema) + u'.')));
    }
    orm::Result query(const QString &schema, QString sql)
    {
        return await(
            db()->execute(sql.replace(QStringLiteral("{t}"), orm::quoteIdentifier(schema) + u'.')));
    }
};

// Opens a pane through the window's Tools menu, as a user does.
template <typename Pane>
Pane *openFromTools(ui::MainWindow &window, const char *action)
{
    auto *tools = window.menuBar()->findChild<QMenu *>(QStringLiteral("toolsMenu"));
    if (!tools)
        return nullptr;
    for (QAction *each : tools->actions())
        if (each->objectName() == QLatin1String(action))
            each->trigger();
    return window.findChild<Pane *>();
}

} // namespace strata::test
