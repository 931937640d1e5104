#pragma once

#include "common/Money.h"

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <limits>
#include <optional>

namespace tl {

// Whether a record's cost is known exactly, estimated (e.g. usage counted by the local tokenizer) or
// unknown because no price matched the model ("unpriced": cost is NULL, never 0).
enum class CostStatus : int { Exact = 0, Estimated = 1, Unpriced = 2 };

// Whether the usage numbers are the provider's own (Complete), estimated locally, or unknown.
// Invalid: the provider (or a file) gave usage that cannot be true (see usageProblem()); the counts
// are not kept (all 0) and the cost is unpriced, never a wrong exact figure.
// Pending: the provider reports the usage later (an OpenAI background response, queued or in progress
// when created); the counts are 0 and the cost NULL until a retrieve through the proxy settles it
// (PendingUsage), never $0.
enum class UsageStatus : int { Complete = 0, Estimated = 1, Unknown = 2, Incomplete = 3, Invalid = 4, Pending = 5 };

enum class CacheOutcome : int { None = 0, Miss = 1, ExactHit = 2, SemanticHit = 3, Bypass = 4 };

// Where a record came from.
enum class SourceKind : int { Proxy = 0, ImportFile = 1, BatchJob = 2, ProviderReport = 3 };

QString toString(CostStatus s);
QString toString(UsageStatus s);
QString toString(CacheOutcome s);
QString toString(SourceKind s);
std::optional<CostStatus> costStatusFromString(QStringView s);
std::optional<UsageStatus> usageStatusFromString(QStringView s);
std::optional<CacheOutcome> cacheOutcomeFromString(QStringView s);
std::optional<SourceKind> sourceKindFromString(QStringView s);

// Token usage as billed, in tokens. Semantics are normalised to one convention regardless of provider:
//  - promptTokens: every input token, INCLUDING cache reads and cache writes (OpenAI's prompt_tokens;
//    for Anthropic, input_tokens + cache_read_input_tokens + cache_creation_input_tokens).
//  - cachedTokens: input tokens read from the provider's prompt cache (OpenAI cached_tokens,
//    Anthropic cache_read_input_tokens); a subset of promptTokens.
//  - cacheWrite5mTokens / cacheWrite1hTokens: input tokens written to the cache with a 5-minute or
//    1-hour TTL (Anthropic cache_creation); a subset of promptTokens.
//  - completionTokens: every output token INCLUDING reasoning tokens (OpenAI completion_tokens,
//    Anthropic output_tokens); reasoningTokens is the reasoning subset, billed once as output.
//  - audio/image: subsets of prompt/completion that some models price differently.
//  - cachedAudioTokens / cachedImageTokens: the audio / image input tokens read from the prompt cache, a
//    subset of both cachedTokens and audioInputTokens / imageInputTokens (OpenAI usage report
//    input_cached_audio_tokens / input_cached_image_tokens; Realtime usage
//    input_token_details.cached_tokens_details); genai-prices cache_audio_read_tokens, priced by
//    cache_audio_read_mtok / cache_image_read_mtok.
//  - outputImageTokens: image tokens the model generated, a subset of completionTokens (OpenAI usage
//    report output_image_tokens), priced by output_image_mtok where the model has it.
//  - citationTokens: Perplexity's citation tokens, a subset of completionTokens once normalised (Perplexity
//    reports them beside completion_tokens; ProviderUsage::normaliseForProvider adds them), priced by
//    output_citation_mtok where the model has it. Reasoning and citation tokens do not overlap.
//  - webSearchRequests: server-side web searches the provider ran and bills per search (Anthropic
//    usage.server_tool_use.web_search_requests; genai-prices maps it to web_searches, priced by
//    web_searches_kcount). A count of searches, not tokens.
//  - fileSearchCalls: file search tool calls the provider ran and bills per call (OpenAI Responses API: each
//    `file_search_call` output item; OpenAI pricing "Built-in tools": file search tool call $2.50 per 1,000
//    calls; genai-prices 0.1.8 storage_searches_kcount). A count of calls, not tokens (schema v16).
// Accepted values: see usageProblem().
struct Usage
{
    qint64 promptTokens = 0;
    qint64 cachedTokens = 0;
    qint64 cacheWrite5mTokens = 0;
    qint64 cacheWrite1hTokens = 0;
    qint64 completionTokens = 0;
    qint64 reasoningTokens = 0;
    qint64 audioInputTokens = 0;
    qint64 audioOutputTokens = 0;
    qint64 imageInputTokens = 0;
    qint64 webSearchRequests = 0;
    qint64 cachedAudioTokens = 0;
    qint64 cachedImageTokens = 0;
    qint64 outputImageTokens = 0;
    qint64 citationTokens = 0;
    qint64 fileSearchCalls = 0;

