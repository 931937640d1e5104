#include "ProviderUsage.h"

#include "common/Logging.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tl::ProviderUsage {

namespace {

// A whole JSON number as it is (range checks are usageProblem()'s); 0 when missing or null;
// kMalformedUsageCount for anything else.
qint64 num(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return 0;
    const qint64 n = v.isDouble() ? v.toInteger(kMalformedUsageCount) : kMalformedUsageCount;
    if (n == kMalformedUsageCount) {
        const QByteArray text = v.isObject() ? QByteArray("{...}")
            : v.isArray()                    ? QByteArray("[...]")
                                             : QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        qCWarning(lcPricing) << "usage member" << key << "is not a whole number of tokens:" << text.left(64);
    }
    return n;
}

} // namespace

Usage fromOpenAiChat(const QJsonObject &u)
{
    Usage usage;
    usage.promptTokens = num(u, "prompt_tokens"_L1);
    usage.completionTokens = num(u, "completion_tokens"_L1);
    const QJsonObject in = u.value("prompt_tokens_details"_L1).toObject();
    usage.cachedTokens = num(in, "cached_tokens"_L1);
    usage.cacheWrite5mTokens = num(in, "cache_write_tokens"_L1);
    usage.audioInputTokens = num(in, "audio_tokens"_L1);
    const QJsonObject out = u.value("completion_tokens_details"_L1).toObject();
    usage.reasoningTokens = num(out, "reasoning_tokens"_L1);
    usage.audioOutputTokens = num(out, "audio_tokens"_L1);
    return usage;
}

Usage fromOpenAiResponses(const QJsonObject &u)
{
    Usage usage;
    usage.promptTokens = num(u, "input_tokens"_L1);
    usage.completionTokens = num(u, "output_tokens"_L1);
    const QJsonObject in = u.value("input_tokens_details"_L1).toObject();
    usage.cachedTokens = num(in, "cached_tokens"_L1);
    usage.cacheWrite5mTokens = num(in, "cache_write_tokens"_L1);
    usage.reasoningTokens = num(u.value("output_tokens_details"_L1).toObject(), "reasoning_tokens"_L1);
    return usage;
}

qint64 webSearchCalls(const QJsonArray &output)
{
    qint64 n = 0;
    for (const QJsonValue &v : output) {
        const QJsonObject item = v.toObject();
        if (item.value("type"_L1).toString() != "web_search_call"_L1)
            continue;
        // Only the page actions are known not to be billed searches; anything else counts (never a
        // silently missing fee).
        const QString action = item.value("action"_L1).toObject().value("type"_L1).toString();
        if (action != "open_page"_L1 && action != "find_in_page"_L1)
            ++n;
    }
    return n;
}

Usage fromAnthropic(const QJsonObject &u)
{
    Usage usage;
    const qint64 input = num(u, "input_tokens"_L1);
    const qint64 read = num(u, "cache_read_input_tokens"_L1);
    const qint64 write = num(u, "cache_creation_input_tokens"_L1);
    usage.cachedTokens = read;
    const QJsonObject creation = u.value("cache_creation"_L1).toObject();
    if (creation.contains("ephemeral_5m_input_tokens"_L1) || creation.contains("ephemeral_1h_input_tokens"_L1)) {
        usage.cacheWrite5mTokens = num(creation, "ephemeral_5m_input_tokens"_L1);
        usage.cacheWrite1hTokens = num(creation, "ephemeral_1h_input_tokens"_L1);
    } else {
        usage.cacheWrite5mTokens = write;
    }
    usage.completionTokens = num(u, "output_tokens"_L1);
    usage.webSearchRequests = num(u.value("server_tool_use"_L1).toObject(), "web_search_requests"_L1);
    const qint64 parts[] = {input, read, usage.cacheWrite5mTokens, usage.cacheWrite1hTokens};
    for (qint64 part : parts) {
        // A malformed or out-of-range part makes the whole prompt count so (no overflowing sum).
        if (part < 0 || part >= kMaxUsageCount) {
            usage.promptTokens = part;
            return usage;
        }
    }
    usage.promptTokens = input + read + usage.cacheWrite5mTokens + usage.cacheWrite1hTokens;
    if (u.contains("cache_creation_input_tokens"_L1) && write >= 0 && write < kMaxUsageCount
        && usage.cacheWrite5mTokens + usage.cacheWrite1hTokens > write) {
        // The per-TTL parts exceed the total they split: the prompt counts the total, so usageProblem()
        // reports the parts exceeding it.
        usage.promptTokens = input + read + write;
    }
    return usage;
}

} // namespace tl::ProviderUsage
