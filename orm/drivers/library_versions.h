#pragma once

// The versions of the libraries Strata runs on, as they report themselves at run time (Help →
// About, `strata --version`): what a bug report needs.

#include <QString>

namespace orm {

struct LibraryVersions {
    QString qt;     // the Qt loaded, not the one built against
    QString qcoro;  // as built against (QCoro has no run-time query)
    QString libpq;  // PQlibVersion(), e.g. "15.5"
    QString sqlite; // sqlite3_libversion()
};

LibraryVersions libraryVersions();

} // namespace orm
