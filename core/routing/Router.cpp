#include "Router.h"

#include "pricing/PriceBook.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tl::routing {

namespace {

// A Latin letter or a digit: the characters that make an English word. CJK text has no word
// boundaries, so a CJK character before a Latin keyword counts as a boundary.
bool isLatinWordChar(QChar c)
{
    if (c.unicode() < 128)
        return c.isLetterOrNumber();
    return c.isLetterOrNumber() && c.script() == QChar::Script_Latin;
}

bool keywordMatches(const QString &foldedText, const QString &keyword)
{
    const QString k = keyword.toCaseFolded();
    if (k.isEmpty())
        return false;
    const bool wordStart = isLatinWordChar(k.front());
    qsizetype from = 0;
    while (true) {
        const qsizetype at = foldedText.indexOf(k, from);
        if (at < 0)
            return false;
        if (!wordStart || at == 0 || !isLatinWordChar(foldedText.at(at - 1)))
            return true;
        from = at + 1;
    }
}

struct PricePair
{
    bool priced = false;
    NanoUsdPerMillion input = 0;
    NanoUsdPerMillion output = 0;
};

PricePair pricesOf(const ModelEntry *m, qint64 promptTokens)
{
    if (!m)
        return {};
    const ModelPrices &p = m->pricesAt(QDateTime::currentDateTimeUtc());
    if (!p.input || !p.output)
        return {};
    const qint64 at = std::max<qint64>(promptTokens, 0);
    return PricePair {true, p.input->at(at), p.output->at(at)};
}

} // namespace

QString toString(RouteGuard g)
{
    switch (g) {
    case RouteGuard::None:
        return u"none"_s;
    case RouteGuard::ModeOff:
        return u"mode_off"_s;
    case RouteGuard::Pinned:
        return u"pinned"_s;
    case RouteGuard::UnknownFamily:
        return u"unknown_family"_s;
    case RouteGuard::ForeignModel:
        return u"foreign_model"_s;
    case RouteGuard::SameModel:
        return u"same_model"_s;
    case RouteGuard::ContextWindow:
        return u"context_window"_s;
    case RouteGuard::Images:
        return u"images"_s;
    case RouteGuard::Audio:
        return u"audio"_s;
    case RouteGuard::Tools:
        return u"tools"_s;
    case RouteGuard::StructuredOutput:
        return u"structured_output"_s;
    case RouteGuard::Unpriced:
        return u"unpriced"_s;
    case RouteGuard::NotCheaper:
        return u"not_cheaper"_s;
    }
    return u"none"_s;
}

QString RouteDecision::recordMode() const
{
    return guard == RouteGuard::Pinned ? u"pinned"_s : routing::toString(mode);
}

Router::Router(RouterConfig config, std::shared_ptr<const PriceBook> priceBook)
    : m_config(std::move(config))
    , m_book(std::move(priceBook))
{
}

namespace {

// `folded`: the case-folded input text, computed on first need and shared by the rules of one
// classification (folding a long prompt costs more than the rest of the decision).
bool matchesRule(const ComplexityRule &rule, const RoutingFeatures &f, const QString &taskType,
                 std::optional<QString> &folded)
{
    if (!rule.taskTypes.isEmpty()) {
        if (taskType.isEmpty() || !rule.taskTypes.contains(taskType.trimmed(), Qt::CaseInsensitive))
            return false;
    }
    if (rule.minInputChars && f.inputChars < *rule.minInputChars)
        return false;
    if (rule.maxInputChars && f.inputChars >= *rule.maxInputChars)
        return false;
    if (rule.maxOutputTokens && (f.maxOutputTokens < 0 || f.maxOutputTokens >= *rule.maxOutputTokens))
        return false;
    if (!rule.keywords.isEmpty()) {
        if (!folded)
            folded = f.inputText.toCaseFolded();
        const QString &text = *folded;
        const bool any = std::any_of(rule.keywords.cbegin(), rule.keywords.cend(),
                                     [&text](const QString &k) { return keywordMatches(text, k); });
        if (!any)
            return false;
    }
    return true;
}

} // namespace

bool Router::matches(const ComplexityRule &rule, const RoutingFeatures &f, const QString &taskType)
{
    std::optional<QString> folded;
    return matchesRule(rule, f, taskType, folded);
}

Complexity Router::classify(const RoutingFeatures &features, const QString &taskType,
                            const QList<ComplexityRule> &rules, QString *matchedRule)
{
    std::optional<QString> folded;
    for (const ComplexityRule &rule : rules) {
        if (matchesRule(rule, features, taskType, folded)) {
            if (matchedRule)
                *matchedRule = rule.name;
            return rule.result;
        }
    }
    if (matchedRule)
        matchedRule->clear();
    return Complexity::Medium;
}

RouteDecision Router::decide(const RoutingFeatures &f, const QString &endpoint, const QString &taskType,
                             bool pinned) const
{
    const EndpointRouting ep = m_config.endpoint(endpoint);
    RouteDecision d;
    d.taskType = taskType.trimmed().isEmpty() ? ep.defaultTaskType : taskType.trimmed();
    d.complexity = classify(f, d.taskType, ep.rules ? *ep.rules : RouterConfig::defaultRules(), &d.matchedRule);
    return route(f, endpoint, ep, pinned, std::move(d));
}

RouteDecision Router::decideFor(const RoutingFeatures &f, const QString &endpoint, Complexity complexity, bool pinned,
                                std::optional<RouteMode> mode) const
{
    EndpointRouting ep = m_config.endpoint(endpoint);
    if (mode)
        ep.mode = *mode;
    RouteDecision d;
    d.complexity = complexity;
    return route(f, endpoint, ep, pinned, std::move(d));
}

