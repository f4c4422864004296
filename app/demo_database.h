#pragma once

// The bundled demo: a SQLite shop (primary), an archive (extra database) and two tenants
// (attached databases beside the primary, as orm::SchemaManager names them), created on first
// run from the SQL in resources/demo/ in the user's data directory.

#include <QList>
#include <QMap>
#include <QString>

namespace orm {
class Registry;
}

namespace strata::app {

struct Demo {
    QString primaryUrl;
    QList<std::pair<QString, QString>> extras; // name, URL
    QMap<QString, QString> tenants;            // schema, file
};

// Creates what is missing under `directory` (synchronously: call it before the event loop
// runs). Throws orm::Error when a file cannot be written.
Demo ensureDemo(const QString &directory);
// The demo's declared and tenant models, so the tree tells them from reflected ones, and its
// tenant schemas attached to the primary.
void registerDemo(orm::Registry &registry, const Demo &demo);

} // namespace strata::app
