#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace tl::semantic {

// The request shapes the semantic cache understands.
enum class RequestFormat {
    OpenAiChat, // POST /v1/chat/completions (OpenAI API reference, "Chat / Create chat completion")
    AnthropicMessages, // POST /v1/messages (Anthropic API reference, "Messages")
};

// What the semantic cache needs from one request. Two requests can share an answer only if
//   scope          is equal (exact: hash),
//   guardSignature is equal (exact: hash of the guard list), and
//   the embeddings of `text` are at least the threshold similar (SemanticIndex::best).
struct SemanticKey
{
    // Hex SHA-256 over: a version tag, the request format, the caller identity, and the canonical JSON
    // (sorted keys, integral numbers normalised, "stream"/"stream_options" left out: see
    // cache::canonicalBody) of the whole body with ONLY the text of the final user message blanked out.
    // So the model, the system prompt (OpenAI system/developer messages, Anthropic "system"), every
    // parameter (temperature, top_p, max_tokens, stop, tools, tool_choice, response_format, n, seed,
    // metadata, ... and any unknown field) and the whole earlier conversation must be identical.
    QString scope;
    // The request as a whole, for embedding: every message in order as "role: text" lines, the system
    // prompt first ("system: ..."), tool calls as "assistant tool_call name(arguments)" and tool results
    // as "tool: ...". Never truncated (see inputFits()).
    QString text;
    // The guards found in `text`, in order of appearance (see guardList()), for display and tests.
    QStringList guards;
    // Hex SHA-256 of `guards` joined with U+001F; the hash of an empty list when there is none.
    QString guardSignature;
    QString model; // the request's "model"
    QString lastUserText; // the final user message's text (for display in the request log)
};

// Builds the key of a chat request. `callerId` is the proxy's caller identity (the same value the exact
// cache uses). Not eligible (error Unsupported, message = the reason a user can read):
//   - no "messages" array, or it does not end with a user message (e.g. a final assistant prefill or a
//     tool result: the new part is not user text);
//   - any message or system block carrying non-text content: images, audio, files, documents
//     (image_url, input_audio, file, image, document, ...): the embedding would not see them;
//   - the final user message carries tool results (Anthropic tool_result blocks): tool output is data,
//     not a question, and similar-looking data is not the same data;
//   - an empty final user text.
// Tool definitions and earlier tool calls/results are allowed: they are inside the scope, exact.
// Errors: InvalidArgument for a body that is not a chat request of `format` (no model).
Result<SemanticKey> semanticKey(const QJsonObject &body, RequestFormat format, const QByteArray &callerId);

// The guard list of a text, in order of appearance. Exactly what is compared:
//   "q:<literal>"  each quoted literal, case and inner spacing preserved (NFKC only): ```fenced```,
//                  `code`, "double", 'single' (only when not inside a word, so don't/it's are not
//                  quotes), “curly”, ‘curly’, 「corner」, 『white corner』, «guillemets». Numbers and
//                  words inside a literal are not listed again.
//   "n:<number>"   each number outside literals: digit runs with an optional decimal part
//                  (2, 3.5, 1,000 -> 1000, .5 -> 0.5; NFKC turns full-width digits into ASCII; a leading
//                  minus sign is kept: -3), English number words zero..twenty, thirty..ninety, hundred,
//                  thousand, million, billion, half, twice, once (each word its own value: "twenty one"
//                  is n:20 n:1), and runs of Chinese numerals 零〇一二两三四五六七八九十百千万亿 converted to
//                  their value (二十三 -> n:23, 两 -> n:2), except in common words where 一/万 is not a
//                  number (一下 一些 一起 一样 一直 一定 一般 一切 统一 唯一 万一 ...).
//   "neg"          each negation: not, no, never, none, nothing, nobody, nor, neither, cannot, without,
//                  and any word ending in n't (don't, isn't, won't, can't...); Chinese 不 没 没有 别 非 无 未
//                  勿 莫 (not in 非常 特别 区别 分别 别人 无论 ...).
//   "sw:on"/"sw:off" switch words: on, enable(d/s), activate(d/s), 开, 打开, 开启 -> on;
//                  off, disable(d/s), deactivate(d/s), 关, 关闭, 关掉 -> off (not in 关于 关系 相关 开始 开发 ...).
// English words are matched case-insensitively on whole words. This is deliberately strict: a
// paraphrase that adds a number or a negation misses (a lost saving), which is the safe direction.
QStringList guardList(QStringView text);

// Hex SHA-256 of the list joined with U+001F.
QString guardSignatureOf(const QStringList &guards);

} // namespace tl::semantic
