#include "RecordedSamples.h"

#include "ledger/UsageColumns.h"
#include "pricing/Pricer.h"
#include "query/Labels.h"

#include <QObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl::routing {

namespace {

Error dbError(const QSqlQuery &q)
{
    return Error {ErrorCode::Database, QObject::tr("Cannot read recorded calls: %1").arg(q.lastError().text())};
}

// Cache hits cost nothing whichever model is asked for; provider-report lines are not single calls; a call
// that named no model (GET /v1/models, a request refused or abandoned before it reached an upstream) has
// nothing to route.
constexpr char16_t kWhere[]
    = u"c.started_at_us >= :from AND c.started_at_us < :to AND c.source_kind <> 3 AND c.call_count = 1"
      u" AND EXISTS (SELECT 1 FROM labels m WHERE m.id = c.requested_model_id AND m.name <> '')";

} // namespace

RoutingSample RecordedCall::sample() const
{
    RoutingSample s;
    s.endpoint = endpoint;
    s.taskType = taskType;
    s.pinned = pinned();
    RoutingFeatures &f = s.features;
    f.requestedModel = requestedModel;
    f.family = provider;
    f.inputChars = promptChars;
    f.maxOutputTokens = maxTokensKnown() && maxTokens > 0 ? maxTokens : -1;
    f.estimatedPromptTokens = usage.promptTokens;
    f.promptTokensEstimate = false;
    f.usesImages = usage.imageInputTokens > 0;
    f.usesAudio = usage.audioInputTokens > 0 || usage.audioOutputTokens > 0;
    f.usesTools = hasTools;
    return s;
}

Result<RecordedCalls> loadRecordedCalls(QSqlDatabase &db, const RecordedCallQuery &query)
{
    RecordedCalls out;
    const Labels labels = Labels::load(db);
    const qint64 endpointId = query.endpoint.isEmpty() ? -1 : labels.id(Labels::Endpoint, query.endpoint);
    if (!query.endpoint.isEmpty() && endpointId < 0)
        return out; // no call was ever recorded for it
    const QString where
        = QString::fromUtf16(kWhere) + (endpointId >= 0 ? u" AND c.endpoint_id = :endpoint_id"_s : QString());
    const auto bind = [&](QSqlQuery &q) {
        q.bindValue(u":from"_s, query.fromUs);
        q.bindValue(u":to"_s, query.toUs);
        if (endpointId >= 0)
            q.bindValue(u":endpoint_id"_s, endpointId);
    };

    QSqlQuery count(db);
    count.prepare(u"SELECT SUM(c.cache_outcome NOT IN (2, 3)), SUM(c.cache_outcome IN (2, 3)) FROM calls c WHERE "_s
                  + where);
    bind(count);
    if (!count.exec())
        return std::unexpected(dbError(count));
    if (count.next()) {
        out.matching = count.value(0).toLongLong();
        out.skippedCacheHits = count.value(1).toLongLong();
    }

    QSqlQuery q(db);
    q.setForwardOnly(true);
    // The usage columns (kUsageColumns, names only the calls table has) sit at 12..20.
    q.prepare(uR"(SELECT c.id, c.started_at_us, c.endpoint_id, c.provider_id, c.requested_model_id,
        c.served_model_id, c.task_type, c.source_kind, c.prompt_chars, c.max_tokens, c.has_tools, c.batch, )"_s
              + kUsageColumns + uR"(, c.cost_nano, COALESCE(s.complexity, ''), COALESCE(s.route_mode, '')
        FROM calls c LEFT JOIN call_savings s ON s.call_id = c.id
        WHERE c.cache_outcome NOT IN (2, 3) AND )"_s
              + where + u" ORDER BY c.started_at_us DESC, c.id DESC LIMIT :limit"_s);
    bind(q);
    q.bindValue(u":limit"_s, std::max(0, query.limit));
    if (!q.exec())
        return std::unexpected(dbError(q));
    while (q.next()) {
        RecordedCall c;
        c.id = q.value(0).toLongLong();
        c.startedAtUs = q.value(1).toLongLong();
        c.endpoint = labels.name(q.value(2).toLongLong());
        c.provider = labels.name(q.value(3).toLongLong());
        c.requestedModel = labels.name(q.value(4).toLongLong());
        c.servedModel = labels.name(q.value(5).toLongLong());
        c.taskType = q.value(6).toString();
        c.sourceKind = SourceKind(q.value(7).toInt());
        c.promptChars = q.value(8).toLongLong();
        c.maxTokens = q.value(9).toLongLong();
        c.hasTools = q.value(10).toBool();
        c.batch = q.value(11).toBool();
        int column = 12;
        c.usage = readUsage(q, column);
        if (!q.value(21).isNull())
            c.recordedCost = q.value(21).toLongLong();
        c.recordedComplexity = q.value(22).toString();
        c.recordedRouteMode = q.value(23).toString();
        if (c.requestedModel.isEmpty())
            c.requestedModel = c.servedModel;
        out.calls << c;
    }
    if (q.lastError().isValid())
        return std::unexpected(dbError(q));
    return out;
}

