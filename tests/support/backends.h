#pragma once

// Backends for data-driven ORM suites: every behaviour is proven on SQLite and PostgreSQL.
//
//   void initTestCase_data() { strata::test::addBackendRows(); }
//   void someTest() { STRATA_BACKEND_URL(url); ... }
//
// PostgreSQL is the real server `make test` starts (tests/support/with-postgres.sh exports
// STRATA_TEST_PG_URL). Without it the postgres rows skip, except under CI where they fail.

#include <QString>
#include <QTest>

namespace strata::test {

void addBackendRows();
// The throwaway cluster's URL, or empty.
QString postgresUrl();
// A URL for the backend: the PostgreSQL cluster, or a fresh SQLite file (create=true) in a
// temporary directory that lives as long as the test process. `name` tells files apart.
QString urlFor(const QString &backend, const QString &name = QStringLiteral("main"));
// Whether a backend row (addBackendRows) is PostgreSQL's.
bool isPostgres(const QString &backend);
// A unique name for a table or schema, so suites can share the one PostgreSQL database.
QString uniqueName(const QString &prefix);

} // namespace strata::test

#define STRATA_BACKEND_URL(var)                                                                    \
    QFETCH_GLOBAL(QString, backend);                                                               \
    const QString var = strata::test::urlFor(backend);                                             \
    if (var.isEmpty()) {                                                                           \
        if (qEnvironmentVariableIsSet("CI"))                                                       \
            QFAIL("STRATA_TEST_PG_URL is not set: PostgreSQL suites must not skip under CI");      \
        QSKIP("no PostgreSQL server (run through `make test`)");                                   \
    }
