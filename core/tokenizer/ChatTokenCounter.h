#pragma once

#include "common/Result.h"
#include "tokenizer/Encoding.h"
#include "tokenizer/Tokenizers.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace tl::tokenizer {

// The prompt tokens of a chat request, with a breakdown. All values are tokens.
struct ChatTokenCount
{
    qint64 promptTokens = 0; // the total the provider would bill as prompt (input) tokens
    qint64 messageTokens = 0; // messages incl. per-message overhead, names and the reply priming
    qint64 toolTokens = 0; // tool (function) definitions and tool_choice
    qint64 formatTokens = 0; // response_format schema
    qint64 imageTokens = 0; // image inputs; a subset of messageTokens
    bool estimate = false; // true when any part follows an unpublished rule or a guessed tokenizer
    QString encoding; // "o200k_base"
    QStringList notes; // what was estimated and how
};

// Image size in pixels, when known.
struct ImageSize
{
    int width = 0;
    int height = 0;
};

// Counts OpenAI Chat Completions requests (and, as estimates, Anthropic Messages requests) the way the
// provider bills them.
//
// Exact rules (OpenAI cookbook "How to count tokens with tiktoken", num_tokens_from_messages, for
// gpt-3.5-turbo-0613 and later, gpt-4*, gpt-4o*, gpt-4.1*, gpt-5*, o-series):
//   3 tokens per message + the tokens of each string field (role, content, name) + 1 per name,
//   + 3 for the reply priming (<|start|>assistant<|message|>).
// Estimates (the provider does not publish the rule; `estimate` is set and a note says which):
//   - tools: the cookbook's num_tokens_for_tools (function-calling section): per function 7 (o200k) or
//     10 (cl100k) + tokens of "name:description" (trailing '.' dropped); +3 if it has properties, per
//     property 3 + tokens of "key:type:description"; an enum -3 + per item 3 + tokens of the item;
//     +12 once after all functions. Nested schemas beyond the first level are counted as their compact
//     JSON text.
//   - tool_choice naming a function: tokens of the name + 3. "auto"/"none"/"required": 0.
//   - response_format json_schema: tokens of the compact JSON of `json_schema` + 3; json_object: 0.
//   - tool calls in assistant messages: per call tokens of name + arguments + 3; tool_call_id is not
//     counted.
//   - images, OpenAI "Images and vision" guide: tile models (gpt-4o, gpt-4.1, gpt-4.5: 85 + 170 per
//     512 px tile; gpt-4o-mini 2833 + 5667; o1/o3: 75 + 150; gpt-5 and gpt-5-chat: 70 + 140): low
//     detail = base only; high = fit in 2048x2048, shortest side down to 768, count 512 px tiles.
//     Patch models (gpt-4.1-mini x1.62, gpt-4.1-nano x2.46, o4-mini x1.72, gpt-5-mini x1.62,
//     gpt-5-nano x2.46): 32 px patches capped at 1536, times the multiplier. The size comes from a
//     base64 data: URL (PNG, JPEG, GIF, WebP headers); otherwise, or with detail "auto", the image
//     is assumed 1024x1024 at high detail: estimate.
//   - Anthropic requests (top-level "system", content blocks): counted with the same message rules
//     and o200k_base; always an estimate (Anthropic does not publish its tokenizer).
//   - OpenAI Responses API requests ("instructions" as a system message, "input" as a user message or
//     a list of message / function_call / function_call_output items, flat tools): the Chat
//     Completions rules above, flagged estimate (OpenAI publishes no count for this shape).
//
// Thread-safe: const after construction; holds a shared immutable Encoding.
class ChatTokenCounter
{
public:
    ChatTokenCounter(std::shared_ptr<const Encoding> encoding, QString model, ModelEncoding how);
    // The counter for a model, with the encoding from `tokenizers`. Errors: the encoding's load error.
    static Result<ChatTokenCounter> forModel(const Tokenizers &tokenizers, const QString &model);

    const Encoding &encoding() const { return *m_encoding; }

    // A whole request body: "messages", "tools"/"functions", "tool_choice", "response_format"; for
    // Anthropic "system"; for the Responses API "instructions" and "input". Unknown fields are ignored.
    ChatTokenCount countRequest(const QJsonObject &request) const;
    // Messages alone (with the reply priming).
    ChatTokenCount countMessages(const QJsonArray &messages) const;
    // Completion text (what the model wrote): its plain token count. Flagged by the caller as an
    // estimate where needed (the provider may count end-of-message tokens differently).
    qint64 countText(QStringView text) const { return m_encoding->count(text); }

    // The OpenAI image rule for this counter's model, in tokens. `size` nullopt: unknown (assumed
    // 1024x1024). `detail`: "low", "high" or "auto". Sets *estimate when an assumption was made.
    qint64 imageTokens(std::optional<ImageSize> size, QStringView detail, bool *estimate) const;

    // Width and height from the header of a PNG, JPEG, GIF or WebP image, or nullopt.
    static std::optional<ImageSize> imageSizeFromBytes(const QByteArray &image);

private:
    qint64 countMessage(const QJsonObject &message, ChatTokenCount &acc) const;
    qint64 countContent(const QJsonValue &content, ChatTokenCount &acc) const;
    qint64 countTools(const QJsonArray &tools, ChatTokenCount &acc) const;
    qint64 tokens(QStringView s) const { return m_encoding->count(s); }
    void note(ChatTokenCount &acc, const QString &text) const;

    std::shared_ptr<const Encoding> m_encoding;
    QString m_model;
    ModelEncoding m_how;
};

} // namespace tl::tokenizer
