#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <mutex>

namespace tl::tokenizer {

class EstimateCalibration;
class Tokenizers;

struct CalibrationSamplerOptions
{
    int perModelPerHour = 6; // calls counted per model and hour of the call's start (UTC), at most
    int maxPending = 16;     // offers beyond this many waiting jobs are dropped, never queued
};

// One stored pair: our count of a call's prompt and the provider's.
struct CalibrationPair
{
    qint64 callId = 0;  // the ledger record (calls.id)
    qint64 atUs = 0;    // the call's start, UTC microseconds
    QString provider;   // the record's provider ("anthropic")
    QString model;      // the served model (else the requested one)
    QString encoding;   // the encoding we counted with ("o200k_base")
    qint64 estimatedTokens = 0; // ChatTokenCounter's prompt count of the body sent upstream, uncalibrated
    qint64 reportedTokens = 0;  // the provider's prompt tokens (incl. cache reads and writes)
};

// Feeds EstimateCalibration with real pairs. The ledger keeps no request text, so the pairs are made
// where both counts exist at once: the proxy hands each recorded call and the body it sent upstream to
// offer() (through Tokenizers::offerCalibrationSample()). A call qualifies when the provider reported
// its usage (UsageStatus::Complete, HTTP 200, no error, not answered from a cache) and the model's
// tokenizer is not public (encodingForModel().exact == false: Claude, Gemini, ...). At most
// `perModelPerHour` calls per model and hour are taken; the rest are not looked at.
//
// offer() is cheap (a few comparisons and a hash lookup under a mutex; the body is shared, not
// copied): the counting (ChatTokenCounter, 0.1-50 ms for a large request) and the INSERT into the
// ledger's token_calibration table (schema v7, through the sampler's own SQLite connection to
// `ledgerPath`, WAL, 5 s busy timeout) run on one worker thread at the lowest priority. A stored pair
// is also recorded in `calibration` at once. load() reads the stored pairs into `calibration`
// (replacing what it held), on the same worker.
//
// Errors: a body that is not a chat request (not a JSON object, no messages) is skipped; a failed
// INSERT is logged (tokenledger.tokenizer) and counted in failed(); nothing reaches the proxy.
// Thread affinity: offer() from any thread; construct and destroy on one thread. The destructor drops
// queued jobs and waits for the running one. `tokenizers` and `calibration` must outlive the sampler.
class CalibrationSampler
{
public:
    CalibrationSampler(const Tokenizers &tokenizers, EstimateCalibration &calibration, QString ledgerPath,
                       CalibrationSamplerOptions options = {});
    ~CalibrationSampler();
    CalibrationSampler(const CalibrationSampler &) = delete;
    CalibrationSampler &operator=(const CalibrationSampler &) = delete;

    // `requestBody`: the client's body; `sentBody`: the body as sent upstream when the proxy changed it
    // (routing, compression, few-shot), else empty. Returns whether the call was taken.
    bool offer(const CallRecord &record, const QByteArray &requestBody, const QJsonObject &sentBody = {});
    // Queues reading the stored pairs into the calibration.
    void load();
    // Waits until every queued job has run (tests, and the CLI before it exits). False on timeout.
    bool waitForIdle(int timeoutMs = 30000);

    int stored() const { return m_stored.load(); }
    int failed() const { return m_failed.load(); }
    int dropped() const { return m_dropped.load(); }

    // Reads every stored pair, oldest first. Errors: Database. Any thread (own connection).
    static Result<QList<CalibrationPair>> readPairs(const QString &ledgerPath);

private:
    void count(CallRecord record, QByteArray requestBody, QJsonObject sentBody);
    Result<void> store(const CalibrationPair &pair);

    const Tokenizers &m_tokenizers;
    EstimateCalibration &m_calibration;
    QString m_ledgerPath;
    CalibrationSamplerOptions m_options;
    std::mutex m_mutex;
    QHash<QString, std::pair<qint64, int>> m_taken; // model key -> (hour, calls taken in it)
    std::atomic<int> m_pending{0};
    std::atomic<int> m_stored{0};
    std::atomic<int> m_failed{0};
    std::atomic<int> m_dropped{0};
    QThreadPool m_pool; // one thread, lowest priority
};

} // namespace tl::tokenizer
