#pragma once

// A DatabaseUrl as the keyword/value arrays PQconnectStartParams takes.

#include "orm/core/database_url.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace orm::drivers::postgres {

class ConnectParameters {
public:
    // `hosts` are those to try (the URL's, or what is left of them), passed as libpq's comma
    // lists host and port; `addresses` holds one resolved address per host ("" for none: libpq
    // takes the name), passed as hostaddr. The URL's own ?hostaddr= is not passed: the caller
    // gives its entries as `addresses`.
    ConnectParameters(const DatabaseUrl &url, const QList<DatabaseUrl::HostPort> &hosts,
                      const QStringList &addresses);

    // Null-terminated arrays, valid until clear().
    const char *const *keywords() const { return m_keywordPointers.data(); }
    const char *const *values() const { return m_valuePointers.data(); }
    // Drops the values (the password among them) once libpq has copied them.
    void clear();

private:
    void add(const char *key, const QString &value);

    std::vector<QByteArray> m_keywords;
    std::vector<QByteArray> m_values;
    std::vector<const char *> m_keywordPointers;
    std::vector<const char *> m_valuePointers;
};

} // namespace orm::drivers::postgres
