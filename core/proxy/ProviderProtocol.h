#pragma once

#include "ledger/CallRecord.h"
#include "proxy/SseParser.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace tl::proxy {

// Wire format of an upstream's API family.
enum class Dialect { OpenAi, Anthropic };

// Which API a request calls; decided from the path's ending, so "/v1/chat/completions" and Azure's
// "/openai/deployments/D/chat/completions" are the same API.
enum class ApiKind {
    ChatCompletions, // OpenAI POST /v1/chat/completions (API reference "Chat")
    Completions,     // OpenAI POST /v1/completions (legacy)
    Embeddings,      // OpenAI POST /v1/embeddings
    Responses,       // OpenAI POST /v1/responses
    Models,          // OpenAI GET /v1/models
    Messages,        // Anthropic POST /v1/messages
    CountTokens,     // Anthropic POST /v1/messages/count_tokens (passed through, not priced)
    // OpenAI GET /v1/responses/{id} and POST /v1/responses/{id}/cancel: not billed (cost 0), and the
    // usage of a terminal answer settles the pending record of a background create (PendingUsage.h).
    ResponsesRetrieve,
    Other,           // forwarded unchanged, recorded, not priced
};

ApiKind classify(QByteArrayView method, QByteArrayView path);
// The provider dialect of a request, which picks its upstream and its error shape. Anthropic: the
// Messages API and anything under it (/v1/messages/batches, count_tokens), the legacy /v1/complete, and
// a models or other request that carries `anthropic-version` (the Anthropic API reference, "Versions":
// every request sends it, and the official SDK does), so /v1/models, /v1/files and the other paths the
// two APIs share go where their key belongs, never to the other provider. The OpenAI APIs' own paths
// (chat/completions, completions, embeddings, responses) are OpenAI. `target`: path and query.
Dialect dialectOf(ApiKind kind, QByteArrayView target, bool hasAnthropicVersion);
bool isPriced(ApiKind kind);
bool isCacheable(ApiKind kind);
QString apiName(ApiKind kind); // "chat.completions", "messages", "responses.retrieve", ...
// The response id a ResponsesRetrieve request names ("resp_..." from /v1/responses/{id}[/cancel]), else "".
QString retrievedResponseId(QByteArrayView target);

// An error body in the provider's own shape:
//  OpenAI:    {"error":{"message":M,"type":T,"param":null,"code":C}}
//  Anthropic: {"type":"error","error":{"type":T,"message":M}}
// `type` is chosen from the status (400 invalid_request_error, 401 authentication_error,
// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 503 overloaded_error,
// 504 timeout / timeout_error, else api_error).
QByteArray errorBody(Dialect dialect, int status, const QString &message);
// The same error as one SSE event, ending a stream that already started.
QByteArray errorEvent(Dialect dialect, const QString &message);

// Request features the ledger keeps (see CallRecord): model, stream flag, prompt characters (text of
// messages/input/system/prompt), message count, max tokens asked, tools present.
struct RequestInfo
{
    QString model;
    bool stream = false;
    bool includeUsage = false; // OpenAI stream_options.include_usage as the client sent it
    qint64 promptChars = 0;
    int messageCount = 0;
    qint64 maxTokens = 0;
    bool hasTools = false;
    // OpenAI Chat Completions with "web_search_options" (the search models, e.g. gpt-4o-search-preview,
    // gpt-5-search-api; guide "Web search", Chat Completions): such a model searches the web before it
    // answers, one billed search per request. The answer carries no count of it.
    bool webSearch = false;
    // OpenAI Responses with "background": true (guide "Background mode"): the answer may come back
    // queued or in progress, without usage; the usage comes with a later retrieve.
    bool background = false;
};
RequestInfo inspectRequest(ApiKind kind, const QJsonObject &body);

// Usage and served model of a complete JSON answer (any priced ApiKind). `found` false when the body
// has no usage object.
// Responses answers: usage.webSearchRequests is ProviderUsage::webSearchCalls() of the answer's `output`,
// usage.fileSearchCalls its ProviderUsage::fileSearchCalls();
// responseId and status are its "id" and "status" ("queued", "in_progress", "completed", "failed",
// "cancelled", "incomplete"; API reference "The response object"), empty for other APIs.
struct AnswerUsage
{
    Usage usage;
    QString servedModel;
    bool found = false;
    bool truncated = false; // a finish_reason/stop_reason of "length"/"max_tokens" or an incomplete response
    QString responseId;
    QString status;
    // The processing tier that served the call, as the answer names it: OpenAI's top-level "service_tier"
    // ("default", "flex", "priority", "scale"), Anthropic's usage.service_tier ("standard", "priority",
    // "batch"); "" when not given. pricing::applyServiceTier() turns it into the price it bills.
    QString serviceTier;
};
AnswerUsage usageFromAnswer(ApiKind kind, const QJsonObject &answer);
// The same from the answer's bytes, equal to usageFromAnswer(kind, QJsonDocument::fromJson(body).object())
// for any body Qt's parser reads, without building a QJsonObject of the whole answer. One known exception
// (session-10 trial): a non-zero number literal that rounds to 0 (1e-400, 0. and 400 zeros and a 1) makes Qt
// refuse the whole body (so no usage: unpriced), while simdjson reads that number as 0 and the rest as it is;
// no provider sends such numbers, and checking every body for them would cost more than the reading saves.
// The body is parsed with simdjson (3.x DOM API, Debian libsimdjson-dev; vcpkg "simdjson", Homebrew
// "simdjson"), which validates all of it as Qt's parser does, and the "usage" object is read from simdjson's
// tree through pricing/UsageReaders.h (Qt reads it when a member is not a whole number).
// A body that is not a JSON object (malformed, an array) gives found == false, as an empty object does.
// Thread affinity: any thread (one parser per thread, reused for answers up to 1 MiB).
AnswerUsage usageFromBody(ApiKind kind, QByteArrayView body);

