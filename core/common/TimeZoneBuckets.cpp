#include "TimeZoneBuckets.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr qint64 kUsPerHour = 3'600'000'000LL;

QDateTime localMidnight(QDate date, const QTimeZone &zone)
{
    QDateTime dt(date, QTime(0, 0), zone);
    if (!dt.isValid()) {
        // Midnight skipped by a DST jump: take the first valid minute of the day.
        for (int minutes = 1; minutes <= 180 && !dt.isValid(); ++minutes)
            dt = QDateTime(date, QTime(0, 0).addSecs(minutes * 60), zone);
    }
    return dt;
}

qint64 usOf(const QDateTime &dt) { return dt.toMSecsSinceEpoch() * 1000; }
QDateTime dateTimeAt(qint64 us, const QTimeZone &zone)
{
    return QDateTime::fromMSecsSinceEpoch(us >= 0 ? us / 1000 : (us - 999) / 1000, zone);
}
} // namespace

qint64 TimeZoneBuckets::bucketStart(Granularity g, const QTimeZone &zone, qint64 us)
{
    switch (g) {
    case Granularity::Hour: {
        // Real hours aligned to the zone's offset at that instant (whole hours in local time).
        const QDateTime local = dateTimeAt(us, zone);
        const qint64 offsetUs = qint64(local.offsetFromUtc()) * 1'000'000;
        const qint64 localUs = us + offsetUs;
        qint64 floored = localUs - ((localUs % kUsPerHour) + kUsPerHour) % kUsPerHour;
        return floored - offsetUs;
    }
    case Granularity::Day: {
        const QDate date = dateTimeAt(us, zone).date();
        qint64 start = usOf(localMidnight(date, zone));
        if (start > us) // can happen only around odd transitions; step back a day
            start = usOf(localMidnight(date.addDays(-1), zone));
        return start;
    }
    case Granularity::Week: {
        const QDate date = dateTimeAt(us, zone).date();
        const QDate monday = date.addDays(1 - date.dayOfWeek());
        return usOf(localMidnight(monday, zone));
    }
    }
    return us;
}

QList<qint64> TimeZoneBuckets::starts(Granularity g, const QTimeZone &zone, qint64 fromUs, qint64 toUs)
{
    QList<qint64> result;
    if (toUs <= fromUs)
        return result;
    qint64 start = bucketStart(g, zone, fromUs);
    while (start < toUs) {
        result.append(start);
        qint64 next = 0;
        switch (g) {
        case Granularity::Hour:
            next = start + kUsPerHour;
            break;
        case Granularity::Day:
            next = usOf(localMidnight(dateTimeAt(start, zone).date().addDays(1), zone));
            break;
        case Granularity::Week:
            next = usOf(localMidnight(dateTimeAt(start, zone).date().addDays(7), zone));
            break;
        }
        if (next <= start) // defensive: never loop forever on a broken zone database
            next = start + kUsPerHour;
        start = next;
    }
    return result;
}

bool TimeZoneBuckets::alignedToUtcHours(const QList<qint64> &starts)
{
    for (qint64 s : starts) {
        if (s % kUsPerHour != 0)
            return false;
    }
    return true;
}

QString TimeZoneBuckets::label(Granularity g, const QTimeZone &zone, qint64 startUs)
{
    const QDateTime dt = dateTimeAt(startUs, zone);
    switch (g) {
    case Granularity::Hour:
        return dt.toString(u"yyyy-MM-dd HH:mm"_s);
    case Granularity::Day:
        return dt.date().toString(u"yyyy-MM-dd"_s);
    case Granularity::Week: {
        int year = 0;
        const int week = dt.date().weekNumber(&year);
        return u"%1-W%2"_s.arg(year).arg(week, 2, 10, QChar(u'0'));
    }
    }
    return {};
}

QString TimeZoneBuckets::toString(Granularity g)
{
    switch (g) {
    case Granularity::Hour:
        return u"hour"_s;
    case Granularity::Day:
        return u"day"_s;
    case Granularity::Week:
        return u"week"_s;
    }
    return {};
}

bool TimeZoneBuckets::fromString(QStringView text, Granularity *out)
{
    if (text == u"hour")
        *out = Granularity::Hour;
    else if (text == u"day")
        *out = Granularity::Day;
    else if (text == u"week")
        *out = Granularity::Week;
    else
        return false;
    return true;
}

} // namespace tl
