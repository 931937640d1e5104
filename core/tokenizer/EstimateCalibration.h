#pragma once

#include <QHash>
#include <QString>

#include <mutex>
#include <optional>

namespace tl::tokenizer {

// A calibration factor and how much it rests on.
struct CalibrationFactor
{
    QString key;               // "anthropic/claude-sonnet-4-5" or "anthropic"
    double factor = 1.0;       // sum(reported) / sum(estimated)
    int samples = 0;           // calls behind it
    qint64 estimatedTokens = 0; // sum of our counts, tokens
    qint64 reportedTokens = 0;  // sum of the provider's counts, tokens
    double ratioStdDev = 0;    // spread: sample standard deviation of the per-call ratios reported/estimated
    double ratioMin = 0;       // lowest per-call ratio
    double ratioMax = 0;       // highest per-call ratio
};

// Calibrates estimated token counts for providers whose tokenizer is not public (Anthropic, Google).
// Wherever TokenLedger has both its own count of a request (the closest public encoding, as
// ChatTokenCounter counts it) and the prompt tokens the provider reported for the same call, record()
// them; the factor is the ratio of sums, sum(reported) / sum(estimated), over those calls (a
// token-weighted mean, so a long request weighs by its length, not as one vote), and apply() scales a
// new estimate by it. The spread (standard deviation, min and max of the per-call ratios) is kept
// beside it for display. Pairs come from CalibrationSampler (a sample of proxy calls, stored in the
// ledger's token_calibration table, schema v7).
//
// Keys: recordModel() files a pair under the model's key ("anthropic/claude-sonnet-4-5"; the date
// suffix and a provider prefix are dropped) and under its provider's key ("anthropic");
// forModel() uses the model's factor when it has enough calls, else the provider's.
// Units: tokens. No factor (nullopt) until `minSamples` calls and at least `minTokens` estimated
// tokens have been recorded for a key, so a few odd calls do not skew it.
// Thread-safe: record() may run on the sampler's thread while apply() runs elsewhere.
class EstimateCalibration
{
public:
    explicit EstimateCalibration(int minSamples = 20, qint64 minTokens = 1000);

    // Pairs with a non-positive count are ignored (an empty or failed call teaches nothing).
    void record(const QString &key, qint64 estimatedTokens, qint64 reportedTokens);
    void recordModel(QStringView model, qint64 estimatedTokens, qint64 reportedTokens);
    // Forgets every pair (before a reload).
    void clear();

    std::optional<double> factor(const QString &key) const;
    // `estimatedTokens` scaled by the key's factor (rounded to nearest), or unchanged without one.
    qint64 apply(const QString &key, qint64 estimatedTokens) const;
    int samples(const QString &key) const;
    // The key's figures whether or not it has enough calls (nullopt: no call at all).
    std::optional<CalibrationFactor> stats(const QString &key) const;

    // The factor to use for `model`: its own key's when it has enough calls, else its provider's;
    // nullopt when neither has.
    std::optional<CalibrationFactor> forModel(QStringView model) const;
    // Calls recorded so far for the model (its own key, else its provider's), for "uncalibrated (N calls)".
    int samplesForModel(QStringView model) const;

    // "claude-sonnet-4-5-20250929" -> "anthropic/claude-sonnet-4-5"; "gemini-2.5-pro" -> "google/gemini-2.5-pro".
    static QString modelKey(QStringView model);
    // "anthropic" for Claude models, "google" for Gemini/Gemma, else the model's provider prefix or "other".
    static QString providerKey(QStringView model);

    int minSamples() const { return m_minSamples; }

private:
    struct Sums
    {
        qint64 estimated = 0;
        qint64 reported = 0;
        int samples = 0;
        double ratioSum = 0;
        double ratioSquares = 0;
        double ratioMin = 0;
        double ratioMax = 0;
    };
    bool enough(const Sums &s) const { return s.samples >= m_minSamples && s.estimated >= m_minTokens; }
    static CalibrationFactor toFactor(const QString &key, const Sums &s);
    void recordLocked(const QString &key, qint64 estimatedTokens, qint64 reportedTokens);

    int m_minSamples;
    qint64 m_minTokens;
    mutable std::mutex m_mutex;
    QHash<QString, Sums> m_sums;
};

} // namespace tl::tokenizer
