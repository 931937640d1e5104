// Routing page -> Simulator page, end to end (offscreen, real widgets, a real SQLite ledger): the
// Routing page's "Use in simulator" button, wired to the Simulator page as AppContext wires it
// (RoutingPage::useInSimulatorRequested -> SimulatorPage::useRouterConfig), makes the edited router the
// scenario's complexity router, and the simulator's run replays the recorded complexities on it. The
// expected figures are computed here from list prices, not by the simulator.
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "ledger/Ledger.h"
#include "routing/RoutingPage.h"
#include "settings/Settings.h"
#include "simulator/SimulatorPage.h"
#include "simulator/StrategyOutcomeModel.h"
#include "tokenizer/Tokenizers.h"

#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

// List prices (genai-prices 0.1.8), nano-USD per token: gpt-4o-2024-08-06 $2.50 / $10 per MTok,
// gpt-4o-mini-2024-07-18 $0.15 / $0.60 per MTok.
constexpr qint64 kGpt4oIn = 2'500, kGpt4oOut = 10'000, kMiniIn = 150, kMiniOut = 600;
const QString kGpt4o = u"gpt-4o-2024-08-06"_s;
const QString kMini = u"gpt-4o-mini-2024-07-18"_s;
const qint64 kStart = 1'781'870'400'000'000LL; // 2026-06-19T12:00:00Z

// Proxy calls on chat, gpt-4o, with the complexity the router recorded.
struct Call
{
    QString complexity;
    qint64 prompt;
    qint64 completion;
};
const QList<Call> kCalls {{u"low"_s, 300, 80},    {u"low"_s, 200, 40},     {u"low"_s, 450, 120},
                          {u"medium"_s, 900, 300}, {u"medium"_s, 1500, 200}, {u"high"_s, 3000, 800}};

NanoUsd onGpt4o(const Call &c) { return c.prompt * kGpt4oIn + c.completion * kGpt4oOut; }
NanoUsd onMini(const Call &c) { return c.prompt * kMiniIn + c.completion * kMiniOut; }

} // namespace

class SimulatorRoutingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void useInSimulatorDrivesTheRun()
    {
        test::TempLedger t;
        t.settings->setTimeZone(u"UTC"_s);
        QList<CallRecord> records;
        for (int i = 0; i < kCalls.size(); ++i) {
            CallRecord r = test::makeRecord(kStart + i * 60'000'000LL, u"chat"_s, u"openai"_s, kGpt4o,
                                            kCalls[i].prompt, kCalls[i].completion);
            r.sourceKind = SourceKind::Proxy;
            r.savings.complexity = kCalls[i].complexity;
            t.ledger->pricer()->apply(r);
            records << r;
        }
        t.ledger->writer().submitBatch(records).waitForFinished();

        auto prompter = std::make_shared<test::ScriptedPrompter>();
        RoutingPage routing(*t.ledger, *t.settings, std::make_shared<tokenizer::Tokenizers>(), prompter);
        SimulatorPage simulator(*t.ledger, *t.settings, prompter,
                                [] { return test::usFromIso(u"2026-06-20T12:00:00Z"_s); });
        // As AppContext wires them (it also shows the Simulator page).
        connect(&routing, &RoutingPage::useInSimulatorRequested, &simulator, &SimulatorPage::useRouterConfig);
        routing.resize(1200, 800);
        simulator.resize(1400, 900);
        routing.show();
        simulator.show();
        // A scenario without routing (a new page starts with the built-in example, whose routing rule
        // would come first): nothing is projected to change.
        Scenario start;
        start.name = u"router from the Routing page"_s;
        simulator.setScenario(start);
        QTRY_VERIFY_WITH_TIMEOUT(simulator.isLoaded() && simulator.result().scenarioName == start.name, 10000);
        QVERIFY(!simulator.scenario().routing.enabled);
        QCOMPARE(simulator.result().projected, simulator.result().baseline);

        // Edit the router on the Routing page: openai tiers nano = gpt-4o-mini, standard and premium =
        // gpt-4o (so only what maps to nano moves), then click "Use in simulator".
        routing::RouterConfig config = routing.config();
        auto &openai = config.tiers[u"openai"_s];
        openai[size_t(routing::ModelTier::Nano)].model = kMini;
        openai[size_t(routing::ModelTier::Standard)].model = kGpt4o;
        openai[size_t(routing::ModelTier::Premium)].model = kGpt4o;
        routing.setConfig(config);
        QVERIFY(routing.isDirty()); // not saved: the simulator takes the edited config, not the saved one
        QTest::mouseClick(routing.simulatorButton(), Qt::LeftButton);
        QVERIFY(simulator.scenario().routing.router == std::optional<routing::RouterConfig>(routing.config()));
        QVERIFY(simulator.scenario().routing.enabled);

        // The run: the three low calls go to gpt-4o-mini, the others stay.
        NanoUsd baseline = 0, projected = 0;
        for (const Call &c : kCalls) {
            baseline += onGpt4o(c);
            projected += c.complexity == u"low" ? onMini(c) : onGpt4o(c);
        }
        QTRY_VERIFY_WITH_TIMEOUT(simulator.isLoaded() && simulator.result().projected == projected, 10000);
        QCOMPARE(simulator.result().baseline, baseline);
        const StrategyOutcome &routed = simulator.result().strategies.at(int(Strategy::Routing));
        QVERIFY(routed.enabled && routed.simulated);
        QCOMPARE(routed.callsAffected, 3);
        QCOMPARE(routed.saving, baseline - projected);
        // The strategy table shows the routing row's saving.
        const QModelIndex saving = simulator.strategyModel()->index(int(Strategy::Routing), StrategyOutcomeModel::Saving);
        QCOMPARE(saving.data(StrategyOutcomeModel::SortRole).toLongLong(), qint64(baseline - projected));

        // Map medium to nano too, with the combo box, and use it again: five calls move now.
        QComboBox *medium = routing.complexityTierBox(routing::Complexity::Medium);
        medium->setCurrentIndex(int(routing::ModelTier::Nano));
        QVERIFY(routing.config().tierFor(routing::Complexity::Medium) == routing::ModelTier::Nano);
        QTest::mouseClick(routing.simulatorButton(), Qt::LeftButton);
        QVERIFY(simulator.scenario().routing.router == std::optional<routing::RouterConfig>(routing.config()));
        NanoUsd projected2 = 0;
        for (const Call &c : kCalls)
            projected2 += c.complexity == u"high" ? onGpt4o(c) : onMini(c);
        QTRY_VERIFY_WITH_TIMEOUT(simulator.isLoaded() && simulator.result().projected == projected2, 10000);
        QCOMPARE(simulator.result().strategies.at(int(Strategy::Routing)).callsAffected, 5);
        QCOMPARE(simulator.result().strategies.at(int(Strategy::Routing)).saving, baseline - projected2);
        // The rest of the scenario is kept.
        QCOMPARE(simulator.scenario().name, start.name);
        QVERIFY(simulator.scenario().routing.rules.isEmpty());
    }
};

} // namespace tl

QTEST_MAIN(tl::SimulatorRoutingTest)
#include "SimulatorRoutingTest.moc"
