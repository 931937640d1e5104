#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <vector>

namespace tl::tokenizer {
class Tokenizers;
}

namespace tl::semantic {

// Configuration of an OpenAI-compatible embeddings endpoint (OpenAI, Azure OpenAI, Ollama, LM Studio,
// vLLM, ...). Wire format: OpenAI API reference, "Embeddings / Create embeddings"
// (POST {baseUrl}/embeddings, body {"model", "input", "encoding_format": "float"[, "dimensions"]},
// answer {"data": [{"embedding": [...]}], "model", "usage": {"prompt_tokens", "total_tokens"}}).
// This file holds the wire format only: the proxy sends the request through its own upstream client
// and records the embedding call, with its cost, as a ledger record of its own.
// The API key is never part of this struct: `keychainEntry` names the SecretStore entry that holds it.
struct RemoteEmbedderConfig
{
    QUrl baseUrl; // e.g. https://api.openai.com/v1 (".../embeddings" is appended)
    QString model = QStringLiteral("text-embedding-3-small");
    QString keychainEntry; // SecretStore entry name; empty: no key (local servers)
    int dimensions = 0; // optional "dimensions" parameter (text-embedding-3-*); 0: model default
    qint64 maxInputTokens = 0; // 0: maxInputTokensForModel(model)

    // baseUrl + "/embeddings" (no double slash).
    QUrl embeddingsUrl() const;
    // The model id stored beside every vector: model, plus "/<dimensions>" when dimensions > 0.
    QString modelKey() const;
    // Effective input limit in tokens (maxInputTokens, else maxInputTokensForModel(model)).
    qint64 inputLimit() const;
};

// One embedding, L2-normalised by parseEmbeddingResponse() (OpenAI's vectors already are; local
// servers' may not be), float32.
struct Embedding
{
    std::vector<float> vector;
    qint64 promptTokens = 0; // usage.prompt_tokens (tokens billed for the call); 0 if the server omits usage
    QString model; // the "model" the server answered with (may differ from the requested alias)
};

// The request body for one input: {"model": model, "input": input, "encoding_format": "float"} plus
// "dimensions" when dimensions > 0. The input is sent whole: callers check inputFits() first.
QJsonObject embeddingRequest(const QString &model, const QString &input, int dimensions = 0);

// Several inputs in one call ("input": [...]): the proxy embeds the whole request and its final user
// message (the focus text, see SemanticIndex) together, one upstream call, one ledger record.
QJsonObject embeddingRequest(const QString &model, const QStringList &inputs, int dimensions = 0);

// Parses a /v1/embeddings answer: data[0].embedding (array of numbers, at least 2, all finite, not all
// zero), usage.prompt_tokens, model. Errors: Parse for malformed JSON or a missing/invalid vector,
// InvalidArgument carrying the server's error.message for an {"error": {...}} body.
Result<Embedding> parseEmbeddingResponse(const QByteArray &body);

// Input limit in tokens of known embedding models: 8191 for text-embedding-3-small/-large and
// text-embedding-ada-002 (OpenAI embeddings guide, "max input 8191 tokens"); 0 (unknown) otherwise.
qint64 maxInputTokensForModel(QStringView model);

// Parses an answer to a request with `expected` inputs: one Embedding per input, in input order (by each
// item's "index"); promptTokens (the call's usage.prompt_tokens) and model are set on the first only, so
// a sum over the result counts the call once. Errors as parseEmbeddingResponse(), and Parse when the
// number of items or their indexes do not match.
Result<std::vector<Embedding>> parseEmbeddingBatch(const QByteArray &body, int expected);

// Whether `text` can be embedded WHOLE by `config`'s model: counts its tokens with the tokenizer
// (cl100k_base for text-embedding-3-*, exact; other models: the tokenizer's flagged estimate) and
// returns the count. A text over the limit is never truncated: the request is not eligible for the
// semantic cache, and the error (Unsupported) says so with both numbers. A limit of 0 (unknown model,
// no configured limit) accepts any length. Errors from the tokenizer pass through.
Result<qint64> inputFits(const tokenizer::Tokenizers &tokenizers, const RemoteEmbedderConfig &config, QStringView text);

// Normalises `v` to L2 norm 1 in place; false (v unchanged) if it is all zeros or not finite.
bool normaliseL2(std::vector<float> &v);

} // namespace tl::semantic
