#include "RouterConfig.h"

#include <QObject>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace tl::routing {

namespace {

constexpr int kConfigVersion = 1;

QStringList capabilityNames(const Capabilities &c)
{
    QStringList out;
    if (c.images)
        out << u"images"_s;
    if (c.audio)
        out << u"audio"_s;
    if (c.tools)
        out << u"tools"_s;
    if (c.structuredOutput)
        out << u"structured_output"_s;
    return out;
}

Result<QStringList> stringList(const QJsonValue &v, const QString &path)
{
    if (v.isUndefined() || v.isNull())
        return QStringList();
    if (!v.isArray())
        return fail(ErrorCode::InvalidArgument, QObject::tr("%1: expected an array of strings").arg(path));
    QStringList out;
    const QJsonArray a = v.toArray();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].isString() || a[i].toString().isEmpty())
            return fail(ErrorCode::InvalidArgument,
                        QObject::tr("%1[%2]: expected a non-empty string").arg(path).arg(i));
        out << a[i].toString();
    }
    return out;
}

Result<std::optional<qint64>> optionalCount(const QJsonObject &o, const QString &key, const QString &path)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return std::optional<qint64>();
    if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != double(v.toInteger()))
        return fail(ErrorCode::InvalidArgument, QObject::tr("%1.%2: expected a non-negative integer").arg(path, key));
    return std::optional<qint64>(v.toInteger());
}

TierModel tier(const QString &model, Capabilities caps)
{
    return TierModel {model, 0, caps};
}

} // namespace

QString ModelRule::describe() const
{
    QStringList parts;
    parts << (model.isEmpty() ? QObject::tr("any model") : model);
    if (!endpoints.isEmpty())
        parts << QObject::tr("endpoints %1").arg(endpoints.join(u", "_s));
    if (!taskTypes.isEmpty())
        parts << QObject::tr("task types %1").arg(taskTypes.join(u", "_s));
    if (maxPromptTokens >= 0)
        parts << QObject::tr("<= %1 prompt tokens").arg(maxPromptTokens);
    if (maxCompletionTokens >= 0)
        parts << QObject::tr("max tokens <= %1").arg(maxCompletionTokens);
    if (maxPromptChars >= 0)
        parts << QObject::tr("<= %1 prompt characters").arg(maxPromptChars);
    const QString target
        = routeToProvider.isEmpty() ? routeTo : QObject::tr("%1 (provider %2)").arg(routeTo, routeToProvider);
    return QObject::tr("%1 -> %2").arg(parts.join(u", "_s), target);
}

QJsonObject ComplexityRule::toJson() const
{
    QJsonObject o {{u"name"_s, name}, {u"complexity"_s, routing::toString(result)}};
    if (!taskTypes.isEmpty())
        o.insert(u"task_types"_s, QJsonArray::fromStringList(taskTypes));
    if (minInputChars)
        o.insert(u"min_input_chars"_s, *minInputChars);
    if (maxInputChars)
        o.insert(u"max_input_chars"_s, *maxInputChars);
    if (maxOutputTokens)
        o.insert(u"max_output_tokens"_s, *maxOutputTokens);
    if (!keywords.isEmpty())
        o.insert(u"keywords"_s, QJsonArray::fromStringList(keywords));
    return o;
}

static Result<ComplexityRule> ruleFromJson(const QJsonObject &o, const QString &path)
{
    ComplexityRule r;
    r.name = o.value(u"name"_s).toString().trimmed();
    if (r.name.isEmpty())
        return fail(ErrorCode::InvalidArgument, QObject::tr("%1.name: a rule needs a non-empty name").arg(path));
    const QString c = o.value(u"complexity"_s).toString();
    const auto complexity = complexityFromString(c);
    if (!complexity)
        return fail(
            ErrorCode::InvalidArgument,
            QObject::tr("%1.complexity: unknown complexity \"%2\" (expected low, medium or high)").arg(path, c));
    r.result = *complexity;
    auto tasks = stringList(o.value(u"task_types"_s), path + u".task_types"_s);
    if (!tasks)
        return std::unexpected(tasks.error());
    r.taskTypes = *tasks;
    auto keywords = stringList(o.value(u"keywords"_s), path + u".keywords"_s);
    if (!keywords)
        return std::unexpected(keywords.error());
    r.keywords = *keywords;
    auto minChars = optionalCount(o, u"min_input_chars"_s, path);
    auto maxChars = optionalCount(o, u"max_input_chars"_s, path);
    auto maxOut = optionalCount(o, u"max_output_tokens"_s, path);
    for (const auto *v : {&minChars, &maxChars, &maxOut}) {
        if (!*v)
            return std::unexpected(v->error());
    }
    r.minInputChars = *minChars;
    r.maxInputChars = *maxChars;
    r.maxOutputTokens = *maxOut;
    return r;
}

Result<ComplexityRule> ComplexityRule::fromJson(const QJsonObject &o)
{
    return ruleFromJson(o, u"rule"_s);
}

