#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace tl {

// Log-spaced latency buckets for rollups: bucket 0 holds latencies below 1 ms; bucket i >= 1 holds
// [1 ms * 1.25^(i-1), 1 ms * 1.25^i). 64 buckets reach about 21 minutes. A percentile read from
// merged buckets is the geometric middle of its bucket: within 12% of the exact value when the
// samples fill the bucket. (Coarse on purpose: the histogram rows are what long-range queries read.)
namespace LatencyHistogram {
inline constexpr int kBuckets = 64;
int bucketOf(qint64 latencyUs);
qint64 representativeUs(int bucket);
// counts: kBuckets entries; q in (0, 1]. Returns -1 if all counts are zero.
qint64 percentileUs(const qint64 *counts, double q);
// percentileUs() kept within the samples, given their sum (µs) and count: the bucket's middle can lie
// outside them (one call of 772 µs in the [0, 1 ms) bucket read 500 µs). Min and max are not stored,
// but the mean, the upper bound of the lowest non-empty bucket (>= min) and the lower bound of the
// highest (<= max) are known to lie within [min, max], so the estimate is clamped to
// [min(firstHigh, mean), max(lastLow, mean)]: a one-call group reads its own latency; a small group can
// read up to a bucket width (25%) low. Returns -1 if all counts are zero.
qint64 percentileWithinSamplesUs(const qint64 *counts, double q, qint64 sumUs, qint64 calls);

// The stored form of a histogram (schema v6, rollup_latency_hist_*.counts): the non-zero buckets in
// ascending order as "bucket:count" joined by ',' (ASCII), e.g. "24:3,25:10". One row per (period,
// endpoint, model, key) instead of one per bucket: long-range breakdowns read 10-15 times fewer rows.
QByteArray encode(const qint64 *counts);
// encode() into `out` (at least kMaxEncodedSize bytes), without allocating; returns the length.
inline constexpr qsizetype kMaxEncodedSize = kBuckets * 24; // "63:" + 20 characters of count + ','
qsizetype encodeInto(const qint64 *counts, char *out);
// Adds an encoded histogram (any bucket order; repeated buckets add up) to `counts` (kBuckets
// entries). Returns false, leaving the well-formed prefix added, when the text is malformed.
bool addEncoded(const char *text, qsizetype size, qint64 *counts);
} // namespace LatencyHistogram

} // namespace tl
