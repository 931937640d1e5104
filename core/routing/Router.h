#pragma once

#include "routing/RouterConfig.h"
#include "routing/RoutingFeatures.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace tl {
class PriceBook;
struct ProviderEntry;
struct ModelEntry;
}

namespace tl::routing {

// Why a model change did not happen (first guard that blocked it, in this order of checking).
enum class RouteGuard {
    None, // not blocked (decision.changes is true in On mode)
    ModeOff, // the endpoint's mode is Off
    Pinned, // the client sent X-TokenLedger-Route: off
    UnknownFamily, // no tiers configured for the request's provider family
    ForeignModel, // the requested model is not a model of that family in the price book (e.g. a
                  // local model behind an OpenAI-compatible upstream): never replaced
    SameModel, // the tier's model is the requested model
    ContextWindow, // target context window < estimated prompt tokens + max output tokens (or unknown)
    Images, // the request uses images, the target does not accept them
    Audio, // ... audio
    Tools, // ... tools
    StructuredOutput, // ... structured output
    Unpriced, // requested or target model has no input/output price: cannot show it is cheaper
    NotCheaper, // the target is dearer (and the endpoint does not allow a cost increase)
    // Explicit model rules (ModelRule, RouterConfig.h):
    OtherProvider, // the matching rule routes to another provider (route_to_provider): simulated only
    NoRule, // no rule matched and the complexity router is not in force for this policy entry
};
QString toString(RouteGuard g); // "none", "mode_off", "pinned", ..., "not_cheaper", "other_provider", "no_rule"

// The router's answer for one request.
struct RouteDecision
{
    RouteMode mode = RouteMode::Off; // the endpoint's mode
    QString endpoint;
    QString taskType; // the one used: the header's, else the endpoint default, else ""
    Complexity complexity = Complexity::Medium;
    QString matchedRule; // name of the rule that set the complexity
    // Index (0-based) of the explicit model rule that chose targetModel (the first that matched), or
    // -1: the complexity router chose it (or nothing did). The complexity is classified either way.
    int modelRule = -1;
    ModelTier tier = ModelTier::Standard;
    QString requestedModel;
    // The tier's model for the request's family ("" when no tiers for it). A requested id with an
    // aggregator prefix keeps it: "openai/gpt-4o" -> "openai/gpt-4.1-nano" (OpenRouter-style ids).
    QString targetModel;
    // The model to send upstream: targetModel when `changes`, else requestedModel. In Shadow mode
    // `changes` is false and targetModel is what would have been served.
    QString servedModel;
    bool changes = false; // true only in On mode with no guard blocking and a different model
    RouteGuard guard = RouteGuard::None;
    QString guardText; // for the user, e.g. "gpt-4.1-nano lacks tools"; "" when guard is None

    // For the ledger record (CallRecord::routeMode): "off", "shadow", "on", or "pinned".
    QString recordMode() const;
};

// One recorded request to replay through the rules (the UI's "test against recorded requests").
struct RoutingSample
{
    RoutingFeatures features;
    QString endpoint;
    QString taskType; // the X-TokenLedger-Task header value it had ("" = none)
    bool pinned = false;
};

// Decides complexity, tier and target model for a request (issue #5 section 1).
//
// Guards (checked in the RouteGuard order; the first that fails blocks the change and is reported):
// a request is never moved to another provider family (targets come from the request's family
// only) or away from a model the price book does not list for that family; never to a model whose
// context window (tier config, else price book; unknown blocks) is smaller than
// estimatedPromptTokens + maxOutputTokens (max output absent: counted as 0; prompt unknown: blocks);
// never to a model lacking images/audio/tools/structured output the request uses; never when the
// client pinned it.
// Cost direction (documented choice): unless EndpointRouting::allowCostIncrease, a request is only
// moved to a model whose input price is not higher AND output price is not higher than the
// requested model's (tiered prices taken at the request's estimated prompt tokens, prices in force
// now, from the price book given), with at least one strictly lower. So routing saves money or does
// nothing; a "high" request already on a cheap model is left alone (guard NotCheaper) rather than
// upgraded. Both models must be priced (else guard Unpriced).
//
// Explicit model rules (the constructor's `modelRules`, a scenario's "routing.rules"): decide() tries
// them first, in order, and the first that matches (ModelRule: requested model, endpoint, task type,
// tokenizer prompt count, the request's max output tokens, prompt characters) chooses the target; the
// complexity router is then not consulted (the simulator's order). A rule-chosen target gets the same
// guards as a tier model, in the same order: mode off, pinned, the requested model must be one the
// price book knows for the family (ForeignModel), context window, images/audio/tools/structured
// output, and a priced target (Unpriced). The target's context window and capabilities are those of
// the family's tier entry for that model when it is a tier model, else the price book's context
// window and the default Capabilities (images, tools, structured output; no audio). Not the cost
// rule: a rule names its target explicitly, and the simulator re-prices it the same way whether or
// not it is cheaper. A rule routing to another provider (route_to_provider) is blocked
// (OtherProvider): the request goes to its own upstream. With `complexityRouting` false (a policy
// entry whose routing has rules but no router) a request no rule matches keeps its model (NoRule).
//
// Pure and synchronous: no I/O, no threads. Thread-safe: const after construction (the PriceBook is
// immutable and shared; model resolutions are memoised under a mutex). `priceBook` may be null: then every change is
// blocked with ForeignModel (the router cannot check the family, context window or price).
class Router
{
public:
    // `modelRules`: explicit model rules tried before the complexity rules (none: decide() costs what
    // it did without them). `complexityRouting` false: only the rules route.
    Router(RouterConfig config, std::shared_ptr<const PriceBook> priceBook, QList<ModelRule> modelRules = {},
           bool complexityRouting = true);

