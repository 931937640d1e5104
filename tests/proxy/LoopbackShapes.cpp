#include "LoopbackShapes.h"

#include <cctype>

namespace tl::test {

namespace {

constexpr char kChatUsage[]
    = R"({"prompt_tokens":25,"completion_tokens":10,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";

// One OpenAI chat chunk of answer `id` (with include_usage: "usage":null), as the API writes it.
QByteArray chatChunk(const QByteArray &id, const QByteArray &delta, const QByteArray &finish = "null")
{
    return R"(data: {"id":")" + id
        + R"(","object":"chat.completion.chunk","created":1764403440,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_shape01","choices":[{"index":0,"delta":)"
        + delta + R"(,"logprobs":null,"finish_reason":)" + finish + "}],\"usage\":null}\n\n";
}

QByteArray chatEnd(const QByteArray &id)
{
    return R"(data: {"id":")" + id
        + R"(","object":"chat.completion.chunk","created":1764403440,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_shape01","choices":[],"usage":)"
        + kChatUsage + "}\n\ndata: [DONE]\n\n";
}

QByteArray chatAnswer(const QByteArray &id, const QByteArray &message, const QByteArray &finish)
{
    return R"({"id":")" + id
        + R"(","object":"chat.completion","created":1764403440,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":)"
        + message + R"(,"logprobs":null,"finish_reason":")" + finish + R"("}],"usage":)" + kChatUsage
        + R"(,"service_tier":"default","system_fingerprint":"fp_shape01"})";
}

QByteArray named(const QByteArray &type, const QByteArray &json)
{
    return "event: " + type + "\ndata: " + json + "\n\n";
}

// A Responses API event with its type and sequence number first, as the API writes them.
QByteArray respEvent(int &seq, const QByteArray &type, const QByteArray &fields)
{
    return named(type,
                 R"({"type":")" + type + R"(","sequence_number":)" + QByteArray::number(seq++)
                     + (fields.isEmpty() ? QByteArray() : "," + fields) + "}");
}

// The url_citation annotation and the output_text part ("Grass is green.") of the Responses shapes' message items.
QByteArray grassAnnotation()
{
    return R"({"type":"url_citation","end_index":15,"start_index":0,"title":"Grass","url":"https://example.com/grass"})";
}

QByteArray grassPart()
{
    return R"({"type":"output_text","annotations":[)" + grassAnnotation() + R"(],"logprobs":[],"text":"Grass is green."})";
}

// The events of a completed message output item with one output_text part that streams `deltas` and has one
// annotation: item added, part added, the text deltas, the annotation, text done, part done, item done.
QByteArray messageItemEvents(int &seq, const QByteArray &itemId, int outputIndex, const QList<QByteArray> &deltas,
                             const QByteArray &annotation, const QByteArray &part, const QByteArray &item)
{
    const QByteArray at = R"("item_id":")" + itemId + R"(","output_index":)" + QByteArray::number(outputIndex)
        + R"(,"content_index":0)";
    QByteArray text;
    for (const QByteArray &d : deltas)
        text += d;
    QByteArray out = respEvent(seq, "response.output_item.added",
                               R"("output_index":)" + QByteArray::number(outputIndex) + R"(,"item":{"id":")" + itemId
                                   + R"(","type":"message","status":"in_progress","content":[],"role":"assistant"})");
    out += respEvent(seq, "response.content_part.added",
                     at + R"(,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""})");
    for (const QByteArray &d : deltas)
        out += respEvent(seq, "response.output_text.delta", at + R"(,"delta":")" + d + R"(","logprobs":[])");
    out += respEvent(seq, "response.output_text.annotation.added", at + R"(,"annotation_index":0,"annotation":)" + annotation);
    out += respEvent(seq, "response.output_text.done", at + R"(,"text":")" + text + R"(","logprobs":[])");
    out += respEvent(seq, "response.content_part.done", at + R"(,"part":)" + part);
    out += respEvent(seq, "response.output_item.done",
                     R"("output_index":)" + QByteArray::number(outputIndex) + R"(,"item":)" + item);
    return out;
}

