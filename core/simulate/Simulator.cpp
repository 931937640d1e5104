#include "Simulator.h"

#include "common/Logging.h"
#include "ledger/RollupPeriods.h"
#include "routing/Router.h"
#include "semantic/SemanticIndex.h"
#include "simulate/LedgerScan.h"

#include <QHash>
#include <QScopeGuard>

#include <algorithm>
#include <climits>
#include <any>
#include <map>
#include <memory>
#include <set>
#include <vector>

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

// Per-endpoint effective strategies, computed once per endpoint.
struct EndpointPlan
{
    Scenario scenario;
    bool batchThisEndpoint = false;
    bool hasRouter = false; // routing is on with the complexity router
};

// A routing rule with its names resolved to the scan's name indices once, so that matching a row
// compares integers. kNoName: the rule names something no label has (never equal to a row's index).
constexpr qint32 kNoName = -2;

struct CompiledRule
{
    const RoutingRule *rule = nullptr;
    qint32 model = -1; // -1: any model
    std::vector<qint32> endpoints;
    qint32 routeTo = kNoName;
};

CompiledRule compile(const RoutingRule &rule, const simulate::LedgerScan &scan)
{
    auto index = [&](const QString &name) {
        const qint32 i = scan.nameIndex(name);
        return i < 0 ? kNoName : i;
    };
    CompiledRule c;
    c.rule = &rule;
    c.model = rule.model.isEmpty() ? -1 : index(rule.model);
    for (const QString &e : rule.endpoints)
        c.endpoints.push_back(index(e));
    c.routeTo = index(rule.routeTo);
    return c;
}

bool ruleMatches(const CompiledRule &c, const simulate::ScanRow &r, const QList<QString> &texts)
{
    const RoutingRule &rule = *c.rule;
    if (c.model != -1 && c.model != r.model)
        return false;
    if (!rule.endpoints.isEmpty() && std::find(c.endpoints.begin(), c.endpoints.end(), r.endpoint) == c.endpoints.end())
        return false;
    if (!rule.taskTypes.isEmpty() && !rule.taskTypes.contains(texts.at(r.taskType)))
        return false;
    if (rule.maxPromptTokens >= 0 && r.usage.promptTokens > rule.maxPromptTokens)
        return false;
    if (rule.maxCompletionTokens >= 0 && r.usage.completionTokens > rule.maxCompletionTokens)
        return false;
    if (rule.maxPromptChars >= 0 && (r.promptChars == 0 || r.promptChars > rule.maxPromptChars))
        return false;
    return c.routeTo != r.model;
}

struct EndpointState
{
    EndpointPlan plan;
    EndpointOutcome outcome;
    // Calls of this endpoint a rule matched whose target the price book cannot price for them
    // ("provider/model" -> calls): left at their cost and named in the routing assumptions.
    std::map<QString, qint64> unpricedRuleTargets;
    // Calls of this endpoint the Batch API strategy left at their price (provider -> calls): it has none.
    std::map<QString, qint64> noBatchApiCalls;
};

// The Batch API assumption for calls of a provider without a Batch API (Pricer::offersBatchApi).
QString noBatchApiNote(const QString &provider, qint64 calls)
{
    return QObject::tr("%n call(s) on %1 stay at their price: TokenLedger knows no Batch API of that provider (it "
                       "knows those of OpenAI, Anthropic, Google, Azure OpenAI and Mistral, and a price override "
                       "with batch prices)",
                       nullptr, int(std::min<qint64>(calls, INT_MAX)))
        .arg(provider.isEmpty() ? QObject::tr("calls without a provider") : provider);
}

// The routing assumption for calls a rule matched but could not re-price.
QString unpricedTargetNote(const QString &target, qint64 calls)
{
    return QObject::tr("%n call(s) matched a rule routing to %1, which the price book cannot price for them: they "
                       "keep their recorded cost (no saving counted)",
                       nullptr, int(std::min<qint64>(calls, INT_MAX)))
        .arg(target);
}

