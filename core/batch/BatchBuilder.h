#pragma once

#include "batch/BatchJob.h"
#include "common/Money.h"
#include "common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace tl {

class Pricer;
namespace tokenizer {
class Tokenizers;
}

// One request of a batch in OpenAI's batch input format (Batch API reference, "The request input
// object": custom_id, method, url, body). Anthropic jobs are built from the same list (the body is
// converted by toAnthropicRequest()).
struct BatchRequest
{
    QString customId;
    QString method = QStringLiteral("POST");
    QString url = QStringLiteral("/v1/chat/completions");
    QJsonObject body; // the Chat Completions request: model, messages, max_tokens, ...
};

// Builds a job from a CSV or text file: one request per row (or non-empty line).
//  - promptTemplate: the user message; "{text}" is replaced by the first `maxChars` characters of the
//    text column (or of the line), "{<column>}" by that column's value.
//  - systemPrompt: a system message when not empty (Anthropic: the "system" field).
//  - idColumn: the custom_id column; "" numbers the rows "row-1", "row-2", ...
// The seed example: classify articles into technology / product / market / other with gpt-4o-mini,
// the first 500 characters of each, max_tokens 20.
struct TemplateBatchSpec
{
    QString model = QStringLiteral("gpt-4o-mini");
    QString systemPrompt;
    QString promptTemplate = QStringLiteral("{text}");
    QString textColumn = QStringLiteral("text");
    QString idColumn;
    int maxChars = 500;
    int maxTokens = 20;
    QString url = QStringLiteral("/v1/chat/completions");
};

// What a job would cost, before it is submitted. Prompt tokens are counted with the local tokenizer
// (exact for OpenAI chat requests per the OpenAI cookbook rules, an estimate for Anthropic); the output
// is taken at its cap (max_tokens / max_completion_tokens; requests without one count 0 output tokens
// and are listed in `notes`). Costs are nano-USD, priced per request with the ledger's pricer at the
// Batch API rate and at the real-time rate; nullopt when a model is unpriced (listed in unpricedModels).
struct BatchEstimate
{
    qint64 requests = 0;
    qint64 promptTokens = 0;
    qint64 outputTokensCap = 0;
    std::optional<NanoUsd> batchCost;
    std::optional<NanoUsd> realtimeCost;
    bool estimate = false; // some count is an estimate (Anthropic, images, tools)
    QStringList unpricedModels;
    QStringList notes;
};

namespace BatchBuilder {

// Parses OpenAI batch input JSONL. Errors (Parse / InvalidArgument) name the line: not JSON, no
// custom_id, a duplicate custom_id, a method other than POST, no url, no body object, no body model.
// Empty lines are skipped.
Result<QList<BatchRequest>> parseOpenAiJsonl(const QByteArray &jsonl);
// Serialises requests as OpenAI batch input JSONL (one compact object per line, "\n" ends each line).
QByteArray toOpenAiJsonl(const QList<BatchRequest> &requests);

// CSV (RFC 4180 via libcsv, a header row, UTF-8, BOM dropped). Errors: InvalidArgument when the text
// or id column is missing or the file has no rows; Parse for malformed CSV.
Result<QList<BatchRequest>> fromCsv(const QByteArray &csv, const TemplateBatchSpec &spec);
// Plain text: one request per non-empty line ("{text}" = the line).
Result<QList<BatchRequest>> fromText(const QByteArray &text, const TemplateBatchSpec &spec);

// Anthropic Message Batches request ({"custom_id", "params": {model, max_tokens, system, messages}});
// system messages of the Chat Completions body move to "system" (Anthropic Messages API reference).
QJsonObject toAnthropicRequest(const BatchRequest &request);

// The estimate described at BatchEstimate. `provider`: price-book provider id ("openai", "anthropic").
BatchEstimate estimate(const QList<BatchRequest> &requests, const QString &provider,
                       const tokenizer::Tokenizers &tokenizers, const Pricer &pricer, qint64 atUs);

// Result files: JSONL lines {"custom_id", "ok", "status_code", "content", "error"}; CSV with the header
// custom_id,ok,status_code,content,error (fields quoted by libcsv where needed).
QByteArray resultsToJsonl(const QList<BatchResult> &results);
QByteArray resultsToCsv(const QList<BatchResult> &results);

} // namespace BatchBuilder

} // namespace tl
