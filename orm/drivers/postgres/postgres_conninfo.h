#pragma once

// A DatabaseUrl as the keyword/value arrays PQconnectStartParams takes.

#include "orm/core/database_url.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace orm::drivers::postgres {

class ConnectParameters {
public:
    // `address` is the host's resolved address, passed as hostaddr ("" for none).
    ConnectParameters(const DatabaseUrl &url, const QString &address);

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
