#include "CallRecord.h"

using namespace Qt::StringLiterals;

namespace tl {

namespace {
template<typename E, size_t N>
std::optional<E> lookup(const std::array<QStringView, N> &names, QStringView s)
{
    for (size_t i = 0; i < N; ++i) {
        if (names[i] == s)
            return E(int(i));
    }
    return std::nullopt;
}
constexpr std::array<QStringView, 3> kCostStatus{u"exact", u"estimated", u"unpriced"};
constexpr std::array<QStringView, 6> kUsageStatus{u"complete", u"estimated", u"unknown", u"incomplete", u"invalid",
                                                  u"pending"};
constexpr std::array<QStringView, 5> kCacheOutcome{u"none", u"miss", u"exact_hit", u"semantic_hit", u"bypass"};
constexpr std::array<QStringView, 4> kSourceKind{u"proxy", u"import", u"batch", u"provider_report"};
} // namespace

QString toString(CostStatus s) { return kCostStatus[size_t(s)].toString(); }
QString toString(UsageStatus s) { return kUsageStatus[size_t(s)].toString(); }
QString toString(CacheOutcome s) { return kCacheOutcome[size_t(s)].toString(); }
QString toString(SourceKind s) { return kSourceKind[size_t(s)].toString(); }
std::optional<CostStatus> costStatusFromString(QStringView s) { return lookup<CostStatus>(kCostStatus, s); }
std::optional<UsageStatus> usageStatusFromString(QStringView s) { return lookup<UsageStatus>(kUsageStatus, s); }
std::optional<CacheOutcome> cacheOutcomeFromString(QStringView s) { return lookup<CacheOutcome>(kCacheOutcome, s); }
std::optional<SourceKind> sourceKindFromString(QStringView s) { return lookup<SourceKind>(kSourceKind, s); }

QString usageProblem(const Usage &u)
{
    const std::pair<const char *, qint64> counts[] = {
        {"prompt_tokens", u.promptTokens},
        {"cached_tokens", u.cachedTokens},
        {"cache_write_5m_tokens", u.cacheWrite5mTokens},
        {"cache_write_1h_tokens", u.cacheWrite1hTokens},
        {"completion_tokens", u.completionTokens},
        {"reasoning_tokens", u.reasoningTokens},
        {"audio_input_tokens", u.audioInputTokens},
        {"audio_output_tokens", u.audioOutputTokens},
        {"image_input_tokens", u.imageInputTokens},
        {"web_search_requests", u.webSearchRequests},
        {"cached_audio_tokens", u.cachedAudioTokens},
        {"cached_image_tokens", u.cachedImageTokens},
        {"output_image_tokens", u.outputImageTokens},
        {"citation_tokens", u.citationTokens},
        {"file_search_calls", u.fileSearchCalls},
    };
    for (const auto &[name, value] : counts) {
        if (value == kMalformedUsageCount)
            return u"%1 is not a whole number"_s.arg(QLatin1StringView(name));
        if (value < 0)
            return u"%1 is negative (%2)"_s.arg(QLatin1StringView(name)).arg(value);
        if (value >= kMaxUsageCount)
            return u"%1 (%2) is not below the bound of %3"_s.arg(QLatin1StringView(name)).arg(value).arg(kMaxUsageCount);
    }
    // Every count is below 2^40 here: the sums cannot overflow.
    const qint64 inputParts = u.cachedTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens;
    if (inputParts > u.promptTokens)
        return u"cached and cache-write tokens (%1) exceed the prompt tokens (%2)"_s.arg(inputParts).arg(u.promptTokens);
    if (u.audioInputTokens + u.imageInputTokens > u.promptTokens)
        return u"audio and image input tokens (%1) exceed the prompt tokens (%2)"_s.arg(u.audioInputTokens + u.imageInputTokens)
            .arg(u.promptTokens);
    if (u.cachedAudioTokens + u.cachedImageTokens > u.cachedTokens)
        return u"cached audio and image tokens (%1) exceed the cached tokens (%2)"_s
            .arg(u.cachedAudioTokens + u.cachedImageTokens)
            .arg(u.cachedTokens);
    if (u.cachedAudioTokens > u.audioInputTokens)
        return u"cached audio tokens (%1) exceed the audio input tokens (%2)"_s.arg(u.cachedAudioTokens).arg(u.audioInputTokens);
    if (u.cachedImageTokens > u.imageInputTokens)
        return u"cached image tokens (%1) exceed the image input tokens (%2)"_s.arg(u.cachedImageTokens).arg(u.imageInputTokens);
    if (u.reasoningTokens > u.completionTokens)
        return u"reasoning tokens (%1) exceed the completion tokens (%2)"_s.arg(u.reasoningTokens).arg(u.completionTokens);
    // Reasoning and citation tokens are distinct parts of the output (genai-prices' usage check: mutually
    // exclusive token types must not add up to more than output_tokens).
    if (u.reasoningTokens + u.citationTokens > u.completionTokens)
        return u"reasoning and citation tokens (%1) exceed the completion tokens (%2)"_s
            .arg(u.reasoningTokens + u.citationTokens)
            .arg(u.completionTokens);
    if (u.audioOutputTokens + u.outputImageTokens > u.completionTokens)
        return u"audio and image output tokens (%1) exceed the completion tokens (%2)"_s
            .arg(u.audioOutputTokens + u.outputImageTokens)
            .arg(u.completionTokens);
    return {};
}

} // namespace tl
