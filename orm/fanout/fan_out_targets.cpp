#include "fan_out_targets.h"

#include "orm/query/sql_dialect.h"
#include "orm/schema/reflection.h"

#include <QRegularExpression>
#include <QSet>

namespace orm {

QString FanOutTarget::databaseLabel() const
{
    return database.isEmpty() ? QStringLiteral("primary") : database;
}

bool matchesSchemaPattern(const QString &name, const QString &pattern)
{
    if (pattern.contains(QLatin1Char('%'))) {
        QString expression;
        for (const QChar c : pattern) {
            if (c == QLatin1Char('%'))
                expression += QStringLiteral(".*");
            else if (c == QLatin1Char('_'))
                expression += QLatin1Char('.');
            else
                expression += QRegularExpression::escape(QString(c));
        }
        return QRegularExpression(QRegularExpression::anchoredPattern(expression),
                                  QRegularExpression::DotMatchesEverythingOption)
            .match(name)
            .hasMatch();
    }
    const QRegularExpression glob(QRegularExpression::wildcardToRegularExpression(
        pattern, QRegularExpression::UnanchoredWildcardConversion));
    return QRegularExpression(QRegularExpression::anchoredPattern(glob.pattern()),
                              QRegularExpression::DotMatchesEverythingOption)
        .match(name)
        .hasMatch();
}

namespace {

bool isDefaultSchema(const QString &schema, DatabaseUrl::Backend backend)
{
    return backend == DatabaseUrl::Backend::Postgres ? schema == QLatin1String("public")
                                                     : schema == QLatin1String("main");
}

// Schema -> its table names, for the schemas holding tables, in one catalog read.
QCoro::Task<QMap<QString, QSet<QString>>> tablesBySchema(Database *db, QStringList schemas)
{
    QMap<QString, QSet<QString>> tables;
    if (db->url().backend() == DatabaseUrl::Backend::Postgres) {
        const Result rows = co_await db->execute(
            QStringLiteral("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN "
                           "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.relkind IN ('r', 'p') AND ") +
            reflection::userSchemaCondition(QStringLiteral("n.nspname")));
        for (int row = 0; row < rows.rowCount(); ++row)
            tables[rows.text(row, 0)].insert(rows.text(row, 1));
    } else {
        for (const QString &schema : std::as_const(schemas)) {
            const Result rows = co_await db->execute(
                QStringLiteral("SELECT name FROM %1.sqlite_schema WHERE type = 'table'")
                    .arg(quoteIdentifier(schema)));
            for (int row = 0; row < rows.rowCount(); ++row)
                tables[schema].insert(rows.text(row, 0));
        }
    }
    co_return tables;
}

} // namespace

QCoro::Task<QList<FanOutTarget>> selectTargets(Registry *registry, TenantSelection selection)
{
    QStringList names;
    if (selection.databases) {
        for (const QString &name : std::as_const(*selection.databases)) {
            if (!name.isEmpty())
                registry->database(name); // throws naming the known ones
            names << name;
        }
    } else {
        names << QString() << registry->extraNames();
    }
    QList<Model> tenantModels;
    for (const Model &model : registry->tenantModels())
        tenantModels << model;

    QList<FanOutTarget> targets;
    for (const QString &name : std::as_const(names)) {
        Database *db = registry->findDatabase(name);
        if (!db)
            continue;
        if (selection.kind == TenantSelection::Kind::List) {
            for (const QString &schema : std::as_const(selection.schemas))
                targets << FanOutTarget{name, schema, {}};
            continue;
        }
        QStringList schemas;
        QMap<QString, QSet<QString>> tables;
        QString failure;
        if (db->state() == Database::State::Failed) {
            // The registry's connect failed already: not tried twice (a silent host would
            // cost its timeout again).
            const std::optional<Error> error = db->failure();
            targets << FanOutTarget{name, QString(),
                                    error ? error->toString() : db->failureReason()};
            continue;
        }
        try {
            schemas = co_await reflection::listSchemas(db);
            if (selection.kind == TenantSelection::Kind::Tenants && !tenantModels.isEmpty())
                tables = co_await tablesBySchema(db, schemas);
        } catch (const Error &error) {
            failure = error.toString();
        }
        if (!failure.isEmpty()) {
            targets << FanOutTarget{name, QString(), failure};
            continue;
        }
        schemas.removeAll(QStringLiteral("temp"));
        const DatabaseUrl::Backend backend = db->url().backend();
        for (const QString &schema : std::as_const(schemas)) {
            bool keep = true;
            switch (selection.kind) {
            case TenantSelection::Kind::Tenants:
                if (tenantModels.isEmpty()) {
                    keep = !isDefaultSchema(schema, backend);
                } else {
                    keep = !isDefaultSchema(schema, backend);
                    for (const Model &model : std::as_const(tenantModels))
                        keep = keep && tables.value(schema).contains(model.table);
                }
                break;
            case TenantSelection::Kind::AllSchemas:
                break;
            case TenantSelection::Kind::Pattern:
                keep = matchesSchemaPattern(schema, selection.pattern);
                break;
            case TenantSelection::Kind::List:
                break;
            }
            if (keep)
                targets << FanOutTarget{name, schema, {}};
        }
    }
    co_return targets;
}

} // namespace orm
