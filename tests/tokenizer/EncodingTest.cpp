// Unit tests of the encoder itself: loading and its errors, round trips, special tokens, model
// mapping, the heap merge against tiktoken's scan, long single-character runs, and concurrent use.
#include "tokenizer/BytePairMerge.h"
#include "tokenizer/EstimateCalibration.h"
#include "tokenizer/RankTable.h"
#include "tokenizer/Tokenizers.h"
#include "tokenizer/Utf8.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <chrono>
#include <future>
#include <thread>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;
using namespace tl::tokenizer;

namespace {
std::string_view view(const QByteArray &b)
{
    return {b.constData(), std::size_t(b.size())};
}
QString sharedTokenizerDir()
{
    return QStringLiteral(TOKENLEDGER_SHARED_DIR) + u"/data/tokenizers"_s;
}
} // namespace

class EncodingTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void knownIds_data();
    void knownIds();
    void rankFileWithWrongHashIsRejected();
    void missingRankFileIsAnIoError();
    void aLoadOfOneEncodingDoesNotHoldUpTheOther();
    void sharedDataAndBuiltInResourcesAgree();
    void everyTokenOfTheRankFilesFindsAndDecodes();
    void rankTableRefusesWhatItCannotHold();
    void tablesStayCompact();
    void decodeRoundTrips_data();
    void decodeRoundTrips();
    void unknownIdFailsToDecode();
    void specialTokensAreTextUnlessAllowed();
    void modelNamesPickTheirEncoding_data();
    void modelNamesPickTheirEncoding();
    void heapMergeEqualsTiktokenScan();
    void longSingleCharacterRuns_data();
    void longSingleCharacterRuns();
    void invalidUtf8IsReplacedPerMaximalSubpart_data();
    void invalidUtf8IsReplacedPerMaximalSubpart();
    void concurrentEncodingGivesSameIds();
    void calibrationScalesEstimatesOnceItHasEnoughCalls();

private:
    Tokenizers m_tokenizers;
    std::shared_ptr<const Encoding> m_o200k, m_cl100k;
};

void EncodingTest::initTestCase()
{
    auto o = m_tokenizers.encoding(EncodingId::O200kBase);
    QVERIFY2(o.has_value(), qPrintable(o ? QString() : o.error().message));
    auto c = m_tokenizers.encoding(EncodingId::Cl100kBase);
    QVERIFY2(c.has_value(), qPrintable(c ? QString() : c.error().message));
    m_o200k = *o;
    m_cl100k = *c;
    QCOMPARE(m_o200k->ordinaryTokenCount(), std::size_t(199998));
    QCOMPARE(m_cl100k->ordinaryTokenCount(), std::size_t(100256));
    // Loading again hands out the same shared instance.
    QCOMPARE(m_tokenizers.encoding(EncodingId::O200kBase)->get(), m_o200k.get());
}

void EncodingTest::knownIds_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<uint>>("ids");
    // Values from OpenAI's tiktoken README and tiktokenizer.
    QTest::newRow("o200k hello world") << u"o200k_base"_s << u"hello world"_s << QList<uint> {24912, 2375};
    QTest::newRow("cl100k hello world") << u"cl100k_base"_s << u"hello world"_s << QList<uint> {15339, 1917};
    QTest::newRow("cl100k empty") << u"cl100k_base"_s << QString() << QList<uint> {};
}

void EncodingTest::knownIds()
{
    QFETCH(QString, encoding);
    QFETCH(QString, text);
    QFETCH(QList<uint>, ids);
    const auto &enc = encoding == u"o200k_base"_s ? m_o200k : m_cl100k;
    const std::vector<TokenId> got = enc->encode(QStringView(text));
    QCOMPARE(QList<uint>(got.begin(), got.end()), ids);
    QCOMPARE(enc->count(QStringView(text)), qint64(ids.size()));
}

