#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace tl::proxy {

// Keeps secrets out of the labels a client names its calls with (X-TokenLedger-Endpoint,
// X-TokenLedger-Tags, X-TokenLedger-Task): those are stored in the ledger and shown in breakdowns and
// exports, so a key planted in them (by mistake, or by a client that puts its own key there) would leak
// the key to the database file. A label is replaced by kRedacted when
//   1. it contains one of the `secrets` given (the request's own Authorization bearer / x-api-key /
//      api-key values, the keys the proxy adds from the keychain, the proxy's access token; secrets
//      shorter than 8 bytes are ignored), or is a piece of one (a label of 16 characters or more found
//      inside a secret); or
//   2. it contains a provider-key-shaped token: "sk-" / "sk_" / "rk-" / "rk_" followed by 16 or more
//      of [A-Za-z0-9_-] (OpenAI sk-... and sk-proj-..., Anthropic sk-ant-..., OpenRouter sk-or-...),
//      or the prefixes "AIza" (Google), "xai-", "gsk_" (Groq), "hf_" (Hugging Face), "pplx-",
//      "r8_" (Replicate), "ghp_"/"github_pat_", "xox?-" (Slack), "AKIA" (AWS) followed by 16 or more of
//      [A-Za-z0-9_-], or a "Bearer " value; or
//   3. it contains a long opaque token: 24 or more characters of [A-Za-z0-9+/=] (a run between other
//      characters, so "-", "_", "." and ":" split it) holding at least one letter and one digit (hex and
//      base62/base64 keys of Azure, Mistral, Cohere, Together... are 32-64 such characters; a feature
//      name like "summarise-ticket-v2" or a UUID is made of shorter pieces).
// False positives only cost a label ("redacted" instead of the name); the call goes on either way.
// Pure functions; any thread.
inline constexpr QStringView kRedacted = u"redacted";

// True when `label` must not be stored (rules above).
bool labelLooksSecret(QStringView label, const QList<QByteArray> &secrets);

} // namespace tl::proxy
