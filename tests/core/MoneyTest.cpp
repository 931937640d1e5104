#include "common/Money.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

class MoneyTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decimalText_data()
    {
        QTest::addColumn<qint64>("nano");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << qint64(0) << u"0.00"_s;
        QTest::newRow("one nano-USD") << qint64(1) << u"0.000000001"_s;
        QTest::newRow("a dollar and a quarter") << qint64(1'250'000'000) << u"1.25"_s;
        QTest::newRow("the Azure conversation trace") << qint64(96'791'325'000) << u"96.791325"_s;
        QTest::newRow("negative") << qint64(-1'500'000'000) << u"-1.50"_s;
    }
    void decimalText()
    {
        QFETCH(qint64, nano);
        QFETCH(QString, text);
        QCOMPARE(toDecimalUsd(nano), text);
        QCOMPARE(parseDecimalUsd(text), std::optional<NanoUsd>(nano));
    }

    void parseRejectsWhatIsNotExact_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("ten decimals") << u"0.0000000001"_s;
        QTest::newRow("exponent") << u"1e-3"_s;
        QTest::newRow("letters") << u"abc"_s;
        QTest::newRow("empty") << QString();
        QTest::newRow("two points") << u"1.2.3"_s;
    }
    void parseRejectsWhatIsNotExact()
    {
        QFETCH(QString, text);
        QVERIFY(!parseDecimalUsd(text).has_value());
    }

    void trailingZerosBeyondNineDecimalsAreFine() { QCOMPARE(parseDecimalUsd(u"0.1000000000000"_s), std::optional<NanoUsd>(100'000'000)); }

    void displayFormat_data()
    {
        QTest::addColumn<qint64>("nano");
        QTest::addColumn<int>("decimals");
        QTest::addColumn<QString>("text");
        QTest::newRow("rounds half away from zero") << qint64(1'235'000'000) << 2 << u"$1.24"_s;
        QTest::newRow("thousands separators") << qint64(1'234'567'000'000'000) << 2 << u"$1,234,567.00"_s;
        QTest::newRow("tiny amounts never read as zero") << qint64(3'000) << 2 << u"$0.000003"_s;
        // Session-8 trial finding 14: sub-cent amounts were rounded up to their first digit.
        QTest::newRow("under a cent keeps two digits") << qint64(7'500'000) << 2 << u"$0.0075"_s;
        QTest::newRow("under a tenth of a cent") << qint64(614'250) << 2 << u"$0.00061"_s;
        QTest::newRow("trailing zeros dropped") << qint64(5'000'000) << 2 << u"$0.005"_s;
        // Session-17 look-over: under ten cents, cents alone were off by up to a third ($0.0159 read "$0.02").
        QTest::newRow("under ten cents keeps two digits") << qint64(15'900'000) << 2 << u"$0.016"_s;
        QTest::newRow("a cent and a half") << qint64(15'000'000) << 2 << u"$0.015"_s;
        QTest::newRow("whole cents stay cents") << qint64(90'000'000) << 2 << u"$0.09"_s;
        QTest::newRow("ten cents and more round to cents") << qint64(159'000'000) << 2 << u"$0.16"_s;
        QTest::newRow("a hair under a cent reads a cent") << qint64(9'990'000) << 2 << u"$0.01"_s;
        QTest::newRow("zero is zero") << qint64(0) << 2 << u"$0.00"_s;
        QTest::newRow("negative") << qint64(-2'500'000'000) << 2 << u"-$2.50"_s;
    }
    void displayFormat()
    {
        QFETCH(qint64, nano);
        QFETCH(int, decimals);
        QFETCH(QString, text);
        QCOMPARE(formatUsd(nano, decimals), text);
    }

    // sum(tokens * price per million) / 1e6, rounded once, half away from zero.
    void perMillionSumRoundsOnce()
    {
        PerMillionSum sum;
        // 3 tokens at $0.0375/MTok = 3 * 37,500,000 / 1e6 = 112.5 nano-USD -> 113
        sum.add(3, 37'500'000);
        QCOMPARE(sum.rounded(), NanoUsd(113));
        // Half of it (Batch API): 56.25 -> 56
        QCOMPARE(sum.rounded(1, 2), NanoUsd(56));
        // Adding 1 token at $0.0005/MTok (0.5 nano): 113.0 -> 113 exactly
        sum.add(1, 500'000);
        QCOMPARE(sum.rounded(), NanoUsd(113));
    }

    void perMillionSumIsExactForLargeCounts()
    {
        // 10^9 tokens (1,000 MTok) at $600/MTok = 600,000 USD; no precision lost.
        PerMillionSum sum;
        sum.add(1'000'000'000, 600'000'000'000);
        QCOMPARE(sum.rounded(), NanoUsd(600'000) * kNanoPerUsd);
        QCOMPARE(sum.rounded(1, 2), NanoUsd(300'000) * kNanoPerUsd);
    }

    // Session-8 trial finding 12: 10^16 tokens at $2.50/MTok wrapped qint64 to 6,553,255,926,290,448,384.
    // Every step is checked: an overflowing sum says so and checked() gives nothing.
    void perMillionSumDetectsOverflow()
    {
        PerMillionSum wrapped;
        wrapped.add(10'000'000'000'000'000, 2'500'000'000); // 2.5e19 nano-USD
        QVERIFY(wrapped.overflowed());
        QCOMPARE(wrapped.checked(), std::optional<NanoUsd>());

        PerMillionSum remainder; // the sub-nano part's multiply alone overflows
        remainder.add(std::numeric_limits<qint64>::max() / 2, 999'999);
        QCOMPARE(remainder.checked(), std::optional<NanoUsd>());

        PerMillionSum sum; // each add fine, the total not
        sum.add(4'000'000'000'000'000, 1'000'000'000);
        sum.add(4'000'000'000'000'000, 1'000'000'000);
        QVERIFY(!sum.overflowed());
        sum.add(4'000'000'000'000'000, 1'000'000'000);
        QCOMPARE(sum.checked(), std::optional<NanoUsd>());

        PerMillionSum fine;
        fine.add(1'000'000'000'000, 2'500'000'000); // 10^12 tokens at $2.50/MTok = 2.5 million USD
        QCOMPARE(fine.checked(), std::optional<NanoUsd>(2'500'000'000'000'000));
        QCOMPARE(fine.checked(3, 1), std::optional<NanoUsd>(7'500'000'000'000'000));
        QCOMPARE(fine.checked(4'000, 1), std::optional<NanoUsd>()); // 1e19: beyond qint64
    }

    // Session-8 trial finding 10: amounts finer than a nano-USD are rounded half away from zero.
    void roundedParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("nano");
        QTest::addColumn<bool>("rounded");
        QTest::newRow("twelve decimals, down") << u"1.23456789012"_s << qint64(1'234'567'890) << true;
        QTest::newRow("half a nano, up") << u"0.0000000005"_s << qint64(1) << true;
        QTest::newRow("below half a nano, down") << u"0.00000000049"_s << qint64(0) << true;
        QTest::newRow("negative half, away from zero") << u"-0.0000000005"_s << qint64(-1) << true;
        QTest::newRow("carry into the whole dollars") << u"0.9999999995"_s << qint64(1'000'000'000) << true;
        QTest::newRow("nine decimals: exact") << u"2.123456789"_s << qint64(2'123'456'789) << false;
        QTest::newRow("trailing zeros: exact") << u"2.1000000000"_s << qint64(2'100'000'000) << false;
    }
    void roundedParse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, nano);
        QFETCH(bool, rounded);
        bool wasRounded = !rounded;
        QCOMPARE(parseDecimalUsdRounded(text, &wasRounded), std::optional<NanoUsd>(nano));
        QCOMPARE(wasRounded, rounded);
        QCOMPARE(parseDecimalUsdRounded(u"1.2345678901x"_s), std::optional<NanoUsd>());
    }
};

QTEST_GUILESS_MAIN(MoneyTest)
#include "MoneyTest.moc"
