// DatabaseUrl::parse on arbitrary text. Properties of every URL it accepts:
// - printed (toString) and parsed again, it is the same URL, part by part;
// - its display form does not depend on the password (so cannot contain it);
// Text it refuses throws orm::Error(InvalidUrl), never anything else.

#include "fuzz_check.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"

namespace {

QString describe(const orm::DatabaseUrl &url)
{
    QStringList options;
    for (auto it = url.options().cbegin(); it != url.options().cend(); ++it)
        options << it.key() + QLatin1Char('=') + it.value();
    return QStringLiteral("scheme=%1 user=%2 password?%3 host=%4 port=%5 db=%6 path=%7 {%8}")
        .arg(url.scheme(), url.user(), url.hasPassword() ? QStringLiteral("yes") : QString(),
             url.host(), QString::number(url.port()), url.databaseName(), url.path(),
             options.join(QLatin1Char(',')));
}

bool sameParts(const orm::DatabaseUrl &a, const orm::DatabaseUrl &b)
{
    return a.backend() == b.backend() && a.scheme() == b.scheme() && a.user() == b.user() &&
           a.password() == b.password() && a.hasPassword() == b.hasPassword() &&
           a.host() == b.host() && a.port() == b.port() && a.databaseName() == b.databaseName() &&
           a.path() == b.path() && a.options() == b.options();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    orm::DatabaseUrl url;
    try {
        url = orm::DatabaseUrl::parse(text);
    } catch (const orm::Error &error) {
        FUZZ_CHECK(error.kind() == orm::Error::Kind::InvalidUrl, error.toString());
        return 0;
    }
    const QString printed = url.toString();
    orm::DatabaseUrl again;
    try {
        again = orm::DatabaseUrl::parse(printed);
    } catch (const orm::Error &error) {
        FUZZ_CHECK(false, QStringLiteral("%1 printed as %2 does not parse: %3")
                              .arg(text, printed, error.message()));
    }
    FUZZ_CHECK(
        sameParts(url, again),
        QStringLiteral("%1 -> %2\n  %3\n  %4").arg(text, printed, describe(url), describe(again)));
    FUZZ_CHECK(again.toString() == printed, printed + QStringLiteral(" -> ") + again.toString());

    // Any leak of the password into the display form would make these two differ.
    if (url.backend() == orm::DatabaseUrl::Backend::Postgres && url.hasPassword()) {
        const QString shown = url.toDisplayString();
        const QString other =
            url.withPassword(url.password() + QStringLiteral("x")).toDisplayString();
        FUZZ_CHECK(shown == other, shown + QStringLiteral(" vs ") + other);
    }
    return 0;
}