// Follows a stream's events: the provider's usage (OpenAI chat's include_usage chunk, the Responses
// API's response.completed, Anthropic's message_start + last message_delta, whose usage is
// cumulative), the served model, whether the stream ended properly, and the complete answer as the
// JSON a non-streaming call would have returned (for the exact cache).
class StreamAccounting
{
public:
    explicit StreamAccounting(ApiKind kind)
        : m_kind(kind)
    {
    }
    // Returns true if the event is the usage-only chunk the proxy injected and must not forward
    // (only when `dropInjectedUsage`).
    bool onEvent(const SseEvent &event, bool dropInjectedUsage);
    // On by default. A chat completion chunk after the first that only streams content (each choice has
    // just index, a delta of content and refusal null, finish_reason and logprobs null; no usage, error or
    // type member) is read with simdjson and its content appended, with the same result as the general
    // reading through QJsonDocument (about 60% of a content chunk's instructions on the proxy thread,
    // callgrind, session 10), save for a chunk holding a non-zero number that rounds to 0 (1e-400): Qt
    // refuses that chunk whole, simdjson reads the number as 0 and takes the content (see usageFromBody).
    // Any other chunk, or one simdjson refuses, takes the general reading. Off:
    // every chunk takes the general reading (tests compare the two).
    void setPlainChatDeltaFastPath(bool on) { m_plainDeltaFastPath = on; }
    // How many chunks the fast path took (tests).
    qint64 plainChatDeltaChunks() const { return m_plainDeltaChunks; }
    bool finished() const { return m_finished; }
    bool hasUsage() const { return m_hasUsage; }
    // The stream's final usage came: chat and legacy completions' usage chunk, Anthropic's message_delta, the
    // Responses API's terminal event. After it only the stream's end marker ([DONE], message_stop) may follow.
    bool hasFinalUsage() const { return m_finalUsage; }
    bool sawFirstEvent() const { return m_events > 0; }
    // Responses streams: usage.webSearchRequests counts the web_search_call items of the terminal
    // event's response (ProviderUsage::webSearchCalls), usage.fileSearchCalls its file_search_call items
    // (ProviderUsage::fileSearchCalls), or, for a stream cut before it, those of the
    // response.output_item.done events seen.
    Usage usage() const;
    QString servedModel() const { return m_model; }
    // Responses streams: the response's id (from response.created or any later event carrying the
    // response), "" until one came.
    QString responseId() const { return m_responseId; }
    // The processing tier named by the stream (AnswerUsage::serviceTier): a chat chunk's "service_tier", the
    // Responses API's response object, Anthropic's message_start usage; "" when none came.
    QString serviceTier() const;
    bool truncated() const { return m_truncated; }
    bool failed() const { return m_failed; }
    // The record's error kind for an error event the upstream sent inside the stream (upstreamErrorKind() in
    // AnswerFaults.h: the one an error answer naming the same type gets, "upstream_error:overloaded_error",
    // "rate_limit" for a rate-limit error, "upstream_error:error" when it named no type), "" when none came.
    // Such an event ends the stream: finished() and failed() are true.
    QString errorKind() const { return m_errorKind; }
    // True when an event was too long to read (SseEvent::oversized): usage still counts, but
    // assembled() misses that event's content, so the answer must not be cached.
    bool lossy() const { return m_lossy; }
    // The text the model streamed so far (content, tool-call names and arguments; Anthropic text and
    // thinking; Responses API text, refusal, reasoning and argument deltas and function names), for a
    // local token estimate when the stream ends without usage.
    QString completionText() const;
    // The JSON answer assembled from the events (valid once finished()), as the SDKs assemble it
    // (openai-node 6.x ChatCompletionStream; @anthropic-ai/sdk MessageStream): chat content and refusal
    // from their non-empty pieces (null when none came, as a non-streamed refusal or tool-call answer has
    // them); chat choices keep their logprobs (arrays appended chunk by chunk), tool_calls,
    // function_call, audio, other delta members (annotations: the last value) and other choice members
    // (content_filter_results); Anthropic blocks keep text, thinking, signature, tool input and
    // citations; Responses: the response of the terminal event.
    QJsonObject assembled() const;

private:
    // An Anthropic content block with the text, thinking and signature deltas streamed into it.
    QJsonObject blockWithText(int index) const;
    // The fast path of setPlainChatDeltaFastPath(): true when it took the chunk (its content appended);
    // false, with nothing changed, when the general reading must.
    bool tryPlainChatDelta(const QByteArray &data);

