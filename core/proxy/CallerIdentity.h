#pragma once

#include "proxy/HttpRequestParser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace tl {

// The caller's identity the ledger keeps instead of an API key: "k_" + the first 16 hex digits of
// HMAC-SHA256(salt, key). Stable for one salt, not reversible, and a different salt (another install)
// gives different ids. An empty key gives "". Pure function, any thread.
QString callerIdentity(const QByteArray &salt, const QByteArray &apiKey);

// Whether a key id that comes from outside the proxy (a CSV key_id column, a provider report's
// api_key_id, a JSONL record) is a secret rather than an identity, so that an import stores
// callerIdentity(salt, it) instead: a word starting with "sk-", "sk_", "rk-" or "rk_" (OpenAI and
// Anthropic keys, whatever their length), or what proxy::labelLooksSecret takes for a key (other
// providers' prefixes, "Bearer ...", a long opaque token). Ids that are not secrets stay as they are:
// callerIdentity()'s own "k_" + 16 hex digits, OpenAI's API key ids "key_..." and Anthropic's
// "apikey_..." (Admin API usage reports). Pure function, any thread.
bool keyIdLooksSecret(QStringView keyId);

// A fresh random salt (32 bytes, hex) for a new install.
QByteArray newCallerSalt();

// The client key that stands for "the key kept in the OS keychain for this upstream": the official SDKs
// refuse to start without a key (OPENAI_API_KEY, ANTHROPIC_API_KEY), so a client that wants the proxy
// to add the stored key sends this one. It never reaches an upstream (docs/proxy.md, "Keys").
inline constexpr char kKeychainKeyPlaceholder[] = "tokenledger";

// What names the caller of a request (callerIdentity's `apiKey`), from every credential it carries in
// Authorization, x-api-key and Azure's api-key (header values as received; a credential equal to
// kKeychainKeyPlaceholder, or "Bearer tokenledger", counts as none):
//   - one key K: "Authorization: Bearer K" (scheme case-insensitive), or "x-api-key: K", or "api-key: K",
//     or the same K in several of them: K itself, as before session 12, so key ids users labelled stay;
//   - anything else (two different keys, a non-Bearer Authorization such as Basic, whose whole value
//     counts, scheme included): one line "name:value\n" per credential, in the order authorization
//     (a Bearer one as "Bearer K"), x-api-key, api-key. A header value holds no newline, so this never
//     equals a single key, and two different credential sets never give the same string (session-12
//     trial: an x-api-key beside the same Bearer token, and two Basic credentials, shared cached answers);
//   - "" when none is left (the request then goes with the stored key).
// The result holds secrets: hash it (callerIdentity), never store or log it. Pure function, any thread.
QByteArray keyFromHeaders(const QByteArray &authorization, const QByteArray &xApiKey, const QByteArray &azureKey);

// Whether `name: value` is a key header (Authorization, x-api-key, api-key; names case-insensitive),
// and whether it carries kKeychainKeyPlaceholder ("Bearer tokenledger" for Authorization).
bool isKeyHeader(QByteArrayView name);
bool isKeychainPlaceholder(QByteArrayView name, QByteArrayView value);

// One pass over a request's key headers (isKeyHeader): `repeated` names the first one given on two lines or more
// (RFC 9110 section 11.6.2: Authorization is a singleton field; the caller would be one key's while the upstream
// might bill the other's), empty when none is; `ownKey` is true when the client sent a key header other than
// the placeholder, even an empty one: then the stored key is not sent upstream, so it is not the caller's.
struct KeyHeaderScan
{
    QByteArrayView repeated;
    bool ownKey = false;
};
KeyHeaderScan scanKeyHeaders(const HttpHeaders &headers);

// The credential of a request with no key header of its own and no stored key: the key in a gateway's or
// another API's own header (Google's x-goog-api-key, Azure API Management's Ocp-Apim-Subscription-Key), as
// "name:value\n" per header given, so that callers with different such keys never share an identity (and a
// cache scope); "" when none. Holds secrets, as keyFromHeaders(). Pure function, any thread.
QByteArray gatewayCredential(const HttpHeaders &headers);

} // namespace tl
