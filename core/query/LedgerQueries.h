#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "common/TimeZoneBuckets.h"
#include "ledger/CallRecord.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>
#include <QTimeZone>

#include <functional>
#include <vector>

namespace tl {

// What a breakdown groups by. Endpoint, model (the served model), key identity, provider and the
// batch flag come from the hourly rollups; Tag comes from the raw rows (a call with two tags counts
// in both groups, so tag groups can add up to more than the total).
enum class Dimension { Endpoint, Model, Key, Provider, Batch, Tag };
QString toString(Dimension d);
bool dimensionFromString(QStringView text, Dimension *out);

// Narrows any query: empty fields match everything. Names as stored (model = served model).
struct Filter
{
    QString endpoint;
    QString model;
    QString key;
    QString provider;
    QString text; // case-insensitive substring of endpoint or model name (the filter box)
    bool isEmpty() const
    {
        return endpoint.isEmpty() && model.isEmpty() && key.isEmpty() && provider.isEmpty() && text.isEmpty();
    }
    bool operator==(const Filter &) const = default;
};

// Sums over a set of calls. Money in nano-USD, tokens in tokens, latencies in microseconds.
struct Aggregate
{
    qint64 calls = 0;
    qint64 promptTokens = 0;
    qint64 cachedTokens = 0;
    qint64 cacheWriteTokens = 0;
    qint64 completionTokens = 0;
    qint64 reasoningTokens = 0;
    NanoUsd cost = 0; // sum over priced calls only
    // The part of `cost` from records that stand for calls (call_count > 0): not the cost report lines
    // nor Anthropic usage lines, which count no calls. Cost per 1k calls divides this by priced calls.
    NanoUsd callsCost = 0;
    qint64 unpricedCalls = 0;
    qint64 estimatedCalls = 0;
    // Provider report lines that count no calls (call_count 0) but whose cost is estimated or unknown:
    // unpricedCalls / estimatedCalls cannot say so (they count calls).
    qint64 estimatedLines = 0;
    qint64 unpricedLines = 0;
    NanoUsd saved = 0; // what cache hits would have cost (cache savings; not the batch discount)
    qint64 batchCalls = 0; // calls made through a Batch API (calls counts them too)
    NanoUsd batchCost = 0; // their cost at batch prices (cost includes it)
    NanoUsd batchSaved = 0; // what the batch discount saved: list cost - batch cost of those calls
    qint64 cacheHits = 0;
    qint64 errorCalls = 0;
    qint64 latencyCalls = 0;
    qint64 latencySumUs = 0;
    std::vector<qint64> latencyBuckets; // LatencyHistogram buckets; empty when none

    void add(const Aggregate &o);
    // True when every sum is zero. Not the same as calls == 0: a provider report line stands for no
    // calls (call_count 0) and still carries tokens and cost.
    bool isEmpty() const;
    // Cost status of the sum, for display: every figure priced and exact; some or all of it estimated
    // (tokenizer counts, a price tier the data lacks); nothing priced at all (cost unknown, never $0).
    bool allUnpriced() const { return (unpricedCalls > 0 || unpricedLines > 0) && unpricedCalls >= calls && cost == 0; }
    bool anyEstimated() const { return estimatedCalls > 0 || estimatedLines > 0; }
    bool anyUnpriced() const { return unpricedCalls > 0 || unpricedLines > 0; }
    qint64 avgLatencyUs() const { return latencyCalls ? latencySumUs / latencyCalls : -1; }
    qint64 p95LatencyUs() const; // -1 when unknown; LatencyHistogram::percentileWithinSamplesUs
    qint64 pricedCalls() const { return calls - unpricedCalls; }
    // callsCost x 1,000 / pricedCalls() (unpriced calls have no cost, so they are not divided into it);
    // 0 when no call is priced. Truncated to the nano-USD.
    NanoUsd costPer1kCalls() const
    {
        const qint64 priced = pricedCalls();
        if (priced <= 0)
            return 0;
        return NanoUsd((callsCost / priced) * 1000 + ((callsCost % priced) * 1000) / priced);
    }
};

// How exact a sum's cost is, by name (report cost_status, the dashboard's Cost status column):
// "exact"; "estimated" (every priced call estimated: tokenizer counts, a price tier the data lacks) or
// "partly estimated"; "unpriced" (no price at all: the cost is unknown, never $0) or "partly unpriced"
// (the cost covers the priced part); an estimated and unpriced mix joins two names with "; ".
QString costStatusName(const Aggregate &a);

struct BreakdownRow
{
    QStringList keys; // one name per grouped dimension
    Aggregate agg;
    double share = 0;           // of the total cost, 0..1 (display only)
    double cumulativeShare = 0; // running share in cost order, 0..1
};

struct BreakdownQuery
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    QList<Dimension> groupBy{Dimension::Endpoint, Dimension::Model};
    Filter filter;
    int topN = 0; // 0: all rows
};

