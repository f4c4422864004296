#pragma once

// The window's colours: the theme the user picked (the desktop's, light or dark), and the few
// colours Strata adds on top of the palette (errors, warnings, success, accents), each with a
// variant that reads on a dark background. Nothing in ui/ hard-codes a colour elsewhere.
//
//   ui::applyTheme(ui::Theme::Dark);
//   label->setStyleSheet(ui::toneStyleSheet(ui::Tone::Error, label->palette()));

#include <QColor>
#include <QPalette>
#include <QString>

namespace strata::ui {

enum class Theme { System, Light, Dark };

// "system", "light", "dark" (what Preferences keeps); anything else reads as System.
QString themeKey(Theme theme);
Theme themeFromKey(const QString &key);

// Makes the theme the application's palette. System is the palette the application started
// with (the desktop's).
void applyTheme(Theme theme);
QPalette lightPalette();
QPalette darkPalette();

// Whether text on this palette's base is light on dark.
bool isDark(const QPalette &palette);

enum class Tone { Error, Warning, Success, Accent, Tenant };
// The tone's colour for text on the palette's base (or window) colour.
QColor toneColor(Tone tone, const QPalette &palette);
// "color: #rrggbb" (bold if asked) for a label on this palette.
QString toneStyleSheet(Tone tone, const QPalette &palette, bool bold = false);
// The background behind a field whose input is wrong, and its text colour.
QColor errorFieldBackground(const QPalette &palette);

// WCAG's contrast ratio of two colours (1 to 21); text wants at least 4.5.
double contrastRatio(const QColor &a, const QColor &b);

} // namespace strata::ui
