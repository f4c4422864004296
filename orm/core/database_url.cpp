#include "orm/core/database_url.h"

#include "orm/core/error.h"
#include "orm/core/secrets.h"

#include <QRegularExpression>
#include <QSet>
#include <QUrl>

#include <algorithm>
#include <atomic>

namespace orm {
namespace {

[[noreturn]] void invalid(const QString &shown, const QString &why)
{
    throw Error(Error::Kind::InvalidUrl,
                QStringLiteral("invalid database URL '%1': %2").arg(shown, why));
}

// libpq and SQLite read every part as a C string: a %00 would cut it short there, so that
// "tester%00evil" logs in as "tester". Refused, naming the part only (never quoting it).
void refuseNul(const QByteArray &decoded, const QString &shown, const char *what)
{
    if (decoded.contains('\0'))
        invalid(shown, QStringLiteral("the ") + QLatin1String(what) +
                           QStringLiteral(" contains %00 (a NUL byte): the database would read "
                                          "only what comes before it"));
}

// Decodes %XX escapes, refusing malformed ones (QUrl would pass them through silently).
QString percentDecode(const QString &part, const QString &shown, const char *what)
{
    const QByteArray raw = part.toUtf8();
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%')
            continue;
        if (i + 2 >= raw.size() || !isxdigit(uchar(raw[i + 1])) || !isxdigit(uchar(raw[i + 2])))
            invalid(shown, QStringLiteral("bad percent-escape in the %1").arg(QLatin1String(what)));
        i += 2;
    }
    const QByteArray decoded = QByteArray::fromPercentEncoding(raw);
    refuseNul(decoded, shown, what);
    return QString::fromUtf8(decoded);
}

QString percentEncode(const QString &part, const char *keep = "")
{
    return QString::fromLatin1(QUrl::toPercentEncoding(part, keep));
}

// What may stand between '[' and ']' as it is: an IPv6 address, with a zone ("fe80::1%eth0").
bool isBracketable(const QString &host)
{
    return std::all_of(host.begin(), host.end(), [](QChar c) {
        return (c.unicode() < 0x80 && c.isLetterOrNumber()) || c == QLatin1Char(':') ||
               c == QLatin1Char('.') || c == QLatin1Char('%') || c == QLatin1Char('-') ||
               c == QLatin1Char('_');
    });
}

// Options libpq understands (and Strata's own for SQLite); anything else is a typo to report.
const QSet<QString> &postgresOptions()
{
    static const QSet<QString> keys{
        QStringLiteral("sslmode"),
        QStringLiteral("connect_timeout"),
        QStringLiteral("host"),
        QStringLiteral("hostaddr"),
        QStringLiteral("port"),
        QStringLiteral("application_name"),
        QStringLiteral("options"),
        QStringLiteral("sslcert"),
        QStringLiteral("sslkey"),
        QStringLiteral("sslrootcert"),
        QStringLiteral("sslcrl"),
        QStringLiteral("sslpassword"),
        QStringLiteral("target_session_attrs"),
        QStringLiteral("keepalives"),
        QStringLiteral("keepalives_idle"),
        QStringLiteral("keepalives_interval"),
        QStringLiteral("keepalives_count"),
        QStringLiteral("client_encoding"),
        QStringLiteral("gssencmode"),
        QStringLiteral("channel_binding"),
        QStringLiteral("passfile"),
        QStringLiteral("tcp_user_timeout"),
        QStringLiteral("sslcompression"),
        QStringLiteral("password"), // as libpq takes it; parse() moves it to password()
    };
    return keys;
}

const QSet<QString> &sqliteOptions()
{
    static const QSet<QString> keys{QStringLiteral("create"), QStringLiteral("mode"),
                                    QStringLiteral("busy_timeout")};
    return keys;
}

QMap<QString, QString> parseQuery(const QString &query, const QString &shown,
                                  const QSet<QString> &known)
{
    QMap<QString, QString> options;
    if (query.isEmpty())
        return options;
    for (const QString &pair : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        if (eq <= 0)
            invalid(shown, QStringLiteral("query option '%1' is not of the form key=value")
                               .arg(pair.left(40)));
        const QString key = percentDecode(pair.left(eq), shown, "query");
        const QString value = percentDecode(pair.mid(eq + 1), shown, "query");
        if (!known.contains(key))
            invalid(shown, QStringLiteral("unknown option '%1'").arg(key));
        options.insert(key, value);
    }
    return options;
}

bool isNonNegativeInteger(const QString &text)
{
    bool ok = false;
    return !text.isEmpty() && text.toInt(&ok) >= 0 && ok;
}

// Whole seconds, small enough that a timer can count them in milliseconds (a larger value
// would wrap around and fire at once, or never).
void checkConnectTimeout(const QString &text, const QString &shown)
{
    const bool digits = !text.isEmpty() && std::all_of(text.begin(), text.end(), [](QChar c) {
        return c >= QLatin1Char('0') && c <= QLatin1Char('9');
    });
    if (!digits)
        invalid(shown,
                QStringLiteral("option 'connect_timeout' must be a whole number of seconds"));
    bool ok = false;
    const qulonglong seconds = text.toULongLong(&ok);
    if (!ok || seconds > qulonglong(DatabaseUrl::kMaxConnectTimeoutSeconds))
        invalid(shown, QStringLiteral("option 'connect_timeout' is too large: at most %1 seconds "
                                      "(about 24 days); 0 waits without a bound")
                           .arg(DatabaseUrl::kMaxConnectTimeoutSeconds));
}

// Where the user info of `afterScheme` (the text after "://") ends: the index of its '@', or -1.
// A password may hold unencoded '@', '/', '?' or ':', so none of those ends it; the last '@'
// does, unless it comes after a known "?option=" (an '@' in the query's values) or after a '/'
// with no ':' before it (an '@' in the database name: only a password holds a '/').
qsizetype userInfoEnd(const QString &afterScheme)
{
    static const QRegularExpression option(QStringLiteral("[?&]([A-Za-z_]+)="));
    for (qsizetype at = afterScheme.lastIndexOf(QLatin1Char('@')); at >= 0;
         at = at > 0 ? afterScheme.lastIndexOf(QLatin1Char('@'), at - 1) : -1) {
        const qsizetype slash = afterScheme.indexOf(QLatin1Char('/'));
        const qsizetype colon = afterScheme.indexOf(QLatin1Char(':'));
        if (slash >= 0 && slash < at && (colon < 0 || colon > slash))
            continue;
        bool inQuery = false;
        for (auto it = option.globalMatch(QStringView(afterScheme).left(at));
             it.hasNext() && !inQuery;)
            inQuery = postgresOptions().contains(it.next().captured(1));
        if (!inQuery)
            return at;
    }
    return -1;
}

// What error messages may quote of `text`: never its user info (part of a password may look
// like a user name or a port), nor a secret option's value.
QString quotable(const QString &text)
{
    const qsizetype schemeEnd = text.indexOf(QLatin1String("://"));
    if (schemeEnd >= 0 &&
        text.left(schemeEnd).compare(QLatin1String("sqlite"), Qt::CaseInsensitive) == 0)
        return text; // a path, which may hold '@'
    QString shown = text;
    const QString afterScheme = schemeEnd >= 0 ? text.mid(schemeEnd + 3) : text;
    const qsizetype at =
        schemeEnd >= 0 ? userInfoEnd(afterScheme) : afterScheme.lastIndexOf(QLatin1Char('@'));
    if (at >= 0)
        shown = (schemeEnd >= 0 ? text.left(schemeEnd + 3) : QString()) + QStringLiteral("***") +
                afterScheme.mid(at);
    return maskSecrets(shown);
}

// A list option's entries ("a,b" -> a, b); none for "".
QStringList splitList(const QString &value)
{
    return value.isEmpty() ? QStringList() : value.split(QLatin1Char(','));
}

// Whether a host list names any host: "" alone (or nothing) leaves the choice to libpq.
bool hasNames(const QStringList &names)
{
    return names.size() > 1 || (names.size() == 1 && !names.first().isEmpty());
}

// 0 for "" (libpq's default port).
int parsePort(const QString &text, const QString &shown)
{
    if (text.isEmpty())
        return 0;
    bool ok = false;
    const int port = text.toInt(&ok);
    if (!ok || port < 1 || port > 65535 || text.startsWith(QLatin1Char('+')))
        invalid(shown, QStringLiteral("port '%1' is not a number from 1 to 65535").arg(text));
    return port;
}

struct HostEntry {
    QString name;
    int port = 0;
};

// One entry of the authority's host list: "host", "host:port", "[v6]" or "[v6]:port".
HostEntry parseHostEntry(QString entry, const QString &shown)
{
    HostEntry parsed;
    QString portText;
    bool colon = false;
    if (entry.startsWith(QLatin1Char('['))) {
        const qsizetype close = entry.indexOf(QLatin1Char(']'));
        if (close < 0)
            invalid(shown, QStringLiteral("IPv6 host is missing its closing ']'"));
        parsed.name = entry.mid(1, close - 1);
        if (parsed.name.isEmpty())
            invalid(shown, QStringLiteral("the IPv6 host between '[' and ']' is empty"));
        if (!isBracketable(parsed.name)) // taken as it is, not decoded: a NUL would pass
            invalid(shown, QStringLiteral("the host between '[' and ']' is not an IPv6 address"));
        const QString after = entry.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':')))
            invalid(shown, QStringLiteral("unexpected text after the IPv6 host"));
        colon = after.startsWith(QLatin1Char(':'));
        portText = after.mid(1);
    } else {
        const qsizetype at = entry.lastIndexOf(QLatin1Char(':'));
        if (at >= 0) {
            colon = true;
            portText = entry.mid(at + 1);
            entry.truncate(at);
        }
        parsed.name = percentDecode(entry, shown, "host");
        // A list cannot hold it: libpq would split the name there.
        if (parsed.name.contains(QLatin1Char(',')))
            invalid(shown, QStringLiteral("a host name must not contain ','"));
    }
    if (colon && portText.isEmpty())
        invalid(shown, QStringLiteral("the port after ':' is empty"));
    parsed.port = parsePort(portText, shown);
    return parsed;
}

