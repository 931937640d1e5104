#pragma once

#include "common/Result.h"

#include <QStringView>
#include <QTimeZone>

#include <optional>

namespace tl::Timestamp {

// Parses a timestamp into UTC microseconds since the Unix epoch.
// Accepted: "YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]" with an optional "Z" or "±HH[:]MM" offset
// (fractions up to 9 digits; digits below a microsecond are dropped, e.g. the Azure trace's 7 digits),
// "YYYY-MM-DD" (midnight), and plain Unix epoch numbers: seconds below 1e11, milliseconds below 1e14,
// microseconds below 1e17, nanoseconds above (nullopt beyond 64 bits).
// Text without an offset is read in `zone` (daylight saving as that zone defines it).
std::optional<qint64> parseUs(QStringView text, const QTimeZone &zone);

// As parseUs, with what daylight saving time (DST) does to a local time without an offset spelt out:
//  - a local time the zone skips (the hour clocks jump over when DST starts, e.g. 2026-03-29 02:30 in
//    Europe/Berlin) is an error (Parse) whose message names the zone and DST;
//  - a local time the zone has twice (the hour repeated when DST ends, e.g. 2026-10-25 02:30 in
//    Europe/Berlin) is read as the EARLIER instant (still on daylight time; as RFC 5545 and Python's
//    fold=0 do) and `ambiguity`, if given, is set to a sentence naming both instants and the one taken.
// Any other unreadable text: Parse "cannot read the time". Thread-safe.
Result<qint64> parseLocalUs(QStringView text, const QTimeZone &zone, QString *ambiguity = nullptr);

} // namespace tl::Timestamp
