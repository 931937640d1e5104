#pragma once

#include "common/Result.h"
#include "routing/RouterConfig.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace tl {

// The savings levers of issue #5 as the live proxy applies them to one endpoint (the
// X-TokenLedger-Endpoint value). Every lever is off by default.
struct EndpointSavings
{
    // Routing (core/routing): Off, Shadow (decide and record only) or On (rewrite the body's model).
    // `router` holds the tiers and complexity rules; the proxy overrides its per-endpoint modes with
    // `routeMode`, so this struct alone says what happens.
    routing::RouteMode routeMode = routing::RouteMode::Off;
    routing::RouterConfig router = routing::RouterConfig::defaults();
    // Explicit model rules (a scenario's "routing.rules", routing::ModelRule): under routeMode, tried
    // per request before the complexity router, first match wins, with the router's guards. Bounds are
    // checked on the request as it arrives: the local tokenizer's prompt count and the request's own
    // max_tokens / max_completion_tokens / max_output_tokens (a rule with max_completion_tokens never
    // matches a request without one); the simulator checks them on the recorded counts.
    QList<routing::ModelRule> routingRules;
    // Whether the complexity router acts on requests no rule matched. false when the stored routing
    // strategy has rules but no "router": only the rules route, as the simulator replays that scenario.
    bool complexityRouting = true;

    // Exact cache: set only when the policy names the endpoint; otherwise the proxy-wide CacheConfig
    // (the Proxy page's switch and TTL) applies.
    std::optional<bool> exactCache;
    std::optional<qint64> exactCacheTtlSeconds;

    // Semantic cache (core/semantic): hit when cosine >= threshold within the same scope and guards.
    bool semanticCache = false;
    double semanticThreshold = 0.95;
    qint64 semanticTtlSeconds = 3600;
    // "local" = semantic::LocalEmbedder on the proxy thread; anything else is a model of an
    // OpenAI-compatible /v1/embeddings endpoint reached through SavingsPolicy::embeddingUpstream.
    QString embeddingModel = QStringLiteral("local");

    // Prompt compression (core/compress): redundancy removal, then history trimming to the budget.
    bool compression = false;
    qint64 budgetTokens = 4000; // prompt tokens (tokenizer count) of the whole request
    QString summaryModel;       // "" = the router's nano tier model of the request's provider family
    bool removeRedundancy = true;

    bool operator==(const EndpointSavings &) const = default;
};

// The proxy's savings policy: per-endpoint levers with a default for other endpoints, plus the few
// proxy-wide switches. Thread affinity: none (a value type).
struct SavingsPolicy
{
    EndpointSavings defaults;
    QHash<QString, EndpointSavings> endpoints;

    // Record the semantic scope, guard signature and the LOCAL embedding of every eligible request
    // (OpenAI chat / Anthropic messages with text only) even when the semantic cache is off, so the
    // simulator can replay semantic hits. Cheap (about 1-2 us per character).
    bool recordEmbeddings = true;
    // Upstream id used for remote embeddings ("" = the first upstream that is not Anthropic).
    QString embeddingUpstream;
    // FewShotStore JSON file ("" = "<ledger>.fewshot.json" if it exists, else no example sets:
    // X-TokenLedger-FewShot is then ignored and logged).
    QString fewShotPath;
    // SQLite files; "" = beside the ledger: "<ledger>.semantic.sqlite" / "<ledger>.summaries.sqlite".
    QString semanticCachePath;
    QString summaryCachePath;

    const EndpointSavings &forEndpoint(const QString &endpoint) const;
    bool anyEnabled() const; // some endpoint routes, compresses or uses the semantic cache

    // The levers of one Scenario "strategies" object (core/simulate/Scenario.h; the Simulator page's
    // "apply to proxy" writes them):
    //   routing:        {"enabled", "mode": "off|shadow|on", "rules": [Scenario rule JSON, ...],
    //                   "router": RouterConfig JSON}; enabled without "mode" means "on"; not enabled
    //                   means "off". "rules" become routingRules; with rules and no "router" only the
    //                   rules route (complexityRouting false), otherwise the complexity router (the
    //                   defaults when "router" is absent) acts on requests no rule matched.
    //   exact_cache:    {"enabled", "ttl_seconds"}
    //   semantic_cache: {"enabled", "threshold", "ttl_seconds", "embedding_model"}
    //   compression:    {"enabled", "budget_tokens", "summary_model", "remove_redundancy"}
    //   batch:          ignored by the live proxy (Batch jobs are separate).
    // The object is validated with Scenario::fromJson first. Errors: Parse / InvalidArgument with the
    // member at fault.
    static Result<EndpointSavings> endpointFromStrategies(const QJsonObject &strategies);
    // The Settings value "proxy/savings_policy": {"default": strategies, "endpoints": {name: strategies}}
    // (other members ignored). The default's exact_cache is ignored: the Proxy page's switch governs
    // endpoints the policy does not name. An empty object gives the all-off policy.
    static Result<SavingsPolicy> fromSettingsJson(const QJsonObject &policy);
    // Reads proxy-wide members too: {"record_embeddings", "embedding_upstream", "few_shot_path", ...}
    // (the headless command's --config "savings" object) and then fromSettingsJson on the same object.
    static Result<SavingsPolicy> fromConfigJson(const QJsonObject &config);

    // The Settings key the Simulator page's "apply to proxy" writes (compact JSON text) and the proxy
    // (app and headless command) reads.
    static constexpr const char *settingsKey = "proxy/savings_policy";
    // fromSettingsJson() of the stored text; empty text gives the all-off policy. Errors: Parse (not a
    // JSON object) and those of fromSettingsJson().
    static Result<SavingsPolicy> fromSettingsText(const QByteArray &text);

    // One line per lever in force for an endpoint, for the Proxy page and the headless command
    // ("routing on", "routing rule 1: gpt-4o, <= 500 prompt tokens, max tokens <= 200 -> gpt-4o-mini",
    // "semantic cache >= 0.95, TTL 3600 s, local embeddings", ...); "all off" when none.
    static QStringList describe(const EndpointSavings &e);
};

} // namespace tl
