#pragma once

// Secrets in text: the one place that knows what a password looks like, so that everything
// shown (logs, errors, titles) and everything kept (history, saved console tabs, saved
// connections) hides them the same way.

#include <QString>

namespace orm {

// Whether a libpq connection option carries a secret ("password", "sslpassword"): its value
// is never shown.
bool isSecretOption(const QString &key);

// `text` with every secret it may hold replaced by "***": a URL's password
// ("postgresql://ann:***@host", even holding '@' or '/'), a secret URL option
// ("?password=***", "&sslpassword=***"), a libpq keyword/value pair ("password=***",
// "sslpassword = '***'"), and SQL's PASSWORD clause ("ALTER ROLE ann PASSWORD '***'", any
// quoting). Everything else is left as it was.
QString maskSecrets(QString text);

} // namespace orm
