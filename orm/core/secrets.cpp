#include "orm/core/secrets.h"

#include <QRegularExpression>

namespace orm {
namespace {

constexpr auto kCaseless = QRegularExpression::CaseInsensitiveOption;

// Replaces group `valueGroup` of every match, keeping a quoted value quoted (so that masked SQL
// still reads as SQL); `sqlQuotes`: E'...' and dollar quotes count as quoted too.
QString maskGroup(const QString &text, const QRegularExpression &pattern, int valueGroup,
                  bool sqlQuotes = false)
{
    QString out;
    qsizetype done = 0;
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const QString value = match.captured(valueGroup);
        out += QStringView(text).mid(done, match.capturedStart(valueGroup) - done);
        const bool quoted =
            value.startsWith(QLatin1Char('\'')) ||
            (sqlQuotes && (value.startsWith(QLatin1String("E'"), Qt::CaseInsensitive) ||
                           value.startsWith(QLatin1Char('$'))));
        out += quoted ? QStringLiteral("'***'") : QStringLiteral("***");
        done = match.capturedEnd(valueGroup);
    }
    if (done == 0)
        return text;
    out += QStringView(text).mid(done);
    return out;
}

} // namespace

bool isSecretOption(const QString &key)
{
    return key.compare(QLatin1String("password"), Qt::CaseInsensitive) == 0 ||
           key.compare(QLatin1String("sslpassword"), Qt::CaseInsensitive) == 0;
}

QString maskSecrets(QString text)
{
    // scheme://user:password@: the password runs to the last '@' of the word, since an
    // unencoded '@' or '/' may be part of it (hiding a little too much is the safe side).
    static const QRegularExpression userInfo(
        QStringLiteral("([A-Za-z][A-Za-z0-9+.-]*://[^:/@\\s'\"]*):[^\\s'\"]*@"));
    // ?password=... and &sslpassword=... in a URL's query: the value ends at the next option.
    static const QRegularExpression urlOption(
        QStringLiteral("([?&](?:ssl)?password=)([^&#\\s'\"]*)"), kCaseless);
    // libpq's keyword/value form: password=x, sslpassword = 'x y' (not the URL options above).
    static const QRegularExpression keyword(
        QStringLiteral("(?<![?&\\w])((?:ssl)?password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s'\"]+)"),
        kCaseless);
    // SQL: [ENCRYPTED] PASSWORD 'x', E'x', $$x$$ or $tag$x$tag$ (CREATE/ALTER ROLE, USER
    // MAPPING options); PASSWORD NULL is no secret and stays.
    // A quote still open at the end of the text counts too: a console tab is saved as it is
    // typed, half-written statements included.
    static const QRegularExpression sql(
        QStringLiteral("(\\bPASSWORD\\s+)('(?:[^']|'')*(?:'|$)|E'(?:[^'\\\\]|\\\\.|'')*(?:'|$)|"
                       "\\$(\\w*)\\$.*?(?:\\$\\3\\$|$))"),
        kCaseless | QRegularExpression::DotMatchesEverythingOption);
    // An unquoted word after PASSWORD in a role statement (the server refuses it, but history
    // and saved tabs keep what was typed). Only there: elsewhere "password" is often a column.
    static const QRegularExpression sqlWord(
        QStringLiteral("(\\b(?:CREATE|ALTER)\\s+(?:ROLE|USER|GROUP)\\b[^;]*?\\bPASSWORD\\s+)"
                       "((?!NULL\\b)(?!\\*\\*\\*)[^\\s;,()'\"$]+)"),
        kCaseless);

    text.replace(userInfo, QStringLiteral("\\1:***@"));
    text = maskGroup(text, urlOption, 2);
    text = maskGroup(text, keyword, 2);
    text = maskGroup(text, sql, 2, true);
    text = maskGroup(text, sqlWord, 2);
    return text;
}

} // namespace orm
