#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QFuture>
#include <QString>

namespace tl {

// Where API keys live: the operating system's keychain (Secret Service / GNOME Keyring or KWallet on
// Linux, Keychain on macOS, Credential Manager on Windows), never QSettings, SQLite, logs or exports.
// Entries are named by the caller ("proxy/upstream/openai", "admin/openai", ...) under one service.
//
// Errors: a missing entry is ErrorCode::NotFound ("No key is stored ..."), never an empty key; a
// keychain that is locked, absent or refuses access is ErrorCode::Secret with its reason. There is no
// plaintext fallback. Error messages never contain a secret.
// Thread affinity: call from a thread with a running event loop (the GUI or the command's main
// thread); the futures finish on that thread.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    virtual QFuture<Result<QByteArray>> read(const QString &name) = 0;
    virtual QFuture<Result<void>> write(const QString &name, const QByteArray &secret) = 0;
    virtual QFuture<Result<void>> remove(const QString &name) = 0;
};

// SecretStore on QtKeychain (Debian qtkeychain-qt6-dev; vcpkg "qtkeychain-qt6"; Homebrew "qtkeychain").
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("TokenLedger"));
    QFuture<Result<QByteArray>> read(const QString &name) override;
    QFuture<Result<void>> write(const QString &name, const QByteArray &secret) override;
    QFuture<Result<void>> remove(const QString &name) override;

private:
    QString m_service;
};

} // namespace tl
