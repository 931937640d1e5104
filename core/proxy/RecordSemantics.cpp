#include "RecordSemantics.h"

#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticKey.h"

#include <QtEndian>

#include <bit>
#include <cstring>

namespace tl::proxydetail {

QByteArray littleEndianFloats(const std::vector<float> &v)
{
    QByteArray out(qsizetype(v.size() * sizeof(float)), Qt::Uninitialized);
    if constexpr (std::endian::native == std::endian::little) {
        // The same bytes in one copy: the loop below cost about 18k instructions a 512-float vector on the
        // writer's thread (callgrind, session 9).
        std::memcpy(out.data(), v.data(), v.size() * sizeof(float));
    } else {
        for (size_t i = 0; i < v.size(); ++i)
            qToLittleEndian(v[i], out.data() + i * sizeof(float));
    }
    return out;
}

void recordSemanticFields(const QJsonObject &body, proxy::ApiKind kind, const QByteArray &scopeId,
                          const semantic::LocalEmbedder &embedder, SavingsTrace &t)
{
    auto key = semantic::semanticKey(body,
                                     kind == proxy::ApiKind::Messages ? semantic::RequestFormat::AnthropicMessages
                                                                      : semantic::RequestFormat::OpenAiChat,
                                     scopeId);
    if (!key || key->text.size() > kMaxEmbeddedChars)
        return; // not eligible (images, tool results, ...): no key, no embedding
    t.semanticScope = key->scope;
    t.guardSignature = key->guardSignature;
    t.embeddingModel = embedder.modelKey();
    // Straight into the record's bytes: no vectors or key kept.
    const int dims = embedder.dims();
    std::vector<float> v(size_t(dims) * 2);
    embedder.embedInto(key->text, v.data());
    embedder.embedInto(key->lastUserText, v.data() + dims); // the final user message ("focus")
    t.embedding = littleEndianFloats(v);
}

routing::RouteDecision decideRoute(const routing::Router &router, const QJsonObject &body, routing::BodyShape shape,
                                   const tokenizer::Tokenizers *tokenizers, qint64 promptChars,
                                   const QString &endpoint, const QString &taskType, bool pinned, SavingsTrace &t)
{
    routing::RoutingFeatures features = routing::extractFeatures(body, shape, tokenizers);
    features.promptChars = promptChars; // for explicit routing rules with max_prompt_chars
    routing::RouteDecision d = router.decide(features, endpoint, taskType, pinned);
    t.complexity = routing::toString(d.complexity);
    t.routeMode = d.recordMode();
    if (d.mode == routing::RouteMode::On && d.changes)
        t.routedModel = d.servedModel;
    else if (d.mode == routing::RouteMode::Shadow && d.guard == routing::RouteGuard::None)
        t.routedModel = d.targetModel; // what On would have served
    return d;
}

} // namespace tl::proxydetail