    const RouterConfig &config() const { return m_config; }
    const QList<ModelRule> &modelRules() const { return m_modelRules; }
    bool complexityRouting() const { return m_complexityRouting; }
    // Whether an explicit rule matches a request (see ModelRule for the live bounds). `taskType` is the
    // X-TokenLedger-Task header value ("" = absent).
    static bool matches(const ModelRule &rule, const RoutingFeatures &features, const QString &endpoint,
                        const QString &taskType);
    // Mode for an endpoint; the proxy checks it first and skips extractFeatures() when Off.
    RouteMode modeFor(const QString &endpoint) const { return m_config.endpoint(endpoint).mode; }

    // `taskType`: the X-TokenLedger-Task header value ("" = absent: the endpoint's default task type
    // is used). `pinned`: the client sent X-TokenLedger-Route: off.
    RouteDecision decide(const RoutingFeatures &features, const QString &endpoint, const QString &taskType,
                         bool pinned) const;

    // decide() with the complexity already known (the simulator replays the complexity the proxy
    // recorded): the same tier, guards and cost rule; the explicit model rules are not tried (the
    // simulator matches them against the recorded counts itself). `mode`, when given, replaces the endpoint's
    // configured mode (the simulator replays routing as if on).
    RouteDecision decideFor(const RoutingFeatures &features, const QString &endpoint, Complexity complexity,
                            bool pinned, std::optional<RouteMode> mode = std::nullopt) const;

    // The complexity of a request under `rules` (first match wins); `matchedRule` gets the rule name
    // ("" and Medium when no rule matches).
    static Complexity classify(const RoutingFeatures &features, const QString &taskType,
                               const QList<ComplexityRule> &rules, QString *matchedRule = nullptr);
    // Whether one rule matches (exposed for the UI's per-rule preview).
    static bool matches(const ComplexityRule &rule, const RoutingFeatures &features, const QString &taskType);

    // decide() for each sample, in order (the UI's "test rules against recorded requests"; build a
    // Router from the edited config to preview it before saving).
    QList<RouteDecision> testRules(const QList<RoutingSample> &samples) const;

private:
    RouteDecision route(const RoutingFeatures &f, const QString &endpoint, const EndpointRouting &ep, bool pinned,
                        RouteDecision d) const;
    RouteDecision routeByRule(const RoutingFeatures &f, const QString &endpoint, const EndpointRouting &ep,
                              bool pinned, const ModelRule &rule, RouteDecision d) const;

    // A model name resolved in the price book (entries live as long as the book).
    struct Resolved
    {
        const ProviderEntry *provider = nullptr;
        const ModelEntry *model = nullptr;
    };
    // PriceBook::resolve walks every rule of the book; names repeat constantly, so answers are kept.
    Resolved resolve(const QString &family, const QString &model) const;
    // The ForeignModel guard of both paths: the requested model is one of its family's models the
    // price book knows, and not fine-tuned ("ft:").
    bool knowsRequestedModel(const RoutingFeatures &f) const;

    RouterConfig m_config;
    std::shared_ptr<const PriceBook> m_book;
    QList<ModelRule> m_modelRules;
    bool m_complexityRouting = true;
    mutable QMutex m_resolvedMutex;
    mutable QHash<QString, Resolved> m_resolved; // family + U+001F + model
};

} // namespace tl::routing
