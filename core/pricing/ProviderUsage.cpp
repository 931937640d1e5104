#include "ProviderUsage.h"
#include "UsageReaders.h"

#include "common/Logging.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tl::ProviderUsage {

namespace {

// UsageReaders.h's view over a QJsonObject.
struct QtView
{
    QJsonObject o;

    // A whole JSON number as it is (range checks are usageProblem()'s); 0 when missing or null;
    // kMalformedUsageCount for anything else.
    qint64 num(QLatin1StringView key) const
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
    QtView object(QLatin1StringView key) const { return {o.value(key).toObject()}; }
    bool contains(QLatin1StringView key) const { return o.contains(key); }
};

} // namespace

Usage fromOpenAiChat(const QJsonObject &u)
{
    return detail::readOpenAiChat(QtView {u});
}

Usage fromOpenAiResponses(const QJsonObject &u)
{
    return detail::readOpenAiResponses(QtView {u});
}

qint64 webSearchCalls(const QJsonArray &output)
{
    qint64 n = 0;
    for (const QJsonValue &v : output) {
        const QJsonObject item = v.toObject();
        if (isBilledWebSearch(item.value("type"_L1).toString(),
                              item.value("action"_L1).toObject().value("type"_L1).toString()))
            ++n;
    }
    return n;
}

bool isBilledWebSearch(QAnyStringView itemType, QAnyStringView actionType)
{
    // Only the page actions are known not to be billed searches; anything else counts (never a silently
    // missing fee).
    return itemType == "web_search_call"_L1 && actionType != "open_page"_L1 && actionType != "find_in_page"_L1;
}

qint64 fileSearchCalls(const QJsonArray &output)
{
    qint64 n = 0;
    for (const QJsonValue &v : output) {
        if (isBilledFileSearch(v.toObject().value("type"_L1).toString()))
            ++n;
    }
    return n;
}

bool isBilledFileSearch(QAnyStringView itemType)
{
    return itemType == "file_search_call"_L1;
}

Usage fromAnthropic(const QJsonObject &u)
{
    return detail::readAnthropic(QtView {u});
}

void normaliseForProvider(Usage &usage, QStringView provider)
{
    // Out-of-range counts stay as they are, for usageProblem() to reject (no overflowing sum).
    auto addable = [](qint64 n) { return n >= 0 && n < kMaxUsageCount; };
    if (!addable(usage.completionTokens) || !addable(usage.reasoningTokens) || !addable(usage.citationTokens))
        return;
    if (provider == u"x-ai")
        usage.completionTokens += usage.reasoningTokens;
    else if (provider == u"perplexity")
        usage.completionTokens += usage.reasoningTokens + usage.citationTokens;
}

} // namespace tl::ProviderUsage
