#include "LedgerQueries.h"

#include "common/Logging.h"
#include "ledger/KeyLabels.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/RollupPeriods.h"
#include "ledger/UsageColumns.h"
#include "query/Labels.h"
#include "query/SpendCoverage.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <optional>
#include <array>
#include <cmath>
#include <limits>
#include <map>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

// `filter` narrowed to `provider` (the call-level records a provider report supersedes), or nothing when
// the filter names another provider.
std::optional<Filter> narrowedToProvider(const Filter &filter, const QString &provider)
{
    if (!filter.provider.isEmpty() && filter.provider != provider)
        return std::nullopt;
    Filter f = filter;
    f.provider = provider;
    return f;
}

using RollupPeriods::floorTo;
using RollupPeriods::kUsPerHour;
constexpr qint64 kUsPerQuarterHour = 900'000'000LL;

std::unexpected<Error> dbError(const QSqlQuery &q)
{
    qCWarning(lcQuery) << "query failed:" << q.lastError().text();
    return fail(ErrorCode::Database, QObject::tr("Ledger query failed: %1").arg(q.lastError().text()));
}

// Column names for a dimension in the rollup and in the raw table; fixed strings, never user input.
QString rollupColumn(Dimension d)
{
    switch (d) {
    case Dimension::Endpoint:
        return u"endpoint_id"_s;
    case Dimension::Model:
        return u"model_id"_s;
    case Dimension::Key:
        return u"key_id"_s;
    case Dimension::Provider:
        return u"provider_id"_s;
    case Dimension::Batch:
        return u"batch"_s;
    case Dimension::Tag:
        break;
    }
    return {};
}

QString rawColumn(Dimension d)
{
    switch (d) {
    case Dimension::Model:
        return u"served_model_id"_s;
    case Dimension::Tag:
        return u"tags"_s;
    default:
        return rollupColumn(d);
    }
}

// WHERE clause for a filter, with its bound values. `raw` selects the raw-table column names.
struct Where
{
    QString sql;
    QVariantList values;
    bool impossible = false; // a filter names a label that does not exist: nothing can match
};

Where filterClause(const Filter &f, const Labels &labels, bool raw)
{
    Where w;
    auto addEq = [&](const QString &name, Labels::Kind kind, const QString &column) {
        if (name.isEmpty())
            return;
        const qint64 id = labels.id(kind, name);
        if (id < 0)
            w.impossible = true;
        w.sql += u" AND "_s + column + u" = ?"_s;
        w.values << id;
    };
    addEq(f.endpoint, Labels::Endpoint, u"endpoint_id"_s);
    addEq(f.model, Labels::Model, raw ? u"served_model_id"_s : u"model_id"_s);
    addEq(f.key, Labels::Key, u"key_id"_s);
    addEq(f.provider, Labels::Provider, u"provider_id"_s);
    return w;
}

// Filter-box text: endpoints or models whose name contains the text.
void appendTextClause(Where &w, const Filter &f, QSqlDatabase &db, bool raw)
{
    if (f.text.isEmpty())
        return;
    QSqlQuery q(db);
    q.prepare(u"SELECT id, kind FROM labels WHERE kind IN (1, 3) AND instr(lower(name), lower(?)) > 0"_s);
    q.addBindValue(f.text);
    q.exec();
    QStringList endpointMarks, modelMarks;
    QVariantList endpointIds, modelIds;
    while (q.next()) {
        if (q.value(1).toInt() == Labels::Endpoint) {
            endpointMarks << u"?"_s;
            endpointIds << q.value(0);
        } else {
            modelMarks << u"?"_s;
            modelIds << q.value(0);
        }
    }
    if (endpointIds.isEmpty() && modelIds.isEmpty()) {
        w.impossible = true;
        return;
    }
    QStringList parts;
    if (!endpointIds.isEmpty())
        parts << u"endpoint_id IN ("_s + endpointMarks.join(u", "_s) + u')';
    if (!modelIds.isEmpty())
        parts << (raw ? u"served_model_id IN ("_s : u"model_id IN ("_s) + modelMarks.join(u", "_s) + u')';
    w.sql += u" AND ("_s + parts.join(u" OR "_s) + u')';
    w.values << endpointIds << modelIds;
}

Where buildWhere(const Filter &f, const Labels &labels, QSqlDatabase &db, bool raw)
{
    Where w = filterClause(f, labels, raw);
    appendTextClause(w, f, db, raw);
    return w;
}

// Raw-row equivalents of the rollup columns, in rollup column order (rebuildRollups); each must compute
// exactly what LedgerWriter adds.
const QString kRawMetrics = uR"(SUM(call_count), SUM(prompt_tokens), SUM(cached_tokens),
    SUM(cache_write_5m_tokens + cache_write_1h_tokens), SUM(completion_tokens), SUM(reasoning_tokens),
    SUM(COALESCE(cost_nano, 0)), SUM((cost_nano IS NULL) * call_count), SUM((cost_status = 1) * call_count),
    SUM(saved_nano), SUM((cache_outcome IN (2, 3)) * call_count),
    SUM((http_status >= 400 OR error_kind <> '') * call_count), SUM(latency_us >= 0), SUM(MAX(latency_us, 0)))"_s;

// What a breakdown reads: the rollup columns (or their raw equivalents), then the Batch API calls,
// cost and saved cost (a batch record's saved_nano is its discount, list - batch cost), which
// readMetrics() takes out of `saved` so that `saved` stays the cache saving.
const QString kRollupMetrics = uR"(SUM(calls), SUM(prompt_tokens), SUM(cached_tokens), SUM(cache_write_tokens),
    SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_nano), SUM(unpriced_calls), SUM(estimated_calls),
    SUM(saved_nano), SUM(cache_hits), SUM(error_calls), SUM(latency_calls), SUM(latency_sum_us),
    SUM(calls * batch), SUM(cost_nano * batch), SUM(saved_nano * batch))"_s;
const QString kRawQueryMetrics
    = kRawMetrics + u", SUM(call_count * batch), SUM(COALESCE(cost_nano, 0) * batch), SUM(saved_nano * batch)"_s;

constexpr int kRawQueryMetricCount = 17; // columns of kRawQueryMetrics (and kRollupMetrics)

// Adds (sign 1) or takes away (sign -1: the complement of an edge, see cover()) one row of metrics.
void readMetrics(const QSqlQuery &q, int first, Aggregate &a, int sign = 1)
{
    int i = first;
    a.calls += q.value(i++).toLongLong() * sign;
    a.promptTokens += q.value(i++).toLongLong() * sign;
    a.cachedTokens += q.value(i++).toLongLong() * sign;
    a.cacheWriteTokens += q.value(i++).toLongLong() * sign;
    a.completionTokens += q.value(i++).toLongLong() * sign;
    a.reasoningTokens += q.value(i++).toLongLong() * sign;
    const NanoUsd cost = q.value(i++).toLongLong() * sign;
    a.cost += cost;
    a.callsCost += cost; // call-level rows stand for calls; the report pass sets its own
    a.unpricedCalls += q.value(i++).toLongLong() * sign;
    a.estimatedCalls += q.value(i++).toLongLong() * sign;
    a.saved += q.value(i++).toLongLong() * sign;
    a.cacheHits += q.value(i++).toLongLong() * sign;
    a.errorCalls += q.value(i++).toLongLong() * sign;
    a.latencyCalls += q.value(i++).toLongLong() * sign;
    a.latencySumUs += q.value(i++).toLongLong() * sign;
    a.batchCalls += q.value(i++).toLongLong() * sign;
    a.batchCost += q.value(i++).toLongLong() * sign;
    const qint64 batchSaved = q.value(i++).toLongLong() * sign;
    a.batchSaved += batchSaved;
    a.saved -= batchSaved; // `saved` above summed every saved_nano: keep the cache saving only
}

