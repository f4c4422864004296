#include "backends.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QTemporaryDir>
#include <QUuid>

namespace strata::test {

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgres") << QStringLiteral("postgres");
}

QString postgresUrl()
{
    return qEnvironmentVariable("STRATA_TEST_PG_URL");
}

bool isPostgres(const QString &backend)
{
    return backend == QLatin1String("postgres");
}

QString urlFor(const QString &backend, const QString &name)
{
    if (backend == QLatin1String("postgres"))
        return postgresUrl();
    static QTemporaryDir dir;
    return QStringLiteral("sqlite:///%1/%2-%3.db?create=true")
        .arg(dir.path(), name, uniqueName(QStringLiteral("f")));
}

QString uniqueName(const QString &prefix)
{
    static QAtomicInt counter;
    return QStringLiteral("%1_%2_%3")
        .arg(prefix)
        .arg(QCoreApplication::applicationPid())
        .arg(counter.fetchAndAddRelaxed(1));
}

} // namespace strata::test
