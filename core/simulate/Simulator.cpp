#include "Simulator.h"

#include "common/Logging.h"
#include "query/Labels.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

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
    qint64 startedAtUs;
    QString endpoint;
    QString provider;
    QString model;
    QString key;
    Usage usage;
    std::optional<NanoUsd> cost;
    bool batch;
    QString requestHash;
    qint64 promptChars;
    QString taskType;
    int httpStatus;
    int cacheOutcome;
    qint64 callCount;
};

// Per-endpoint effective strategies, computed once per endpoint.
struct EndpointPlan
{
    Scenario scenario;
    bool batchThisEndpoint = false;
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

} // namespace

Result<SimulationResult> run(QSqlDatabase &db, const Pricer &pricer, const SimulationRequest &req,
                             const std::function<bool(qint64, qint64)> &progress)
{
    const Labels labels = Labels::load(db);
    SimulationResult result;
    result.scenarioName = req.scenario.name;

    // Day buckets for the chart (bounded to the data's own span when the range is open-ended).
    qint64 dataFrom = req.fromUs, dataTo = req.toUs;
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
        result.records = 0;
        const qint64 total = span.value(2).toLongLong();
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
        result.records = total;
    }
    const qint64 total = result.records;
    result.records = 0;

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
                o.enabled = sc.routing.enabled && !sc.routing.rules.isEmpty();
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
    qint64 rowsWithHash = 0;

    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(uR"(SELECT started_at_us, endpoint_id, provider_id, served_model_id, key_id, prompt_tokens,
        cached_tokens, cache_write_5m_tokens, cache_write_1h_tokens, completion_tokens, reasoning_tokens,
        audio_input_tokens, audio_output_tokens, image_input_tokens, cost_nano, batch, request_hash, prompt_chars,
        task_type, http_status, cache_outcome, call_count
        FROM calls WHERE started_at_us >= ? AND started_at_us < ? ORDER BY started_at_us, id)"_s);
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
        r.usage.promptTokens = q.value(i++).toLongLong();
        r.usage.cachedTokens = q.value(i++).toLongLong();
        r.usage.cacheWrite5mTokens = q.value(i++).toLongLong();
        r.usage.cacheWrite1hTokens = q.value(i++).toLongLong();
        r.usage.completionTokens = q.value(i++).toLongLong();
        r.usage.reasoningTokens = q.value(i++).toLongLong();
        r.usage.audioInputTokens = q.value(i++).toLongLong();
        r.usage.audioOutputTokens = q.value(i++).toLongLong();
        r.usage.imageInputTokens = q.value(i++).toLongLong();
        const QVariant cost = q.value(i++);
        r.cost = cost.isNull() ? std::nullopt : std::optional<NanoUsd>(cost.toLongLong());
        r.batch = q.value(i++).toInt() != 0;
        r.requestHash = q.value(i++).toString();
        r.promptChars = q.value(i++).toLongLong();
        r.taskType = q.value(i++).toString();
        r.httpStatus = q.value(i++).toInt();
        r.cacheOutcome = q.value(i++).toInt();
        r.callCount = q.value(i++).toLongLong();

        ++result.records;
        if (progress && result.records % 50'000 == 0 && !progress(result.records, total)) {
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
            planIt = plans.insert(r.endpoint, plan);
            EndpointOutcome eo;
            eo.endpoint = r.endpoint;
            eo.strategies = newOutcomes(plan.scenario);
            perEndpoint.insert(r.endpoint, eo);
        }
        const EndpointPlan &plan = *planIt;
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

        // 1. Exact cache, per caller, within the TTL from when the answer was stored.
        bool removed = false;
        if (plan.scenario.exactCache.enabled && !r.requestHash.isEmpty()) {
            ++rowsWithHash;
            const QString cacheKey = r.key + u'\x1f' + r.requestHash;
            auto it = cacheStoredAt.find(cacheKey);
            const bool hit = it != cacheStoredAt.end()
                && r.startedAtUs < *it + plan.scenario.exactCache.ttlSeconds * 1'000'000;
            if (hit && projected > 0) {
                credit(Strategy::ExactCache, projected, 0);
                projected = 0;
                removed = true;
            } else if (!hit && r.httpStatus < 400 && r.cacheOutcome != 2 && r.cacheOutcome != 3) {
                cacheStoredAt.insert(cacheKey, r.startedAtUs);
            }
        }
        // 2 and 3 (semantic cache, compression) need data the ledger does not hold; see below.

        // 4. Routing: the same token counts on the target model.
        QString currentProvider = r.provider;
        QString currentModel = r.model;
        if (!removed && plan.scenario.routing.enabled) {
            for (const RoutingRule &rule : plan.scenario.routing.rules) {
                if (!ruleMatches(rule, r))
                    continue;
                const CostResult routed = pricer.price(rule.routeToProvider.isEmpty() ? r.provider : rule.routeToProvider,
                                                       rule.routeTo, r.usage, r.startedAtUs, r.batch, r.callCount);
                if (routed.cost) {
                    credit(Strategy::Routing, projected, *routed.cost);
                    projected = *routed.cost;
                    currentModel = rule.routeTo;
                    if (!rule.routeToProvider.isEmpty())
                        currentProvider = rule.routeToProvider;
                }
                break;
            }
        }
        // 5. Batch API for endpoints that tolerate a 24-hour turnaround.
        if (!removed && plan.batchThisEndpoint && !r.batch && projected > 0) {
            // Re-priced exactly at the batch rate (the book's batch prices, else 50% of list); half of the
            // projection, rounded up, if the model cannot be re-priced.
            const CostResult b = pricer.price(currentProvider, currentModel, r.usage, r.startedAtUs, true, r.callCount);
            const NanoUsd batched = b.cost ? *b.cost : (projected + 1) / 2;
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

    // Say why what cannot be simulated was not, and the assumptions behind what was.
    for (QList<StrategyOutcome> *list : {&result.strategies}) {
        for (StrategyOutcome &o : *list) {
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
                if (o.enabled)
                    o.whyNot = QObject::tr("needs stored embeddings or request text, which these calls do not have");
                break;
            case Strategy::Compression:
                if (o.enabled)
                    o.whyNot = QObject::tr("needs the messages' text and structure (stored only when enabled per "
                                           "endpoint), which these calls do not have");
                break;
            case Strategy::Routing:
                o.simulated = o.enabled;
                o.assumptions << QObject::tr("routed calls are re-priced on the target model with the same token "
                                             "counts; quality is not simulated");
                break;
            case Strategy::Batch:
                o.simulated = o.enabled;
                o.assumptions << QObject::tr("calls of the listed endpoints are priced at the Batch API rate "
                                             "(50% of list) and tolerate a 24-hour turnaround");
                break;
            }
        }
    }
    for (auto it = perEndpoint.begin(); it != perEndpoint.end(); ++it) {
        for (qsizetype i = 0; i < it->strategies.size(); ++i) {
            it->strategies[i].simulated = result.strategies[i].simulated;
            it->strategies[i].whyNot = result.strategies[i].whyNot;
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