void addBucket(Aggregate &a, int bucket, qint64 count)
{
    if (a.latencyBuckets.empty())
        a.latencyBuckets.assign(LatencyHistogram::kBuckets, 0);
    a.latencyBuckets[size_t(qBound(0, bucket, LatencyHistogram::kBuckets - 1))] += count;
}

bool execWith(QSqlQuery &q, const QString &sql, const QVariantList &values)
{
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return false;
    for (const QVariant &v : values)
        q.addBindValue(v);
    return q.exec();
}

using GroupKey = QList<qint64>; // label ids (or batch flag) per dimension; tags use a separate map

using RollupPeriods::kUsPerDay;
using RollupPeriods::kUsPerWeek;

enum class Level { Raw, Hour, Day, Week };

struct Range
{
    qint64 from;
    qint64 to;
    bool rollup; // Hour, Day or Week
    Level level = Level::Raw;
    int sign = 1; // -1: rows to take away from a rollup period read whole (an edge's complement)

    QString table() const
    {
        switch (level) {
        case Level::Week: return u"rollup_week"_s;
        case Level::Day: return u"rollup_day"_s;
        case Level::Hour: return u"rollup_hour"_s;
        case Level::Raw: break;
        }
        return u"calls"_s;
    }
    QString latencyTable() const
    {
        return level == Level::Week ? u"rollup_latency_hist_week"_s
            : level == Level::Day   ? u"rollup_latency_hist_day"_s
                                    : u"rollup_latency_hist_hour"_s;
    }
    QString timeColumn() const
    {
        switch (level) {
        case Level::Week: return u"week_us"_s;
        case Level::Day: return u"day_us"_s;
        case Level::Hour: return u"hour_us"_s;
        case Level::Raw: break;
        }
        return u"started_at_us"_s;
    }
};

qint64 stepOf(Level level)
{
    return level == Level::Week ? kUsPerWeek : level == Level::Day ? kUsPerDay : kUsPerHour;
}
qint64 offsetOf(Level level) { return level == Level::Week ? RollupPeriods::kWeekOffsetUs : 0; }

// Covers [from, to) with `sign`: whole periods of `level` from its rollup table, the partial periods at
// both ends with the next finer level, down to raw rows for partial hours. With `complement` (sums that
// can be taken apart: breakdowns without tags), an edge longer than half a period is read as its whole
// period minus the rest of it (covered the same way with the opposite sign), so no level reads more than
// half a period at either end: a 90-day range reads ~13 weeks, at most 3.5 days, 12 hours and 30 minutes
// of raw rows per end. Integer sums (and histogram counts), so the result is exact.
void cover(qint64 from, qint64 to, Level level, int sign, bool complement, QList<Range> &ranges)
{
    if (to <= from)
        return;
    if (level == Level::Raw) {
        ranges.append({from, to, false, Level::Raw, sign});
        return;
    }
    const Level finer = Level(int(level) - 1);
    const qint64 step = stepOf(level);
    const qint64 p0 = RollupPeriods::ceilTo(from, step, offsetOf(level));
    const qint64 p1 = RollupPeriods::floorTo(to, step, offsetOf(level));
    if (p0 > p1) { // inside one period
        cover(from, to, finer, sign, complement, ranges);
        return;
    }
    if (from < p0) {
        if (complement && 2 * (p0 - from) > step) {
            ranges.append({p0 - step, p0, true, level, sign});
            cover(p0 - step, from, finer, -sign, complement, ranges);
        } else {
            cover(from, p0, finer, sign, complement, ranges);
        }
    }
    if (p0 < p1)
        ranges.append({p0, p1, true, level, sign});
    if (p1 < to) {
        if (complement && 2 * (to - p1) > step) {
            ranges.append({p1, p1 + step, true, level, sign});
            cover(to, p1 + step, finer, -sign, complement, ranges);
        } else {
            cover(p1, to, finer, sign, complement, ranges);
        }
    }
}

// The ranges for [from, to) starting at `top` (Hour: hourly rollups and raw rows only). The range is first
// clamped to +-2^62 us (+-146,000 years): callers pass INT64_MAX for "no end", and a period rounded past it
// would overflow.
QList<Range> splitRange(qint64 from, qint64 to, Level top, bool complement = false)
{
    constexpr qint64 kLimit = qint64(1) << 62;
    QList<Range> ranges;
    cover(std::max(from, -kLimit), std::min(to, kLimit), top, 1, complement, ranges);
    return ranges;
}

} // namespace

QString toString(Dimension d)
{
    switch (d) {
    case Dimension::Endpoint:
        return u"endpoint"_s;
    case Dimension::Model:
        return u"model"_s;
    case Dimension::Key:
        return u"key"_s;
    case Dimension::Provider:
        return u"provider"_s;
    case Dimension::Batch:
        return u"batch"_s;
    case Dimension::Tag:
        return u"tag"_s;
    }
    return {};
}

bool dimensionFromString(QStringView text, Dimension *out)
{
    for (Dimension d : {Dimension::Endpoint, Dimension::Model, Dimension::Key, Dimension::Provider, Dimension::Batch,
                        Dimension::Tag}) {
        if (text == toString(d)) {
            *out = d;
            return true;
        }
    }
    return false;
}

void Aggregate::add(const Aggregate &o)
{
    calls += o.calls;
    promptTokens += o.promptTokens;
    cachedTokens += o.cachedTokens;
    cacheWriteTokens += o.cacheWriteTokens;
    completionTokens += o.completionTokens;
    reasoningTokens += o.reasoningTokens;
    cost += o.cost;
    callsCost += o.callsCost;
    unpricedCalls += o.unpricedCalls;
    estimatedCalls += o.estimatedCalls;
    estimatedLines += o.estimatedLines;
    unpricedLines += o.unpricedLines;
    saved += o.saved;
    batchCalls += o.batchCalls;
    batchCost += o.batchCost;
    batchSaved += o.batchSaved;
    cacheHits += o.cacheHits;
    errorCalls += o.errorCalls;
    latencyCalls += o.latencyCalls;
    latencySumUs += o.latencySumUs;
    if (!o.latencyBuckets.empty()) {
        if (latencyBuckets.empty())
            latencyBuckets.assign(LatencyHistogram::kBuckets, 0);
        for (size_t i = 0; i < latencyBuckets.size(); ++i)
            latencyBuckets[i] += o.latencyBuckets[i];
    }
}

