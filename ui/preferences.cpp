#include "ui/preferences.h"

#include "orm/core/database_url.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QSettings>
#include <QStandardPaths>

#include <optional>

namespace strata::ui {
namespace {
const QString kConnectTimeout = QStringLiteral("connections/connect_timeout_seconds");
const QString kStartWith = QStringLiteral("connections/start_with");
const QString kEditorFont = QStringLiteral("editor/font_family");
const QString kEditorFontSize = QStringLiteral("editor/font_size");
const QString kGridFontSize = QStringLiteral("grid/font_size");
const QString kRowsPerPage = QStringLiteral("grid/rows_per_page");
const QString kTheme = QStringLiteral("appearance/theme");

// An int from the file within [low, high], else nothing.
std::optional<int> intIn(const QSettings &file, const QString &key, int low, int high)
{
    bool ok = false;
    const int value = file.value(key).toInt(&ok);
    if (!ok || value < low || value > high)
        return std::nullopt;
    return value;
}

bool validFontSize(int size)
{
    return size == 0 || (size >= Preferences::kMinFontSize && size <= Preferences::kMaxFontSize);
}

} // namespace

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
    if (auto timeout = intIn(file, kConnectTimeout, 0, orm::DatabaseUrl::kMaxConnectTimeoutSeconds))
        preferences.connectTimeoutSeconds = *timeout;
    if (file.value(kStartWith).toString() == QLatin1String("demo"))
        preferences.startWith = StartWith::Demo;
    preferences.editorFontFamily = file.value(kEditorFont).toString().trimmed();
    if (auto size = intIn(file, kEditorFontSize, 0, kMaxFontSize); size && validFontSize(*size))
        preferences.editorFontSize = *size;
    if (auto size = intIn(file, kGridFontSize, 0, kMaxFontSize); size && validFontSize(*size))
        preferences.gridFontSize = *size;
    if (auto rows = intIn(file, kRowsPerPage, kMinRowsPerPage, kMaxRowsPerPage))
        preferences.rowsPerPage = *rows;
    preferences.theme = themeFromKey(file.value(kTheme).toString());
    return preferences;
}

bool Preferences::save(const QString &path) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSettings file(path, QSettings::IniFormat);
    file.setValue(kConnectTimeout, connectTimeoutSeconds);
    file.setValue(kStartWith,
                  startWith == StartWith::Demo ? QStringLiteral("demo") : QStringLiteral("last"));
    file.setValue(kEditorFont, editorFontFamily);
    file.setValue(kEditorFontSize, editorFontSize);
    file.setValue(kGridFontSize, gridFontSize);
    file.setValue(kRowsPerPage, rowsPerPage);
    file.setValue(kTheme, themeKey(theme));
    file.sync();
    return file.status() == QSettings::NoError;
}

void Preferences::apply() const
{
    orm::DatabaseUrl::setDefaultConnectTimeoutSeconds(connectTimeoutSeconds);
    if (qobject_cast<QApplication *>(QCoreApplication::instance()))
        applyTheme(theme);
}

QFont Preferences::editorFont() const
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    if (!editorFontFamily.isEmpty())
        font.setFamily(editorFontFamily);
    if (editorFontSize > 0)
        font.setPointSize(editorFontSize);
    return font;
}

} // namespace strata::ui
