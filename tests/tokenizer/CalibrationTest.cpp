// Token-count calibration for models whose tokenizer is not public: the real proxy records calls to a
// loopback Anthropic upstream (the usage of ../shared/fixtures/providers d1/d2), the sampler counts the
// same requests with o200k_base on its worker and stores the pairs in the real SQLite ledger, and the
// factor (ratio of sums) is what the estimates then use.
#include "LoopbackUpstream.h"
#include "batch/BatchBuilder.h"
#include "pricing/Pricer.h"
#include "TestSupport.h"
#include "ledger/Ledger.h"
#include "proxy/CallerIdentity.h"
#include "proxy/Proxy.h"
#include "tokenizer/CalibrationSampler.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/EstimateCalibration.h"
#include "tokenizer/Tokenizers.h"
#include "tokenizer/UsageEstimate.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::tokenizer;

namespace {

template<typename T>
bool waitFor(const QFuture<T> &f, int ms = 20000)
{
    QDeadlineTimer deadline(ms);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    return f.isFinished();
}

QByteArray anthropicBody(const QString &system, const QString &user, bool stream)
{
    QJsonObject body{{u"model"_s, u"claude-sonnet-4-5"_s},
                     {u"max_tokens"_s, 512},
                     {u"system"_s, system},
                     {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, user}}}}};
    if (stream)
        body.insert(u"stream"_s, true);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

qint64 ourCount(const Tokenizers &tokenizers, const QByteArray &body)
{
    auto counter = ChatTokenCounter::forModel(tokenizers, u"claude-sonnet-4-5-20250929"_s);
    return counter ? counter->countRequest(QJsonDocument::fromJson(body).object()).promptTokens : -1;
}

} // namespace

class CalibrationTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void modelKeys_data();
    void modelKeys();
    void factorIsTheRatioOfSumsWithItsSpread();
    void modelFactorFallsBackToProvider();
    void proxyCallsBecomeStoredPairsAndTheFactor();
    void estimatesUseTheFactor();
    void batchEstimatesUseTheFactor();
    void samplerSkipsCallsWithoutAProviderCount();
};

void CalibrationTest::modelKeys_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("provider");
    QTest::newRow("a dated Claude snapshot is the model") << u"claude-sonnet-4-5-20250929"_s
                                                          << u"anthropic/claude-sonnet-4-5"_s << u"anthropic"_s;
    QTest::newRow("the alias") << u"claude-sonnet-4-5"_s << u"anthropic/claude-sonnet-4-5"_s << u"anthropic"_s;
    QTest::newRow("a provider prefix and -latest") << u"anthropic/claude-3-5-haiku-latest"_s
                                                   << u"anthropic/claude-3-5-haiku"_s << u"anthropic"_s;
    QTest::newRow("a Vertex snapshot") << u"claude-opus-4@20250514"_s << u"anthropic/claude-opus-4"_s
                                       << u"anthropic"_s;
    QTest::newRow("Gemini") << u"gemini-2.5-pro"_s << u"google/gemini-2.5-pro"_s << u"google"_s;
    QTest::newRow("an unknown model") << u"mistral-large"_s << u"other/mistral-large"_s << u"other"_s;
}

void CalibrationTest::modelKeys()
{
    QFETCH(QString, model);
    QFETCH(QString, key);
    QFETCH(QString, provider);
    QCOMPARE(EstimateCalibration::modelKey(model), key);
    QCOMPARE(EstimateCalibration::providerKey(model), provider);
}

void CalibrationTest::factorIsTheRatioOfSumsWithItsSpread()
{
    EstimateCalibration c(3, 100);
    c.recordModel(u"claude-sonnet-4-5"_s, 100, 110); // 1.10
    c.recordModel(u"claude-sonnet-4-5-20250929"_s, 300, 360); // 1.20
    QVERIFY(!c.forModel(u"claude-sonnet-4-5"_s)); // 2 of 3 calls
    QCOMPARE(c.samplesForModel(u"claude-sonnet-4-5"_s), 2);
    c.recordModel(u"claude-sonnet-4-5"_s, 600, 780); // 1.30
    const auto f = c.forModel(u"claude-sonnet-4-5"_s);
    QVERIFY(f);
    QCOMPARE(f->key, u"anthropic/claude-sonnet-4-5"_s);
    QCOMPARE(f->samples, 3);
    QCOMPARE(f->estimatedTokens, qint64(1000));
    QCOMPARE(f->reportedTokens, qint64(1250));
    QCOMPARE(f->factor, 1.25); // ratio of sums, not the mean ratio (1.20)
    QVERIFY(std::abs(f->ratioStdDev - 0.1) < 1e-9); // sample std dev of 1.1, 1.2, 1.3
    QCOMPARE(f->ratioMin, 1.1);
    QCOMPARE(f->ratioMax, 1.3);
    QCOMPARE(c.apply(f->key, 400), qint64(500));
}