QString costStatusName(const Aggregate &a)
{
    if (a.allUnpriced())
        return u"unpriced"_s;
    QStringList parts;
    if (a.anyEstimated())
        parts << (a.estimatedLines == 0 && a.calls > 0 && a.estimatedCalls >= a.pricedCalls() ? u"estimated"_s
                                                                                             : u"partly estimated"_s);
    if (a.anyUnpriced())
        parts << u"partly unpriced"_s;
    return parts.isEmpty() ? u"exact"_s : parts.join(u"; "_s);
}

bool Aggregate::isEmpty() const
{
    return calls == 0 && promptTokens == 0 && cachedTokens == 0 && cacheWriteTokens == 0 && completionTokens == 0
        && reasoningTokens == 0 && cost == 0 && unpricedCalls == 0 && estimatedCalls == 0 && estimatedLines == 0
        && unpricedLines == 0 && saved == 0
        && batchCalls == 0 && batchCost == 0 && batchSaved == 0 && cacheHits == 0 && errorCalls == 0
        && latencyCalls == 0 && latencySumUs == 0;
}

qint64 Aggregate::p95LatencyUs() const
{
    if (latencyBuckets.empty())
        return -1;
    return LatencyHistogram::percentileWithinSamplesUs(latencyBuckets.data(), 0.95, latencySumUs, latencyCalls);
}

namespace {
// A call's comma-joined tags, one group each; a call without tags is in the "untagged" group, the name
// the writer gives a call without an endpoint.
QStringList splitTags(const QString &joined)
{
    QStringList tags = joined.split(u',', Qt::SkipEmptyParts);
    if (tags.isEmpty())
        tags << u"untagged"_s;
    return tags;
}
} // namespace

