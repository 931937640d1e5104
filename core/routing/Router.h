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
};
QString toString(RouteGuard g); // "none", "mode_off", "pinned", ..., "not_cheaper"

// The router's answer for one request.
struct RouteDecision
{
    RouteMode mode = RouteMode::Off; // the endpoint's mode
    QString endpoint;
    QString taskType; // the one used: the header's, else the endpoint default, else ""
    Complexity complexity = Complexity::Medium;
    QString matchedRule; // name of the rule that set the complexity
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
// Pure and synchronous: no I/O, no threads. Thread-safe: const after construction (the PriceBook is
// immutable and shared; model resolutions are memoised under a mutex). `priceBook` may be null: then every change is blocked with ForeignModel
// (the router cannot check the family, context window or price).
class Router
{
public:
    Router(RouterConfig config, std::shared_ptr<const PriceBook> priceBook);

    const RouterConfig &config() const { return m_config; }
    // Mode for an endpoint; the proxy checks it first and skips extractFeatures() when Off.
    RouteMode modeFor(const QString &endpoint) const { return m_config.endpoint(endpoint).mode; }

    // `taskType`: the X-TokenLedger-Task header value ("" = absent: the endpoint's default task type
    // is used). `pinned`: the client sent X-TokenLedger-Route: off.
    RouteDecision decide(const RoutingFeatures &features, const QString &endpoint, const QString &taskType,
                         bool pinned) const;

    // decide() with the complexity already known (the simulator replays the complexity the proxy
    // recorded): the same tier, guards and cost rule. `mode`, when given, replaces the endpoint's
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

    // A model name resolved in the price book (entries live as long as the book).
    struct Resolved
    {
        const ProviderEntry *provider = nullptr;
        const ModelEntry *model = nullptr;
    };
    // PriceBook::resolve walks every rule of the book; names repeat constantly, so answers are kept.
    Resolved resolve(const QString &family, const QString &model) const;

    RouterConfig m_config;
    std::shared_ptr<const PriceBook> m_book;
    mutable QMutex m_resolvedMutex;
    mutable QHash<QString, Resolved> m_resolved; // family + U+001F + model
};

} // namespace tl::routing
