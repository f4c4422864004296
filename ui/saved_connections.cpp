#include "saved_connections.h"

#include "orm/core/database_url.h"
#include "orm/core/error.h"
#include "orm/core/secrets.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace strata::ui {

QString withoutPassword(const QString &url)
{
    // By parsing, so that any spelling of the scheme, a password holding '@' or '/', ?password=
    // and sslpassword all go; text that does not parse is kept only with its secrets masked.
    try {
        return orm::DatabaseUrl::parse(url).withoutSecrets().toString();
    } catch (const orm::Error &) {
        return orm::maskSecrets(url);
    }
}

QString SavedConnections::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("connections.json"));
}

SavedConnections::SavedConnections(QString path)
    : m_path(std::move(path))
{
}

void SavedConnections::load()
{
    m_connections.clear();
    QFile file(m_path);
    if (!file.exists())
        return;
    if (!file.open(QIODevice::ReadOnly))
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("%1 is not a connections file: %2 at offset %3")
                             .arg(m_path, error.errorString())
                             .arg(error.offset));
    for (const QJsonValue &value :
         document.object().value(QLatin1String("connections")).toArray()) {
        const QJsonObject object = value.toObject();
        SavedConnection connection{object.value(QLatin1String("name")).toString(),
                                   withoutPassword(object.value(QLatin1String("url")).toString()),
                                   object.value(QLatin1String("primary")).toBool()};
        if (connection.name.isEmpty() || connection.url.isEmpty())
            throw orm::Error(
                orm::Error::Kind::Configuration,
                QStringLiteral("%1: every connection needs a name and a url").arg(m_path));
        m_connections << connection;
    }
}

void SavedConnections::save() const
{
    QJsonArray list;
    for (const SavedConnection &connection : m_connections) {
        QJsonObject object{{QStringLiteral("name"), connection.name},
                           {QStringLiteral("url"), withoutPassword(connection.url)}};
        if (connection.primary)
            object.insert(QStringLiteral("primary"), true);
        list.append(object);
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
    // Host names, users and databases are nobody else's business either: the user's alone, as
    // the console's files are (the rename keeps the new file's mode, even over an older file).
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                        QFileDevice::WriteUser);
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("connections"), list}}).toJson());
    if (!file.commit())
        throw orm::Error(orm::Error::Kind::Configuration,
                         QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString()));
}

void SavedConnections::put(SavedConnection connection)
{
    connection.url = withoutPassword(connection.url);
    for (SavedConnection &known : m_connections)
        if (known.name == connection.name) {
            known = connection;
            return;
        }
    m_connections << connection;
}

bool SavedConnections::remove(const QString &name)
{
    return m_connections.removeIf([&](const SavedConnection &c) { return c.name == name; }) > 0;
}

} // namespace strata::ui
