// The savings pipeline of a proxy request (issue #5, docs/proxy.md "Savings pipeline"):
//   prepareSavings()  routing decision (complexity) of the request as the client sent it
//   computeSemanticKey() semantic scope, guards and local embedding of that request, recorded for every
//                     eligible call (the simulator replays them): before the semantic-cache lookup when
//                     the cache is on, else on the ledger writer's thread after the response
//                     (finalizeRecord, RecordSemantics.h)
//   [exact cache]     ClientConnection.cpp, keyed on the client's request
//   semanticStep()    semantic cache lookup (local embedder, or a remote embedding side call)
//   fewShotStep()     X-TokenLedger-FewShot: the 1-3 most similar examples after the system message
//   compressionStep() redundancy removal, history trimming; the summary is a side call (cached)
//   routingStep()     On: the body's model becomes the routed model
//   forwardUpstream() ClientConnection.cpp
// The caches come before few-shot and compression (the simulator's order too): a hit must not pay for
// a summary call, and both caches key on what the client sent, not on a model-written summary.

#include "ClientConnection.h"

#include "common/Logging.h"
#include "compress/FewShot.h"
#include "compress/HistoryTrimmer.h"
#include "compress/Redundancy.h"
#include "compress/SummaryCache.h"
#include "ledger/Ledger.h"
#include "proxy/AnswerFaults.h"
#include "proxy/Exchange.h"
#include "proxy/ProxyServer.h"
#include "proxy/RecordSemantics.h"
#include "proxy/UpstreamClient.h"
#include "semantic/LocalEmbedder.h"
#include "semantic/RemoteEmbedder.h"
#include "semantic/SemanticCache.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace tl {

using namespace proxydetail;
using proxy::ApiKind;

namespace {

std::optional<qint64> promptTokens(const tokenizer::Tokenizers *tokenizers, const QString &model, const QJsonObject &body)
{
    if (!tokenizers)
        return std::nullopt;
    auto counter = tokenizer::ChatTokenCounter::forModel(*tokenizers, model);
    if (!counter)
        return std::nullopt;
    return counter->countRequest(body).promptTokens;
}

} // namespace

void ClientConnection::prepareSavings()
{
    Exchange &x = *m_exchange;
    CallRecord &r = x.record;
    x.savings = m_server.savingsFor(r.endpoint);
    x.savingsEligible = x.jsonBody && (x.kind == ApiKind::ChatCompletions || x.kind == ApiKind::Messages);
    if (!x.savingsEligible)
        return;
    x.shape = x.kind == ApiKind::Messages ? routing::BodyShape::Messages : routing::BodyShape::ChatCompletions;
    x.work = x.body;
    SavingsTrace &t = r.savings;

    // Routing: the decision (its complexity at least) is always recorded. Off: it changes nothing, so it
    // is made with the record on the ledger writer's thread (finalizeRecord, decideRoute). The tokenizer
    // count (for the context-window guard) is needed only when the router may act.
    x.routePinned = headerValue(x.request.headers, "x-tokenledger-route").trimmed().compare("off", Qt::CaseInsensitive) == 0;
    if (x.savings->routeMode == routing::RouteMode::Off) {
        x.routeDeferred = true;
        return;
    }
    x.route = decideRoute(m_server.routerFor(r.endpoint), x.body, x.shape, m_server.tokenizers(), x.info.promptChars,
                          r.endpoint, r.taskType, x.routePinned, t);
    if (x.route->guard != routing::RouteGuard::None && x.route->guard != routing::RouteGuard::ModeOff)
        qCDebug(lcProxy) << "routing kept" << x.route->requestedModel << "-" << x.route->guardText;
}

void ClientConnection::computeSemanticKey()
{
    Exchange &x = *m_exchange;
    // Semantic key and the local embedding: recorded for the simulator even with the cache off.
    if (!x.savingsEligible || x.semanticKeyDone || (!m_server.savings().recordEmbeddings && !x.savings->semanticCache))
        return;
    if (!x.savings->semanticCache) {
        // Recorded only: made on the ledger writer's thread once the response has left
        // (finalizeRecord; RecordSemantics.h), not on the proxy thread.
        x.semanticDeferred = true;
        return;
    }
    x.semanticKeyDone = true;
    SavingsTrace &t = x.record.savings;
    auto key = semantic::semanticKey(x.body,
                                     x.kind == ApiKind::Messages ? semantic::RequestFormat::AnthropicMessages
                                                                 : semantic::RequestFormat::OpenAiChat,
                                     semanticScopeId(x));
    if (!key || key->text.size() > kMaxEmbeddedChars)
        return; // not eligible (images, tool results, ...): no key, no embedding
    const semantic::LocalEmbedder &embedder = m_server.localEmbedder();
    t.semanticScope = key->scope;
    t.guardSignature = key->guardSignature;
    t.embeddingModel = embedder.modelKey();
    x.localVector = embedder.embed(key->text);
    x.localFocus = embedder.embed(key->lastUserText); // the final user message (SemanticIndex "focus")
    // Whole-request vector followed by the focus vector, as CallRecord.h documents.
    t.embedding = littleEndianFloats(x.localVector) + littleEndianFloats(x.localFocus);
    x.semanticKey = std::move(*key);
}

