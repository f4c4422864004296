#pragma once

// What a user types into the grid's filter row, compiled to an orm::Q on one field:
//
//   abc        text: contains, case-insensitive (icontains); other types: equals
//   =abc       equals                      !abc     not (the same test, negated)
//   >5 >=5 <5 <=5                          1..10    between, both ends included
//   NULL       IS NULL                     !NULL    IS NOT NULL
//
// Dates and timestamps take a period, whole or in part: "2022" is the year, "2022-05" the month,
// "2022-05-03" the day (all of it, on a timestamp), "2022-05-03 10:30" the minute; "a..b"
// runs from a's start to b's end, ">2022" from 2023 on, "<=2022-05" to the end of May.
// Text-like columns of other types (enums, arrays, inet, interval, tsvector) are matched by
// their text form (the query compiler casts them).
//
// Values are converted by the field's type first, so "abc" on an integer or date column is an
// error a person can read, refused before anything runs, not a server error.

#include "orm/core/model.h"
#include "orm/query/lookup.h"

namespace strata::ui {

// Throws orm::Error(Usage) naming the field for a value that does not fit its type.
orm::Q compileFilter(const QString &field, orm::LogicalType type, const QString &text);

} // namespace strata::ui
