#include "TestSupport.h"

#include "ledger/CallRecord.h"
#include "pricing/Pricer.h"
#include "pricing/ProviderUsage.h"
#include "proxy/ProviderProtocol.h"
#include "proxy/SseParser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
QJsonObject fixtureUsage(const QString &name)
{
    return QJsonDocument::fromJson(test::readFile(test::providerFixture(name))).object().value(u"usage"_s).toObject();
}
const qint64 k2025 = test::usFromIso(u"2025-09-01T12:00:00Z"_s);
const qint64 k2026Nov = test::usFromIso(u"2026-11-30T12:00:00Z"_s);

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

SseEvent sse(const QByteArray &data)
{
    SseEvent e;
    e.data = data;
    e.raw = "data: " + data + "\n\n";
    return e;
}
} // namespace

// Every cost rule with its arithmetic spelled out. Prices are the built-in book's (genai-prices 0.1.8),
// in USD per million tokens; 1 token at $X/MTok costs X * 1000 nano-USD.
class PricingTest : public QObject
{
    Q_OBJECT
private:
    Pricer m_pricer{test::builtInBook()};

private Q_SLOTS:
    void bookLoads()
    {
        const PriceBook &book = m_pricer.book();
        QCOMPARE(book.version(), u"genai-prices-0.1.8"_s);
        QCOMPARE(book.providers().size(), 43);
        qsizetype models = 0;
        for (const ProviderEntry &p : book.providers())
            models += p.models.size();
        QCOMPARE(models, qsizetype(1694));
    }

    // OpenAI: cached_tokens is part of prompt_tokens. Fixture a1, gpt-4o ($2.50 in, $1.25 cached, $10 out):
    // (2048 - 1536) * 2,500 + 1536 * 1,250 + 312 * 10,000 = 1,280,000 + 1,920,000 + 3,120,000 = 6,320,000.
    void openAiCachedTokensArePartOfPromptTokens()
    {
        const Usage u = ProviderUsage::fromOpenAiChat(fixtureUsage(u"a1-openai-chat-completion-cached.json"_s));
        QCOMPARE(u.promptTokens, 2048);
        QCOMPARE(u.cachedTokens, 1536);
        const CostResult r = m_pricer.price(u"openai"_s, u"gpt-4o-2024-08-06"_s, u, k2025, false);
        QCOMPARE(toString(r.status), toString(CostStatus::Exact));
        QCOMPARE(r.cost, std::optional<NanoUsd>(6'320'000));
        QCOMPARE(r.priceEntry, u"openai/gpt-4o"_s);
        QCOMPARE(r.priceVersion, u"genai-prices-0.1.8"_s);
    }

    // OpenAI: reasoning_tokens are part of completion_tokens, billed once. Fixture a2, o4-mini ($1.10, $4.40):
    // 1200 * 1,100 + 1450 * 4,400 = 1,320,000 + 6,380,000 = 7,700,000 (not + 1280 * 4,400 again).
    void openAiReasoningTokensAreBilledOnceAsOutput()
    {
        const Usage u = ProviderUsage::fromOpenAiChat(fixtureUsage(u"a2-openai-chat-completion-reasoning.json"_s));
        QCOMPARE(u.reasoningTokens, 1280);
        QCOMPARE(m_pricer.price(u"openai"_s, u"o4-mini-2025-04-16"_s, u, k2025, false).cost, std::optional<NanoUsd>(7'700'000));
    }

    // Responses API, fixture c1, gpt-5 ($1.25, $0.125 cached, $10): (5000 - 4096) * 1,250 + 4096 * 125 + 900 * 10,000
    // = 1,130,000 + 512,000 + 9,000,000 = 10,642,000.
    void openAiResponsesUsage()
    {
        const QJsonObject usage = QJsonDocument::fromJson(test::readFile(test::providerFixture(u"c1-openai-responses.json"_s)))
                                      .object()
                                      .value(u"usage"_s)
                                      .toObject();
        const Usage u = ProviderUsage::fromOpenAiResponses(usage);
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-5-2025-08-07"_s, u, k2025, false).cost, std::optional<NanoUsd>(10'642'000));
    }

    // Anthropic: input_tokens excludes cache reads and writes. Fixture d1, claude-sonnet-4-5 ($3 in, $0.30 read,
    // $3.75 5-minute write, $6 1-hour write, $15 out):
    // 120 * 3,000 + 8000 * 300 + 2000 * 3,750 + 500 * 6,000 + 640 * 15,000
    // = 360,000 + 2,400,000 + 7,500,000 + 3,000,000 + 9,600,000 = 22,860,000.
    void anthropicCacheReadsAndWritesByTtl()
    {
        const Usage u = ProviderUsage::fromAnthropic(fixtureUsage(u"d1-anthropic-message.json"_s));
        QCOMPARE(u.promptTokens, 120 + 8000 + 2500);
        QCOMPARE(u.cachedTokens, 8000);
        QCOMPARE(u.cacheWrite5mTokens, 2000);
        QCOMPARE(u.cacheWrite1hTokens, 500);
        QCOMPARE(u.uncachedInputTokens(), 120);
        const CostResult r = m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5-20250929"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(22'860'000));
        QCOMPARE(toString(r.status), toString(CostStatus::Exact));
    }

    // Without the per-TTL split, cache_creation_input_tokens are 5-minute writes (the default TTL).
    void anthropicCacheWritesWithoutSplitAreFiveMinute()
    {
        const Usage u = ProviderUsage::fromAnthropic(QJsonObject{{u"input_tokens"_s, 10},
                                                                  {u"cache_creation_input_tokens"_s, 100},
                                                                  {u"cache_read_input_tokens"_s, 0},
                                                                  {u"output_tokens"_s, 1}});
        QCOMPARE(u.cacheWrite5mTokens, 100);
        QCOMPARE(u.cacheWrite1hTokens, 0);
        QCOMPARE(u.promptTokens, 110);
    }