// target_session_attrs as libpq 14 and later read it.
const QStringList &sessionAttributes()
{
    static const QStringList values{QStringLiteral("any"),       QStringLiteral("read-write"),
                                    QStringLiteral("read-only"), QStringLiteral("primary"),
                                    QStringLiteral("standby"),   QStringLiteral("prefer-standby")};
    return values;
}

// Whether a host must go to ?host= rather than the authority: a socket directory, or a name
// with ':' that brackets would not hold ("a]:b" from ?host=, found by tests/fuzz).
bool needsHostOption(const QString &host)
{
    return host.startsWith(QLatin1Char('/')) ||
           (host.contains(QLatin1Char(':')) && !isBracketable(host));
}

// The authority's form of one host: IPv6 addresses bracketed.
QString authorityHost(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                           : percentEncode(host);
}

} // namespace

DatabaseUrl DatabaseUrl::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    const QString shown = quotable(trimmed);
    if (trimmed.isEmpty())
        invalid(shown, QStringLiteral("the URL is empty"));

    const qsizetype schemeEnd = trimmed.indexOf(QLatin1String("://"));
    if (schemeEnd <= 0)
        invalid(shown, QStringLiteral("expected scheme://..., for example "
                                      "postgresql://user@host/db or sqlite:///file.db"));

    DatabaseUrl url;
    url.m_scheme = trimmed.left(schemeEnd).toLower();
    QString rest = trimmed.mid(schemeEnd + 3);
    // The user info first: what it holds (a password) is not looked at as URL syntax.
    QString userInfo;
    bool hasUserInfo = false;
    if (url.m_scheme != QLatin1String("sqlite")) {
        if (const qsizetype at = userInfoEnd(rest); at >= 0) {
            userInfo = rest.left(at);
            hasUserInfo = true;
            rest.remove(0, at + 1);
        }
    }
    if (rest.contains(QLatin1Char('#')))
        invalid(shown, QStringLiteral("a URL fragment ('#...') is not allowed"));
    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }

    if (url.m_scheme == QLatin1String("sqlite")) {
        url.m_backend = Backend::Sqlite;
        if (rest == QLatin1String(":memory:") || rest == QLatin1String("/:memory:")) {
            url.m_path = QStringLiteral(":memory:");
        } else {
            if (!rest.startsWith(QLatin1Char('/')))
                invalid(shown,
                        QStringLiteral("a SQLite URL has no host: write sqlite:///relative.db,"
                                       " sqlite:////absolute.db or sqlite://:memory:"));
            url.m_path = percentDecode(rest.mid(1), shown, "path");
            if (url.m_path.isEmpty())
                invalid(shown, QStringLiteral("the SQLite file path is empty"));
        }
        url.m_options = parseQuery(query, shown, sqliteOptions());
        const QString create = url.option(QStringLiteral("create"));
        if (!create.isEmpty() && create != QLatin1String("true") &&
            create != QLatin1String("false"))
            invalid(shown, QStringLiteral("option 'create' must be true or false"));
        const QString mode = url.option(QStringLiteral("mode"));
        if (!mode.isEmpty() && mode != QLatin1String("ro") && mode != QLatin1String("rw") &&
            mode != QLatin1String("rwc"))
            invalid(shown, QStringLiteral("option 'mode' must be ro, rw or rwc"));
        if (url.m_options.contains(QStringLiteral("busy_timeout")) &&
            !isNonNegativeInteger(url.option(QStringLiteral("busy_timeout"))))
            invalid(shown,
                    QStringLiteral("option 'busy_timeout' must be a number of milliseconds"));
        return url;
    }

    if (url.m_scheme != QLatin1String("postgresql") && url.m_scheme != QLatin1String("postgres"))
        invalid(shown,
                QStringLiteral("unknown scheme '%1' (expected postgresql, postgres or sqlite)")
                    .arg(url.m_scheme));
    url.m_backend = Backend::Postgres;

    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    QString authority = slash >= 0 ? rest.left(slash) : rest;
    const QString path = slash >= 0 ? rest.mid(slash + 1) : QString();
    if (path.contains(QLatin1Char('/')))
        invalid(shown, QStringLiteral("the database name must not contain '/'"));
    url.m_database = percentDecode(path, shown, "database name");

    if (hasUserInfo) {
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        url.m_user = percentDecode(colon >= 0 ? userInfo.left(colon) : userInfo, shown, "user");
        if (colon >= 0) {
            url.m_hasPassword = true;
            url.m_password = percentDecode(userInfo.mid(colon + 1), shown, "password");
        }
        if (url.m_user.isEmpty() && url.m_hasPassword)
            invalid(shown, QStringLiteral("a password is given without a user name"));
    }

    // The authority's host list, split as libpq's URI parser splits it: a name without a port
    // gets the default port.
    QStringList names;
    QList<int> ports;
    bool portInAuthority = false;
    if (!authority.isEmpty()) {
        for (const QString &entry : authority.split(QLatin1Char(','))) {
            const HostEntry parsed = parseHostEntry(entry, shown);
            names << parsed.name;
            ports << parsed.port;
            portInAuthority = portInAuthority || parsed.port > 0;
        }
    }
    const bool namesInAuthority = hasNames(names);

    url.m_options = parseQuery(query, shown, postgresOptions());
    // libpq takes the password as an option too, and the option wins over the user part.
    if (url.m_options.contains(QStringLiteral("password"))) {
        url.m_password = url.m_options.take(QStringLiteral("password"));
        url.m_hasPassword = true;
    }
    if (url.m_options.contains(QStringLiteral("connect_timeout")))
        checkConnectTimeout(url.option(QStringLiteral("connect_timeout")), shown);
    static const QSet<QString> sslModes{QStringLiteral("disable"),   QStringLiteral("allow"),
                                        QStringLiteral("prefer"),    QStringLiteral("require"),
                                        QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
    if (url.m_options.contains(QStringLiteral("sslmode")) &&
        !sslModes.contains(url.option(QStringLiteral("sslmode"))))
        invalid(shown, QStringLiteral("sslmode '%1' is not one of disable, allow, prefer, require, "
                                      "verify-ca, verify-full")
                           .arg(url.option(QStringLiteral("sslmode"))));
    if (url.m_options.contains(QStringLiteral("target_session_attrs")) &&
        !sessionAttributes().contains(url.option(QStringLiteral("target_session_attrs"))))
        invalid(shown, QStringLiteral("option 'target_session_attrs' is '%1': it must be one of %2")
                           .arg(url.option(QStringLiteral("target_session_attrs")).left(40),
                                sessionAttributes().join(QStringLiteral(", "))));

    if (url.m_options.contains(QStringLiteral("host"))) {
        if (namesInAuthority)
            invalid(shown, QStringLiteral("the host is given twice (in the URL and as ?host=)"));
        names = splitList(url.m_options.take(QStringLiteral("host")));
    }
    if (url.m_options.contains(QStringLiteral("port"))) {
        if (portInAuthority)
            invalid(shown, QStringLiteral("the port is given twice (in the URL and as ?port=)"));
        ports.clear();
        for (const QString &text : splitList(url.m_options.take(QStringLiteral("port"))))
            ports << parsePort(text, shown);
    }
    // As libpq counts them: one host per ?hostaddr= entry if given, else per host name.
    const qsizetype addresses = splitList(url.option(QStringLiteral("hostaddr"))).size();
    const qsizetype count = addresses > 0 ? addresses : hasNames(names) ? names.size() : 1;
    if (hasNames(names) && names.size() != count)
        invalid(shown, QStringLiteral("%1 host names for %2 ?hostaddr= addresses: give one address "
                                      "per host")
                           .arg(names.size())
                           .arg(addresses));
    if (ports.size() > 1 && ports.size() != count)
        invalid(shown, QStringLiteral("%1 ports for %2 hosts: give one port for all hosts or one "
                                      "per host")
                           .arg(ports.size())
                           .arg(count));
    for (qsizetype i = 0; i < count; ++i)
        url.m_hosts.append(HostPort{hasNames(names) ? names[i] : QString(), ports.isEmpty() ? 0
                                                                            : ports.size() == 1
                                                                                ? ports.first()
                                                                                : ports[i]});
    return url;
}

