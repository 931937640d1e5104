#include "TestSupport.h"

#include "common/TimeZoneBuckets.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
constexpr qint64 kHour = 3'600'000'000LL;
qint64 us(const char *iso) { return test::usFromIso(QString::fromLatin1(iso)); }
} // namespace

class TimeZoneBucketsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST): that local day lasts 23 hours.
    void springForwardDayHas23Hours()
    {
        const QTimeZone berlin("Europe/Berlin");
        QVERIFY(berlin.isValid());
        const QList<qint64> days = TimeZoneBuckets::starts(Granularity::Day, berlin, us("2026-03-28T12:00:00Z"),
                                                           us("2026-03-31T00:00:00Z"));
        QCOMPARE(days.size(), 4);
        QCOMPARE(days[0], us("2026-03-27T23:00:00Z")); // Sat 28 00:00 CET
        QCOMPARE(days[1], us("2026-03-28T23:00:00Z")); // Sun 29 00:00 CET
        QCOMPARE(days[2], us("2026-03-29T22:00:00Z")); // Mon 30 00:00 CEST
        QCOMPARE(days[2] - days[1], 23 * kHour);
        QCOMPARE(TimeZoneBuckets::label(Granularity::Day, berlin, days[1]), u"2026-03-29"_s);
    }

    // ... and falls back on 2026-10-25 (03:00 CEST -> 02:00 CET): 25 hours.
    void fallBackDayHas25Hours()
    {
        const QTimeZone berlin("Europe/Berlin");
        const QList<qint64> days = TimeZoneBuckets::starts(Granularity::Day, berlin, us("2026-10-25T00:00:00Z"),
                                                           us("2026-10-26T00:00:00Z"));
        QCOMPARE(days.size(), 2);
        QCOMPARE(days[0], us("2026-10-24T22:00:00Z"));
        QCOMPARE(days[1], us("2026-10-25T23:00:00Z"));
        QCOMPARE(days[1] - days[0], 25 * kHour);
    }

    // Hour buckets are real hours: the repeated local hour 02:00-03:00 on fall-back day is two buckets.
    void hourBucketsAreElapsedHours()
    {
        const QTimeZone berlin("Europe/Berlin");
        const QList<qint64> hours = TimeZoneBuckets::starts(Granularity::Hour, berlin, us("2026-10-25T00:00:00Z"),
                                                            us("2026-10-25T02:00:00Z"));
        QCOMPARE(hours.size(), 2);
        QCOMPARE(TimeZoneBuckets::label(Granularity::Hour, berlin, hours[0]), u"2026-10-25 02:00"_s);
        QCOMPARE(TimeZoneBuckets::label(Granularity::Hour, berlin, hours[1]), u"2026-10-25 02:00"_s);
        QCOMPARE(hours[1] - hours[0], kHour);
    }

    void weeksStartOnMondayLocalMidnight()
    {
        const QTimeZone ny("America/New_York");
        // 2026-03-08 is the US spring-forward Sunday; its week started Monday 2026-03-02 00:00 EST (05:00Z).
        const qint64 start = TimeZoneBuckets::bucketStart(Granularity::Week, ny, us("2026-03-08T12:00:00Z"));
        QCOMPARE(start, us("2026-03-02T05:00:00Z"));
        const QList<qint64> weeks = TimeZoneBuckets::starts(Granularity::Week, ny, start, us("2026-03-10T00:00:00Z"));
        QCOMPARE(weeks.size(), 2);
        QCOMPARE(weeks[1], us("2026-03-09T04:00:00Z")); // Monday 00:00 EDT
        QCOMPARE(weeks[1] - weeks[0], 7 * 24 * kHour - kHour);
    }

    void halfHourZonesAreNotHourAligned()
    {
        const QTimeZone kolkata("Asia/Kolkata");
        const QList<qint64> days = TimeZoneBuckets::starts(Granularity::Day, kolkata, us("2026-01-01T00:00:00Z"),
                                                           us("2026-01-03T00:00:00Z"));
        QVERIFY(!TimeZoneBuckets::alignedToUtcHours(days));
        QCOMPARE(days[1], us("2026-01-01T18:30:00Z"));
        const QList<qint64> utc = TimeZoneBuckets::starts(Granularity::Day, QTimeZone::utc(), us("2026-01-01T00:00:00Z"),
                                                          us("2026-01-03T00:00:00Z"));
        QVERIFY(TimeZoneBuckets::alignedToUtcHours(utc));
    }
};

QTEST_GUILESS_MAIN(TimeZoneBucketsTest)
#include "TimeZoneBucketsTest.moc"
