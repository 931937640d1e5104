#include "Simulator.h"

#include "common/Logging.h"
#include "ledger/UsageColumns.h"
#include "query/Labels.h"
#include "routing/Router.h"
#include "semantic/SemanticIndex.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

using namespace Qt::StringLiterals;

namespace tl {

QString toString(Strategy s)
{
    switch (s) {
    case Strategy::ExactCache:
        return u"exact_cache"_s;
    case Strategy::SemanticCache:
        return u"semantic_cache"_s;
    case Strategy::Compression:
        return u"compression"_s;
    case Strategy::Routing:
        return u"routing"_s;
    case Strategy::Batch:
        return u"batch"_s;
    }
    return {};
}

namespace Simulator {

namespace {

struct Row
{
    qint64 startedAtUs = 0;
    QString endpoint;
    QString provider;
    QString model;
    QString key;
    Usage usage;
    std::optional<NanoUsd> cost;
    bool batch = false;
    QString requestHash;
    qint64 promptChars = 0;
    QString taskType;
    int httpStatus = 200;
    int cacheOutcome = 0;
    qint64 callCount = 1;
    int messageCount = 0;
    bool hasTools = false;
    QString complexity;
    qint64 tokensBeforeCompression = -1;
    qint64 fewShotTokens = 0;
    qint64 fewShotSetTokens = 0;
    QString fewShotSet;
    QString semanticScope;
    QString guardSignature;
    QString embeddingModel;
    QByteArray embedding;