// The live router's decision for a recorded call, replayed on its recorded complexity as if routing
// were on: the same tiers, guards and cost rule as the proxy (routing::Router::decideFor). The
// recorded features are the call's own: prompt tokens, its completion tokens as the output bound, and
// whether it used tools; image, audio and structured-output use are not recorded.
QString routerTarget(const routing::Router &router, const simulate::ScanRow &r, const QString &endpoint,
                     const QString &provider, const QString &model, const QString &complexityText)
{
    const auto complexity = routing::complexityFromString(complexityText);
    if (!complexity)
        return {};
    routing::RoutingFeatures f;
    f.requestedModel = model;
    f.family = provider;
    f.estimatedPromptTokens = r.usage.promptTokens;
    f.maxOutputTokens = r.usage.completionTokens;
    f.usesTools = r.hasTools;
    const routing::RouteDecision d = router.decideFor(f, endpoint, *complexity, false, routing::RouteMode::On);
    return d.changes ? d.servedModel : QString();
}

// Whether the live caches would store this call's answer: it came from upstream (not a hit), succeeded,
// and is whole: no error or cut stream, the provider's usage, not truncated by a token limit
// (ClientConnection::maybeStoreInCache / maybeStoreSemantic; CallReplay::cacheable).
bool succeeded(const simulate::ScanRow &r)
{
    return r.httpStatus < 400 && r.cacheable && r.cacheOutcome != int(CacheOutcome::ExactHit)
        && r.cacheOutcome != int(CacheOutcome::SemanticHit);
}

// Whether any endpoint's effective scenario has the semantic cache on (only then are embeddings read).
bool semanticCacheAnywhere(const Scenario &scenario)
{
    if (scenario.semanticCache.enabled)
        return true;
    for (auto it = scenario.endpointOverrides.cbegin(); it != scenario.endpointOverrides.cend(); ++it) {
        if (scenario.forEndpoint(it.key()).semanticCache.enabled)
            return true;
    }
    return false;
}

// Strategies 3-5 (compression, routing, batch) of a call that neither cache serves depend on the call
// and its endpoint's scenario only: their prices are computed chunk by chunk ahead of the replay
// (RowPricer), on the scan's worker thread when it is ahead of the replay (LedgerScan::start's prepare
// hook), else on the replay thread itself, whichever thread has time; the replay applies them with the
// same arithmetic as when it priced them inline. Either way the same Pricer gets the same inputs.
struct RowPrices
{
    // 3. Compression: the call is compressed (both prices known).
    bool compress = false;
    NanoUsd compressed = 0;
    NanoUsd summary = 0;
    // 4. Routing: the first matching rule, if any (then the router is not asked), with the call re-priced
    // on the rule's target and on its own model (the token counts after compression).
    bool ruled = false;
    const RoutingRule *rule = nullptr; // the rule that matched (the scenario outlives the run)
    std::optional<NanoUsd> ruleRouted;
    std::optional<NanoUsd> ruleBase;
    // The complexity router's target, priced on it and on the call's own model (both known).
    bool routerRouted = false;
    NanoUsd routerNow = 0;
    NanoUsd routerTarget = 0;
    // 5. Batch: the call on its model after routing at the real-time and the batch rate (both known); or the
    // call's provider has no Batch API (Pricer::offersBatchApi), so it stays at its price.
    bool noBatchApi = false;
    bool batchPriced = false;
    NanoUsd realtime = 0;
    NanoUsd batched = 0;
};

// A chunk's RowPrices (ScanChunk::extra), row by row; `ready` false until a RowPricer filled them.
struct ChunkPrices
{
    bool ready = false;
    std::vector<RowPrices> rows;
};

// Per endpoint the effective scenario, compiled rules and router. One instance per thread (the scan's
// worker and the replay thread each have theirs; the Pricer and Router are thread-safe). `texts`: the
// scan's texts as that thread knows them (they only grow, so a chunk's ids are always in them).
class RowPricer
{
public:
    RowPricer(const Pricer &pricer, const Scenario &scenario, const simulate::LedgerScan &scan)
        : m_pricer(pricer), m_scenario(scenario), m_scan(scan), m_names(scan.names()),
          m_endpoints(size_t(m_names.size()))
    {
    }

    // The chunk's ChunkPrices, created if missing and marked not ready.
    static ChunkPrices &pricesOf(simulate::ScanChunk &chunk)
    {
        if (auto *p = std::any_cast<ChunkPrices>(&chunk.extra))
            return *p;
        chunk.extra = ChunkPrices();
        return *std::any_cast<ChunkPrices>(&chunk.extra);
    }

