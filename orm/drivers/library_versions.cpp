#include "orm/drivers/library_versions.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <QtGlobal>

namespace orm {

LibraryVersions libraryVersions()
{
    LibraryVersions versions;
    versions.qt = QString::fromLatin1(qVersion());
    versions.qcoro = QStringLiteral(STRATA_QCORO_VERSION);
    // 150005 is 15.5 (since PostgreSQL 10: major * 10000 + minor).
    const int pq = PQlibVersion();
    versions.libpq = QStringLiteral("%1.%2").arg(pq / 10000).arg(pq % 10000);
    versions.sqlite = QString::fromLatin1(sqlite3_libversion());
    return versions;
}

} // namespace orm