// The Responses API response object around `output`, in the state `status` ("in_progress" has no usage).
QByteArray response(const QByteArray &id, const QByteArray &status, const QByteArray &output, const QByteArray &tools)
{
    const QByteArray usage = status == "completed"
        ? R"({"input_tokens":75,"input_tokens_details":{"cached_tokens":0},"output_tokens":18,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":93})"
        : "null";
    return R"({"id":")" + id + R"(","object":"response","created_at":1764403440,"status":")" + status
        + R"(","background":false,"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5-2025-08-07","output":)"
        + output
        + R"(,"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"minimal","summary":null},"service_tier":"default","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":)"
        + tools + R"(,"top_p":1.0,"truncation":"disabled","usage":)" + usage + R"(,"user":null,"metadata":{}})";
}

QByteArray anthropicStart(const QByteArray &id, const QByteArray &inputTokens)
{
    return named(
        "message_start",
        R"({"type":"message_start","message":{"id":")" + id
            + R"(","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)"
            + inputTokens
            + R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}})");
}

QByteArray blockStart(int index, const QByteArray &block)
{
    return named("content_block_start",
                 R"({"type":"content_block_start","index":)" + QByteArray::number(index) + R"(,"content_block":)"
                     + block + "}");
}
QByteArray blockDelta(int index, const QByteArray &delta)
{
    return named("content_block_delta",
                 R"({"type":"content_block_delta","index":)" + QByteArray::number(index) + R"(,"delta":)" + delta
                     + "}");
}
QByteArray blockStop(int index)
{
    return named("content_block_stop", R"({"type":"content_block_stop","index":)" + QByteArray::number(index) + "}");
}

