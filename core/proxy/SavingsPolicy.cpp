#include "SavingsPolicy.h"

#include "simulate/Scenario.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

const EndpointSavings &allOff()
{
    static const EndpointSavings off;
    return off;
}

} // namespace

const EndpointSavings &SavingsPolicy::forEndpoint(const QString &endpoint) const
{
    const auto it = endpoints.constFind(endpoint);
    return it != endpoints.constEnd() ? *it : defaults;
}

bool SavingsPolicy::anyEnabled() const
{
    auto on = [](const EndpointSavings &e) {
        return e.routeMode != routing::RouteMode::Off || e.semanticCache || e.compression;
    };
    if (on(defaults))
        return true;
    for (const EndpointSavings &e : endpoints) {
        if (on(e))
            return true;
    }
    return false;
}

Result<EndpointSavings> SavingsPolicy::endpointFromStrategies(const QJsonObject &strategies)
{
    auto scenario = Scenario::fromJson(QJsonObject{{u"strategies"_s, strategies}});
    if (!scenario)
        return std::unexpected(scenario.error());
    const Scenario &sc = *scenario;
    EndpointSavings e = allOff();
    e.routeMode = sc.routing.enabled ? sc.routing.mode : routing::RouteMode::Off;
    if (sc.routing.router)
        e.router = *sc.routing.router;
    e.routingRules.reserve(sc.routing.rules.size());
    for (const RoutingRule &r : sc.routing.rules) {
        e.routingRules << routing::ModelRule{r.model,           r.endpoints,      r.taskTypes, r.maxPromptTokens,
                                             r.maxCompletionTokens, r.maxPromptChars, r.routeTo, r.routeToProvider};
    }
    e.complexityRouting = sc.routing.rules.isEmpty() || sc.routing.router.has_value();
    if (strategies.contains("exact_cache"_L1)) {
        e.exactCache = sc.exactCache.enabled;
        e.exactCacheTtlSeconds = sc.exactCache.ttlSeconds;
    }
    e.semanticCache = sc.semanticCache.enabled;
    e.semanticThreshold = sc.semanticCache.threshold;
    e.semanticTtlSeconds = sc.semanticCache.ttlSeconds;
    e.embeddingModel = sc.semanticCache.embeddingModel.isEmpty() ? u"local"_s : sc.semanticCache.embeddingModel;
    e.compression = sc.compression.enabled;
    e.budgetTokens = sc.compression.budgetTokens;
    e.summaryModel = sc.compression.summaryModel;
    e.removeRedundancy = sc.compression.removeRedundancy;
    return e;
}

Result<SavingsPolicy> SavingsPolicy::fromSettingsJson(const QJsonObject &policy)
{
    SavingsPolicy p;
    if (policy.contains("default"_L1)) {
        auto d = endpointFromStrategies(policy.value("default"_L1).toObject());
        if (!d)
            return fail(d.error().code, u"savings policy \"default\": %1"_s.arg(d.error().message));
        p.defaults = *d;
        // The Proxy page's exact-cache switch governs endpoints the policy does not name.
        p.defaults.exactCache.reset();
        p.defaults.exactCacheTtlSeconds.reset();
    }
    const QJsonObject eps = policy.value("endpoints"_L1).toObject();
    for (auto it = eps.begin(); it != eps.end(); ++it) {
        if (!it.value().isObject())
            return fail(ErrorCode::Parse, u"savings policy endpoint \"%1\" is not an object"_s.arg(it.key()));
        auto e = endpointFromStrategies(it.value().toObject());
        if (!e)
            return fail(e.error().code, u"savings policy endpoint \"%1\": %2"_s.arg(it.key(), e.error().message));
        p.endpoints.insert(it.key(), *e);
    }
    return p;
}

Result<SavingsPolicy> SavingsPolicy::fromConfigJson(const QJsonObject &config)
{
    auto p = fromSettingsJson(config);
    if (!p)
        return p;
    p->recordEmbeddings = config.value("record_embeddings"_L1).toBool(true);
    p->embeddingUpstream = config.value("embedding_upstream"_L1).toString();
    p->fewShotPath = config.value("few_shot_path"_L1).toString();
    p->semanticCachePath = config.value("semantic_cache_path"_L1).toString();
    p->summaryCachePath = config.value("summary_cache_path"_L1).toString();
    return p;
}

Result<SavingsPolicy> SavingsPolicy::fromSettingsText(const QByteArray &text)
{
    if (text.trimmed().isEmpty())
        return SavingsPolicy{};
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorCode::Parse, u"The stored savings policy (%1) is not a JSON object: %2"_s.arg(
                                          QString::fromLatin1(settingsKey), err.errorString()));
    return fromSettingsJson(doc.object());
}

QStringList SavingsPolicy::describe(const EndpointSavings &e)
{
    QStringList out;
    if (e.routeMode != routing::RouteMode::Off) {
        out << (e.complexityRouting ? u"routing %1"_s.arg(routing::toString(e.routeMode))
                                    : u"routing %1 (rules only)"_s.arg(routing::toString(e.routeMode)));
        for (qsizetype i = 0; i < e.routingRules.size(); ++i)
            out << u"routing rule %1: %2"_s.arg(i + 1).arg(e.routingRules[i].describe());
    }
    if (e.exactCache)
        out << (*e.exactCache ? u"exact cache, TTL %1 s"_s.arg(e.exactCacheTtlSeconds.value_or(3600))
                              : u"exact cache off"_s);
    if (e.semanticCache)
        out << u"semantic cache >= %1, TTL %2 s, %3 embeddings"_s.arg(e.semanticThreshold, 0, 'f', 2)
                   .arg(e.semanticTtlSeconds)
                   .arg(e.embeddingModel);
    if (e.compression)
        out << u"compression to %1 tokens (summaries by %2%3)"_s.arg(e.budgetTokens)
                   .arg(e.summaryModel.isEmpty() ? u"the nano tier"_s : e.summaryModel)
                   .arg(e.removeRedundancy ? u", redundancy removal"_s : QString());
    if (out.isEmpty())
        out << u"all off"_s;
    return out;
}

} // namespace tl
