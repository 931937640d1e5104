#include "Router.h"

#include "pricing/PriceBook.h"

#include <QDateTime>
#include <QObject>

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

struct Blocked
{
    RouteGuard guard = RouteGuard::None;
    QString text;
};

// The context-window and capability guards for moving a request to `targetName` (window in tokens, 0 =
// unknown). Shared by the complexity router and the explicit model rules.
std::optional<Blocked> fitGuard(const RoutingFeatures &f, const QString &targetName, qint64 window,
                                const Capabilities &cap)
{
    const qint64 needed
        = f.estimatedPromptTokens < 0 ? -1 : f.estimatedPromptTokens + std::max<qint64>(f.maxOutputTokens, 0);
    if (window <= 0)
        return Blocked{RouteGuard::ContextWindow, QObject::tr("context window of %1 unknown").arg(targetName)};
    if (needed < 0)
        return Blocked{RouteGuard::ContextWindow,
                       QObject::tr("prompt tokens unknown: cannot check %1's context window").arg(targetName)};
    if (needed > window)
        return Blocked{RouteGuard::ContextWindow,
                       QObject::tr("%1 tokens (prompt + max output) exceed %2's context window of %3").arg(needed)
                           .arg(targetName)
                           .arg(window)};
    if (f.usesImages && !cap.images)
        return Blocked{RouteGuard::Images, QObject::tr("%1 lacks image input").arg(targetName)};
    if (f.usesAudio && !cap.audio)
        return Blocked{RouteGuard::Audio, QObject::tr("%1 lacks audio").arg(targetName)};
    if (f.usesTools && !cap.tools)
        return Blocked{RouteGuard::Tools, QObject::tr("%1 lacks tools").arg(targetName)};
    if (f.usesStructuredOutput && !cap.structuredOutput)
        return Blocked{RouteGuard::StructuredOutput, QObject::tr("%1 lacks structured output").arg(targetName)};
    return std::nullopt;
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
    case RouteGuard::OtherProvider:
        return u"other_provider"_s;
    case RouteGuard::NoRule:
        return u"no_rule"_s;
    }
    return u"none"_s;
}

QString RouteDecision::recordMode() const
{
    return guard == RouteGuard::Pinned ? u"pinned"_s : routing::toString(mode);
}

Router::Router(RouterConfig config, std::shared_ptr<const PriceBook> priceBook, QList<ModelRule> modelRules,
               bool complexityRouting)
    : m_config(std::move(config))
    , m_book(std::move(priceBook))
    , m_modelRules(std::move(modelRules))
    , m_complexityRouting(complexityRouting)
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
    if (ep.mode != RouteMode::Off && (!m_modelRules.isEmpty() || !m_complexityRouting)) {
        for (qsizetype i = 0; i < m_modelRules.size(); ++i) {
            if (matches(m_modelRules[i], f, endpoint, taskType)) {
                d.modelRule = int(i);
                return routeByRule(f, endpoint, ep, pinned, m_modelRules[i], std::move(d));
            }
        }
        if (!m_complexityRouting) {
            d.mode = ep.mode;
            d.endpoint = endpoint;
            d.requestedModel = f.requestedModel;
            d.servedModel = f.requestedModel;
            d.tier = m_config.tierFor(d.complexity);
            d.guard = pinned ? RouteGuard::Pinned : RouteGuard::NoRule;
            d.guardText = pinned ? QObject::tr("the client pinned the model (X-TokenLedger-Route: off)")
                                 : QObject::tr("no routing rule matched (the complexity router is not in force)");
            return d;
        }
    }
    return route(f, endpoint, ep, pinned, std::move(d));
}

bool Router::matches(const ModelRule &rule, const RoutingFeatures &f, const QString &endpoint, const QString &taskType)
{
    if (!rule.model.isEmpty() && rule.model != f.requestedModel)
        return false;
    if (!rule.endpoints.isEmpty() && !rule.endpoints.contains(endpoint))
        return false;
    if (!rule.taskTypes.isEmpty() && !rule.taskTypes.contains(taskType))
        return false;
    if (rule.maxPromptTokens >= 0 && (f.estimatedPromptTokens < 0 || f.estimatedPromptTokens > rule.maxPromptTokens))
        return false;
    if (rule.maxCompletionTokens >= 0 && (f.maxOutputTokens < 0 || f.maxOutputTokens > rule.maxCompletionTokens))
        return false;
    // 0 characters counts as unknown, as in the simulator (records without text).
    if (rule.maxPromptChars >= 0 && (f.promptChars <= 0 || f.promptChars > rule.maxPromptChars))
        return false;
    return rule.routeTo != f.requestedModel;
}

bool Router::knowsRequestedModel(const RoutingFeatures &f) const
{
    if (!m_book || f.requestedModel.startsWith(u"ft:"_s))
        return false;
    const Resolved requested = resolve(f.family, f.requestedModel);
    return requested.model && requested.provider && requested.provider->id == f.family;
}