void CalibrationTest::modelFactorFallsBackToProvider()
{
    EstimateCalibration c(2, 10);
    c.recordModel(u"claude-opus-4-1"_s, 100, 120);
    c.recordModel(u"claude-haiku-4-5"_s, 100, 140);
    // Neither model has 2 calls; the provider has: its factor serves both, and a third Claude model.
    QCOMPARE(c.forModel(u"claude-opus-4-1"_s)->key, u"anthropic"_s);
    QCOMPARE(c.forModel(u"claude-3-7-sonnet"_s)->factor, 1.3);
    QVERIFY(!c.forModel(u"gemini-2.5-flash"_s));
    c.recordModel(u"claude-opus-4-1"_s, 100, 110);
    QCOMPARE(c.forModel(u"claude-opus-4-1"_s)->key, u"anthropic/claude-opus-4-1"_s);
    QCOMPARE(c.forModel(u"claude-opus-4-1"_s)->factor, 1.15);
    c.clear();
    QVERIFY(!c.forModel(u"claude-opus-4-1"_s));
}

void CalibrationTest::proxyCallsBecomeStoredPairsAndTheFactor()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ledger.sqlite"_s);
    auto ledger = test::openLedger(path);
    auto tokenizers = std::make_shared<Tokenizers>();
    tokenizers->startCalibrationSampling(path, CalibrationSamplerOptions{2, 16});
    test::LoopbackUpstream upstream;
    Proxy proxy(*ledger, tokenizers);
    ProxyConfig config;
    config.port = 0;
    config.callerSalt = newCallerSalt();
    UpstreamConfig openai = UpstreamConfig::defaults(UpstreamKind::OpenAi);
    openai.baseUrl = QUrl(QString::fromLatin1(upstream.baseUrl("/v1")));
    UpstreamConfig anthropic = UpstreamConfig::defaults(UpstreamKind::Anthropic);
    anthropic.baseUrl = QUrl(QString::fromLatin1(upstream.baseUrl("")));
    config.upstreams = {openai, anthropic};
    auto started = proxy.start(config);
    QVERIFY(waitFor(started));
    QVERIFY2(started.result().has_value(), qPrintable(started.result().error().message));
    const quint16 port = *started.result();

    auto post = [&](const QByteArray &target, const QByteArray &body) {
        QProcess curl;
        curl.start(u"curl"_s, {u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code}"_s, u"--data-binary"_s,
                               QString::fromUtf8(body), u"-H"_s, u"Content-Type: application/json"_s, u"-H"_s,
                               u"x-api-key: sk-ant-test"_s, u"-H"_s, u"anthropic-version: 2023-06-01"_s,
                               u"http://127.0.0.1:%1%2"_s.arg(port).arg(QString::fromLatin1(target))});
        curl.waitForFinished(30000);
        return curl.readAllStandardOutput().toInt();
    };
    // Two real requests (English with a system prompt, plain; Chinese, streamed), a third Claude call in
    // the same hour (over the 2-per-hour sample), and an OpenAI call (exact tokenizer: never sampled).
    const QByteArray english = anthropicBody(
        u"You are a careful migration planner. Answer in two short steps and name the risk of each."_s,
        u"We keep the design doc in the prompt cache. The billing service moves from MySQL 5.7 to PostgreSQL 16 "
        "next week; the ledger tables hold 40 million rows and the nightly export must keep running."_s,
        false);
    const QByteArray chinese = anthropicBody(u"你是一名谨慎的数据库迁移顾问。"_s,
                                             u"我们下周要把计费服务从 MySQL 迁移到 PostgreSQL，账本表有四千万行，"
                                             "夜间导出不能中断。请给出两个步骤，并说明每一步的风险。"_s,
                                             true);
    QCOMPARE(post("/v1/messages", english), 200);
    QCOMPARE(post("/v1/messages", chinese), 200);
    QCOMPARE(post("/v1/messages", anthropicBody(u"Be brief."_s, u"Third call of the hour."_s, false)), 200);
    QCOMPARE(post("/v1/chat/completions",
                  R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]})"),
             200);
    QVERIFY(waitFor(proxy.stop(), 40000));
    QVERIFY(tokenizers->calibrationSampler()->waitForIdle());
    QCOMPARE(tokenizers->calibrationSampler()->failed(), 0);
    QVERIFY(waitFor(ledger->writer().flush()));

    RecordQuery query;
    query.fromUs = 0;
    query.toUs = std::numeric_limits<qint64>::max();
    auto records = ledger->records(query);
    QVERIFY(waitFor(records));
    QVERIFY(records.result().has_value());
    QList<CallRecord> calls = *records.result();
    QCOMPARE(calls.size(), 4);
    std::sort(calls.begin(), calls.end(), [](const CallRecord &a, const CallRecord &b) { return a.id < b.id; });

    auto pairs = CalibrationSampler::readPairs(path);
    QVERIFY(pairs.has_value());
    // 2 per model and hour: the third Claude call is not counted (unless the clock crossed an hour).
    const bool oneHour = calls[0].startedAtUs / 3'600'000'000 == calls[2].startedAtUs / 3'600'000'000;
    if (!oneHour)
        QSKIP("the calls straddled the start of an hour; the per-hour sample is not comparable");
    QCOMPARE(pairs->size(), 2);
    std::sort(pairs->begin(), pairs->end(), [](auto &a, auto &b) { return a.callId < b.callId; });
    const qint64 englishCount = ourCount(*tokenizers, english);
    const qint64 chineseCount = ourCount(*tokenizers, chinese);
    QVERIFY(englishCount > 50 && chineseCount > 30);
    const CalibrationPair &first = pairs->at(0);
    QCOMPARE(first.callId, calls[0].id);
    QCOMPARE(first.model, u"claude-sonnet-4-5-20250929"_s); // the served model
    QCOMPARE(first.encoding, u"o200k_base"_s);
    QCOMPARE(first.provider, calls[0].provider);
    QCOMPARE(first.estimatedTokens, englishCount);
    QCOMPARE(first.reportedTokens, qint64(120 + 8000 + 2500)); // d1: input + cache read + cache write
    QCOMPARE(first.reportedTokens, calls[0].usage.promptTokens);
    const CalibrationPair &second = pairs->at(1);
    QCOMPARE(second.callId, calls[1].id);
    QCOMPARE(second.estimatedTokens, chineseCount);
    QCOMPARE(second.reportedTokens, qint64(25 + 3000)); // d2's message_start / message_delta

    qInfo("pairs: English %lld ours / %lld reported, Chinese %lld / %lld", qint64(englishCount),
          qint64(first.reportedTokens), qint64(chineseCount), qint64(second.reportedTokens));
    // The live calibration has the same two calls; a registry opened later loads them from the ledger.
    const double expected = double(10620 + 3025) / double(englishCount + chineseCount);
    for (int run = 0; run < 2; ++run) {
        std::shared_ptr<Tokenizers> registry = tokenizers;
        if (run == 1) {
            registry = std::make_shared<Tokenizers>();
            registry->startCalibrationSampling(path);
            QVERIFY(registry->calibrationSampler()->waitForIdle());
        }
        const auto stats = registry->calibration().stats(u"anthropic/claude-sonnet-4-5"_s);
        QVERIFY(stats);
        QCOMPARE(stats->samples, 2);
        QCOMPARE(stats->factor, expected);
        QCOMPARE(registry->calibration().samples(u"anthropic"_s), 2);
        QVERIFY(!registry->calibration().forModel(u"claude-sonnet-4-5"_s)); // below the default 20 calls
    }
}

