#pragma once

#include "common/TimeZoneBuckets.h"

#include <QDate>
#include <QString>
#include <QTimeZone>

#include <optional>
#include <utility>

namespace tl {

// The dashboard's time range: a preset relative to now, the whole ledger, or whole local days.
// Resolves to a half-open UTC interval [fromUs, toUs) in microseconds. Pure value type.
struct DateRange
{
    enum class Preset { Last24h, Last7d, Last30d, Last90d, All, Custom };

    Preset preset = Preset::Last30d;
    QDate customFrom; // Custom: first local day, inclusive
    QDate customTo;   // Custom: last local day, inclusive

    // "24h", "7d", "30d", "90d", "all", "custom" (the Settings::dashboardRange values).
    static QString id(Preset p);
    static std::optional<Preset> fromId(QStringView id);

    // `nowUs`: the clock; `span`: first and last record instants of the ledger ({0,0} when empty);
    // `zone`: where custom days start.
    std::pair<qint64, qint64> resolve(qint64 nowUs, std::pair<qint64, qint64> span, const QTimeZone &zone) const;

    // Hour buckets up to 3 days, day buckets up to 120 days, weeks beyond.
    static Granularity granularityFor(qint64 fromUs, qint64 toUs);

    bool operator==(const DateRange &) const = default;
};

} // namespace tl
