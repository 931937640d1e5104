#include "Scenario.h"

#include "common/JsonFields.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

using json::Type;

// Scenario files are written by hand: a key of the wrong type ("ttl_seconds": "5") or a misspelt one used to
// fall back to the default without a word. Every strategy object is checked against its keys first.
Result<void> checkStrategyKeys(const QJsonObject &s, const QString &where)
{
    auto in = [&](const char *name) { return where.isEmpty() ? QString::fromLatin1(name) : QString(where + u'.' + QLatin1StringView(name)); };
    const std::pair<const char *, Type> objects[] = {{"routing", Type::Object}, {"exact_cache", Type::Object},
                                                     {"semantic_cache", Type::Object}, {"compression", Type::Object},
                                                     {"batch", Type::Object}};
    for (const auto &[name, type] : objects) {
        const QJsonValue v = s.value(QLatin1StringView(name));
        if (!v.isUndefined() && !v.isObject())
            return fail(ErrorCode::Parse, QObject::tr("\"%1\" must be %2").arg(in(name), json::describe(type)));
    }
    Result<void> r;
    if (r = json::checkFields(s.value("routing"_L1).toObject(),
                              {{"enabled"_L1, Type::Bool},
                               {"mode"_L1, Type::String},
                               {"router"_L1, Type::Object},
                               {"rules"_L1, Type::Array}},
                              in("routing"));
        !r)
        return r;
    const QJsonArray rules = s.value("routing"_L1).toObject().value("rules"_L1).toArray();
    for (int i = 0; i < rules.size(); ++i) {
        const QString rule = in("routing") + u".rules[%1]"_s.arg(i);
        if (!rules[i].isObject())
            return fail(ErrorCode::Parse, QObject::tr("\"%1\" must be an object").arg(rule));
        if (r = json::checkFields(rules[i].toObject(),
                                  {{"model"_L1, Type::String},
                                   {"endpoints"_L1, Type::StringList},
                                   {"task_types"_L1, Type::StringList},
                                   {"max_prompt_tokens"_L1, Type::WholeNumber},
                                   {"max_completion_tokens"_L1, Type::WholeNumber},
                                   {"max_prompt_chars"_L1, Type::WholeNumber},
                                   {"route_to"_L1, Type::String},
                                   {"route_to_provider"_L1, Type::String}},
                                  rule);
            !r)
            return r;
    }
    if (r = json::checkFields(s.value("exact_cache"_L1).toObject(),
                              {{"enabled"_L1, Type::Bool}, {"ttl_seconds"_L1, Type::WholeNumber}}, in("exact_cache"));
        !r)
        return r;
    if (r = json::checkFields(s.value("semantic_cache"_L1).toObject(),
                              {{"enabled"_L1, Type::Bool},
                               {"threshold"_L1, Type::Number},
                               {"ttl_seconds"_L1, Type::WholeNumber},
                               {"embedding_model"_L1, Type::String}},
                              in("semantic_cache"));
        !r)
        return r;
    if (r = json::checkFields(s.value("compression"_L1).toObject(),
                              {{"enabled"_L1, Type::Bool},
                               {"budget_tokens"_L1, Type::WholeNumber},
                               {"summary_model"_L1, Type::String},
                               {"remove_redundancy"_L1, Type::Bool}},
                              in("compression"));
        !r)
        return r;
    return json::checkFields(s.value("batch"_L1).toObject(),
                             {{"enabled"_L1, Type::Bool}, {"endpoints"_L1, Type::StringList}}, in("batch"));
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out << x.toString();
    return out;
}

