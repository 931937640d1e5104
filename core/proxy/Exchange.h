#pragma once

// Internal to core/proxy: the state of one request/response exchange of a ClientConnection, shared by
// ClientConnection.cpp (parse, cache, forward, stream, record) and SavingsPipeline.cpp (few-shot,
// compression, semantic cache, routing). Thread affinity: the proxy thread.

#include "ledger/CallRecord.h"
#include "ledger/PendingUsage.h"
#include "proxy/ClientConnection.h"
#include "proxy/HttpRequestParser.h"
#include "proxy/ProviderProtocol.h"
#include "proxy/SavingsPolicy.h"
#include "proxy/SseParser.h"
#include "routing/Router.h"
#include "semantic/SemanticKey.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTimer>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

namespace tl {

struct UpstreamConfig;
namespace cache {
struct SemanticTraceSlot;
}
namespace proxydetail {
std::shared_ptr<const EndpointSavings> noEndpointSavings();
}

struct ClientConnection::Exchange
{
    HttpRequest request;
    proxy::ApiKind kind = proxy::ApiKind::Other;
    proxy::Dialect dialect = proxy::Dialect::OpenAi;
    const UpstreamConfig *upstream = nullptr;
    mutable QString api; // hashedApi() of the request, made on its first use (hashedApiOf)
    CallRecord record;
    QElapsedTimer clock;
    QJsonObject body; // the client's request as sent
    bool jsonBody = false;
    proxy::RequestInfo info;
    bool injectedUsage = false;
    QString callerId;
    QString cacheKey;
    bool cacheLookup = false;
    bool cacheStore = false;
    const char *cacheHeader = nullptr; // "miss", "bypass" or nullptr (not cacheable)
    quint64 transfer = 0;
    bool forwarded = false; // the request was handed to the upstream client (it may have been billed)
    int status = 0;
    HttpHeaders upstreamHeaders;
    bool streaming = false;
    bool chunked = true; // a stream's framing towards the client: chunked, or close-delimited (HTTP/1.0)
    bool headersSent = false;
    bool upstreamPaused = false; // flow control paused the transfer (the client is behind)
    // The record is estimated by the local tokenizer even without a stream's accounting (a forwarded
    // request ended before its answer was passed on: the drain deadline, a client that hung up or stalled
    // on a non-streamed call).
    bool estimateUnanswered = false;
    // A retrieve's terminal answer, for the pending record of its background create (finalizeRecord).
    std::optional<PendingUsage::Settlement> settlement;
    QByteArray responseBody; // buffered non-stream answer
    SseParser sse;
    std::optional<proxy::StreamAccounting> accounting;
    QString errorKind;
    bool recorded = false;
    bool storedKeyUsed = false; // the upstream got the key the proxy keeps (the client sent no key header)
    QString serviceTier; // a JSON answer's processing tier (AnswerUsage::serviceTier); streams: accounting's

