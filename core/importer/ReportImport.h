#pragma once

#include "importer/ImportSink.h"
#include "importer/Importer.h"

#include <QJsonDocument>

namespace tl::ReportImport {

// Provider organisation reports saved as JSON: one page object ({"data": [...], "has_more": ...}) or an
// array of pages. Each result line becomes one aggregate record (SourceKind::ProviderReport):
//  - OpenAI Admin API "Completions usage" (GET /v1/organization/usage/completions): a record per bucket
//    and group; endpoint "project:<project_id>", key "<api_key_id>", call_count = num_model_requests,
//    input_tokens includes input_cached_tokens; priced with the price book (batch results at 50%).
//  - OpenAI Admin API "Embeddings usage" (GET /v1/organization/usage/embeddings; results
//    "organization.usage.embeddings.result"): a record per bucket and group like completions usage;
//    promptTokens = input_tokens, completionTokens 0, call_count = num_model_requests; priced with the
//    embedding model's input price from the price book (a model not in the book stays unpriced).
//  - OpenAI "Costs" (GET /v1/organization/costs): a record per line item with its billed amount
//    (amount.value, USD) kept as given; "<model>, input|cached input|output" line items carry tokens.
//  - Anthropic Admin API usage report (GET /v1/organizations/usage_report/messages): tokens per bucket,
//    api key, workspace and model; promptTokens = uncached + cache read + cache writes (5m, 1h);
//    service_tier "batch" priced at the batch rate; the report has no call count (call_count 0);
//    server_tool_use.web_search_requests priced per search (web_searches_kcount); context_window
//    ("0-200k", "200k-1M") kept in CallRecord::contextWindow and selecting the long-context tier.
//  Token counts must be whole JSON numbers within usageProblem()'s rules; a line that breaks them is
//  reported and skipped (ImportSink::add). A line without a count the API reference says it always has
//  (or with it null) is reported, naming the fields, and skipped; a missing optional count (OpenAI
//  input_cached_tokens, Anthropic server_tool_use) makes the usage incomplete (an estimated cost); a line
//  without a model is kept as "unknown" (unpriced) with a warning.
//  - Anthropic cost report (GET /v1/organizations/cost_report): "amount" is a decimal string in cents
//    (lowest currency unit); converted to nano-USD (1 cent = 10,000,000 nano-USD), digits finer than a
//    nano-USD (beyond the 7th decimal of a cent) rounded half away from zero. OpenAI amounts likewise.
// Source keys are "<format name>:<bucket start>:<grouping fields>" (toString(ImportFormat)), so
// re-importing adds nothing and each format's records are found by their own prefix.
Result<void> run(const QJsonDocument &doc, ImportFormat format, const QString &displayName, ImportSink &sink,
                 ImportReport &report);

// "45.00000" cents -> 450,000,000 nano-USD; "1.234567891" -> 12,345,679 (rounded half away from zero to
// the nano-USD); nullopt for malformed text.
std::optional<NanoUsd> centsToNano(QStringView cents);

} // namespace tl::ReportImport