Result<QList<std::pair<QString, qint64>>> recordedEndpoints(QSqlDatabase &db)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(uR"(SELECT l.name, COUNT(*) AS n FROM calls c JOIN labels l ON l.id = c.endpoint_id
        GROUP BY c.endpoint_id ORDER BY n DESC, l.name)"_s);
    if (!q.exec())
        return std::unexpected(dbError(q));
    QList<std::pair<QString, qint64>> out;
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toLongLong()});
    return out;
}

Result<QList<std::pair<QString, qint64>>> recordedEndpoints(QSqlDatabase &db, qint64 fromUs, qint64 toUs)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // The count is loadRecordedCalls' `matching`: its conditions, cache hits left out.
    q.prepare(u"SELECT l.name, SUM(CASE WHEN "_s + QString::fromUtf16(kWhere)
              + uR"( AND c.cache_outcome NOT IN (2, 3) THEN 1 ELSE 0 END) AS n
        FROM calls c JOIN labels l ON l.id = c.endpoint_id GROUP BY c.endpoint_id ORDER BY n DESC, l.name)"_s);
    q.bindValue(u":from"_s, fromUs);
    q.bindValue(u":to"_s, toUs);
    if (!q.exec())
        return std::unexpected(dbError(q));
    QList<std::pair<QString, qint64>> out;
    while (q.next())
        out.append({q.value(0).toString(), q.value(1).toLongLong()});
    if (q.lastError().isValid())
        return std::unexpected(dbError(q));
    return out;
}

RuleVerdict evaluateRecorded(const ComplexityRule &rule, const RecordedCall &call, const QString &taskType,
                             int *missing)
{
    ComplexityRule known = rule;
    int flags = 0;
    if (!known.keywords.isEmpty()) {
        flags |= int(MissingData::RequestText);
        known.keywords.clear();
    }
    if ((known.minInputChars || known.maxInputChars) && !call.promptCharsKnown()) {
        flags |= int(MissingData::PromptChars);
        known.minInputChars.reset();
        known.maxInputChars.reset();
    }
    if (known.maxOutputTokens && !call.maxTokensKnown()) {
        flags |= int(MissingData::MaxTokens);
        known.maxOutputTokens.reset();
    }
    if (missing)
        *missing = 0;
    if (!Router::matches(known, call.sample().features, taskType))
        return RuleVerdict::NoMatch;
    if (flags == 0)
        return RuleVerdict::Match;
    if (missing)
        *missing = flags;
    return RuleVerdict::Unknown;
}

