#include "ProviderProtocol.h"

#include "pricing/ProviderUsage.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstring>

#include <simdjson.h>

#include <optional>

using namespace Qt::StringLiterals;

namespace tl::proxy {

ApiKind classify(QByteArrayView method, QByteArrayView target)
{
    QByteArrayView path = target;
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path = path.first(q);
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    const bool post = method == "POST";
    if (post && path.endsWith("/chat/completions"))
        return ApiKind::ChatCompletions;
    if (post && path.endsWith("/messages/count_tokens"))
        return ApiKind::CountTokens;
    if (post && path.endsWith("/messages"))
        return ApiKind::Messages;
    if (post && path.endsWith("/completions"))
        return ApiKind::Completions;
    if (post && path.endsWith("/embeddings"))
        return ApiKind::Embeddings;
    if (post && path.endsWith("/responses"))
        return ApiKind::Responses;
    if (method == "GET" && path.endsWith("/models"))
        return ApiKind::Models;
    return ApiKind::Other;
}

Dialect dialectOf(ApiKind kind, QByteArrayView target, bool hasAnthropicVersion)
{
    if (kind == ApiKind::Messages || kind == ApiKind::CountTokens)
        return Dialect::Anthropic;
    if (kind != ApiKind::Models && kind != ApiKind::Other)
        return Dialect::OpenAi; // the OpenAI APIs' own paths, whatever else the request carries
    if (hasAnthropicVersion)
        return Dialect::Anthropic;
    QByteArrayView path = target;
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path = path.first(q);
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    if (path.endsWith("/complete") || path.endsWith("/messages") || path.contains("/messages/"))
        return Dialect::Anthropic;
    return Dialect::OpenAi;
}

bool isPriced(ApiKind kind)
{
    switch (kind) {
    case ApiKind::ChatCompletions:
    case ApiKind::Completions:
    case ApiKind::Embeddings:
    case ApiKind::Responses:
    case ApiKind::Messages:
        return true;
    default:
        return false;
    }
}

bool isCacheable(ApiKind kind) { return isPriced(kind); }

QString apiName(ApiKind kind)
{
    switch (kind) {
    case ApiKind::ChatCompletions: return u"chat.completions"_s;
    case ApiKind::Completions: return u"completions"_s;
    case ApiKind::Embeddings: return u"embeddings"_s;
    case ApiKind::Responses: return u"responses"_s;
    case ApiKind::Models: return u"models"_s;
    case ApiKind::Messages: return u"messages"_s;
    case ApiKind::CountTokens: return u"messages.count_tokens"_s;
    case ApiKind::Other: break;
    }
    return u"other"_s;
}

namespace {

QString errorType(Dialect d, int status)
{
    switch (status) {
    case 400: return u"invalid_request_error"_s;
    case 401: return u"authentication_error"_s;
    case 404: return u"not_found_error"_s;
    case 408: return u"timeout_error"_s;
    case 413: return u"request_too_large"_s;
    case 429: return u"rate_limit_error"_s;
    case 431: return u"invalid_request_error"_s;
    case 503: return d == Dialect::Anthropic ? u"overloaded_error"_s : u"server_error"_s;
    case 504: return d == Dialect::Anthropic ? u"timeout_error"_s : u"timeout"_s;
    default: return u"api_error"_s;
    }
}

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

qint64 textChars(const QJsonValue &v)
{
    if (v.isString())
        return v.toString().size();
    qint64 n = 0;
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            n += textChars(e);
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        if (o.contains("text"_L1))
            n += textChars(o.value("text"_L1));
        if (o.contains("content"_L1))
            n += textChars(o.value("content"_L1));
        if (o.contains("input"_L1) && o.value("input"_L1).isString())
            n += textChars(o.value("input"_L1));
    }
    return n;
}

bool isTruncatedReason(const QString &reason)
{
    return reason == "length"_L1 || reason == "max_tokens"_L1 || reason == "model_context_window_exceeded"_L1;
}

} // namespace

QByteArray errorBody(Dialect dialect, int status, const QString &message)
{
    const QString type = errorType(dialect, status);
    if (dialect == Dialect::Anthropic)
        return compact(QJsonObject{{"type"_L1, "error"_L1},
                                   {"error"_L1, QJsonObject{{"type"_L1, type}, {"message"_L1, message}}}});
    return compact(QJsonObject{{"error"_L1, QJsonObject{{"message"_L1, message}, {"type"_L1, type},
                                                       {"param"_L1, QJsonValue::Null}, {"code"_L1, type}}}});
}