void ClientConnection::runSavings()
{
    if (!m_exchange->savingsEligible) {
        forwardUpstream();
        return;
    }
    semanticStep();
}

void ClientConnection::semanticStep()
{
    Exchange &x = *m_exchange;
    const EndpointSavings &e = *x.savings;
    if (e.semanticCache)
        computeSemanticKey();
    if (!e.semanticCache || !x.semanticKey || !m_server.semanticCache()) {
        fewShotStep();
        return;
    }
    // The exact cache's request controls govern this cache too.
    const auto [bypass, refresh] = cacheControls(x.request.headers);
    x.semanticLookup = !bypass && !refresh;
    x.semanticStore = !bypass;
    if (!x.cacheHeader) {
        x.cacheHeader = bypass ? "bypass" : "miss";
        x.record.cacheOutcome = bypass ? CacheOutcome::Bypass : CacheOutcome::Miss;
    }
    if (bypass) {
        fewShotStep();
        return;
    }
    if (e.embeddingModel.isEmpty() || e.embeddingModel == "local"_L1) {
        x.semanticVector = x.localVector;
        x.semanticFocus = x.localFocus;
        x.semanticModel = m_server.localEmbedder().modelKey();
        semanticLookup();
        return;
    }

    // Remote embeddings through an OpenAI-compatible upstream, recorded as their own call.
    const QString wanted = m_server.savings().embeddingUpstream;
    const UpstreamConfig *u = nullptr;
    for (const UpstreamConfig &c : m_server.config().upstreams) {
        if (wanted.isEmpty() ? c.kind != UpstreamKind::Anthropic : c.id == wanted) {
            u = &c;
            break;
        }
    }
    semantic::RemoteEmbedderConfig remote;
    remote.model = e.embeddingModel;
    if (u && m_server.tokenizers()) {
        if (auto fits = semantic::inputFits(*m_server.tokenizers(), remote, x.semanticKey->text); !fits) {
            qCInfo(lcProxy) << "semantic cache skipped:" << fits.error().message;
            u = nullptr;
        }
    }
    if (!u) {
        if (wanted.isEmpty() || !m_server.tokenizers())
            qCWarning(lcProxy) << "semantic cache: no upstream for embeddings model" << e.embeddingModel;
        x.semanticLookup = x.semanticStore = false;
        fewShotStep();
        return;
    }
    CallRecord side;
    side.endpoint = u"tokenledger-embedding"_s;
    side.tags = QStringList{QString(u"for:"_s + x.record.endpoint)};
    side.requestedModel = e.embeddingModel;
    side.provider = u->effectivePriceProvider();
    // One call embeds the whole request and its final user message (the focus vector, SemanticIndex).
    const QStringList inputs{x.semanticKey->text, x.semanticKey->lastUserText};
    startSideCall(*u, "/v1/embeddings", semantic::embeddingRequest(e.embeddingModel, inputs), side,
                  ApiKind::Embeddings, [this, model = remote.modelKey()](int status, const QByteArray &body, const QString &errorKind) {
                      Exchange &ex = *m_exchange;
                      auto emb = status == 200 && errorKind.isEmpty()
                                     ? semantic::parseEmbeddingBatch(body, 2)
                                     : Result<std::vector<semantic::Embedding>>(fail(ErrorCode::Io, u"HTTP %1 %2"_s.arg(status).arg(errorKind)));
                      if (emb) {
                          ex.semanticVector = std::move((*emb)[0].vector);
                          ex.semanticFocus = std::move((*emb)[1].vector);
                          ex.semanticModel = model;
                      } else {
                          qCWarning(lcProxy) << "semantic cache skipped: the embedding call failed:" << emb.error().message;
                          ex.semanticLookup = ex.semanticStore = false;
                      }
                      semanticLookup();
                  });
}

