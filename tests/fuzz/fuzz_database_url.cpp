// DatabaseUrl::parse on arbitrary text. Properties of every URL it accepts:
// - printed (toString) and parsed again, it is the same URL, part by part;
// - its display form does not depend on the password, nor on a secret option such as
//   sslpassword (so cannot contain them);
// - host lists ("h1:1,[::1]:2", ?host=a,b&port=1,2) come back as the same hosts in order,
//   from the display form too.
// Text it refuses throws orm::Error(InvalidUrl), never anything else.

#include "fuzz_check.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"

#include <QUrl>

namespace {

QString describe(const orm::DatabaseUrl &url)
{
    QStringList options;
    for (auto it = url.options().cbegin(); it != url.options().cend(); ++it)
        options << it.key() + QLatin1Char('=') + it.value();
    QStringList hosts;
    for (const orm::DatabaseUrl::HostPort &h : url.hosts())
        hosts << h.host + QLatin1Char('|') + QString::number(h.port);
    return QStringLiteral("scheme=%1 user=%2 password?%3 hosts=%4 db=%5 path=%6 {%7}")
        .arg(url.scheme(), url.user(), url.hasPassword() ? QStringLiteral("yes") : QString(),
             hosts.join(QLatin1Char(';')), url.databaseName(), url.path(),
             options.join(QLatin1Char(',')));
}

bool sameParts(const orm::DatabaseUrl &a, const orm::DatabaseUrl &b)
{
    return a.backend() == b.backend() && a.scheme() == b.scheme() && a.user() == b.user() &&
           a.password() == b.password() && a.hasPassword() == b.hasPassword() &&
           a.hosts() == b.hosts() && a.host() == b.host() && a.port() == b.port() &&
           a.databaseName() == b.databaseName() && a.path() == b.path() &&
           a.options() == b.options();
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
    if (url.backend() == orm::DatabaseUrl::Backend::Postgres) {
        // Nor on a secret option's value: the same URL with sslpassword changed shows the same.
        const QString shown = url.toDisplayString();
        if (url.options().contains(QStringLiteral("sslpassword"))) {
            // toString() prints it once, encoded as below; "x" in front changes the value.
            const QString value = QString::fromLatin1(
                QUrl::toPercentEncoding(url.option(QStringLiteral("sslpassword")), "/"));
            const QString changed = QString(printed).replace(
                QStringLiteral("sslpassword=") + value, QStringLiteral("sslpassword=x") + value);
            orm::DatabaseUrl other;
            try {
                other = orm::DatabaseUrl::parse(changed);
            } catch (const orm::Error &error) {
                FUZZ_CHECK(false, changed + QStringLiteral(" does not parse: ") + error.message());
            }
            FUZZ_CHECK(other.option(QStringLiteral("sslpassword")) ==
                           QLatin1Char('x') + url.option(QStringLiteral("sslpassword")),
                       changed);
            FUZZ_CHECK(other.toDisplayString() == shown,
                       shown + QStringLiteral(" vs ") + other.toDisplayString());
        }
        // The display form keeps the hosts: it parses back to the same list.
        orm::DatabaseUrl displayed;
        try {
            displayed = orm::DatabaseUrl::parse(shown);
        } catch (const orm::Error &error) {
            FUZZ_CHECK(false, QStringLiteral("%1 displayed as %2 does not parse: %3")
                                  .arg(printed, shown, error.message()));
        }
        FUZZ_CHECK(displayed.hosts() == url.hosts(),
                   QStringLiteral("%1 displayed as %2: %3 vs %4")
                       .arg(printed, shown, describe(url), describe(displayed)));
    }
    return 0;
}