QByteArray errorEvent(Dialect dialect, const QString &message)
{
    if (dialect == Dialect::Anthropic)
        return "event: error\ndata: " + errorBody(dialect, 502, message) + "\n\n";
    return "data: " + errorBody(dialect, 502, message) + "\n\n";
}

RequestInfo inspectRequest(ApiKind kind, const QJsonObject &body)
{
    RequestInfo info;
    info.model = body.value("model"_L1).toString();
    info.stream = body.value("stream"_L1).toBool(false);
    info.includeUsage = body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool(false);
    info.hasTools = !body.value("tools"_L1).toArray().isEmpty() || !body.value("functions"_L1).toArray().isEmpty();
    for (const char *key : {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
        if (body.contains(QLatin1StringView(key)))
            info.maxTokens = qint64(body.value(QLatin1StringView(key)).toDouble());
    }
    switch (kind) {
    case ApiKind::ChatCompletions:
    case ApiKind::Messages: {
        const QJsonArray messages = body.value("messages"_L1).toArray();
        info.messageCount = int(messages.size());
        info.promptChars = textChars(messages) + textChars(body.value("system"_L1));
        break;
    }
    case ApiKind::Responses: {
        const QJsonValue input = body.value("input"_L1);
        info.messageCount = input.isArray() ? int(input.toArray().size()) : 1;
        info.promptChars = textChars(input) + textChars(body.value("instructions"_L1));
        break;
    }
    case ApiKind::Completions:
        info.messageCount = 1;
        info.promptChars = textChars(body.value("prompt"_L1));
        break;
    case ApiKind::Embeddings:
        info.messageCount = body.value("input"_L1).isArray() ? int(body.value("input"_L1).toArray().size()) : 1;
        info.promptChars = textChars(body.value("input"_L1));
        break;
    default:
        break;
    }
    return info;
}

AnswerUsage usageFromAnswer(ApiKind kind, const QJsonObject &answer)
{
    AnswerUsage out;
    out.servedModel = answer.value("model"_L1).toString();
    const QJsonValue usage = answer.value("usage"_L1);
    out.found = usage.isObject();
    const QJsonObject u = usage.toObject();
    switch (kind) {
    case ApiKind::Responses:
        out.usage = ProviderUsage::fromOpenAiResponses(u);
        out.truncated = answer.value("status"_L1).toString() == "incomplete"_L1;
        break;
    case ApiKind::Messages:
        out.usage = ProviderUsage::fromAnthropic(u);
        out.truncated = isTruncatedReason(answer.value("stop_reason"_L1).toString());
        break;
    default:
        out.usage = ProviderUsage::fromOpenAiChat(u);
        for (const QJsonValue &c : answer.value("choices"_L1).toArray()) {
            if (isTruncatedReason(c.toObject().value("finish_reason"_L1).toString()))
                out.truncated = true;
        }
        break;
    }
    return out;
}

namespace {

QString toQString(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

std::string_view stringOf(simdjson::dom::element e)
{
    std::string_view s;
    return e.get_string().get(s) == simdjson::SUCCESS ? s : std::string_view();
}

bool isTruncatedReason(std::string_view reason)
{
    return reason == "length" || reason == "max_tokens" || reason == "model_context_window_exceeded";
}

} // namespace

AnswerUsage usageFromBody(ApiKind kind, QByteArrayView body)
{
    // The thread's parser keeps its buffers between answers (several bytes per byte of the largest
    // answer it read); a longer answer gets a parser of its own, freed after it.
    constexpr qsizetype kKeptParserLimit = 1 << 20;
    thread_local simdjson::dom::parser kept;
    std::optional<simdjson::dom::parser> own;
    simdjson::dom::parser &parser = body.size() <= kKeptParserLimit ? kept : own.emplace();
    AnswerUsage out;
    simdjson::dom::object answer;
    if (parser.parse(body.data(), size_t(body.size())).get_object().get(answer) != simdjson::SUCCESS) {
        // Not an object, malformed, or something simdjson refuses that Qt might take (an integer
        // beyond 64 bits): Qt's reading decides, so the result is the same for every body.
        return usageFromAnswer(kind, QJsonDocument::fromJson(body.toByteArray()).object());
    }
    // The last occurrence of a repeated member wins, as in QJsonObject.
    std::optional<simdjson::dom::element> model, usage, status, stopReason, choices;
    for (auto field : answer) {
        const std::string_view key = field.key;
        if (key == "model")
            model = field.value;
        else if (key == "usage")
            usage = field.value;
        else if (key == "status")
            status = field.value;
        else if (key == "stop_reason")
            stopReason = field.value;
        else if (key == "choices")
            choices = field.value;
    }
    if (model)
        out.servedModel = toQString(stringOf(*model));
    out.found = usage && usage->is_object();
    // The usage object's text (simdjson's minified form, a few hundred bytes) read by Qt's parser,
    // which builds a QJsonObject faster than member-by-member inserts.
    QJsonObject u;
    if (out.found) {
        const std::string text = simdjson::minify(*usage);
        u = QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), qsizetype(text.size()))).object();
    }
    switch (kind) {
    case ApiKind::Responses:
        out.usage = ProviderUsage::fromOpenAiResponses(u);
        out.truncated = status && stringOf(*status) == "incomplete";
        break;
    case ApiKind::Messages:
        out.usage = ProviderUsage::fromAnthropic(u);
        out.truncated = stopReason && isTruncatedReason(stringOf(*stopReason));
        break;
    default:
        out.usage = ProviderUsage::fromOpenAiChat(u);
        if (choices && choices->is_array()) {
            for (simdjson::dom::element c : simdjson::dom::array(*choices)) {
                if (!c.is_object())
                    continue;
                std::string_view reason; // the last finish_reason member, as in QJsonObject
                for (auto field : simdjson::dom::object(c)) {
                    if (field.key == "finish_reason")
                        reason = stringOf(field.value);
                }
                if (isTruncatedReason(reason))
                    out.truncated = true;
            }
        }
        break;
    }
    return out;
}

