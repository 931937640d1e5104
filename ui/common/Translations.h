#pragma once

#include <QString>

namespace tl::Translations {

// Installs TokenLedger's translation (embedded resource ":/i18n/tokenledger_<lang>.qm") and Qt's own
// (qtbase_<lang>.qm from the Qt installation, when present) on the application.
// `language`: "" follows the system locale; "en" means English; else a locale name ("zh_CN").
// English has a catalogue too: only the singular and plural forms of the "%n call(s)" texts
// (translations/tokenledger_en.ts), so "1 call" / "2 calls" instead of "1 call(s)".
// Also sets QLocale::setDefault so numbers and dates follow. Returns the locale name used.
// Call once, on the GUI thread, before widgets are created (a change applies on restart).
QString install(const QString &language);

// Installs the English plural catalogue alone, leaving the default locale as it is: for the headless
// commands, which print in English and show core texts such as the simulator's notes. Returns whether
// it loaded. Call once, on the main thread, after the QCoreApplication is constructed.
bool installEnglishPlurals();

// The UI languages offered in settings: locale names, "" for the system's.
QStringList available();

} // namespace tl::Translations
