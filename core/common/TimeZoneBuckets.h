#pragma once

#include <QList>
#include <QString>
#include <QTimeZone>

namespace tl {

enum class Granularity { Hour, Day, Week };

// Calendar buckets in a time zone, as UTC instants (microseconds since the Unix epoch).
// Day buckets start at local midnight and so last 23 or 25 hours across daylight-saving changes;
// week buckets start on Monday local midnight (ISO 8601); hour buckets are real elapsed hours.
// If a local midnight does not exist (a DST jump at 00:00), the bucket starts at the first valid
// local instant of that day. Thread-safe (pure functions).
class TimeZoneBuckets
{
public:
    // Bucket starts covering [fromUs, toUs): the first is the start of the bucket containing fromUs,
    // every following one is the next boundary below toUs.
    static QList<qint64> starts(Granularity g, const QTimeZone &zone, qint64 fromUs, qint64 toUs);

    // Start of the bucket that contains instant `us`.
    static qint64 bucketStart(Granularity g, const QTimeZone &zone, qint64 us);

    // True if every boundary in `starts` falls on a whole UTC hour, so hourly rollups can be summed
    // into these buckets exactly (false for e.g. Asia/Kolkata, UTC+5:30).
    static bool alignedToUtcHours(const QList<qint64> &starts);

    // Label for a bucket start, in the zone: "2026-03-29 02:00", "2026-03-29", "2026-W13".
    static QString label(Granularity g, const QTimeZone &zone, qint64 startUs);

    static QString toString(Granularity g);
    static bool fromString(QStringView text, Granularity *out);
};

} // namespace tl