    bool succeeded() const
    {
        return httpStatus < 400 && cacheOutcome != int(CacheOutcome::ExactHit)
            && cacheOutcome != int(CacheOutcome::SemanticHit);
    }
};

// Per-endpoint effective strategies, computed once per endpoint.
struct EndpointPlan
{
    Scenario scenario;
    bool batchThisEndpoint = false;
    std::shared_ptr<const routing::Router> router; // the complexity router, when the scenario has one
};

bool ruleMatches(const RoutingRule &rule, const Row &r)
{
    if (!rule.model.isEmpty() && rule.model != r.model)
        return false;
    if (!rule.endpoints.isEmpty() && !rule.endpoints.contains(r.endpoint))
        return false;
    if (!rule.taskTypes.isEmpty() && !rule.taskTypes.contains(r.taskType))
        return false;
    if (rule.maxPromptTokens >= 0 && r.usage.promptTokens > rule.maxPromptTokens)
        return false;
    if (rule.maxCompletionTokens >= 0 && r.usage.completionTokens > rule.maxCompletionTokens)
        return false;
    if (rule.maxPromptChars >= 0 && (r.promptChars == 0 || r.promptChars > rule.maxPromptChars))
        return false;
    return rule.routeTo != r.model;
}

// The live router's decision for a recorded call, replayed on its recorded complexity as if routing
// were on: the same tiers, guards and cost rule as the proxy (routing::Router::decideFor). The
// recorded features are the call's own: prompt tokens, its completion tokens as the output bound, and
// whether it used tools; image, audio and structured-output use are not recorded.
QString routerTarget(const routing::Router &router, const Row &r)
{
    const auto complexity = routing::complexityFromString(r.complexity);
    if (!complexity)
        return {};
    routing::RoutingFeatures f;
    f.requestedModel = r.model;
    f.family = r.provider;
    f.estimatedPromptTokens = r.usage.promptTokens;
    f.maxOutputTokens = r.usage.completionTokens;
    f.usesTools = r.hasTools;
    const routing::RouteDecision d = router.decideFor(f, r.endpoint, *complexity, false, routing::RouteMode::On);
    return d.changes ? d.servedModel : QString();
}

constexpr int kSavingsColumnCount = 10; // the call_savings columns selected below, call_id last

} // namespace

Result<SimulationResult> run(QSqlDatabase &db, const Pricer &pricer, const SimulationRequest &req,
                             const std::function<bool(qint64, qint64)> &progress)
{
    const Labels labels = Labels::load(db);
    SimulationResult result;
    result.scenarioName = req.scenario.name;

    // Day buckets for the chart (bounded to the data's own span when the range is open-ended).
    qint64 dataFrom = req.fromUs, dataTo = req.toUs;
    qint64 total = 0;
    {
        QSqlQuery span(db);
        span.prepare(u"SELECT MIN(started_at_us), MAX(started_at_us), COUNT(*) FROM calls WHERE started_at_us >= ? AND started_at_us < ?"_s);
        span.addBindValue(req.fromUs);
        span.addBindValue(req.toUs);
        if (!span.exec() || !span.next())
            return fail(ErrorCode::Database, QObject::tr("Simulation failed: %1").arg(span.lastError().text()));
        if (!span.value(0).isNull()) {
            dataFrom = std::max(req.fromUs, span.value(0).toLongLong());
            dataTo = std::min(req.toUs, span.value(1).toLongLong() + 1);
        }
        total = span.value(2).toLongLong();
        if (progress && !progress(0, total)) {
            result.cancelled = true;
            return result;
        }
        if (total > 0) {
            result.bucketStartsUs = TimeZoneBuckets::starts(Granularity::Day, req.zone, dataFrom, dataTo);
            for (qint64 s : std::as_const(result.bucketStartsUs))
                result.bucketLabels << TimeZoneBuckets::label(Granularity::Day, req.zone, s);
        }
        result.baselinePerBucket.fill(0, result.bucketStartsUs.size());
        result.projectedPerBucket.fill(0, result.bucketStartsUs.size());
    }

    auto newOutcomes = [&](const Scenario &sc) {
        QList<StrategyOutcome> list;
        for (Strategy s : kStrategyOrder) {
            StrategyOutcome o;
            o.strategy = s;
            switch (s) {
            case Strategy::ExactCache:
                o.enabled = sc.exactCache.enabled;
                break;
            case Strategy::SemanticCache:
                o.enabled = sc.semanticCache.enabled;
                break;
            case Strategy::Compression:
                o.enabled = sc.compression.enabled;
                break;
            case Strategy::Routing:
                o.enabled = sc.routing.enabled && sc.routing.mode != routing::RouteMode::Off
                    && (!sc.routing.rules.isEmpty() || sc.routing.router);
                break;
            case Strategy::Batch:
                o.enabled = sc.batch.enabled && !sc.batch.endpoints.isEmpty();
                break;
            }
            list << o;
        }
        return list;
    };
    result.strategies = newOutcomes(req.scenario);

    QHash<QString, EndpointPlan> plans;
    QHash<QString, EndpointOutcome> perEndpoint;
    // Exact cache: (caller, request hash) -> time the answer was stored.
    QHash<QString, qint64> cacheStoredAt;
    // Semantic cache: the live cache's matcher, one per vector size.
    std::map<int, std::unique_ptr<semantic::SemanticIndex>> semanticIndexes;
    qint64 semanticEntryId = 0;
    qint64 rowsWithHash = 0, rowsWithEmbedding = 0, rowsWithConversation = 0, rowsWithComplexity = 0;
    bool anyRouterPlan = false, anyRulePlan = false;

    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT started_at_us, endpoint_id, provider_id, served_model_id, key_id, "_s + kUsageColumns
              + uR"(, cost_nano, batch, request_hash, prompt_chars, task_type, http_status, cache_outcome, call_count,
        message_count, has_tools, s.complexity, s.tokens_before_compression, s.fewshot_set, s.fewshot_tokens,
        s.fewshot_set_tokens, s.semantic_scope, s.guard_signature, s.embedding_model, s.embedding, s.call_id
        FROM calls LEFT JOIN call_savings s ON s.call_id = calls.id
        WHERE started_at_us >= ? AND started_at_us < ? ORDER BY started_at_us, id)"_s);
    q.addBindValue(req.fromUs);
    q.addBindValue(req.toUs);
    if (!q.exec())
        return fail(ErrorCode::Database, QObject::tr("Simulation failed: %1").arg(q.lastError().text()));

