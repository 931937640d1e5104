#pragma once

#include <QtGlobal>

namespace tl::RollupPeriods {

// The periods of the rollup tables, in microseconds since the Unix epoch, UTC:
//   rollup_hour / rollup_latency_hist_hour: whole UTC hours;
//   rollup_day / rollup_latency_hist_day: whole UTC days;
//   rollup_week / rollup_latency_hist_week (schema v7): whole UTC weeks starting Monday 00:00 UTC.
// The writer, the migrations, the rollup rebuild and the queries all floor with these functions, so a
// period key means the same everywhere. Pure functions; any thread.
inline constexpr qint64 kUsPerHour = 3'600'000'000LL;
inline constexpr qint64 kUsPerDay = 24 * kUsPerHour;
inline constexpr qint64 kUsPerWeek = 7 * kUsPerDay;
// 1970-01-01 was a Thursday: the first Monday 00:00 UTC is 4 days after the epoch.
inline constexpr qint64 kWeekOffsetUs = 4 * kUsPerDay;

// Largest multiple of `step` (shifted by `offset`) at or below `us`; correct for negative times.
constexpr qint64 floorTo(qint64 us, qint64 step, qint64 offset = 0)
{
    const qint64 shifted = us - offset;
    return us - (((shifted % step) + step) % step);
}
constexpr qint64 ceilTo(qint64 us, qint64 step, qint64 offset = 0)
{
    const qint64 f = floorTo(us, step, offset);
    return f == us ? us : f + step;
}
constexpr qint64 hourOf(qint64 us) { return floorTo(us, kUsPerHour); }
constexpr qint64 dayOf(qint64 us) { return floorTo(us, kUsPerDay); }
constexpr qint64 weekOf(qint64 us) { return floorTo(us, kUsPerWeek, kWeekOffsetUs); }

static_assert(weekOf(kWeekOffsetUs) == kWeekOffsetUs);
static_assert(weekOf(kWeekOffsetUs - 1) == kWeekOffsetUs - kUsPerWeek);
static_assert(weekOf(0) == kWeekOffsetUs - kUsPerWeek);
static_assert(ceilTo(1, kUsPerWeek, kWeekOffsetUs) == kWeekOffsetUs);

// The same floors as SQL expressions over an integer column (for migrations and rebuilds).
// %1: the column. Uses the same arithmetic as floorTo().
inline constexpr char16_t kSqlDayOf[] = u"(%1 - ((%1 % 86400000000) + 86400000000) % 86400000000)";
inline constexpr char16_t kSqlWeekOf[]
    = u"(%1 - (((%1 - 345600000000) % 604800000000) + 604800000000) % 604800000000)";

} // namespace tl::RollupPeriods