    // A per-TTL split that names fewer tokens than cache_creation_input_tokens: the rest are 5-minute writes
    // (the default TTL), so no written token goes unbilled (session-12 trial: 500 of 2,500 were dropped).
    // claude-sonnet-4-5: 100 * 3,000 + 2,500 * 3,750 + 10 * 15,000 = 300,000 + 9,375,000 + 150,000 = 9,825,000.
    void anthropicCacheWritesTheSplitDoesNotNameAreFiveMinute()
    {
        const Usage u = ProviderUsage::fromAnthropic(QJsonDocument::fromJson(
            R"({"input_tokens":100,"cache_creation_input_tokens":2500,"cache_read_input_tokens":0,)"
            R"("cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":0},"output_tokens":10})").object());
        QCOMPARE(u.cacheWrite5mTokens, 2500);
        QCOMPARE(u.cacheWrite1hTokens, 0);
        QCOMPARE(u.promptTokens, 2600);
        const CostResult r = m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5-20250929"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(9'825'000));
    }

    // Long context: above 200k input tokens the whole request is billed at the tier's prices.
    void longContextTierPricesTheWholeRequest_data()
    {
        QTest::addColumn<qint64>("input");
        QTest::addColumn<qint64>("expected");
        // 200,000 * 3,000 + 1000 * 15,000 = 600,000,000 + 15,000,000
        QTest::newRow("exactly at the threshold stays at base") << qint64(200'000) << qint64(615'000'000);
        // 200,001 * 6,000 + 1000 * 22,500 = 1,200,006,000 + 22,500,000
        QTest::newRow("one token above switches everything") << qint64(200'001) << qint64(1'222'506'000);
        // 250,000 * 6,000 + 1000 * 22,500
        QTest::newRow("well above") << qint64(250'000) << qint64(1'522'500'000);
    }
    void longContextTierPricesTheWholeRequest()
    {
        QFETCH(qint64, input);
        QFETCH(qint64, expected);
        Usage u;
        u.promptTokens = input;
        u.completionTokens = 1000;
        QCOMPARE(m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5"_s, u, k2025, false).cost, std::optional<NanoUsd>(expected));
    }

    // Batch API: 50% of the list input and output prices (the book has no batch prices).
    // gpt-4o-mini: (1000 * 150 + 200 * 600) / 2 = 270,000 / 2 = 135,000.
    void batchIsHalfPrice()
    {
        Usage u;
        u.promptTokens = 1000;
        u.completionTokens = 200;
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-4o-mini"_s, u, k2025, false).cost, std::optional<NanoUsd>(270'000));
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-4o-mini"_s, u, k2025, true).cost, std::optional<NanoUsd>(135'000));
    }

    // A Batch API record keeps what the discount saved: list cost - batch cost (270,000 - 135,000).
    // A real-time record saves nothing; an unpriced batch record claims no saving.
    void batchRecordKeepsItsDiscountAsSaving()
    {
        CallRecord r;
        r.provider = u"openai"_s;
        r.requestedModel = u"gpt-4o-mini"_s;
        r.startedAtUs = k2025;
        r.usage.promptTokens = 1000;
        r.usage.completionTokens = 200;
        r.batch = true;
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(135'000));
        QCOMPARE(r.savedCost, NanoUsd(135'000));
        CallRecord realtime = r;
        realtime.batch = false;
        realtime.savedCost = 0;
        m_pricer.apply(realtime);
        QCOMPARE(realtime.cost, std::optional<NanoUsd>(270'000));
        QCOMPARE(realtime.savedCost, NanoUsd(0));
        r.batch = true;
        r.requestedModel = u"no-such-model-xyz"_s;
        m_pricer.apply(r);
        QVERIFY(!r.cost);
        QCOMPARE(r.savedCost, NanoUsd(0));
    }

    // Batch prices from the price data (an override here) win over the 50% rule.
    void explicitBatchPricesWin()
    {
        PriceOverride o;
        o.model = u"my-model"_s;
        o.prices.input = TieredPrice{1'000'000'000, {}};
        o.prices.output = TieredPrice{2'000'000'000, {}};
        o.prices.batchInput = TieredPrice{400'000'000, {}};
        o.prices.batchOutput = TieredPrice{800'000'000, {}};
        Pricer pricer(test::builtInBook(), {o});
        Usage u;
        u.promptTokens = 1000;
        u.completionTokens = 1000;
        // 1000 * 400 + 1000 * 800 = 1,200,000
        QCOMPARE(pricer.price({}, u"my-model"_s, u, k2025, true).cost, std::optional<NanoUsd>(1'200'000));
    }

    // Prices that changed on a date (o3 dropped from $10/$40 to $2/$8 on 2025-06-10).
    void datedPricesFollowTheCallsDate()
    {
        Usage u;
        u.promptTokens = 1000;
        QCOMPARE(m_pricer.price(u"openai"_s, u"o3"_s, u, test::usFromIso(u"2025-06-09T23:59:59Z"_s), false).cost,
                 std::optional<NanoUsd>(10'000'000));
        QCOMPARE(m_pricer.price(u"openai"_s, u"o3"_s, u, test::usFromIso(u"2025-06-10T00:00:00Z"_s), false).cost,
                 std::optional<NanoUsd>(2'000'000));
    }

    void modelResolution_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("entry");
        QTest::addColumn<bool>("exact");
        QTest::newRow("dated snapshot listed in the book") << u"openai"_s << u"gpt-4o-2024-08-06"_s << u"openai/gpt-4o"_s << true;
        QTest::newRow("more specific wins over a shorter name") << u"openai"_s << u"gpt-4o-mini-2024-07-18"_s
                                                                << u"openai/gpt-4o-mini"_s << true;
        QTest::newRow("no provider given") << QString() << u"gpt-4o-mini"_s << u"openai/gpt-4o-mini"_s << true;
        QTest::newRow("provider prefix") << QString() << u"openai/gpt-4o"_s << u"openai/gpt-4o"_s << true;
        QTest::newRow("prefix rule of the book") << u"openai"_s << u"gpt-4o-audio-preview-2025-06-03"_s
                                                 << u"openai/gpt-4o-audio-preview"_s << true;
        QTest::newRow("unknown snapshot priced as its model, estimated") << u"openai"_s << u"gpt-4o-2099-01-01"_s
                                                                         << u"openai/gpt-4o"_s << false;
        QTest::newRow("fine-tuned at the book's fine-tuned rate") << u"openai"_s << u"ft:gpt-4o-mini-2024-07-18:acme::abc123"_s
                                                                  << u"openai/ft:gpt-4o-mini"_s << true;
        QTest::newRow("fine-tuned without a rate: base model, estimated")
            << u"openai"_s << u"ft:o4-mini-2025-04-16:acme::x1"_s << u"openai/o4-mini"_s << false;
        QTest::newRow("Anthropic dated id by prefix rule") << u"anthropic"_s << u"claude-3-5-sonnet-20241022"_s
                                                           << u"anthropic/claude-3-5-sonnet"_s << true;
        // Names that differ from the book's only in case (a spreadsheet's "OpenAI" / "GPT-4o"; session 20: unpriced).
        QTest::newRow("model in another case") << u"openai"_s << u"GPT-4o"_s << u"openai/gpt-4o"_s << true;
        QTest::newRow("provider in another case") << u"OpenAI"_s << u"gpt-4o-mini"_s << u"openai/gpt-4o-mini"_s << true;
        QTest::newRow("both in another case, dated") << u"Anthropic"_s << u"Claude-3-5-Sonnet-20241022"_s
                                                     << u"anthropic/claude-3-5-sonnet"_s << true;
        QTest::newRow("provider prefix in another case") << QString() << u"OpenAI/GPT-4o"_s << u"openai/gpt-4o"_s << true;
        QTest::newRow("book name with capitals, given in lower case")
            << u"avian"_s << u"meta-llama-3.3-70b-instruct"_s << u"avian/Meta-Llama-3.3-70B-Instruct"_s << true;
    }
    void modelResolution()
    {
        QFETCH(QString, provider);
        QFETCH(QString, model);
        QFETCH(QString, entry);
        QFETCH(bool, exact);
        const auto m = m_pricer.book().resolve(provider, model);
        QVERIFY2(m.has_value(), qPrintable(model));
        QCOMPARE(m->provider->id + u'/' + m->model->id, entry);
        QCOMPARE(m->exact, exact);
        if (!exact)
            QVERIFY(!m->note.isEmpty());
    }

    // ft:gpt-4o-mini at $0.30 / $1.20: 1000 * 300 + 100 * 1,200 = 420,000
    void fineTunedRate()
    {
        Usage u;
        u.promptTokens = 1000;
        u.completionTokens = 100;
        const CostResult r = m_pricer.price(u"openai"_s, u"ft:gpt-4o-mini-2024-07-18:acme::abc123"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(420'000));
        QCOMPARE(toString(r.status), toString(CostStatus::Exact));
        const CostResult est = m_pricer.price(u"openai"_s, u"ft:o4-mini-2025-04-16:acme::x1"_s, u, k2025, false);
        QCOMPARE(toString(est.status), toString(CostStatus::Estimated));
    }

    void userAliasMapsADeploymentName()
    {
        Pricer pricer(test::builtInBook(), {}, {ModelAlias{u"prod-gpt4o"_s, u"openai"_s, u"gpt-4o"_s}});
        Usage u;
        u.promptTokens = 1000;
        QCOMPARE(pricer.price(u"azure"_s, u"prod-gpt4o"_s, u, k2025, false).cost, std::optional<NanoUsd>(2'500'000));
        QVERIFY(!m_pricer.price(u"azure"_s, u"prod-gpt4o"_s, u, k2025, false).cost.has_value());
    }

    void overridesWinAndNameTheirRevision()
    {
        PriceOverride o;
        o.provider = u"openai"_s;
        o.model = u"gpt-4o"_s;
        o.revision = 7;
        o.prices.input = TieredPrice{2'000'000'000, {}};
        o.prices.output = TieredPrice{8'000'000'000, {}};
        Pricer pricer(test::builtInBook(), {o});
        Usage u;
        u.promptTokens = 1000;
        u.completionTokens = 1000;
        const CostResult r = pricer.price(u"openai"_s, u"gpt-4o"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(10'000'000)); // 1000 * 2,000 + 1000 * 8,000
        QCOMPARE(r.priceEntry, u"override/gpt-4o"_s);
        QCOMPARE(r.priceVersion, u"override-r7"_s);
    }

    void unknownModelIsUnpricedNotZero()
    {
        Usage u;
        u.promptTokens = 1000;
        const CostResult r = m_pricer.price({}, u"my-local-llama-70b"_s, u, k2025, false);
        QCOMPARE(toString(r.status), toString(CostStatus::Unpriced));
        QVERIFY(!r.cost.has_value());
        QVERIFY(r.note.contains(u"my-local-llama-70b"_s));
    }

    // Audio tokens without an audio price are billed at the text price and flagged as an estimate.
    void audioWithoutAudioPriceIsAnEstimate()
    {
        const Usage u = ProviderUsage::fromOpenAiChat(fixtureUsage(u"a3-openai-chat-completion-audio.json"_s));
        QCOMPARE(u.audioInputTokens, 800);
        const CostResult r = m_pricer.price(u"openai"_s, u"gpt-4o-audio-preview-2025-06-03"_s, u, k2025, false);
        QCOMPARE(toString(r.status), toString(CostStatus::Estimated));
        QCOMPARE(r.cost, std::optional<NanoUsd>(7'500'000)); // 1000 * 2,500 + 500 * 10,000
    }

    // Session-8 trial finding 12: usage that cannot be true is not trusted. The record is kept with usage
    // "invalid" (counts 0) and no cost, never a negative or wrapped figure marked exact.
    void malformedUsageIsRecordedInvalidAndUnpriced_data()
    {
        QTest::addColumn<QString>("api");
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<QString>("problem");
        QTest::newRow("cached tokens above the prompt tokens")
            << u"chat"_s
            << QByteArray(R"({"prompt_tokens":1000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":3000}})")
            << u"exceed the prompt tokens"_s;
        QTest::newRow("negative completion tokens")
            << u"chat"_s << QByteArray(R"({"prompt_tokens":1000,"completion_tokens":-100})") << u"negative"_s;
        QTest::newRow("fractional prompt tokens")
            << u"chat"_s << QByteArray(R"({"prompt_tokens":1000.7,"completion_tokens":100})") << u"not a whole number"_s;
        QTest::newRow("prompt tokens as text")
            << u"chat"_s << QByteArray(R"({"prompt_tokens":"1000","completion_tokens":100})") << u"not a whole number"_s;
        QTest::newRow("10^16 prompt tokens (wrapped int64 cost before)")
            << u"chat"_s << QByteArray(R"({"prompt_tokens":10000000000000000,"completion_tokens":100})")
            << u"not below the bound"_s;
        QTest::newRow("reasoning tokens above the completion tokens")
            << u"responses"_s
            << QByteArray(R"({"input_tokens":10,"output_tokens":5,"output_tokens_details":{"reasoning_tokens":6}})")
            << u"reasoning tokens"_s;
        QTest::newRow("negative Anthropic input tokens")
            << u"messages"_s << QByteArray(R"({"input_tokens":-5,"output_tokens":10})") << u"negative"_s;
        QTest::newRow("Anthropic per-TTL cache writes above their total")
            << u"messages"_s
            << QByteArray(R"({"input_tokens":100,"cache_creation_input_tokens":100,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":1000},"output_tokens":10})")
            << u"exceed the prompt tokens"_s;
        QTest::newRow("Perplexity reasoning and citation tokens on top, not normalised")
            << u"chat"_s
            << QByteArray(R"({"prompt_tokens":33,"completion_tokens":100,"reasoning_tokens":80,"citation_tokens":40})")
            << u"reasoning and citation tokens"_s;
        QTest::newRow("fractional web searches")
            << u"messages"_s
            << QByteArray(R"({"input_tokens":5,"output_tokens":10,"server_tool_use":{"web_search_requests":1.5}})")
            << u"web_search_requests"_s;
    }
    void malformedUsageIsRecordedInvalidAndUnpriced()
    {
        QFETCH(QString, api);
        QFETCH(QByteArray, usage);
        QFETCH(QString, problem);
        const QJsonObject u = QJsonDocument::fromJson(usage).object();
        CallRecord r = test::makeRecord(k2025, u"chat"_s, api == "messages"_L1 ? u"anthropic"_s : u"openai"_s,
                                        api == "messages"_L1 ? u"claude-sonnet-4-5"_s : u"gpt-4o"_s, 0, 0);
        r.usage = api == "chat"_L1 ? ProviderUsage::fromOpenAiChat(u)
            : api == "responses"_L1 ? ProviderUsage::fromOpenAiResponses(u)
                                    : ProviderUsage::fromAnthropic(u);
        QVERIFY2(usageProblem(r.usage).contains(problem), qPrintable(usageProblem(r.usage)));
        r.sourceRef = u"proxy"_s;
        m_pricer.apply(r);
        QCOMPARE(toString(r.usageStatus), u"invalid"_s);
        QCOMPARE(r.usage, Usage{});
        QCOMPARE(r.cost, std::optional<NanoUsd>());
        QCOMPARE(toString(r.costStatus), u"unpriced"_s);
        // A re-price of the stored record keeps it so.
        m_pricer.apply(r);
        QCOMPARE(toString(r.usageStatus), u"invalid"_s);
        QCOMPARE(r.cost, std::optional<NanoUsd>());
    }

    // Usage at the bound is accepted; a cost that would overflow or exceed kMaxRecordCost (2^53 nano-USD)
    // is unpriced with a note, never a wrapped figure.
    void overflowingCostIsUnpriced()
    {
        Usage u;
        u.promptTokens = kMaxUsageCount - 1; // accepted
        QVERIFY(usageProblem(u).isEmpty());
        // gpt-4o: (2^40 - 1) * 2,500 = 2,748,779,069,437,500 nano-USD < 2^53: priced.
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-4o"_s, u, k2025, false).cost,
                 std::optional<NanoUsd>((kMaxUsageCount - 1) * 2'500));
        // claude-opus-4-1 ($15/MTok): 1.6e16 nano-USD > 2^53: unpriced, with a note.
        const CostResult big = m_pricer.price(u"anthropic"_s, u"claude-opus-4-1"_s, u, k2025, false);
        QCOMPARE(big.cost, std::optional<NanoUsd>());
        QCOMPARE(toString(big.status), u"unpriced"_s);
        QVERIFY2(big.note.contains(u"exceeds"_s), qPrintable(big.note));
        // An override whose price makes the multiply itself overflow qint64.
        ModelPrices huge;
        huge.input = TieredPrice{std::numeric_limits<qint64>::max() / 2, {}};
        bool estimated = false;
        bool overflow = false;
        QCOMPARE(Pricer::compute(huge, u, false, false, &estimated, 1, {}, &overflow), std::optional<NanoUsd>());
        QVERIFY(overflow);
    }

    // Session-8 trial finding 4: OpenAI cache_write_tokens are part of prompt/input tokens and billed at
    // cache_write_mtok. gpt-6-luna ($0.10 in, $0.01 read, $0.125 write, $0.50 out):
    // 5,000 * 100 + 2,000 * 10 + 3,000 * 125 + 1,000 * 500 = 500,000 + 20,000 + 375,000 + 500,000 = 1,395,000.
    // gpt-5.6-luna from 2026-07-30 ($0.20, $0.02, $0.25, $1.20):
    // 5,000 * 200 + 2,000 * 20 + 3,000 * 250 + 1,000 * 1,200 = 1,000,000 + 40,000 + 750,000 + 1,200,000 = 2,990,000.
    void openAiCacheWritesArePriced()
    {
        const Usage responses = ProviderUsage::fromOpenAiResponses(json(
            R"({"input_tokens":10000,"input_tokens_details":{"cached_tokens":2000,"cache_write_tokens":3000},"output_tokens":1000,"output_tokens_details":{"reasoning_tokens":0}})"));
        QCOMPARE(responses.cacheWrite5mTokens, 3000);
        QCOMPARE(responses.uncachedInputTokens(), 5000);
        const CostResult r = m_pricer.price(u"openai"_s, u"gpt-6-luna"_s, responses, k2026Nov, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(1'395'000));
        QCOMPARE(toString(r.status), u"exact"_s);
        const Usage chat = ProviderUsage::fromOpenAiChat(json(
            R"({"prompt_tokens":10000,"prompt_tokens_details":{"cached_tokens":2000,"cache_write_tokens":3000},"completion_tokens":1000})"));
        QCOMPARE(chat, responses);
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-5.6-luna"_s, chat, k2026Nov, false).cost,
                 std::optional<NanoUsd>(2'990'000));
    }

    // Session-8 trial finding 5: web searches at web_searches_kcount ($10 per 1,000 for sonnet-4-5):
    // 1,000 * 3,000 + 100 * 15,000 + 3 * 10,000,000 = 34,500,000 for a JSON answer, a stream's
    // message_delta, and the proxy's JSON reading (usageFromBody). The Batch API halves the tokens only.
    void webSearchesArePriced()
    {
        const QByteArray answer = R"({"id":"m","type":"message","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":1000,"output_tokens":100,"server_tool_use":{"web_search_requests":3}}})";
        const Usage fromJson = ProviderUsage::fromAnthropic(QJsonDocument::fromJson(answer).object().value(u"usage"_s).toObject());
        QCOMPARE(fromJson.webSearchRequests, 3);
        QCOMPARE(proxy::usageFromBody(proxy::ApiKind::Messages, answer).usage, fromJson);

        proxy::StreamAccounting stream(proxy::ApiKind::Messages);
        stream.onEvent(sse(R"({"type":"message_start","message":{"id":"m","model":"claude-sonnet-4-5","role":"assistant","content":[],"usage":{"input_tokens":1000,"output_tokens":1}}})"), false);
        stream.onEvent(sse(R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":100,"server_tool_use":{"web_search_requests":3}}})"), false);
        stream.onEvent(sse(R"({"type":"message_stop"})"), false);
        QCOMPARE(stream.usage(), fromJson);

        CallRecord r = test::makeRecord(k2025, u"chat"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, 0, 0);
        r.usage = stream.usage();
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(34'500'000));
        QCOMPARE(toString(r.costStatus), u"exact"_s);

        // Batch: (3,000,000 + 1,500,000) / 2 + 30,000,000.
        QCOMPARE(m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5"_s, fromJson, k2025, true).cost,
                 std::optional<NanoUsd>(32'250'000));
        // A model without a search price: unpriced, not the tokens alone.
        ModelPrices noSearch;
        noSearch.input = TieredPrice{3'000'000'000, {}};
        noSearch.output = TieredPrice{15'000'000'000, {}};
        bool estimated = false;
        QCOMPARE(Pricer::compute(noSearch, fromJson, false, true, &estimated), std::optional<NanoUsd>());
    }

    // OpenAI Responses file search tool calls: each file_search_call output item is one call, billed at
    // storage_searches_kcount ($2.50 per 1,000 calls on OpenAI's pricing page and in genai-prices 0.1.8, so
    // 2,500,000 nano-USD a call), whatever its number of queries; read alike from a JSON answer (Qt and the
    // proxy's simdjson reading) and from a stream's response.completed. Before, no reader counted them and the
    // cost was the tokens alone.
    //  gpt-5 ($1.25 in, $10 out / M), 75 in / 18 out, 2 file searches:
    //    75 x 1,250 + 18 x 10,000 = 93,750 + 180,000 = 273,750 of tokens, + 2 x 2,500,000 = 5,273,750.
    //  gpt-4.1 ($2 in, $8 out / M), 1,000 in / 100 out, 2 file searches:
    //    standard 1,000 x 2,000 + 100 x 8,000 = 2,800,000, + 5,000,000 = 7,800,000;
    //    Batch API: the tokens halved, the calls not (as web searches): 1,400,000 + 5,000,000 = 6,400,000.
    void fileSearchCallsArePriced()
    {
        const QByteArray answer = R"({"id":"resp_fs","object":"response","status":"completed","model":"gpt-5-2025-08-07","output":[)"
            R"({"id":"fs_1","type":"file_search_call","status":"completed","queries":["grass colour","why green"],"results":null},)"
            R"({"id":"ws_1","type":"web_search_call","status":"completed","action":{"type":"open_page","url":"https://example.com"}},)"
            R"({"id":"fs_2","type":"file_search_call","status":"completed","queries":["chlorophyll"],"results":null},)"
            R"({"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Green.","annotations":[]}]}],)"
            R"("usage":{"input_tokens":75,"input_tokens_details":{"cached_tokens":0},"output_tokens":18,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":93}})";
        const proxy::AnswerUsage qt = proxy::usageFromAnswer(proxy::ApiKind::Responses, QJsonDocument::fromJson(answer).object());
        QCOMPARE(qt.usage.fileSearchCalls, 2);
        QCOMPARE(qt.usage.webSearchRequests, 0); // the open_page action is no search
        QCOMPARE(qt.usage.promptTokens, 75);
        QCOMPARE(qt.usage.completionTokens, 18);
        QCOMPARE(proxy::usageFromBody(proxy::ApiKind::Responses, answer).usage, qt.usage);

        proxy::StreamAccounting stream(proxy::ApiKind::Responses);
        stream.onEvent(sse(R"({"type":"response.output_item.done","output_index":0,"item":{"id":"fs_1","type":"file_search_call","status":"completed","queries":["q"],"results":null}})"), false);
        QCOMPARE(stream.usage().fileSearchCalls, 1); // a stream cut here still counts the call done
        stream.onEvent(sse(R"({"type":"response.completed","response":)" + answer + "}"), false);
        QCOMPARE(stream.usage(), qt.usage); // response.completed's output: 2, not 1 + 2

        CallRecord r = test::makeRecord(k2025, u"chat"_s, u"openai"_s, u"gpt-5-2025-08-07"_s, 0, 0);
        r.usage = stream.usage();
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(5'273'750));
        QCOMPARE(toString(r.costStatus), u"exact"_s);
        Usage tokensOnly = qt.usage;
        tokensOnly.fileSearchCalls = 0;
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-5"_s, tokensOnly, k2025, false).cost, std::optional<NanoUsd>(273'750));

        Usage u41;
        u41.promptTokens = 1000;
        u41.completionTokens = 100;
        u41.fileSearchCalls = 2;
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-4.1"_s, u41, k2025, false).cost, std::optional<NanoUsd>(7'800'000));
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-4.1"_s, u41, k2025, true).cost, std::optional<NanoUsd>(6'400'000));

        // A model without a file search price: unpriced, not the tokens alone; the price survives the override
        // JSON round trip and prices the calls exactly there.
        ModelPrices prices;
        prices.input = TieredPrice{2'000'000'000, {}};
        prices.output = TieredPrice{8'000'000'000, {}};
        bool estimated = false;
        QCOMPARE(Pricer::compute(prices, u41, false, false, &estimated), std::optional<NanoUsd>());
        prices.fileSearchesPerThousand = 2'500'000'000;
        QCOMPARE(ModelPrices::fromJson(prices.toJson()), prices);
        QCOMPARE(prices.toJson().value(u"storage_searches_kcount"_s).toInteger(), 2'500'000'000);
        QCOMPARE(Pricer::compute(prices, u41, false, false, &estimated), std::optional<NanoUsd>(7'800'000));
        QVERIFY(!estimated);
        // More calls than any record may carry: invalid usage, named.
        Usage tooMany = u41;
        tooMany.fileSearchCalls = kMaxUsageCount;
        QVERIFY2(usageProblem(tooMany).contains(u"file_search_calls"_s), qPrintable(usageProblem(tooMany)));
    }

    // Session-8 trial finding 3: an aggregate line's context-window band selects the long-context tier
    // exactly. g1's sonnet line in "200k-1M": 150,000 * 6,000 + 80,000 * 7,500 + 20,000 * 12,000
    // + 900,000 * 600 + 60,000 * 22,500 = 3,630,000,000; in "0-200k" the base prices, 2,040,000,000.
    void contextWindowBandSelectsTheTier_data()
    {
        QTest::addColumn<QString>("band");
        QTest::addColumn<qint64>("cost");
        QTest::addColumn<QString>("status");
        QTest::newRow("200k-1M: long-context tier, exact") << u"200k-1M"_s << qint64(3'630'000'000) << u"exact"_s;
        QTest::newRow("0-200k: base tier, exact") << u"0-200k"_s << qint64(2'040'000'000) << u"exact"_s;
        QTest::newRow("no band: base tier, estimated") << QString() << qint64(2'040'000'000) << u"estimated"_s;
        QTest::newRow("a band the tier starts inside: estimated") << u"100k-300k"_s << qint64(2'040'000'000)
                                                                  << u"estimated"_s;
    }
    void contextWindowBandSelectsTheTier()
    {
        QFETCH(QString, band);
        QFETCH(qint64, cost);
        QFETCH(QString, status);
        CallRecord r = test::makeRecord(k2025, u"w"_s, u"anthropic"_s, u"claude-sonnet-4-5-20250929"_s, 0, 0);
        r.usage.cacheWrite5mTokens = 80'000;
        r.usage.cacheWrite1hTokens = 20'000;
        r.usage.cachedTokens = 900'000;
        r.usage.promptTokens = 150'000 + 80'000 + 20'000 + 900'000;
        r.usage.completionTokens = 60'000;
        r.callCount = 0;
        r.contextWindow = band;
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(cost));
        QCOMPARE(toString(r.costStatus), status);
        QCOMPARE(parseContextWindow(u"200k-1M"), std::optional<ContextBand>(ContextBand{200'000, 1'000'000}));
        QCOMPARE(parseContextWindow(u"soon"), std::optional<ContextBand>());
    }

    // Session-8 trial finding 11: a cache hit has the status of the price it saves: none (unpriced model)
    // -> unpriced, saving unknown; an estimated price (an unknown snapshot) -> estimated.
    void cacheHitsKeepTheStatusOfTheirPrice()
    {
        CallRecord unknown = test::makeRecord(k2025, u"chat"_s, u"openai"_s, u"in-house-llm"_s, 1000, 100);
        unknown.cacheOutcome = CacheOutcome::ExactHit;
        m_pricer.apply(unknown);
        QCOMPARE(unknown.cost, std::optional<NanoUsd>());
        QCOMPARE(toString(unknown.costStatus), u"unpriced"_s);
        QCOMPARE(unknown.savedCost, NanoUsd(0));

        CallRecord snapshot = test::makeRecord(k2025, u"chat"_s, u"openai"_s, u"gpt-4o-2099-01-01"_s, 1000, 100);
        snapshot.cacheOutcome = CacheOutcome::SemanticHit;
        m_pricer.apply(snapshot);
        QCOMPARE(snapshot.cost, std::optional<NanoUsd>(0));
        QCOMPARE(toString(snapshot.costStatus), u"estimated"_s);
        QCOMPARE(snapshot.savedCost, NanoUsd(3'500'000)); // 1000 * 2,500 + 100 * 10,000 at gpt-4o's price
    }

    void cacheHitCostsNothingAndRecordsItsSaving()
    {
        CallRecord r = test::makeRecord(k2025, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 1000, 100);
        r.cacheOutcome = CacheOutcome::ExactHit;
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(0));
        QCOMPARE(r.savedCost, NanoUsd(3'500'000)); // 1000 * 2,500 + 100 * 10,000
    }

    // An aggregate of 10 calls with 2.5M input tokens: the tier is chosen by the average call (250k > 200k),
    // flagged as an estimate because real calls differ.
    void aggregatesPickTiersByTheAverageCall()
    {
        Usage u;
        u.promptTokens = 2'500'000;
        const CostResult ten = m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5"_s, u, k2025, false, 10);
        QCOMPARE(ten.cost, std::optional<NanoUsd>(2'500'000LL * 6'000));
        QCOMPARE(toString(ten.status), toString(CostStatus::Estimated));
        const CostResult many = m_pricer.price(u"anthropic"_s, u"claude-sonnet-4-5"_s, u, k2025, false, 100);
        QCOMPARE(many.cost, std::optional<NanoUsd>(2'500'000LL * 3'000));
    }

    // requests_kcount: Perplexity sonar ($1 / $1 per M, 12 USD per 1,000 requests) bills a fee per call.
    // 1,000 in / 500 out: 1,000 * 1,000 + 500 * 1,000 + 12,000,000 = 13,500,000 (before: 1,500,000, exact).
    // The book takes Perplexity's highest fee (by search context size; its price_comments): an estimate. The
    // searches a sonar answer counts (num_search_queries) are in that fee; an aggregate line pays it per call.
    void requestFeeIsBilledPerCall()
    {
        Usage u;
        u.promptTokens = 1000;
        u.completionTokens = 500;
        const CostResult one = m_pricer.price(u"perplexity"_s, u"sonar"_s, u, k2025, false);
        QCOMPARE(one.cost, std::optional<NanoUsd>(13'500'000));
        QCOMPARE(toString(one.status), toString(CostStatus::Estimated));
        QVERIFY2(one.note.contains(u"request fee"_s), qPrintable(one.note));

        Usage searched = u;
        searched.webSearchRequests = 2;
        QCOMPARE(m_pricer.price(u"perplexity"_s, u"sonar"_s, searched, k2025, false).cost,
                 std::optional<NanoUsd>(13'500'000));
        // sonar-pro, 14 USD per 1,000: 1,000 * 3,000 + 500 * 15,000 + 14,000,000 = 24,500,000.
        QCOMPARE(m_pricer.price(u"perplexity"_s, u"sonar-pro"_s, u, k2025, false).cost,
                 std::optional<NanoUsd>(24'500'000));
        // Ten calls: 1,500,000 + 10 * 12,000,000; an unknown number of calls: the tokens, an estimate.
        QCOMPARE(m_pricer.price(u"perplexity"_s, u"sonar"_s, u, k2025, false, 10).cost,
                 std::optional<NanoUsd>(121'500'000));
        bool estimated = false;
        ModelPrices fee;
        fee.input = TieredPrice{1'000'000'000, {}};
        fee.output = TieredPrice{1'000'000'000, {}};
        fee.requestsPerThousand = 12'000'000'000;
        QCOMPARE(Pricer::compute(fee, u, false, false, &estimated, 0), std::optional<NanoUsd>(1'500'000));
        QVERIFY(estimated);
        // A fee the user set is exact; it survives the JSON round trip of overrides.
        QCOMPARE(ModelPrices::fromJson(fee.toJson()), fee);
        const Pricer withOverride(test::builtInBook(), {PriceOverride{u"perplexity"_s, u"sonar"_s, fee, 1, {}}});
        const CostResult overridden = withOverride.price(u"perplexity"_s, u"sonar"_s, u, k2025, false);
        QCOMPARE(overridden.cost, std::optional<NanoUsd>(13'500'000));
        QCOMPARE(toString(overridden.status), toString(CostStatus::Exact));
    }

    // Perplexity's usage (genai-prices 0.1.8 extractor; its test_perplexity_deep_research_additive_output_categories):
    // reasoning_tokens, citation_tokens and num_search_queries at the top of usage, reasoning and citation tokens
    // beside completion_tokens. Read from a JSON answer (Qt and simdjson) and from a stream's last chunk alike.
    // sonar-deep-research ($2 in, $8 out, $3 reasoning, $2 citation per M, $5 per 1,000 searches):
    // 33 * 2,000 + 11,395 * 8,000 + 193,947 * 3,000 + 19,028 * 2,000 + 21 * 5,000,000
    // = 66,000 + 91,160,000 + 581,841,000 + 38,056,000 + 105,000,000 = 816,123,000 (genai-prices: $0.816123).
    void perplexityDeepResearchUsage()
    {
        const QByteArray usage = R"({"prompt_tokens":33,"completion_tokens":11395,"total_tokens":11428,"citation_tokens":19028,"num_search_queries":21,"reasoning_tokens":193947})";
        const QByteArray answer = R"({"id":"p","object":"chat.completion","model":"sonar-deep-research","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":)" + usage + "}";
        Usage u = ProviderUsage::fromOpenAiChat(QJsonDocument::fromJson(usage).object());
        QCOMPARE(u.reasoningTokens, 193'947);
        QCOMPARE(u.citationTokens, 19'028);
        QCOMPARE(u.webSearchRequests, 21);
        QCOMPARE(proxy::usageFromBody(proxy::ApiKind::ChatCompletions, answer).usage, u);
        proxy::StreamAccounting stream(proxy::ApiKind::ChatCompletions);
        stream.onEvent(sse(R"({"id":"p","object":"chat.completion.chunk","model":"sonar-deep-research","choices":[{"index":0,"delta":{"role":"assistant","content":"x"}}]})"), false);
        stream.onEvent(sse(R"({"id":"p","object":"chat.completion.chunk","model":"sonar-deep-research","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":)" + usage + "}"), false);
        stream.onEvent(sse("[DONE]"), false);
        QCOMPARE(stream.usage(), u);

        ProviderUsage::normaliseForProvider(u, u"perplexity");
        QCOMPARE(u.completionTokens, 224'370); // 11,395 + 193,947 + 19,028, genai-prices' output_tokens
        CallRecord r = test::makeRecord(k2025, u"chat"_s, u"perplexity"_s, u"sonar-deep-research"_s, 0, 0);
        r.usage = u;
        m_pricer.apply(r);
        QCOMPARE(r.cost, std::optional<NanoUsd>(816'123'000));
        QCOMPARE(toString(r.costStatus), u"exact"_s);
        // Another provider's model prices the same parts at its output price: sonar-reasoning-pro ($2 / $8,
        // 14 USD per 1,000 requests; its searches in the fee): 33 * 2,000 + 224,370 * 8,000 + 14,000,000.
        QCOMPARE(m_pricer.price(u"perplexity"_s, u"sonar-reasoning-pro"_s, u, k2025, false).cost,
                 std::optional<NanoUsd>(66'000 + 224'370LL * 8'000 + 14'000'000));
    }

    // Cached audio input (OpenAI usage report input_cached_audio_tokens) at cache_audio_read_mtok. gpt-realtime-mini:
    // $0.60 text in, $0.06 cached text, $10 audio in, $0.30 cached audio, $2.40 text out, $20 audio out per M.
    // 1,200 prompt tokens: 800 audio (300 cached), 400 text (200 cached); 500 completion: 450 audio.
    // 200 * 600 + 200 * 60 + 500 * 10,000 + 300 * 300 + 50 * 2,400 + 450 * 20,000
    // = 120,000 + 12,000 + 5,000,000 + 90,000 + 120,000 + 9,000,000 = 14,342,000. Before, all 800 audio tokens
    // at the audio price and every cache read at the text cache price: 17,150,000, an estimate.
    void cachedAudioTokensAtTheirOwnPrice()
    {
        Usage u;
        u.promptTokens = 1200;
        u.cachedTokens = 500;
        u.audioInputTokens = 800;
        u.cachedAudioTokens = 300;
        u.completionTokens = 500;
        u.audioOutputTokens = 450;
        QCOMPARE(usageProblem(u), QString());
        const CostResult r = m_pricer.price(u"openai"_s, u"gpt-realtime-mini"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(14'342'000));
        QCOMPARE(toString(r.status), toString(CostStatus::Exact));

        // Cached image input likewise (gpt-realtime-mini: $0.80 image in, $0.08 cached image): 100 image tokens,
        // 40 of them cached, beside 100 text tokens: 100 * 600 + 60 * 800 + 40 * 80 = 111,200.
        Usage image;
        image.promptTokens = 200;
        image.imageInputTokens = 100;
        image.cachedTokens = 40;
        image.cachedImageTokens = 40;
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-realtime-mini"_s, image, k2025, false).cost,
                 std::optional<NanoUsd>(111'200));

        // Cached audio on a model without cache_audio_read_mtok: with the other cache reads, an estimate
        // (genai-prices 0.1.x would bill them $0).
        ModelPrices noCachedAudio;
        noCachedAudio.input = TieredPrice{600'000'000, {}};
        noCachedAudio.cacheRead = TieredPrice{60'000'000, {}};
        noCachedAudio.inputAudio = TieredPrice{10'000'000'000, {}};
        noCachedAudio.output = TieredPrice{2'400'000'000, {}};
        noCachedAudio.outputAudio = TieredPrice{20'000'000'000, {}};
        bool estimated = false;
        QCOMPARE(Pricer::compute(noCachedAudio, u, false, false, &estimated),
                 std::optional<NanoUsd>(120'000 + 500 * 60 + 5'000'000 + 120'000 + 9'000'000));
        QVERIFY(estimated);
    }

    // Output image tokens (OpenAI usage report output_image_tokens) at output_image_mtok: gpt-image-1.5 ($5 in,
    // $10 text out, $32 image out per M), 100 in, 1,000 out of which 900 image: 100 * 5,000 + 100 * 10,000
    // + 900 * 32,000 = 30,300,000 (before: 1,000 * 10,000 + 500,000 = 10,500,000, exact).
    void outputImageTokensAtTheirOwnPrice()
    {
        Usage u;
        u.promptTokens = 100;
        u.completionTokens = 1000;
        u.outputImageTokens = 900;
        const CostResult r = m_pricer.price(u"openai"_s, u"gpt-image-1.5"_s, u, k2025, false);
        QCOMPARE(r.cost, std::optional<NanoUsd>(30'300'000));
        QCOMPARE(toString(r.status), toString(CostStatus::Exact));
        // gpt-image-1 lists no output_image_mtok: its output price ($40) is the image price.
        QCOMPARE(m_pricer.price(u"openai"_s, u"gpt-image-1"_s, u, k2025, false).cost,
                 std::optional<NanoUsd>(100 * 5'000 + 1000 * 40'000));
    }
};

QTEST_GUILESS_MAIN(PricingTest)
#include "PricingTest.moc"
