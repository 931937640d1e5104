#pragma once

// Internal to core/proxy: the semantic fields a proxy record keeps for the simulator (issue #5), made
// from the client's request. Used on the proxy thread (semantic cache on: the key is needed for the
// lookup) and on the ledger writer's thread (cache off, recorded only: LedgerWriter::submit's
// completion, after the response left).

#include "ledger/CallRecord.h"
#include "proxy/ProviderProtocol.h"
#include "routing/Router.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace tl {
namespace semantic {
class LocalEmbedder;
}
namespace tokenizer {
class Tokenizers;
}

namespace proxydetail {

// Requests longer than this (characters of the semantic text) get no embedding: embedding costs about
// 1-2 us per character, and the text is never truncated (issue #5 section 2).
constexpr qsizetype kMaxEmbeddedChars = 64 * 1024;

// The floats as little-endian float32 bytes (SavingsTrace::embedding's encoding).
QByteArray littleEndianFloats(const std::vector<float> &v);

// Recorded only (the endpoint's semantic cache is off): sets t.semanticScope, guardSignature,
// embeddingModel and embedding (the request's local vector, then its final user message's, as
// CallRecord.h documents) for a chat completions or messages body; leaves `t` unchanged when the
// request is not eligible (images, tool results, a text over kMaxEmbeddedChars). Pure: any thread
// (LocalEmbedder is immutable). Cost: about 0.5 us per character of the semantic text.
// `scopeId`: the identity part of the semantic scope, semanticScopeId() of the request (Exchange.h).
void recordSemanticFields(const QJsonObject &body, proxy::ApiKind kind, const QByteArray &scopeId,
                          const semantic::LocalEmbedder &embedder, SavingsTrace &t);

// The routing decision for a request as the client sent it, with the savings-trace fields it records
// (complexity, route mode, routed model). `tokenizers` only when the router may act (the context-window
// guard); `promptChars` as CallRecord::promptChars. Any thread (Router is thread-safe): on the proxy
// thread when the endpoint's routing is on or shadow, else on the ledger writer's thread with the
// record (finalizeRecord), where the decision is only recorded.
routing::RouteDecision decideRoute(const routing::Router &router, const QJsonObject &body, routing::BodyShape shape,
                                   const tokenizer::Tokenizers *tokenizers, qint64 promptChars,
                                   const QString &endpoint, const QString &taskType, bool pinned, SavingsTrace &t);

} // namespace proxydetail
} // namespace tl