    void prepare(simulate::ScanChunk &chunk, const QList<QString> &texts)
    {
        ChunkPrices &prices = pricesOf(chunk);
        prices.rows.assign(chunk.rows.size(), RowPrices());
        for (size_t i = 0; i < chunk.rows.size(); ++i) {
            if (chunk.rows[i].priced)
                price(chunk.rows[i], prices.rows[i], texts);
        }
        prices.ready = true;
    }

private:
    struct Plan
    {
        Scenario scenario;
        bool batchThisEndpoint = false;
        bool routingOn = false;
        std::vector<CompiledRule> rules;
        std::shared_ptr<const routing::Router> router;
    };

    void price(const simulate::ScanRow &r, RowPrices &p, const QList<QString> &texts)
    {
        const QString &endpoint = m_names.at(r.endpoint);
        const QString &provider = m_names.at(r.provider);
        const QString &model = m_names.at(r.model);
        std::unique_ptr<Plan> &plan = m_endpoints[size_t(r.endpoint)];
        if (!plan) {
            plan = std::make_unique<Plan>();
            plan->scenario = m_scenario.forEndpoint(endpoint);
            plan->batchThisEndpoint = plan->scenario.batch.enabled && plan->scenario.batch.endpoints.contains(endpoint);
            const RoutingStrategy &rs = plan->scenario.routing;
            plan->routingOn = rs.enabled && rs.mode != routing::RouteMode::Off;
            if (plan->routingOn && rs.router)
                plan->router = std::make_shared<const routing::Router>(*rs.router, m_pricer.bookPtr());
            for (const RoutingRule &rule : rs.rules)
                plan->rules.push_back(compile(rule, m_scan));
        }
        const Scenario &sc = plan->scenario;

        // 3. Compression of long conversations to the budget, plus a summary call.
        Usage usage = r.usage;
        if (sc.compression.enabled && r.messageCount >= 2 && r.tokensBeforeCompression < 0
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
            // The cached audio and image tokens are parts of the cache reads: capped with them.
            usage.cachedAudioTokens = std::min(usage.cachedAudioTokens, usage.cachedTokens);
            usage.cachedImageTokens = std::min(usage.cachedImageTokens, usage.cachedTokens - usage.cachedAudioTokens);
            const CostResult compressed = m_pricer.price(provider, model, usage, r.startedAtUs, r.batch, r.callCount);
            const CostResult summary = m_pricer.price(provider, sc.compression.summaryModel, summaryUsage,
                                                      r.startedAtUs, false, r.callCount);
            if (compressed.cost && summary.cost) {
                p.compress = true;
                p.compressed = *compressed.cost;
                p.summary = *summary.cost;
            } else {
                usage = r.usage;
            }
        }

        // 4. Routing: the same token counts on the target model.
        const QString *currentProvider = &provider;
        const QString *currentModel = &model;
        QString routerModel; // the complexity router's choice, when it routes
        if (plan->routingOn) {
            for (const CompiledRule &compiled : plan->rules) {
                if (!ruleMatches(compiled, r, texts))
                    continue;
                const RoutingRule &rule = *compiled.rule;
                p.ruled = true;
                p.rule = &rule;
                const QString &target = rule.routeToProvider.isEmpty() ? provider : rule.routeToProvider;
                const CostResult routed = m_pricer.price(target, rule.routeTo, usage, r.startedAtUs, r.batch,
                                                         r.callCount);
                if (routed.cost) {
                    p.ruleRouted = *routed.cost;
                    p.ruleBase = m_pricer.price(provider, model, usage, r.startedAtUs, r.batch, r.callCount).cost;
                    currentModel = &rule.routeTo;
                    currentProvider = &target;
                }
                break;
            }
            if (!p.ruled && plan->router && r.complexity != 0) {
                routerModel = routerTarget(*plan->router, r, endpoint, provider, model, texts.at(r.complexity));
                if (!routerModel.isEmpty()) {
                    const CostResult now = m_pricer.price(provider, model, usage, r.startedAtUs, r.batch, r.callCount);
                    const CostResult routed = m_pricer.price(provider, routerModel, usage, r.startedAtUs, r.batch,
                                                             r.callCount);
                    if (now.cost && routed.cost) {
                        p.routerRouted = true;
                        p.routerNow = *now.cost;
                        p.routerTarget = *routed.cost;
                        currentModel = &routerModel;
                    }
                }
            }
        }

        // 5. Batch API for endpoints that tolerate a 24-hour turnaround: re-priced exactly at the batch
        // rate (the book's batch prices, else 50% of list) when the model can be re-priced.
        if (plan->batchThisEndpoint && !r.batch && !m_pricer.offersBatchApi(*currentProvider, *currentModel)) {
            p.noBatchApi = true;
        } else if (plan->batchThisEndpoint && !r.batch) {
            const CostResult realtime = m_pricer.price(*currentProvider, *currentModel, usage, r.startedAtUs, false,
                                                       r.callCount);
            const CostResult b = m_pricer.price(*currentProvider, *currentModel, usage, r.startedAtUs, true,
                                                r.callCount);
            if (b.cost && realtime.cost) {
                p.batchPriced = true;
                p.realtime = *realtime.cost;
                p.batched = *b.cost;
            }
        }
    }