    // Savings pipeline (SavingsPipeline.cpp).
    // The policy of the request's endpoint; shares the policy it came from, which stays alive while the
    // request runs even if the proxy takes a new one (no per-request copy of the router config).
    std::shared_ptr<const EndpointSavings> savings = proxydetail::noEndpointSavings();
    bool savingsEligible = false;             // OpenAI chat completions or Anthropic messages, JSON body
    routing::BodyShape shape = routing::BodyShape::ChatCompletions;
    QJsonObject work;         // the body as it will be sent upstream (few-shot, compression, routing)
    bool workChanged = false; // `work` differs from `body`: serialise it instead of forwarding the bytes
    std::optional<routing::RouteDecision> route; // unset when routing is off (then routeDeferred)
    bool routePinned = false;   // X-TokenLedger-Route: off
    bool routeDeferred = false; // off: the decision is only recorded, made by the record's completion
    std::optional<semantic::SemanticKey> semanticKey;
    bool semanticKeyDone = false;
    // Recorded only (semantic cache off): the semantic fields are made by the record's completion on
    // the ledger writer's thread (finalizeRecord), into `semanticSlot` too when there is one (the
    // exact-cache entry this request fills or hits shares it, so the entry's hits reuse them).
    bool semanticDeferred = false;
    std::shared_ptr<cache::SemanticTraceSlot> semanticSlot;
    // CallRecord::requestHash is needed only by the record (no exact-cache lookup or store): made by the
    // record's completion too.
    bool requestHashDeferred = false;
    std::vector<float> localVector;    // LocalEmbedder vector of semanticKey->text
    std::vector<float> localFocus;     // ... and of semanticKey->lastUserText
    std::vector<float> semanticVector; // the vector the semantic cache uses (local or remote)
    std::vector<float> semanticFocus;  // the same model's embedding of the final user message
    QString semanticModel;             // its embedding model key
    bool semanticLookup = false;
    bool semanticStore = false;
    float similarity = 0;
    // A side call (summary or remote embedding) in flight: its transfer id is `transfer` too, so an
    // abort ends it; its own timer bounds it.
    bool sideCall = false;
    std::unique_ptr<QTimer> sideTimer; // created by the first side call
    std::function<void(const QString &errorKind, const QString &message)> sideFinish;
    // Expires with the exchange: queued continuations of side calls check it (made by the first one).
    std::shared_ptr<int> alive;
};

// Helpers shared by ClientConnection.cpp and SavingsPipeline.cpp (defined in ClientConnection.cpp).
namespace proxydetail {
qint64 nowUs(); // UTC microseconds since the epoch
const char *reasonPhrase(int status);
bool isHopByHop(QByteArrayView name);
bool isLedgerHeader(QByteArrayView name); // X-TokenLedger-*: never sent upstream
// What the request hash (and so the exact-cache key) covers beside the body: the API's name, plus the
// request headers that change the answer: anthropic-beta and OpenAI-Beta (features switched on, e.g.
// interleaved thinking, a 1M context; items sorted, every line), and anthropic-version when it is not
// 2023-06-01 (the version every SDK sends, so records made before session 8 stay comparable).
// Billing headers (OpenAI-Organization, OpenAI-Project) do not change the answer and are left out.
// Then the path and query the request is forwarded to (forwardedPath: an Azure deployment and its
// api-version, a path under an OpenAI-compatible server's base that picks another model), as
// "\npath:" + it, except where it is the one the API's own path (/v1/chat/completions, /v1/messages,
// ...) is forwarded to on a non-Azure upstream, so those hashes stay as before session 12. On Azure the
// path is always in it: the same body on two deployments never shares an answer (session-12 trial).
QString hashedApi(proxy::ApiKind kind, const HttpHeaders &headers, const UpstreamConfig &u, const QByteArray &target);
// The identity part of the request's semantic scope (semantic::semanticKey's `callerId`): the caller, the
// upstream's id and hashedApi(), so that, as in the exact cache, two credentials, two upstreams or two Azure
// deployments never share a semantic answer (session 12; before, the caller alone: the scopes of records made
// before differ from those made since, so the simulator's semantic replay pairs a request only with requests
// recorded on the same side of the upgrade).
QByteArray semanticScopeId(const ClientConnection::Exchange &x);
// hashedApi() of an exchange whose upstream is chosen, made once (the cache key, the deferred request hash and
// the semantic scope all take it).
const QString &hashedApiOf(const ClientConnection::Exchange &x);
// The headers of a request to upstream `u`, made from the client's: hop-by-hop, X-TokenLedger-* and
// `dropped` headers left out; the client's key headers only when `withClientKey` (a side call to
// another upstream must not carry them), and never the keychain placeholder (kKeychainKeyPlaceholder);
// then, when no client key goes, the upstream's key from the keychain (if any) in its provider's header.
HttpHeaders upstreamHeaders(const HttpHeaders &client, const UpstreamConfig &u, bool withClientKey,
                            std::initializer_list<QByteArrayView> dropped = {});
// Absolute upstream URL for a client request target (path + query) under the upstream's base URL.
QByteArray upstreamUrl(const UpstreamConfig &u, const QByteArray &target);
// The part of upstreamUrl() below the upstream's base URL (for Azure: below its resource, so the
// deployment, and the api-version the proxy adds when the client sent none, are in it), with the query.
QByteArray forwardedPath(const UpstreamConfig &u, const QByteArray &target);
// The client's cache controls (exact and semantic cache alike), from every line of Cache-Control and
// X-TokenLedger-Cache: bypass = no-store or "bypass" (no lookup, nothing stored); refresh = no-cache or
// "refresh" (no lookup, the answer stored). Bypass wins when both are asked.
struct CacheControls
{
    bool bypass = false;
    bool refresh = false;
};
CacheControls cacheControls(const HttpHeaders &headers);
// CallRecord::requestPath: "POST /v1/chat/completions" from the request line, the query left out.
QString requestPath(const QByteArray &method, const QByteArray &target);
} // namespace proxydetail

} // namespace tl