bool StreamAccounting::onEvent(const SseEvent &event, bool dropInjectedUsage)
{
    ++m_events;
    if (event.oversized) {
        m_lossy = true; // its fields were not read: the assembled answer would miss them
        return false;
    }
    if (event.data.isEmpty())
        return false;
    if (event.data == "[DONE]") {
        if (m_kind == ApiKind::ChatCompletions || m_kind == ApiKind::Completions)
            m_finished = true;
        return false;
    }
    const QJsonObject o = QJsonDocument::fromJson(event.data).object();
    if (o.isEmpty())
        return false;
    // An error the upstream sends inside the stream ends it: Anthropic's `event: error` with
    // {"type":"error","error":{"type":"overloaded_error",...}} (API reference "Streaming Messages", Error
    // events), the Responses API's {"type":"error","code":...} event, an OpenAI chat chunk {"error":{...}}.
    const bool errorEvent = o.value("type"_L1).toString() == "error"_L1
                            || ((m_kind == ApiKind::ChatCompletions || m_kind == ApiKind::Completions)
                                && o.value("error"_L1).isObject());
    if (errorEvent) {
        const QJsonObject e = o.value("error"_L1).toObject();
        QString type = e.value("type"_L1).toString();
        if (type.isEmpty())
            type = e.value("code"_L1).toString();
        if (type.isEmpty())
            type = o.value("code"_L1).toString();
        m_errorType = type.isEmpty() ? u"error"_s : type.left(64);
        m_finished = true;
        m_failed = true;
        return false;
    }
    switch (m_kind) {
    case ApiKind::ChatCompletions:
    case ApiKind::Completions: {
        if (m_base.isEmpty())
            m_base = o;
        if (m_model.isEmpty())
            m_model = o.value("model"_L1).toString();
        const QJsonArray choices = o.value("choices"_L1).toArray();
        for (const QJsonValue &cv : choices) {
            const QJsonObject c = cv.toObject();
            const int index = c.value("index"_L1).toInt();
            QJsonObject &acc = m_choices[index];
            const QJsonObject delta = c.value("delta"_L1).toObject();
            if (delta.contains("role"_L1))
                acc.insert("role"_L1, delta.value("role"_L1));
            const QString piece = delta.contains("content"_L1) ? delta.value("content"_L1).toString()
                                                               : c.value("text"_L1).toString();
            if (!piece.isEmpty() || delta.value("content"_L1).isString())
                m_content[index] += piece;
            if (delta.value("refusal"_L1).isString())
                m_refusal[index] += delta.value("refusal"_L1).toString();
            for (const QJsonValue &tv : delta.value("tool_calls"_L1).toArray()) {
                const QJsonObject tc = tv.toObject();
                ToolCallText &call = m_toolCalls[index][tc.value("index"_L1).toInt()];
                if (tc.contains("id"_L1))
                    call.call.insert("id"_L1, tc.value("id"_L1));
                if (tc.contains("type"_L1))
                    call.call.insert("type"_L1, tc.value("type"_L1));
                const QJsonObject fn = tc.value("function"_L1).toObject();
                if (fn.contains("name"_L1)) {
                    call.hasName = true;
                    call.name += fn.value("name"_L1).toString();
                }
                call.arguments += fn.value("arguments"_L1).toString();
            }
            if (c.value("finish_reason"_L1).isString()) {
                acc.insert("finish_reason"_L1, c.value("finish_reason"_L1));
                if (isTruncatedReason(c.value("finish_reason"_L1).toString()))
                    m_truncated = true;
            }
        }
        if (o.value("usage"_L1).isObject()) {
            m_usageJson = o.value("usage"_L1).toObject();
            m_hasUsage = true;
            // The usage-only chunk (empty choices) is the one include_usage adds.
            if (dropInjectedUsage && choices.isEmpty())
                return true;
        }
        return false;
    }
    case ApiKind::Responses: {
        const QString type = o.value("type"_L1).toString();
        const QJsonObject response = o.value("response"_L1).toObject();
        if (!response.isEmpty() && m_model.isEmpty())
            m_model = response.value("model"_L1).toString();
        // What the model produced so far, for the local estimate of a stream cut before its usage
        // (API reference "Streaming events": text, refusal, reasoning and tool-call argument deltas;
        // a function call's name comes with its output item).
        if (type.endsWith(".delta"_L1) && o.value("delta"_L1).isString()
            && (type == "response.output_text.delta"_L1 || type == "response.refusal.delta"_L1
                || type == "response.function_call_arguments.delta"_L1
                || type == "response.custom_tool_call_input.delta"_L1
                || type == "response.reasoning_text.delta"_L1 || type == "response.reasoning_summary_text.delta"_L1)) {
            m_streamedText += o.value("delta"_L1).toString();
        } else if (type == "response.output_item.added"_L1) {
            m_streamedText += o.value("item"_L1).toObject().value("name"_L1).toString();
        }
        if (type == "response.completed"_L1 || type == "response.incomplete"_L1 || type == "response.failed"_L1) {
            m_base = response;
            m_model = response.value("model"_L1).toString();
            if (response.value("usage"_L1).isObject()) {
                m_usageJson = response.value("usage"_L1).toObject();
                m_hasUsage = true;
            }
            m_finished = true;
            m_truncated = type == "response.incomplete"_L1;
            m_failed = type == "response.failed"_L1;
        }
        return false;
    }
    case ApiKind::Messages: {
        const QString type = o.value("type"_L1).toString();
        if (type == "message_start"_L1) {
            m_base = o.value("message"_L1).toObject();
            m_model = m_base.value("model"_L1).toString();
            m_usageJson = m_base.value("usage"_L1).toObject();
            m_hasUsage = !m_usageJson.isEmpty();
        } else if (type == "content_block_start"_L1) {
            m_blocks[o.value("index"_L1).toInt()] = o.value("content_block"_L1).toObject();
        } else if (type == "content_block_delta"_L1) {
            const int index = o.value("index"_L1).toInt();
            (void)m_blocks[index]; // a delta without its content_block_start still makes a block
            const QJsonObject d = o.value("delta"_L1).toObject();
            const QString dt = d.value("type"_L1).toString();
            if (dt == "text_delta"_L1)
                m_blockText[index][u"text"_s] += d.value("text"_L1).toString();
            else if (dt == "input_json_delta"_L1)
                m_partialJson[index] += d.value("partial_json"_L1).toString();
            else if (dt == "thinking_delta"_L1)
                m_blockText[index][u"thinking"_s] += d.value("thinking"_L1).toString();
            else if (dt == "signature_delta"_L1)
                m_blockText[index][u"signature"_s] += d.value("signature"_L1).toString();
        } else if (type == "message_delta"_L1) {
            m_delta = o.value("delta"_L1).toObject();
            if (isTruncatedReason(m_delta.value("stop_reason"_L1).toString()))
                m_truncated = true;
            // message_delta usage is cumulative: its counts replace message_start's; an input count of
            // 0 (some gateways) does not erase the one from message_start.
            const QJsonObject u = o.value("usage"_L1).toObject();
            for (auto it = u.begin(); it != u.end(); ++it) {
                if (it.value().isDouble() && it.value().toDouble() == 0 && it.key() != "output_tokens"_L1
                    && m_usageJson.contains(it.key()))
                    continue;
                m_usageJson.insert(it.key(), it.value());
            }
            m_hasUsage = true;
        } else if (type == "message_stop"_L1) {
            m_finished = true;
        }
        return false;
    }
    default:
        return false;
    }
}