void EncodingTest::rankFileWithWrongHashIsRejected()
{
    QFile f(sharedTokenizerDir() + u"/cl100k_base.tiktoken"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray data = f.readAll();
    data[10] = data[10] == 'A' ? 'B' : 'A';
    auto enc = Encoding::fromRankData(EncodingId::Cl100kBase, data);
    QVERIFY(!enc.has_value());
    QCOMPARE(enc.error().code, tl::ErrorCode::InvalidArgument);
    QVERIFY(enc.error().message.contains(u"SHA-256"_s));
}

void EncodingTest::missingRankFileIsAnIoError()
{
    QTemporaryDir empty;
    Tokenizers tokenizers(empty.path());
    auto enc = tokenizers.encoding(EncodingId::O200kBase);
    QVERIFY(!enc.has_value());
    QCOMPARE(enc.error().code, tl::ErrorCode::Io);
}

// The proxy loads cl100k_base in the background while its own thread reads o200k_base (session 14 trial: one
// lock for both held the proxy thread 30-53 ms). cl100k_base's rank file here is a FIFO, so its load stays
// in progress, holding its lock, until the test writes the file into the pipe.
void EncodingTest::aLoadOfOneEncodingDoesNotHoldUpTheOther()
{
#ifndef Q_OS_UNIX
    QSKIP("needs a FIFO (mkfifo)");
#else
    QTemporaryDir dir;
    QVERIFY(QFile::copy(QDir(Tokenizers::builtInDirectory()).filePath(encodingSpec(EncodingId::O200kBase).rankFile),
                        dir.filePath(encodingSpec(EncodingId::O200kBase).rankFile)));
    const QString fifo = dir.filePath(encodingSpec(EncodingId::Cl100kBase).rankFile);
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    const Tokenizers tokenizers(dir.path());
    QVERIFY(tokenizers.encoding(EncodingId::O200kBase).has_value());
    auto cl100k = std::async(std::launch::async, [&]() { return tokenizers.encoding(EncodingId::Cl100kBase); });
    // The load has opened the pipe for reading once a writer's open returns (O_NONBLOCK: ENXIO until then).
    int writer = -1;
    for (int i = 0; i < 1000 && writer < 0; ++i) {
        writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
        if (writer < 0)
            QThread::msleep(5);
    }
    QVERIFY(writer >= 0);
    auto o200k = std::async(std::launch::async, [&]() { return tokenizers.encoding(EncodingId::O200kBase); });
    const bool o200kAnswered = o200k.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    const bool stillLoading = cl100k.wait_for(std::chrono::seconds(0)) == std::future_status::timeout;
    // Let the cl100k_base load finish (in any case: the futures' destructors wait for it).
    QFile rank(QDir(Tokenizers::builtInDirectory()).filePath(encodingSpec(EncodingId::Cl100kBase).rankFile));
    QVERIFY(rank.open(QIODevice::ReadOnly));
    const QByteArray bytes = rank.readAll();
    ::fcntl(writer, F_SETFL, 0); // blocking writes from here
    for (qsizetype at = 0; at < bytes.size();) {
        const ssize_t n = ::write(writer, bytes.constData() + at, size_t(bytes.size() - at));
        QVERIFY(n > 0);
        at += n;
    }
    ::close(writer);
    QVERIFY(stillLoading);
    QVERIFY2(o200kAnswered, "o200k_base waited for the load of cl100k_base");
    QVERIFY(o200k.get().has_value());
    QVERIFY(cl100k.get().has_value()); // the pipe gave the whole file: its SHA-256 holds
#endif
}

void EncodingTest::sharedDataAndBuiltInResourcesAgree()
{
    Tokenizers fromShared(sharedTokenizerDir());
    auto enc = fromShared.encoding(EncodingId::O200kBase);
    QVERIFY(enc.has_value());
    const QByteArray text = "Shared and built-in rank files must be byte-identical.";
    QCOMPARE((*enc)->encode(view(text)), m_o200k->encode(view(text)));
}

// Every line of both rank files: its bytes find their rank and the rank decodes to those bytes (the
// hash table and the decoder share one arena since session 13).
void EncodingTest::everyTokenOfTheRankFilesFindsAndDecodes()
{
    for (const auto &enc : {m_o200k, m_cl100k}) {
        QFile file(QDir(Tokenizers::builtInDirectory()).filePath(enc->spec().rankFile));
        QVERIFY(file.open(QIODevice::ReadOnly));
        qsizetype lines = 0;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const qsizetype space = line.indexOf(' ');
            const QByteArray bytes = QByteArray::fromBase64(line.left(space));
            const TokenId rank = line.mid(space + 1).toUInt();
            const auto decoded = enc->decodeBytes(std::span<const TokenId>(&rank, 1));
            QVERIFY(decoded.has_value());
            if (*decoded != bytes)
                QFAIL(qPrintable(u"%1 rank %2 decodes to other bytes"_s.arg(enc->name()).arg(rank)));
            const std::string_view view(bytes.constData(), std::size_t(bytes.size()));
            // Valid UTF-8 the pre-tokeniser keeps in one piece is that token (invalid bytes become U+FFFD).
            const auto ids = isValidUtf8(view) ? enc->encode(view) : std::vector<TokenId> {};
            if (ids.size() == 1 && ids.front() != rank)
                QFAIL(qPrintable(u"%1 rank %2 encodes as %3"_s.arg(enc->name()).arg(rank).arg(ids.front())));
            ++lines;
        }
        QCOMPARE(std::size_t(lines), enc->ordinaryTokenCount());
    }
}

