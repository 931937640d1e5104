#pragma once

#include <QHash>
#include <QString>

#include <mutex>
#include <optional>

namespace tl::tokenizer {

// Calibrates estimated token counts for providers whose tokenizer is not public (Anthropic, Google):
// wherever TokenLedger has both its own estimate of a request (counted with the closest public
// encoding) and the count the provider reported for it, record() them; factor() is then the ratio
// sum(reported) / sum(estimated) over those calls, and apply() scales a new estimate by it.
//
// Units: tokens. No factor (nullopt) until `minSamples` calls and at least 1,000 estimated tokens have
// been recorded for the key, so a few odd calls do not skew it. Keys are what the caller groups by
// (a provider id such as "anthropic", or "anthropic/claude-sonnet-4-5").
// Thread-safe: record() may run on the proxy thread while apply() runs elsewhere.
class EstimateCalibration
{
public:
    explicit EstimateCalibration(int minSamples = 20);

    void record(const QString &key, qint64 estimatedTokens, qint64 reportedTokens);
    std::optional<double> factor(const QString &key) const;
    // `estimatedTokens` scaled by the key's factor (rounded to nearest), or unchanged without one.
    qint64 apply(const QString &key, qint64 estimatedTokens) const;
    int samples(const QString &key) const;

private:
    struct Sums
    {
        qint64 estimated = 0;
        qint64 reported = 0;
        int samples = 0;
    };
    int m_minSamples;
    mutable std::mutex m_mutex;
    QHash<QString, Sums> m_sums;
};

} // namespace tl::tokenizer
