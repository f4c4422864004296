#pragma once

// A PostgreSQL database of a test's own, created on the test server and dropped (forcibly)
// when this goes: for what looks at the whole database (the catalog's stamp, every schema),
// which the shared one cannot give while other suites create their schemas beside it.

#include "await.h"
#include "backends.h"

#include "orm/database/database.h"

#include <QRegularExpression>

namespace strata::test {

class OwnDatabase {
public:
    explicit OwnDatabase(const QString &prefix)
        : m_name(uniqueName(prefix))
    {
        orm::Database admin(postgresUrl());
        await(admin.executeScript(QStringLiteral("CREATE DATABASE %1").arg(m_name)));
    }
    ~OwnDatabase()
    {
        orm::Database admin(postgresUrl());
        await(admin.executeScript(
            QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name)));
    }
    OwnDatabase(const OwnDatabase &) = delete;
    OwnDatabase &operator=(const OwnDatabase &) = delete;

    // The test server's URL, naming this database.
    QString url() const
    {
        QString url = postgresUrl();
        url.replace(QRegularExpression(QStringLiteral("/postgres($|\\?)")),
                    QStringLiteral("/%1\\1").arg(m_name));
        return url;
    }

private:
    QString m_name;
};

} // namespace strata::test
