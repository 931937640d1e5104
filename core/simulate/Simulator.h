#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "common/TimeZoneBuckets.h"
#include "pricing/Pricer.h"
#include "simulate/Scenario.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>
#include <QTimeZone>

#include <functional>

namespace tl {

// The strategies in the fixed order the simulator applies them. Each one works on what the previous
// ones left, so savings never count twice: its marginal saving is the projected cost before it minus
// the projected cost after it; the combined saving is baseline minus the final projection.
enum class Strategy { ExactCache, SemanticCache, Compression, Routing, Batch };
QString toString(Strategy s); // "exact_cache", "semantic_cache", "compression", "routing", "batch"
inline constexpr std::array<Strategy, 5> kStrategyOrder{Strategy::ExactCache, Strategy::SemanticCache,
                                                        Strategy::Compression, Strategy::Routing, Strategy::Batch};

struct StrategyOutcome
{
    Strategy strategy = Strategy::Routing;
    bool enabled = false;
    bool simulated = false; // false: enabled but the data cannot support it (see whyNot)
    QString whyNot;
    NanoUsd saving = 0; // marginal, nano-USD (negative if the strategy costs more)
    qint64 callsAffected = 0;
    QStringList assumptions;
};

struct EndpointOutcome
{
    QString endpoint;
    NanoUsd baseline = 0;
    NanoUsd projected = 0;
    qint64 calls = 0;
    QList<StrategyOutcome> strategies; // in kStrategyOrder
};

struct SimulationResult
{
    QString scenarioName;
    qint64 records = 0;         // calls replayed
    qint64 unpricedRecords = 0; // left out of baseline and savings (their cost is unknown)
    NanoUsd baseline = 0;       // recorded cost of the replayed calls
    NanoUsd projected = 0;
    QList<StrategyOutcome> strategies; // totals, in kStrategyOrder
    QList<EndpointOutcome> endpoints;  // by saving, highest first
    QList<qint64> bucketStartsUs;      // day buckets in the requested zone
    QStringList bucketLabels;
    QList<NanoUsd> baselinePerBucket;
    QList<NanoUsd> projectedPerBucket;
    bool cancelled = false;

    NanoUsd saving() const { return baseline - projected; }
};

struct SimulationRequest
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    QTimeZone zone = QTimeZone::utc(); // for the per-day chart
    Scenario scenario;
};

// Replays the ledger's calls in [fromUs, toUs) under a scenario. Baseline is each call's recorded cost;
// re-priced calls use the same token counts on the new model or rate (stated in the assumptions).
// Strategies the data cannot support are reported with the reason instead of a guess (the exact cache
// needs request hashes, recorded by the proxy; the semantic cache needs stored embeddings; compression
// needs the messages' text and structure).
// Thread affinity: the thread owning `db` (the Ledger's reader thread via Ledger::read). `progress`
// (optional) gets (records done, records total) and returns false to cancel.
namespace Simulator {
Result<SimulationResult> run(QSqlDatabase &db, const Pricer &pricer, const SimulationRequest &request,
                             const std::function<bool(qint64, qint64)> &progress = {});
}

} // namespace tl
