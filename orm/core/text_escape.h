#pragma once

// CSV fields and JSON strings written the same way by every Strata export: the console's result
// export, `strata query --format csv|json`, and strata-bench's JSON lines.
//
// The byte versions append to a std::string because the console export runs them for every cell
// of millions of rows and QByteArray::append goes out of line on each call in Qt 6.4.

#include <QString>

#include <string>
#include <string_view>

namespace orm::text {

// A JSON string (RFC 8259): quotes, backslash and control characters escaped, UTF-8 unchanged.
void appendJsonString(std::string &out, std::string_view utf8);
QString jsonString(const QString &text);

// A CSV field (RFC 4180) of a non-NULL value: quoted when it holds a comma, a quote, CR or LF,
// and also when empty, so that "" (an empty string) stays distinct from NULL (nothing at all).
void appendCsvField(std::string &out, std::string_view utf8);
QString csvField(const QString &text);

} // namespace orm::text
