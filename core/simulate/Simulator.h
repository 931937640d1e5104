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

// Dynamic few-shot (recorded by the proxy): what sending only the selected examples saved against
// sending the whole example set with every call. Already realised in the recorded costs, so it is
// reported beside the strategies, not subtracted from the projection.
struct FewShotReport
{
    qint64 calls = 0;       // calls that named an example set
    qint64 tokensSaved = 0; // set tokens minus inserted example tokens, summed (input tokens)
    NanoUsd saving = 0;     // those tokens at each call's model input price (nano-USD)
};

struct SimulationResult
{
    QString scenarioName;
    // Call-level records replayed on days no report covers (unpriced ones included; report lines and
    // coveredCalls not).
    qint64 records = 0;
    qint64 unpricedRecords = 0; // of those, left out of baseline and savings (their cost is unknown)
    NanoUsd baseline = 0;       // recorded cost of those records, plus reportCost
    NanoUsd projected = 0;      // the projection of those records, plus reportCost, minus coveredSaving
    // Provider report lines that count (SpendCoverage.h): in the baseline and the projection as they are,
    // never simulated (they carry no per-call detail: no request, no per-call tokens). reportCost sums
    // the priced ones; unpricedReportLines (among reportLines) have no known cost and are left out of it.
    qint64 reportLines = 0;
    qint64 unpricedReportLines = 0;
    NanoUsd reportCost = 0;
    // Priced call-level records on a provider day a report covers (call_count summed). Their spend is in the
    // report lines that count, so their recorded cost is not in the baseline; they are replayed like the
    // others (same order, same cache state) and their saving, recorded cost minus projection, is taken off
    // the projection (and the per-day series, the strategies, their endpoints' rows). Assumption: the report
    // covers them (SpendCoverage.h: the admin keys' organisation is the one the proxy's calls are billed to).
    qint64 coveredCalls = 0;
    NanoUsd coveredCost = 0;   // their recorded cost (held by reportCost, not added again)
    NanoUsd coveredSaving = 0; // taken off the report lines' figure
    // The guard on that assumption: on a provider day whose priced call-level records (in the range) cost
    // more than the report lines that count, the report cannot hold them, so their savings are not taken:
    // they are left out as superseded (and counted in supersededCalls too). Days, calls, recorded cost.
    qint64 overReportDays = 0;
    qint64 overReportCalls = 0;
    NanoUsd overReportCost = 0;
    // Left out of everything because a provider report covers their provider and UTC day, as the spend
    // views leave them out (their spend is in the report lines): call-level calls not replayed
    // (call_count summed: the unpriced ones and those of overReportDays) and usage report lines on a day a
    // cost report covers, with their recorded cost. (Before coveredCalls, every call on a covered day.)
    qint64 supersededCalls = 0;
    qint64 supersededReportLines = 0;
    NanoUsd supersededCost = 0;
    QList<StrategyOutcome> strategies; // totals, in kStrategyOrder
    QList<EndpointOutcome> endpoints;  // by saving, highest first
    QList<qint64> bucketStartsUs;      // day buckets in the requested zone
    QStringList bucketLabels;
    QList<NanoUsd> baselinePerBucket;
    QList<NanoUsd> projectedPerBucket;
    FewShotReport fewShot;
    bool cancelled = false;

    NanoUsd saving() const { return baseline - projected; }
    // Every call replayed through the strategies: those in the baseline and those on covered days.
    qint64 replayedCalls() const { return records + coveredCalls; }
};

struct SimulationRequest
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    QTimeZone zone = QTimeZone::utc(); // for the per-day chart
    Scenario scenario;
};