void ClientConnection::semanticLookup()
{
    Exchange &x = *m_exchange;
    if (x.semanticLookup && !x.semanticVector.empty()) {
        auto hit = m_server.semanticCache()->lookup(*x.semanticKey, x.semanticModel, x.semanticVector,
                                                    float(x.savings->semanticThreshold), nowUs(), x.semanticFocus);
        if (!hit) {
            qCWarning(lcProxy) << "semantic cache lookup failed:" << hit.error().message;
        } else if (*hit) {
            const semantic::SemanticHit h = **hit;
            const QJsonObject answer = QJsonDocument::fromJson(h.response.body).object();
            if (!answer.isEmpty()) {
                x.similarity = h.similarity;
                serveSemanticHit(h.entryId, answer, h.response.body, h.response.servedModel);
                return;
            }
        }
    }
    fewShotStep();
}

void ClientConnection::serveSemanticHit(qint64 entryId, const QJsonObject &answer, const QByteArray &stored,
                                        const QString &servedModel)
{
    // Saved cost: the stored answer's usage priced on the model that produced it, at today's prices
    // (Pricer::apply on a hit), i.e. what the original call cost: the same rule as the exact cache.
    Exchange &x = *m_exchange;
    x.record.similarity = x.similarity;
    answerFromCache(CacheOutcome::SemanticHit, answer, stored, servedModel,
                    {{QByteArray("X-TokenLedger-Similarity"), QByteArray::number(double(x.similarity), 'f', 4)}},
                    [this, entryId](qint64 recordId) { m_server.rememberSemanticHit(recordId, entryId); });
}

void ClientConnection::fewShotStep()
{
    Exchange &x = *m_exchange;
    const QString set = QString::fromUtf8(headerValue(x.request.headers, "x-tokenledger-fewshot")).trimmed();
    if (!set.isEmpty()) {
        SavingsTrace &t = x.record.savings;
        t.fewShotSet = set;
        QString error;
        const compress::FewShotIndex *index = m_server.fewShotIndex(set, x.record.endpoint, x.info.model, &error);
        if (!index) {
            qCWarning(lcProxy) << "few-shot set not applied:" << error;
        } else {
            const compress::FewShotSelection sel = index->select(compress::lastUserMessage(x.work, x.shape), 3);
            if (!sel.indices.isEmpty()) {
                x.work = compress::insertExamples(x.work, x.shape, index->set(), sel);
                x.workChanged = true;
            }
            t.fewShotExamples = int(sel.indices.size());
            t.fewShotTokens = sel.insertedTokens;
            t.fewShotSetTokens = sel.wholeSetTokens;
        }
    }
    compressionStep();
}

