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
constexpr std::array<QStringView, 4> kUsageStatus{u"complete", u"estimated", u"unknown", u"incomplete"};
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

} // namespace tl