    qint64 uncachedInputTokens() const
    {
        return promptTokens - cachedTokens - cacheWrite5mTokens - cacheWrite1hTokens;
    }
    qint64 totalTokens() const { return promptTokens + completionTokens; }
    bool operator==(const Usage &) const = default;
};

// The largest count (tokens, or web or file searches) a record may carry: 2^40 (about 1.1e12). More is no real
// call or day of an organisation; the bound keeps every per-record cost computation far from qint64's
// range and lets the ledger's SQL SUM over 2^23 (8.4 million) records at the bound still fit.
inline constexpr qint64 kMaxUsageCount = qint64(1) << 40;

// The longest latency or time to first token an imported record may carry, in microseconds: 2^40 (about
// 12.7 days). The rollups sum latencies per hour and group (qint64, and SQLite's SUM), so 2^23 (8.4 million)
// calls at the bound still fit; before session 19 a CSV latency_ms of 5e15 (or "nan", read as INT64_MIN)
// was stored and two such calls wrapped the group's sum (its average then read as unknown).
inline constexpr qint64 kMaxLatencyUs = qint64(1) << 40;

// What usage parsers (ProviderUsage, the report importers) store for a count the source gave in a form
// that is no whole number (1000.7, "1000", true, an object): usageProblem() rejects it.
inline constexpr qint64 kMalformedUsageCount = std::numeric_limits<qint64>::min();

// Why `usage` cannot be true, or an empty string when it can: every count must be a whole number in
// [0, kMaxUsageCount); cache reads + cache writes must not exceed the prompt tokens, nor audio + image
// input tokens; cached audio + cached image tokens must not exceed the cache reads, and each its modality's
// input tokens; reasoning + citation tokens, and audio + image output tokens, must not exceed the completion
// tokens. The text names
// the field(s) and values, in English (logs and import reports).
QString usageProblem(const Usage &usage);

// The request and response bodies of one proxy call, kept (table call_text, schema v9) only for the
// endpoints where the user turned text storage on (ProxyConfig::storeTextEndpoints). `request` is the
// JSON body the client sent (no headers, so no keys); `response` is the upstream's JSON answer, or for a
// stream the answer assembled from its events (ProviderProtocol's StreamAccounting::assembled()); both
// UTF-8 bytes. Empty for every other record.
struct CallText
{
    QByteArray request;
    QByteArray response;
    bool isEmpty() const { return request.isEmpty() && response.isEmpty(); }
    bool operator==(const CallText &) const = default;
};

// What the proxy's savings pipeline (docs/savings.md) did, or in shadow mode would have done, for one
// call. Kept in the ledger's call_savings table (schema v5) so the simulator can replay the same
// decisions the live proxy makes. Empty for imported and batch records.
struct SavingsTrace
{
    QString complexity;  // router's classification: "low", "medium", "high"; "" = not classified
    QString routeMode;   // "off", "shadow", "on", "pinned" (X-TokenLedger-Route: off); "" = no router
    QString routedModel; // the router's choice (shadow: would have served; on: served); "" = none
    qint64 tokensBeforeCompression = -1; // prompt tokens (tokenizer count) before compression; -1 = not run
    qint64 tokensAfterCompression = -1;  // ... and after; equal when nothing was dropped
    QString fewShotSet;         // X-TokenLedger-FewShot set name; "" = none
    int fewShotExamples = 0;    // examples inserted
    qint64 fewShotTokens = 0;   // tokens of the inserted examples
    qint64 fewShotSetTokens = 0; // tokens of the whole set (what sending every example would add)
    QString semanticScope;   // hex hash: caller, model, system prompt, parameters, earlier conversation
    QString guardSignature;  // numbers, negations and quoted literals that must agree for a semantic hit
    // The embedder's model key with its dimension, e.g. "tokenledger-local-ngram-v1/512"; "" = none.
    QString embeddingModel;
    // float32 little-endian, L2-normalised: the whole-request vector (dims floats), optionally followed
    // by the final user message's focus vector (another dims floats; see semantic::SemanticIndex).
    // Empty = none.
    QByteArray embedding;

