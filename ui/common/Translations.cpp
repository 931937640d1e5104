#include "Translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace tl::Translations {

namespace {

// TokenLedger's own catalogue for `locale` (":/i18n/tokenledger_<lang>.qm"), installed when there is one.
bool installOwn(const QLocale &locale)
{
    auto *own = new QTranslator(QCoreApplication::instance());
    if (own->load(locale, u"tokenledger"_s, u"_"_s, u":/i18n"_s))
        return QCoreApplication::installTranslator(own);
    delete own;
    return false;
}

} // namespace

QStringList available()
{
    return {QString(), u"en"_s, u"zh_CN"_s};
}

QString install(const QString &language)
{
    QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (language.isEmpty() && locale.language() == QLocale::C)
        locale = QLocale(QLocale::English, QLocale::UnitedStates);
    QLocale::setDefault(locale);
    installOwn(locale);
    if (locale.language() == QLocale::English)
        return locale.name(); // the sources are English: Qt's own texts need no catalogue

    auto *qt = new QTranslator(QCoreApplication::instance());
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return locale.name();
}

bool installEnglishPlurals()
{
    return installOwn(QLocale(QLocale::English, QLocale::UnitedStates));
}

} // namespace tl::Translations