RouterConfig RouterConfig::defaults()
{
    RouterConfig c;
    const Capabilities openai {true, false, true, true};
    c.tiers.insert(u"openai"_s,
                   {tier(u"gpt-4.1-nano"_s, openai), tier(u"gpt-4.1-mini"_s, openai), tier(u"gpt-4.1"_s, openai)});
    const Capabilities claude {true, false, true, true};
    Capabilities haiku = claude;
    haiku.structuredOutput = false;
    c.tiers.insert(
        u"anthropic"_s,
        {tier(u"claude-haiku-4-5"_s, haiku), tier(u"claude-sonnet-4-5"_s, claude), tier(u"claude-opus-4-5"_s, claude)});
    c.endpoints.insert(u"*"_s, EndpointRouting {});
    return c;
}

namespace {

QList<ComplexityRule> makeDefaultRules()
{
    const QStringList code {u"code_generation"_s, u"code"_s};
    QList<ComplexityRule> rules;
    {
        ComplexityRule r;
        r.name = u"low-task-types"_s;
        r.taskTypes = {u"classification"_s, u"sentiment"_s, u"entity_extraction"_s, u"entity-extraction"_s};
        r.result = Complexity::Low;
        rules << r;
    }
    {
        ComplexityRule r;
        r.name = u"code-short"_s;
        r.taskTypes = code;
        r.maxInputChars = 300;
        r.result = Complexity::Medium;
        rules << r;
    }
    {
        ComplexityRule r;
        r.name = u"code-long"_s;
        r.taskTypes = code;
        r.result = Complexity::High;
        rules << r;
    }
    {
        ComplexityRule r;
        r.name = u"reasoning-words"_s;
        r.keywords = {u"分析"_s,       u"推断"_s,      u"原因"_s,     u"为什么"_s,   u"比较"_s, u"权衡"_s,
                      u"analyze"_s,    u"analyse"_s,   u"analysis"_s, u"infer"_s,    u"why"_s,  u"compare"_s,
                      u"comparison"_s, u"trade-off"_s, u"tradeoff"_s, u"trade off"_s};
        r.result = Complexity::Medium;
        rules << r;
    }
    {
        ComplexityRule r;
        r.name = u"short-input-short-output"_s;
        r.maxInputChars = 500;
        r.maxOutputTokens = 200;
        r.result = Complexity::Low;
        rules << r;
    }
    {
        ComplexityRule r;
        r.name = u"default"_s;
        r.result = Complexity::Medium;
        rules << r;
    }
    return rules;
}

} // namespace

QList<ComplexityRule> RouterConfig::defaultRules()
{
    // Built once (the proxy asks for them for every record of an endpoint without rules of its own); the
    // copy returned shares the data.
    static const QList<ComplexityRule> defaults = makeDefaultRules();
    return defaults;
}

EndpointRouting RouterConfig::endpoint(const QString &name) const
{
    auto it = endpoints.constFind(name);
    if (it == endpoints.cend())
        it = endpoints.constFind(u"*"_s);
    return it == endpoints.cend() ? EndpointRouting {} : *it;
}

QList<ComplexityRule> RouterConfig::rulesFor(const QString &name) const
{
    const EndpointRouting e = endpoint(name);
    return e.rules ? *e.rules : defaultRules();
}

QJsonObject RouterConfig::toJson() const
{
    QJsonObject tiersJson;
    for (auto it = tiers.cbegin(); it != tiers.cend(); ++it) {
        QJsonObject family;
        for (int t = 0; t < 3; ++t) {
            const TierModel &m = it.value()[size_t(t)];
            family.insert(
                routing::toString(ModelTier(t)),
                QJsonObject {{u"model"_s, m.model},
                             {u"context_window"_s, m.contextWindow},
                             {u"capabilities"_s, QJsonArray::fromStringList(capabilityNames(m.capabilities))}});
        }
        tiersJson.insert(it.key(), family);
    }
    QJsonObject map;
    for (int c = 0; c < 3; ++c)
        map.insert(routing::toString(Complexity(c)), routing::toString(complexityTiers[size_t(c)]));
    QJsonObject eps;
    for (auto it = endpoints.cbegin(); it != endpoints.cend(); ++it) {
        const EndpointRouting &e = it.value();
        QJsonObject o {{u"mode"_s, routing::toString(e.mode)}, {u"allow_cost_increase"_s, e.allowCostIncrease}};
        if (!e.defaultTaskType.isEmpty())
            o.insert(u"task_type"_s, e.defaultTaskType);
        if (e.rules) {
            QJsonArray rules;
            for (const ComplexityRule &r : *e.rules)
                rules.append(r.toJson());
            o.insert(u"rules"_s, rules);
        }
        eps.insert(it.key(), o);
    }
    return QJsonObject {
        {u"version"_s, kConfigVersion}, {u"tiers"_s, tiersJson}, {u"complexity_tiers"_s, map}, {u"endpoints"_s, eps}};
}

