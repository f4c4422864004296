#pragma once

// Schemas as tenants (Edgy's registry.schema): list, create (with the registry's tenant
// models' tables in the new schema) and drop.
//
// PostgreSQL schemas are schemas. In SQLite a schema is an attached database file, named after
// the main file: shop.db's tenant "acme" lives in shop.acme.db beside it (":memory:" for an
// in-memory main database). It is attached through Database::attach(), so every pooled
// connection of the Database, on every thread, sees it.

#include "orm/core/model.h"
#include "orm/database/database.h"

#include <QCoro/QCoroTask>
#include <QPointer>

namespace orm {

class Registry;

class SchemaManager {
public:
    // `db` (null: the registry's primary) is the database whose schemas are managed; the
    // registry (may be null: no tenant models) supplies the tenant models.
    explicit SchemaManager(Registry *registry, Database *db = nullptr);

    Database *database() const { return m_db; }

    // PostgreSQL: the user schemas; SQLite: "main" and the attached databases.
    QCoro::Task<QStringList> list();
    // Creates schema `name`, and in it a table for each tenant model of the registry (in
    // foreign-key order). All or nothing. Throws Error(Configuration) naming the schema for a
    // bad name or one that exists already.
    QCoro::Task<> create(QString name, bool withTenantModels = true);
    // Drops schema `name` and everything in it (PostgreSQL: CASCADE unless `cascade` is false;
    // SQLite: detaches it and deletes its file). A schema that does not exist is no error with
    // `ifExists`, and Error(Configuration) naming it otherwise.
    QCoro::Task<> drop(QString name, bool cascade = true, bool ifExists = true);

    // SQLite: the file a tenant schema `name` lives in.
    QString attachmentPath(const QString &name) const;

    // The statements that create `model`'s table (and its plain indexes) in `schema`, in the
    // backend's dialect, every identifier quoted. Exposed for tests.
    static QStringList createTableStatements(const Model &model, const QString &schema,
                                             DatabaseUrl::Backend backend,
                                             bool ifNotExists = false);
    // An identifier quoted for both dialects: "a ""b""".
    static QString quoteIdentifier(const QString &identifier);

private:
    // The database; Error(Usage) once it was deleted (an extra removed from its registry, even
    // while a task of this manager was suspended).
    Database *db() const;
    // Throws Error(Configuration) naming the schema when `name` cannot be a schema here.
    void checkName(const QString &name) const;
    QList<Model> tenantModels() const;
    QCoro::Task<> createPostgres(QString name, QList<Model> models);
    QCoro::Task<> createSqlite(QString name, QList<Model> models);
    QCoro::Task<> dropPostgres(QString name, bool cascade, bool ifExists);
    QCoro::Task<> dropSqlite(QString name, bool ifExists);

    QPointer<Registry> m_registry;
    QPointer<Database> m_db;
    QString m_shown; // its display URL, for the error once it is gone
};

} // namespace orm
