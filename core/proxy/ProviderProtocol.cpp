#include "ProviderProtocol.h"

#include "proxy/AnswerFaults.h"

#include "pricing/ProviderUsage.h"
#include "pricing/UsageReaders.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

#include <algorithm>
#include <functional>
#include <climits>
#include <cstring>
#include <iterator>
#include <utility>

#include <simdjson.h>

#include <optional>
#include <string_view>

using namespace Qt::StringLiterals;

namespace tl::proxy {

namespace {

// The path of a request target: before any '?', without trailing slashes ("/" stays).
QByteArrayView pathOf(QByteArrayView target)
{
    QByteArrayView path = target;
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path = path.first(q);
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    return path;
}

// The proxy thread's simdjson parser (answers, stream chunks): it keeps its buffers between documents (several
// bytes per byte of the largest it read), so a document over kKeptParserLimit gets a parser of its own.
constexpr qsizetype kKeptParserLimit = 1 << 20;
simdjson::dom::parser &threadParser()
{
    thread_local simdjson::dom::parser kept;
    return kept;
}

} // namespace

ApiKind classify(QByteArrayView method, QByteArrayView target)
{
    QByteArrayView path = pathOf(target);
    const bool post = method == "POST";
    if (post && path.endsWith("/chat/completions"))
        return ApiKind::ChatCompletions;
    // Anthropic's Messages API is /v1/messages (and /v1/messages/count_tokens) under the base path; OpenAI has
    // "messages" segments of its own (/v1/threads/{id}/messages, /v1/chat/completions/{id}/messages), which
    // must not be taken for it.
    if (post && path.endsWith("/v1/messages/count_tokens"))
        return ApiKind::CountTokens;
    if (post && path.endsWith("/v1/messages"))
        return ApiKind::Messages;
    if (post && path.endsWith("/completions"))
        return ApiKind::Completions;
    if (post && path.endsWith("/embeddings"))
        return ApiKind::Embeddings;
    if (post && path.endsWith("/responses"))
        return ApiKind::Responses;
    if (const qsizetype at = path.lastIndexOf("/responses/"); at >= 0) {
        const QByteArrayView rest = path.sliced(at + 11);
        if ((method == "GET" && !rest.isEmpty() && !rest.contains('/'))
            || (post && rest.endsWith("/cancel") && rest.size() > 7 && !rest.chopped(7).contains('/')))
            return ApiKind::ResponsesRetrieve;
    }
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
    QByteArrayView path = pathOf(target);
    // Anthropic's own paths: /v1/complete, and /v1/messages with what lies below it (batches, their results).
    // Only right after the "v1" segment: OpenAI's /v1/threads/{id}/messages and
    // /v1/chat/completions/{id}/messages are OpenAI's (session-10 trial: the OpenAI key went to Anthropic).
    if (path.endsWith("/v1/complete") || path.endsWith("/v1/messages") || path.contains("/v1/messages/"))
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
    case ApiKind::ResponsesRetrieve: return u"responses.retrieve"_s;
    case ApiKind::Other: break;
    }
    return u"other"_s;
}

