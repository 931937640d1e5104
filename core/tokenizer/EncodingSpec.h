#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include <cstdint>
#include <optional>

namespace tl::tokenizer {

// The encodings TokenLedger ships. Definitions follow openai/tiktoken (tiktoken_ext/openai_public.py)
// and the npm package tiktoken 1.0.22 (encoders/*.json): rank file, pre-tokenisation pattern,
// special tokens, and the SHA-256 tiktoken checks for the rank file.
enum class EncodingId { O200kBase, Cl100kBase };

struct SpecialTokenSpec
{
    QString text; // "<|endoftext|>"
    std::uint32_t id = 0;
};

struct EncodingSpec
{
    EncodingId id;
    QString name; // "o200k_base"
    QString rankFile; // "o200k_base.tiktoken"
    QString sha256; // lower-case hex of the rank file
    QString pattern; // tiktoken's pat_str, verbatim
    QList<SpecialTokenSpec> specialTokens;
};

const EncodingSpec &encodingSpec(EncodingId id);
QList<EncodingId> allEncodings();
std::optional<EncodingId> encodingFromName(QStringView name); // "o200k_base", "cl100k_base"

// Which encoding counts a model's tokens, and whether that count is exact.
struct ModelEncoding
{
    EncodingId encoding = EncodingId::O200kBase;
    // False when the model's tokenizer is unknown or unpublished (Anthropic, Gemini, Mistral, any
    // unknown name): the count is then an estimate with the closest public encoding.
    bool exact = true;
    QString note; // for the user: why the count is an estimate
};

// Model name -> encoding, after tiktoken's model tables (model_to_encoding.json of npm tiktoken 1.0.22
// and tiktoken/model.py prefixes): gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*, chatgpt-4o*,
// gpt-oss*, codex* -> o200k_base; gpt-4 (not 4o/4.1/4.5), gpt-3.5*, gpt-35*, text-embedding-3*,
// text-embedding-ada-002, davinci-002, babbage-002 -> cl100k_base. Accepts "openai/" or "azure/" style
// provider prefixes and fine-tuned ids ("ft:gpt-4o-mini-2024-07-18:org::id"). Everything else
// (claude-*, gemini-*, ...) maps to o200k_base with exact = false.
ModelEncoding encodingForModel(QStringView model);

} // namespace tl::tokenizer
