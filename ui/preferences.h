#pragma once

// What the user set in Preferences, kept in an INI file in the user's config directory (beside
// connections.json). Values missing or out of range in the file read as their defaults.
//
//   const ui::Preferences preferences = ui::Preferences::load(ui::Preferences::defaultPath());
//   preferences.apply(); // before the registry connects

#include <QString>

namespace strata::ui {

struct Preferences {
    // For connection URLs that do not give connect_timeout; 0 waits without a bound.
    int connectTimeoutSeconds;

    Preferences();
    static QString defaultPath();
    static Preferences load(const QString &path);
    // False when the file could not be written (the values still apply).
    bool save(const QString &path) const;
    // Makes them the process's: connections opened from now on use them.
    void apply() const;

    bool operator==(const Preferences &) const = default;
};

} // namespace strata::ui