    bool isEmpty() const
    {
        return complexity.isEmpty() && routeMode.isEmpty() && routedModel.isEmpty() && tokensBeforeCompression < 0
            && tokensAfterCompression < 0 && fewShotSet.isEmpty() && semanticScope.isEmpty()
            && guardSignature.isEmpty() && embeddingModel.isEmpty() && embedding.isEmpty();
    }
    bool operator==(const SavingsTrace &) const = default;
};

// One LLM API call (or, for provider reports, one aggregate line) in the ledger.
// Timestamps are UTC microseconds since the Unix epoch; latencies are microseconds; sizes bytes.
struct CallRecord
{
    qint64 id = 0; // assigned by the ledger; 0 before insert
    qint64 startedAtUs = 0;
    QString endpoint = QStringLiteral("untagged"); // product feature that made the call
    QStringList tags;
    QString provider;       // price-book provider id: "openai", "anthropic", ...
    QString requestedModel; // as the client asked
    QString servedModel;    // as the provider answered (or the routed model)
    QString keyId;          // salted hash of the API key (never the key); "" when unknown
    Usage usage;
    UsageStatus usageStatus = UsageStatus::Complete;
    // Aggregate lines of a provider usage report: the context-window band every call of the line fell
    // in, as the report names it (Anthropic usage report "context_window": "0-200k", "200k-1M"); ""
    // when not given. The pricer selects the long-context tier from it (Pricer::apply).
    QString contextWindow;

    std::optional<NanoUsd> cost; // nullopt <=> unpriced
    CostStatus costStatus = CostStatus::Unpriced;
    QString priceEntry;   // "openai/gpt-4o" (provider/model id of the price used), "" if unpriced,
                          // "given:<source>" when the cost came with the data (kept on re-pricing),
                          // "free:<what>" for a call no provider bills (cost 0; kept on re-pricing)
    QString priceVersion; // "genai-prices-0.1.8", or "override:<n>" for a user override

    qint64 latencyUs = -1; // total, -1 unknown
    qint64 ttftUs = -1;    // time to first token for streams, -1 unknown / not a stream
    int httpStatus = 200;  // 0 when unknown (imports)
    QString errorKind;     // "" if the call succeeded; else e.g. "rate_limit", "timeout", "upstream_5xx"

    // The answer was cut by a token limit: finish_reason "length" / stop_reason "max_tokens", or a Responses
    // API status "incomplete" (schema v12). The live caches do not store such an answer
    // (CacheConfig::storeTruncated off), so the simulator does not either.
    bool truncated = false;

    CacheOutcome cacheOutcome = CacheOutcome::None;
    NanoUsd savedCost = 0;  // a cache hit: what it would have cost; a Batch API call: list cost - batch cost
    double similarity = 0;  // semantic hits: the similarity score

    bool batch = false;
    // Calls this record stands for: 1 for a call; N for an aggregate line of a provider usage report;
    // 0 for a billing line (cost report) that is money, not calls.
    qint64 callCount = 1;
    SourceKind sourceKind = SourceKind::ImportFile;
    QString sourceRef; // "file.csv:42", "batch:<id>", "proxy"
    QString sourceKey; // unique per origin: re-importing the same row is a no-op; "" = always insert
    // Import only: the key an older TokenLedger gave the same row (a CSV row imported with --set values before
    // session 13, whose key also hashed them); a row stored under it is a duplicate too. Not stored. "" = none.
    QString formerSourceKey;

    // Request features the proxy and the simulator use (0 / empty when unknown).
    qint64 requestBytes = 0;
    qint64 responseBytes = 0;
    QString requestHash; // hex hash of the canonical request (exact-cache key, without caller)
    qint64 promptChars = 0;
    int messageCount = 0;
    qint64 maxTokens = 0;
    bool hasTools = false;
    QString taskType;
    // Proxy records: the HTTP method and the request target's path without its query, as the client
    // sent them ("POST /v1/chat/completions", "GET /v1/models"); the live request log shows it. Live
    // only: not stored in the ledger (empty for records read back from it, imports and batches).
    QString requestPath;

    SavingsTrace savings; // proxy records only
    CallText text;        // proxy records of text-storing endpoints only
};

} // namespace tl

Q_DECLARE_METATYPE(tl::CallRecord)