void EncodingTest::rankTableRefusesWhatItCannotHold()
{
    RankTable t; // no reserve(): grows as it goes
    for (Rank r = 0; r < 5000; ++r) {
        const std::string bytes = "tok" + std::to_string(r);
        QVERIFY(t.insert(bytes, 4999 - r)); // ranks out of order
    }
    QCOMPARE(t.size(), std::size_t(5000));
    QCOMPARE(t.rankLimit(), std::size_t(5000));
    QCOMPARE(t.find("tok0"), Rank(4999));
    QCOMPARE(t.find("tok4999"), Rank(0));
    QCOMPARE(t.bytesOf(0), std::string_view("tok4999"));
    QCOMPARE(t.find("tok5000"), kNoRank);
    QVERIFY(!t.insert("tok1", 9000));  // bytes present
    QVERIFY(!t.insert("fresh", 7));    // rank present
    QVERIFY(!t.insert("", 9001));      // empty
    const std::string longest(RankTable::kMaxTokenBytes, 'x');
    QVERIFY(!t.insert(longest + 'x', 9002)); // longer than a slot's length byte holds
    QVERIFY(t.insert(longest, 9003));
    QCOMPARE(t.find(longest), Rank(9003));
    QCOMPARE(t.bytesOf(9003).size(), RankTable::kMaxTokenBytes);
    // A longer piece is never taken for a token its length wraps to (256 + 5 is 5 in a byte).
    QCOMPARE(t.find(std::string(256, 'x') + "tok12"), kNoRank);
    QCOMPARE(t.find(std::string(300, 'x')), kNoRank);
    QVERIFY(t.bytesOf(9002).empty()); // never inserted, inside the rank range
    QVERIFY(t.bytesOf(1u << 30).empty());
    QCOMPARE(t.find(""), kNoRank);
}

// What the first estimate of a cut stream adds to the proxy's memory (issue 3: at most 150 MiB with 1,000
// streams open): 13 MB of tables before session 13.
void EncodingTest::tablesStayCompact()
{
    QVERIFY2(m_o200k->tableBytes() < 8'000'000, qPrintable(QString::number(m_o200k->tableBytes())));
    QVERIFY2(m_cl100k->tableBytes() < 4'000'000, qPrintable(QString::number(m_cl100k->tableBytes())));
}

void EncodingTest::decodeRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("ascii") << u"The quick brown fox."_s;
    QTest::newRow("cjk and emoji") << u"東京 👩‍👩‍👧‍👦 안녕 مرحبا नमस्ते"_s;
    QTest::newRow("whitespace") << u"\t\r\n \u0085\u00a0\u3000 x"_s;
    QTest::newRow("special look-alike") << u"<|endoftext|>"_s;
}

void EncodingTest::decodeRoundTrips()
{
    QFETCH(QString, text);
    for (const auto &enc : {m_o200k, m_cl100k}) {
        const auto ids = enc->encode(QStringView(text));
        auto back = enc->decode(ids);
        QVERIFY(back.has_value());
        QCOMPARE(*back, text);
    }
}

void EncodingTest::unknownIdFailsToDecode()
{
    const std::vector<TokenId> ids {1, 250000};
    auto r = m_o200k->decodeBytes(ids);
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, tl::ErrorCode::InvalidArgument);
}

void EncodingTest::specialTokensAreTextUnlessAllowed()
{
    const QByteArray text = "a<|endoftext|>b<|endofprompt|>";
    const auto plain = m_o200k->encode(view(text));
    QVERIFY(std::find(plain.begin(), plain.end(), 199999u) == plain.end());
    QVERIFY(plain.size() > 4);

    const auto all = m_o200k->encode(view(text), AllowedSpecial::all());
    QCOMPARE(all.size(), std::size_t(4));
    QCOMPARE(all[1], 199999u);
    QCOMPARE(all[3], 200018u);

    const auto some = m_o200k->encode(view(text), AllowedSpecial::only({u"<|endoftext|>"_s}));
    QCOMPARE(some[1], 199999u);
    QVERIFY(std::find(some.begin(), some.end(), 200018u) == some.end());
    QCOMPARE(m_o200k->count(view(text), AllowedSpecial::all()), qint64(4));

    auto decoded = m_o200k->decode(all);
    QVERIFY(decoded.has_value());
    QCOMPARE(*decoded, QString::fromUtf8(text));
    QCOMPARE(m_cl100k->specialTokenId(u"<|fim_middle|>"), std::optional<TokenId>(100259));
}

