#pragma once

// The statement splitter before issue 13 (quadratic, sqlite3_complete on every prefix): the
// oracle the linear one is compared with. Test code only.

#include "orm/session/sql_splitter.h"

namespace orm::reference {

QList<SqlStatement> splitSqlQuadratic(const QString &script, Dialect dialect);

} // namespace orm::reference