Usage StreamAccounting::usage() const
{
    switch (m_kind) {
    case ApiKind::Responses: return ProviderUsage::fromOpenAiResponses(m_usageJson);
    case ApiKind::Messages: return ProviderUsage::fromAnthropic(m_usageJson);
    default: return ProviderUsage::fromOpenAiChat(m_usageJson);
    }
}

QJsonObject StreamAccounting::blockWithText(int index) const
{
    QJsonObject block = m_blocks.value(index);
    const auto texts = m_blockText.constFind(index);
    if (texts != m_blockText.cend()) {
        for (auto t = texts->cbegin(); t != texts->cend(); ++t)
            block.insert(t.key(), QString(block.value(t.key()).toString() + t.value()));
    }
    return block;
}

QString StreamAccounting::completionText() const
{
    QString text;
    for (const QString &c : m_content)
        text += c;
    for (const auto &calls : m_toolCalls) {
        for (const ToolCallText &call : calls)
            text += call.name + call.arguments;
    }
    for (auto it = m_blocks.cbegin(); it != m_blocks.cend(); ++it) {
        const QJsonObject block = blockWithText(it.key());
        text += block.value("text"_L1).toString() + block.value("thinking"_L1).toString();
    }
    for (const QString &json : m_partialJson)
        text += json;
    text += m_streamedText;
    return text;
}

