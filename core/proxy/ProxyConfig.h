#pragma once

#include "common/Result.h"
#include "proxy/SavingsPolicy.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QUrl>

#include <span>

namespace tl {

// The kinds of upstream the proxy knows how to address and authenticate.
enum class UpstreamKind {
    OpenAi,           // https://api.openai.com/v1, Authorization: Bearer
    Anthropic,        // https://api.anthropic.com, x-api-key (+ anthropic-version passed through)
    AzureOpenAi,      // https://RES.openai.azure.com/openai/deployments/DEP, api-key, ?api-version=
    OpenRouter,       // https://openrouter.ai/api/v1, Authorization: Bearer
    OpenAiCompatible, // vLLM, Ollama, LM Studio...: any base URL, Authorization: Bearer
};

QString toString(UpstreamKind kind);
std::optional<UpstreamKind> upstreamKindFromString(QStringView s);

struct UpstreamConfig
{
    QString id; // unique name; selects the upstream in X-TokenLedger-Upstream
    UpstreamKind kind = UpstreamKind::OpenAi;
    QUrl baseUrl;             // where requests go; the client's Host or URL is never followed
    QString priceProvider;    // price-book provider id for records ("" = from kind)
    QString azureApiVersion;  // Azure only, e.g. "2024-10-21"
    QString keychainEntry;    // name of the key in the OS keychain ("" = pass-through only)
    // The key read from the keychain at start; used only when the client sends none. Held in
    // memory only; never logged, stored or shown.
    QByteArray apiKey;

    QString effectivePriceProvider() const;
    static UpstreamConfig defaults(UpstreamKind kind); // official base URL and id
    // The keychain entry the Proxy page and `tokenledger proxy --set-key ID` keep an upstream's key in:
    // "proxy/upstream/<id>" (SecretStore names; the same entry from the app and the command line).
    static QString defaultKeychainEntry(const QString &id);
};

struct CacheConfig
{
    bool enabled = true;
    qint64 ttlSeconds = 3600;                // default TTL
    QHash<QString, qint64> ttlPerEndpoint;   // X-TokenLedger-Endpoint value -> TTL seconds
    qint64 maxBytes = 256ll * 1024 * 1024;   // stored bodies, bytes
    bool storeTruncated = false;             // store finish_reason "length" answers too
    QString path;                            // SQLite file; "" = ExactCache::pathForLedger(ledger)
};

// Which client carries requests to plain-HTTP ("http://") upstreams; https always goes through libcurl.
enum class PlainHttpClient {
    Builtin, // Http1Client: the proxy thread's own HTTP/1.1 keep-alive client (Unix; else libcurl)
    Libcurl, // libcurl's multi interface, as https
};

// Everything the proxy needs to run. Units: ms for timeouts, bytes for sizes.
struct ProxyConfig
{
    QHostAddress bindAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 8787; // 0 = any free port (tests)
    // Required for a non-loopback bind; clients then send it in X-TokenLedger-Access-Token.
    QByteArray accessToken;
    QList<UpstreamConfig> upstreams;
    // Salt of the caller identity hash (CallerIdentity); random, kept in settings; not a secret but
    // never the key itself.
    QByteArray callerSalt;
    CacheConfig cache;
    // Routing, semantic cache, compression, few-shot (issue #5): all off by default; see SavingsPolicy.
    SavingsPolicy savings;
    // Endpoints (X-TokenLedger-Endpoint values) whose request and response bodies are stored in the
    // ledger (CallRecord::text, table call_text). Empty by default: no prompt or completion text is kept
    // unless the user names the endpoint (Proxy page, or "store_text_endpoints" in the headless config).
    QSet<QString> storeTextEndpoints;

    qint64 maxBodyBytes = 32ll * 1024 * 1024;
    qint64 maxHeaderBytes = 16 * 1024;
    int maxConnections = 4096;
    int headerTimeoutMs = 10'000;      // whole header block must arrive within this
    int bodyTimeoutMs = 300'000;       // whole request body must arrive within this after the headers
                                       // (32 MiB at 110 KB/s); reads also stop at idleTimeoutMs apart
    int keepAliveIdleMs = 60'000;      // idle client connection closed after this
    int connectTimeoutMs = 10'000;     // upstream TCP/TLS connect
    // Upstream response headers. 10 min: the official OpenAI and Anthropic SDKs' own default request
    // timeout (their READMEs, "Timeouts"), so a long non-streamed reasoning call is cut by the client's
    // choice, not by a proxy default shorter than it (session 8's trial: 504 after 300 s, then the SDK's
    // retries ran the call upstream again).
    int firstByteTimeoutMs = 600'000;
    int idleTimeoutMs = 120'000;       // between upstream body reads (between stream events)
    int drainTimeoutMs = 30'000;       // graceful stop: longest wait for in-flight requests
    // Flow control towards a client that reads slower than the upstream sends (bytes of the answer
    // queued in the proxy for the client's socket, beyond what the kernel took): above the high-water
    // mark the upstream transfer is paused (UpstreamClient::pause), below the low-water mark it goes on.
    // A client that takes no byte for clientWriteTimeoutMs while the proxy holds bytes for it is cut
    // off (record error_kind "client_stalled"); the upstream idle timeout does not run while paused.
    qint64 clientHighWaterBytes = 4ll * 1024 * 1024;
    qint64 clientLowWaterBytes = 1ll * 1024 * 1024;
    int clientWriteTimeoutMs = 120'000;
    // Busy polling (Linux, the proxy thread's EpollEventDispatcher): after handling socket traffic the
    // proxy thread keeps polling its sockets without sleeping for this many microseconds before it
    // blocks, so a reply that comes back within that time is handled without a wake-up. 0 turns it off.
    // Cost: CPU time, at most this long after each burst of traffic, none while idle. Measured here
    // (docs/proxy.md "Busy polling"): one request at a time, 20-30 us less added latency at p50. At most
    // 1,000 us: a long window takes a core from the upstream and the client on the same machine (10,000 us
    // made requests paced 20 ms apart 4-6x slower on this 2-core machine and a 10 ms-paced stream cost 83%
    // of a core).
    int busyPollUs = 50;
    // Plain-HTTP upstreams (a local vLLM, Ollama, LM Studio): the own client by default, which costs the
    // proxy about a fifth less CPU per request than libcurl (docs/proxy.md "Own HTTP/1.1 client"); "plainHttpClient":
    // "libcurl" in the headless config file goes back to libcurl (to compare them, or as a way out).
    PlainHttpClient plainHttpClient = PlainHttpClient::Builtin;

