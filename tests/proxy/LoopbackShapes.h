#pragma once

#include <QByteArray>
#include <QList>

namespace tl::test {

// Answer shapes the fixtures do not have, each as the provider sends it non-streamed (`answer`, JSON) and
// streamed (`stream`, SSE), the two forms being the same answer. The loopback upstream answers with one when
// the request body contains "loopback-shape:<name>" (so the shape is part of the request, and of its cache
// key). Shapes of the wire formats (API references: OpenAI "Chat Completions" / "The chat completion chunk
// object", "Responses" / "Streaming events"; Anthropic "Messages" / "Streaming Messages", "Citations",
// "Web search tool"):
//   chat-refusal          delta.refusal pieces after a first {"role","content":"","refusal":null} delta;
//                         non-streamed: message.content null, message.refusal the text
//   chat-annotations      content pieces, then a delta with "annotations" (url_citation)
//   chat-tools            two tool calls, their arguments in pieces; content null
//   anthropic-citations   three text blocks, the middle one with a char_location citation (citations_delta)
//   anthropic-web-search  server_tool_use (input_json_delta), web_search_tool_result (whole in its
//                         content_block_start), text with a web_search_result_location citation
//   responses-function-call   one function_call item: output_item.added (arguments ""), arguments deltas,
//                             function_call_arguments.done, output_item.done
//   responses-text-annotations  one message item: content_part.added, output_text deltas, an
//                               output_text.annotation.added, output_text.done, content_part.done
//   responses-web-search  three web_search_call items (two "search" actions, billed, and one "open_page",
//                         not), each with its web_search_call.in_progress / searching / completed events,
//                         then an annotated message; model gpt-5-2025-08-07, usage 75 in / 18 out
//   responses-file-search  two file_search_call items (billed per call), each with its
//                         file_search_call.in_progress / searching / completed events, then a message with a
//                         file_citation annotation; model gpt-5-2025-08-07, usage 75 in / 18 out
//   chat-flex, chat-priority, anthropic-priority   chat-refusal's and anthropic-citations' answers with
//                         "service_tier" "flex" or "priority" (OpenAI: on the answer and every chunk; Anthropic:
//                         in the usage)
//   chat-xai-reasoning    chat-refusal's answer from grok-4-0709 with xAI's usage: 1,000 prompt, 100 completion
//                         and 2,000 reasoning tokens (reported beside completion_tokens, not in them)
//   chat-perplexity-deep-research  chat-refusal's answer from sonar-deep-research with Perplexity's usage:
//                         33 prompt, 11,395 completion, 193,947 reasoning and 19,028 citation tokens (the last two
//                         beside completion_tokens), 21 searches (num_search_queries)
// OpenAI chat streams are written with include_usage ("usage":null on each chunk and the usage chunk);
// LoopbackUpstream::withoutUsageChunks() gives them without. Real non-streamed chat messages also carry
// "annotations": [] (no chunk carries it): left out here so that both forms are one answer.
struct LoopbackShape
{
    QByteArray name;
    QByteArray path; // "/v1/chat/completions", "/v1/completions", "/v1/messages" or "/v1/responses"
    QByteArray answer; // non-streamed body
    QByteArray stream; // streamed body (SSE events, each ending in a blank line)
};

const QList<LoopbackShape> &loopbackShapes();
// The shape a request body names ("loopback-shape:<name>"), or nullptr.
const LoopbackShape *loopbackShapeFor(const QByteArray &requestBody);
const LoopbackShape *loopbackShape(const QByteArray &name);

} // namespace tl::test
