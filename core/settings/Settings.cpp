#include "Settings.h"

#include "proxy/CallerIdentity.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
const QString kLanguage = u"ui/language"_s;
const QString kTimeZone = u"ui/timeZone"_s;
const QString kRange = u"dashboard/range"_s;
const QString kTheme = u"ui/theme"_s;
const QString kCallerSalt = u"proxy/callerSalt"_s;
} // namespace

Settings::Settings(const QString &fileName, QObject *parent)
    : QObject(parent)
    , m_settings(fileName.isEmpty() ? std::make_unique<QSettings>()
                                    : std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{
}

QString Settings::language() const { return m_settings->value(kLanguage, QString()).toString(); }
void Settings::setLanguage(const QString &language) { setValue(kLanguage, language); }
QString Settings::timeZone() const { return m_settings->value(kTimeZone, QString()).toString(); }
void Settings::setTimeZone(const QString &zone) { setValue(kTimeZone, zone); }
QString Settings::dashboardRange() const { return m_settings->value(kRange, u"30d"_s).toString(); }
void Settings::setDashboardRange(const QString &range) { setValue(kRange, range); }
QString Settings::theme() const { return m_settings->value(kTheme, u"system"_s).toString(); }
void Settings::setTheme(const QString &theme) { setValue(kTheme, theme); }

QByteArray Settings::callerSalt()
{
    QByteArray salt = m_settings->value(kCallerSalt).toByteArray();
    if (salt.isEmpty()) {
        salt = newCallerSalt();
        setValue(kCallerSalt, salt);
    }
#ifdef Q_OS_UNIX
    // The salt keys the caller identities (k_...): with it, a guessed key can be checked against a ledger's ids.
    // The file that holds it is its owner's only (QSettings writes it anew through QSaveFile, which keeps the
    // permissions); before session 16 it was 0644 (a trial).
    m_settings->sync();
    const QString file = m_settings->fileName();
    const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (QFile::exists(file) && (QFile::permissions(file) & ~(owner | QFileDevice::ReadUser | QFileDevice::WriteUser)))
        QFile::setPermissions(file, owner);
#endif
    return salt;
}

QVariant Settings::value(const QString &key, const QVariant &defaultValue) const
{
    return m_settings->value(key, defaultValue);
}

void Settings::setValue(const QString &key, const QVariant &value)
{
    if (m_settings->value(key) == value)
        return;
    m_settings->setValue(key, value);
    Q_EMIT changed(key);
}

} // namespace tl