QJsonObject StreamAccounting::assembled() const
{
    switch (m_kind) {
    case ApiKind::ChatCompletions:
    case ApiKind::Completions: {
        QJsonObject out;
        for (const char *key : {"id", "created", "model", "system_fingerprint", "service_tier"}) {
            if (m_base.contains(QLatin1StringView(key)))
                out.insert(QLatin1StringView(key), m_base.value(QLatin1StringView(key)));
        }
        const bool chat = m_kind == ApiKind::ChatCompletions;
        out.insert("object"_L1, chat ? "chat.completion"_L1 : "text_completion"_L1);
        QJsonArray choices;
        for (auto it = m_choices.begin(); it != m_choices.end(); ++it) {
            QJsonObject choice{{"index"_L1, it.key()}, {"logprobs"_L1, QJsonValue::Null},
                               {"finish_reason"_L1, it->value("finish_reason"_L1)}};
            if (chat) {
                const auto content = m_content.constFind(it.key());
                const auto refusal = m_refusal.constFind(it.key());
                QJsonObject message{{"role"_L1, it->value("role"_L1).toString(u"assistant"_s)},
                                    {"content"_L1, content != m_content.cend() ? QJsonValue(*content)
                                                                               : QJsonValue(QJsonValue::Null)},
                                    {"refusal"_L1, refusal != m_refusal.cend() ? QJsonValue(*refusal)
                                                                               : QJsonValue(QJsonValue::Null)}};
                if (m_toolCalls.contains(it.key())) {
                    QJsonArray calls;
                    for (const ToolCallText &c : m_toolCalls.value(it.key())) {
                        QJsonObject call = c.call;
                        QJsonObject function{{"arguments"_L1, c.arguments}};
                        if (c.hasName)
                            function.insert("name"_L1, c.name);
                        call.insert("function"_L1, function);
                        calls.append(call);
                    }
                    message.insert("tool_calls"_L1, calls);
                }
                choice.insert("message"_L1, message);
            } else {
                choice.insert("text"_L1, m_content.value(it.key()));
            }
            choices.append(choice);
        }
        out.insert("choices"_L1, choices);
        if (!m_usageJson.isEmpty())
            out.insert("usage"_L1, m_usageJson);
        return out;
    }
    case ApiKind::Responses:
        return m_base;
    case ApiKind::Messages: {
        QJsonObject out = m_base;
        QJsonArray content;
        for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it) {
            QJsonObject block = blockWithText(it.key());
            if (m_partialJson.contains(it.key()))
                block.insert("input"_L1, QJsonDocument::fromJson(m_partialJson.value(it.key()).toUtf8()).object());
            content.append(block);
        }
        out.insert("content"_L1, content);
        for (auto it = m_delta.begin(); it != m_delta.end(); ++it)
            out.insert(it.key(), it.value());
        out.insert("usage"_L1, m_usageJson);
        return out;
    }
    default:
        return {};
    }
}

QByteArray withIncludeUsage(const QJsonObject &body)
{
    QJsonObject b = body;
    QJsonObject so = b.value("stream_options"_L1).toObject();
    so.insert("include_usage"_L1, true);
    b.insert("stream_options"_L1, so);
    return compact(b);
}

QByteArray withIncludeUsage(const QByteArray &rawBody, const QJsonObject &body)
{
    if (body.contains("stream_options"_L1) || body.isEmpty())
        return withIncludeUsage(body);
    const qsizetype brace = rawBody.indexOf('{');
    if (brace < 0)
        return withIncludeUsage(body);
    static constexpr QByteArrayView member = R"("stream_options":{"include_usage":true},)";
    QByteArray out;
    out.reserve(rawBody.size() + member.size());
    out.append(rawBody.constData(), brace + 1).append(member).append(rawBody.constData() + brace + 1,
                                                                     rawBody.size() - brace - 1);
    return out;
}