// Where a spend view's cost comes from, by the rule in SpendCoverage.h (one kind of record per provider
// and UTC day: cost report, else usage report, else call-level records). nano-USD, within the filter.
struct SpendSources
{
    NanoUsd recordedCost = 0;     // proxy calls, Batch API jobs, imported files: counted
    NanoUsd usageReportCost = 0;  // provider usage report lines (priced with the price book): counted
    NanoUsd costReportCost = 0;   // provider cost report lines (as billed): counted
    // Left out because a provider report covers their provider and day (so not added a second time):
    qint64 supersededCalls = 0;          // call-level records' calls
    NanoUsd supersededRecordedCost = 0;  // ... and their cost
    NanoUsd supersededUsageCost = 0;     // usage report lines on days a cost report covers
    bool anySuperseded() const
    {
        return supersededCalls != 0 || supersededRecordedCost != 0 || supersededUsageCost != 0;
    }
    bool fromReports() const { return usageReportCost != 0 || costReportCost != 0; }
};

struct Breakdown
{
    QList<Dimension> groupBy;
    QList<BreakdownRow> rows; // by cost, highest first (ties by calls, then name)
    Aggregate totals;         // over every matching call, not only the top N
    int omittedRows = 0;      // rows cut by topN
    Aggregate omitted;        // the sums of those rows (totals = rows + omitted; latency buckets too)
    SpendSources sources;     // where totals.cost comes from, and what the rule left out
    // When grouped by key: the user's labels of the identities (KeyLabels), identity -> label; an
    // identity without a label is absent.
    QHash<QString, QString> keyLabels;
};

struct TimeSeriesQuery
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    Granularity granularity = Granularity::Day;
    QTimeZone zone = QTimeZone::systemTimeZone();
    std::optional<Dimension> stackBy = Dimension::Model; // Endpoint, Model, Key or Provider; nullopt: one series
    Filter filter;
    int maxSeries = 8; // the rest is summed into "Other"
};

struct TimeSeries
{
    QList<qint64> bucketStartsUs;
    QStringList bucketLabels;
    QStringList seriesNames;       // highest total first; "Other" last when present
    QList<QList<NanoUsd>> cost;    // [series][bucket]
    QList<qint64> callsPerBucket;  // all series
    QList<NanoUsd> costPerBucket;  // all series
    bool fromRawRows = false;      // true when the zone is not whole-hour aligned
};

struct ParetoPoint
{
    QString name;
    NanoUsd cost = 0;
    double cumulativeShare = 0;
};

// How few endpoints (or other groups) carry 80% of the cost.
struct Pareto
{
    QList<ParetoPoint> points; // by cost, highest first
    int countFor80 = 0;        // smallest number of groups whose cost reaches 80% of the total
    NanoUsd total = 0;
};

struct UnpricedModel
{
    QString provider;
    QString model;
    qint64 calls = 0;
};

struct RecordQuery
{
    qint64 fromUs = 0;
    qint64 toUs = 0;
    Filter filter;
    int limit = 1000; // newest first
};

// Spend is counted once: breakdowns, time series and the unpriced-model list count, per provider and
// UTC day, only one kind of record (a provider's cost report, else its usage report, else the records
// TokenLedger made itself); SpendCoverage.h has the rule and why. records()/forEachRecord() list every
// record. Provider report lines are not in the rollups (schema v12) and are read from the raw rows.
// Synchronous queries over an open ledger connection. Breakdowns read whole UTC weeks, days and hours
// from the weekly, daily and hourly rollups and partial hours from the raw rows (an edge longer than half
// a period as the whole period minus the rest); time series read days and hours (RollupPeriods.h). So
// they are exact for any range and cost the same over ten million records as over ten thousand.
// Thread affinity: the thread that owns `db`. Errors: Database with SQLite's message.
namespace LedgerQueries {
Result<Breakdown> breakdown(QSqlDatabase &db, const BreakdownQuery &query);
Result<TimeSeries> timeSeries(QSqlDatabase &db, const TimeSeriesQuery &query);
Pareto pareto(const Breakdown &byOneDimension);
Result<QList<UnpricedModel>> unpricedModels(QSqlDatabase &db, qint64 fromUs, qint64 toUs);
Result<QList<CallRecord>> records(QSqlDatabase &db, const RecordQuery &query);
// Streams every record in [fromUs, toUs) in time order to `sink`; stops early when sink returns false.
Result<qint64> forEachRecord(QSqlDatabase &db, qint64 fromUs, qint64 toUs,
                             const std::function<bool(const CallRecord &)> &sink);
// First and last started_at_us in the ledger; {0, 0} when empty.
Result<std::pair<qint64, qint64>> timeSpan(QSqlDatabase &db);
// Recomputes the rollup tables (hourly, daily, weekly) from the raw rows (for checks and after re-pricing).
Result<void> rebuildRollups(QSqlDatabase &db);
// The same for the UTC days that [fromUs, toUs) touches only (after replacing those days' records);
// the other days' rollups are left as they are. Errors: Database.
Result<void> rebuildRollups(QSqlDatabase &db, qint64 fromUs, qint64 toUs);
} // namespace LedgerQueries

} // namespace tl