Result<void> readStrategies(const QJsonObject &s, Scenario &sc, const QString &where = u"strategies"_s)
{
    // A misspelt strategy ("semantic_cach") would otherwise be dropped without a word.
    static const QStringList known{u"routing"_s, u"exact_cache"_s, u"semantic_cache"_s, u"compression"_s, u"batch"_s};
    for (auto it = s.begin(); it != s.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(ErrorCode::Parse, QObject::tr("unknown strategy \"%1\" (known: %2)").arg(it.key(), known.join(u", "_s)));
    }
    if (auto r = checkStrategyKeys(s, where); !r)
        return fail(ErrorCode::Parse, r.error().message);
    if (s.contains("routing"_L1)) {
        const QJsonObject r = s.value("routing"_L1).toObject();
        sc.routing.enabled = r.value("enabled"_L1).toBool(true);
        if (r.contains("mode"_L1)) {
            const auto mode = routing::routeModeFromString(r.value("mode"_L1).toString());
            if (!mode)
                return fail(ErrorCode::Parse, QObject::tr("routing.mode must be off, shadow or on"));
            sc.routing.mode = *mode;
        }
        if (r.contains("router"_L1)) {
            auto router = routing::RouterConfig::fromJson(r.value("router"_L1).toObject());
            if (!router)
                return fail(ErrorCode::Parse, QObject::tr("routing.router: %1").arg(router.error().message));
            sc.routing.router = *router;
        }
        sc.routing.rules.clear();
        const QJsonArray rules = r.value("rules"_L1).toArray();
        for (int i = 0; i < rules.size(); ++i) {
            const QJsonObject o = rules[i].toObject();
            RoutingRule rule;
            rule.model = o.value("model"_L1).toString();
            rule.endpoints = strings(o.value("endpoints"_L1));
            rule.taskTypes = strings(o.value("task_types"_L1));
            rule.maxPromptTokens = o.value("max_prompt_tokens"_L1).toInteger(-1);
            rule.maxCompletionTokens = o.value("max_completion_tokens"_L1).toInteger(-1);
            rule.maxPromptChars = o.value("max_prompt_chars"_L1).toInteger(-1);
            rule.routeTo = o.value("route_to"_L1).toString();
            rule.routeToProvider = o.value("route_to_provider"_L1).toString();
            // A bound, when given, is a whole number of at least 0 (-1 is "no bound" inside only; a
            // negative bound used to read as no limit and route every call of the model).
            for (const char *bound : {"max_prompt_tokens", "max_completion_tokens", "max_prompt_chars"}) {
                const QJsonValue v = o.value(QLatin1StringView(bound));
                if (!v.isUndefined() && (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != double(v.toInteger())))
                    return fail(ErrorCode::Parse, QObject::tr("routing rule %1: \"%2\" must be a whole number of at least 0")
                                                      .arg(i + 1)
                                                      .arg(QLatin1StringView(bound)));
            }
            if (rule.routeTo.isEmpty())
                return fail(ErrorCode::Parse, QObject::tr("routing rule %1 has no \"route_to\" model").arg(i + 1));
            sc.routing.rules << rule;
        }
    }
    if (s.contains("exact_cache"_L1)) {
        const QJsonObject o = s.value("exact_cache"_L1).toObject();
        sc.exactCache.enabled = o.value("enabled"_L1).toBool(true);
        sc.exactCache.ttlSeconds = o.value("ttl_seconds"_L1).toInteger(3600);
        if (sc.exactCache.ttlSeconds <= 0)
            return fail(ErrorCode::Parse, QObject::tr("exact_cache.ttl_seconds must be positive"));
    }
    if (s.contains("semantic_cache"_L1)) {
        const QJsonObject o = s.value("semantic_cache"_L1).toObject();
        sc.semanticCache.enabled = o.value("enabled"_L1).toBool(true);
        sc.semanticCache.threshold = o.value("threshold"_L1).toDouble(0.95);
        sc.semanticCache.ttlSeconds = o.value("ttl_seconds"_L1).toInteger(3600);
        sc.semanticCache.embeddingModel = o.value("embedding_model"_L1).toString(u"local"_s);
        if (sc.semanticCache.threshold <= 0 || sc.semanticCache.threshold > 1)
            return fail(ErrorCode::Parse, QObject::tr("semantic_cache.threshold must be in (0, 1]"));
        if (sc.semanticCache.ttlSeconds <= 0)
            return fail(ErrorCode::Parse, QObject::tr("semantic_cache.ttl_seconds must be positive"));
    }
    if (s.contains("compression"_L1)) {
        const QJsonObject o = s.value("compression"_L1).toObject();
        sc.compression.enabled = o.value("enabled"_L1).toBool(true);
        sc.compression.budgetTokens = o.value("budget_tokens"_L1).toInteger(4000);
        sc.compression.summaryModel = o.value("summary_model"_L1).toString(u"gpt-4.1-nano"_s);
        sc.compression.removeRedundancy = o.value("remove_redundancy"_L1).toBool(true);
        if (sc.compression.budgetTokens < 100)
            return fail(ErrorCode::Parse, QObject::tr("compression.budget_tokens must be at least 100"));
    }
    if (s.contains("batch"_L1)) {
        const QJsonObject o = s.value("batch"_L1).toObject();
        sc.batch.enabled = o.value("enabled"_L1).toBool(true);
        sc.batch.endpoints = strings(o.value("endpoints"_L1));
    }
    return {};
}

} // namespace

