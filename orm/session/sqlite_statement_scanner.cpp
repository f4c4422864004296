#include "orm/session/sqlite_statement_scanner.h"

#include <cstring>

namespace orm::sqlite_scan {
namespace {

// sqlite3_complete's tokens, in the order of its transition table's columns.
enum Token : unsigned char { Semi, Space, Other, Explain, Create, Temp, Trigger, End, Count };

// sqlite3_complete's states: 0 nothing yet, 1 after a ';' that completes a statement, 2 in a
// statement, 3 after EXPLAIN, 4 after CREATE (TEMP), 5 in a trigger body, 6 after a ';' in
// it, 7 after its ";END". A statement is complete when the machine is in state 1.
constexpr unsigned char kNext[8][Count] = {
    // Semi Space Other Explain Create Temp Trigger End
    {1, 0, 2, 3, 4, 2, 2, 2}, {1, 1, 2, 3, 4, 2, 2, 2}, {1, 2, 2, 2, 2, 2, 2, 2},
    {1, 3, 3, 2, 4, 2, 2, 2}, {1, 4, 2, 2, 2, 4, 5, 2}, {6, 5, 5, 5, 5, 5, 5, 5},
    {6, 6, 5, 5, 5, 5, 5, 7}, {1, 7, 5, 5, 5, 5, 5, 5},
};
constexpr unsigned char kComplete = 1;

// SQLite's IdChar: ASCII letters and digits, '_', '$' and every byte of a multi-byte character.
bool isIdChar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

bool sameWord(const char *at, qsizetype length, const char *word)
{
    if (qsizetype(std::strlen(word)) != length)
        return false;
    for (qsizetype i = 0; i < length; ++i) {
        const char c = at[i];
        if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != word[i])
            return false;
    }
    return true;
}

// One token and where the next starts. `unfinished`: a string, name or block comment that runs
// to the end (sqlite3_complete's "not complete, whatever follows"); `toEnd`: a line comment
// that does (what came before it decides).
struct Scanned {
    Token token = Other;
    qsizetype next = 0;
    bool unfinished = false;
    bool toEnd = false;
};

Scanned scan(const char *s, qsizetype at, qsizetype end)
{
    const auto find = [&](qsizetype from, char c) {
        const void *hit = from < end ? std::memchr(s + from, c, size_t(end - from)) : nullptr;
        return hit ? static_cast<const char *>(hit) - s : qsizetype(-1);
    };
    const unsigned char c = static_cast<unsigned char>(s[at]);
    switch (c) {
    case ';':
        return {Semi, at + 1};
    case ' ':
    case '\r':
    case '\t':
    case '\n':
    case '\f':
        return {Space, at + 1};
    case '/': {
        if (at + 1 >= end || s[at + 1] != '*')
            return {Other, at + 1};
        for (qsizetype star = find(at + 2, '*'); star >= 0; star = find(star + 1, '*'))
            if (star + 1 < end && s[star + 1] == '/')
                return {Space, star + 2};
        return {Space, end, true};
    }
    case '-': {
        if (at + 1 >= end || s[at + 1] != '-')
            return {Other, at + 1};
        const qsizetype newline = find(at + 2, '\n');
        if (newline < 0)
            return {Space, end, false, true};
        return {Space, newline + 1};
    }
    case '[':
    case '`':
    case '"':
    case '\'': {
        const qsizetype close = find(at + 1, c == '[' ? ']' : char(c));
        if (close < 0)
            return {Other, end, true};
        return {Other, close + 1};
    }
    default:
        break;
    }
    if (!isIdChar(c))
        return {Other, at + 1};
    qsizetype next = at + 1;
    while (next < end && isIdChar(static_cast<unsigned char>(s[next])))
        ++next;
    const char *word = s + at;
    const qsizetype length = next - at;
    Token token = Other;
    if (sameWord(word, length, "create"))
        token = Create;
    else if (sameWord(word, length, "trigger"))
        token = Trigger;
    else if (sameWord(word, length, "temp") || sameWord(word, length, "temporary"))
        token = Temp;
    else if (sameWord(word, length, "end"))
        token = End;
    else if (sameWord(word, length, "explain"))
        token = Explain;
    return {token, next};
}

qsizetype endOfText(const char *s, qsizetype size)
{
    const void *nul = std::memchr(s, 0, size_t(size));
    return nul ? static_cast<const char *>(nul) - s : size;
}

} // namespace

void forEachStatement(const char *s, qsizetype size,
                      const std::function<bool(qsizetype from, qsizetype to)> &statement)
{
    const qsizetype end = endOfText(s, size);
    qsizetype from = 0;
    bool blank = true;
    unsigned char state = 0;
    qsizetype at = 0;
    while (at < end) {
        const Scanned t = scan(s, at, end);
        if (t.unfinished) {
            blank = false;
            break;
        }
        at = t.next;
        if (t.token != Space && t.token != Semi)
            blank = false;
        state = kNext[state][t.token];
        if (t.token == Semi && state == kComplete) {
            if (!blank && !statement(from, at))
                return;
            from = at;
            blank = true;
            state = 0;
        }
    }
    if (from < size && !blank)
        statement(from, size);
}

} // namespace orm::sqlite_scan