void EncodingTest::modelNamesPickTheirEncoding_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<bool>("exact");
    QTest::newRow("gpt-4o") << u"gpt-4o"_s << u"o200k_base"_s << true;
    QTest::newRow("gpt-4o-mini dated") << u"gpt-4o-mini-2024-07-18"_s << u"o200k_base"_s << true;
    QTest::newRow("gpt-4.1-nano") << u"gpt-4.1-nano"_s << u"o200k_base"_s << true;
    QTest::newRow("gpt-5") << u"gpt-5"_s << u"o200k_base"_s << true;
    QTest::newRow("o1-mini") << u"o1-mini"_s << u"o200k_base"_s << true;
    QTest::newRow("o3") << u"o3"_s << u"o200k_base"_s << true;
    QTest::newRow("o4-mini") << u"o4-mini"_s << u"o200k_base"_s << true;
    QTest::newRow("provider prefix") << u"openai/gpt-4o"_s << u"o200k_base"_s << true;
    QTest::newRow("fine-tuned gpt-4o-mini") << u"ft:gpt-4o-mini-2024-07-18:acme::abc123"_s << u"o200k_base"_s << true;
    QTest::newRow("gpt-4") << u"gpt-4"_s << u"cl100k_base"_s << true;
    QTest::newRow("gpt-4-turbo") << u"gpt-4-turbo-2024-04-09"_s << u"cl100k_base"_s << true;
    QTest::newRow("gpt-3.5-turbo") << u"gpt-3.5-turbo"_s << u"cl100k_base"_s << true;
    QTest::newRow("azure gpt-35-turbo") << u"gpt-35-turbo"_s << u"cl100k_base"_s << true;
    QTest::newRow("text-embedding-3-small") << u"text-embedding-3-small"_s << u"cl100k_base"_s << true;
    QTest::newRow("claude is an estimate") << u"claude-sonnet-4-5"_s << u"o200k_base"_s << false;
    QTest::newRow("gemini is an estimate") << u"gemini-2.5-pro"_s << u"o200k_base"_s << false;
    QTest::newRow("unknown is an estimate") << u"my-local-llama"_s << u"o200k_base"_s << false;
    QTest::newRow("o100 is not o1") << u"o100-foo"_s << u"o200k_base"_s << false;
}

void EncodingTest::modelNamesPickTheirEncoding()
{
    QFETCH(QString, model);
    QFETCH(QString, encoding);
    QFETCH(bool, exact);
    const ModelEncoding me = encodingForModel(model);
    QCOMPARE(encodingSpec(me.encoding).name, encoding);
    QCOMPARE(me.exact, exact);
    QCOMPARE(me.note.isEmpty(), exact);
    auto count = m_tokenizers.countText(model, u"hello world");
    QVERIFY(count.has_value());
    QCOMPARE(count->estimate, !exact);
    QCOMPARE(count->tokens, qint64(2));
}

void EncodingTest::heapMergeEqualsTiktokenScan()
{
    // Byte strings from a small alphabet merge a lot; both algorithms must agree on every one.
    QRandomGenerator rng(99);
    const QByteArray alphabet = "aab  eeinnorsstt.,\xe4\xb8\x80";
    std::vector<std::uint32_t> scan, heap;
    // A private table of the real ranks: RankTable is what Encoding uses.
    QFile f(sharedTokenizerDir() + u"/o200k_base.tiktoken"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    RankTable ranks;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        const qsizetype sp = line.indexOf(' ');
        const QByteArray tok = QByteArray::fromBase64(line.left(sp));
        ranks.insert(view(tok), Rank(line.mid(sp + 1).toUInt()));
    }
    for (int i = 0; i < 3000; ++i) {
        QByteArray piece;
        const int len = int(rng.bounded(2, 300));
        for (int k = 0; k < len; ++k)
            piece.append(alphabet.at(rng.bounded(int(alphabet.size()))));
        bytePairMergeScan(ranks, view(piece), scan);
        bytePairMergeHeap(ranks, view(piece), heap);
        QVERIFY2(scan == heap, piece.toHex().constData());
    }
}

