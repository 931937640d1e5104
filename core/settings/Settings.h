#pragma once

#include <QObject>
#include <QSettings>
#include <QString>

#include <memory>

namespace tl {

// The one typed wrapper over QSettings: every key and default is here. Enums are stored by name.
// Secrets are never stored here (they live in the OS keychain, see secrets/SecretStore).
// Thread affinity: the thread that created it (the GUI thread in the app).
class Settings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Settings)

public:
    // `fileName` empty: the platform's usual place for TokenLedger's settings; tests pass a temp file.
    explicit Settings(const QString &fileName = {}, QObject *parent = nullptr);

    // UI language: "" follows the system; else a locale name such as "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString &language);

    // Time zone for dashboard buckets: "" = the system's zone; else an IANA id ("Europe/Berlin").
    QString timeZone() const;
    void setTimeZone(const QString &zone);

    // Dashboard range: "24h", "7d", "30d", "90d", "all" or "custom".
    QString dashboardRange() const;
    void setDashboardRange(const QString &range);

    // Dark, light or system palette: "system", "light", "dark".
    QString theme() const;
    void setTheme(const QString &theme);

    // The install's caller salt ("proxy/callerSalt"): the proxy's key ids and the imports' hashed key ids
    // are callerIdentity(salt, key). Made (newCallerSalt) and saved on first use.
    QByteArray callerSalt();

    // Generic access for modules that own their keys (proxy, simulator), namespaced "module/key".
    QVariant value(const QString &key, const QVariant &defaultValue = {}) const;
    void setValue(const QString &key, const QVariant &value);

Q_SIGNALS:
    void changed(const QString &key);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace tl