void ClientConnection::compressionStep()
{
    Exchange &x = *m_exchange;
    const EndpointSavings &e = *x.savings;
    const tokenizer::Tokenizers *tokenizers = m_server.tokenizers();
    if (!e.compression || !tokenizers) {
        routingStep();
        return;
    }
    SavingsTrace &t = x.record.savings;
    const auto before = promptTokens(tokenizers, x.info.model, x.work);
    if (!before) {
        routingStep();
        return;
    }
    t.tokensBeforeCompression = *before;
    t.tokensAfterCompression = *before;
    if (e.removeRedundancy) {
        compress::BodyRedundancyResult rr = compress::removeRedundancyInBody(x.work, x.shape);
        if (rr.stringsChanged > 0) {
            x.work = std::move(rr.body);
            x.workChanged = true;
            t.tokensAfterCompression = promptTokens(tokenizers, x.info.model, x.work).value_or(*before);
        }
    }
    // The summary model: the policy's, else the router's nano tier of the request's family; a model of
    // the other family than this upstream's dialect is replaced by that tier too.
    const QString family = x.dialect == proxy::Dialect::Anthropic ? u"anthropic"_s : u"openai"_s;
    QString summaryModel = e.summaryModel;
    const bool otherFamily = !summaryModel.isEmpty()
                             && (x.dialect == proxy::Dialect::Anthropic) != summaryModel.startsWith("claude"_L1);
    if (summaryModel.isEmpty() || otherFamily) {
        const auto tiers = e.router.tiers.constFind(family);
        summaryModel = tiers != e.router.tiers.cend() ? (*tiers)[size_t(routing::ModelTier::Nano)].model : x.info.model;
    }
    compress::TrimOptions options;
    options.budgetTokens = e.budgetTokens;
    options.summaryModel = summaryModel;
    options.model = x.info.model;
    compress::HistoryTrimmer trimmer(*tokenizers);
    auto plan = trimmer.plan(x.work, x.shape, options);
    if (!plan) {
        qCInfo(lcProxy) << "compression skipped:" << plan.error().message;
        routingStep();
        return;
    }
    if (!plan->needed) {
        routingStep();
        return;
    }
    const auto apply = [this](const compress::TrimPlan &p, const QString &summary) {
        Exchange &ex = *m_exchange;
        ex.work = compress::HistoryTrimmer::apply(ex.work, p, summary);
        ex.workChanged = true;
        ex.record.savings.tokensAfterCompression =
            promptTokens(m_server.tokenizers(), ex.info.model, ex.work).value_or(ex.record.savings.tokensAfterCompression);
        routingStep();
    };
    compress::SummaryCache &summaries = m_server.summaryCache();
    const std::optional<compress::SummaryHit> cached = summaries.longestPrefix(plan->prefixKeys);
    if (cached && cached->coveredCount >= plan->droppedCount()) {
        apply(*plan, cached->summary);
        return;
    }
    // The summary comes from the cheap model through this request's upstream, recorded as its own call.
    const QJsonObject request = compress::HistoryTrimmer::summaryRequest(
        x.work, *plan, x.shape, options.maxSummaryTokens, cached ? cached->summary : QString(),
        cached ? cached->coveredCount : 0);
    CallRecord side;
    side.endpoint = u"tokenledger-summary"_s;
    side.tags = QStringList{QString(u"for:"_s + x.record.endpoint)};
    side.requestedModel = summaryModel;
    side.provider = x.upstream->effectivePriceProvider();
    QByteArray path = x.request.target;
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path.truncate(q);
    startSideCall(*x.upstream, path, request, side, x.kind,
                  [this, plan = *plan, apply, summaryModel](int status, const QByteArray &body, const QString &errorKind) {
                      Exchange &ex = *m_exchange;
                      if (status == 200 && errorKind.isEmpty()) {
                          auto summary = compress::HistoryTrimmer::summaryFromAnswer(QJsonDocument::fromJson(body).object(), ex.shape);
                          if (summary) {
                              if (auto ins = m_server.summaryCache().insert(plan.summaryKey(), *summary, plan.droppedCount(), summaryModel); !ins)
                                  qCWarning(lcProxy) << "summary cache:" << ins.error().message;
                              apply(plan, *summary);
                              return;
                          }
                      }
                      // Never fail the client's call for a summary: forward it untrimmed.
                      qCWarning(lcProxy).noquote() << u"compression: the summary call failed (HTTP %1 %2); forwarding the "
                                                      "request without trimming"_s.arg(status).arg(errorKind);
                      routingStep();
                  });
}

void ClientConnection::routingStep()
{
    Exchange &x = *m_exchange;
    if (x.route && x.route->changes && x.route->servedModel != x.info.model) {
        x.work.insert(u"model"_s, x.route->servedModel);
        x.workChanged = true;
    }
    forwardUpstream();
}

void ClientConnection::maybeStoreSemantic(const QJsonObject &answer, bool truncated)
{
    Exchange &x = *m_exchange;
    semantic::SemanticCache *cache = m_server.semanticCache();
    if (!cache || !x.semanticStore || !x.semanticKey || x.semanticVector.empty() || truncated || answer.isEmpty())
        return;
    semantic::StoredResponse stored;
    stored.body = x.streaming ? QJsonDocument(answer).toJson(QJsonDocument::Compact) : x.responseBody;
    stored.contentType = u"application/json"_s;
    stored.servedModel = x.record.servedModel;
    stored.originalCost = x.record.cost.value_or(0);
    stored.originalCostKnown = x.record.cost.has_value();
    if (auto r = cache->store(*x.semanticKey, x.semanticModel, x.semanticVector, stored, x.savings->semanticTtlSeconds,
                              nowUs(), x.semanticFocus);
        !r)
        qCWarning(lcProxy) << "semantic cache store failed:" << r.error().message;
}