namespace {
std::atomic<int> g_defaultConnectTimeout{DatabaseUrl::kDefaultConnectTimeoutSeconds};
}

int DatabaseUrl::connectTimeoutSeconds() const
{
    const auto it = m_options.constFind(QStringLiteral("connect_timeout"));
    return it == m_options.constEnd() ? defaultConnectTimeoutSeconds() : it->toInt();
}

void DatabaseUrl::setDefaultConnectTimeoutSeconds(int seconds)
{
    g_defaultConnectTimeout = std::clamp(seconds, 0, kMaxConnectTimeoutSeconds);
}

int DatabaseUrl::defaultConnectTimeoutSeconds()
{
    return g_defaultConnectTimeout.load();
}

DatabaseUrl DatabaseUrl::withoutSecrets() const
{
    DatabaseUrl copy = *this;
    copy.m_password.clear();
    copy.m_hasPassword = false;
    for (const QString &key : m_options.keys())
        if (isSecretOption(key))
            copy.m_options.remove(key);
    return copy;
}

DatabaseUrl DatabaseUrl::withPassword(const QString &password) const
{
    DatabaseUrl copy = *this;
    copy.m_password = password;
    copy.m_hasPassword = true;
    return copy;
}

const QString &DatabaseUrl::host() const
{
    static const QString none;
    return m_hosts.isEmpty() ? none : m_hosts.first().host;
}

