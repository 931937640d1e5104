#pragma once

#include <QString>

namespace tl::Translations {

// Installs TokenLedger's translation (embedded resource ":/i18n/tokenledger_<lang>.qm") and Qt's own
// (qtbase_<lang>.qm from the Qt installation, when present) on the application.
// `language`: "" follows the system locale; "en" means no translation; else a locale name ("zh_CN").
// Also sets QLocale::setDefault so numbers and dates follow. Returns the locale name used.
// Call once, on the GUI thread, before widgets are created (a change applies on restart).
QString install(const QString &language);

// The UI languages offered in settings: locale names, "" for the system's.
QStringList available();

} // namespace tl::Translations
