#pragma once

#include <QByteArray>
#include <QString>

namespace tl {

// The caller's identity the ledger keeps instead of an API key: "k_" + the first 16 hex digits of
// HMAC-SHA256(salt, key). Stable for one salt, not reversible, and a different salt (another install)
// gives different ids. An empty key gives "". Pure function, any thread.
QString callerIdentity(const QByteArray &salt, const QByteArray &apiKey);

// A fresh random salt (32 bytes, hex) for a new install.
QByteArray newCallerSalt();

// The key a request carries: "Authorization: Bearer K", "x-api-key: K" or Azure's "api-key: K".
// Returns "" when none.
QByteArray keyFromHeaders(const QByteArray &authorization, const QByteArray &xApiKey, const QByteArray &azureKey);

} // namespace tl