RecordedTestRun testRecordedCalls(const RouterConfig &edited, std::shared_ptr<const Pricer> pricer,
                                  const QList<RecordedCall> &calls)
{
    // As if routing were on everywhere: Off and Shadow would serve the requested model.
    RouterConfig config = edited;
    config.endpoints[u"*"_s];
    for (EndpointRouting &e : config.endpoints)
        e.mode = RouteMode::On;
    const Router router(config, pricer ? pricer->bookPtr() : nullptr);

    QList<RoutingSample> samples;
    samples.reserve(calls.size());
    for (const RecordedCall &c : calls)
        samples << c.sample();
    const QList<RouteDecision> decisions = router.testRules(samples);

    RecordedTestRun run;
    RecordedTestSummary &sum = run.summary;
    QHash<QString, qsizetype> tallyIndex; // rule name -> index in sum.rules (names may repeat: first wins)
    const auto tallyFor = [&](const QString &rule) -> RuleTally * {
        const auto it = tallyIndex.constFind(rule);
        return it == tallyIndex.cend() ? nullptr : &sum.rules[*it];
    };
    // The rule tallies follow the rule list of the endpoint tested (the first call's; the editor tests
    // one endpoint at a time).
    if (!calls.isEmpty()) {
        for (const ComplexityRule &r : config.rulesFor(calls.first().endpoint)) {
            if (!tallyIndex.contains(r.name)) {
                tallyIndex.insert(r.name, sum.rules.size());
                sum.rules << RuleTally {r.name, 0, 0, 0};
            }
        }
    }

    const auto price = [&](const RecordedCall &c, const QString &model) -> std::optional<NanoUsd> {
        if (!pricer || model.isEmpty())
            return std::nullopt;
        return pricer->price(c.provider, model, c.usage, c.startedAtUs, c.batch, 1).cost;
    };
    const auto outcome = [&](const RecordedCall &c, const RouteDecision &d) {
        RecordedOutcome o;
        o.complexity = d.complexity;
        o.matchedRule = d.matchedRule;
        o.decision = d;
        o.projectedModel = d.guard == RouteGuard::None && !d.targetModel.isEmpty() ? d.targetModel : c.requestedModel;
        o.baselineCost = price(c, c.requestedModel);
        o.projectedCost = o.projectedModel == c.requestedModel ? o.baselineCost : price(c, o.projectedModel);
        return o;
    };

    run.tests.reserve(calls.size());
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const RecordedCall &c = calls.at(i);
        const RouteDecision &decided = decisions.at(i);
        const QList<ComplexityRule> rules = config.rulesFor(c.endpoint);
        const RoutingSample &s = samples.at(i);

        RecordedTest t;
        // Walk the rules as the router does, branching at each rule the ledger cannot decide.
        std::optional<qsizetype> decidedAt;
        for (qsizetype r = 0; r < rules.size(); ++r) {
            int missing = 0;
            const RuleVerdict v = evaluateRecorded(rules.at(r), c, decided.taskType, &missing);
            if (v == RuleVerdict::Match) {
                decidedAt = r;
                break;
            }
            if (v == RuleVerdict::Unknown) {
                t.undecidedRules << rules.at(r).name;
                t.missing |= missing;
                RouteDecision d = router.decideFor(s.features, c.endpoint, rules.at(r).result, s.pinned);
                d.taskType = decided.taskType;
                d.matchedRule = rules.at(r).name;
                t.outcomes << outcome(c, d);
                if (RuleTally *tally = tallyFor(rules.at(r).name)) {
                    ++tally->undecided;
                    tally->missing |= missing;
                }
            }
        }
        if (t.undecidedRules.isEmpty()) {
            // The rules decide this call: Router::testRules' own answer.
            t.outcomes << outcome(c, decided);
        } else {
            // "None of the undecided rules matched": the rule the walk stopped at, else the default.
            RouteDecision d;
            if (decidedAt) {
                const ComplexityRule &rule = rules.at(*decidedAt);
                d = router.decideFor(s.features, c.endpoint, rule.result, s.pinned);
                d.matchedRule = rule.name;
            } else {
                d = router.decideFor(s.features, c.endpoint, Complexity::Medium, s.pinned);
            }
            d.taskType = decided.taskType;
            t.outcomes << outcome(c, d);
        }

        ++sum.calls;
        if (t.determined()) {
            ++sum.determined;
            const RecordedOutcome &o = t.outcomes.first();
            if (RuleTally *tally = tallyFor(o.matchedRule))
                ++tally->matched;
            if (o.decision.guard != RouteGuard::None)
                ++sum.guards[toString(o.decision.guard)];
            if (o.projectedModel != c.requestedModel)
                ++sum.routed;
            if (o.baselineCost && o.projectedCost) {
                sum.baseline += *o.baselineCost;
                sum.projected += *o.projectedCost;
            } else {
                ++sum.unpriced;
            }
        } else {
            ++sum.undetermined;
            if (const auto range = t.differenceRange()) {
                sum.undeterminedMinDifference += range->first;
                sum.undeterminedMaxDifference += range->second;
            } else {
                ++sum.unpriced;
            }
        }
        run.tests << t;
    }
    return run;
}

std::optional<std::pair<NanoUsd, NanoUsd>> RecordedTest::differenceRange() const
{
    std::optional<std::pair<NanoUsd, NanoUsd>> range;
    for (const RecordedOutcome &o : outcomes) {
        const auto d = o.difference();
        if (!d)
            return std::nullopt;
        range = range ? std::pair{std::min(range->first, *d), std::max(range->second, *d)} : std::pair{*d, *d};
    }
    return range;
}

} // namespace tl::routing
