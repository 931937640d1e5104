#pragma once

#include "ledger/CallRecord.h"

#include <QAnyStringView>
#include <QJsonArray>
#include <QJsonObject>

namespace tl::ProviderUsage {

// Converts a provider's `usage` object into TokenLedger's normalised Usage (see CallRecord.h).
//
// Every count must be a JSON number with a whole value; a missing or null member counts 0. Anything
// else (1000.7, "1000", true, an object) is stored as kMalformedUsageCount and logged (category
// tokenledger.pricing) with the member's name, so that usageProblem() rejects the usage and the
// pricer records the call with UsageStatus::Invalid and no cost instead of a silent 0. Negative or
// oversized counts are kept as given for usageProblem() to reject likewise. Thread-safe (pure).
//
// OpenAI Chat Completions (API reference, "The chat completion object"): prompt_tokens includes
// prompt_tokens_details.cached_tokens (and audio_tokens); completion_tokens includes
// completion_tokens_details.reasoning_tokens (and audio_tokens). prompt_tokens_details.cache_write_tokens
// (prompt tokens written to the prompt cache, billed at cache_write_mtok, "1.25x" input for the models
// that list it) are also part of prompt_tokens: genai-prices 0.1.8's OpenAI "chat" extractor maps
// prompt_tokens to input_tokens and cache_write_tokens to cache_write_tokens, and its price calculation
// bills input_tokens - cache_read_tokens - cache_write_tokens at the input price. They become
// cacheWrite5mTokens (OpenAI gives the write no TTL; the 5-minute slot is the one priced at
// cache_write_mtok). prompt_tokens_details has no cached-audio split in Chat Completions (cachedAudioTokens
// stays 0; the Realtime API's cached_tokens_details is not proxied; usage reports carry it).
// Perplexity's members at the top of usage (genai-prices 0.1.8 perplexity extractor; Perplexity API
// reference, chat completions response "usage"): reasoning_tokens (read as reasoningTokens when
// completion_tokens_details has none), citation_tokens (citationTokens) and num_search_queries
// (webSearchRequests). Perplexity counts reasoning and citation tokens beside completion_tokens:
// normaliseForProvider(usage, "perplexity") adds them to it.
Usage fromOpenAiChat(const QJsonObject &usage);

// An OpenAI-compatible provider whose counts mean something else than OpenAI's, read by fromOpenAiChat:
// its usage made to the normalised form for price provider `provider` (a price-book provider id).
//  - "x-ai": completion_tokens leaves out completion_tokens_details.reasoning_tokens (xAI bills them as output
//    on top; genai-prices 0.1.8's x-ai "chat" extractor adds both to output_tokens): completionTokens gets
//    reasoningTokens added. Read as OpenAI's, a Grok reasoning call was Invalid (reasoning above completion)
//    or priced without its reasoning (session-16 audit).
//  - "perplexity": completion_tokens leaves out the top-level reasoning_tokens and citation_tokens (genai-prices
//    0.1.8's perplexity extractor adds both to output_tokens; its sonar-deep-research test: 11,395 completion +
//    193,947 reasoning + 19,028 citation = 224,370 output tokens): completionTokens gets both added. Read as
//    OpenAI's, a deep-research call was Invalid (reasoning above completion).
// Other providers: unchanged (top-level reasoning or citation tokens above completion_tokens leave the usage
// invalid, unpriced, rather than priced without them). Thread-safe (pure).
void normaliseForProvider(Usage &usage, QStringView provider);

// OpenAI Responses API ("The response object"): input_tokens includes input_tokens_details.cached_tokens
// and input_tokens_details.cache_write_tokens (genai-prices 0.1.8 "responses" extractor, as for chat);
// output_tokens includes output_tokens_details.reasoning_tokens. The usage object has no web or file search
// count: callers add webSearchCalls() and fileSearchCalls() of the response's `output` as webSearchRequests and
// fileSearchCalls.
Usage fromOpenAiResponses(const QJsonObject &usage);

// The web searches an OpenAI Responses answer billed, from its `output` items (API reference "The response
// object", output[]; guide "Web search"): each {"type": "web_search_call", "action": {"type": "search", ...}}
// item is one search, billed per call (OpenAI pricing "Built-in tools: Web search"; genai-prices 0.1.8's
// web_searches_kcount, $10 per 1,000 for the gpt-4o/4.1/5/o3/o4-mini families). An item whose action is
// "open_page" or "find_in_page" (a reasoning model reading a page it found) is not a billed search; any
// other item (no action, as in the web_search_preview shape, or an action type not known here) counts as
// one. Pure, thread-safe.
qint64 webSearchCalls(const QJsonArray &output);
// That rule for one output item, given its "type" and its action's "type" ("" when absent): the one place
// it is written, also for a caller that reads the items with another JSON parser (the proxy: simdjson).
bool isBilledWebSearch(QAnyStringView itemType, QAnyStringView actionType);

// The file search tool calls an OpenAI Responses answer billed, from its `output` items (API reference "The
// response object", output[]: {"type": "file_search_call", "queries": [...], "status": ..., "results": ...};
// guide "File search"): each such item is one call, billed per call whatever its number of queries (OpenAI
// pricing "Built-in tools": file search tool call $2.50 per 1,000 calls; genai-prices 0.1.8
// storage_searches_kcount). Pure, thread-safe.
qint64 fileSearchCalls(const QJsonArray &output);
// That rule for one output item's "type" (also for the proxy's simdjson reading).
bool isBilledFileSearch(QAnyStringView itemType);

// Anthropic Messages ("Messages API", usage): input_tokens EXCLUDES cache reads and cache writes;
// promptTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens. Cache writes are
// split by TTL from usage.cache_creation.ephemeral_5m_input_tokens / ephemeral_1h_input_tokens when
// present, else all of cache_creation_input_tokens counts as 5-minute writes (the default TTL); parts
// that add up to more than cache_creation_input_tokens make the usage invalid (usageProblem()).
// usage.server_tool_use.web_search_requests (server-side web searches, billed per search; genai-prices
// 0.1.8 maps it to web_searches) becomes webSearchRequests. In a stream, message_delta's usage carries
// the cumulative server_tool_use (Messages streaming reference); the proxy merges it before calling this.
Usage fromAnthropic(const QJsonObject &usage);

} // namespace tl::ProviderUsage