    const Pricer &m_pricer;
    const Scenario &m_scenario;
    const simulate::LedgerScan &m_scan;
    const QList<QString> &m_names;
    std::vector<std::unique_ptr<Plan>> m_endpoints;
};

} // namespace

Result<SimulationResult> run(QSqlDatabase &db, const Pricer &pricer, const SimulationRequest &req,
                             const std::function<bool(qint64, qint64)> &progress)
{
    auto opened = simulate::LedgerScan::open(db.databaseName());
    if (!opened)
        return std::unexpected(opened.error());
    simulate::LedgerScan &scan = **opened;
    const QList<QString> &names = scan.names();
    const QList<QString> &texts = scan.texts();
    SimulationResult result;
    result.scenarioName = req.scenario.name;

    // Day buckets for the chart (bounded to the data's own span when the range is open-ended).
    const auto span = scan.span(req.fromUs, req.toUs);
    if (!span)
        return std::unexpected(span.error());
    const qint64 total = span->count;
    const auto coverage = scan.reportCoverage(req.fromUs, req.toUs);
    if (!coverage)
        return std::unexpected(coverage.error());
    {
        qint64 dataFrom = req.fromUs, dataTo = req.toUs;
        if (total > 0) {
            dataFrom = std::max(req.fromUs, span->minStartedAtUs);
            dataTo = std::min(req.toUs, span->maxStartedAtUs + 1);
        }
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
    // The worker's pricer, with its own copy of the texts (appended chunk by chunk, in the order next()
    // appends them to scan.texts()), and this thread's.
    RowPricer workerPricer(pricer, req.scenario, scan);
    QList<QString> workerTexts{QString()};
    RowPricer replayPricer(pricer, req.scenario, scan);
    scan.start(req.fromUs, req.toUs, *span, semanticCacheAnywhere(req.scenario),
               [&](simulate::ScanChunk &chunk, bool consumerBehind) {
                   workerTexts.append(chunk.newTexts);
                   if (consumerBehind)
                       workerPricer.prepare(chunk, workerTexts);
                   else
                       RowPricer::pricesOf(chunk).ready = false;
               });
    // The worker stops before workerPricer goes, on every return path.
    const auto stopScan = qScopeGuard([&scan] { scan.stop(); });

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

    qint64 rowsRead = 0; // progress: every call_replay row of the range
    // Per endpoint name index (LedgerScan::names()), created at the endpoint's first priced call.
    std::vector<std::unique_ptr<EndpointState>> endpoints(size_t(names.size()));
    // Exact cache: (caller name index, request hash id) -> time the answer was stored.
    QHash<quint64, qint64> cacheStoredAt;
    // Semantic cache: the live cache's matcher, one per embedding model (text id) and vector size: vectors of
    // two models, or of the local embedder under two keys (LocalEmbedder.h, "Keyed"), are never compared.
    std::map<std::pair<qint32, int>, std::unique_ptr<semantic::SemanticIndex>> semanticIndexes;
    // The vector size an embedding model names ("tokenledger-local-ngram-v1/512" -> 512), per text id;
    // 0 when it names none.
    std::vector<qint64> namedDims;
    qint64 semanticEntryId = 0;
    qint64 rowsWithHash = 0, rowsWithEmbedding = 0, rowsWithConversation = 0, rowsWithComplexity = 0;
    qint64 callsWithSearches = 0, searches = 0; // replayed calls billed for server-side web searches
    bool anyRulePlan = false;
    // Calls a rule matched whose target the price book cannot price for them ("provider/model" -> calls):
    // left at their cost and named in the routing assumptions, never counted as a $0 saving unexplained.
    std::map<QString, qint64> unpricedRuleTargets;
    // Calls of batch endpoints whose provider has no Batch API (provider -> calls): left at their price.
    std::map<QString, qint64> noBatchApiCalls;
    // Provider days (name index, UTC day start) whose calls cost more than their report lines.
    std::set<std::pair<qint32, qint64>> overReportDays;
    using RollupPeriods::kUsPerDay;
    // The chart's day bucket of a time (the first for a time before it).
    auto bucketOf = [&result](qint64 us) {
        const auto b = std::upper_bound(result.bucketStartsUs.cbegin(), result.bucketStartsUs.cend(), us);
        return std::max<qsizetype>(0, (b - result.bucketStartsUs.cbegin()) - 1);
    };

    for (;;) {
        const auto next = scan.next();
        if (!next)
            return std::unexpected(next.error());
        simulate::ScanChunk *chunk = *next;
        if (!chunk)
            break;
        if (!RowPricer::pricesOf(*chunk).ready)
            replayPricer.prepare(*chunk, texts);
        const std::vector<RowPrices> &chunkPrices = RowPricer::pricesOf(*chunk).rows;
        for (size_t row = 0; row < chunk->rows.size(); ++row) {
            const simulate::ScanRow &r = chunk->rows[row];
            const RowPrices &prices = chunkPrices[row];
            ++rowsRead;
            if (progress && rowsRead % 20'000 == 0 && !progress(rowsRead, total)) {
                result.cancelled = true;
                return result;
            }
            // One spend source per provider and UTC day (SpendCoverage.h), as the spend views count.
            bool reportLine = false;
            bool covered = false; // a call a report covers: replayed, its cost already in the report lines
            if (!coverage->empty()) {
                const simulate::ReportCoverage::Day *day = coverage->dayOf(r.provider, r.startedAtUs);
                const auto line = coverage->lineRanks.find(r.id);
                if (line != coverage->lineRanks.end()) {
                    if (day && line->second < day->rank) { // a usage report line on a day its cost report covers
                        ++result.supersededReportLines;
                        result.supersededCost += r.cost;
                        continue;
                    }
                    reportLine = true;
                } else if (day) {
                    if (!r.priced || day->callsExceedReport()) {
                        if (r.priced) { // more than the report lines can hold: no saving taken off them
                            result.overReportCalls += r.callCount;
                            result.overReportCost += r.cost;
                            overReportDays.insert({r.provider, RollupPeriods::floorTo(r.startedAtUs, kUsPerDay)});
                        }
                        result.supersededCalls += r.callCount;
                        result.supersededCost += r.cost;
                        continue;
                    }
                    covered = true;
                }
            }
            if (reportLine) {
                // Counted as it is: a report line has no per-call detail to replay.
                ++result.reportLines;
                if (!r.priced) {
                    ++result.unpricedReportLines;
                    continue;
                }
                result.reportCost += r.cost;
                result.baseline += r.cost;
                result.projected += r.cost;
                if (!result.bucketStartsUs.isEmpty()) {
                    const qsizetype bi = bucketOf(r.startedAtUs);
                    result.baselinePerBucket[bi] += r.cost;
                    result.projectedPerBucket[bi] += r.cost;
                }
                continue;
            }
            if (!covered) {
                ++result.records;
                if (!r.priced) {
                    ++result.unpricedRecords;
                    continue;
                }
            }
            const QString &endpoint = names.at(r.endpoint);
            const QString &provider = names.at(r.provider);
            const QString &model = names.at(r.model);
            std::unique_ptr<EndpointState> &state = endpoints[size_t(r.endpoint)];
            if (!state) {
                state = std::make_unique<EndpointState>();
                EndpointPlan &plan = state->plan;
                plan.scenario = req.scenario.forEndpoint(endpoint);
                plan.batchThisEndpoint = plan.scenario.batch.enabled && plan.scenario.batch.endpoints.contains(endpoint);
                const RoutingStrategy &rs = plan.scenario.routing;
                const bool routingOn = rs.enabled && rs.mode != routing::RouteMode::Off;
                plan.hasRouter = routingOn && rs.router.has_value();
                anyRulePlan = anyRulePlan || (routingOn && !rs.rules.isEmpty());
                state->outcome.endpoint = endpoint;
                state->outcome.strategies = newOutcomes(plan.scenario);
            }
            const EndpointPlan &plan = state->plan;
            const Scenario &sc = plan.scenario;
            if (r.usage.webSearchRequests > 0) {
                callsWithSearches += r.callCount;
                searches += r.usage.webSearchRequests;
            }
            EndpointOutcome &eo = state->outcome;
            const NanoUsd baseline = r.cost;
            NanoUsd projected = baseline;
            auto credit = [&](Strategy s, NanoUsd before, NanoUsd after) {
                const int idx = int(s);
                result.strategies[idx].saving += before - after;
                result.strategies[idx].callsAffected += r.callCount;
                eo.strategies[idx].saving += before - after;
                eo.strategies[idx].callsAffected += r.callCount;
            };

            // Dynamic few-shot, already realised: the whole set's extra input tokens at this model's price.
            if (r.fewShotSet != 0 && r.fewShotSetTokens > r.fewShotTokens) {
                Usage extra;
                extra.promptTokens = r.fewShotSetTokens - r.fewShotTokens;
                const CostResult c = pricer.price(provider, model, extra, r.startedAtUs, r.batch, 1);
                ++result.fewShot.calls;
                result.fewShot.tokensSaved += extra.promptTokens;
                result.fewShot.saving += c.cost.value_or(0);
            }

            // 1. Exact cache, per caller, within the TTL from when the answer was stored. As in the live
            // proxy, only an answer that came from upstream is stored: a call the semantic cache serves
            // (step 2) is not (storeExact is used after step 2).
            bool removed = false;
            bool storeExact = false;
            const quint64 exactKey = (quint64(quint32(r.key)) << 32) | quint32(r.requestHash);
            if (sc.exactCache.enabled && r.requestHash >= 0) {
                ++rowsWithHash;
                auto it = cacheStoredAt.constFind(exactKey);
                const bool hit = it != cacheStoredAt.cend() && r.startedAtUs < *it + sc.exactCache.ttlSeconds * 1'000'000;
                if (hit) {
                    credit(Strategy::ExactCache, projected, 0);
                    projected = 0;
                    removed = true;
                } else if (succeeded(r)) {
                    storeExact = true;
                }
            }

            // 2. Semantic cache, with the live cache's matcher on the recorded embeddings: the
            // whole-request vector, followed by the final user message's focus vector when the proxy
            // recorded one. (Embeddings are read only when some endpoint has the semantic cache on.)
            const qsizetype floats = r.embeddingFloats;
            qsizetype dims = floats;
            if (floats > 0) {
                if (size_t(r.embeddingModel) >= namedDims.size())
                    namedDims.resize(size_t(texts.size()), -1);
                qint64 &named = namedDims[size_t(r.embeddingModel)];
                if (named < 0) {
                    named = 0;
                    const QString &em = texts.at(r.embeddingModel);
                    if (const qsizetype slash = em.lastIndexOf(u'/'); slash >= 0) {
                        bool ok = false;
                        const qint64 n = QStringView(em).mid(slash + 1).toLongLong(&ok);
                        named = ok && n > 0 ? n : 0;
                    }
                }
                if (named > 0 && (floats == named || floats == 2 * named))
                    dims = named;
            }
            if (!removed && sc.semanticCache.enabled && floats > 0 && dims > 0 && r.semanticScope != 0) {
                ++rowsWithEmbedding;
                auto &index = semanticIndexes[{r.embeddingModel, int(dims)}];
                if (!index)
                    index = std::make_unique<semantic::SemanticIndex>(int(dims));
                const float *vec = chunk->floats.data() + r.embeddingOffset;
                const float *focus = floats == 2 * dims ? vec + dims : nullptr;
                const QString &scope = texts.at(r.semanticScope);
                const QString &guards = texts.at(r.guardSignature);
                NanoUsd embedCost = 0;
                if (sc.semanticCache.embeddingModel != "local"_L1) {
                    Usage embedUsage;
                    embedUsage.promptTokens = r.usage.promptTokens;
                    embedCost = pricer.price(u"openai"_s, sc.semanticCache.embeddingModel, embedUsage, r.startedAtUs,
                                             false, 1).cost.value_or(0);
                }
                const auto match = index->best(scope, vec, guards, float(sc.semanticCache.threshold), r.startedAtUs,
                                               focus);
                if (match) {
                    credit(Strategy::SemanticCache, projected, embedCost);
                    projected = embedCost;
                    removed = true;
                } else {
                    if (embedCost > 0)
                        credit(Strategy::SemanticCache, projected, projected + embedCost);
                    projected += embedCost;
                    if (succeeded(r))
                        index->insert(++semanticEntryId, scope, vec, guards, r.startedAtUs,
                                      r.startedAtUs + sc.semanticCache.ttlSeconds * 1'000'000, focus);
                }
            }

            if (storeExact && !removed)
                cacheStoredAt.insert(exactKey, r.startedAtUs);

            // 3. Compression of long conversations to the budget, plus a summary call (priced by
            // RowPricer on the worker thread, like the routing and batch prices below).
            const NanoUsd extraCost = projected - baseline; // embedding calls added above
            if (!removed && r.messageCount >= 2)
                ++rowsWithConversation;
            if (!removed && prices.compress) {
                const NanoUsd after = prices.compressed + prices.summary + extraCost;
                credit(Strategy::Compression, projected, after);
                projected = after;
            }

            // 4. Routing: the same token counts on the target model.
            if (!removed && sc.routing.enabled && sc.routing.mode != routing::RouteMode::Off) {
                if (prices.ruled) {
                    if (prices.ruleRouted) {
                        const NanoUsd after = *prices.ruleRouted + (projected - prices.ruleBase.value_or(projected));
                        credit(Strategy::Routing, projected, after);
                        projected = after;
                    } else if (prices.rule) {
                        const QString &to = prices.rule->routeToProvider.isEmpty() ? provider
                                                                                   : prices.rule->routeToProvider;
                        const QString target = to + u'/' + prices.rule->routeTo;
                        unpricedRuleTargets[target] += r.callCount;
                        state->unpricedRuleTargets[target] += r.callCount;
                    }
                } else if (plan.hasRouter && r.complexity != 0) {
                    ++rowsWithComplexity;
                    if (prices.routerRouted) {
                        const NanoUsd after = projected - prices.routerNow + prices.routerTarget;
                        credit(Strategy::Routing, projected, after);
                        projected = after;
                    }
                }
            }
            // 5. Batch API for endpoints that tolerate a 24-hour turnaround, on providers that have one.
            if (!removed && plan.batchThisEndpoint && !r.batch && projected > 0 && prices.noBatchApi) {
                noBatchApiCalls[provider] += r.callCount;
                state->noBatchApiCalls[provider] += r.callCount;
            } else if (!removed && plan.batchThisEndpoint && !r.batch && projected > 0) {
                // Re-priced exactly at the batch rate (the book's batch prices, else 50% of list); half of
                // the projection, rounded up, if the model cannot be re-priced.
                const NanoUsd batched = prices.batchPriced ? projected - prices.realtime + prices.batched
                                                           : (projected + 1) / 2;
                credit(Strategy::Batch, projected, batched);
                projected = batched;
            }

            // An endpoint's row holds its calls' recorded costs, covered ones included (its saving is theirs).
            eo.baseline += baseline;
            eo.projected += projected;
            eo.calls += r.callCount;
            if (covered) {
                // The recorded cost is in the report lines already: only the saving is taken off, in the bucket
                // of the call's UTC day start (where a daily report line is, whatever the chart's time zone).
                result.coveredCalls += r.callCount;
                result.coveredCost += baseline;
                result.coveredSaving += baseline - projected;
                result.projected -= baseline - projected;
                if (!result.bucketStartsUs.isEmpty()) {
                    const qint64 dayStart = std::max(RollupPeriods::floorTo(r.startedAtUs, kUsPerDay), req.fromUs);
                    result.projectedPerBucket[bucketOf(dayStart)] -= baseline - projected;
                }
                continue;
            }
            result.baseline += baseline;
            result.projected += projected;
            if (!result.bucketStartsUs.isEmpty()) {
                const qsizetype bi = bucketOf(r.startedAtUs);
                result.baselinePerBucket[bi] += baseline;
                result.projectedPerBucket[bi] += projected;
            }
        }
    }

    result.overReportDays = qint64(overReportDays.size());

    QList<EndpointOutcome> perEndpoint;
    QList<const std::map<QString, qint64> *> perEndpointUnpriced; // parallel to perEndpoint
    QList<const std::map<QString, qint64> *> perEndpointNoBatchApi; // parallel to perEndpoint
    for (const auto &state : endpoints) {
        if (state) {
            perEndpoint << state->outcome;
            perEndpointUnpriced << &state->unpricedRuleTargets;
            perEndpointNoBatchApi << &state->noBatchApiCalls;
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
                o.whyNot = QObject::tr("needs conversations (two or more messages): the calls in this range have "
                                       "none (the proxy records each call's message count; imported calls carry "
                                       "none)");
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
            if (o.enabled && callsWithSearches > 0)
                o.assumptions << QObject::tr("%n call(s) were billed for %1: routed, they are re-priced at the "
                                             "target model's per-search price; a target the price data gives no "
                                             "per-search price leaves the call unrouted",
                                             nullptr, int(std::min<qint64>(callsWithSearches, INT_MAX)))
                                     .arg(QObject::tr("%n server-side web search(es)", nullptr,
                                                      int(std::min<qint64>(searches, INT_MAX))));
            break;
        case Strategy::Batch:
            o.simulated = o.enabled;
            o.assumptions << QObject::tr("calls of the listed endpoints are priced at the Batch API rate "
                                         "(the book's batch prices, else 50% of list) and tolerate a 24-hour "
                                         "turnaround");
            break;
        }
    }
    // Nothing at all in the range: that, not what the calls lack, is why no strategy was simulated (the reasons
    // above would blame the calls' missing request hashes, conversations or complexity).
    const bool rangeIsEmpty = result.records == 0 && result.coveredCalls == 0 && result.overReportCalls == 0
        && result.reportLines == 0 && result.supersededCalls == 0 && result.supersededReportLines == 0;
    if (rangeIsEmpty) {
        for (StrategyOutcome &o : result.strategies) {
            if (!o.enabled)
                continue;
            o.simulated = false;
            o.whyNot = QObject::tr("there are no calls in this range: choose a longer range, or import or record "
                                   "calls first");
        }
    }
    // Each endpoint: the general assumptions, plus its own calls left unrouted by an unpriced target;
    // the totals name every such target with all its calls.
    for (qsizetype e = 0; e < perEndpoint.size(); ++e) {
        EndpointOutcome &eo = perEndpoint[e];
        for (qsizetype i = 0; i < eo.strategies.size(); ++i) {
            eo.strategies[i].simulated = eo.strategies[i].enabled && result.strategies[i].simulated;
            eo.strategies[i].whyNot = eo.strategies[i].enabled ? result.strategies[i].whyNot : QString();
            eo.strategies[i].assumptions = result.strategies[i].assumptions;
            if (eo.strategies[i].strategy == Strategy::Routing) {
                for (const auto &[target, calls] : *perEndpointUnpriced[e])
                    eo.strategies[i].assumptions << unpricedTargetNote(target, calls);
            }
            if (eo.strategies[i].strategy == Strategy::Batch) {
                for (const auto &[provider, calls] : *perEndpointNoBatchApi[e])
                    eo.strategies[i].assumptions << noBatchApiNote(provider, calls);
            }
        }
        result.endpoints << eo;
    }
    for (StrategyOutcome &o : result.strategies) {
        if (o.strategy == Strategy::Routing) {
            for (const auto &[target, calls] : unpricedRuleTargets)
                o.assumptions << unpricedTargetNote(target, calls);
        }
        if (o.strategy == Strategy::Batch) {
            for (const auto &[provider, calls] : noBatchApiCalls)
                o.assumptions << noBatchApiNote(provider, calls);
        }
    }
    std::sort(result.endpoints.begin(), result.endpoints.end(), [](const EndpointOutcome &a, const EndpointOutcome &b) {
        const NanoUsd sa = a.baseline - a.projected, sb = b.baseline - b.projected;
        return sa != sb ? sa > sb : a.endpoint < b.endpoint;
    });
    if (progress)
        progress(rowsRead, total);
    return result;
}

} // namespace Simulator

} // namespace tl
