#pragma once

// Throwaway schemas for a test, alike on both backends: a PostgreSQL schema created in the
// shared test database, or a fresh SQLite file attached under that name. Names are unique per
// process (the prefix may hold quotes and spaces: they are quoted).

#include "await.h"
#include "backends.h"

#include "orm/database/database.h"
#include "orm/query/sql_dialect.h"

#include <QTemporaryDir>

namespace strata::test {

class ScratchSchemas {
public:
    QString create(orm::Database &db, const QString &backend, const QString &prefix)
    {
        const QString schema = uniqueName(prefix);
        if (isPostgres(backend))
            await(db.executeScript(
                QStringLiteral("CREATE SCHEMA %1").arg(orm::quoteIdentifier(schema))));
        else
            db.attach(schema, m_dir.filePath(uniqueName(QStringLiteral("att")) + ".db"));
        return schema;
    }

    void drop(orm::Database &db, const QString &backend, const QString &schema)
    {
        if (isPostgres(backend))
            await(db.executeScript(
                QStringLiteral("DROP SCHEMA %1 CASCADE").arg(orm::quoteIdentifier(schema))));
        else
            db.detach(schema);
    }

private:
    QTemporaryDir m_dir; // the attached files
};

} // namespace strata::test
