#pragma once

#include <QPalette>
#include <QString>

namespace tl::Theme {

// Light and dark looks on the Fusion style (the same on every platform, and Fusion honours a dark
// palette, which native styles may not); check boxes and radio buttons get an outline of indicatorOutline()
// (Fusion's own is the colour of their fill on the dark palette, and faint on the light one). `theme`: "light", "dark" or "system" (the palette the
// platform gives; Qt 6.4 has no colour-scheme query, so "system" keeps the platform's palette).
// Call on the GUI thread after the QApplication exists; may be called again to switch.
void apply(const QString &theme);

// The dark palette used for "dark".
QPalette darkPalette();

// True when `palette` reads as dark (window lighter than text is light).
bool isDark(const QPalette &palette);

// The outline of a check box or radio button: midway between the window and text colours.
QColor indicatorOutline(const QPalette &palette);

} // namespace tl::Theme