namespace {

// Where an event's data lines sit in its raw bytes: the data (WHATWG: each "data:" line's value, one
// leading space dropped, joined with '\n') as one string, and for each of its lines the raw offset.
struct DataLines
{
    struct Line
    {
        qsizetype dataAt; // offset in `data`
        qsizetype rawAt;  // offset in the raw event
        qsizetype size;
        qsizetype lineNo; // the line's number among all lines of the event
    };
    QByteArray data;
    QList<Line> lines;
};

DataLines dataLinesOf(const QByteArray &raw)
{
    DataLines out;
    const char *d = raw.constData();
    const qsizetype n = raw.size();
    qsizetype i = 0;
    qsizetype lineNo = 0;
    while (i < n) {
        qsizetype j = i;
        while (j < n && d[j] != '\n' && d[j] != '\r')
            ++j;
        const QByteArrayView line(d + i, j - i);
        if (line.startsWith("data")) {
            qsizetype v = 4;
            if (line.size() == 4 || line[4] == ':') {
                v = line.size() == 4 ? 4 : 5;
                if (v < line.size() && line[v] == ' ')
                    ++v;
                if (!out.lines.isEmpty())
                    out.data.append('\n');
                out.lines.append({out.data.size(), i + v, line.size() - v, lineNo});
                out.data.append(line.sliced(v));
            }
        }
        if (j < n && d[j] == '\r' && j + 1 < n && d[j + 1] == '\n')
            ++j;
        i = j + 1;
        ++lineNo;
    }
    return out;
}

} // namespace

QByteArray stripNullUsage(const QByteArray &rawEvent)
{
    if (!rawEvent.contains("\"usage\""))
        return rawEvent; // most events of a long stream: no copy, no line walk
    const DataLines lines = dataLinesOf(rawEvent);
    if (lines.lines.isEmpty())
        return rawEvent;
    // JSON whitespace (RFC 8259) may stand around the colon and the comma, "usage":null and "usage": null
    // alike, and a data line break (the '\n' that joins data lines) is JSON whitespace too: a pretty-printed
    // chunk over several data lines has the member on a line of its own. Inside a string a quote is escaped,
    // so an unescaped "usage" key is a member of an object.
    const QByteArray &data = lines.data;
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    const char *d = data.constData();
    const qsizetype n = data.size();
    for (qsizetype at = data.indexOf("\"usage\""); at >= 0; at = data.indexOf("\"usage\"", at + 1)) {
        qsizetype k = at + 7;
        while (k < n && isSpace(d[k]))
            ++k;
        if (k >= n || d[k] != ':')
            continue;
        ++k;
        while (k < n && isSpace(d[k]))
            ++k;
        if (n - k < 4 || std::memcmp(d + k, "null", 4) != 0)
            continue;
        k += 4; // the member is data[at, k)
        qsizetype from = -1;
        qsizetype to = -1;
        qsizetype before = at;
        while (before > 0 && isSpace(d[before - 1]))
            --before;
        if (before > 0 && d[before - 1] == ',') {
            from = before - 1; // ..., "usage": null} -> ...}
            to = k;
        } else {
            qsizetype after = k;
            while (after < n && isSpace(d[after]))
                ++after;
            if (after < n && d[after] == ',') {
                ++after;
                while (after < n && isSpace(d[after]))
                    ++after;
                from = at; // {"usage": null, "id": ...} -> {"id": ...}
                to = after;
            }
        }
        if (from < 0)
            continue;
        // data[from, to) in raw bytes: removing the raw span removes exactly those data bytes, the line
        // endings and "data: " prefixes between them standing for the '\n' that joined the lines, as long
        // as only data lines lie between (anything else, a comment line, and the event stays as it came).
        const auto lineOf = [&](qsizetype pos) {
            qsizetype l = 0;
            while (l + 1 < lines.lines.size() && lines.lines[l + 1].dataAt <= pos)
                ++l;
            return l;
        };
        const qsizetype first = lineOf(from);
        const qsizetype last = lineOf(to);
        if (lines.lines[last].lineNo - lines.lines[first].lineNo != last - first)
            return rawEvent;
        const auto rawOf = [&](qsizetype pos, qsizetype l) {
            return lines.lines[l].rawAt + std::min(pos - lines.lines[l].dataAt, lines.lines[l].size);
        };
        const qsizetype rawFrom = rawOf(from, first);
        const qsizetype rawTo = rawOf(to, last);
        QByteArray out = rawEvent;
        out.remove(rawFrom, rawTo - rawFrom);
        return out;
    }
    return rawEvent;
}