void ClientConnection::startSideCall(const UpstreamConfig &u, const QByteArray &path, const QJsonObject &body,
                                     CallRecord side, ApiKind kind, SideDone done)
{
    Exchange &x = *m_exchange;
    const ProxyConfig &config = m_server.config();
    UpstreamRequest req;
    req.method = "POST";
    req.url = upstreamUrl(u, path);
    req.connectTimeoutMs = config.connectTimeoutMs;
    // The client's own headers (its key when it is the request's upstream), as for its own call.
    req.headers = upstreamHeaders(x.request.headers, u, &u == x.upstream, {"content-type", "accept"});
    if (u.kind == UpstreamKind::Anthropic && headerValue(req.headers, "anthropic-version").isEmpty())
        req.headers.append({QByteArray("anthropic-version"), QByteArray("2023-06-01")});
    req.headers.append({QByteArray("Content-Type"), QByteArray("application/json")});
    req.body = QJsonDocument(body).toJson(QJsonDocument::Compact);

    side.startedAtUs = nowUs();
    side.sourceKind = SourceKind::Proxy;
    side.sourceRef = u"proxy"_s;
    side.keyId = x.callerId;
    side.requestPath = requestPath(req.method, path);
    side.requestBytes = req.body.size();
    side.usageStatus = UsageStatus::Complete;

    struct State
    {
        int status = 0;
        QByteArray body;
        QElapsedTimer clock;
    };
    auto state = std::make_shared<State>();
    state->clock.start();
    x.sideCall = true;
    x.sideFinish = [this, state, side, kind, done](const QString &errorKind, const QString &message) mutable {
        Exchange &ex = *m_exchange;
        ex.sideCall = false;
        ex.sideTimer->stop();
        ex.transfer = 0;
        CallRecord rec = std::move(side);
        rec.latencyUs = state->clock.nsecsElapsed() / 1000;
        rec.httpStatus = state->status;
        rec.responseBytes = state->body.size();
        rec.errorKind = !errorKind.isEmpty() ? errorKind : proxy::answerErrorKind(state->status, state->body);
        const QJsonObject answer = state->status == 200 ? QJsonDocument::fromJson(state->body).object() : QJsonObject();
        const proxy::AnswerUsage usage = proxy::usageFromAnswer(kind, answer);
        rec.usage = usage.usage;
        rec.servedModel = usage.servedModel;
        rec.usageStatus = usage.found ? UsageStatus::Complete : UsageStatus::Unknown;
        if (state->status != 200 || !errorKind.isEmpty())
            rec.usageStatus = usage.found ? UsageStatus::Incomplete : UsageStatus::Unknown;
        m_server.ledger().pricer()->apply(rec);
        if (rec.usageStatus == UsageStatus::Unknown) {
            rec.cost.reset();
            rec.costStatus = CostStatus::Unpriced;
        }
        for (QString *text : {&rec.endpoint, &rec.provider, &rec.requestedModel, &rec.servedModel, &rec.keyId,
                              &rec.priceEntry, &rec.priceVersion, &rec.errorKind, &rec.sourceRef, &rec.requestHash,
                              &rec.taskType}) {
            if (text->isNull())
                *text = u""_s;
        }
        rec.id = m_server.ledger().writer().submit(rec);
        m_server.recordFinished(rec);
        if (!message.isEmpty())
            qCInfo(lcProxy) << rec.endpoint << "call:" << message;
        done(state->status, state->body, rec.errorKind);
    };
    if (!x.sideTimer) {
        x.sideTimer = std::make_unique<QTimer>();
        x.sideTimer->setSingleShot(true);
        connect(x.sideTimer.get(), &QTimer::timeout, this, [this]() {
            if (!m_exchange || !m_exchange->sideCall)
                return;
            m_server.upstream().abort(m_exchange->transfer);
            m_exchange->transfer = 0;
            auto finish = std::exchange(m_exchange->sideFinish, {});
            finish(u"timeout"_s, u"no answer in time"_s);
        });
    }
    x.sideTimer->start(config.firstByteTimeoutMs);

    UpstreamCallbacks cb;
    const Exchange *owner = m_exchange.get();
    if (!x.alive)
        x.alive = std::make_shared<int>(0);
    const std::weak_ptr<int> alive = x.alive;
    cb.onHeaders = [this, state, owner](int status, const HttpHeaders &) {
        if (m_exchange.get() != owner)
            return;
        state->status = status;
        m_exchange->sideTimer->start(m_server.config().idleTimeoutMs);
    };
    cb.onData = [this, state, owner](QByteArrayView bytes) {
        if (m_exchange.get() != owner)
            return;
        state->body.append(bytes);
        m_exchange->sideTimer->start(m_server.config().idleTimeoutMs);
    };
    // Continue on the next event-loop turn: the pipeline may start the main upstream transfer, which
    // must not happen inside libcurl's callback (or inside start() for a refused connection).
    cb.onFinished = [this, alive](const QString &errorKind, const QString &message) {
        QMetaObject::invokeMethod(
            this,
            [this, alive, errorKind, message]() {
                if (alive.expired() || !m_exchange || !m_exchange->sideFinish)
                    return;
                auto finish = std::exchange(m_exchange->sideFinish, {});
                finish(errorKind, message);
            },
            Qt::QueuedConnection);
    };
    const quint64 id = m_server.upstream().start(std::move(req), std::move(cb));
    if (m_exchange.get() == owner && m_exchange->sideCall && m_exchange->sideFinish)
        m_exchange->transfer = id;
}

} // namespace tl