void CalibrationTest::estimatesUseTheFactor()
{
    Tokenizers tokenizers;
    const QByteArray body = anthropicBody(u"Be brief."_s, u"Summarise the quarterly report in one line."_s, false);
    auto raw = estimateChatUsage(tokenizers, body, u"The quarter grew 12% on cloud revenue."_s);
    QVERIFY(raw.has_value());
    QVERIFY(!raw->calibration);
    QVERIFY(raw->notes.contains(u"uncalibrated"_s));
    auto text = tokenizers.countText(u"claude-sonnet-4-5"_s, u"The quarter grew 12% on cloud revenue."_s);
    QVERIFY(text && text->estimate && !text->calibration);
    QCOMPARE(text->tokens, text->uncalibratedTokens);

    for (int i = 0; i < 20; ++i)
        tokenizers.calibration().recordModel(u"claude-sonnet-4-5-20250929"_s, 100, 125);
    auto scaled = estimateChatUsage(tokenizers, body, u"The quarter grew 12% on cloud revenue."_s);
    QVERIFY(scaled.has_value() && scaled->calibration);
    QCOMPARE(scaled->calibration->factor, 1.25);
    QCOMPARE(scaled->usage.promptTokens, qint64(std::llround(raw->usage.promptTokens * 1.25)));
    QCOMPARE(scaled->usage.completionTokens, qint64(std::llround(raw->usage.completionTokens * 1.25)));
    text = tokenizers.countText(u"claude-sonnet-4-5"_s, u"The quarter grew 12% on cloud revenue."_s);
    QVERIFY(text && text->calibration);
    QCOMPARE(text->tokens, qint64(std::llround(text->uncalibratedTokens * 1.25)));

    // An OpenAI model is counted exactly: no factor, whatever was recorded.
    const QByteArray openai = R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]})";
    auto exact = estimateChatUsage(tokenizers, openai, u"Hi"_s);
    QVERIFY(exact.has_value() && !exact->calibration);
    QCOMPARE(exact->usage.promptTokens, qint64(8)); // 3 + 1 (role) + 1 (Hello) + 3 priming
}

