#pragma once

// Where SQLite's scripts split, found in one pass. The splitter used to call sqlite3_complete on
// every prefix that ends in a ';' (a 512 KB string full of ';' took 36 s). This runs the same
// tokenizer and state machine as sqlite3_complete (sqlite's complete.c: strings, quoted and
// bracketed names, comments, and the ";END;" that closes a CREATE TRIGGER body) once over the
// whole script, so a ';' ends a statement here exactly when sqlite3_complete would say the text
// up to it is complete. tests/orm/session and the splitter's fuzzer compare the two.

#include <QtGlobal>

#include <functional>

namespace orm::sqlite_scan {

// Calls `statement(from, to)` with the byte range of every piece of the script that ends after
// a ';' completing a statement (or at the script's end), skipping pieces that hold nothing but
// whitespace, comments and ';', until it returns false. An unterminated comment is not blank:
// the database should say what is wrong with it. Like sqlite3_complete it reads up to the first
// NUL byte: the rest of the script after one is a single piece.
void forEachStatement(const char *utf8, qsizetype size,
                      const std::function<bool(qsizetype from, qsizetype to)> &statement);

} // namespace orm::sqlite_scan