// Replays the ledger's calls in [fromUs, toUs) under a scenario. The baseline follows the spend views'
// rule (query/SpendCoverage.h), so it equals the dashboard's and `report`'s spend over the same range:
// per provider and UTC day, a provider's cost report lines count if it has any that day, else its usage
// report lines, else its call-level records (proxy, batch jobs, imports). Only call-level records that
// count are in the baseline; report lines that count are added to the baseline and the projection unchanged
// (reportLines, reportCost: not simulated). Call-level records on a day a report covers are replayed too,
// their recorded cost left out of the baseline (it is in the report lines) and their saving taken off the
// projection (coveredCalls, coveredSaving), unless they cost more than the day's report lines (the guard:
// overReportDays); those, and usage report lines under a cost report, are left out (supersededCalls,
// supersededReportLines, supersededCost). Baseline is each call's recorded cost;
// re-priced calls use the same token counts on the new model or rate (stated in the assumptions).
// Per call, in kStrategyOrder:
//  1. exact cache: a request hash (CallRecord::requestHash) seen from the same caller within the TTL
//     of the stored answer is free; a successful miss stores the answer (as the live proxy does);
//  2. semantic cache: replayed with semantic::SemanticIndex, the live cache's own matcher, on the
//     recorded embeddings, semantic scope and guard signature (SavingsTrace): a hit (same scope and
//     guards, similarity >= threshold, within the TTL) is free; a successful miss is stored. With a
//     remote embedding model every call it embeds costs an embedding call (its prompt tokens, priced
//     on that model), counted against the saving;
//  3. compression: a conversation (message count >= 2) whose prompt exceeds the budget is re-priced
//     with the budget as its prompt tokens (cache reads capped at the budget), plus one summary call
//     on the summary model: input = the tokens dropped beyond 70% of the budget, output = 10% of the
//     budget (an upper bound: live summaries are cached per conversation prefix);
//  4. routing: explicit token rules first, then the complexity router on the recorded complexity
//     through the live router's own decision (routing::Router::decideFor: tiers, context window,
//     tools, family, and never a dearer model unless the endpoint allows it);
//  5. Batch API: listed endpoints at the batch rate, on providers with a Batch API (Pricer::offersBatchApi;
//     the calls of others stay at their price and are named in the assumptions).
// Server-side web searches (Usage::webSearchRequests, billed per search: genai-prices 0.1.8
// web_searches_kcount, $10 per 1,000 on every Anthropic and OpenAI model that has the price) go with
// their call: the baseline is the recorded cost with them; an exact or semantic cache hit saves the whole
// call, searches included; compression and the Batch API keep them at the call's model's per-search price
// (the Pricer does not halve them for the Batch API); a routed call is re-priced with them at the target
// model's per-search price, and a target the price data gives no per-search price leaves the call
// unrouted at its recorded cost (a rule's target is then named as one the price book cannot price).
// Every other priced part of a call is replayed with it too (call_replay format 4, schema 17): cached audio and
// image input, image output and citation tokens at their own prices, and OpenAI file search tool calls per call
// (storage_searches_kcount, not halved for the Batch API, like web searches; a routing target without that price
// leaves the call unrouted); per-request fees come with the call count. So a projection re-prices the call
// as it was billed, never the plain token prices alone.
// Strategies the data cannot support are reported with the reason instead of a guess (the exact cache
// needs request hashes and the semantic cache embeddings, both recorded by the proxy; compression
// needs the conversation's shape).
// Reading: `db` names the ledger file; the calls are read through simulate::LedgerScan, a read-only
// SQLite connection of the simulator's own (one read transaction, so one consistent snapshot), on a
// worker thread of its own while this thread replays them. Errors: Database (SQLite's message),
// InvalidArgument for an in-memory database (a second connection cannot see it).
// Thread affinity: the thread owning `db` (the Ledger's reader thread via Ledger::read); it blocks
// until the run ends and the worker has been joined. `progress` (optional) gets (records done,
// records total) on this thread and returns false to cancel (the worker stops within one chunk).
namespace Simulator {
Result<SimulationResult> run(QSqlDatabase &db, const Pricer &pricer, const SimulationRequest &request,
                             const std::function<bool(qint64, qint64)> &progress = {});
}

} // namespace tl
