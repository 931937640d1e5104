#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

// What a proxy record says about an upstream answer that failed: its error kind, and the text of an
// answer whose body was cut. Internal to core/proxy. Thread affinity: any thread (pure functions).
namespace tl::proxy {

// The record's error_kind for an upstream error, one vocabulary for an error answer (HTTP status and JSON
// body) and the same error sent inside a stream (status 0), so that a breakdown by error kind groups them:
//  - "rate_limit": HTTP 429, or a body whose error type is "rate_limit_error" (Anthropic, and the proxy's own
//    OpenAI-shaped 429) or whose code is "rate_limit_exceeded" (OpenAI);
//  - "upstream_error:<type>" when the body names the provider's error type as an identifier (ASCII letters,
//    digits, '_' and '.', at most 64 characters, not key-like by keyIdLooksSecret(); other text in that place
//    counts as no type, so an upstream's error text never reaches error_kind or exports): Anthropic
//    {"type":"error","error":{"type":T,...}}, OpenAI {"error":{"type":T,"code":C,...}} (T, else C when T is
//    missing or null), the Responses API's stream event {"type":"error","code":C}; e.g. a JSON 529 and an
//    in-stream error event of Anthropic's "overloaded_error" are both "upstream_error:overloaded_error";
//  - else by the status class: "upstream_5xx" (500 and up), "upstream_4xx" (400 to 499), "upstream_error:error"
//    (an error inside a stream that names no type), "" (a status below 400: no error).
// `error`: the parsed error document (the answer's body, or the stream event's data).
QString upstreamErrorKind(int status, const QJsonObject &error);

// The error kind of a whole non-streamed answer: "" for a status below 400, without reading the body (the
// success path parses nothing here); "rate_limit" for 429; else upstreamErrorKind() of the body parsed as
// JSON (bodies up to 64 KiB: an error answer is small; a longer or non-JSON body falls back to the status class).
QString answerErrorKind(int status, QByteArrayView body);

// The text a model wrote in a JSON answer whose body was cut (the connection closed mid-body, a timeout, a
// client that left before the rest came): every string value of a member named "content", "text",
// "thinking", "refusal", "arguments" or "name" in the bytes received, the last one as far as it came, escapes
// decoded, concatenated: Chat Completions' message content, refusal and tool-call names and arguments,
// Anthropic text and thinking blocks and tool names, the Responses API's output text, reasoning summaries and
// function calls; what StreamAccounting::completionText() counts for a cut stream, but for an Anthropic
// tool_use block's input (a JSON object here, not a string). The Responses API's answer repeats the request's
// tool definitions, whose names then count too (a few tokens). For the local token estimate of a cut answer
// (tokenizer::estimateChatUsage), never for billing an answer that came whole.
QString partialAnswerText(QByteArrayView body);

} // namespace tl::proxy
