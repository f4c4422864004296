#pragma once

// Whether a statement may change anything, told before it runs: fan-out refuses a writing
// statement unless writes were allowed, because it would change every target at once.

#include "orm/query/sql_dialect.h"

#include <QString>

namespace orm {

enum class StatementEffect {
    Reads,    // a single SELECT, VALUES, TABLE, SHOW or plain EXPLAIN naming no writing keyword
    MayWrite, // anything else: DML, DDL, COPY, CALL, EXPLAIN ANALYZE, SELECT ... INTO/FOR UPDATE
};

// Conservative: a statement is Reads only when it starts with a reading keyword and no word
// outside its strings, quoted identifiers and comments is one that writes or locks. A reading
// statement may still write through a function it calls; fan-out therefore also runs reads in a
// transaction the server keeps read-only.
StatementEffect statementEffect(const QString &sql);

} // namespace orm