namespace LedgerQueries {

Result<Breakdown> breakdown(QSqlDatabase &db, const BreakdownQuery &query)
{
    const Labels labels = Labels::load(db);
    Breakdown result;
    result.groupBy = query.groupBy;
    if (query.groupBy.contains(Dimension::Key)) {
        auto keyLabels = KeyLabels::load(db);
        if (!keyLabels)
            return std::unexpected(keyLabels.error());
        result.keyLabels = std::move(*keyLabels);
    }
    const bool byTag = query.groupBy.contains(Dimension::Tag);
    // The latency histogram rollups are keyed by endpoint, model and key only: a grouping or a filter on
    // anything else (provider, batch, tag) reads latencies from the raw rows.
    const bool groupsByRollupLatency = std::all_of(query.groupBy.begin(), query.groupBy.end(), [](Dimension d) {
        return d == Dimension::Endpoint || d == Dimension::Model || d == Dimension::Key;
    });

    std::map<QStringList, Aggregate> groups; // keyed by display names
    auto keyNames = [&](const QSqlQuery &q) {
        QStringList names;
        for (int i = 0; i < query.groupBy.size(); ++i) {
            const Dimension d = query.groupBy[i];
            if (d == Dimension::Batch)
                names << (q.value(i).toInt() ? u"batch"_s : u"realtime"_s);
            else if (d == Dimension::Tag)
                names << q.value(i).toString();
            else
                names << labels.name(q.value(i).toLongLong());
        }
        return names;
    };

    // One pass over the call-level records (proxy, batch jobs, imported files: rollups, and raw rows
    // without provider report lines) of [from, to) matching `filter`, added with `passSign` (-1: the
    // records a provider report supersedes, taken out again; see SpendSources).
    auto callLevelPass = [&](const Filter &filter, qint64 from, qint64 to, int passSign,
                             bool mayComplement) -> Result<void> {
        const bool latencyByRollup = filter.provider.isEmpty() && groupsByRollupLatency;
        // Complements need every sum, the latency histogram included, to come from the hourly rollups.
        for (Range range : splitRange(from, to, byTag ? Level::Hour : Level::Week,
                                              mayComplement && !byTag && latencyByRollup)) {
            range.sign *= passSign;
            const bool rollup = range.rollup && !byTag;
            Where where = buildWhere(filter, labels, db, !rollup);
            if (where.impossible)
                break;
            if (!rollup)
                where.sql += SpendCoverage::kCallLevelRowsSql; // the rollups hold call-level records only
            QStringList cols;
            for (Dimension d : query.groupBy)
                cols << (rollup ? rollupColumn(d) : rawColumn(d));
            const QString groupCols = cols.join(u", "_s);
            const QString select = groupCols.isEmpty() ? QString() : groupCols + u", "_s;
            const QString groupBy = groupCols.isEmpty() ? QString() : u" GROUP BY "_s + groupCols;
            const QString table = rollup ? range.table() : u"calls"_s;
            const QString timeCol = rollup ? range.timeColumn() : u"started_at_us"_s;
            const QString sql = u"SELECT "_s + select + (rollup ? kRollupMetrics : kRawQueryMetrics) + u" FROM "_s + table
                + u" WHERE "_s + timeCol + u" >= ? AND "_s + timeCol + u" < ?"_s + where.sql + groupBy;
            QSqlQuery q(db);
            if (!execWith(q, sql, QVariantList{range.from, range.to} + where.values))
                return dbError(q);
            while (q.next()) {
                const QStringList names = keyNames(q);
                if (byTag) {
                    // Split the comma-joined tags: one group per tag.
                    const int tagIndex = int(query.groupBy.indexOf(Dimension::Tag));
                    for (const QString &tag : splitTags(names[tagIndex])) {
                        QStringList k = names;
                        k[tagIndex] = tag;
                        readMetrics(q, int(query.groupBy.size()), groups[k], range.sign);
                    }
                } else {
                    readMetrics(q, int(query.groupBy.size()), groups[names], range.sign);
                    // Without tags the groups partition the calls: the totals are their sum.
                    readMetrics(q, int(query.groupBy.size()), result.totals, range.sign);
                }
            }
            if (byTag) {
                // Totals: tags can double count, so totals come from an ungrouped query.
                QSqlQuery t(db);
                const QString totalSql = u"SELECT "_s + (rollup ? kRollupMetrics : kRawQueryMetrics) + u" FROM "_s + table
                    + u" WHERE "_s + timeCol + u" >= ? AND "_s + timeCol + u" < ?"_s + where.sql;
                if (!execWith(t, totalSql, QVariantList{range.from, range.to} + where.values))
                    return dbError(t);
                if (t.next())
                    readMetrics(t, 0, result.totals, range.sign);
            }

            // Latency histograms (by tag: from the raw rows, whose tags are split as above).
            if (rollup && latencyByRollup) {
                QSqlQuery l(db);
                // One encoded histogram per (period, endpoint, model, key); SQLite joins a group's histograms
                // with ',' (itself a valid encoding: repeated buckets add up) and they are summed here.
                const QString lsql = u"SELECT "_s + select + u"group_concat(counts) FROM "_s + range.latencyTable()
                    + u" WHERE "_s + timeCol + u" >= ? AND "_s + timeCol + u" < ?"_s + where.sql + groupBy;
                if (!execWith(l, lsql, QVariantList{range.from, range.to} + where.values))
                    return dbError(l);
                const int n = int(query.groupBy.size());
                std::array<qint64, LatencyHistogram::kBuckets> counts;
                while (l.next()) {
                    counts.fill(0);
                    const QByteArray text = l.value(n).toString().toLatin1();
                    if (!LatencyHistogram::addEncoded(text.constData(), text.size(), counts.data()))
                        qCWarning(lcQuery) << "malformed latency histogram in" << range.latencyTable();
                    Aggregate &group = groups[keyNames(l)];
                    for (int b = 0; b < LatencyHistogram::kBuckets; ++b) {
                        if (counts[size_t(b)] != 0) {
                            addBucket(group, b, range.sign * counts[size_t(b)]);
                            addBucket(result.totals, b, range.sign * counts[size_t(b)]);
                        }
                    }
                }
            } else {
                // Raw rows: a raw range, or a rollup range whose grouping or filter (provider, batch) the
                // latency histogram rollups do not have (slower, but the p95 stays exact).
                QString rawSelect = select;
                Where rawWhere = where;
                if (rollup) {
                    QStringList rawCols;
                    for (Dimension d : query.groupBy)
                        rawCols << rawColumn(d);
                    rawSelect = rawCols.isEmpty() ? QString() : rawCols.join(u", "_s) + u", "_s;
                    rawWhere = buildWhere(filter, labels, db, true);
                    rawWhere.sql += SpendCoverage::kCallLevelRowsSql;
                }
                QSqlQuery l(db);
                const QString lsql = u"SELECT "_s + rawSelect + u"latency_us FROM calls WHERE started_at_us >= ? AND "
                                                                u"started_at_us < ? AND latency_us >= 0"_s
                    + rawWhere.sql;
                if (!execWith(l, lsql, QVariantList{range.from, range.to} + rawWhere.values))
                    return dbError(l);
                const int n = int(query.groupBy.size());
                const int tagIndex = int(query.groupBy.indexOf(Dimension::Tag));
                while (l.next()) {
                    const int bucket = LatencyHistogram::bucketOf(l.value(n).toLongLong());
                    const QStringList names = keyNames(l);
                    if (tagIndex >= 0) {
                        for (const QString &tag : splitTags(names[tagIndex])) {
                            QStringList k = names;
                            k[tagIndex] = tag;
                            addBucket(groups[k], bucket, range.sign);
                        }
                    } else {
                        addBucket(groups[names], bucket, range.sign);
                    }
                    addBucket(result.totals, bucket, range.sign);
                }
            }
        }
        return {};
    };

    const auto coverage = SpendCoverage::load(db, query.fromUs, query.toUs);
    if (!coverage)
        return std::unexpected(coverage.error());
    if (auto r = callLevelPass(query.filter, query.fromUs, query.toUs, 1, true); !r)
        return std::unexpected(r.error());
    // Call-level records on a provider's days that a provider report covers: taken out (the report counts).
    const Aggregate beforeSuperseded = result.totals;
    if (auto r = coverage->forEachSuperseded(query.fromUs, query.toUs, [&](qint64 providerId, qint64 from, qint64 to) {
            const auto f = narrowedToProvider(query.filter, labels.name(providerId));
            return f ? callLevelPass(*f, from, to, -1, false) : Result<void>{};
        });
        !r)
        return std::unexpected(r.error());
    result.sources.supersededCalls = beforeSuperseded.calls - result.totals.calls;
    result.sources.supersededRecordedCost = beforeSuperseded.cost - result.totals.cost;
    result.sources.recordedCost = result.totals.cost;

    // Provider report lines (raw rows: few), each counted only when its kind is the one that counts for
    // its provider and day.
    {
        const Where where = buildWhere(query.filter, labels, db, true);
        if (!where.impossible) {
            QStringList cols;
            for (Dimension d : query.groupBy)
                cols << rawColumn(d);
            const QString select = cols.isEmpty() ? QString() : cols.join(u", "_s) + u", "_s;
            const QString sql = u"SELECT "_s + select + u"provider_id, "_s + SpendCoverage::kDaySql + u", "_s
                + SpendCoverage::kRankSql + u", "_s + kRawQueryMetrics
                + u", SUM(COALESCE(cost_nano, 0) * (call_count > 0)), SUM((cost_status = 1) * (call_count = 0)), "
                  u"SUM((cost_nano IS NULL) * (call_count = 0)) FROM calls WHERE "_s
                + SpendCoverage::kReportRowsSql + u" AND started_at_us >= ? AND started_at_us < ?"_s + where.sql
                + u" GROUP BY "_s + select + u"provider_id, "_s + QString::number(cols.size() + 2) + u", "_s
                + QString::number(cols.size() + 3);
            QSqlQuery q(db);
            if (!execWith(q, sql, QVariantList{query.fromUs, query.toUs} + where.values))
                return dbError(q);
            const int n = int(query.groupBy.size());
            while (q.next()) {
                const int rank = q.value(n + 2).toInt();
                Aggregate line;
                readMetrics(q, n + 3, line);
                line.callsCost = q.value(n + 3 + kRawQueryMetricCount).toLongLong();
                line.estimatedLines = q.value(n + 4 + kRawQueryMetricCount).toLongLong();
                line.unpricedLines = q.value(n + 5 + kRawQueryMetricCount).toLongLong();
                if (rank < coverage->rankOf(q.value(n).toLongLong(), q.value(n + 1).toLongLong())) {
                    result.sources.supersededUsageCost += line.cost;
                    continue;
                }
                (rank == SpendCoverage::kCostReport ? result.sources.costReportCost : result.sources.usageReportCost)
                    += line.cost;
                const QStringList names = keyNames(q);
                const int tagIndex = int(query.groupBy.indexOf(Dimension::Tag));
                if (tagIndex >= 0) {
                    for (const QString &tag : splitTags(names[tagIndex])) {
                        QStringList k = names;
                        k[tagIndex] = tag;
                        groups[k].add(line);
                    }
                } else {
                    groups[names].add(line);
                }
                result.totals.add(line);
            }
        }
    }

    for (auto &[names, agg] : groups) {
        // A group is a row when it holds anything the totals hold: a provider report line stands for
        // no calls (call_count 0: Anthropic usage lines, every cost line) yet carries tokens and cost.
        // Only groups whose every sum is zero (e.g. a complement that cancelled out) are left out, so
        // the rows always add up to the totals.
        if (agg.isEmpty())
            continue;
        result.rows.append(BreakdownRow{names, agg, 0, 0});
    }
    std::sort(result.rows.begin(), result.rows.end(), [](const BreakdownRow &a, const BreakdownRow &b) {
        if (a.agg.cost != b.agg.cost)
            return a.agg.cost > b.agg.cost;
        if (a.agg.calls != b.agg.calls)
            return a.agg.calls > b.agg.calls;
        return a.keys < b.keys;
    });
    NanoUsd running = 0;
    NanoUsd sumOfRows = 0;
    for (const BreakdownRow &row : std::as_const(result.rows))
        sumOfRows += row.agg.cost;
    for (BreakdownRow &row : result.rows) {
        running += row.agg.cost;
        row.share = sumOfRows ? double(row.agg.cost) / double(sumOfRows) : 0;
        row.cumulativeShare = sumOfRows ? double(running) / double(sumOfRows) : 0;
    }
    if (query.topN > 0 && result.rows.size() > query.topN) {
        result.omittedRows = int(result.rows.size()) - query.topN;
        for (qsizetype i = query.topN; i < result.rows.size(); ++i)
            result.omitted.add(result.rows[i].agg);
        result.rows.resize(query.topN);
    }
    return result;
}

Result<TimeSeries> timeSeries(QSqlDatabase &db, const TimeSeriesQuery &query)
{
    const Labels labels = Labels::load(db);
    TimeSeries ts;
    ts.bucketStartsUs = TimeZoneBuckets::starts(query.granularity, query.zone, query.fromUs, query.toUs);
    for (qint64 s : std::as_const(ts.bucketStartsUs))
        ts.bucketLabels << TimeZoneBuckets::label(query.granularity, query.zone, s);
    const int nBuckets = int(ts.bucketStartsUs.size());
    ts.callsPerBucket.fill(0, nBuckets);
    ts.costPerBucket.fill(0, nBuckets);
    if (nBuckets == 0)
        return ts;
    ts.fromRawRows = !TimeZoneBuckets::alignedToUtcHours(ts.bucketStartsUs);

    auto bucketIndex = [&](qint64 us) {
        auto it = std::upper_bound(ts.bucketStartsUs.begin(), ts.bucketStartsUs.end(), us);
        return int(it - ts.bucketStartsUs.begin()) - 1;
    };

    std::map<QString, QList<NanoUsd>> perSeries;
    std::map<QString, NanoUsd> seriesTotal;
    const QString seriesOne = QObject::tr("All");

    auto seriesName = [&](const QSqlQuery &q) {
        if (!query.stackBy)
            return seriesOne;
        if (*query.stackBy == Dimension::Batch)
            return q.value(1).toInt() ? u"batch"_s : u"realtime"_s;
        return labels.name(q.value(1).toLongLong());
    };
    // Adds `cost` and `calls` of one series to bucket b (sign -1 takes them out again).
    auto add = [&](const QString &name, int b, NanoUsd cost, qint64 calls, int sign) {
        auto &series = perSeries[name];
        if (series.isEmpty())
            series.fill(0, nBuckets);
        series[b] += sign * cost;
        seriesTotal[name] += sign * cost;
        ts.callsPerBucket[b] += sign * calls;
        ts.costPerBucket[b] += sign * cost;
    };

    // Day and week buckets read whole UTC days from the daily rollups, then move the hours of each UTC
    // day that belong to another local bucket (e.g. 23:00-24:00 UTC is the next day in Berlin in
    // winter) from the day's bucket to theirs, from the hourly rollups: integer sums, so exact. A 90-day
    // series reads ~90 x 2 hourly groups instead of 2,160.
    // One pass over the call-level records of [from, to) matching `filter`, added with `passSign` (-1: the
    // records a provider report supersedes, taken out again; SpendCoverage.h).
    auto callLevelPass = [&](const Filter &filter, qint64 from, qint64 to, int passSign) -> Result<void> {
        QList<Range> ranges;
        if (ts.fromRawRows)
            ranges.append({from, to, false});
        else
            ranges = splitRange(from, to, query.granularity != Granularity::Hour ? Level::Day : Level::Hour);

        for (const Range &range : ranges) {
            Where where = buildWhere(filter, labels, db, !range.rollup);
            if (where.impossible)
                break;
            if (!range.rollup)
                where.sql += SpendCoverage::kCallLevelRowsSql; // the rollups hold call-level records only
            const QString dimCol = query.stackBy
                ? (range.rollup ? rollupColumn(*query.stackBy) : rawColumn(*query.stackBy))
                : u"''"_s; // one series: a constant ("0" in GROUP BY would name result column 0, an error)
            const qint64 step = ts.fromRawRows ? kUsPerQuarterHour : kUsPerHour;
            QString sql;
            if (range.rollup) {
                const QString timeCol = range.timeColumn();
                sql = u"SELECT "_s + timeCol + u", "_s + dimCol + u", SUM(cost_nano), SUM(calls) FROM "_s + range.table()
                    + u" WHERE "_s + timeCol + u" >= ? AND "_s + timeCol + u" < ?"_s + where.sql + u" GROUP BY "_s + timeCol
                    + u", "_s + dimCol;
            } else {
                const QString slot = u"(started_at_us - ((started_at_us % %1) + %1) % %1)"_s.arg(step);
                sql = u"SELECT "_s + slot + u" AS slot, "_s + dimCol
                    + u", SUM(COALESCE(cost_nano, 0)), SUM(call_count) FROM calls WHERE started_at_us >= ? AND started_at_us < ?"_s
                    + where.sql + u" GROUP BY slot, "_s + dimCol;
            }
            QSqlQuery q(db);
            if (!execWith(q, sql, QVariantList{range.from, range.to} + where.values))
                return dbError(q);
            while (q.next()) {
                qint64 slot = q.value(0).toLongLong();
                // A raw partial hour at the start of the range floors below fromUs; it still belongs to
                // the first bucket, whose start is at or before fromUs.
                slot = std::max(slot, from);
                const int b = bucketIndex(slot);
                if (b < 0 || b >= nBuckets)
                    continue;
                add(seriesName(q), b, q.value(2).toLongLong(), q.value(3).toLongLong(), passSign);
            }
            if (range.level != Level::Day)
                continue;
            QVariantList movedHours;
            for (qint64 day = range.from; day < range.to; day += kUsPerDay) {
                const int dayBucket = bucketIndex(day);
                for (qint64 hour = day + kUsPerHour; hour < day + kUsPerDay; hour += kUsPerHour) {
                    if (bucketIndex(hour) != dayBucket)
                        movedHours << hour;
                }
            }
            constexpr int kChunk = 500; // bound parameters per statement
            for (qsizetype first = 0; first < movedHours.size(); first += kChunk) {
                const QVariantList chunk = movedHours.mid(first, kChunk);
                QStringList marks(chunk.size(), u"?"_s);
                const QString hoursSql = u"SELECT hour_us, "_s + dimCol + u", SUM(cost_nano), SUM(calls) FROM rollup_hour "
                                                                           u"WHERE hour_us IN ("_s
                    + marks.join(u", "_s) + u')' + where.sql + u" GROUP BY hour_us, "_s + dimCol;
                QSqlQuery h(db);
                if (!execWith(h, hoursSql, chunk + where.values))
                    return dbError(h);
                while (h.next()) {
                    const qint64 hour = h.value(0).toLongLong();
                    const int fromBucket = bucketIndex(floorTo(hour, kUsPerDay));
                    const int toBucket = bucketIndex(hour);
                    if (fromBucket < 0 || fromBucket >= nBuckets || toBucket < 0 || toBucket >= nBuckets)
                        continue;
                    const QString name = seriesName(h);
                    const NanoUsd cost = h.value(2).toLongLong();
                    const qint64 calls = h.value(3).toLongLong();
                    add(name, fromBucket, cost, calls, -passSign);
                    add(name, toBucket, cost, calls, passSign);
                }
            }
        }
        return {};
    };

    const auto coverage = SpendCoverage::load(db, query.fromUs, query.toUs);
    if (!coverage)
        return std::unexpected(coverage.error());
    if (auto r = callLevelPass(query.filter, query.fromUs, query.toUs, 1); !r)
        return std::unexpected(r.error());
    if (auto r = coverage->forEachSuperseded(query.fromUs, query.toUs, [&](qint64 providerId, qint64 from, qint64 to) {
            const auto f = narrowedToProvider(query.filter, labels.name(providerId));
            return f ? callLevelPass(*f, from, to, -1) : Result<void>{};
        });
        !r)
        return std::unexpected(r.error());
    // Provider report lines, raw, each where its kind is the one that counts for its provider and day.
    if (const Where where = buildWhere(query.filter, labels, db, true); !where.impossible) {
        const QString dimCol = query.stackBy ? rawColumn(*query.stackBy) : u"''"_s;
        const qint64 step = ts.fromRawRows ? kUsPerQuarterHour : kUsPerHour;
        const QString slot = u"(started_at_us - ((started_at_us % %1) + %1) % %1)"_s.arg(step);
        const QString sql = u"SELECT "_s + slot + u" AS slot, "_s + dimCol + u", provider_id, "_s
            + SpendCoverage::kDaySql + u", "_s + SpendCoverage::kRankSql
            + u", SUM(COALESCE(cost_nano, 0)), SUM(call_count) FROM calls WHERE "_s + SpendCoverage::kReportRowsSql
            + u" AND started_at_us >= ? AND started_at_us < ?"_s + where.sql + u" GROUP BY 1, 2, 3, 4, 5"_s;
        QSqlQuery q(db);
        if (!execWith(q, sql, QVariantList{query.fromUs, query.toUs} + where.values))
            return dbError(q);
        while (q.next()) {
            if (q.value(4).toInt() < coverage->rankOf(q.value(2).toLongLong(), q.value(3).toLongLong()))
                continue;
            const int b = bucketIndex(std::max(q.value(0).toLongLong(), query.fromUs));
            if (b < 0 || b >= nBuckets)
                continue;
            add(seriesName(q), b, q.value(5).toLongLong(), q.value(6).toLongLong(), 1);
        }
    }

    QList<std::pair<QString, NanoUsd>> order(seriesTotal.begin(), seriesTotal.end());
    std::sort(order.begin(), order.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    QList<NanoUsd> other(nBuckets, 0);
    bool hasOther = false;
    for (int i = 0; i < order.size(); ++i) {
        if (query.maxSeries > 0 && i >= query.maxSeries) {
            const auto &s = perSeries[order[i].first];
            for (int b = 0; b < nBuckets; ++b)
                other[b] += s[b];
            hasOther = true;
            continue;
        }
        ts.seriesNames << order[i].first;
        ts.cost << perSeries[order[i].first];
    }
    if (hasOther) {
        ts.seriesNames << QObject::tr("Other");
        ts.cost << other;
    }
    return ts;
}

Pareto pareto(const Breakdown &b)
{
    Pareto p;
    for (const BreakdownRow &row : b.rows)
        p.total += row.agg.cost;
    NanoUsd running = 0;
    for (const BreakdownRow &row : b.rows) {
        running += row.agg.cost;
        const double share = p.total ? double(running) / double(p.total) : 0;
        p.points.append({row.keys.join(u" · "_s), row.agg.cost, share});
        // Integer comparison so that exactly 80% counts: running * 5 >= total * 4.
        if (p.countFor80 == 0 && p.total > 0 && running * 5 >= p.total * 4)
            p.countFor80 = int(p.points.size());
    }
    return p;
}

Result<QList<UnpricedModel>> unpricedModels(QSqlDatabase &db, qint64 fromUs, qint64 toUs)
{
    const Labels labels = Labels::load(db);
    std::map<std::pair<qint64, qint64>, qint64> counts;
    // Call-level records of [from, to) (of one provider when providerId >= 0), added with passSign.
    auto callLevelPass = [&](qint64 from, qint64 to, qint64 providerId, int passSign) -> Result<void> {
        const QString providerSql = providerId >= 0 ? u" AND provider_id = ?"_s : QString();
        for (const Range &range : splitRange(from, to, Level::Week)) {
            QSqlQuery q(db);
            const QString sql = range.rollup
                ? QString(u"SELECT provider_id, model_id, SUM(unpriced_calls) FROM "_s + range.table() + u" WHERE "_s
                          + range.timeColumn() + u" >= ? AND "_s + range.timeColumn() + u" < ? AND unpriced_calls > 0"_s
                          + providerSql + u" GROUP BY provider_id, model_id"_s)
                : QString(u"SELECT provider_id, served_model_id, SUM(call_count) FROM calls WHERE started_at_us >= ? "
                          u"AND started_at_us < ? AND cost_nano IS NULL"_s
                          + SpendCoverage::kCallLevelRowsSql + providerSql + u" GROUP BY provider_id, served_model_id"_s);
            QVariantList values{range.from, range.to};
            if (providerId >= 0)
                values << providerId;
            if (!execWith(q, sql, values))
                return dbError(q);
            while (q.next())
                counts[{q.value(0).toLongLong(), q.value(1).toLongLong()}] += passSign * q.value(2).toLongLong();
        }
        return {};
    };
    const auto coverage = SpendCoverage::load(db, fromUs, toUs);
    if (!coverage)
        return std::unexpected(coverage.error());
    if (auto r = callLevelPass(fromUs, toUs, -1, 1); !r)
        return std::unexpected(r.error());
    if (auto r = coverage->forEachSuperseded(fromUs, toUs, [&](qint64 providerId, qint64 from, qint64 to) {
            return callLevelPass(from, to, providerId, -1);
        });
        !r)
        return std::unexpected(r.error());
    // Unpriced provider report lines where their kind counts. A usage line stands for call_count calls
    // (0 in Anthropic's report): the model is listed even then, so that it gets a price.
    std::map<std::pair<qint64, qint64>, bool> reportLines;
    {
        QSqlQuery q(db);
        const QString sql = u"SELECT provider_id, served_model_id, "_s + SpendCoverage::kDaySql + u", "_s
            + SpendCoverage::kRankSql + u", SUM(call_count) FROM calls WHERE "_s + SpendCoverage::kReportRowsSql
            + u" AND started_at_us >= ? AND started_at_us < ? AND cost_nano IS NULL GROUP BY 1, 2, 3, 4"_s;
        if (!execWith(q, sql, {fromUs, toUs}))
            return dbError(q);
        while (q.next()) {
            const qint64 provider = q.value(0).toLongLong();
            if (q.value(3).toInt() < coverage->rankOf(provider, q.value(2).toLongLong()))
                continue;
            counts[{provider, q.value(1).toLongLong()}] += q.value(4).toLongLong();
            reportLines[{provider, q.value(1).toLongLong()}] = true;
        }
    }
    for (auto it = counts.begin(); it != counts.end();) {
        if (it->second <= 0 && !reportLines.contains(it->first))
            it = counts.erase(it);
        else
            ++it;
    }
    QList<UnpricedModel> result;
    for (const auto &[ids, n] : counts)
        result.append({labels.name(ids.first), labels.name(ids.second), n});
    std::sort(result.begin(), result.end(), [](const UnpricedModel &a, const UnpricedModel &b) { return a.calls > b.calls; });
    return result;
}

namespace {
const QString kRecordColumns = u"id, started_at_us, endpoint_id, provider_id, requested_model_id, "
    u"served_model_id, key_id, tags, "_s + kUsageColumns + uR"(, usage_status, cost_nano, cost_status,
    price_entry, price_version, latency_us, ttft_us, http_status, error_kind, cache_outcome, saved_nano, batch, source_kind, source_ref, source_key, similarity, request_bytes, response_bytes, request_hash,
    prompt_chars, message_count, max_tokens, has_tools, task_type, call_count, truncated, web_search_requests,
    context_window, )"_s + kUsagePartColumns + u", "_s + kSavingsColumns;
const QString kRecordFrom = u" FROM calls LEFT JOIN call_savings ON call_savings.call_id = calls.id"_s;

CallRecord readRecord(const QSqlQuery &q, const Labels &labels)
{
    CallRecord r;
    int i = 0;
    r.id = q.value(i++).toLongLong();
    r.startedAtUs = q.value(i++).toLongLong();
    r.endpoint = labels.name(q.value(i++).toLongLong());
    r.provider = labels.name(q.value(i++).toLongLong());
    r.requestedModel = labels.name(q.value(i++).toLongLong());
    r.servedModel = labels.name(q.value(i++).toLongLong());
    r.keyId = labels.name(q.value(i++).toLongLong());
    r.tags = q.value(i++).toString().split(u',', Qt::SkipEmptyParts);
    r.usage = readUsage(q, i);
    r.usageStatus = UsageStatus(q.value(i++).toInt());
    const QVariant cost = q.value(i++);
    r.cost = cost.isNull() ? std::nullopt : std::optional<NanoUsd>(cost.toLongLong());
    r.costStatus = CostStatus(q.value(i++).toInt());
    r.priceEntry = q.value(i++).toString();
    r.priceVersion = q.value(i++).toString();
    r.latencyUs = q.value(i++).toLongLong();
    r.ttftUs = q.value(i++).toLongLong();
    r.httpStatus = q.value(i++).toInt();
    r.errorKind = q.value(i++).toString();
    r.cacheOutcome = CacheOutcome(q.value(i++).toInt());
    r.savedCost = q.value(i++).toLongLong();
    r.batch = q.value(i++).toInt() != 0;
    r.sourceKind = SourceKind(q.value(i++).toInt());
    r.sourceRef = q.value(i++).toString();
    r.sourceKey = q.value(i++).toString();
    r.similarity = q.value(i++).toDouble();
    r.requestBytes = q.value(i++).toLongLong();
    r.responseBytes = q.value(i++).toLongLong();
    r.requestHash = q.value(i++).toString();
    r.promptChars = q.value(i++).toLongLong();
    r.messageCount = q.value(i++).toInt();
    r.maxTokens = q.value(i++).toLongLong();
    r.hasTools = q.value(i++).toInt() != 0;
    r.taskType = q.value(i++).toString();
    r.callCount = q.value(i++).toLongLong();
    r.truncated = q.value(i++).toInt() != 0;
    r.usage.webSearchRequests = q.value(i++).toLongLong();
    r.contextWindow = q.value(i++).toString();
    readUsageParts(q, i, r.usage);
    r.savings = readSavingsTrace(q, i);
    return r;
}
} // namespace

Result<QList<CallRecord>> records(QSqlDatabase &db, const RecordQuery &query)
{
    const Labels labels = Labels::load(db);
    const Where where = buildWhere(query.filter, labels, db, true);
    QList<CallRecord> result;
    if (where.impossible)
        return result;
    QSqlQuery q(db);
    const QString sql = u"SELECT "_s + kRecordColumns
        + kRecordFrom + u" WHERE started_at_us >= ? AND started_at_us < ?"_s + where.sql
        + u" ORDER BY started_at_us DESC, id DESC LIMIT ?"_s;
    if (!execWith(q, sql, QVariantList{query.fromUs, query.toUs} + where.values + QVariantList{query.limit}))
        return dbError(q);
    while (q.next())
        result.append(readRecord(q, labels));
    return result;
}

Result<qint64> forEachRecord(QSqlDatabase &db, qint64 fromUs, qint64 toUs,
                             const std::function<bool(const CallRecord &)> &sink)
{
    const Labels labels = Labels::load(db);
    QSqlQuery q(db);
    const QString sql = u"SELECT "_s + kRecordColumns
        + kRecordFrom + u" WHERE started_at_us >= ? AND started_at_us < ? ORDER BY started_at_us, id"_s;
    if (!execWith(q, sql, {fromUs, toUs}))
        return dbError(q);
    qint64 n = 0;
    while (q.next()) {
        ++n;
        if (!sink(readRecord(q, labels)))
            break;
    }
    return n;
}

Result<std::pair<qint64, qint64>> timeSpan(QSqlDatabase &db)
{
    QSqlQuery q(db);
    // Two sub-selects: SQLite answers a lone MIN or MAX with one index seek, but MIN and MAX in one
    // SELECT scan the whole time index (2.75 s at 10M records, against 3 ms).
    if (!q.exec(u"SELECT (SELECT MIN(started_at_us) FROM calls), (SELECT MAX(started_at_us) FROM calls)"_s))
        return dbError(q);
    if (!q.next() || q.value(0).isNull())
        return std::pair<qint64, qint64>{0, 0};
    return std::pair<qint64, qint64>{q.value(0).toLongLong(), q.value(1).toLongLong()};
}

Result<void> rebuildRollups(QSqlDatabase &db)
{
    return rebuildRollups(db, std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2);
}

Result<void> rebuildRollups(QSqlDatabase &db, qint64 fromUs, qint64 toUs)
{
    // Whole UTC days, so the daily rollups of the range are rebuilt from complete hourly ones.
    const qint64 from = floorTo(fromUs, kUsPerDay);
    const qint64 to = floorTo(toUs - 1, kUsPerDay) + kUsPerDay;
    // Every statement binds the same range (:from inclusive, :to exclusive).
    auto prepared = [&](QSqlQuery &q, const QString &sql) {
        if (!q.prepare(sql))
            return false;
        q.bindValue(u":from"_s, from);
        q.bindValue(u":to"_s, to);
        return q.exec();
    };
    const QString hour = u"(started_at_us - ((started_at_us % 3600000000) + 3600000000) % 3600000000)"_s;
    const QString inRange = u" started_at_us >= :from AND started_at_us < :to"_s;
    const QStringList statements = {
        u"DELETE FROM rollup_hour WHERE hour_us >= :from AND hour_us < :to"_s,
        u"DELETE FROM rollup_latency_hist_hour WHERE hour_us >= :from AND hour_us < :to"_s,
        u"DELETE FROM rollup_latency_hist_day WHERE day_us >= :from AND day_us < :to"_s,
        u"INSERT INTO rollup_hour (hour_us, endpoint_id, model_id, key_id, provider_id, batch, calls, "
        u"prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens, reasoning_tokens, cost_nano, "
        u"unpriced_calls, estimated_calls, saved_nano, cache_hits, error_calls, latency_calls, latency_sum_us) "
        u"SELECT "_s + hour + u", endpoint_id, served_model_id, key_id, provider_id, batch, "_s + kRawMetrics
            + u" FROM calls WHERE"_s + inRange + SpendCoverage::kCallLevelRowsSql + u" GROUP BY 1, 2, 3, 4, 5, 6"_s,
    };
    for (const QString &sql : statements) {
        QSqlQuery q(db);
        if (!prepared(q, sql))
            return dbError(q);
    }
    // Latency buckets need the log mapping: computed here row by row.
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!prepared(q, u"SELECT "_s + hour + u", endpoint_id, served_model_id, key_id, latency_us FROM calls WHERE latency_us >= 0"_s
                      + SpendCoverage::kCallLevelRowsSql + u" AND"_s + inRange))
        return dbError(q);
    using HistKey = std::tuple<qint64, qint64, qint64, qint64>; // period, endpoint, model, key
    using Histogram = std::array<qint64, LatencyHistogram::kBuckets>;
    std::map<HistKey, Histogram> hours;
    auto addTo = [](std::map<HistKey, Histogram> &map, const HistKey &key) -> Histogram & {
        auto [it, added] = map.try_emplace(key);
        if (added)
            it->second.fill(0);
        return it->second;
    };
    while (q.next()) {
        addTo(hours, {q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                      q.value(3).toLongLong()})[size_t(LatencyHistogram::bucketOf(q.value(4).toLongLong()))] += 1;
    }
    std::map<HistKey, Histogram> days;
    for (const auto &[k, counts] : hours) {
        Histogram &day = addTo(days, {floorTo(std::get<0>(k), kUsPerDay), std::get<1>(k), std::get<2>(k), std::get<3>(k)});
        for (size_t b = 0; b < day.size(); ++b)
            day[b] += counts[b];
    }
    for (const auto &[table, rows] : {std::pair{u"rollup_latency_hist_hour (hour_us"_s, &hours},
                                     std::pair{u"rollup_latency_hist_day (day_us"_s, &days}}) {
        QSqlQuery ins(db);
        ins.prepare(u"INSERT INTO "_s + table + u", endpoint_id, model_id, key_id, counts) VALUES (?, ?, ?, ?, ?)"_s);
        for (const auto &[k, counts] : *rows) {
            ins.addBindValue(std::get<0>(k));
            ins.addBindValue(std::get<1>(k));
            ins.addBindValue(std::get<2>(k));
            ins.addBindValue(std::get<3>(k));
            ins.addBindValue(QString::fromLatin1(LatencyHistogram::encode(counts.data())));
            if (!ins.exec())
                return dbError(ins);
        }
    }
    // Daily rollups from the hourly ones.
    const QString day = u"(hour_us - ((hour_us % 86400000000) + 86400000000) % 86400000000)"_s;
    const QStringList dayStatements = {
        u"DELETE FROM rollup_day WHERE day_us >= :from AND day_us < :to"_s,
        u"INSERT INTO rollup_day SELECT "_s + day + uR"(, endpoint_id, model_id, key_id, provider_id, batch,
            SUM(calls), SUM(prompt_tokens), SUM(cached_tokens), SUM(cache_write_tokens), SUM(completion_tokens),
            SUM(reasoning_tokens), SUM(cost_nano), SUM(unpriced_calls), SUM(estimated_calls), SUM(saved_nano),
            SUM(cache_hits), SUM(error_calls), SUM(latency_calls), SUM(latency_sum_us)
            FROM rollup_hour WHERE hour_us >= :from AND hour_us < :to GROUP BY 1, 2, 3, 4, 5, 6)"_s,
    };
    for (const QString &sql : dayStatements) {
        QSqlQuery q2(db);
        if (!prepared(q2, sql))
            return dbError(q2);
    }
    // Weekly rollups (UTC weeks from Monday) of every week the day range touches, from the daily ones:
    // those days were just rebuilt and the other days of those weeks are unchanged.
    const qint64 weekFrom = RollupPeriods::weekOf(from);
    const qint64 weekTo = RollupPeriods::ceilTo(to, kUsPerWeek, RollupPeriods::kWeekOffsetUs);
    auto inWeeks = [&](QSqlQuery &statement, const QString &sql) {
        statement.setForwardOnly(true);
        if (!statement.prepare(sql))
            return false;
        statement.bindValue(u":from"_s, weekFrom);
        statement.bindValue(u":to"_s, weekTo);
        return statement.exec();
    };
    const QString week = QString::fromUtf16(RollupPeriods::kSqlWeekOf).arg(u"day_us"_s);
    const QStringList weekStatements = {
        u"DELETE FROM rollup_week WHERE week_us >= :from AND week_us < :to"_s,
        u"DELETE FROM rollup_latency_hist_week WHERE week_us >= :from AND week_us < :to"_s,
        u"INSERT INTO rollup_week SELECT "_s + week + uR"(, endpoint_id, model_id, key_id, provider_id, batch,
            SUM(calls), SUM(prompt_tokens), SUM(cached_tokens), SUM(cache_write_tokens), SUM(completion_tokens),
            SUM(reasoning_tokens), SUM(cost_nano), SUM(unpriced_calls), SUM(estimated_calls), SUM(saved_nano),
            SUM(cache_hits), SUM(error_calls), SUM(latency_calls), SUM(latency_sum_us)
            FROM rollup_day WHERE day_us >= :from AND day_us < :to GROUP BY 1, 2, 3, 4, 5, 6)"_s,
    };
    for (const QString &sql : weekStatements) {
        QSqlQuery w(db);
        if (!inWeeks(w, sql))
            return dbError(w);
    }
    QSqlQuery dayHist(db);
    if (!inWeeks(dayHist, u"SELECT day_us, endpoint_id, model_id, key_id, counts FROM rollup_latency_hist_day "
                          u"WHERE day_us >= :from AND day_us < :to"_s))
        return dbError(dayHist);
    std::map<HistKey, Histogram> weeks;
    while (dayHist.next()) {
        const QByteArray text = dayHist.value(4).toString().toLatin1();
        Histogram &w = addTo(weeks, {RollupPeriods::weekOf(dayHist.value(0).toLongLong()), dayHist.value(1).toLongLong(),
                                     dayHist.value(2).toLongLong(), dayHist.value(3).toLongLong()});
        if (!LatencyHistogram::addEncoded(text.constData(), text.size(), w.data()))
            return fail(ErrorCode::Database, QObject::tr("Ledger query failed: malformed latency histogram"));
    }
    QSqlQuery insWeek(db);
    insWeek.prepare(u"INSERT INTO rollup_latency_hist_week (week_us, endpoint_id, model_id, key_id, counts) "
                    u"VALUES (?, ?, ?, ?, ?)"_s);
    for (const auto &[k, counts] : weeks) {
        insWeek.addBindValue(std::get<0>(k));
        insWeek.addBindValue(std::get<1>(k));
        insWeek.addBindValue(std::get<2>(k));
        insWeek.addBindValue(std::get<3>(k));
        insWeek.addBindValue(QString::fromLatin1(LatencyHistogram::encode(counts.data())));
        if (!insWeek.exec())
            return dbError(insWeek);
    }
    return {};
}

} // namespace LedgerQueries

} // namespace tl
