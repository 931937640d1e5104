#pragma once

#include "common/Result.h"
#include "routing/RoutingFeatures.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace tl::routing {

// One complexity rule. All conditions that are set must hold (AND); a rule with no condition matches
// every request (use it last, as the default). Rules are tried in order; the first match wins.
struct ComplexityRule
{
    QString name; // shown in the UI and recorded as the decision's matched rule
    QStringList taskTypes; // any-of, compared case-insensitively with the task type; empty = any task type
    std::optional<qint64> minInputChars; // inputChars >= this (code points)
    std::optional<qint64> maxInputChars; // inputChars <  this (code points), "under N characters"
    std::optional<qint64> maxOutputTokens; // max output tokens present AND < this; absent never matches
    // Any-of, case-insensitive (Unicode case folding). A keyword with a CJK (or other non-Latin
    // letter) character matches as a plain substring; a keyword that starts with a Latin letter or
    // digit must start at a word boundary (the character before is not a letter or digit) and may
    // continue ("infer" matches "inferred", not "chinfer"). Empty = no keyword condition.
    QStringList keywords;
    Complexity result = Complexity::Medium;

    bool operator==(const ComplexityRule &) const = default;

    // {"name":..,"task_types":[..],"min_input_chars":N,"max_input_chars":N,"max_output_tokens":N,
    //  "keywords":[..],"complexity":"low|medium|high"}; absent members = no condition.
    QJsonObject toJson() const;
    // Errors: InvalidArgument naming the member (missing/unknown complexity, negative numbers, a
    // non-string keyword or task type, an empty name).
    static Result<ComplexityRule> fromJson(const QJsonObject &o);
};

// An explicit model rule: a scenario's "routing.rules" entry (core/simulate/Scenario.h RoutingRule,
// docs/examples/azure-routing-scenario.json) as the live proxy applies it. A request matching every
// condition that is set goes to `routeTo`; conditions left empty / at -1 match everything. Rules are
// tried in order before the complexity rules, and the first match wins (Router::decide).
//
// The live counterpart of the simulator's recorded counts: the simulator checks the bounds against a
// recorded call's prompt and completion tokens; the proxy checks them against the request as it arrives:
//  - maxPromptTokens: the local tokenizer's count of the whole request (RoutingFeatures::
//    estimatedPromptTokens, tokenizer::ChatTokenCounter), the count the context-window guard uses; an
//    unknown count (no tokenizer for the model) never matches;
//  - maxCompletionTokens: the request's own bound (max_tokens / max_completion_tokens /
//    max_output_tokens, RoutingFeatures::maxOutputTokens) must be present AND at most this. A request
//    without a bound never matches, since it may ask for any length; a request with max_tokens 100
//    matches a rule of 200 even if the answer is shorter.
//  - maxPromptChars: the request's prompt characters (RoutingFeatures::promptChars, the ledger's
//    CallRecord::promptChars of the call); unknown (-1) never matches.
// A rule never matches a request for its own target (the simulator's rule: routing to the same model
// is no routing), so such a request falls through to the next rule and the complexity router.
struct ModelRule
{
    QString model;                   // exact requested model, as the client sent it ("" = any)
    QStringList endpoints;           // X-TokenLedger-Endpoint values (empty = any)
    QStringList taskTypes;           // X-TokenLedger-Task values, exact (empty = any; no header = no match)
    qint64 maxPromptTokens = -1;     // at most this many prompt tokens (tokenizer count)
    qint64 maxCompletionTokens = -1; // the request's max output tokens present and at most this
    qint64 maxPromptChars = -1;      // at most this many prompt characters
    QString routeTo;                 // target model id as sent upstream
    // "" = the request's provider family. Another provider is simulated (re-priced there) but cannot
    // be served live (the request goes to its own upstream): the proxy blocks it (OtherProvider).
    QString routeToProvider;

    bool operator==(const ModelRule &) const = default;

    // One line for the user, e.g. "gpt-4o-2024-08-06, <= 500 prompt tokens, max tokens <= 200 ->
    // gpt-4o-mini-2024-07-18" (translated: QObject::tr).
    QString describe() const;
};

// What a model accepts. Requests that use something the target lacks are not routed to it.
struct Capabilities
{
    bool images = true;
    bool audio = false;
    bool tools = true;
    bool structuredOutput = true;
    bool operator==(const Capabilities &) const = default;
};

// A tier's model for one provider family.
struct TierModel
{
    QString model; // model id as sent upstream, e.g. "gpt-4.1-nano"
    qint64 contextWindow = 0; // tokens; 0 = take it from the price book (unknown there = never routed to)
    Capabilities capabilities;
    bool operator==(const TierModel &) const = default;
};

