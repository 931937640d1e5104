#include "TestSupport.h"

#include "ledger/CallRecord.h"
#include "pricing/Pricer.h"
#include "pricing/ProviderUsage.h"

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
};

QTEST_GUILESS_MAIN(PricingTest)
#include "PricingTest.moc"