Result<RouterConfig> RouterConfig::fromJson(const QJsonObject &o)
{
    RouterConfig c = defaults();
    const int version = o.value(u"version"_s).toInt(kConfigVersion);
    if (version > kConfigVersion)
        return fail(ErrorCode::Unsupported,
                    QObject::tr("router config version %1 is newer than this build understands (%2)")
                        .arg(version)
                        .arg(kConfigVersion));

    const QJsonObject tiersJson = o.value(u"tiers"_s).toObject();
    for (auto it = tiersJson.begin(); it != tiersJson.end(); ++it) {
        const QString path = u"tiers."_s + it.key();
        if (!it.value().isObject())
            return fail(ErrorCode::InvalidArgument, QObject::tr("%1: expected an object").arg(path));
        const QJsonObject family = it.value().toObject();
        std::array<TierModel, 3> models = c.tiers.value(it.key());
        for (int t = 0; t < 3; ++t) {
            const QString tierName = routing::toString(ModelTier(t));
            const QJsonValue v = family.value(tierName);
            if (v.isUndefined())
                continue;
            const QString tpath = path + u"."_s + tierName;
            const QJsonObject m = v.toObject();
            if (!v.isObject() || m.value(u"model"_s).toString().trimmed().isEmpty())
                return fail(ErrorCode::InvalidArgument, QObject::tr("%1.model: a tier needs a model name").arg(tpath));
            TierModel tm;
            tm.model = m.value(u"model"_s).toString().trimmed();
            auto window = optionalCount(m, u"context_window"_s, tpath);
            if (!window)
                return std::unexpected(window.error());
            tm.contextWindow = window->value_or(0);
            if (m.contains(u"capabilities"_s)) {
                auto caps = stringList(m.value(u"capabilities"_s), tpath + u".capabilities"_s);
                if (!caps)
                    return std::unexpected(caps.error());
                Capabilities cap {false, false, false, false};
                for (const QString &name : std::as_const(*caps)) {
                    if (name == u"images"_s)
                        cap.images = true;
                    else if (name == u"audio"_s)
                        cap.audio = true;
                    else if (name == u"tools"_s)
                        cap.tools = true;
                    else if (name == u"structured_output"_s)
                        cap.structuredOutput = true;
                    else
                        return fail(
                            ErrorCode::InvalidArgument,
                            QObject::tr("%1.capabilities: unknown capability \"%2\" (expected images, audio, tools, "
                                        "structured_output)")
                                .arg(tpath, name));
                }
                tm.capabilities = cap;
            }
            models[size_t(t)] = tm;
        }
        for (int t = 0; t < 3; ++t) {
            if (models[size_t(t)].model.isEmpty())
                return fail(ErrorCode::InvalidArgument,
                            QObject::tr("%1.%2: missing (a new family needs all three tiers)")
                                .arg(path, routing::toString(ModelTier(t))));
        }
        c.tiers.insert(it.key(), models);
    }

    const QJsonObject map = o.value(u"complexity_tiers"_s).toObject();
    for (auto it = map.begin(); it != map.end(); ++it) {
        const auto complexity = complexityFromString(it.key());
        const auto t = tierFromString(it.value().toString());
        if (!complexity || !t)
            return fail(ErrorCode::InvalidArgument,
                        QObject::tr("complexity_tiers.%1: expected low|medium|high mapped to nano|standard|premium")
                            .arg(it.key()));
        c.complexityTiers[size_t(*complexity)] = *t;
    }

    if (o.contains(u"endpoints"_s)) {
        const QJsonObject eps = o.value(u"endpoints"_s).toObject();
        c.endpoints.clear();
        for (auto it = eps.begin(); it != eps.end(); ++it) {
            const QString path = u"endpoints."_s + it.key();
            if (!it.value().isObject())
                return fail(ErrorCode::InvalidArgument, QObject::tr("%1: expected an object").arg(path));
            const QJsonObject e = it.value().toObject();
            EndpointRouting er;
            const QString mode = e.value(u"mode"_s).toString(u"off"_s);
            const auto m = routeModeFromString(mode);
            if (!m)
                return fail(ErrorCode::InvalidArgument,
                            QObject::tr("%1.mode: unknown mode \"%2\" (expected off, shadow or on)").arg(path, mode));
            er.mode = *m;
            er.defaultTaskType = e.value(u"task_type"_s).toString().trimmed();
            er.allowCostIncrease = e.value(u"allow_cost_increase"_s).toBool(false);
            if (e.contains(u"rules"_s)) {
                if (!e.value(u"rules"_s).isArray())
                    return fail(ErrorCode::InvalidArgument, QObject::tr("%1.rules: expected an array").arg(path));
                QList<ComplexityRule> rules;
                const QJsonArray a = e.value(u"rules"_s).toArray();
                for (qsizetype i = 0; i < a.size(); ++i) {
                    auto r = ruleFromJson(a[i].toObject(), path + u".rules["_s + QString::number(i) + u"]"_s);
                    if (!r)
                        return std::unexpected(r.error());
                    rules << *r;
                }
                er.rules = rules;
            }
            c.endpoints.insert(it.key(), er);
        }
    }
    return c;
}

} // namespace tl::routing
