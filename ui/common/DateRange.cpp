#include "DateRange.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr qint64 kHourUs = 3'600'000'000LL;
constexpr qint64 kDayUs = 24 * kHourUs;
} // namespace

QString DateRange::id(Preset p)
{
    switch (p) {
    case Preset::Last24h: return u"24h"_s;
    case Preset::Last7d: return u"7d"_s;
    case Preset::Last30d: return u"30d"_s;
    case Preset::Last90d: return u"90d"_s;
    case Preset::All: return u"all"_s;
    case Preset::Custom: return u"custom"_s;
    }
    return u"30d"_s;
}

std::optional<DateRange::Preset> DateRange::fromId(QStringView id)
{
    for (Preset p : {Preset::Last24h, Preset::Last7d, Preset::Last30d, Preset::Last90d, Preset::All, Preset::Custom}) {
        if (DateRange::id(p) == id)
            return p;
    }
    return std::nullopt;
}

std::pair<qint64, qint64> DateRange::resolve(qint64 nowUs, std::pair<qint64, qint64> span, const QTimeZone &zone) const
{
    switch (preset) {
    case Preset::Last24h: return {nowUs - kDayUs, nowUs + 1};
    case Preset::Last7d: return {nowUs - 7 * kDayUs, nowUs + 1};
    case Preset::Last30d: return {nowUs - 30 * kDayUs, nowUs + 1};
    case Preset::Last90d: return {nowUs - 90 * kDayUs, nowUs + 1};
    case Preset::All:
        if (span.first == 0 && span.second == 0)
            return {nowUs - 30 * kDayUs, nowUs + 1};
        return {span.first, span.second + 1};
    case Preset::Custom: {
        const QDate from = customFrom.isValid() ? customFrom : QDate::currentDate();
        const QDate to = customTo.isValid() && customTo >= from ? customTo : from;
        const qint64 f = QDateTime(from, QTime(0, 0), zone).toMSecsSinceEpoch() * 1000;
        const qint64 t = QDateTime(to.addDays(1), QTime(0, 0), zone).toMSecsSinceEpoch() * 1000;
        return {f, t};
    }
    }
    return {nowUs - 30 * kDayUs, nowUs + 1};
}

Granularity DateRange::granularityFor(qint64 fromUs, qint64 toUs)
{
    const qint64 span = toUs - fromUs;
    if (span <= 3 * kDayUs)
        return Granularity::Hour;
    if (span <= 120 * kDayUs)
        return Granularity::Day;
    return Granularity::Week;
}

} // namespace tl