void EncodingTest::longSingleCharacterRuns_data()
{
    QTest::addColumn<QByteArray>("unit");
    QTest::addColumn<QByteArray>("tokenBytes"); // what every token must be (1 MB divides evenly)
    // tiktoken itself is quadratic here (64 KB takes ~10 s), so the 1 MB runs are checked by structure;
    // the differential test compares the same runs at 16 KB with the oracle.
    QTest::newRow("1 MB of 'a'") << QByteArray("a") << QByteArray("aaaaaaaa");
    QTest::newRow("1 MB of spaces") << QByteArray(" ") << QByteArray();
    QTest::newRow("1 MB of digits") << QByteArray("7") << QByteArray("777");
}

void EncodingTest::longSingleCharacterRuns()
{
    QFETCH(QByteArray, unit);
    QFETCH(QByteArray, tokenBytes);
    const QByteArray text = unit.repeated((1 << 20) / unit.size());
    const auto ids = m_o200k->encode(view(text));
    QCOMPARE(m_o200k->count(view(text)), qint64(ids.size()));
    auto back = m_o200k->decodeBytes(ids);
    QVERIFY(back.has_value());
    QCOMPARE(*back, text);
    if (!tokenBytes.isEmpty() && text.size() % tokenBytes.size() == 0) {
        // 1 MB of 'a' is 131072 tokens "aaaaaaaa", as tiktoken gives for every 8k-multiple run.
        const auto one = m_o200k->encode(view(tokenBytes));
        QCOMPARE(one.size(), std::size_t(1));
        QCOMPARE(ids.size(), std::size_t(text.size() / tokenBytes.size()));
        QVERIFY(std::all_of(ids.begin(), ids.end(), [&](TokenId id) { return id == one[0]; }));
    }
    QVERIFY(ids.size() < std::size_t(text.size()));
}

void EncodingTest::invalidUtf8IsReplacedPerMaximalSubpart_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("sanitized");
    const QByteArray r = "\xef\xbf\xbd";
    QTest::newRow("valid stays") << QByteArray("a\xc3\xa9") << QByteArray("a\xc3\xa9");
    QTest::newRow("stray continuation") << QByteArray("\x80") << r;
    QTest::newRow("truncated 3-byte") << QByteArray("\xe2\x82z") << r + "z";
    QTest::newRow("encoded surrogate is three") << QByteArray("\xed\xa0\x80") << r + r + r;
    QTest::newRow("overlong") << QByteArray("\xc0\xaf") << r + r;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << r + r + r + r;
}

void EncodingTest::invalidUtf8IsReplacedPerMaximalSubpart()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, sanitized);
    QCOMPARE(isValidUtf8(view(input)), input == sanitized);
    QCOMPARE(QByteArray::fromStdString(sanitizeUtf8(view(input))), sanitized);
}

void EncodingTest::concurrentEncodingGivesSameIds()
{
    QList<QByteArray> texts;
    for (int i = 0; i < 8; ++i)
        texts << QByteArray("Thread %1 text: 東京 \xf0\x9f\x91\x8d 12345 it's fine.\n")
                     .replace("%1", QByteArray::number(i))
                     .repeated(2000);
    std::vector<std::vector<TokenId>> expected;
    for (const auto &t : texts)
        expected.push_back(m_o200k->encode(view(t)));
    std::vector<std::vector<TokenId>> got(std::size_t(texts.size()));
    std::vector<std::thread> threads;
    for (qsizetype i = 0; i < texts.size(); ++i)
        threads.emplace_back([&, i] { got[std::size_t(i)] = m_o200k->encode(view(texts.at(i))); });
    for (auto &t : threads)
        t.join();
    QVERIFY(got == expected);
}

void EncodingTest::calibrationScalesEstimatesOnceItHasEnoughCalls()
{
    EstimateCalibration calibration(3);
    QCOMPARE(calibration.apply(u"anthropic"_s, 1000), qint64(1000)); // no data: unchanged
    calibration.record(u"anthropic"_s, 1000, 1150);
    calibration.record(u"anthropic"_s, 500, 560);
    QVERIFY(!calibration.factor(u"anthropic"_s).has_value()); // 2 of 3 samples
    calibration.record(u"anthropic"_s, 0, 10); // ignored
    calibration.record(u"anthropic"_s, 500, 590);
    QCOMPARE(calibration.samples(u"anthropic"_s), 3);
    QCOMPARE(*calibration.factor(u"anthropic"_s), 2300.0 / 2000.0);
    QCOMPARE(calibration.apply(u"anthropic"_s, 100), qint64(115));
    QVERIFY(!calibration.factor(u"google"_s).has_value());
}

QTEST_GUILESS_MAIN(EncodingTest)
#include "EncodingTest.moc"
