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
        QTest::newRow("a cent and more rounds to cents") << qint64(15'000'000) << 2 << u"$0.02"_s;
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
};

QTEST_GUILESS_MAIN(MoneyTest)
#include "MoneyTest.moc"
