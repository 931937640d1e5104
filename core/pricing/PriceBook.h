#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "pricing/MatchRule.h"

#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTime>

#include <memory>
#include <optional>

namespace tl {

// A per-unit price with optional long-context tiers: `base` applies unless the request's input
// tokens exceed a tier's `start`, in which case that tier's price applies to the whole request
// (Anthropic and Google long-context pricing). Units: nano-USD per million tokens.
struct TieredPrice
{
    struct Tier
    {
        qint64 start = 0; // input tokens above which the tier applies
        NanoUsdPerMillion price = 0;
        bool operator==(const Tier &) const = default;
    };
    NanoUsdPerMillion base = 0;
    QList<Tier> tiers; // ascending start

    NanoUsdPerMillion at(qint64 inputTokens) const;
    bool operator==(const TieredPrice &) const = default;
};

// The token prices of one model, all optional (a missing price is not a zero price).
struct ModelPrices
{
    std::optional<TieredPrice> input;        // input_mtok
    std::optional<TieredPrice> cacheRead;    // cache_read_mtok
    std::optional<TieredPrice> cacheWrite;   // cache_write_mtok (Anthropic: the 5-minute write)
    std::optional<TieredPrice> cacheWrite1h; // cache_write_1h_mtok
    std::optional<TieredPrice> output;       // output_mtok
    std::optional<TieredPrice> inputAudio;   // input_audio_mtok
    std::optional<TieredPrice> outputAudio;  // output_audio_mtok
    std::optional<TieredPrice> inputImage;   // input_image_mtok
    std::optional<TieredPrice> cacheAudioRead;  // cache_audio_read_mtok (cached audio input tokens)
    std::optional<TieredPrice> cacheImageRead;  // cache_image_read_mtok (cached image input tokens)
    std::optional<TieredPrice> outputImage;     // output_image_mtok
    std::optional<TieredPrice> outputReasoning; // output_reasoning_mtok (Perplexity sonar-deep-research)
    std::optional<TieredPrice> outputCitation;  // output_citation_mtok (Perplexity sonar-deep-research)
    std::optional<TieredPrice> batchInput;   // not in genai-prices 0.1.8; overrides may set them
    std::optional<TieredPrice> batchOutput;
    // web_searches_kcount: nano-USD per 1,000 server-side web searches (genai-prices 0.1.8; e.g.
    // claude-sonnet-4-5: 10 USD per 1,000 = 10,000,000,000). Not tiered, not halved for the Batch API.
    std::optional<NanoUsd> webSearchesPerThousand;
    // requests_kcount: nano-USD per 1,000 requests, a fee per call on top of its tokens (genai-prices 0.1.8:
    // Perplexity sonar 12 USD per 1,000 = 12,000,000,000, sonar-pro 14 USD; the book's price_comments: the
    // fee varies with the search context size and the book takes the highest). Not tiered, not halved.
    std::optional<NanoUsd> requestsPerThousand;
    // storage_searches_kcount: nano-USD per 1,000 file search tool calls (Usage::fileSearchCalls; genai-prices
    // 0.1.8: 2.50 USD per 1,000 = 2,500,000,000 on the OpenAI models with file search, as OpenAI's pricing page
    // lists "File search tool call $2.50 / 1k calls"). Not tiered, not halved for the Batch API.
    std::optional<NanoUsd> fileSearchesPerThousand;
    // Keys of genai-prices 0.1.8 that no usage TokenLedger reads carries (input_video_mtok, output_video_mtok,
    // input_text_messages_kcount, audio_hours, input_audio_hours, input_document_kpages,
    // input_annotated_document_kpages): not loaded (docs/ledger.md, cost rules).

    bool operator==(const ModelPrices &) const = default;

    // The price book's JSON form: {"input_mtok": 2500000000, "output_mtok": {"base": .., "tiers": [..]}}
    // with integer nano-USD per million tokens.
    static ModelPrices fromJson(const QJsonObject &obj);
    QJsonObject toJson() const;
};

// One set of prices and when it applies: from a UTC start date on, and/or inside a daily UTC
// time window (off-peak prices).
struct PriceVariant
{
    std::optional<QDate> startDate;
    std::optional<QTime> windowStart;
    std::optional<QTime> windowEnd;
    ModelPrices prices;
};

struct ModelEntry
{
    QString id;
    QString name;
    MatchRule match;
    qint64 contextWindow = 0; // tokens, 0 when unknown
    bool deprecated = false;
    QList<PriceVariant> variants; // first one is the unconstrained default

    // The prices in force for a call started at `startedAtUtc`.
    const ModelPrices &pricesAt(const QDateTime &startedAtUtc) const;
};

struct ProviderEntry
{
    QString id;
    QString name;
    std::optional<MatchRule> modelMatch; // which model names this provider claims
    QStringList fallbackProviders;       // providers whose models it also serves (Azure: openai, ...)
    QList<ModelEntry> models;
};

// How a model name was resolved to a price-book entry.
struct ModelMatch
{
    const ProviderEntry *provider = nullptr;
    const ModelEntry *model = nullptr;
    // False when the name matched only after TokenLedger's own rewriting beyond the book's rules
    // (an unknown dated snapshot, a fine-tuned model priced at its base model): costs are then estimates.
    bool exact = true;
    QString note; // why it is not exact, for the user
};

// The price book: providers, models, match rules and prices, as generated by tools/gen_pricebook.py
// from pydantic/genai-prices (MIT). Loaded once, immutable afterwards: safe to share across threads.
// Errors: load() fails with Parse or Io when the file is missing or malformed.
class PriceBook
{
public:
    static Result<std::shared_ptr<const PriceBook>> load(const QString &path);
    // The book that ships inside the application (":/tokenledger/pricing/pricebook.json").
    static Result<std::shared_ptr<const PriceBook>> builtIn();

    QString version() const { return m_version; } // e.g. "genai-prices-0.1.8"
    QString source() const { return m_source; }
    const QList<ProviderEntry> &providers() const { return m_providers; }
    // The provider with this id, compared ignoring case ("OpenAI" is openai), or nullptr.
    const ProviderEntry *provider(QStringView id) const;

    // Resolves a model name (optionally with a provider id) following the book's own rules, then: the same rules
    // ignoring case ("GPT-4o" from a spreadsheet is gpt-4o, exact: case does not change a price; session 20,
    // such a call was unpriced), then:
    // a provider prefix ("openai/gpt-4o"), a dated snapshot the book does not list
    // ("gpt-4o-2099-01-01" -> "gpt-4o", estimated), and fine-tuned ids ("ft:BASE:org::id" at the
    // book's fine-tuned rate when listed, else at BASE's rate, estimated). Among matching entries,
    // the most specific rule wins (exact over prefix, longer prefix over shorter).
    std::optional<ModelMatch> resolve(const QString &provider, const QString &model) const;

private:
    std::optional<ModelMatch> resolveInBook(const QString &provider, const QString &model,
                                            Qt::CaseSensitivity cs = Qt::CaseSensitive) const;
    std::optional<ModelMatch> bestInProvider(const ProviderEntry &p, const QString &model, int *score,
                                             Qt::CaseSensitivity cs = Qt::CaseSensitive) const;

    QString m_version;
    QString m_source;
    QList<ProviderEntry> m_providers;
};

} // namespace tl
