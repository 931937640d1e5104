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

// The client key that stands for "the key kept in the OS keychain for this upstream": the official SDKs
// refuse to start without a key (OPENAI_API_KEY, ANTHROPIC_API_KEY), so a client that wants the proxy
// to add the stored key sends this one. It never reaches an upstream (docs/proxy.md, "Keys").
inline constexpr char kKeychainKeyPlaceholder[] = "tokenledger";

// The key a request carries: "Authorization: Bearer K", "x-api-key: K" or Azure's "api-key: K".
// Returns "" when none, and for kKeychainKeyPlaceholder (the request then goes with the stored key).
QByteArray keyFromHeaders(const QByteArray &authorization, const QByteArray &xApiKey, const QByteArray &azureKey);

// Whether `name: value` is a key header (Authorization, x-api-key, api-key; names case-insensitive),
// and whether it carries kKeychainKeyPlaceholder ("Bearer tokenledger" for Authorization).
bool isKeyHeader(QByteArrayView name);
bool isKeychainPlaceholder(QByteArrayView name, QByteArrayView value);

} // namespace tl