Result<Scenario> Scenario::fromJson(const QJsonObject &json)
{
    Scenario sc;
    if (auto r = json::checkFields(json, {{"name"_L1, Type::String},
                                          {"strategies"_L1, Type::Object},
                                          {"endpoints"_L1, Type::Object}});
        !r)
        return fail(ErrorCode::Parse, r.error().message);
    sc.name = json.value("name"_L1).toString();
    if (auto r = readStrategies(json.value("strategies"_L1).toObject(), sc); !r)
        return std::unexpected(r.error());
    const QJsonObject endpoints = json.value("endpoints"_L1).toObject();
    for (auto it = endpoints.begin(); it != endpoints.end(); ++it) {
        Scenario probe = sc;
        if (!it.value().isObject())
            return fail(ErrorCode::Parse, QObject::tr("endpoint %1: the overrides must be an object of strategies").arg(it.key()));
        if (auto r = readStrategies(it.value().toObject(), probe, u"endpoints."_s + it.key()); !r)
            return fail(ErrorCode::Parse, QObject::tr("endpoint %1: %2").arg(it.key(), r.error().message));
        sc.endpointOverrides.insert(it.key(), it.value().toObject());
    }
    return sc;
}

Scenario Scenario::forEndpoint(const QString &endpoint) const
{
    auto it = endpointOverrides.constFind(endpoint);
    if (it == endpointOverrides.constEnd())
        return *this;
    Scenario sc = *this;
    (void)readStrategies(*it, sc); // validated in fromJson
    return sc;
}

bool Scenario::enablesAnyStrategy() const
{
    auto any = [](const Scenario &sc) {
        // As the simulator counts them (Simulator::run, its outcomes): routing in mode off, or without rules or a
        // router, routes nothing; batch without endpoints batches nothing (session-19 trial: {"batch": {"enabled":
        // true, "endpoints": []}} printed a $0.00 saving and no batch line at all).
        return (sc.routing.enabled && sc.routing.mode != routing::RouteMode::Off
                && (!sc.routing.rules.isEmpty() || sc.routing.router))
            || sc.exactCache.enabled || sc.semanticCache.enabled || sc.compression.enabled
            || (sc.batch.enabled && !sc.batch.endpoints.isEmpty());
    };
    if (any(*this))
        return true;
    for (auto it = endpointOverrides.constBegin(); it != endpointOverrides.constEnd(); ++it) {
        if (any(forEndpoint(it.key())))
            return true;
    }
    return false;
}

QJsonObject Scenario::toJson() const
{
    QJsonArray rules;
    for (const RoutingRule &r : routing.rules) {
        QJsonObject o{{u"route_to"_s, r.routeTo}};
        if (!r.model.isEmpty())
            o.insert(u"model"_s, r.model);
        if (!r.endpoints.isEmpty())
            o.insert(u"endpoints"_s, QJsonArray::fromStringList(r.endpoints));
        if (!r.taskTypes.isEmpty())
            o.insert(u"task_types"_s, QJsonArray::fromStringList(r.taskTypes));
        if (r.maxPromptTokens >= 0)
            o.insert(u"max_prompt_tokens"_s, r.maxPromptTokens);
        if (r.maxCompletionTokens >= 0)
            o.insert(u"max_completion_tokens"_s, r.maxCompletionTokens);
        if (r.maxPromptChars >= 0)
            o.insert(u"max_prompt_chars"_s, r.maxPromptChars);
        if (!r.routeToProvider.isEmpty())
            o.insert(u"route_to_provider"_s, r.routeToProvider);
        rules.append(o);
    }
    QJsonObject routingJson{{u"enabled"_s, routing.enabled}, {u"mode"_s, routing::toString(routing.mode)},
                            {u"rules"_s, rules}};
    if (routing.router)
        routingJson.insert(u"router"_s, routing.router->toJson());
    QJsonObject strategies{
        {u"routing"_s, routingJson},
        {u"exact_cache"_s, QJsonObject{{u"enabled"_s, exactCache.enabled}, {u"ttl_seconds"_s, exactCache.ttlSeconds}}},
        {u"semantic_cache"_s, QJsonObject{{u"enabled"_s, semanticCache.enabled},
                                          {u"threshold"_s, semanticCache.threshold},
                                          {u"ttl_seconds"_s, semanticCache.ttlSeconds},
                                          {u"embedding_model"_s, semanticCache.embeddingModel}}},
        {u"compression"_s, QJsonObject{{u"enabled"_s, compression.enabled}, {u"budget_tokens"_s, compression.budgetTokens},
                                       {u"summary_model"_s, compression.summaryModel},
                                       {u"remove_redundancy"_s, compression.removeRedundancy}}},
        {u"batch"_s, QJsonObject{{u"enabled"_s, batch.enabled}, {u"endpoints"_s, QJsonArray::fromStringList(batch.endpoints)}}},
    };
    QJsonObject endpoints;
    for (auto it = endpointOverrides.begin(); it != endpointOverrides.end(); ++it)
        endpoints.insert(it.key(), it.value());
    QJsonObject root{{u"name"_s, name}, {u"strategies"_s, strategies}};
    if (!endpoints.isEmpty())
        root.insert(u"endpoints"_s, endpoints);
    return root;
}

} // namespace tl