QString DatabaseUrl::hostsText() const
{
    QStringList entries;
    for (const HostPort &h : m_hosts)
        entries << (h.host.contains(QLatin1Char(':')) && isBracketable(h.host)
                        ? QLatin1Char('[') + h.host + QLatin1Char(']')
                        : h.host) +
                       (h.port > 0 ? QLatin1Char(':') + QString::number(h.port) : QString());
    return entries.join(QLatin1Char(','));
}

QString DatabaseUrl::toDisplayString() const
{
    return build(true);
}

QString DatabaseUrl::toString() const
{
    return build(false);
}

QString DatabaseUrl::build(bool maskPassword) const
{
    if (isNull())
        return {};
    QString out = m_scheme + QStringLiteral("://");
    QMap<QString, QString> options = m_options;
    if (m_backend == Backend::Sqlite) {
        out += isMemory() ? m_path : QLatin1Char('/') + percentEncode(m_path, "/:");
    } else {
        if (!m_user.isEmpty()) {
            out += percentEncode(m_user);
            if (m_hasPassword)
                out += QLatin1Char(':') +
                       (maskPassword ? QStringLiteral("***") : percentEncode(m_password));
            out += QLatin1Char('@');
        } else if (m_hasPassword) {
            options.insert(QStringLiteral("password"), m_password); // libpq's default user
        }
        // All hosts stand in the authority ("h1:5432,[::1]:5433"), unless one cannot: then the
        // list goes to ?host= and its ports to ?port= (empty entries for the default).
        if (std::any_of(m_hosts.begin(), m_hosts.end(),
                        [](const HostPort &h) { return needsHostOption(h.host); })) {
            QStringList names;
            QStringList ports;
            bool anyPort = false;
            for (const HostPort &h : m_hosts) {
                names << h.host;
                ports << (h.port > 0 ? QString::number(h.port) : QString());
                anyPort = anyPort || h.port > 0;
            }
            options.insert(QStringLiteral("host"), names.join(QLatin1Char(',')));
            if (anyPort)
                options.insert(QStringLiteral("port"), ports.join(QLatin1Char(',')));
        } else {
            QStringList entries;
            for (const HostPort &h : m_hosts)
                entries << authorityHost(h.host) + (h.port > 0
                                                        ? QLatin1Char(':') + QString::number(h.port)
                                                        : QString());
            out += entries.join(QLatin1Char(','));
        }
        out += QLatin1Char('/') + percentEncode(m_database);
    }
    QStringList pairs;
    for (auto it = options.cbegin(); it != options.cend(); ++it) {
        const bool hide = maskPassword && isSecretOption(it.key());
        // Lists keep their ',' readable (libpq splits them after decoding either way).
        const bool list = it.key() == QLatin1String("host") || it.key() == QLatin1String("port") ||
                          it.key() == QLatin1String("hostaddr");
        pairs << percentEncode(it.key()) + QLatin1Char('=') +
                     (hide ? QStringLiteral("***") : percentEncode(it.value(), list ? "/," : "/"));
    }
    if (!pairs.isEmpty())
        out += QLatin1Char('?') + pairs.join(QLatin1Char('&'));
    return out;
}

} // namespace orm
