#pragma once

#include "common/Result.h"
#include "routing/RouterConfig.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace tl {

// One routing rule: calls matching every given condition are re-priced on `routeTo`.
// Conditions left empty / at -1 match everything.
struct RoutingRule
{
    QString model;               // only calls served by this model ("" = any)
    QStringList endpoints;       // only these endpoints (empty = any)
    QStringList taskTypes;       // only these task types, e.g. "classification" (empty = any)
    qint64 maxPromptTokens = -1;     // at most this many prompt tokens
    qint64 maxCompletionTokens = -1; // at most this many completion tokens
    qint64 maxPromptChars = -1;      // at most this many prompt characters (needs proxy records)
    QString routeTo;             // target model (price-book name)
    QString routeToProvider;     // "" = resolve by name
};

// Routing has two kinds of rule:
//  - `rules`: explicit token-count rules (first match wins), simulated on the recorded counts (the
//    Azure example: gpt-4o calls with <= 500 prompt and <= 200 completion tokens -> gpt-4o-mini);
//  - `router`: the live proxy's complexity router (core/routing, RouterConfig JSON), simulated on the
//    complexity the proxy recorded for each call (SavingsTrace::complexity) and its tiers. Calls
//    without a recorded complexity (imports) are not routed by it.
// `mode` is what "apply to proxy" turns on: off, shadow (record what would be done) or on. The
// simulator replays any enabled routing as if on.
struct RoutingStrategy
{
    bool enabled = false;
    routing::RouteMode mode = routing::RouteMode::On;
    QList<RoutingRule> rules; // first match wins; tried before the router
    std::optional<routing::RouterConfig> router;
};

struct ExactCacheStrategy
{
    bool enabled = false;
    qint64 ttlSeconds = 3600;
};

struct SemanticCacheStrategy
{
    bool enabled = false;
    double threshold = 0.95;
    qint64 ttlSeconds = 3600;
    // "local" = the built-in LocalEmbedder (no network, no cost); otherwise an OpenAI-compatible
    // embedding model (e.g. "text-embedding-3-small") whose calls are priced and counted against the
    // saving.
    QString embeddingModel = QStringLiteral("local");
};

struct CompressionStrategy
{
    bool enabled = false;
    qint64 budgetTokens = 4000;                            // prompt-token budget per request
    QString summaryModel = QStringLiteral("gpt-4.1-nano"); // writes the [Conversation summary]
    bool removeRedundancy = true;                          // collapse blank-line runs, trailing spaces
};

struct BatchStrategy
{
    bool enabled = false;
    QStringList endpoints; // endpoints that tolerate a 24-hour turnaround (priced at the Batch API rate)
};

// A what-if scenario: a set of strategies with parameters, with per-endpoint overrides. JSON form
// (docs/examples/azure-routing-scenario.json):
//   {"name": "...", "strategies": {"routing": {"enabled": true, "mode": "on", "rules": [{"model":
//    "gpt-4o-2024-08-06", "max_prompt_tokens": 500, "max_completion_tokens": 200, "route_to":
//    "gpt-4o-mini-2024-07-18"}], "router": <RouterConfig JSON, optional>},
//    "exact_cache": {"enabled": true, "ttl_seconds": 3600}, "semantic_cache": {"enabled": true,
//    "threshold": 0.95, "ttl_seconds": 3600, "embedding_model": "local"}, "compression": {"enabled": true,
//    "budget_tokens": 4000, "summary_model": "gpt-4.1-nano", "remove_redundancy": true},
//    "batch": {"enabled": true, "endpoints": ["nightly"]}},
//   "endpoints": {"chat": {"routing": {...}}}}   <- an endpoint's own strategy objects replace the defaults
struct Scenario
{
    QString name;
    RoutingStrategy routing;
    ExactCacheStrategy exactCache;
    SemanticCacheStrategy semanticCache;
    CompressionStrategy compression;
    BatchStrategy batch;
    QHash<QString, QJsonObject> endpointOverrides; // endpoint -> strategies object

    // The effective scenario for one endpoint (defaults with that endpoint's overrides applied).
    Scenario forEndpoint(const QString &endpoint) const;

    // Whether any strategy is enabled, by default or for some endpoint, as the simulator counts it (routing with
    // rules or a router and not in mode off, batch with endpoints): a scenario that enables none ("{}", or only a
    // batch without endpoints) changes nothing (SimulateCommand refuses it as a usage error).
    bool enablesAnyStrategy() const;

    // Errors: Parse with the field at fault: an unknown key (a misspelt "ttl") or a value of the wrong
    // JSON type ("ttl_seconds": "5") anywhere but inside "routing.router" (RouterConfig's own reader),
    // named by its path, e.g. "strategies.exact_cache.ttl_seconds"; an out-of-range value.
    static Result<Scenario> fromJson(const QJsonObject &json);
    QJsonObject toJson() const;
};

} // namespace tl
