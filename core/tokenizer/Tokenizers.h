#pragma once

#include "common/Result.h"
#include "tokenizer/CalibrationSampler.h"
#include "tokenizer/Encoding.h"
#include "tokenizer/EstimateCalibration.h"

#include <QString>

#include <array>
#include <memory>
#include <mutex>

namespace tl::tokenizer {

// A token count and how far to trust it.
struct TokenCount
{
    qint64 tokens = 0;
    bool estimate = false; // true: not the model's own tokenizer (see ModelEncoding)
    QString encoding; // "o200k_base"
    QString note; // why it is an estimate ("" when exact)
    // Estimates only: the calibration applied (EstimateCalibration), nullopt = uncalibrated; then
    // `tokens` is the calibrated count and `uncalibratedTokens` the raw count of `encoding`.
    std::optional<CalibrationFactor> calibration;
    qint64 uncalibratedTokens = 0;
};

// The registry of encodings: loads each rank file once, on first use, verifies its SHA-256, and hands
// out the shared immutable Encoding. The composition root owns one instance and passes it (or a
// std::shared_ptr to it) to the proxy, the CLI and the widgets; there is no global instance.
//
// Rank files come from `rankDirectory` (default: the copies built into the application as Qt
// resources, builtInDirectory()). Thread-safe: every method may be called from any thread; a first
// load blocks the callers of that encoding (not of the other one) for about 0.1-0.3 s.
// Errors: encoding() returns the load error (Io, Parse, InvalidArgument on a SHA-256 mismatch) and
// retries on the next call.
class Tokenizers
{
public:
    explicit Tokenizers(QString rankDirectory = builtInDirectory());

    // ":/tokenledger/tokenizers", where resources/tokenizers/*.tiktoken are compiled in.
    static QString builtInDirectory();

    Result<std::shared_ptr<const Encoding>> encoding(EncodingId id) const;
    // Whether encoding(id) has loaded (then it returns at once; until then its first call loads, 30-160 ms).
    // Blocks while a load of that encoding runs.
    bool isLoaded(EncodingId id) const;
    // The encoding for a model (see encodingForModel()), with its exactness.
    Result<std::shared_ptr<const Encoding>> encodingForModel(QStringView model, ModelEncoding *how = nullptr) const;

    // Counts plain text for a model: exact for OpenAI models, flagged estimate otherwise (scaled by the
    // model's calibration factor when it has one).
    Result<TokenCount> countText(QStringView model, QStringView text) const;

    // Calibration of estimates for models whose tokenizer is not public (see EstimateCalibration):
    // empty until fed by the sampler; thread-safe.
    EstimateCalibration &calibration() const { return m_calibration; }
    // Starts feeding the calibration from proxy calls (CalibrationSampler on the ledger file at
    // `ledgerPath`) and queues loading the pairs stored there. Call once, on the owning thread, before
    // the registry is shared.
    void startCalibrationSampling(const QString &ledgerPath, CalibrationSamplerOptions options = {});
    // For the proxy, after it recorded a call: see CalibrationSampler::offer(). A no-op (false) when
    // sampling was not started. Cheap; any thread.
    bool offerCalibrationSample(const CallRecord &record, const QByteArray &requestBody,
                                const QJsonObject &sentBody = {}) const;
    CalibrationSampler *calibrationSampler() const { return m_sampler.get(); }

private:
    QString m_dir;
    // One lock per encoding (by EncodingId), held through its load: before session 14 one lock for both, so
    // the proxy thread's o200k_base estimate waited 30-50 ms for a background load of cl100k_base.
    mutable std::array<std::mutex, 2> m_mutex;
    mutable std::array<std::shared_ptr<const Encoding>, 2> m_loaded;
    mutable EstimateCalibration m_calibration;
    std::unique_ptr<CalibrationSampler> m_sampler; // last: destroyed (its jobs finished) first
};

} // namespace tl::tokenizer