void CalibrationTest::batchEstimatesUseTheFactor()
{
    Tokenizers tokenizers;
    BatchRequest request;
    request.customId = u"a-1"_s;
    request.url = u"/v1/messages"_s;
    request.body = QJsonDocument::fromJson(anthropicBody(u"Classify."_s, u"A new GPU launch."_s, false)).object();
    const auto pricer = std::make_shared<Pricer>(test::builtInBook());
    const qint64 at = test::usFromIso(u"2026-11-28T12:00:00Z"_s);
    const BatchEstimate raw = BatchBuilder::estimate({request}, u"anthropic"_s, tokenizers, *pricer, at);
    QVERIFY(raw.estimate);
    QVERIFY2(raw.notes.join(u'\n').contains(u"uncalibrated"_s), qPrintable(raw.notes.join(u'\n')));
    for (int i = 0; i < 20; ++i)
        tokenizers.calibration().recordModel(u"claude-sonnet-4-5"_s, 1000, 1300);
    const BatchEstimate calibrated = BatchBuilder::estimate({request}, u"anthropic"_s, tokenizers, *pricer, at);
    QCOMPARE(calibrated.promptTokens, qint64(std::llround(raw.promptTokens * 1.3)));
    QVERIFY2(calibrated.notes.join(u'\n').contains(u"calibrated x1.300 from 20 recorded call(s)"_s),
             qPrintable(calibrated.notes.join(u'\n')));
}

void CalibrationTest::samplerSkipsCallsWithoutAProviderCount()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"ledger.sqlite"_s);
    auto ledger = test::openLedger(path);
    Tokenizers tokenizers;
    EstimateCalibration calibration(1, 1);
    CalibrationSampler sampler(tokenizers, calibration, path, {1, 16});
    const QByteArray body = anthropicBody(u"Be brief."_s, u"Hello there."_s, false);
    CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-29T10:00:00Z"_s), u"chat"_s, u"anthropic"_s,
                                    u"claude-sonnet-4-5"_s, 500, 10);
    r.id = 41;
    r.httpStatus = 200;
    CallRecord estimated = r;
    estimated.usageStatus = UsageStatus::Estimated;
    QVERIFY(!sampler.offer(estimated, body)); // our own estimate: nothing to compare
    CallRecord hit = r;
    hit.cacheOutcome = CacheOutcome::ExactHit;
    QVERIFY(!sampler.offer(hit, body)); // answered from the cache: no provider count for it
    CallRecord failed = r;
    failed.httpStatus = 529;
    QVERIFY(!sampler.offer(failed, body));
    CallRecord openai = r;
    openai.requestedModel = u"gpt-4o"_s;
    openai.servedModel = u"gpt-4o-2024-08-06"_s;
    QVERIFY(!sampler.offer(openai, body)); // exact tokenizer
    QVERIFY(sampler.offer(r, body));
    CallRecord sameHour = r;
    sameHour.id = 42;
    QVERIFY(!sampler.offer(sameHour, body)); // 1 per model and hour
    CallRecord nextHour = r;
    nextHour.id = 43;
    nextHour.startedAtUs += 3'600'000'000;
    QVERIFY(sampler.offer(nextHour, QByteArray("not json")));
    QVERIFY(sampler.waitForIdle());
    QCOMPARE(sampler.stored(), 1); // the body that is not JSON is skipped
    QCOMPARE(calibration.samples(u"anthropic/claude-sonnet-4-5"_s), 1);
    auto pairs = CalibrationSampler::readPairs(path);
    QVERIFY(pairs && pairs->size() == 1);
    QCOMPARE(pairs->at(0).callId, qint64(41));
    QCOMPARE(pairs->at(0).reportedTokens, qint64(500));
}

QTEST_MAIN(CalibrationTest)
#include "CalibrationTest.moc"