RouteDecision Router::route(const RoutingFeatures &f, const QString &endpoint, const EndpointRouting &ep, bool pinned,
                            RouteDecision d) const
{
    d.mode = ep.mode;
    d.endpoint = endpoint;
    d.requestedModel = f.requestedModel;
    d.servedModel = f.requestedModel;
    d.tier = m_config.tierFor(d.complexity);

    const auto block = [&d](RouteGuard g, QString text) {
        d.guard = g;
        d.guardText = std::move(text);
        return d;
    };

    const auto family = m_config.tiers.constFind(f.family);
    // An aggregator's "provider/model" id keeps its prefix: "openai/gpt-4o" -> "openai/gpt-4.1-nano".
    const qsizetype slash = f.requestedModel.indexOf(u'/');
    const QString prefix = slash > 0 ? f.requestedModel.left(slash + 1) : QString();
    if (family != m_config.tiers.cend()) {
        const QString tierModel = family.value()[size_t(d.tier)].model;
        d.targetModel = !prefix.isEmpty() && !tierModel.contains(u'/') ? prefix + tierModel : tierModel;
    }

    if (ep.mode == RouteMode::Off)
        return block(RouteGuard::ModeOff, u"routing is off for endpoint \"%1\""_s.arg(endpoint));
    if (pinned)
        return block(RouteGuard::Pinned, u"the client pinned the model (X-TokenLedger-Route: off)"_s);
    if (family == m_config.tiers.cend())
        return block(RouteGuard::UnknownFamily, u"no tiers configured for provider family \"%1\""_s.arg(f.family));

    const TierModel &target = family.value()[size_t(d.tier)];
    Resolved requested;
    if (m_book && !f.requestedModel.startsWith(u"ft:"_s))
        requested = resolve(f.family, f.requestedModel);
    if (!requested.model || !requested.provider || requested.provider->id != f.family)
        return block(RouteGuard::ForeignModel,
                     u"%1 is not a %2 model the price book knows (or is fine-tuned): never replaced"_s.arg(
                         f.requestedModel, f.family));
    if (d.targetModel == f.requestedModel)
        return block(RouteGuard::SameModel, u"the %1 tier is the requested model"_s.arg(routing::toString(d.tier)));

    const Resolved targetMatch = resolve(f.family, d.targetModel);
    qint64 window = target.contextWindow;
    if (window <= 0 && targetMatch.model)
        window = targetMatch.model->contextWindow;
    const qint64 needed
        = f.estimatedPromptTokens < 0 ? -1 : f.estimatedPromptTokens + std::max<qint64>(f.maxOutputTokens, 0);
    if (window <= 0)
        return block(RouteGuard::ContextWindow, u"context window of %1 unknown"_s.arg(target.model));
    if (needed < 0)
        return block(RouteGuard::ContextWindow,
                     u"prompt tokens unknown: cannot check %1's context window"_s.arg(target.model));
    if (needed > window)
        return block(RouteGuard::ContextWindow,
                     u"%1 tokens (prompt + max output) exceed %2's context window of %3"_s.arg(needed)
                         .arg(target.model)
                         .arg(window));

    const Capabilities &cap = target.capabilities;
    if (f.usesImages && !cap.images)
        return block(RouteGuard::Images, u"%1 lacks image input"_s.arg(target.model));
    if (f.usesAudio && !cap.audio)
        return block(RouteGuard::Audio, u"%1 lacks audio"_s.arg(target.model));
    if (f.usesTools && !cap.tools)
        return block(RouteGuard::Tools, u"%1 lacks tools"_s.arg(target.model));
    if (f.usesStructuredOutput && !cap.structuredOutput)
        return block(RouteGuard::StructuredOutput, u"%1 lacks structured output"_s.arg(target.model));

    if (!ep.allowCostIncrease) {
        const PricePair from = pricesOf(requested.model, f.estimatedPromptTokens);
        const PricePair to = pricesOf(targetMatch.model, f.estimatedPromptTokens);
        if (!from.priced || !to.priced)
            return block(RouteGuard::Unpriced,
                         u"no input/output price for %1: cannot show the change saves money"_s.arg(
                             !from.priced ? f.requestedModel : target.model));
        const bool cheaper
            = to.input <= from.input && to.output <= from.output && (to.input < from.input || to.output < from.output);
        if (!cheaper)
            return block(
                RouteGuard::NotCheaper,
                u"%1 is not cheaper than %2 (complexity %3 maps to the %4 tier)"_s.arg(
                    target.model, f.requestedModel, routing::toString(d.complexity), routing::toString(d.tier)));
    }

    if (ep.mode == RouteMode::On) {
        d.changes = true;
        d.servedModel = d.targetModel;
    }
    return d;
}

Router::Resolved Router::resolve(const QString &family, const QString &model) const
{
    const QString key = family + u'\x1f' + model;
    QMutexLocker lock(&m_resolvedMutex);
    auto it = m_resolved.constFind(key);
    if (it == m_resolved.constEnd()) {
        const std::optional<ModelMatch> match = m_book->resolve(family, model);
        it = m_resolved.insert(key, match ? Resolved{match->provider, match->model} : Resolved{});
    }
    return *it;
}

QList<RouteDecision> Router::testRules(const QList<RoutingSample> &samples) const
{
    QList<RouteDecision> out;
    out.reserve(samples.size());
    for (const RoutingSample &s : samples)
        out << decide(s.features, s.endpoint, s.taskType, s.pinned);
    return out;
}

} // namespace tl::routing
