#include "ui/preferences.h"

#include "orm/core/database_url.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace strata::ui {
namespace {
const QString kConnectTimeout = QStringLiteral("connections/connect_timeout_seconds");
}

Preferences::Preferences()
    : connectTimeoutSeconds(orm::DatabaseUrl::kDefaultConnectTimeoutSeconds)
{
}

QString Preferences::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("preferences.ini"));
}

Preferences Preferences::load(const QString &path)
{
    Preferences preferences;
    const QSettings file(path, QSettings::IniFormat);
    bool ok = false;
    const int timeout = file.value(kConnectTimeout).toInt(&ok);
    if (ok && timeout >= 0 && timeout <= orm::DatabaseUrl::kMaxConnectTimeoutSeconds)
        preferences.connectTimeoutSeconds = timeout;
    return preferences;
}

bool Preferences::save(const QString &path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSettings file(path, QSettings::IniFormat);
    file.setValue(kConnectTimeout, connectTimeoutSeconds);
    file.sync();
    return file.status() == QSettings::NoError;
}

void Preferences::apply() const
{
    orm::DatabaseUrl::setDefaultConnectTimeoutSeconds(connectTimeoutSeconds);
}

} // namespace strata::ui