    // Checks the bind rule (non-loopback needs an access token), upstream URLs, every limit's range
    // (proxyLimits()) and clientLowWaterBytes < clientHighWaterBytes. Errors: InvalidArgument naming the
    // field, e.g. `"idleTimeoutMs" needs 100 to 86400000 ms, got 0`.
    Result<void> validate() const;
};

// One user-settable limit or timeout of ProxyConfig (issue 3 sections 5 and 6). `key` is the same name
// everywhere: the ProxyConfig member, the top-level key of the headless `--config` file, and the Settings
// key "proxy/<key>" the Proxy page saves. Values are whole numbers in `unit` (ms or bytes, as the key's
// suffix says: Ms, Us or Bytes; maxConnections counts connections) from `min` to `max` inclusive; the default is
// `get(ProxyConfig{})`. Where a range comes from outside: maxHeaderBytes stops at 80 KiB, http-parser
// 2.9.4's own HTTP_MAX_HEADER_SIZE (past it the parser answers 431 itself); every value fits a QSpinBox
// (below 2^31). Thread affinity: none (constant table).
struct ProxyLimit
{
    enum class Unit { Milliseconds, Microseconds, Bytes, Connections };
    QLatin1StringView key;
    Unit unit;
    qint64 min;
    qint64 max;
    qint64 (*get)(const ProxyConfig &);
    void (*set)(ProxyConfig &, qint64);
};

// Every ProxyLimit, in the order the docs table and the Proxy page list them: request limits, client
// timeouts, upstream timeouts, flow control, drain.
std::span<const ProxyLimit> proxyLimits();
// The limit named `key`, or nullptr.
const ProxyLimit *proxyLimit(QLatin1StringView key);
// `"key" needs MIN to MAX UNIT, got VALUE` when `value` is outside the limit's range, else success.
Result<void> checkProxyLimit(const ProxyLimit &limit, qint64 value);

// Reads the headless proxy's configuration file (`tokenledger proxy --config FILE`, docs/proxy.md
// "Configuration") into `config`: {"port": 0-65535, "bind": IP address, "upstreams": [{"id", "kind", "baseUrl",
// "priceProvider", "keychainEntry", "azureApiVersion"}], "cache": {"enabled": bool, "ttlSeconds": s > 0,
// "maxBytes": bytes > 0, "storeTruncated": bool}, "store_text_endpoints": [endpoint, ...], "savings": {...},
// "plainHttpClient": "builtin" | "libcurl",
// and each proxyLimits() key ("maxBodyBytes", "idleTimeoutMs", ...: a whole number in its range)}. After
// reading, clientLowWaterBytes must be below clientHighWaterBytes. Keys left out keep `config`'s values; a file
// with "upstreams" replaces config.upstreams. The "savings" object is checked for its own keys (SavingsPolicy's
// config form plus the stored policy's bookkeeping keys) and handed back raw in `savings` (empty when
// absent) for SavingsPolicy::fromConfigJson, which checks its strategies (Scenario::fromJson).
// Errors: InvalidArgument naming the key and what was expected, for an unknown (e.g. misspelt) key, a
// value of the wrong JSON type (the string "2" where seconds are expected), a value out of range, an
// unknown upstream "kind", a low-water mark not below the high-water mark, or an "apiKey" (keys live only in
// the OS keychain). Nothing is applied partially in a way that matters: on error the caller refuses to
// start. Thread affinity: none.
Result<void> readProxyConfigJson(const QJsonObject &json, ProxyConfig &config, QJsonObject *savings);

// An address as the host of a URL or of "host:port": an IPv6 address as an IP-literal in brackets ("[::1]",
// RFC 3986 section 3.2.2), any other text as it is.
QString urlHost(const QString &address);

} // namespace tl