// Per endpoint routing settings.
struct EndpointRouting
{
    RouteMode mode = RouteMode::Off;
    QString defaultTaskType; // used when the request has no X-TokenLedger-Task header; "" = none
    std::optional<QList<ComplexityRule>> rules; // unset = RouterConfig::defaultRules()
    // false (default): a request is only moved to a model that is not dearer than the requested one
    // in input AND output price and cheaper in at least one (see Router.h). true: complexity decides
    // alone, a simple request for gpt-4.1-nano with complexity "high" goes to the premium model.
    bool allowCostIncrease = false;
    bool operator==(const EndpointRouting &) const = default;
};

// The router's whole configuration: tiers per provider family, the complexity -> tier map, and the
// per-endpoint settings with a "*" entry for endpoints without their own.
//
// JSON shape (version 1; every member optional, missing ones take the defaults()):
// {
//   "version": 1,
//   "tiers": {
//     "openai":    {"nano":     {"model": "gpt-4.1-nano", "context_window": 0,
//                                "capabilities": ["images", "tools", "structured_output"]},
//                   "standard": {...}, "premium": {...}},
//     "anthropic": {...}
//   },
//   "complexity_tiers": {"low": "nano", "medium": "standard", "high": "premium"},
//   "endpoints": {
//     "*":       {"mode": "off"},
//     "support": {"mode": "shadow", "task_type": "classification", "allow_cost_increase": false,
//                 "rules": [ComplexityRule JSON, ...]}
//   }
// }
// "capabilities" lists what the model accepts out of "images", "audio", "tools", "structured_output".
// "context_window" 0 or absent: from the price book.
//
// Default tiers (models present in the built-in price book, genai-prices 0.1.8; context windows from
// there): openai nano gpt-4.1-nano, standard gpt-4.1-mini, premium gpt-4.1 (non-reasoning models
// that accept the same parameters as gpt-4o: temperature, max_tokens); anthropic nano
// claude-haiku-4-5, standard claude-sonnet-4-5, premium claude-opus-4-5. Audio input is off for all
// of them; structured output is off for claude-haiku-4-5 (conservative).
struct RouterConfig
{
    // family ("openai", "anthropic", ... = price-book provider id) -> tier models indexed by ModelTier.
    QMap<QString, std::array<TierModel, 3>> tiers;
    // Complexity (index) -> tier. Default low->nano, medium->standard, high->premium.
    std::array<ModelTier, 3> complexityTiers {ModelTier::Nano, ModelTier::Standard, ModelTier::Premium};
    QMap<QString, EndpointRouting> endpoints; // "*" = default for other endpoints

    bool operator==(const RouterConfig &) const = default;

    // Default tiers, the complexity map, and endpoints = {"*": mode off, default rules}.
    static RouterConfig defaults();

    // The seed design's rules, in this order (first match wins):
    //  1 "low-task-types": task type classification | sentiment | entity_extraction |
    //    entity-extraction -> low. An explicit task declaration is the strongest signal.
    //  2 "code-short": task type code_generation | code, input < 300 chars -> medium.
    //  3 "code-long":  task type code_generation | code -> high. Code rules precede the word rules
    //    so a long code request that asks "why" stays high.
    //  4 "reasoning-words": 分析 推断 原因 为什么 比较 权衡 analyze analyse analysis infer why compare
    //    comparison trade-off tradeoff "trade off" -> medium. Before the short-input rule, so a short
    //    question that asks for reasoning is medium, as the issue says ("reasoning words make it medium").
    //  5 "short-input-short-output": input < 500 chars AND max output tokens < 200 -> low (absent
    //    max tokens: no match).
    //  6 "default": -> medium.
    static QList<ComplexityRule> defaultRules();

    // The settings for an endpoint: its own entry, else "*", else Off with default rules.
    EndpointRouting endpoint(const QString &endpoint) const;
    // The rules in force for an endpoint (its own, else defaultRules()).
    QList<ComplexityRule> rulesFor(const QString &endpoint) const;
    ModelTier tierFor(Complexity c) const { return complexityTiers[int(c)]; }

    QJsonObject toJson() const;
    // Errors: InvalidArgument with the JSON path of the first problem ("endpoints.support.rules[2]:
    // unknown complexity \"hgh\""), Unsupported for a version above 1. Missing members take defaults.
    static Result<RouterConfig> fromJson(const QJsonObject &o);
};

} // namespace tl::routing