QString retrievedResponseId(QByteArrayView target)
{
    QByteArrayView path = pathOf(target);
    if (path.endsWith("/cancel"))
        path.chop(7);
    const qsizetype at = path.lastIndexOf("/responses/");
    if (at < 0)
        return {};
    const QByteArrayView id = path.sliced(at + 11);
    return id.contains('/') ? QString() : QString::fromUtf8(QByteArray::fromPercentEncoding(id.toByteArray()));
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
        info.webSearch = kind == ApiKind::ChatCompletions && body.value("web_search_options"_L1).isObject();
        break;
    }
    case ApiKind::Responses: {
        info.background = body.value("background"_L1).toBool(false);
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
    out.serviceTier = answer.value("service_tier"_L1).toString(); // OpenAI; Anthropic's is in its usage (below)
    const QJsonValue usage = answer.value("usage"_L1);
    out.found = usage.isObject();
    const QJsonObject u = usage.toObject();
    switch (kind) {
    case ApiKind::Responses:
        out.usage = ProviderUsage::fromOpenAiResponses(u);
        out.usage.webSearchRequests = ProviderUsage::webSearchCalls(answer.value("output"_L1).toArray());
        out.usage.fileSearchCalls = ProviderUsage::fileSearchCalls(answer.value("output"_L1).toArray());
        out.status = answer.value("status"_L1).toString();
        out.truncated = out.status == "incomplete"_L1;
        out.responseId = answer.value("id"_L1).toString();
        break;
    case ApiKind::Messages:
        out.usage = ProviderUsage::fromAnthropic(u);
        out.truncated = isTruncatedReason(answer.value("stop_reason"_L1).toString());
        out.serviceTier = u.value("service_tier"_L1).toString();
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

// ProviderUsage::webSearchCalls() and fileSearchCalls() over simdjson's DOM, in one pass (their rules:
// ProviderUsage::isBilledWebSearch, isBilledFileSearch; the last of a repeated member wins, as in QJsonObject).
struct SearchCalls
{
    qint64 web = 0;
    qint64 file = 0;
};

SearchCalls searchCalls(simdjson::dom::element output)
{
    SearchCalls n;
    if (!output.is_array())
        return n;
    for (simdjson::dom::element item : simdjson::dom::array(output)) {
        if (!item.is_object())
            continue;
        std::optional<simdjson::dom::element> type, action;
        for (auto field : simdjson::dom::object(item)) {
            if (field.key == "type")
                type = field.value;
            else if (field.key == "action")
                action = field.value;
        }
        std::string_view actionType;
        if (action && action->is_object()) {
            for (auto field : simdjson::dom::object(*action)) {
                if (field.key == "type")
                    actionType = stringOf(field.value);
            }
        }
        const std::string_view itemType = type ? stringOf(*type) : std::string_view();
        const QUtf8StringView typeView(itemType.data(), qsizetype(itemType.size()));
        if (ProviderUsage::isBilledWebSearch(typeView, QUtf8StringView(actionType.data(), qsizetype(actionType.size()))))
            ++n.web;
        else if (ProviderUsage::isBilledFileSearch(typeView))
            ++n.file;
    }
    return n;
}

// pricing/UsageReaders.h's view over a simdjson object: the answer's usage read where simdjson parsed it,
// with no QJsonObject (Qt's parser on the usage's text was about 24k of the proxy thread's ~270k
// instructions per answer; callgrind, session 10). A member that is not a whole number, or a count equal
// to kMalformedUsageCount, sets `*unsure`: the caller then reads the usage with Qt as before, so such
// answers give the same Usage and the same warning in the log as ever.
struct SimdUsageView
{
    std::optional<simdjson::dom::object> o;
    bool *unsure = nullptr;

    std::optional<simdjson::dom::element> last(QLatin1StringView key) const
    {
        std::optional<simdjson::dom::element> found; // the last occurrence wins, as in QJsonObject
        if (!o)
            return found;
        const std::string_view k(key.data(), size_t(key.size()));
        for (auto field : *o) {
            if (field.key == k)
                found = field.value;
        }
        return found;
    }
    qint64 num(QLatin1StringView key) const
    {
        const auto v = last(key);
        if (!v || v->is_null())
            return 0;
        qint64 n = kMalformedUsageCount;
        if (v->is_int64()) {
            n = v->get_int64().value_unsafe();
        } else if (v->is_double()) {
            // QJsonValue::toInteger's rule: a whole value within qint64's range.
            const double d = v->get_double().value_unsafe();
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && double(qint64(d)) == d)
                n = qint64(d);
        }
        if (n == kMalformedUsageCount)
            *unsure = true;
        return n;
    }
    SimdUsageView object(QLatin1StringView key) const
    {
        const auto v = last(key);
        if (v && v->is_object())
            return {simdjson::dom::object(*v), unsure};
        return {std::nullopt, unsure};
    }
    bool contains(QLatin1StringView key) const { return last(key).has_value(); }
};

} // namespace

