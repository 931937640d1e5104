#pragma once

#include <QStringView>
#include <QTimeZone>

#include <optional>

namespace tl::Timestamp {

// Parses a timestamp into UTC microseconds since the Unix epoch.
// Accepted: "YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]" with an optional "Z" or "±HH[:]MM" offset
// (fractions up to 9 digits; digits below a microsecond are dropped, e.g. the Azure trace's 7 digits),
// "YYYY-MM-DD" (midnight), and plain Unix epoch numbers (seconds, or milliseconds when above 1e11).
// Text without an offset is read in `zone` (daylight saving as that zone defines it).
std::optional<qint64> parseUs(QStringView text, const QTimeZone &zone);

} // namespace tl::Timestamp
