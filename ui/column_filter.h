#pragma once

// What a user types into the grid's filter row, compiled to an orm::Q on one field:
//
//   abc        text: contains, case-insensitive (icontains); other types: equals
//   =abc       equals                      !abc     not (the same test, negated)
//   >5 >=5 <5 <=5                          1..10    between, both ends included
//   NULL       IS NULL                     !NULL    IS NOT NULL
//
// Values are converted by the field's type first, so "abc" on an integer column is an error
// a person can read, not a server error.

#include "orm/core/model.h"
#include "orm/query/lookup.h"

namespace strata::ui {

// Throws orm::Error(Usage) naming the field for a value that does not fit its type.
orm::Q compileFilter(const QString &field, orm::LogicalType type, const QString &text);

} // namespace strata::ui
