#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QJsonObject>
#include <QStringList>

namespace tl::RecordCodec {

// The app's own record format, one JSON object per line (JSONL); export and import use it.
// Fields use the ledger's column names: "started_at_us" (UTC microseconds; "started_at" also given as
// ISO 8601 text for people), "endpoint", "tags" (array), "provider", "requested_model", "served_model",
// "key_id", "prompt_tokens", "cached_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
// "completion_tokens", "reasoning_tokens", "audio_input_tokens", "audio_output_tokens",
// "image_input_tokens", "web_search_requests" (schema v13), "cached_audio_tokens", "cached_image_tokens",
// "output_image_tokens", "citation_tokens" (schema v15), "file_search_calls" (schema v16; each of these five only
// when not 0), "context_window" (a report line's
// band, only when set), "usage_status" (complete, estimated, unknown, incomplete, invalid), "cost_nano" (integer or null when unpriced), "cost_usd"
// (decimal text, informative), "cost_status", "price_entry", "price_version", "latency_us", "ttft_us",
// "http_status", "error_kind", "cache_outcome", "saved_nano", "batch", "source_kind", "source_ref",
// "source_key", and the request features.
QJsonObject toJson(const CallRecord &record);

// Parses one object. Errors: Parse with the field at fault, including an unknown "usage_status" or
// "cost_status" value, a "cost_nano" that is not a whole number or null, and a cost that contradicts its
// status ("unpriced" with a cost, "exact"/"estimated" without one). Missing fields take their defaults;
// "started_at_us" or "started_at" is required; so is "requested_model" or "served_model", except for a
// record that says what happened to a call without a model: "source_kind": "proxy" (the proxy's forwarded
// GETs and non-model paths), a non-empty "error_kind", or an "http_status" >= 400. Such a record keeps an
// empty model and the cost it carries ("cost_nano" null: unpriced).
Result<CallRecord> fromJson(const QJsonObject &object);

// CSV export: the header and one row per record (same field names as JSON): id, started_at, started_at_us,
// endpoint, tags (';'-separated), provider, the models, key_id, the prompt, cache and completion token counts,
// usage_status, cost_nano (empty: unpriced), cost_usd, cost_status, price_entry, price_version, latency_us,
// ttft_us, http_status, error_kind, cache_outcome, saved_nano, batch, source_kind, source_ref, source_key, then
// every other usage count the ledger keeps: audio_input_tokens, audio_output_tokens, image_input_tokens,
// web_search_requests, cached_audio_tokens, cached_image_tokens, output_image_tokens, citation_tokens,
// file_search_calls (always written, 0 when none). CsvImport reads every usage count back by its header name.
QStringList csvHeader();
QStringList csvRow(const CallRecord &record);

} // namespace tl::RecordCodec