AnswerUsage usageFromBody(ApiKind kind, QByteArrayView body)
{
    // A longer answer than the thread's parser keeps buffers for gets a parser of its own, freed after it.
    std::optional<simdjson::dom::parser> own;
    simdjson::dom::parser &parser = body.size() <= kKeptParserLimit ? threadParser() : own.emplace();
    AnswerUsage out;
    simdjson::dom::object answer;
    if (parser.parse(body.data(), size_t(body.size())).get_object().get(answer) != simdjson::SUCCESS) {
        // Not an object, malformed, or something simdjson refuses that Qt might take (an integer
        // beyond 64 bits): Qt's reading decides, so the result is the same for every body.
        return usageFromAnswer(kind, QJsonDocument::fromJson(body.toByteArray()).object());
    }
    // The last occurrence of a repeated member wins, as in QJsonObject.
    std::optional<simdjson::dom::element> model, usage, status, stopReason, choices, output, id, serviceTier;
    for (auto field : answer) {
        const std::string_view key = field.key;
        if (key == "model")
            model = field.value;
        else if (key == "service_tier")
            serviceTier = field.value;
        else if (key == "output")
            output = field.value;
        else if (key == "id")
            id = field.value;
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
    if (serviceTier)
        out.serviceTier = toQString(stringOf(*serviceTier));
    out.found = usage && usage->is_object();
    bool unsure = false;
    const SimdUsageView u {out.found ? std::optional(simdjson::dom::object(*usage)) : std::nullopt, &unsure};
    const auto qtUsage = [&] {
        // The usage object's text (simdjson's minified form) read by Qt, for a member SimdUsageView is unsure of.
        const std::string text = simdjson::minify(*usage);
        return QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), qsizetype(text.size()))).object();
    };
    switch (kind) {
    case ApiKind::Responses:
        out.usage = ProviderUsage::detail::readOpenAiResponses(u);
        if (unsure)
            out.usage = ProviderUsage::fromOpenAiResponses(qtUsage());
        if (output) {
            const SearchCalls searches = searchCalls(*output);
            out.usage.webSearchRequests = searches.web;
            out.usage.fileSearchCalls = searches.file;
        }
        out.status = status ? toQString(stringOf(*status)) : QString();
        out.truncated = out.status == "incomplete"_L1;
        out.responseId = id ? toQString(stringOf(*id)) : QString();
        break;
    case ApiKind::Messages:
        out.usage = ProviderUsage::detail::readAnthropic(u);
        if (unsure)
            out.usage = ProviderUsage::fromAnthropic(qtUsage());
        out.truncated = stopReason && isTruncatedReason(stringOf(*stopReason));
        out.serviceTier.clear(); // Anthropic names it in the usage
        if (out.found) {
            std::string_view tier; // the last member, as in QJsonObject
            for (auto field : simdjson::dom::object(*usage)) {
                if (field.key == "service_tier")
                    tier = stringOf(field.value);
            }
            out.serviceTier = toQString(tier);
        }
        break;
    default:
        out.usage = ProviderUsage::detail::readOpenAiChat(u);
        if (unsure)
            out.usage = ProviderUsage::fromOpenAiChat(qtUsage());
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

namespace {
// Anthropic's message_delta usage is cumulative: its counts replace message_start's, member by member (nested
// objects such as cache_creation and server_tool_use alike). A member it sends as null is "not given"
// (MessageDeltaUsage in the API reference and the SDKs: input_tokens, cache_read_input_tokens and
// cache_creation_input_tokens are `number | null`; the SDK's own MessageStream skips nulls), and an input-side
// count of 0 (some gateways) does not erase one message_start gave: both keep what came before. Only
// output_tokens, which the delta always carries, is taken as it comes.
void mergeCumulativeUsage(QJsonObject &into, const QJsonObject &delta)
{
    for (auto it = delta.begin(); it != delta.end(); ++it) {
        const QJsonValue v = it.value();
        if (v.isNull() || v.isUndefined())
            continue;
        const auto had = into.constFind(it.key());
        if (v.isObject() && had != into.constEnd() && had->isObject()) {
            QJsonObject merged = had->toObject();
            mergeCumulativeUsage(merged, v.toObject());
            into.insert(it.key(), merged);
            continue;
        }
        if (v.isDouble() && v.toDouble() == 0 && it.key() != "output_tokens"_L1 && had != into.constEnd()
            && !had->isNull())
            continue;
        into.insert(it.key(), v);
    }
}
} // namespace

bool StreamAccounting::tryPlainChatDelta(const QByteArray &data)
{
    // What the general reading below does with such a chunk, and nothing else: it makes the choice's entry
    // (m_choices[index]) and appends a non-empty content piece. Every member that could do more (role,
    // tool_calls, other delta or choice members, a finish_reason or logprobs that is not null, usage that is
    // not null, error, type), a repeated member (QJsonObject keeps the last) or an index that is not a whole
    // number in int range sends the chunk to the general reading.
    constexpr qsizetype kMaxFastChunk = 64 * 1024;
    if (data.size() > kMaxFastChunk)
        return false;
    simdjson::dom::object chunk;
    if (threadParser().parse(data.constData(), size_t(data.size())).get_object().get(chunk) != simdjson::SUCCESS)
        return false;
    std::optional<simdjson::dom::array> choices;
    for (auto field : chunk) {
        if (field.key == "type" || field.key == "error")
            return false;
        if (field.key == "usage" && !field.value.is_null())
            return false;
        if (field.key == "choices") {
            if (choices || !field.value.is_array())
                return false;
            choices = simdjson::dom::array(field.value);
        }
    }
    if (!choices)
        return false;
    struct Piece
    {
        int index;
        std::string_view content;
    };
    QVarLengthArray<Piece, 4> pieces;
    for (simdjson::dom::element c : *choices) {
        if (!c.is_object())
            return false;
        std::optional<std::int64_t> index;
        bool sawDelta = false, sawContent = false, sawFinish = false, sawLogprobs = false;
        std::string_view content;
        for (auto field : simdjson::dom::object(c)) {
            if (field.key == "index") {
                std::int64_t i = 0;
                if (index || field.value.get_int64().get(i) != simdjson::SUCCESS || i < 0 || i > INT_MAX)
                    return false;
                index = i;
            } else if (field.key == "delta") {
                if (sawDelta || !field.value.is_object())
                    return false;
                sawDelta = true;
                bool sawRefusal = false;
                for (auto d : simdjson::dom::object(field.value)) {
                    if (d.key == "content") {
                        if (sawContent || d.value.get_string().get(content) != simdjson::SUCCESS)
                            return false;
                        sawContent = true;
                    } else if (d.key == "refusal" && !sawRefusal && d.value.is_null()) {
                        sawRefusal = true;
                    } else {
                        return false;
                    }
                }
            } else if (field.key == "finish_reason" && !sawFinish && field.value.is_null()) {
                sawFinish = true;
            } else if (field.key == "logprobs" && !sawLogprobs && field.value.is_null()) {
                sawLogprobs = true;
            } else {
                return false;
            }
        }
        if (!sawDelta)
            return false;
        pieces.push_back({index ? int(*index) : 0, content});
    }
    for (const Piece &p : pieces) {
        m_choices[p.index];
        if (!p.content.empty())
            m_content[p.index] += QString::fromUtf8(p.content.data(), qsizetype(p.content.size()));
    }
    ++m_plainDeltaChunks;
    return true;
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
    if (m_plainDeltaFastPath && m_kind == ApiKind::ChatCompletions && !m_base.isEmpty() && !m_model.isEmpty()
        && tryPlainChatDelta(event.data))
        return false;
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
        m_errorKind = upstreamErrorKind(0, o); // as the same error answered as JSON is recorded; never ""
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
            // Choice members beyond delta/index/finish_reason/logprobs (Azure's content_filter_results):
            // the last value, as openai-node keeps them.
            for (auto it = c.begin(); it != c.end(); ++it) {
                if (it.key() != "delta"_L1 && it.key() != "index"_L1 && it.key() != "finish_reason"_L1
                    && it.key() != "logprobs"_L1 && it.key() != "text"_L1 && it.key() != "role"_L1)
                    acc.insert(it.key(), it.value());
            }
            if (const QJsonObject lp = c.value("logprobs"_L1).toObject(); !lp.isEmpty()) {
                QJsonObject &all = m_logprobs[index];
                for (auto it = lp.begin(); it != lp.end(); ++it) {
                    if (it.value().isArray() && all.value(it.key()).isArray()) {
                        QJsonArray joined = all.value(it.key()).toArray();
                        for (const QJsonValue &v : it.value().toArray())
                            joined.append(v);
                        all.insert(it.key(), joined);
                    } else if (!it.value().isNull() || !all.contains(it.key())) {
                        all.insert(it.key(), it.value());
                    }
                }
            }
            for (auto it = delta.begin(); it != delta.end(); ++it) {
                const QString key = it.key();
                if (key == "role"_L1 || key == "content"_L1 || key == "refusal"_L1 || key == "tool_calls"_L1)
                    continue;
                if (key == "function_call"_L1) {
                    const QJsonObject fn = it.value().toObject();
                    ToolCallText &call = m_functionCall[index];
                    if (fn.contains("name"_L1)) {
                        call.hasName = true;
                        call.name += fn.value("name"_L1).toString();
                    }
                    call.arguments += fn.value("arguments"_L1).toString();
                } else if (key == "audio"_L1) {
                    const QJsonObject a = it.value().toObject();
                    QJsonObject &audio = m_audio[index];
                    for (auto f = a.begin(); f != a.end(); ++f) {
                        if ((f.key() == "data"_L1 || f.key() == "transcript"_L1) && f.value().isString())
                            audio.insert(f.key(), QString(audio.value(f.key()).toString() + f.value().toString()));
                        else if (!f.value().isNull())
                            audio.insert(f.key(), f.value());
                    }
                } else if (!it.value().isNull()) {
                    m_messageExtra[index].insert(key, it.value());
                }
            }
            // Content and refusal exist once a non-empty piece came, as in openai-node's ChatCompletionStream
            // (v6; its final message has content null otherwise): a refusal stream opens with
            // {"content":"","refusal":null} and its answer, like the non-streamed one, has content null
            // (session-8 trial item 2: the JSON replay had content "").
            const QString piece = delta.contains("content"_L1) ? delta.value("content"_L1).toString()
                                                               : c.value("text"_L1).toString();
            if (!piece.isEmpty())
                m_content[index] += piece;
            if (const QString refusal = delta.value("refusal"_L1).toString(); !refusal.isEmpty())
                m_refusal[index] += refusal;
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
            m_finalUsage = true;
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
        if (!response.isEmpty() && m_responseId.isEmpty())
            m_responseId = response.value("id"_L1).toString();
        if (type == "response.output_item.done"_L1) {
            const QJsonArray item{o.value("item"_L1)};
            m_webSearches += ProviderUsage::webSearchCalls(item);
            m_fileSearches += ProviderUsage::fileSearchCalls(item);
        }
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
            m_webSearches = ProviderUsage::webSearchCalls(response.value("output"_L1).toArray());
            m_fileSearches = ProviderUsage::fileSearchCalls(response.value("output"_L1).toArray());
            if (response.value("usage"_L1).isObject()) {
                m_usageJson = response.value("usage"_L1).toObject();
                m_hasUsage = true;
                m_finalUsage = true;
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
            else if (dt == "citations_delta"_L1)
                m_citations[index].append(d.value("citation"_L1));
        } else if (type == "message_delta"_L1) {
            m_delta = o.value("delta"_L1).toObject();
            if (isTruncatedReason(m_delta.value("stop_reason"_L1).toString()))
                m_truncated = true;
            mergeCumulativeUsage(m_usageJson, o.value("usage"_L1).toObject());
            m_hasUsage = true;
            m_finalUsage = true;
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
    case ApiKind::Responses: {
        Usage u = ProviderUsage::fromOpenAiResponses(m_usageJson);
        u.webSearchRequests = m_webSearches;
        u.fileSearchCalls = m_fileSearches;
        return u;
    }
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

QString StreamAccounting::serviceTier() const
{
    if (m_kind == ApiKind::Messages)
        return m_base.value("usage"_L1).toObject().value("service_tier"_L1).toString();
    return m_base.value("service_tier"_L1).toString(); // chat: the first chunk; Responses: the response
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
            const auto logprobs = m_logprobs.constFind(it.key());
            QJsonObject choice{{"index"_L1, it.key()},
                               {"logprobs"_L1, logprobs != m_logprobs.cend() ? QJsonValue(*logprobs)
                                                                             : QJsonValue(QJsonValue::Null)},
                               {"finish_reason"_L1, it->value("finish_reason"_L1)}};
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (m.key() != "role"_L1 && m.key() != "finish_reason"_L1)
                    choice.insert(m.key(), m.value());
            }
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
                if (m_functionCall.contains(it.key())) {
                    const ToolCallText &c = m_functionCall[it.key()];
                    QJsonObject function{{"arguments"_L1, c.arguments}};
                    if (c.hasName)
                        function.insert("name"_L1, c.name);
                    message.insert("function_call"_L1, function);
                }
                if (m_audio.contains(it.key()))
                    message.insert("audio"_L1, m_audio.value(it.key()));
                const QJsonObject extra = m_messageExtra.value(it.key());
                for (auto m = extra.begin(); m != extra.end(); ++m)
                    message.insert(m.key(), m.value());
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
            if (m_citations.contains(it.key())) {
                QJsonArray citations = block.value("citations"_L1).toArray();
                for (const QJsonValue &c : m_citations.value(it.key()))
                    citations.append(c);
                block.insert("citations"_L1, citations);
            }
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
    qsizetype i = raw.startsWith("\xEF\xBB\xBF") ? 3 : 0; // a BOM opening the stream (SseParser::parseFields)
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

namespace {
// Where the key "usage" (with its quotes) first occurs in `bytes` at or after `from`; -1: nowhere. Every chunk of
// an OpenAI stream asked for its usage carries "usage":null, so this runs on each: a Boyer-Moore-Horspool search
// skips up to 7 bytes a step, where QByteArray::indexOf spent about 10 instructions a byte on it (Qt 6.4,
// callgrind, session 11: a quarter of the proxy thread's instructions per streamed event).
qsizetype findUsageKey(QByteArrayView bytes, qsizetype from = 0)
{
    static constexpr std::string_view key = "\"usage\"";
    static const std::boyer_moore_horspool_searcher searcher(key.begin(), key.end());
    if (from >= bytes.size())
        return -1;
    const char *begin = bytes.data() + from;
    const char *end = bytes.data() + bytes.size();
    const char *at = std::search(begin, end, searcher);
    return at == end ? -1 : qsizetype(at - bytes.data());
}
} // namespace

namespace {
// The first "usage": null member of the JSON text `data` that can go with the comma that joins it to a
// neighbour: [from, to) in `data`, or {-1, -1}. JSON whitespace (RFC 8259) may stand around the colon and the
// comma, "usage":null and "usage": null alike, and a data line break (the '\n' that joins data lines) is JSON
// whitespace too: a pretty-printed chunk over several data lines has the member on a line of its own. Inside a
// string a quote is escaped, so an unescaped "usage" key is a member of an object. `firstKey`: where the first
// "usage" key of `data` is, when the caller already knows.
std::pair<qsizetype, qsizetype> removableNullUsage(QByteArrayView data, qsizetype firstKey = -1)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    const char *d = data.data();
    const qsizetype n = data.size();
    for (qsizetype at = firstKey >= 0 ? firstKey : findUsageKey(data); at >= 0; at = findUsageKey(data, at + 1)) {
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
        qsizetype before = at;
        while (before > 0 && isSpace(d[before - 1]))
            --before;
        if (before > 0 && d[before - 1] == ',')
            return {before - 1, k}; // ..., "usage": null} -> ...}
        qsizetype after = k;
        while (after < n && isSpace(d[after]))
            ++after;
        if (after < n && d[after] == ',') {
            ++after;
            while (after < n && isSpace(d[after]))
                ++after;
            return {at, after}; // {"usage": null, "id": ...} -> {"id": ...}
        }
    }
    return {-1, -1};
}

// The raw event without raw[from, to), in one allocation.
QByteArray without(const QByteArray &raw, qsizetype from, qsizetype to)
{
    QByteArray out(raw.size() - (to - from), Qt::Uninitialized);
    std::memcpy(out.data(), raw.constData(), size_t(from));
    std::memcpy(out.data() + from, raw.constData() + to, size_t(raw.size() - to));
    return out;
}
} // namespace

QByteArray stripNullUsage(const QByteArray &rawEvent)
{
    const qsizetype firstKey = findUsageKey(rawEvent);
    if (firstKey < 0)
        return rawEvent; // most events of a long stream: no copy, no line walk
    const char *r = rawEvent.constData();
    const qsizetype rn = rawEvent.size();
    // The shape every provider sends: one data line ended by LF, then the blank line ("data: {...}\n\n"), no CR.
    // Its data is the line's value as it stands, so a span of the data is the same span of the raw bytes, offset
    // by the "data: " prefix: no line walk and no copy of the data (the general path below gives the same bytes).
    if (rn >= 7 && std::memcmp(r, "data:", 5) == 0 && r[rn - 1] == '\n' && r[rn - 2] == '\n'
        && std::memchr(r, '\n', size_t(rn)) == r + rn - 2 && !std::memchr(r, '\r', size_t(rn))) {
        const qsizetype value = r[5] == ' ' ? 6 : 5;
        const auto [from, to] = removableNullUsage(QByteArrayView(r + value, rn - 2 - value), firstKey - value);
        return from < 0 ? rawEvent : without(rawEvent, value + from, value + to);
    }
    const DataLines lines = dataLinesOf(rawEvent);
    if (lines.lines.isEmpty())
        return rawEvent;
    const auto [from, to] = removableNullUsage(lines.data);
    if (from < 0)
        return rawEvent;
    // data[from, to) in raw bytes: removing the raw span removes exactly those data bytes, the line endings and
    // "data: " prefixes between them standing for the '\n' that joined the lines, as long as only data lines lie
    // between (anything else, a comment line, and the event stays as it came).
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
    return without(rawEvent, rawOf(from, first), rawOf(to, last));
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
    // Each chunk carries one part of the answer; the stored choice's logprobs travel whole in the first
    // chunk with text (or the last one), its other members (Azure's content_filter_results) in the last:
    // StreamAccounting and openai-node's ChatCompletionStream append logprobs arrays, so a client gets
    // the answer the original call returned (session-7 trial: logprobs, refusal and annotations were lost).
    for (const QJsonValue &cv : answer.value("choices"_L1).toArray()) {
        const QJsonObject choice = cv.toObject();
        const int index = choice.value("index"_L1).toInt();
        QJsonValue logprobs = choice.value("logprobs"_L1);
        if (logprobs.isUndefined())
            logprobs = QJsonValue::Null;
        auto one = [&](const QJsonObject &delta, const QJsonValue &finish, bool withLogprobs, bool last) {
            QJsonObject c{{"index"_L1, index}, {"finish_reason"_L1, finish}};
            c.insert("logprobs"_L1, withLogprobs ? std::exchange(logprobs, QJsonValue::Null) : QJsonValue::Null);
            if (chat)
                c.insert("delta"_L1, delta);
            else
                c.insert("text"_L1, delta.value("content"_L1).toString());
            if (last) {
                for (auto it = choice.begin(); it != choice.end(); ++it) {
                    if (it.key() != "index"_L1 && it.key() != "finish_reason"_L1 && it.key() != "logprobs"_L1
                        && it.key() != "message"_L1 && it.key() != "text"_L1)
                        c.insert(it.key(), it.value());
                }
            }
            chunk(QJsonArray{c});
        };
        if (chat) {
            const QJsonObject msg = choice.value("message"_L1).toObject();
            const bool hasContent = msg.value("content"_L1).isString() && !msg.value("content"_L1).toString().isEmpty();
            const bool hasRefusal = msg.value("refusal"_L1).isString() && !msg.value("refusal"_L1).toString().isEmpty();
            one(QJsonObject{{"role"_L1, msg.value("role"_L1).toString(u"assistant"_s)},
                            {"content"_L1, msg.value("content"_L1).isString() ? QJsonValue(""_L1) : QJsonValue::Null}},
                QJsonValue::Null, false, false);
            if (hasContent)
                one(QJsonObject{{"content"_L1, msg.value("content"_L1)}}, QJsonValue::Null, true, false);
            if (hasRefusal)
                one(QJsonObject{{"refusal"_L1, msg.value("refusal"_L1)}}, QJsonValue::Null, true, false);
            if (msg.value("function_call"_L1).isObject())
                one(QJsonObject{{"function_call"_L1, msg.value("function_call"_L1)}}, QJsonValue::Null, false, false);
            if (msg.value("audio"_L1).isObject())
                one(QJsonObject{{"audio"_L1, msg.value("audio"_L1)}}, QJsonValue::Null, false, false);
            const QJsonArray calls = msg.value("tool_calls"_L1).toArray();
            for (int i = 0; i < calls.size(); ++i) {
                QJsonObject call = calls.at(i).toObject();
                call.insert("index"_L1, i);
                one(QJsonObject{{"tool_calls"_L1, QJsonArray{call}}}, QJsonValue::Null, false, false);
            }
            // Other message members (annotations, ...): one delta, as openai-node assigns them.
            QJsonObject extra;
            for (auto it = msg.begin(); it != msg.end(); ++it) {
                static const QLatin1StringView kStreamed[] = {"role"_L1, "content"_L1, "refusal"_L1, "tool_calls"_L1,
                                                              "function_call"_L1, "audio"_L1};
                if (std::find(std::begin(kStreamed), std::end(kStreamed), it.key()) == std::end(kStreamed)
                    && !it.value().isNull())
                    extra.insert(it.key(), it.value());
            }
            if (!extra.isEmpty())
                one(extra, QJsonValue::Null, false, false);
            one(QJsonObject{}, choice.value("finish_reason"_L1), true, true);
        } else {
            one(QJsonObject{{"content"_L1, choice.value("text"_L1)}}, choice.value("finish_reason"_L1), true, true);
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

// The Responses API's event sequence (API reference "Streaming events",
// developers.openai.com/api/reference/resources/responses/streaming-events): response.created and
// response.in_progress with the response in progress (no output, no usage), each output item added empty,
// its content parts added empty, their text / refusal / arguments / summary as one delta each, the
// annotations one event each (a web_search_call or file_search_call: its in_progress, searching and completed
// events), then
// the parts and the item done whole; openai-node's
// ResponseAccumulator (v6) builds the same response from them as response.completed carries.
QByteArray synthesizeResponses(const QJsonObject &answer)
{
    QByteArray out;
    int seq = 0;
    auto event = [&](const char *type, QJsonObject fields) {
        fields.insert("type"_L1, QLatin1StringView(type));
        fields.insert("sequence_number"_L1, seq++);
        out += namedEvent(type, fields);
    };
    QJsonObject started = answer;
    started.insert("status"_L1, "in_progress"_L1);
    started.insert("output"_L1, QJsonArray{});
    started.insert("usage"_L1, QJsonValue::Null);
    if (started.contains("completed_at"_L1))
        started.insert("completed_at"_L1, QJsonValue::Null);
    event("response.created", {{"response"_L1, started}});
    event("response.in_progress", {{"response"_L1, started}}); // the API sends it next (session-8 trial item 11)
    const QJsonArray output = answer.value("output"_L1).toArray();
    for (int i = 0; i < output.size(); ++i) {
        const QJsonObject item = output.at(i).toObject();
        const QString type = item.value("type"_L1).toString();
        const QJsonValue itemId = item.value("id"_L1);
        QJsonObject added = item;
        if (item.contains("status"_L1))
            added.insert("status"_L1, "in_progress"_L1);
        if (type == "message"_L1)
            added.insert("content"_L1, QJsonArray{});
        else if (type == "function_call"_L1 || type == "custom_tool_call"_L1)
            added.insert(type == "function_call"_L1 ? "arguments"_L1 : "input"_L1, ""_L1);
        else if (type == "reasoning"_L1)
            added.insert("summary"_L1, QJsonArray{});
        event("response.output_item.added", {{"output_index"_L1, i}, {"item"_L1, added}});
        const QJsonObject at{{"item_id"_L1, itemId}, {"output_index"_L1, i}};
        auto with = [&](QJsonObject fields) {
            for (auto it = at.begin(); it != at.end(); ++it)
                fields.insert(it.key(), it.value());
            return fields;
        };
        if (type == "message"_L1) {
            const QJsonArray parts = item.value("content"_L1).toArray();
            for (int p = 0; p < parts.size(); ++p) {
                const QJsonObject part = parts.at(p).toObject();
                const QString partType = part.value("type"_L1).toString();
                QJsonObject empty = part;
                if (partType == "output_text"_L1) {
                    empty.insert("text"_L1, ""_L1);
                    empty.insert("annotations"_L1, QJsonArray{});
                    if (part.contains("logprobs"_L1))
                        empty.insert("logprobs"_L1, QJsonArray{});
                } else if (partType == "refusal"_L1) {
                    empty.insert("refusal"_L1, ""_L1);
                }
                event("response.content_part.added", with({{"content_index"_L1, p}, {"part"_L1, empty}}));
                if (partType == "output_text"_L1) {
                    const QJsonValue logprobs = part.value("logprobs"_L1).isArray() ? part.value("logprobs"_L1)
                                                                                    : QJsonValue(QJsonArray{});
                    event("response.output_text.delta", with({{"content_index"_L1, p}, {"delta"_L1, part.value("text"_L1)},
                                                              {"logprobs"_L1, logprobs}}));
                    const QJsonArray annotations = part.value("annotations"_L1).toArray();
                    for (int a = 0; a < annotations.size(); ++a)
                        event("response.output_text.annotation.added",
                              with({{"content_index"_L1, p}, {"annotation_index"_L1, a}, {"annotation"_L1, annotations.at(a)}}));
                    event("response.output_text.done", with({{"content_index"_L1, p}, {"text"_L1, part.value("text"_L1)},
                                                             {"logprobs"_L1, logprobs}}));
                } else if (partType == "refusal"_L1) {
                    event("response.refusal.delta", with({{"content_index"_L1, p}, {"delta"_L1, part.value("refusal"_L1)}}));
                    event("response.refusal.done", with({{"content_index"_L1, p}, {"refusal"_L1, part.value("refusal"_L1)}}));
                }
                event("response.content_part.done", with({{"content_index"_L1, p}, {"part"_L1, part}}));
            }
        } else if (type == "web_search_call"_L1) {
            event("response.web_search_call.in_progress", with({}));
            event("response.web_search_call.searching", with({}));
            event("response.web_search_call.completed", with({}));
        } else if (type == "file_search_call"_L1) {
            event("response.file_search_call.in_progress", with({}));
            event("response.file_search_call.searching", with({}));
            event("response.file_search_call.completed", with({}));
        } else if (type == "function_call"_L1) {
            event("response.function_call_arguments.delta", with({{"delta"_L1, item.value("arguments"_L1)}}));
            event("response.function_call_arguments.done", with({{"arguments"_L1, item.value("arguments"_L1)}}));
        } else if (type == "custom_tool_call"_L1) {
            event("response.custom_tool_call_input.delta", with({{"delta"_L1, item.value("input"_L1)}}));
            event("response.custom_tool_call_input.done", with({{"input"_L1, item.value("input"_L1)}}));
        } else if (type == "reasoning"_L1) {
            const QJsonArray summary = item.value("summary"_L1).toArray();
            for (int k = 0; k < summary.size(); ++k) {
                const QJsonObject part = summary.at(k).toObject();
                QJsonObject empty = part;
                empty.insert("text"_L1, ""_L1);
                event("response.reasoning_summary_part.added", with({{"summary_index"_L1, k}, {"part"_L1, empty}}));
                event("response.reasoning_summary_text.delta", with({{"summary_index"_L1, k}, {"delta"_L1, part.value("text"_L1)}}));
                event("response.reasoning_summary_text.done", with({{"summary_index"_L1, k}, {"text"_L1, part.value("text"_L1)}}));
                event("response.reasoning_summary_part.done", with({{"summary_index"_L1, k}, {"part"_L1, part}}));
            }
        }
        event("response.output_item.done", {{"output_index"_L1, i}, {"item"_L1, item}});
    }
    const QString status = answer.value("status"_L1).toString();
    const char *last = status == "incomplete"_L1 ? "response.incomplete"
                       : status == "failed"_L1   ? "response.failed"
                                                 : "response.completed";
    event(last, {{"response"_L1, answer}});
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
            if (block.contains("citations"_L1))
                empty.insert("citations"_L1, QJsonArray{}); // then one citations_delta each (below)
            delta = {{"type"_L1, "text_delta"_L1}, {"text"_L1, block.value("text"_L1)}};
        } else if (type == "tool_use"_L1 || type == "server_tool_use"_L1 || type == "mcp_tool_use"_L1) {
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
        if (type == "text"_L1) {
            for (const QJsonValue &citation : block.value("citations"_L1).toArray())
                out += namedEvent("content_block_delta",
                                  QJsonObject{{"type"_L1, "content_block_delta"_L1}, {"index"_L1, i},
                                              {"delta"_L1, QJsonObject{{"type"_L1, "citations_delta"_L1},
                                                                       {"citation"_L1, citation}}}});
        }
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
