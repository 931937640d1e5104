#pragma once

#include "ledger/CallRecord.h"
#include "pricing/PriceBook.h"

#include <QHash>
#include <QMutex>
#include <QList>

#include <memory>

namespace tl {

// A user's own price for a model; wins over the book. Identified by provider ("" = any) and exact
// model name. `revision` increases on every change so each cost can name the override it used.
struct PriceOverride
{
    QString provider;
    QString model;
    ModelPrices prices;
    qint64 revision = 0;
    QString note;
};

// Maps a name the API reports (an Azure deployment "prod-gpt4o") to a priced model ("gpt-4o"), whichever
// provider reported it; `provider` is the price-book provider of the target ("" = resolve by name).
struct ModelAlias
{
    QString alias;
    QString provider;
    QString model;
};

// The band of prompt tokens every call of an aggregate line fell in: above < tokens <= upTo. Provider
// usage reports give it as text (Anthropic usage report "context_window": "0-200k", "200k-1M").
struct ContextBand
{
    qint64 above = 0;
    qint64 upTo = 0;
    bool operator==(const ContextBand &) const = default;
};

// "0-200k" -> {0, 200000}, "200k-1M" -> {200000, 1000000} (k = 1,000, M = 1,000,000, case-insensitive);
// nullopt for an empty or unreadable band.
std::optional<ContextBand> parseContextWindow(QStringView text);

struct CostResult
{
    std::optional<NanoUsd> cost; // nullopt: unpriced
    CostStatus status = CostStatus::Unpriced;
    QString priceEntry;   // "openai/gpt-4o" or "override/gpt-4o"
    QString priceVersion; // book version, or "override-r<revision>"
    QString note;         // why the cost is an estimate or unpriced
};

// Prices usage with a price book plus the user's overrides and aliases. Immutable: build a new one
// when overrides change and share it (std::shared_ptr<const Pricer>) across threads.
//
// Cost rules (all amounts nano-USD; prices nano-USD per million tokens; rounded once per call):
//  - uncached input (prompt - cached - cache writes) at the input price;
//  - cached input (cache reads) at the cache-read price (input price if the book has none: estimate);
//  - 5-minute cache writes at cache_write_mtok, 1-hour writes at cache_write_1h_mtok (if missing:
//    Anthropic documents 2x the base input price; estimate);
//  - completion tokens (reasoning included, billed once) at the output price; the parts the model prices
//    apart (reasoning at output_reasoning_mtok, Perplexity citation tokens at output_citation_mtok, output
//    image tokens at output_image_mtok) at those prices, the rest at the output price;
//  - audio/image tokens, subsets of prompt/completion, at their own prices where the book has them; their
//    cached parts at cache_audio_read_mtok / cache_image_read_mtok (cached audio without that price: with
//    the other cache reads, estimate);
//  - long-context tiers: when prompt tokens exceed a tier's start, that tier's prices apply to the
//    whole request; an aggregate line (callCount != 1) selects it from its ContextBand when the band
//    decides it (no tier starts inside the band: exact), else from the average prompt per call or the
//    base tier (estimated);
//  - Batch API: the book's batch prices if given, else 50% of every token price (OpenAI and
//    Anthropic Batch API pricing pages);
//  - web searches at web_searches_kcount per 1,000 (not halved for the Batch API: Anthropic's
//    batch discount is on tokens); searches on a model with no such price: unpriced, unless the model has a
//    per-request fee (Perplexity sonar: the fee covers its searches);
//  - file search tool calls (OpenAI Responses file_search_call items, Usage::fileSearchCalls) at
//    storage_searches_kcount per 1,000 ($2.50 per 1,000 on OpenAI's models), not halved for the Batch API;
//    calls on a model with no such price: unpriced;
//  - a per-request fee at requests_kcount per 1,000, once per call (callCount for an aggregate; unknown
//    count: left out, estimate), not halved; Perplexity's is the book's highest fee, so such a cost from the
//    book is an estimate (the book's price_comments).
// Overflow: all arithmetic is checked (PerMillionSum::checked); a cost beyond kMaxRecordCost (2^53
// nano-USD) is unpriced with a note, never a wrapped or untrusted figure.
// Usage is in TokenLedger's normalised form (see Usage in CallRecord.h).
class Pricer
{
public:
    explicit Pricer(std::shared_ptr<const PriceBook> book, QList<PriceOverride> overrides = {},
                    QList<ModelAlias> aliases = {});

