#pragma once

#include "ledger/CallRecord.h"

#include <QJsonObject>

namespace tl::ProviderUsage {

// Converts a provider's `usage` object into TokenLedger's normalised Usage (see CallRecord.h).
//
// OpenAI Chat Completions (API reference, "The chat completion object"): prompt_tokens includes
// prompt_tokens_details.cached_tokens (and audio_tokens); completion_tokens includes
// completion_tokens_details.reasoning_tokens (and audio_tokens). Taken as they are.
Usage fromOpenAiChat(const QJsonObject &usage);

// OpenAI Responses API ("The response object"): input_tokens includes input_tokens_details.cached_tokens;
// output_tokens includes output_tokens_details.reasoning_tokens.
Usage fromOpenAiResponses(const QJsonObject &usage);

// Anthropic Messages ("Messages API", usage): input_tokens EXCLUDES cache reads and cache writes;
// promptTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens. Cache writes are
// split by TTL from usage.cache_creation.ephemeral_5m_input_tokens / ephemeral_1h_input_tokens when
// present, else all of cache_creation_input_tokens counts as 5-minute writes (the default TTL).
Usage fromAnthropic(const QJsonObject &usage);

} // namespace tl::ProviderUsage
