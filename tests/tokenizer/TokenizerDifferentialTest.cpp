// Differential test: our encoder against npm tiktoken 1.0.22 (the oracle) on the issue-4 corpus and on
// random strings, for o200k_base and cl100k_base. Compares ids, not counts; any difference fails.
#include "Oracle.h"
#include "tokenizer/Tokenizers.h"
#include "tokenizer/Utf8.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl::tokenizer;

namespace {

// The first difference, with the decoded neighbourhood, for a readable failure.
QString describeDifference(const Encoding &enc, const std::vector<TokenId> &ours, const std::vector<std::uint32_t> &ref)
{
    std::size_t i = 0;
    while (i < ours.size() && i < ref.size() && ours[i] == ref[i])
        ++i;
    auto window = [&](const std::vector<std::uint32_t> &ids) {
        QStringList parts;
        for (std::size_t k = i >= 3 ? i - 3 : 0; k < std::min(ids.size(), i + 4); ++k) {
            const auto bytes = enc.decodeBytes(std::span(&ids[k], 1));
            parts << u"%1=%2"_s.arg(ids[k]).arg(bytes ? QString::fromLatin1(bytes->toPercentEncoding()) : u"?"_s);
        }
        return parts.join(u' ');
    };
    return u"%1 ids vs oracle %2; first difference at %3: ours [%4] oracle [%5]"_s.arg(ours.size())
        .arg(ref.size())
        .arg(i)
        .arg(window(ours), window(ref));
}

// Random text: raw bytes, or a mix of code points from the classes the regexes care about.
QByteArray randomText(QRandomGenerator &rng, bool rawBytes)
{
    const int len = int(rng.bounded(1, 48));
    QByteArray out;
    if (rawBytes) {
        for (int i = 0; i < len; ++i)
            out.append(char(rng.bounded(256)));
        return out;
    }
    static const QList<char32_t> pool
        = {U'a',   U'Z',   U'e',   U's',   U't',   U'\'',   U'\'',   U' ',    U' ',   U' ',    U'\t',  U'\n',
           U'\r',  U'0',   U'7',   U'.',   U',',   U'/',    U'-',    U'!',    U'<',   U'|',    U'>',   U'_',
           0x85,   0xA0,   0x3000, 0x2028, 0x180E, 0x200B,  0x17F,   0x212A,  0x301,  0x308,   0x20DD, 0x4E00,
           0x3042, 0xAC00, 0x645,  0x928,  0x94D,  0x1F44D, 0x1F3FD, 0x200D,  0xFE0F, 0x1F1E9, 0x660,  0xFF10,
           0x2160, 0xBD,   0xC0,   0xDF,   0x1C5,  0x2B0,   0x10400, 0x1D400, 0xFFFD, 0xE000,  0xFFFF, 0x10FFFF};
    QString s;
    for (int i = 0; i < len; ++i) {
        const int pick = int(rng.bounded(20));
        const char32_t c = pick == 0 ? char32_t(rng.bounded(0x110000))
            : pick < 3               ? char32_t(rng.bounded(0x30000))
                                     : pool.at(rng.bounded(int(pool.size())));
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        s += QString::fromUcs4(&c, 1);
    }
    return s.toUtf8();
}

} // namespace

class TokenizerDifferentialTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void corpusMatchesTiktoken_data();
    void corpusMatchesTiktoken();
    void randomStringsMatchTiktoken_data();
    void randomStringsMatchTiktoken();

private:
    Tokenizers m_tokenizers; // the built-in resources, as the app loads them
};

void TokenizerDifferentialTest::corpusMatchesTiktoken_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::newRow("o200k_base") << u"o200k_base"_s;
    QTest::newRow("cl100k_base") << u"cl100k_base"_s;
}

void TokenizerDifferentialTest::corpusMatchesTiktoken()
{
    QFETCH(QString, encoding);
    auto enc = m_tokenizers.encoding(*encodingFromName(encoding));
    QVERIFY2(enc.has_value(), qPrintable(enc ? QString() : enc.error().message));
    const QList<tl::test::OracleCase> cases = tl::test::corpus(encoding);
    QString error;
    const auto expected = tl::test::runOracle(cases, &error);
    QVERIFY2(expected.has_value(), qPrintable(error));
    int checked = 0;
    qint64 tokens = 0;
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const auto &c = cases.at(i);
        const AllowedSpecial allowed = c.allSpecial ? AllowedSpecial::all() : AllowedSpecial::none();
        const std::vector<TokenId> ours = c.utf16
            ? (*enc)->encode(QStringView(*c.utf16), allowed)
            : (*enc)->encode(std::string_view(c.bytes.constData(), c.bytes.size()), allowed);
        const auto &ref = expected->at(i);
        QVERIFY2(ours == ref, qPrintable(c.name + u": "_s + describeDifference(**enc, ours, ref)));
        // count() must agree with encode() without building the ids.
        const qint64 counted = c.utf16 ? (*enc)->count(QStringView(*c.utf16), allowed)
                                       : (*enc)->count(std::string_view(c.bytes.constData(), c.bytes.size()), allowed);
        QCOMPARE(counted, qint64(ref.size()));
        ++checked;
        tokens += qint64(ref.size());
    }
    QCOMPARE(checked, cases.size());
    QVERIFY(tokens > 500000); // the 1 MB texts really ran
    qInfo("%s: %d corpus texts, %lld tokens identical to tiktoken", qPrintable(encoding), checked, tokens);
}

void TokenizerDifferentialTest::randomStringsMatchTiktoken_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<bool>("rawBytes");
    QTest::newRow("o200k_base, random bytes") << u"o200k_base"_s << true;
    QTest::newRow("o200k_base, random code points") << u"o200k_base"_s << false;
    QTest::newRow("cl100k_base, random bytes") << u"cl100k_base"_s << true;
    QTest::newRow("cl100k_base, random code points") << u"cl100k_base"_s << false;
}

void TokenizerDifferentialTest::randomStringsMatchTiktoken()
{
    QFETCH(QString, encoding);
    QFETCH(bool, rawBytes);
    auto enc = m_tokenizers.encoding(*encodingFromName(encoding));
    QVERIFY(enc.has_value());
    constexpr int kStrings = 3000;
    QRandomGenerator rng(rawBytes ? 4242 : 777); // fixed seeds: failures reproduce
    QList<tl::test::OracleCase> cases;
    for (int i = 0; i < kStrings; ++i)
        cases.append({u"random #%1"_s.arg(i), encoding, randomText(rng, rawBytes), std::nullopt, false});
    QString error;
    const auto expected = tl::test::runOracle(cases, &error);
    QVERIFY2(expected.has_value(), qPrintable(error));
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const QByteArray &b = cases.at(i).bytes;
        const std::vector<TokenId> ours = (*enc)->encode(std::string_view(b.constData(), b.size()));
        QVERIFY2(ours == expected->at(i),
                 qPrintable(cases.at(i).name + u" (hex "_s + QString::fromLatin1(b.toHex()) + u"): "_s
                            + describeDifference(**enc, ours, expected->at(i))));
    }
}

QTEST_GUILESS_MAIN(TokenizerDifferentialTest)
#include "TokenizerDifferentialTest.moc"