RouteDecision Router::routeByRule(const RoutingFeatures &f, const QString &endpoint, const EndpointRouting &ep,
                                  bool pinned, const ModelRule &rule, RouteDecision d) const
{
    d.mode = ep.mode;
    d.endpoint = endpoint;
    d.requestedModel = f.requestedModel;
    d.servedModel = f.requestedModel;
    d.tier = m_config.tierFor(d.complexity);
    d.targetModel = rule.routeTo;
    const auto block = [&d](RouteGuard g, QString text) {
        d.guard = g;
        d.guardText = std::move(text);
        return d;
    };
    if (ep.mode == RouteMode::Off)
        return block(RouteGuard::ModeOff, QObject::tr("routing is off for endpoint \"%1\"").arg(endpoint));
    if (pinned)
        return block(RouteGuard::Pinned, QObject::tr("the client pinned the model (X-TokenLedger-Route: off)"));
    if (!rule.routeToProvider.isEmpty() && rule.routeToProvider != f.family)
        return block(RouteGuard::OtherProvider,
                     QObject::tr("the rule routes to %1 of provider \"%2\"; a %3 request goes to its own upstream").arg(
                         rule.routeTo, rule.routeToProvider, f.family));
    if (!knowsRequestedModel(f))
        return block(RouteGuard::ForeignModel,
                     QObject::tr("%1 is not a %2 model the price book knows (or is fine-tuned): never replaced").arg(
                         f.requestedModel, f.family));

    // A tier model keeps its configured context window and capabilities; another model gets the price
    // book's window and the default capabilities.
    const TierModel *tierEntry = nullptr;
    if (const auto family = m_config.tiers.constFind(f.family); family != m_config.tiers.cend()) {
        for (const TierModel &t : family.value()) {
            if (t.model == rule.routeTo) {
                tierEntry = &t;
                break;
            }
        }
    }
    const Resolved targetMatch = resolve(f.family, rule.routeTo);
    qint64 window = tierEntry ? tierEntry->contextWindow : 0;
    if (window <= 0 && targetMatch.model)
        window = targetMatch.model->contextWindow;
    if (auto blocked = fitGuard(f, rule.routeTo, window, tierEntry ? tierEntry->capabilities : Capabilities{}))
        return block(blocked->guard, std::move(blocked->text));
    if (!pricesOf(targetMatch.model, f.estimatedPromptTokens).priced)
        return block(RouteGuard::Unpriced,
                     QObject::tr("no input/output price for %1: the rule cannot be priced").arg(rule.routeTo));

    if (ep.mode == RouteMode::On) {
        d.changes = true;
        d.servedModel = rule.routeTo;
    }
    return d;
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
        return block(RouteGuard::ModeOff, QObject::tr("routing is off for endpoint \"%1\"").arg(endpoint));
    if (pinned)
        return block(RouteGuard::Pinned, QObject::tr("the client pinned the model (X-TokenLedger-Route: off)"));
    if (family == m_config.tiers.cend())
        return block(RouteGuard::UnknownFamily,
                     QObject::tr("no tiers configured for provider family \"%1\"").arg(f.family));

    const TierModel &target = family.value()[size_t(d.tier)];
    if (!knowsRequestedModel(f))
        return block(RouteGuard::ForeignModel,
                     QObject::tr("%1 is not a %2 model the price book knows (or is fine-tuned): never replaced").arg(
                         f.requestedModel, f.family));
    if (d.targetModel == f.requestedModel)
        return block(RouteGuard::SameModel,
                     QObject::tr("the %1 tier is the requested model").arg(routing::toString(d.tier)));

    const Resolved targetMatch = resolve(f.family, d.targetModel);
    qint64 window = target.contextWindow;
    if (window <= 0 && targetMatch.model)
        window = targetMatch.model->contextWindow;
    if (auto blocked = fitGuard(f, target.model, window, target.capabilities))
        return block(blocked->guard, std::move(blocked->text));

    if (!ep.allowCostIncrease) {
        const PricePair from = pricesOf(resolve(f.family, f.requestedModel).model, f.estimatedPromptTokens);
        const PricePair to = pricesOf(targetMatch.model, f.estimatedPromptTokens);
        if (!from.priced || !to.priced)
            return block(RouteGuard::Unpriced,
                         QObject::tr("no input/output price for %1: cannot show the change saves money").arg(
                             !from.priced ? f.requestedModel : target.model));
        const bool cheaper
            = to.input <= from.input && to.output <= from.output && (to.input < from.input || to.output < from.output);
        if (!cheaper)
            return block(
                RouteGuard::NotCheaper,
                QObject::tr("%1 is not cheaper than %2 (complexity %3 maps to the %4 tier)").arg(
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