namespace {

QByteArray dataEvent(const QJsonObject &o) { return "data: " + compact(o) + "\n\n"; }
QByteArray namedEvent(const char *name, const QJsonObject &o)
{
    return QByteArray("event: ") + name + "\ndata: " + compact(o) + "\n\n";
}

QByteArray synthesizeChat(const QJsonObject &answer, bool includeUsage, bool chat)
{
    QByteArray out;
    QJsonObject head;
    for (const char *key : {"id", "created", "model", "system_fingerprint", "service_tier"}) {
        if (answer.contains(QLatin1StringView(key)))
            head.insert(QLatin1StringView(key), answer.value(QLatin1StringView(key)));
    }
    head.insert("object"_L1, chat ? "chat.completion.chunk"_L1 : "text_completion"_L1);
    auto chunk = [&](const QJsonArray &choices) {
        QJsonObject c = head;
        c.insert("choices"_L1, choices);
        if (includeUsage)
            c.insert("usage"_L1, QJsonValue::Null);
        out += dataEvent(c);
    };
    for (const QJsonValue &cv : answer.value("choices"_L1).toArray()) {
        const QJsonObject choice = cv.toObject();
        const int index = choice.value("index"_L1).toInt();
        auto one = [&](const QJsonObject &delta, const QJsonValue &finish) {
            QJsonObject c{{"index"_L1, index}, {"logprobs"_L1, QJsonValue::Null}, {"finish_reason"_L1, finish}};
            if (chat)
                c.insert("delta"_L1, delta);
            else
                c.insert("text"_L1, delta.value("content"_L1).toString());
            chunk(QJsonArray{c});
        };
        if (chat) {
            const QJsonObject msg = choice.value("message"_L1).toObject();
            one(QJsonObject{{"role"_L1, msg.value("role"_L1).toString(u"assistant"_s)}, {"content"_L1, ""_L1}},
                QJsonValue::Null);
            if (msg.value("content"_L1).isString() && !msg.value("content"_L1).toString().isEmpty())
                one(QJsonObject{{"content"_L1, msg.value("content"_L1)}}, QJsonValue::Null);
            const QJsonArray calls = msg.value("tool_calls"_L1).toArray();
            for (int i = 0; i < calls.size(); ++i) {
                QJsonObject call = calls.at(i).toObject();
                call.insert("index"_L1, i);
                one(QJsonObject{{"tool_calls"_L1, QJsonArray{call}}}, QJsonValue::Null);
            }
            one(QJsonObject{}, choice.value("finish_reason"_L1));
        } else {
            one(QJsonObject{{"content"_L1, choice.value("text"_L1)}}, choice.value("finish_reason"_L1));
        }
    }
    if (includeUsage && answer.value("usage"_L1).isObject()) {
        QJsonObject c = head;
        c.insert("choices"_L1, QJsonArray{});
        c.insert("usage"_L1, answer.value("usage"_L1));
        out += dataEvent(c);
    }
    out += "data: [DONE]\n\n";
    return out;
}

QByteArray synthesizeResponses(const QJsonObject &answer)
{
    QByteArray out;
    int seq = 0;
    QJsonObject started = answer;
    started.insert("status"_L1, "in_progress"_L1);
    started.insert("output"_L1, QJsonArray{});
    started.insert("usage"_L1, QJsonValue::Null);
    out += namedEvent("response.created",
                      QJsonObject{{"type"_L1, "response.created"_L1}, {"sequence_number"_L1, seq++}, {"response"_L1, started}});
    const QJsonArray output = answer.value("output"_L1).toArray();
    for (int i = 0; i < output.size(); ++i) {
        const QJsonObject item = output.at(i).toObject();
        out += namedEvent("response.output_item.added",
                          QJsonObject{{"type"_L1, "response.output_item.added"_L1}, {"sequence_number"_L1, seq++},
                                      {"output_index"_L1, i}, {"item"_L1, item}});
        const QJsonArray parts = item.value("content"_L1).toArray();
        for (int p = 0; p < parts.size(); ++p) {
            const QJsonObject part = parts.at(p).toObject();
            if (part.value("type"_L1).toString() != "output_text"_L1)
                continue;
            out += namedEvent("response.output_text.delta",
                              QJsonObject{{"type"_L1, "response.output_text.delta"_L1}, {"sequence_number"_L1, seq++},
                                          {"item_id"_L1, item.value("id"_L1)}, {"output_index"_L1, i},
                                          {"content_index"_L1, p}, {"delta"_L1, part.value("text"_L1)}});
            out += namedEvent("response.output_text.done",
                              QJsonObject{{"type"_L1, "response.output_text.done"_L1}, {"sequence_number"_L1, seq++},
                                          {"item_id"_L1, item.value("id"_L1)}, {"output_index"_L1, i},
                                          {"content_index"_L1, p}, {"text"_L1, part.value("text"_L1)}});
        }
        out += namedEvent("response.output_item.done",
                          QJsonObject{{"type"_L1, "response.output_item.done"_L1}, {"sequence_number"_L1, seq++},
                                      {"output_index"_L1, i}, {"item"_L1, item}});
    }
    out += namedEvent("response.completed", QJsonObject{{"type"_L1, "response.completed"_L1},
                                                        {"sequence_number"_L1, seq++}, {"response"_L1, answer}});
    return out;
}

QByteArray synthesizeAnthropic(const QJsonObject &answer)
{
    QByteArray out;
    QJsonObject start = answer;
    start.insert("content"_L1, QJsonArray{});
    start.insert("stop_reason"_L1, QJsonValue::Null);
    start.insert("stop_sequence"_L1, QJsonValue::Null);
    QJsonObject usage = answer.value("usage"_L1).toObject();
    QJsonObject startUsage = usage;
    startUsage.insert("output_tokens"_L1, 1);
    start.insert("usage"_L1, startUsage);
    out += namedEvent("message_start", QJsonObject{{"type"_L1, "message_start"_L1}, {"message"_L1, start}});
    const QJsonArray content = answer.value("content"_L1).toArray();
    for (int i = 0; i < content.size(); ++i) {
        const QJsonObject block = content.at(i).toObject();
        const QString type = block.value("type"_L1).toString();
        QJsonObject empty = block;
        QJsonObject delta;
        if (type == "text"_L1) {
            empty.insert("text"_L1, ""_L1);
            delta = {{"type"_L1, "text_delta"_L1}, {"text"_L1, block.value("text"_L1)}};
        } else if (type == "tool_use"_L1) {
            empty.insert("input"_L1, QJsonObject{});
            delta = {{"type"_L1, "input_json_delta"_L1},
                     {"partial_json"_L1, QString::fromUtf8(compact(block.value("input"_L1).toObject()))}};
        } else if (type == "thinking"_L1) {
            empty.insert("thinking"_L1, ""_L1);
            empty.insert("signature"_L1, ""_L1);
            delta = {{"type"_L1, "thinking_delta"_L1}, {"thinking"_L1, block.value("thinking"_L1)}};
        }
        out += namedEvent("content_block_start", QJsonObject{{"type"_L1, "content_block_start"_L1}, {"index"_L1, i},
                                                             {"content_block"_L1, empty}});
        if (!delta.isEmpty())
            out += namedEvent("content_block_delta", QJsonObject{{"type"_L1, "content_block_delta"_L1},
                                                                 {"index"_L1, i}, {"delta"_L1, delta}});
        if (type == "thinking"_L1 && block.contains("signature"_L1))
            out += namedEvent("content_block_delta",
                              QJsonObject{{"type"_L1, "content_block_delta"_L1}, {"index"_L1, i},
                                          {"delta"_L1, QJsonObject{{"type"_L1, "signature_delta"_L1},
                                                                   {"signature"_L1, block.value("signature"_L1)}}}});
        out += namedEvent("content_block_stop", QJsonObject{{"type"_L1, "content_block_stop"_L1}, {"index"_L1, i}});
    }
    out += namedEvent("message_delta",
                      QJsonObject{{"type"_L1, "message_delta"_L1},
                                  {"delta"_L1, QJsonObject{{"stop_reason"_L1, answer.value("stop_reason"_L1)},
                                                           {"stop_sequence"_L1, answer.value("stop_sequence"_L1)}}},
                                  {"usage"_L1, usage}});
    out += namedEvent("message_stop", QJsonObject{{"type"_L1, "message_stop"_L1}});
    return out;
}

} // namespace

QByteArray synthesizeStream(ApiKind kind, const QJsonObject &answer, bool includeUsage)
{
    switch (kind) {
    case ApiKind::ChatCompletions: return synthesizeChat(answer, includeUsage, true);
    case ApiKind::Completions: return synthesizeChat(answer, includeUsage, false);
    case ApiKind::Responses: return synthesizeResponses(answer);
    case ApiKind::Messages: return synthesizeAnthropic(answer);
    default: return {};
    }
}

} // namespace tl::proxy
