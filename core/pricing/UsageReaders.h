#pragma once

// The field mapping behind ProviderUsage::fromOpenAiChat / fromOpenAiResponses / fromAnthropic (their
// contracts, and the API references they follow, are in ProviderUsage.h), written once over any view of a
// JSON object, so a caller that has parsed the answer with another parser (the proxy: simdjson) reads the
// same members with the same rules without building a QJsonObject.
//
// A view type R provides:
//   qint64 num(QLatin1StringView key) const   the member as a whole number of tokens: 0 when missing or null,
//                                             kMalformedUsageCount when it is anything else but a number with a
//                                             whole value in qint64 range (QJsonValue::toInteger's rule)
//   R object(QLatin1StringView key) const     the member when it is an object, else an empty object
//   bool contains(QLatin1StringView key) const whether the member is present (null included)
// When a key repeats in an object, the last occurrence counts (as in QJsonObject).
// Pure functions of the view; thread-safe when the view is.

#include "ledger/CallRecord.h"

#include <QLatin1StringView>

namespace tl::ProviderUsage::detail {

template <class R>
Usage readOpenAiChat(const R &u)
{
    using namespace Qt::StringLiterals;
    Usage usage;
    usage.promptTokens = u.num("prompt_tokens"_L1);
    usage.completionTokens = u.num("completion_tokens"_L1);
    const R in = u.object("prompt_tokens_details"_L1);
    usage.cachedTokens = in.num("cached_tokens"_L1);
    usage.cacheWrite5mTokens = in.num("cache_write_tokens"_L1);
    usage.audioInputTokens = in.num("audio_tokens"_L1);
    const R out = u.object("completion_tokens_details"_L1);
    usage.reasoningTokens = out.num("reasoning_tokens"_L1);
    usage.audioOutputTokens = out.num("audio_tokens"_L1);
    // Perplexity (genai-prices 0.1.8 perplexity extractor): reasoning_tokens, citation_tokens and
    // num_search_queries at the top of usage, reasoning and citation tokens beside completion_tokens (added
    // by normaliseForProvider).
    if (!out.contains("reasoning_tokens"_L1))
        usage.reasoningTokens = u.num("reasoning_tokens"_L1);
    usage.citationTokens = u.num("citation_tokens"_L1);
    usage.webSearchRequests = u.num("num_search_queries"_L1);
    return usage;
}

template <class R>
Usage readOpenAiResponses(const R &u)
{
    using namespace Qt::StringLiterals;
    Usage usage;
    usage.promptTokens = u.num("input_tokens"_L1);
    usage.completionTokens = u.num("output_tokens"_L1);
    const R in = u.object("input_tokens_details"_L1);
    usage.cachedTokens = in.num("cached_tokens"_L1);
    usage.cacheWrite5mTokens = in.num("cache_write_tokens"_L1);
    usage.reasoningTokens = u.object("output_tokens_details"_L1).num("reasoning_tokens"_L1);
    return usage;
}

template <class R>
Usage readAnthropic(const R &u)
{
    using namespace Qt::StringLiterals;
    Usage usage;
    const qint64 input = u.num("input_tokens"_L1);
    const qint64 read = u.num("cache_read_input_tokens"_L1);
    const qint64 write = u.num("cache_creation_input_tokens"_L1);
    usage.cachedTokens = read;
    const R creation = u.object("cache_creation"_L1);
    if (creation.contains("ephemeral_5m_input_tokens"_L1) || creation.contains("ephemeral_1h_input_tokens"_L1)) {
        usage.cacheWrite5mTokens = creation.num("ephemeral_5m_input_tokens"_L1);
        usage.cacheWrite1hTokens = creation.num("ephemeral_1h_input_tokens"_L1);
        // Parts that split less than the total: the tokens no part names are written at the 5-minute TTL,
        // Anthropic's default (prompt caching: `"ttl": "5m"` unless asked otherwise), so none go unbilled.
        const qint64 named = usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
        if (u.contains("cache_creation_input_tokens"_L1) && write < kMaxUsageCount && usage.cacheWrite5mTokens >= 0
            && usage.cacheWrite1hTokens >= 0 && named < write)
            usage.cacheWrite5mTokens += write - named;
    } else {
        usage.cacheWrite5mTokens = write;
    }
    usage.completionTokens = u.num("output_tokens"_L1);
    usage.webSearchRequests = u.object("server_tool_use"_L1).num("web_search_requests"_L1);
    const qint64 parts[] = {input, read, usage.cacheWrite5mTokens, usage.cacheWrite1hTokens};
    for (qint64 part : parts) {
        // A malformed or out-of-range part makes the whole prompt count so (no overflowing sum).
        if (part < 0 || part >= kMaxUsageCount) {
            usage.promptTokens = part;
            return usage;
        }
    }
    usage.promptTokens = input + read + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
    if (u.contains("cache_creation_input_tokens"_L1) && write >= 0 && write < kMaxUsageCount
        && usage.cacheWrite5mTokens + usage.cacheWrite1hTokens > write) {
        // The per-TTL parts exceed the total they split: the prompt counts the total, so usageProblem()
        // reports the parts exceeding it.
        usage.promptTokens = input + read + write;
    }
    return usage;
}

} // namespace tl::ProviderUsage::detail
