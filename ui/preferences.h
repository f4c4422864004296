#pragma once

// What the user set in Preferences, kept in an INI file in the user's config directory (beside
// connections.json). Values missing or out of range in the file read as their defaults.
//
//   const ui::Preferences preferences = ui::Preferences::load(ui::Preferences::defaultPath());
//   preferences.apply(); // before the registry connects

#include "ui/theme.h"

#include <QFont>
#include <QString>

namespace strata::ui {

struct Preferences {
    // What the window opens when started without --database.
    enum class StartWith { LastConnections, Demo };

    // For connection URLs that do not give connect_timeout; 0 waits without a bound.
    int connectTimeoutSeconds;
    // The console editor's font; an empty family is the system's fixed-width font, a size of 0
    // its size.
    QString editorFontFamily;
    int editorFontSize = 0;
    // The grid's font size in points; 0 is the application's.
    int gridFontSize = 0;
    // Rows read per page of the grid (and kept per page in memory).
    int rowsPerPage = kDefaultRowsPerPage;
    Theme theme = Theme::System;
    StartWith startWith = StartWith::LastConnections;

    static constexpr int kDefaultRowsPerPage = 256;
    static constexpr int kMinRowsPerPage = 16;
    static constexpr int kMaxRowsPerPage = 10'000;
    static constexpr int kMinFontSize = 6;
    static constexpr int kMaxFontSize = 48;

    Preferences();
    static QString defaultPath();
    static Preferences load(const QString &path);
    // False when the file could not be written (the values still apply).
    bool save(const QString &path) const;
    // Makes the process-wide ones the process's (the connect timeout, the theme): connections
    // opened from now on use them. The window applies the rest to its widgets.
    void apply() const;
    // The editor font these preferences give.
    QFont editorFont() const;

    bool operator==(const Preferences &) const = default;
};

} // namespace strata::ui