    ApiKind m_kind;
    bool m_plainDeltaFastPath = true;
    qint64 m_plainDeltaChunks = 0;
    qint64 m_events = 0;
    bool m_finished = false;
    bool m_hasUsage = false;
    bool m_finalUsage = false;
    bool m_truncated = false;
    bool m_failed = false;
    bool m_lossy = false;
    QString m_errorKind;
    QString m_model;
    QString m_responseId;      // responses: the response's id
    qint64 m_webSearches = 0;  // responses: web_search_call items done (terminal event: its output's)
    qint64 m_fileSearches = 0; // responses: file_search_call items done (terminal event: its output's)
    QJsonObject m_usageJson;
    // Assembly state.
    QJsonObject m_base;                 // chat: first chunk; anthropic: message_start.message; responses: final
    // Streamed text grows in plain strings, appended in place, and goes into JSON only in assembled():
    // replacing a growing QJsonObject string member per event copied the whole text each time and left
    // the old copies in the object's storage (quadratic time and memory on a long, fast stream).
    QMap<int, QJsonObject> m_choices;   // chat: index -> {role, finish_reason}
    QMap<int, QString> m_content;       // chat: index -> content so far (present once a content string came)
    QMap<int, QString> m_refusal;       // chat: index -> refusal so far (present once a refusal string came)
    struct ToolCallText
    {
        QJsonObject call; // id, type
        bool hasName = false;
        QString name;
        QString arguments;
    };
    QMap<int, QMap<int, ToolCallText>> m_toolCalls;
    // chat, per choice index (the accumulation rules of openai-node's ChatCompletionStream, v6):
    QMap<int, QJsonObject> m_logprobs;     // logprobs: arrays ("content", "refusal", legacy "tokens"...) appended
    QMap<int, QJsonObject> m_messageExtra; // other delta members (e.g. "annotations"): the last value
    QMap<int, ToolCallText> m_functionCall; // legacy function_call: name and arguments appended
    QMap<int, QJsonObject> m_audio;         // audio: id / expires_at last, data and transcript appended
    QMap<int, QJsonArray> m_citations;      // anthropic: citations_delta per block
    QMap<int, QJsonObject> m_blocks;    // anthropic content blocks as content_block_start gave them
    QMap<int, QMap<QString, QString>> m_blockText; // anthropic: index -> text/thinking/signature deltas so far
    QMap<int, QString> m_partialJson;   // anthropic input_json_delta per block
    QString m_streamedText;             // responses: text, refusal, reasoning and argument deltas so far
    QJsonObject m_delta;                // anthropic message_delta.delta
};

// OpenAI chat: the request body with stream_options.include_usage = true (compact JSON).
QByteArray withIncludeUsage(const QJsonObject &body);
// The same on the client's bytes, when `body` (those bytes parsed) has no "stream_options": the member
// is inserted after the opening brace and every other byte stays as sent (no re-serialisation).
// Falls back to withIncludeUsage(body) otherwise.
QByteArray withIncludeUsage(const QByteArray &rawBody, const QJsonObject &body);
// Removes the `"usage":null` member OpenAI adds to every chunk when include_usage is on, so a client
// that did not ask for it sees the bytes it would have got, compact JSON or not (whitespace around the
// colon and comma; the member with the comma that joined it goes, the rest stays byte for byte). The
// first `"usage"` key whose value is null in the event's data (its "data:" lines joined, WHATWG rule):
// in an event pretty-printed over several data lines the member may sit on a line of its own, its comma
// at that line's end or the previous one's; the bytes that go are then the member, the comma and the
// line breaks ("\n" + "data: ") between them, which the data joined as JSON whitespace. An event whose
// member spans a non-data line (a comment between data lines) is returned unchanged.
QByteArray stripNullUsage(const QByteArray &rawEvent);

// Replays a stored JSON answer as the SSE stream the API would have sent (OpenAI chat chunks with
// [DONE]; Responses API events ending in response.completed; Anthropic message_start ... message_stop).
// `includeUsage`: OpenAI chat only, adds "usage":null to chunks and the final usage chunk.
// Nothing of the answer is lost: StreamAccounting::assembled() (and the SDKs) build the stored answer
// again from the events. Chat: role, content, refusal, function_call, audio, each tool call and the
// other message members (annotations) as deltas; the choice's logprobs whole with its first text chunk;
// other choice members on its last chunk. Responses: response.created, response.in_progress, each output
// item added empty, content parts added empty, then output_text (with logprobs) / refusal / function-call
// arguments / reasoning-summary deltas, annotation events, a web_search_call's or file_search_call's
// in_progress / searching / completed events, the parts and the item done whole, the
// terminal event. Anthropic: citations as citations_delta events.
QByteArray synthesizeStream(ApiKind kind, const QJsonObject &answer, bool includeUsage);

} // namespace tl::proxy