    Row r;
    while (q.next()) {
        int i = 0;
        r.startedAtUs = q.value(i++).toLongLong();
        r.endpoint = labels.name(q.value(i++).toLongLong());
        r.provider = labels.name(q.value(i++).toLongLong());
        r.model = labels.name(q.value(i++).toLongLong());
        r.key = labels.name(q.value(i++).toLongLong());
        r.usage = readUsage(q, i);
        const QVariant cost = q.value(i++);
        r.cost = cost.isNull() ? std::nullopt : std::optional<NanoUsd>(cost.toLongLong());
        r.batch = q.value(i++).toInt() != 0;
        r.requestHash = q.value(i++).toString();
        r.promptChars = q.value(i++).toLongLong();
        r.taskType = q.value(i++).toString();
        r.httpStatus = q.value(i++).toInt();
        r.cacheOutcome = q.value(i++).toInt();
        r.callCount = q.value(i++).toLongLong();
        r.messageCount = q.value(i++).toInt();
        r.hasTools = q.value(i++).toInt() != 0;
        if (!q.value(i + kSavingsColumnCount - 1).isNull()) {
            r.complexity = q.value(i++).toString();
            r.tokensBeforeCompression = q.value(i++).toLongLong();
            r.fewShotSet = q.value(i++).toString();
            r.fewShotTokens = q.value(i++).toLongLong();
            r.fewShotSetTokens = q.value(i++).toLongLong();
            r.semanticScope = q.value(i++).toString();
            r.guardSignature = q.value(i++).toString();
            r.embeddingModel = q.value(i++).toString();
            r.embedding = q.value(i++).toByteArray();
            ++i; // call_id
        } else {
            r.complexity.clear();
            r.tokensBeforeCompression = -1;
            r.fewShotSet.clear();
            r.fewShotTokens = r.fewShotSetTokens = 0;
            r.semanticScope.clear();
            r.guardSignature.clear();
            r.embeddingModel.clear();
            r.embedding.clear();
        }

        ++result.records;
        if (progress && result.records % 20'000 == 0 && !progress(result.records, total)) {
            result.cancelled = true;
            return result;
        }
        if (!r.cost) {
            ++result.unpricedRecords;
            continue;
        }
        auto planIt = plans.find(r.endpoint);
        if (planIt == plans.end()) {
            EndpointPlan plan;
            plan.scenario = req.scenario.forEndpoint(r.endpoint);
            plan.batchThisEndpoint = plan.scenario.batch.enabled && plan.scenario.batch.endpoints.contains(r.endpoint);
            const RoutingStrategy &rs = plan.scenario.routing;
            const bool routingOn = rs.enabled && rs.mode != routing::RouteMode::Off;
            if (routingOn && rs.router)
                plan.router = std::make_shared<const routing::Router>(*rs.router, pricer.bookPtr());
            anyRouterPlan = anyRouterPlan || plan.router;
            anyRulePlan = anyRulePlan || (routingOn && !rs.rules.isEmpty());
            planIt = plans.insert(r.endpoint, plan);
            EndpointOutcome eo;
            eo.endpoint = r.endpoint;
            eo.strategies = newOutcomes(plan.scenario);
            perEndpoint.insert(r.endpoint, eo);
        }
        const EndpointPlan &plan = *planIt;
        const Scenario &sc = plan.scenario;
        EndpointOutcome &eo = perEndpoint[r.endpoint];
        const NanoUsd baseline = *r.cost;
        NanoUsd projected = baseline;
        auto credit = [&](Strategy s, NanoUsd before, NanoUsd after) {
            const int idx = int(s);
            result.strategies[idx].saving += before - after;
            result.strategies[idx].callsAffected += r.callCount;
            eo.strategies[idx].saving += before - after;
            eo.strategies[idx].callsAffected += r.callCount;
        };

        // Dynamic few-shot, already realised: the whole set's extra input tokens at this model's price.
        if (!r.fewShotSet.isEmpty() && r.fewShotSetTokens > r.fewShotTokens) {
            Usage extra;
            extra.promptTokens = r.fewShotSetTokens - r.fewShotTokens;
            const CostResult c = pricer.price(r.provider, r.model, extra, r.startedAtUs, r.batch, 1);
            ++result.fewShot.calls;
            result.fewShot.tokensSaved += extra.promptTokens;
            result.fewShot.saving += c.cost.value_or(0);
        }

        // 1. Exact cache, per caller, within the TTL from when the answer was stored. As in the live
        // proxy, only an answer that came from upstream is stored: a call the semantic cache serves
        // (step 2) is not (storeExactKey is used after step 2).
        bool removed = false;
        QString storeExactKey;
        if (sc.exactCache.enabled && !r.requestHash.isEmpty()) {
            ++rowsWithHash;
            const QString cacheKey = r.key + u'\x1f' + r.requestHash;
            auto it = cacheStoredAt.find(cacheKey);
            const bool hit = it != cacheStoredAt.end() && r.startedAtUs < *it + sc.exactCache.ttlSeconds * 1'000'000;
            if (hit) {
                credit(Strategy::ExactCache, projected, 0);
                projected = 0;
                removed = true;
            } else if (r.succeeded()) {
                storeExactKey = cacheKey;
            }
        }

        // 2. Semantic cache, with the live cache's matcher on the recorded embeddings: the whole-request
        // vector, followed by the final user message's focus vector when the proxy recorded one.
        const qsizetype floats = r.embedding.size() / qsizetype(sizeof(float));
        qsizetype dims = floats;
        if (const qsizetype slash = r.embeddingModel.lastIndexOf(u'/'); slash >= 0) {
            bool ok = false;
            const qsizetype named = r.embeddingModel.mid(slash + 1).toLongLong(&ok);
            if (ok && named > 0 && (floats == named || floats == 2 * named))
                dims = named;
        }
        if (!removed && sc.semanticCache.enabled && floats > 0 && dims > 0 && !r.semanticScope.isEmpty()) {
            ++rowsWithEmbedding;
            auto &index = semanticIndexes[int(dims)];
            if (!index)
                index = std::make_unique<semantic::SemanticIndex>(int(dims));
            // Copied float by float (the blob is little-endian float32 with no alignment guarantee).
            std::vector<float> vec(floats);
            const QByteArrayView blob(r.embedding);
            for (qsizetype k = 0; k < floats; ++k)
                std::memcpy(&vec[size_t(k)], blob.data() + k * qsizetype(sizeof(float)), sizeof(float));
            const float *focus = floats == 2 * dims ? vec.data() + dims : nullptr;
            NanoUsd embedCost = 0;
            if (sc.semanticCache.embeddingModel != "local"_L1) {
                Usage embedUsage;
                embedUsage.promptTokens = r.usage.promptTokens;
                embedCost = pricer.price(u"openai"_s, sc.semanticCache.embeddingModel, embedUsage, r.startedAtUs,
                                         false, 1).cost.value_or(0);
            }
            const auto match = index->best(r.semanticScope, vec.data(), r.guardSignature,
                                           float(sc.semanticCache.threshold), r.startedAtUs, focus);
            if (match) {
                credit(Strategy::SemanticCache, projected, embedCost);
                projected = embedCost;
                removed = true;
            } else {
                if (embedCost > 0)
                    credit(Strategy::SemanticCache, projected, projected + embedCost);
                projected += embedCost;
                if (r.succeeded())
                    index->insert(++semanticEntryId, r.semanticScope, vec.data(), r.guardSignature, r.startedAtUs,
                                  r.startedAtUs + sc.semanticCache.ttlSeconds * 1'000'000, focus);
            }
        }

        if (!storeExactKey.isEmpty() && !removed)
            cacheStoredAt.insert(storeExactKey, r.startedAtUs);

        // 3. Compression of long conversations to the budget, plus a summary call.
        Usage usage = r.usage;
        const NanoUsd extraCost = projected - baseline; // embedding calls added above
        if (!removed && r.messageCount >= 2)
            ++rowsWithConversation;
        if (!removed && sc.compression.enabled && r.messageCount >= 2 && r.tokensBeforeCompression < 0
            && usage.promptTokens > sc.compression.budgetTokens) {
            const qint64 budget = sc.compression.budgetTokens;
            Usage summaryUsage;
            summaryUsage.promptTokens = usage.promptTokens - budget * 7 / 10;
            summaryUsage.completionTokens = budget / 10;
            usage.promptTokens = budget;
            usage.cachedTokens = std::min(usage.cachedTokens, budget);
            usage.cacheWrite5mTokens = std::min(usage.cacheWrite5mTokens, budget - usage.cachedTokens);
            usage.cacheWrite1hTokens = std::min(usage.cacheWrite1hTokens,
                                                budget - usage.cachedTokens - usage.cacheWrite5mTokens);
            const CostResult compressed = pricer.price(r.provider, r.model, usage, r.startedAtUs, r.batch, r.callCount);
            const CostResult summary = pricer.price(r.provider, sc.compression.summaryModel, summaryUsage,
                                                    r.startedAtUs, false, r.callCount);
            if (compressed.cost && summary.cost) {
                const NanoUsd after = *compressed.cost + *summary.cost + extraCost;
                credit(Strategy::Compression, projected, after);
                projected = after;
            } else {
                usage = r.usage;
            }
        }

        // 4. Routing: the same token counts on the target model.
        QString currentProvider = r.provider;
        QString currentModel = r.model;
        if (!removed && sc.routing.enabled && sc.routing.mode != routing::RouteMode::Off) {
            bool ruled = false;
            for (const RoutingRule &rule : sc.routing.rules) {
                if (!ruleMatches(rule, r))
                    continue;
                ruled = true;
                const QString provider = rule.routeToProvider.isEmpty() ? r.provider : rule.routeToProvider;
                const CostResult routed = pricer.price(provider, rule.routeTo, usage, r.startedAtUs, r.batch, r.callCount);
                if (routed.cost) {
                    const NanoUsd after = *routed.cost + (projected - pricer.price(r.provider, r.model, usage, r.startedAtUs,
                                                                                   r.batch, r.callCount).cost.value_or(projected));
                    credit(Strategy::Routing, projected, after);
                    projected = after;
                    currentModel = rule.routeTo;
                    currentProvider = provider;
                }
                break;
            }
            if (!ruled && plan.router && !r.complexity.isEmpty()) {
                ++rowsWithComplexity;
                const QString target = routerTarget(*plan.router, r);
                if (!target.isEmpty()) {
                    const CostResult now = pricer.price(r.provider, r.model, usage, r.startedAtUs, r.batch, r.callCount);
                    const CostResult routed = pricer.price(r.provider, target, usage, r.startedAtUs, r.batch, r.callCount);
                    if (now.cost && routed.cost) {
                        const NanoUsd after = projected - *now.cost + *routed.cost;
                        credit(Strategy::Routing, projected, after);
                        projected = after;
                        currentModel = target;
                    }
                }
            }
        }
        // 5. Batch API for endpoints that tolerate a 24-hour turnaround.
        if (!removed && plan.batchThisEndpoint && !r.batch && projected > 0) {
            // Re-priced exactly at the batch rate (the book's batch prices, else 50% of list); half of the
            // projection, rounded up, if the model cannot be re-priced.
            const CostResult realtime = pricer.price(currentProvider, currentModel, usage, r.startedAtUs, false, r.callCount);
            const CostResult b = pricer.price(currentProvider, currentModel, usage, r.startedAtUs, true, r.callCount);
            const NanoUsd batched = (b.cost && realtime.cost) ? projected - *realtime.cost + *b.cost : (projected + 1) / 2;
            credit(Strategy::Batch, projected, batched);
            projected = batched;
        }

        result.baseline += baseline;
        result.projected += projected;
        eo.baseline += baseline;
        eo.projected += projected;
        eo.calls += r.callCount;
        if (!result.bucketStartsUs.isEmpty()) {
            auto b = std::upper_bound(result.bucketStartsUs.begin(), result.bucketStartsUs.end(), r.startedAtUs);
            const qsizetype bi = std::max<qsizetype>(0, (b - result.bucketStartsUs.begin()) - 1);
            result.baselinePerBucket[bi] += baseline;
            result.projectedPerBucket[bi] += projected;
        }
    }