QList<LoopbackShape> makeShapes()
{
    QList<LoopbackShape> shapes;
    {
        const QByteArray id = "chatcmpl-shapeRefusal01";
        LoopbackShape s {"chat-refusal", "/v1/chat/completions", {}, {}};
        s.answer = chatAnswer(
            id, R"({"role":"assistant","content":null,"refusal":"I'm sorry, I can't help with that."})", "stop");
        s.stream = chatChunk(id, R"({"role":"assistant","content":"","refusal":null})")
            + chatChunk(id, R"({"refusal":"I'm sorry, "})") + chatChunk(id, R"({"refusal":"I can't help "})")
            + chatChunk(id, R"({"refusal":"with that."})") + chatChunk(id, "{}", R"("stop")") + chatEnd(id);
        shapes << s;
    }
    {
        const QByteArray id = "chatcmpl-shapeAnnot01";
        const QByteArray annotations
            = R"([{"type":"url_citation","url_citation":{"end_index":15,"start_index":4,"title":"Example","url":"https://example.com/"}}])";
        LoopbackShape s {"chat-annotations", "/v1/chat/completions", {}, {}};
        s.answer
            = chatAnswer(id,
                         R"({"role":"assistant","content":"See example.com for details.","refusal":null,"annotations":)"
                             + annotations + "}",
                         "stop");
        s.stream = chatChunk(id, R"({"role":"assistant","content":"","refusal":null})")
            + chatChunk(id, R"({"content":"See example.com"})") + chatChunk(id, R"({"content":" for details."})")
            + chatChunk(id, R"({"annotations":)" + annotations + "}") + chatChunk(id, "{}", R"("stop")") + chatEnd(id);
        shapes << s;
    }
    {
        const QByteArray id = "chatcmpl-shapeTools01";
        LoopbackShape s {"chat-tools", "/v1/chat/completions", {}, {}};
        s.answer = chatAnswer(
            id,
            R"({"role":"assistant","content":null,"refusal":null,"tool_calls":[)"
            R"({"id":"call_shape1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},)"
            R"({"id":"call_shape2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Tokyo\"}"}}]})",
            "tool_calls");
        s.stream
            = chatChunk(
                  id,
                  R"({"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_shape1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null})")
            + chatChunk(id, R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\""}}]})")
            + chatChunk(id, R"({"tool_calls":[{"index":0,"function":{"arguments":":\"Paris\"}"}}]})")
            + chatChunk(
                  id,
                  R"({"tool_calls":[{"index":1,"id":"call_shape2","type":"function","function":{"name":"get_weather","arguments":""}}]})")
            + chatChunk(id, R"({"tool_calls":[{"index":1,"function":{"arguments":"{\"city\":\"Tokyo\"}"}}]})")
            + chatChunk(id, "{}", R"("tool_calls")") + chatEnd(id);
        shapes << s;
    }
    {
        const QByteArray id = "msg_shapeCitations01";
        const QByteArray citation
            = R"({"type":"char_location","cited_text":"The grass is green.","document_index":0,"document_title":"Example Document","start_char_index":0,"end_char_index":20})";
        LoopbackShape s {"anthropic-citations", "/v1/messages", {}, {}};
        s.answer = R"({"id":")" + id
            + R"(","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[)"
              R"({"type":"text","text":"According to the document, "},)"
              R"({"type":"text","text":"the grass is green","citations":[)"
            + citation + R"(]},{"type":"text","text":"."}],"stop_reason":"end_turn","stop_sequence":null,)"
            + R"("usage":{"input_tokens":610,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":35,"service_tier":"standard"}})";
        s.stream
            = anthropicStart(id, "610") + blockStart(0, R"({"type":"text","text":""})")
            + named("ping", R"({"type": "ping"})") + blockDelta(0, R"({"type":"text_delta","text":"According to "})")
            + blockDelta(0, R"({"type":"text_delta","text":"the document, "})") + blockStop(0)
            + blockStart(1, R"({"type":"text","text":"","citations":[]})")
            + blockDelta(1, R"({"type":"citations_delta","citation":)" + citation + "}")
            + blockDelta(1, R"({"type":"text_delta","text":"the grass "})")
            + blockDelta(1, R"({"type":"text_delta","text":"is green"})") + blockStop(1)
            + blockStart(2, R"({"type":"text","text":""})") + blockDelta(2, R"({"type":"text_delta","text":"."})")
            + blockStop(2)
            + named(
                  "message_delta",
                  R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":35}})")
            + named("message_stop", R"({"type":"message_stop"})");
        shapes << s;
    }
    {
        const QByteArray id = "msg_shapeWebSearch01";
        const QByteArray result
            = R"({"type":"web_search_tool_result","tool_use_id":"srvtoolu_shape01","content":[{"type":"web_search_result","url":"https://example.com/grass","title":"Grass","encrypted_content":"EqgfCioIARgBIiQ3YTAw","page_age":null}]})";
        const QByteArray citation
            = R"({"type":"web_search_result_location","url":"https://example.com/grass","title":"Grass","encrypted_index":"Eo8BCioIAhgBIiQ","cited_text":"Grass is green"})";
        LoopbackShape s {"anthropic-web-search", "/v1/messages", {}, {}};
        s.answer = R"({"id":")" + id
            + R"(","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[)"
              R"({"type":"text","text":"I'll search for that."},)"
              R"({"type":"server_tool_use","id":"srvtoolu_shape01","name":"web_search","input":{"query":"grass colour"}},)"
            + result + R"(,{"type":"text","text":"Grass is green.","citations":[)" + citation
            + R"(]}],"stop_reason":"end_turn","stop_sequence":null,)"
            + R"("usage":{"input_tokens":2100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":90,"server_tool_use":{"web_search_requests":1},"service_tier":"standard"}})";
        s.stream
            = anthropicStart(id, "2100") + blockStart(0, R"({"type":"text","text":""})")
            + blockDelta(0, R"({"type":"text_delta","text":"I'll search for that."})") + blockStop(0)
            + blockStart(1, R"({"type":"server_tool_use","id":"srvtoolu_shape01","name":"web_search","input":{}})")
            + blockDelta(1, R"({"type":"input_json_delta","partial_json":""})")
            + blockDelta(1, R"({"type":"input_json_delta","partial_json":"{\"query\": \"grass"})")
            + blockDelta(1, R"({"type":"input_json_delta","partial_json":" colour\"}"})") + blockStop(1)
            + blockStart(2, result) + blockStop(2) + blockStart(3, R"({"type":"text","text":"","citations":[]})")
            + blockDelta(3, R"({"type":"citations_delta","citation":)" + citation + "}")
            + blockDelta(3, R"({"type":"text_delta","text":"Grass is green."})") + blockStop(3)
            + named(
                  "message_delta",
                  R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":2100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":90,"server_tool_use":{"web_search_requests":1}}})")
            + named("message_stop", R"({"type":"message_stop"})");
        shapes << s;
    }
    {
        const QByteArray id = "resp_shapeFunctionCall01";
        const QByteArray tools
            = R"([{"type":"function","name":"get_weather","description":"Weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true}])";
        const QByteArray item
            = R"({"id":"fc_shape01","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_shapeResp01","name":"get_weather"})";
        LoopbackShape s {"responses-function-call", "/v1/responses", {}, {}};
        s.answer = response(id, "completed", "[" + item + "]", tools);
        int seq = 0;
        s.stream = respEvent(seq, "response.created", R"("response":)" + response(id, "in_progress", "[]", tools));
        s.stream += respEvent(seq, "response.in_progress", R"("response":)" + response(id, "in_progress", "[]", tools));
        s.stream += respEvent(
            seq, "response.output_item.added",
            R"("output_index":0,"item":{"id":"fc_shape01","type":"function_call","status":"in_progress","arguments":"","call_id":"call_shapeResp01","name":"get_weather"})");
        for (const char *piece : {R"({\")", R"(city\":\")", R"(Paris\"})"})
            s.stream += respEvent(seq, "response.function_call_arguments.delta",
                                  R"("item_id":"fc_shape01","output_index":0,"delta":")" + QByteArray(piece) + "\"");
        s.stream += respEvent(seq, "response.function_call_arguments.done",
                              R"("item_id":"fc_shape01","output_index":0,"arguments":"{\"city\":\"Paris\"}")");
        s.stream += respEvent(seq, "response.output_item.done", R"("output_index":0,"item":)" + item);
        s.stream += respEvent(seq, "response.completed", R"("response":)" + s.answer);
        shapes << s;
    }
    {
        const QByteArray id = "resp_shapeAnnotations01";
        const QByteArray annotation = grassAnnotation();
        const QByteArray part = grassPart();
        const QByteArray item = R"({"id":"msg_shape01","type":"message","status":"completed","content":[)" + part
            + R"(],"role":"assistant"})";
        LoopbackShape s {"responses-text-annotations", "/v1/responses", {}, {}};
        s.answer = response(id, "completed", "[" + item + "]", "[]");
        int seq = 0;
        s.stream = respEvent(seq, "response.created", R"("response":)" + response(id, "in_progress", "[]", "[]"));
        s.stream += respEvent(seq, "response.in_progress", R"("response":)" + response(id, "in_progress", "[]", "[]"));
        s.stream += messageItemEvents(seq, "msg_shape01", 0, {"Grass", " is", " green."}, annotation, part, item);
        s.stream += respEvent(seq, "response.completed", R"("response":)" + s.answer);
        shapes << s;
    }
    {
        // Web search through the Responses API (guide "Web search"; API reference "Streaming events":
        // response.web_search_call.in_progress / searching / completed between the item's added and done):
        // two billed searches and one open_page action (a page read, not a billed search), then the answer.
        const QByteArray id = "resp_shapeWebSearch01";
        const QByteArray tools = R"([{"type":"web_search","filters":null,"search_context_size":"medium","user_location":null}])";
        const QByteArray calls[] = {
            R"({"id":"ws_shape01","type":"web_search_call","status":"completed","action":{"type":"search","query":"grass colour"}})",
            R"({"id":"ws_shape02","type":"web_search_call","status":"completed","action":{"type":"open_page","url":"https://example.com/grass"}})",
            R"({"id":"ws_shape03","type":"web_search_call","status":"completed","action":{"type":"search","query":"why is grass green"}})",
        };
        const QByteArray annotation = grassAnnotation();
        const QByteArray part = grassPart();
        const QByteArray message = R"({"id":"msg_shapeWs01","type":"message","status":"completed","content":[)" + part
            + R"(],"role":"assistant"})";
        LoopbackShape s {"responses-web-search", "/v1/responses", {}, {}};
        s.answer = response(id, "completed", "[" + calls[0] + "," + calls[1] + "," + calls[2] + "," + message + "]", tools);
        int seq = 0;
        s.stream = respEvent(seq, "response.created", R"("response":)" + response(id, "in_progress", "[]", tools));
        s.stream += respEvent(seq, "response.in_progress", R"("response":)" + response(id, "in_progress", "[]", tools));
        for (int i = 0; i < 3; ++i) {
            QByteArray added = calls[i];
            added.replace(R"("status":"completed")", R"("status":"in_progress")");
            const QByteArray at = R"("item_id":"ws_shape0)" + QByteArray::number(i + 1) + R"(","output_index":)" + QByteArray::number(i);
            s.stream += respEvent(seq, "response.output_item.added", R"("output_index":)" + QByteArray::number(i) + R"(,"item":)" + added);
            s.stream += respEvent(seq, "response.web_search_call.in_progress", at);
            s.stream += respEvent(seq, "response.web_search_call.searching", at);
            s.stream += respEvent(seq, "response.web_search_call.completed", at);
            s.stream += respEvent(seq, "response.output_item.done", R"("output_index":)" + QByteArray::number(i) + R"(,"item":)" + calls[i]);
        }
        s.stream += messageItemEvents(seq, "msg_shapeWs01", 3, {"Grass is green."}, annotation, part, message);
        s.stream += respEvent(seq, "response.completed", R"("response":)" + s.answer);
        shapes << s;
    }
    {
        // File search through the Responses API (guide "File search"; API reference "The response object",
        // output[] file_search_call, and "Streaming events": response.file_search_call.in_progress / searching /
        // completed between the item's added and done): two file search calls, then the answer with a
        // file_citation annotation. Billed per call ($2.50 per 1,000), whatever the number of queries.
        const QByteArray id = "resp_shapeFileSearch01";
        const QByteArray tools = R"([{"type":"file_search","filters":null,"max_num_results":20,"ranking_options":{"ranker":"auto","score_threshold":0.0},"vector_store_ids":["vs_shape01"]}])";
        const QByteArray calls[] = {
            R"({"id":"fs_shape01","type":"file_search_call","status":"completed","queries":["grass colour","why is grass green"],"results":null})",
            R"({"id":"fs_shape02","type":"file_search_call","status":"completed","queries":["chlorophyll"],"results":null})",
        };
        const QByteArray annotation = R"({"type":"file_citation","file_id":"file-shape01","filename":"grass.pdf","index":15})";
        const QByteArray part = R"({"type":"output_text","annotations":[)" + annotation
            + R"(],"logprobs":[],"text":"Grass is green."})";
        const QByteArray message = R"({"id":"msg_shapeFs01","type":"message","status":"completed","content":[)" + part
            + R"(],"role":"assistant"})";
        LoopbackShape s {"responses-file-search", "/v1/responses", {}, {}};
        s.answer = response(id, "completed", "[" + calls[0] + "," + calls[1] + "," + message + "]", tools);
        int seq = 0;
        s.stream = respEvent(seq, "response.created", R"("response":)" + response(id, "in_progress", "[]", tools));
        s.stream += respEvent(seq, "response.in_progress", R"("response":)" + response(id, "in_progress", "[]", tools));
        for (int i = 0; i < 2; ++i) {
            QByteArray added = calls[i];
            added.replace(R"("status":"completed")", R"("status":"in_progress")");
            const QByteArray at = R"("item_id":"fs_shape0)" + QByteArray::number(i + 1) + R"(","output_index":)" + QByteArray::number(i);
            s.stream += respEvent(seq, "response.output_item.added", R"("output_index":)" + QByteArray::number(i) + R"(,"item":)" + added);
            s.stream += respEvent(seq, "response.file_search_call.in_progress", at);
            s.stream += respEvent(seq, "response.file_search_call.searching", at);
            s.stream += respEvent(seq, "response.file_search_call.completed", at);
            s.stream += respEvent(seq, "response.output_item.done", R"("output_index":)" + QByteArray::number(i) + R"(,"item":)" + calls[i]);
        }
        s.stream += messageItemEvents(seq, "msg_shapeFs01", 2, {"Grass is green."}, annotation, part, message);
        s.stream += respEvent(seq, "response.completed", R"("response":)" + s.answer);
        shapes << s;
    }
    {
        // The legacy Completions API (POST /v1/completions): "text_completion" chunks, with include_usage a
        // "usage":null member in each and a last chunk of empty choices with the usage (API reference, "Create
        // completion", stream_options).
        const QByteArray id = "cmpl-shapeLegacy01";
        const auto piece = [&](const QByteArray &text, const QByteArray &finish) -> QByteArray {
            return R"(data: {"id":")" + id + R"(","object":"text_completion","created":1764403440,"choices":[{"text":")" + text
                + R"(","index":0,"logprobs":null,"finish_reason":)" + finish
                + R"(}],"model":"gpt-3.5-turbo-instruct","usage":null})" + "\n\n";
        };
        constexpr char usage[] = R"({"prompt_tokens":5,"completion_tokens":7,"total_tokens":12})";
        LoopbackShape s {"completions", "/v1/completions", {}, {}};
        s.answer = R"({"id":")" + id + R"(","object":"text_completion","created":1764403440,"model":"gpt-3.5-turbo-instruct",)"
                   R"("choices":[{"text":"Hello there, friend.","index":0,"logprobs":null,"finish_reason":"stop"}],"usage":)"
            + QByteArray(usage) + "}";
        s.stream = piece("Hello", "null") + piece(" there,", "null") + piece(" friend.", "null") + piece("", R"("stop")")
            + R"(data: {"id":")" + id + R"(","object":"text_completion","created":1764403440,"choices":[],)"
            + R"("model":"gpt-3.5-turbo-instruct","usage":)" + usage + "}\n\ndata: [DONE]\n\n";
        shapes << s;
    }
    // The same answers served on another processing tier (OpenAI "service_tier" on the answer and every chunk;
    // Anthropic usage.service_tier): chat-flex / chat-priority are chat-refusal's, anthropic-priority is
    // anthropic-citations'.
    const auto onTier = [&shapes](const QByteArray &from, const QByteArray &name, const QByteArray &was, const QByteArray &tier) {
        for (const LoopbackShape &shape : std::as_const(shapes)) {
            if (shape.name == from) {
                LoopbackShape s = shape;
                s.name = name;
                const QByteArray before = R"("service_tier":")" + was + '"';
                const QByteArray after = R"("service_tier":")" + tier + '"';
                s.answer.replace(before, after);
                s.stream.replace(before, after);
                return s;
            }
        }
        return LoopbackShape{};
    };
    // xAI's Grok through its OpenAI-compatible API: reasoning tokens reported beside completion_tokens, not in them.
    LoopbackShape grok = onTier("chat-refusal", "chat-xai-reasoning", "default", "default");
    const QByteArray grokUsage = R"({"prompt_tokens":1000,"completion_tokens":100,"total_tokens":3100,)"
                                 R"("prompt_tokens_details":{"text_tokens":1000,"audio_tokens":0,"image_tokens":0,"cached_tokens":0},)"
                                 R"("completion_tokens_details":{"reasoning_tokens":2000,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})";
    for (QByteArray *body : {&grok.answer, &grok.stream}) {
        body->replace(kChatUsage, grokUsage);
        body->replace("gpt-4o-2024-08-06", "grok-4-0709");
    }
    shapes << grok;
    // Perplexity's sonar-deep-research through its OpenAI-compatible API: reasoning and citation tokens and the
    // number of searches at the top of usage, reasoning and citation tokens beside completion_tokens
    // (genai-prices 0.1.8's perplexity extractor and its deep-research test figures).
    LoopbackShape perplexity = onTier("chat-refusal", "chat-perplexity-deep-research", "default", "default");
    const QByteArray perplexityUsage = R"({"prompt_tokens":33,"completion_tokens":11395,"total_tokens":11428,)"
                                       R"("citation_tokens":19028,"num_search_queries":21,"reasoning_tokens":193947})";
    for (QByteArray *body : {&perplexity.answer, &perplexity.stream}) {
        body->replace(kChatUsage, perplexityUsage);
        body->replace("gpt-4o-2024-08-06", "sonar-deep-research");
    }
    shapes << perplexity;
    shapes << onTier("chat-refusal", "chat-flex", "default", "flex") << onTier("chat-refusal", "chat-priority", "default", "priority")
           << onTier("anthropic-citations", "anthropic-priority", "standard", "priority");
    return shapes;
}

} // namespace

const QList<LoopbackShape> &loopbackShapes()
{
    static const QList<LoopbackShape> shapes = makeShapes();
    return shapes;
}

const LoopbackShape *loopbackShape(const QByteArray &name)
{
    for (const LoopbackShape &s : loopbackShapes()) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

const LoopbackShape *loopbackShapeFor(const QByteArray &requestBody)
{
    const qsizetype at = requestBody.indexOf("loopback-shape:");
    if (at < 0)
        return nullptr;
    qsizetype end = at + 15;
    while (end < requestBody.size()
           && (std::isalnum(static_cast<unsigned char>(requestBody[end])) || requestBody[end] == '-'))
        ++end;
    return loopbackShape(requestBody.mid(at + 15, end - at - 15));
}

} // namespace tl::test
