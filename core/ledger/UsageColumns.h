#pragma once

#include "ledger/CallRecord.h"

#include <QLatin1StringView>
#include <QSqlQuery>

namespace tl {

// The calls table's token-usage columns (tokens; see Usage for their semantics), in the order
// readUsage() reads them. Select them with this list so that every reader maps them the same way.
inline constexpr QLatin1StringView kUsageColumns{
    "prompt_tokens, cached_tokens, cache_write_5m_tokens, cache_write_1h_tokens, completion_tokens, "
    "reasoning_tokens, audio_input_tokens, audio_output_tokens, image_input_tokens"};

// The usage parts of schema v15 (Usage::cachedAudioTokens, cachedImageTokens, outputImageTokens,
// citationTokens) and v16 (fileSearchCalls), in the order readUsageParts() reads them. Kept apart from
// kUsageColumns, whose readers index the columns after it.
inline constexpr QLatin1StringView kUsagePartColumns{
    "cached_audio_tokens, cached_image_tokens, output_image_tokens, citation_tokens, file_search_calls"};

// Reads the kUsagePartColumns starting at result column `column` into `usage` and advances `column`.
void readUsageParts(const QSqlQuery &q, int &column, Usage &usage);

// Reads the kUsageColumns starting at result column `column` of the current row and advances `column`
// past them. Thread affinity: the query's.
Usage readUsage(const QSqlQuery &q, int &column);

// The call_savings columns (schema v5) in the order readSavingsTrace() reads them; select them from
// "calls LEFT JOIN call_savings ON call_savings.call_id = calls.id" (NULLs read as an empty trace; the
// table must not be aliased). The embedding is the row's own or, for a row that refers to an earlier
// call's copy (schema v11, call_savings.embedding_of: exact-cache hits), that call's.
inline constexpr QLatin1StringView kSavingsColumns{
    "complexity, route_mode, routed_model, tokens_before_compression, tokens_after_compression, fewshot_set, "
    "fewshot_examples, fewshot_tokens, fewshot_set_tokens, semantic_scope, guard_signature, embedding_model, "
    "COALESCE(call_savings.embedding, (SELECT owner.embedding FROM call_savings owner "
    "WHERE owner.call_id = call_savings.embedding_of))"};

SavingsTrace readSavingsTrace(const QSqlQuery &q, int &column);

} // namespace tl