    // A strategy enabled only by an endpoint override counts as enabled in the totals.
    for (const EndpointOutcome &eo : std::as_const(perEndpoint)) {
        for (qsizetype i = 0; i < eo.strategies.size(); ++i)
            result.strategies[i].enabled = result.strategies[i].enabled || eo.strategies[i].enabled;
    }
    // Say why what cannot be simulated was not, and the assumptions behind what was.
    for (StrategyOutcome &o : result.strategies) {
        switch (o.strategy) {
        case Strategy::ExactCache:
            o.simulated = o.enabled && rowsWithHash > 0;
            if (o.enabled && rowsWithHash == 0)
                o.whyNot = QObject::tr("no request hashes in this range: imported calls carry no request content; "
                                       "calls recorded by the proxy do");
            o.assumptions << QObject::tr("a repeated request from the same caller within the TTL is served from "
                                         "the cache at no cost; the first answer is stored if it succeeded");
            break;
        case Strategy::SemanticCache:
            o.simulated = o.enabled && rowsWithEmbedding > 0;
            if (o.enabled && rowsWithEmbedding == 0)
                o.whyNot = QObject::tr("no stored request embeddings in this range: imported calls carry no "
                                       "request text; calls recorded by the proxy do");
            o.assumptions << QObject::tr("replayed with the live cache's matcher on the embeddings the proxy "
                                         "recorded: same caller, model, system prompt, parameters, earlier "
                                         "conversation and numbers/negations/quotes, similarity at or above the "
                                         "threshold, within the TTL");
            if (req.scenario.semanticCache.embeddingModel != "local"_L1)
                o.assumptions << QObject::tr("each embedded request costs one call to %1 with the request's prompt "
                                             "tokens; similarities are those of the recorded local embeddings")
                                     .arg(req.scenario.semanticCache.embeddingModel);
            break;
        case Strategy::Compression:
            o.simulated = o.enabled && rowsWithConversation > 0;
            if (o.enabled && rowsWithConversation == 0)
                o.whyNot = QObject::tr("needs the conversation's shape (message count), recorded by the proxy; "
                                       "imported calls carry none");
            o.assumptions << QObject::tr("a conversation over the budget is sent with the budget's worth of prompt "
                                         "tokens, plus one summary call per request (input: the dropped tokens; "
                                         "output: 10% of the budget) on the summary model");
            break;
        case Strategy::Routing:
            o.simulated = o.enabled && (anyRulePlan || rowsWithComplexity > 0);
            if (o.enabled && !anyRulePlan && rowsWithComplexity == 0)
                o.whyNot = QObject::tr("the complexity router needs the complexity the proxy records per call; "
                                       "these calls have none");
            o.assumptions << QObject::tr("routed calls are re-priced on the target model with the same token "
                                         "counts; quality is not simulated");
            break;
        case Strategy::Batch:
            o.simulated = o.enabled;
            o.assumptions << QObject::tr("calls of the listed endpoints are priced at the Batch API rate "
                                         "(the book's batch prices, else 50% of list) and tolerate a 24-hour "
                                         "turnaround");
            break;
        }
    }
    for (auto it = perEndpoint.begin(); it != perEndpoint.end(); ++it) {
        for (qsizetype i = 0; i < it->strategies.size(); ++i) {
            it->strategies[i].simulated = it->strategies[i].enabled && result.strategies[i].simulated;
            it->strategies[i].whyNot = it->strategies[i].enabled ? result.strategies[i].whyNot : QString();
            it->strategies[i].assumptions = result.strategies[i].assumptions;
        }
        result.endpoints << *it;
    }
    std::sort(result.endpoints.begin(), result.endpoints.end(), [](const EndpointOutcome &a, const EndpointOutcome &b) {
        const NanoUsd sa = a.baseline - a.projected, sb = b.baseline - b.projected;
        return sa != sb ? sa > sb : a.endpoint < b.endpoint;
    });
    if (progress)
        progress(result.records, total);
    return result;
}

} // namespace Simulator

} // namespace tl
