#pragma once

#include "secrets/SecretStore.h"

#include <QHash>
#include <QFuture>

namespace tl::test {

// In-memory SecretStore for tests that are not about the OS keychain (SecretStoreTest in tests/proxy
// drives the real gnome-keyring). Same contract: a missing entry is an error, never an empty key.
class MemorySecretStore final : public SecretStore
{
public:
    QFuture<Result<QByteArray>> read(const QString &name) override
    {
        ++reads;
        if (!m_entries.contains(name))
            return QtFuture::makeReadyFuture(Result<QByteArray>(fail(ErrorCode::NotFound, QStringLiteral("no key stored for %1").arg(name))));
        return QtFuture::makeReadyFuture(Result<QByteArray>(m_entries.value(name)));
    }
    QFuture<Result<void>> write(const QString &name, const QByteArray &secret) override
    {
        m_entries.insert(name, secret);
        return QtFuture::makeReadyFuture(Result<void>());
    }
    QFuture<Result<void>> remove(const QString &name) override
    {
        m_entries.remove(name);
        return QtFuture::makeReadyFuture(Result<void>());
    }
    QHash<QString, QByteArray> entries() const { return m_entries; }
    int reads = 0;

private:
    QHash<QString, QByteArray> m_entries;
};

} // namespace tl::test