    const PriceBook &book() const { return *m_book; }
    std::shared_ptr<const PriceBook> bookPtr() const { return m_book; }
    const QList<PriceOverride> &overrides() const { return m_overrides; }
    const QList<ModelAlias> &aliases() const { return m_aliases; }

    // callCount != 1 prices an aggregate of that many calls (provider usage reports; 0 = unknown).
    CostResult price(const QString &provider, const QString &model, const Usage &usage, qint64 startedAtUs,
                     bool batch, qint64 callCount = 1, std::optional<ContextBand> band = {}) const;

    // Whether a call of `model` on `provider` (as price() takes them: aliases and overrides first) could be sent
    // through a Batch API at a batch rate, for the simulator's Batch API projection: true when the prices that
    // would be used carry batch prices (an override's batchInput), or when the price-book provider (else the
    // provider as given) is one whose Batch API is documented at 50% of list:
    //  - openai: "Batch API ... 50% discount" (OpenAI API pricing page, Batch API guide);
    //  - anthropic: "Message Batches API ... 50% of standard API prices" (Anthropic pricing, batch processing);
    //  - google: Gemini API Batch Mode, "50% less than the standard rate" (Google for Developers blog, 2025-07-07);
    //  - azure: Azure OpenAI global batch, "50% less cost than global standard" (Microsoft Learn, batch how-to);
    //  - mistral: Batch API at 50% of list (Mistral La Plateforme pricing).
    // Any other (deepseek, groq, xai, ...): false, so the simulator never books a discount the provider has no
    // product for. The list is this version's; an override with batch prices adds a model.
    bool offersBatchApi(const QString &provider, const QString &model) const;

    // Fills cost, costStatus, priceEntry, priceVersion (and savedCost for cache hits, whose own
    // cost is zero) from the record's served model (requested model if none), usage and context
    // window band. An estimated usage makes an otherwise exact cost "estimated". Unknown usage
    // (UsageStatus::Unknown) and usage still pending (UsageStatus::Pending: a background response) are
    // unpriced (cost nullopt), except, for Unknown, an exact cache hit, which is never
    // billed. Usage that cannot be true (usageProblem(), e.g. cache reads above the prompt, a negative
    // or fractional count) is not kept: the counts become 0, usageStatus Invalid, the cost unpriced, and
    // a warning names the record's sourceRef and the problem (category tokenledger.pricing).
    // A cache hit costs 0 and saves what the call would have cost, with that cost's status: a hit on a
    // model without a price is unpriced (cost nullopt, saving unknown: savedCost 0), a hit whose price
    // is an estimate is estimated.
    void apply(CallRecord &record) const;

    // The arithmetic alone, exposed for tests. Returns nullopt if a token class with a non-zero
    // count has no price at all, or (with `overflow` set) when the cost overflows or exceeds
    // kMaxRecordCost; `estimated` is set when a fallback price was used.
    static std::optional<NanoUsd> compute(const ModelPrices &prices, const Usage &usage, bool batch,
                                          bool anthropicCacheRules, bool *estimated, qint64 callCount = 1,
                                          std::optional<ContextBand> band = {}, bool *overflow = nullptr);

private:
    std::optional<ModelMatch> resolveCached(const QString &provider, const QString &model) const;

    std::shared_ptr<const PriceBook> m_book;
    QList<PriceOverride> m_overrides;
    QList<ModelAlias> m_aliases;
    // Model resolution walks every rule of the book; remember answers (names repeat constantly).
    mutable QMutex m_cacheMutex;
    mutable QHash<QString, std::optional<ModelMatch>> m_resolved;
};

// The processing tier a provider says it served a call on (the answer's or usage line's service_tier), as the
// record keeps it:
//  - OpenAI "flex": billed at Batch API rates ("Flex processing": "Tokens are priced at Batch API rates",
//    OpenAI guide, 2025), so record.batch is set (the Batch API price rule of Pricer applies, and the saving
//    against the list price is the record's) and the tag kFlexTierTag says why;
//  - Anthropic "batch" (Message Batches results): record.batch;
//  - OpenAI and Anthropic "priority": billed above the list price, which genai-prices 0.1.8 does not have: the
//    record gets kPriorityTierTag and Pricer::apply() makes its cost "estimated" (the list price, a lower
//    bound), never "exact";
//  - anything else ("default", "auto", "standard", "scale", ""): list prices, no change.
// Call before Pricer::apply(). Thread-safe (touches only `record`).
inline constexpr QLatin1StringView kFlexTierTag{"service-tier:flex"};
inline constexpr QLatin1StringView kPriorityTierTag{"service-tier:priority"};
void applyServiceTier(CallRecord &record, QStringView tier);

} // namespace tl
