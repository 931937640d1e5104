// The Routing page offscreen on a real temporary SQLite ledger (records written through the
// LedgerWriter): rules added, reordered, edited and deleted with the keyboard and the mouse, undo,
// the per-endpoint table, tiers, Save into the proxy's savings policy and reload (the proxy's router
// built from the stored policy decides as edited), and "test against recorded requests": per-call and
// aggregate results computed here by hand from the list prices, with calls a keyword rule leaves
// undecided (request text is not recorded) shown with every outcome and kept out of the totals.
#include "routing/RoutingPage.h"
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "common/DateRange.h"
#include "common/Translations.h"
#include "dashboard/DateRangePicker.h"
#include "proxy/SavingsPolicy.h"
#include "routing/ComplexityRulesModel.h"
#include "routing/EndpointRoutingModel.h"
#include "routing/RoutingPolicyStore.h"
#include "routing/RoutingTestModel.h"
#include "routing/RoutingTestPanel.h"
#include "routing/RoutingTiersModel.h"
#include "settings/Settings.h"
#include "tokenizer/Tokenizers.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QHeaderView>
#include <QTableView>
#include <QTranslator>
#include <QUndoStack>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

using namespace routing;

namespace {

// List prices (genai-prices 0.1.8), nano-USD per token (input / output): gpt-4o 2,500 / 10,000;
// gpt-4.1 2,000 / 8,000; gpt-4.1-mini 400 / 1,600; gpt-4.1-nano 100 / 400.
qint64 cost(const QString &model, qint64 prompt, qint64 completion)
{
    if (model == u"gpt-4o")
        return prompt * 2'500 + completion * 10'000;
    if (model == u"gpt-4.1")
        return prompt * 2'000 + completion * 8'000;
    if (model == u"gpt-4.1-mini")
        return prompt * 400 + completion * 1'600;
    if (model == u"gpt-4.1-nano")
        return prompt * 100 + completion * 400;
    qFatal("no price for %s in the test", qPrintable(model)); // test data error only
}

const qint64 kStart = test::usFromIso(u"2026-05-04T09:00:00Z"_s);

// Recorded calls of endpoint "chat" on gpt-4o (newest last):
//  A proxy, task classification, 800 chars, 1,000/100 tokens   -> rule low-task-types: nano
//  B proxy, no task, 100 chars, max tokens 50, 40/30 tokens     -> reasoning-words needs the text:
//                                                                  medium (mini) or low (nano)
//  C proxy, task code_generation, 1,000 chars, 2,000/500 tokens -> code-long: high, gpt-4.1 (cheaper)
//  D imported, no task, 300/20 tokens (no chars, no max tokens) -> undecided: mini or nano
//  E proxy, an exact-cache hit                                   -> left out
//  F proxy, task classification, pinned (X-TokenLedger-Route: off), 500/50 -> low, guard pinned
// and one call of endpoint "other".
void fill(Ledger &ledger)
{
    QList<CallRecord> records;
    int n = 0;
    auto add = [&](const QString &endpoint, SourceKind source, const QString &task, qint64 chars, qint64 maxTokens,
                   qint64 prompt, qint64 completion) -> CallRecord & {
        CallRecord r
            = test::makeRecord(kStart + n * 60'000'000LL, endpoint, u"openai"_s, u"gpt-4o"_s, prompt, completion);
        r.sourceKind = source;
        r.sourceKey = u"routingtest:%1"_s.arg(n++);
        r.taskType = task;
        r.promptChars = chars;
        r.maxTokens = maxTokens;
        records << r;
        return records.last();
    };
    add(u"chat"_s, SourceKind::Proxy, u"classification"_s, 800, 0, 1000, 100);
    add(u"chat"_s, SourceKind::Proxy, QString(), 100, 50, 40, 30);
    add(u"chat"_s, SourceKind::Proxy, u"code_generation"_s, 1000, 0, 2000, 500);
    add(u"chat"_s, SourceKind::ImportFile, QString(), 0, 0, 300, 20);
    add(u"chat"_s, SourceKind::Proxy, QString(), 50, 10, 40, 5).cacheOutcome = CacheOutcome::ExactHit;
    CallRecord &pinned = add(u"chat"_s, SourceKind::Proxy, u"classification"_s, 200, 0, 500, 50);
    pinned.savings.routeMode = u"pinned"_s;
    pinned.savings.complexity = u"low"_s;
    add(u"other"_s, SourceKind::Proxy, QString(), 10, 10, 10, 10);
    // A request that never reached an upstream (the client hung up during its body): no model to route.
    CallRecord &abandoned = add(u"chat"_s, SourceKind::Proxy, QString(), 0, 0, 0, 0);
    abandoned.requestedModel.clear();
    abandoned.servedModel.clear();
    abandoned.errorKind = u"client_closed_request"_s;
    abandoned.httpStatus = 0;
    for (CallRecord &r : records) {
        if (r.requestedModel.isEmpty()) { // as the proxy records it: an exact $0
            r.cost = 0;
            r.costStatus = CostStatus::Exact;
        } else {
            ledger.pricer()->apply(r);
        }
    }
    const WriteReport report = ledger.writer().submitBatch(records).result();
    QCOMPARE(report.inserted, records.size());
}

QJsonObject storedPolicy(Settings &settings)
{
    return QJsonDocument::fromJson(settings.value(QString::fromLatin1(SavingsPolicy::settingsKey)).toString().toUtf8())
        .object();
}

// The router the live proxy builds for one policy entry (ProxyServer::routerFor): its router config
// with every endpoint's mode replaced by the entry's.
RouteDecision proxyDecision(const SavingsPolicy &policy, const QString &endpoint, const RoutingFeatures &f,
                            const QString &taskType)
{
    const EndpointSavings &e = policy.forEndpoint(endpoint);
    RouterConfig config = e.router;
    config.endpoints[u"*"_s];
    for (EndpointRouting &ep : config.endpoints)
        ep.mode = e.routeMode;
    return Router(config, test::builtInBook()).decide(f, endpoint, taskType, false);
}

RoutingFeatures shortQuestion()
{
    RoutingFeatures f;
    f.requestedModel = u"gpt-4o"_s;
    f.family = u"openai"_s;
    f.inputText = u"Is this positive?"_s;
    f.inputChars = f.inputText.size();
    f.maxOutputTokens = 20;
    f.estimatedPromptTokens = 12;
    return f;
}

} // namespace

class RoutingPageTest : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RoutingPage> makePage(test::TempLedger &t, std::shared_ptr<test::ScriptedPrompter> prompter = {})
    {
        auto page = std::make_unique<RoutingPage>(*t.ledger, *t.settings, std::make_shared<tokenizer::Tokenizers>(),
                                                  prompter ? prompter : std::make_shared<test::ScriptedPrompter>(),
                                                  [] { return kStart + test::kDayUs; });
        page->resize(1400, 900);
        m_testers.clear();
        for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *> {
                 page->rulesModel(), page->endpointsModel(), page->tiersModel(), page->testPanel()->resultsModel()})
            m_testers.push_back(
                std::make_unique<QAbstractItemModelTester>(m, QAbstractItemModelTester::FailureReportingMode::QtTest));
        return page;
    }

    static void activate(QWidget *w)
    {
        w->show();
        QApplication::setActiveWindow(w);
        QVERIFY(QTest::qWaitForWindowActive(w));
    }

    static QStringList ruleNames(const ComplexityRulesModel *m)
    {
        QStringList out;
        for (const ComplexityRule &r : m->rules())
            out << r.name;
        return out;
    }

    static void removeTranslations()
    {
        for (QTranslator *translator : QCoreApplication::instance()->findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
    }

    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void startsFromTheDefaultsWithRoutingOff()
    {
        test::TempLedger t;
        auto page = makePage(t);
        QCOMPARE(page->config(), RouterConfig::defaults());
        QVERIFY(!page->isDirty());
        QCOMPARE(page->endpointsModel()->rowCount(), 1);
        QCOMPARE(page->endpointsModel()->index(0, EndpointRoutingModel::Endpoint).data().toString(),
                 EndpointRoutingModel::tr("(other endpoints)"));
        QCOMPARE(page->rulesModel()->rules(), RouterConfig::defaultRules());
        QCOMPARE(page->tiersModel()->rowCount(), 6); // anthropic and openai, three tiers each
        QVERIFY(!page->saveButton()->isEnabled());
        // The price book fills in the context window of a tier left at 0.
        const int nano = 3; // openai sorts after anthropic
        QCOMPARE(page->tiersModel()->index(nano, RoutingTiersModel::Model).data().toString(), u"gpt-4.1-nano"_s);
        QVERIFY(
            page->tiersModel()->index(nano, RoutingTiersModel::ContextWindow).data().toString().contains(u"1,000,000"));
        QVERIFY(page->tiersModel()->index(nano, RoutingTiersModel::Prices).data().toString().contains(u"$0.10"));
        // Before any results the recorded-calls table's headers are whole, not cut to the default width.
        auto *results = page->findChild<QTableView *>(u"routingTestResults"_s);
        QVERIFY(results);
        for (int column = 0; column + 1 < results->model()->columnCount(); ++column) // the last one stretches
            QVERIFY2(results->columnWidth(column) >= results->horizontalHeader()->sectionSizeHint(column),
                     qPrintable(results->model()->headerData(column, Qt::Horizontal).toString()));
    }

    void rulesAreAddedReorderedEditedAndDeletedFromTheKeyboard()
    {
        test::TempLedger t;
        auto page = makePage(t);
        activate(page.get());
        QTableView *view = page->rulesView();
        view->setFocus();
        view->setCurrentIndex(page->rulesModel()->index(0, ComplexityRulesModel::Name));
        const QStringList defaults = ruleNames(page->rulesModel());

        // Insert adds a rule below the current one; the endpoint now has its own rules.
        QTest::keyClick(view, Qt::Key_Insert);
        QCOMPARE(page->rulesModel()->rowCount(), 7);
        QCOMPARE(view->currentIndex().row(), 1);
        QCOMPARE(page->rulesModel()->rules().at(1).name, u"rule-1"_s);
        QVERIFY(page->config().endpoints.value(u"*"_s).rules.has_value());
        QVERIFY(page->isDirty());
        QVERIFY(page->saveButton()->isEnabled());

        // F2 edits the name in place; Enter commits.
        QTest::keyClick(view, Qt::Key_F2);
        QLineEdit *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, u"faq"_s);
        QTest::keyClick(editor, Qt::Key_Return);
        QTRY_COMPARE(page->rulesModel()->rules().at(1).name, u"faq"_s);

        // Ctrl+Down twice, Ctrl+Up once: the rule ends at row 2.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Down, Qt::ControlModifier);
        QTest::keyClick(view, Qt::Key_Down, Qt::ControlModifier);
        QTest::keyClick(view, Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(view->currentIndex().row(), 2);
        QCOMPARE(ruleNames(page->rulesModel()).at(2), u"faq"_s);
        QCOMPARE(page->config().endpoints.value(u"*"_s).rules->at(2).name, u"faq"_s);

        // The first rule cannot move up; the button says so too.
        view->setCurrentIndex(page->rulesModel()->index(0, 0));
        QVERIFY(!page->ruleUpButton()->isEnabled());
        QTest::keyClick(view, Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(ruleNames(page->rulesModel()).at(0), defaults.at(0));

        // Delete removes the current rule.
        view->setCurrentIndex(page->rulesModel()->index(2, 0));
        QTest::keyClick(view, Qt::Key_Delete);
        QCOMPARE(ruleNames(page->rulesModel()), defaults);

        // Undo (Ctrl+Z) walks back: the deletion, the moves, the rename, the insertion.
        const int edits = page->undoStack()->count();
        QCOMPARE(edits, 6); // insert, rename, down, down, up, delete
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->rulesModel()->rowCount(), 7);
        QCOMPARE(ruleNames(page->rulesModel()).at(2), u"faq"_s);
        while (page->undoStack()->canUndo())
            page->undoStack()->undo();
        QCOMPARE(page->config(), RouterConfig::defaults());
        QVERIFY(!page->isDirty());
        QCOMPARE(ruleNames(page->rulesModel()), defaults);
        page->undoStack()->redo();
        QCOMPARE(page->rulesModel()->rowCount(), 7);
    }

    void rulesAreEditedWithTheButtonsAndTheCellEditors()
    {
        test::TempLedger t;
        auto page = makePage(t);
        activate(page.get());
        QTableView *view = page->rulesView();
        const int last = page->rulesModel()->rowCount() - 1;
        view->setCurrentIndex(page->rulesModel()->index(last, 0));
        QTest::mouseClick(page->addRuleButton(), Qt::LeftButton);
        QCOMPARE(page->rulesModel()->rowCount(), last + 2);
        QTest::mouseClick(page->ruleUpButton(), Qt::LeftButton);
        QCOMPARE(view->currentIndex().row(), last);
        QCOMPARE(page->rulesModel()->rules().at(last).name, u"rule-1"_s);

        // Complexity through its combo box editor, a limit through its spin box.
        const QModelIndex complexity = page->rulesModel()->index(last, ComplexityRulesModel::Result);
        view->setCurrentIndex(complexity);
        view->edit(complexity);
        auto *box = view->findChild<QComboBox *>(u"routingCellChoice"_s);
        QVERIFY(box);
        box->setCurrentIndex(box->findData(int(Complexity::High)));
        QTest::keyClick(box, Qt::Key_Return);
        QTRY_COMPARE(toString(page->rulesModel()->rules().at(last).result), toString(Complexity::High));
        QVERIFY(page->rulesModel()->setData(page->rulesModel()->index(last, ComplexityRulesModel::MaxOutputTokens),
                                            qint64(4000)));
        QVERIFY(page->rulesModel()->setData(page->rulesModel()->index(last, ComplexityRulesModel::Keywords),
                                            u"prove, derive , prove"_s));
        const ComplexityRule edited = page->config().endpoints.value(u"*"_s).rules->at(last);
        QCOMPARE(edited.maxOutputTokens, std::optional<qint64>(4000));
        QCOMPARE(edited.keywords, QStringList({u"prove"_s, u"derive"_s}));
        QCOMPARE(page->rulesModel()->index(last, ComplexityRulesModel::MinChars).data().toString(),
                 ComplexityRulesModel::tr("any"));
        // A rule needs a name.
        QVERIFY(!page->rulesModel()->setData(page->rulesModel()->index(last, ComplexityRulesModel::Name), u"  "_s));

        QTest::mouseClick(page->removeRuleButton(), Qt::LeftButton);
        QCOMPARE(page->rulesModel()->rowCount(), last + 1);
        // "Use built-in rules" drops the endpoint's own list.
        QVERIFY(page->builtInRulesButton()->isEnabled());
        QTest::mouseClick(page->builtInRulesButton(), Qt::LeftButton);
        QVERIFY(!page->config().endpoints.value(u"*"_s).rules.has_value());
        QVERIFY(!page->builtInRulesButton()->isEnabled());
    }

    void endpointsTiersAndSaveReachTheProxysPolicy()
    {
        test::TempLedger t;
        // A stored policy with the semantic cache on by default and the exact cache off for "batchy":
        // saving routing must keep both.
        const QJsonObject semantic {
            {u"enabled"_s, true}, {u"threshold"_s, 0.9}, {u"ttl_seconds"_s, 600}, {u"embedding_model"_s, u"local"_s}};
        const QJsonObject before {
            {u"version"_s, 1},
            {u"scenario"_s, u"earlier"_s},
            {u"default"_s, QJsonObject {{u"semantic_cache"_s, semantic}}},
            {u"endpoints"_s,
             QJsonObject {{u"batchy"_s, QJsonObject {{u"exact_cache"_s, QJsonObject {{u"enabled"_s, false}}}}}}}};
        RoutingPolicyStore::writePolicy(*t.settings, before);
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        auto page = makePage(t, prompter);
        activate(page.get());

        // Add endpoint "support": on, classification by default, own rules (reasoning words dropped).
        page->newEndpointBox()->setEditText(u"support"_s);
        QTest::keyClick(page->newEndpointBox()->lineEdit(), Qt::Key_Return);
        QCOMPARE(page->selectedEndpoint(), u"support"_s);
        EndpointRoutingModel *eps = page->endpointsModel();
        const int row = eps->rowOf(u"support"_s);
        QCOMPARE(row, 1); // after "*" ("batchy" has no routing of its own, so it follows "*")
        QVERIFY(eps->setData(eps->index(row, EndpointRoutingModel::Mode), int(RouteMode::On)));
        QVERIFY(eps->setData(eps->index(row, EndpointRoutingModel::TaskType), u"classification"_s));
        QVERIFY(
            eps->setData(eps->index(row, EndpointRoutingModel::AllowCostIncrease), Qt::Checked, Qt::CheckStateRole));
        page->rulesView()->setCurrentIndex(page->rulesModel()->index(3, 0));
        QCOMPARE(page->rulesModel()->rules().at(3).name, u"reasoning-words"_s);
        QTest::mouseClick(page->removeRuleButton(), Qt::LeftButton);
        // Shadow for every other endpoint.
        QVERIFY(eps->setData(eps->index(0, EndpointRoutingModel::Mode), int(RouteMode::Shadow)));
        // The openai nano tier becomes gpt-4o-mini; low maps to standard... and back to nano.
        RoutingTiersModel *tiers = page->tiersModel();
        QVERIFY(tiers->setData(tiers->index(3, RoutingTiersModel::Model), u"gpt-4o-mini"_s));
        QVERIFY(tiers->setData(tiers->index(3, RoutingTiersModel::Tools), Qt::Unchecked, Qt::CheckStateRole));
        page->complexityTierBox(Complexity::Low)->setCurrentIndex(int(ModelTier::Standard));
        page->complexityTierBox(Complexity::Low)->setCurrentIndex(int(ModelTier::Nano));
        QVERIFY(page->isDirty());

        QSignalSpy saved(page.get(), &RoutingPage::saved);
        QTest::mouseClick(page->saveButton(), Qt::LeftButton);
        QCOMPARE(saved.count(), 1);
        QVERIFY(prompter->messages.isEmpty());
        QVERIFY(!page->isDirty());

        // What the proxy reads.
        const QJsonObject stored = storedPolicy(*t.settings);
        QCOMPARE(stored.value(u"scenario"_s).toString(), u"earlier"_s);
        auto policy = SavingsPolicy::fromSettingsJson(stored);
        QVERIFY2(policy, policy ? "" : qPrintable(policy.error().message));
        QCOMPARE(toString(policy->defaults.routeMode), toString(RouteMode::Shadow));
        QVERIFY(policy->defaults.semanticCache);
        QCOMPARE(toString(policy->endpoints.value(u"support"_s).routeMode), toString(RouteMode::On));
        QVERIFY(policy->endpoints.value(u"support"_s).semanticCache); // copied from the default entry
        QVERIFY(!policy->endpoints.value(u"support"_s).exactCache.has_value()); // the Proxy page's switch governs
        QCOMPARE(policy->endpoints.value(u"batchy"_s).exactCache, std::optional<bool>(false));
        QCOMPARE(toString(policy->endpoints.value(u"batchy"_s).routeMode), toString(RouteMode::Shadow)); // follows "*"
        QCOMPARE(policy->endpoints.value(u"support"_s).router, page->config());

        // The proxy's router: a short request on "support" gets the endpoint's default task type,
        // classification -> low -> the nano tier, now gpt-4o-mini.
        const RouteDecision d = proxyDecision(*policy, u"support"_s, shortQuestion(), QString());
        QCOMPARE(d.taskType, u"classification"_s);
        QCOMPARE(d.matchedRule, u"low-task-types"_s);
        QCOMPARE(d.targetModel, u"gpt-4o-mini"_s);
        QVERIFY(d.changes);
        // A request using tools is not moved to a nano model without tools.
        RoutingFeatures withTools = shortQuestion();
        withTools.usesTools = true;
        QCOMPARE(toString(proxyDecision(*policy, u"support"_s, withTools, QString()).guard),
                 toString(RouteGuard::Tools));
        // Another endpoint is in shadow: decided, not changed.
        const RouteDecision shadow = proxyDecision(*policy, u"chat"_s, shortQuestion(), u"sentiment"_s);
        QCOMPARE(toString(shadow.mode), toString(RouteMode::Shadow));
        QCOMPARE(shadow.targetModel, u"gpt-4o-mini"_s);
        QVERIFY(!shadow.changes);

        // A new page reads back what was saved.
        auto again = makePage(t);
        QCOMPARE(again->config(), page->config());
        QVERIFY(!again->isDirty());
        QCOMPARE(again->endpointsModel()->rowOf(u"support"_s), 1);

        // Restore defaults is an undoable edit, not saved until Save.
        again->restoreDefaults();
        QCOMPARE(again->config(), RouterConfig::defaults());
        QVERIFY(again->isDirty());
        QCOMPARE(storedPolicy(*t.settings), stored);
        again->undoStack()->undo();
        QCOMPARE(again->config(), page->config());

        // A change stored elsewhere reloads a clean page at once.
        page->restoreDefaults();
        QVERIFY(page->save());
        QTRY_COMPARE(again->config(), RouterConfig::defaults());
    }

    void aBadEditIsNotSavedAndLosesNothing()
    {
        test::TempLedger t;
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        auto page = makePage(t, prompter);
        // A family without models cannot be stored.
        page->tiersModel()->addFamily(u"google"_s);
        QVERIFY(page->isDirty());
        const auto r = page->save();
        QVERIFY(!r);
        QCOMPARE(prompter->messages.size(), 1);
        QVERIFY2(prompter->messages.first().contains(u"google"_s), qPrintable(prompter->messages.first()));
        QVERIFY(page->isDirty());
        QVERIFY(t.settings->value(QString::fromLatin1(SavingsPolicy::settingsKey)).toString().isEmpty());
        QVERIFY(page->config().tiers.contains(u"google"_s));
    }

    void testsTheEditedRulesOnRecordedCalls()
    {
        test::TempLedger t;
        fill(*t.ledger);
        auto page = makePage(t);
        QSignalSpy loaded(page.get(), &RoutingPage::dataLoaded);
        page->show();
        RoutingTestPanel *panel = page->testPanel();
        // The panel tests the endpoint with most calls ("chat") over the last 30 days at once.
        QTRY_VERIFY(panel->isLoaded());
        QVERIFY(loaded.count() >= 1);
        QCOMPARE(panel->testedEndpoint(), u"chat"_s);

        const RecordedTestSummary &s = panel->lastRun().summary;
        QCOMPARE(s.calls, 5); // A, B, C, D, F: the cache hit, the call with no model and the other endpoint are left out
        QCOMPARE(s.determined, 3); // A, C, F
        QCOMPARE(s.undetermined, 2); // B, D
        QCOMPARE(s.routed, 2); // A, C (F is pinned)
        QCOMPARE(s.unpriced, 0);
        const qint64 baseline
            = cost(u"gpt-4o"_s, 1000, 100) + cost(u"gpt-4o"_s, 2000, 500) + cost(u"gpt-4o"_s, 500, 50);
        const qint64 projected
            = cost(u"gpt-4.1-nano"_s, 1000, 100) + cost(u"gpt-4.1"_s, 2000, 500) + cost(u"gpt-4o"_s, 500, 50);
        QCOMPARE(s.baseline, baseline);
        QCOMPARE(s.projected, projected);
        QCOMPARE(s.baseline - s.projected, 5'360'000); // 3,360,000 on A + 2,000,000 on C
        // B: mini or nano; D: mini (reasoning words or default) or nano (short input, unknown for an import).
        const qint64 bBase = cost(u"gpt-4o"_s, 40, 30), dBase = cost(u"gpt-4o"_s, 300, 20);
        QCOMPARE(s.undeterminedMinDifference,
                 (cost(u"gpt-4.1-nano"_s, 40, 30) - bBase) + (cost(u"gpt-4.1-nano"_s, 300, 20) - dBase));
        QCOMPARE(s.undeterminedMaxDifference,
                 (cost(u"gpt-4.1-mini"_s, 40, 30) - bBase) + (cost(u"gpt-4.1-mini"_s, 300, 20) - dBase));
        QCOMPARE(s.guards.value(u"pinned"_s), 1);

        // Per rule, in the rules table.
        ComplexityRulesModel *rules = page->rulesModel();
        QCOMPARE(s.rules.size(), rules->rowCount());
        const auto tally = [&](const QString &name) {
            for (const RuleTally &r : s.rules)
                if (r.rule == name)
                    return r;
            return RuleTally {};
        };
        QCOMPARE(tally(u"low-task-types"_s).matched, 2);
        QCOMPARE(tally(u"code-long"_s).matched, 1);
        QCOMPARE(tally(u"reasoning-words"_s).undecided, 2);
        QCOMPARE(tally(u"reasoning-words"_s).missing, int(MissingData::RequestText));
        QCOMPARE(tally(u"short-input-short-output"_s).undecided, 1); // D only: B's chars and max tokens are known
        QCOMPARE(tally(u"short-input-short-output"_s).missing,
                 int(MissingData::PromptChars) | int(MissingData::MaxTokens));
        const QString reasoningCell = rules->index(3, ComplexityRulesModel::Recorded).data().toString();
        QVERIFY2(reasoningCell.contains(ComplexityRulesModel::tr("needs request text — not recorded")),
                 qPrintable(reasoningCell));

        // Per call (newest first: F, D, C, B, A).
        RoutingTestModel *calls = panel->resultsModel();
        QCOMPARE(calls->rowCount(), 5);
        const auto cell = [&](int row, int column) { return calls->index(row, column).data().toString(); };
        QCOMPARE(cell(4, RoutingTestModel::Rule), u"low-task-types"_s);
        QCOMPARE(cell(4, RoutingTestModel::Target), u"gpt-4.1-nano"_s);
        QCOMPARE(calls->index(4, RoutingTestModel::Difference).data(RoutingTestModel::SortRole).toLongLong(),
                 cost(u"gpt-4.1-nano"_s, 1000, 100) - cost(u"gpt-4o"_s, 1000, 100));
        QCOMPARE(cell(3, RoutingTestModel::Target), u"gpt-4.1-mini or gpt-4.1-nano"_s);
        QVERIFY(cell(3, RoutingTestModel::Rule).contains(u"reasoning-words"_s));
        QVERIFY(cell(3, RoutingTestModel::Rule).contains(ComplexityRulesModel::tr("needs request text")));
        QVERIFY(calls->index(3, RoutingTestModel::Rule)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(ComplexityRulesModel::tr("needs request text — not recorded")));
        QCOMPARE(cell(1, RoutingTestModel::PromptChars), RoutingTestModel::tr("not recorded"));
        QCOMPARE(cell(0, RoutingTestModel::Guard), RoutingTestModel::guardName(RouteGuard::Pinned));
        QCOMPARE(cell(0, RoutingTestModel::Target), u"gpt-4o"_s);
        QVERIFY(panel->summaryLabel()->text().contains(u"request text is not recorded"_s));

        // Deleting the keyword rule (unsaved) re-tests at once: B is now decided (short input -> nano).
        page->rulesView()->setCurrentIndex(rules->index(3, 0));
        QTest::mouseClick(page->removeRuleButton(), Qt::LeftButton);
        QTRY_COMPARE(panel->lastRun().summary.determined, 4);
        QCOMPARE(panel->lastRun().summary.undetermined, 1);
        QCOMPARE(panel->lastRun().summary.projected - panel->lastRun().summary.baseline,
                 projected - baseline + cost(u"gpt-4.1-nano"_s, 40, 30) - bBase);
        QVERIFY(page->isDirty());
        QVERIFY(t.settings->value(QString::fromLatin1(SavingsPolicy::settingsKey)).toString().isEmpty());

        // Another endpoint through the endpoint box and the Test button.
        panel->setEndpoint(u"other"_s);
        QTest::mouseClick(panel->loadButton(), Qt::LeftButton);
        QTRY_COMPARE(panel->testedEndpoint(), u"other"_s);
        QTRY_VERIFY(panel->isLoaded());
        QCOMPARE(panel->lastRun().summary.calls, 1);
    }

    void triesAPastedRequestWithKeywordRules()
    {
        test::TempLedger t;
        auto page = makePage(t);
        RoutingTestPanel *panel = page->testPanel();
        panel->requestEdit()->setPlainText(
            uR"({"model": "gpt-4o", "max_tokens": 100, "messages": [{"role": "user", "content": "Why is the sky blue?"}]})"_s);
        QTest::mouseClick(panel->tryButton(), Qt::LeftButton);
        const QString text = panel->decisionLabel()->text();
        QVERIFY2(text.contains(u"reasoning-words"_s) && text.contains(u"gpt-4.1-mini"_s), qPrintable(text));
        QVERIFY(text.contains(RoutingTestPanel::tr("(first match)")));

        panel->taskTypeEdit()->setText(u"classification"_s);
        QTest::mouseClick(panel->tryButton(), Qt::LeftButton);
        QVERIFY2(panel->decisionLabel()->text().contains(u"gpt-4.1-nano"_s),
                 qPrintable(panel->decisionLabel()->text()));

        // Anthropic shape detected from "system"; a context window too small blocks the change.
        RouterConfig c = page->config();
        c.tiers[u"anthropic"_s][size_t(ModelTier::Standard)].contextWindow = 5;
        page->setConfig(c);
        panel->taskTypeEdit()->clear();
        panel->requestEdit()->setPlainText(
            uR"({"model": "claude-opus-4-5", "system": "Be brief.", "max_tokens": 500, "messages": [{"role": "user", "content": "Compare tea and coffee"}]})"_s);
        QTest::mouseClick(panel->tryButton(), Qt::LeftButton);
        QVERIFY2(panel->decisionLabel()->text().contains(RoutingTestModel::guardName(RouteGuard::ContextWindow)),
                 qPrintable(panel->decisionLabel()->text()));

        panel->requestEdit()->setPlainText(u"{not json"_s);
        QTest::mouseClick(panel->tryButton(), Qt::LeftButton);
        QVERIFY(panel->decisionLabel()->text().contains(RoutingTestPanel::tr("<b>Not a JSON object:</b> %1").left(20)));
    }

    // The test panel's endpoint box counts each endpoint's calls in the panel's own range, the calls a test
    // reads (before session 19 it counted every call of all time, cache hits and calls without a model too:
    // "chat (7)" beside "Tested 5 recorded calls"), and counts again when the range changes.
    void endpointCountsFollowThePanelsRange()
    {
        test::TempLedger t;
        fill(*t.ledger);
        QList<CallRecord> older; // three calls of "other" 60 days before: outside the panel's 30 days
        for (int i = 0; i < 3; ++i) {
            CallRecord r = test::makeRecord(kStart - 60 * test::kDayUs + i * 60'000'000LL, u"other"_s, u"openai"_s,
                                            u"gpt-4o"_s, 100, 10);
            r.sourceKey = u"routingtest:older:%1"_s.arg(i);
            t.ledger->pricer()->apply(r);
            older << r;
        }
        QCOMPARE(t.ledger->writer().submitBatch(older).result().inserted, older.size());
        auto page = makePage(t);
        page->show();
        RoutingTestPanel *panel = page->testPanel();
        QTRY_VERIFY(panel->isLoaded());
        const auto items = [panel] {
            QStringList out;
            for (int i = 0; i < panel->endpointBox()->count(); ++i)
                out << panel->endpointBox()->itemText(i);
            return out;
        };
        QCOMPARE(items(), (QStringList {u"chat (5)"_s, u"other (1)"_s}));
        QCOMPARE(panel->testedEndpoint(), u"chat"_s);
        QCOMPARE(panel->lastRun().summary.calls, 5);

        // All time, chosen in the panel's own range box: the older calls of "other" count.
        QComboBox *preset = panel->rangePicker()->presetBox();
        preset->setCurrentIndex(preset->findData(DateRange::id(DateRange::Preset::All)));
        QTRY_COMPARE(items(), (QStringList {u"chat (5)"_s, u"other (4)"_s}));
        panel->setEndpoint(u"other"_s);
        QTest::mouseClick(panel->loadButton(), Qt::LeftButton);
        QTRY_VERIFY(panel->isLoaded() && panel->testedEndpoint() == u"other");
        QCOMPARE(panel->lastRun().summary.calls, 4);

        // A range set from outside (the page's) counts again too: the last 7 days hold no older call.
        DateRange week;
        week.preset = DateRange::Preset::Last7d;
        panel->setRange(week);
        QTRY_COMPARE(items(), (QStringList {u"chat (5)"_s, u"other (1)"_s}));
        QCOMPARE(panel->endpoint(), u"other"_s); // the choice stays
    }

    // Session-20 review: the summary's counts lost their group separators when they became plurals (%n):
    // "Decided by the rules: 1100 calls" beside "1,672" elsewhere on the page. They count with %Ln, in English
    // and in the Chinese catalogue.
    void summaryCountsHaveGroupSeparators()
    {
        const auto restore = qScopeGuard([] {
            removeTranslations();
            QLocale::setDefault(QLocale::c());
        });
        QCOMPARE(Translations::install(u"en"_s), u"en_US"_s); // English plurals, en_US numbers
        test::TempLedger t;
        // 1,100 classification calls (decided: low-task-types), 1,050 short calls without a task type (undecided:
        // the keyword rule needs their text) and 1,001 exact-cache hits (left out), all of endpoint "bulk".
        QList<CallRecord> records;
        const auto add = [&](const QString &task, qint64 chars, qint64 maxTokens, CacheOutcome cache) {
            CallRecord r = test::makeRecord(kStart + records.size() * 1'000'000LL, u"bulk"_s, u"openai"_s, u"gpt-4o"_s,
                                            chars == 800 ? 1000 : 40, chars == 800 ? 100 : 30);
            r.sourceKind = SourceKind::Proxy;
            r.sourceKey = u"routingtest:bulk:%1"_s.arg(records.size());
            r.taskType = task;
            r.promptChars = chars;
            r.maxTokens = maxTokens;
            r.cacheOutcome = cache;
            t.ledger->pricer()->apply(r);
            records << r;
        };
        for (int i = 0; i < 1100; ++i)
            add(u"classification"_s, 800, 0, CacheOutcome::None);
        for (int i = 0; i < 1050; ++i)
            add(QString(), 100, 50, CacheOutcome::None);
        for (int i = 0; i < 1001; ++i)
            add(QString(), 50, 10, CacheOutcome::ExactHit);
        QCOMPARE(t.ledger->writer().submitBatch(records).result().inserted, records.size());
        auto page = makePage(t);
        page->show();
        RoutingTestPanel *panel = page->testPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->isLoaded(), 10000);
        QCOMPARE(panel->testedEndpoint(), u"bulk"_s);
        QCOMPARE(panel->lastRun().summary.determined, 1100);
        QCOMPARE(panel->lastRun().summary.undetermined, 1050);
        const QString english = panel->summaryLabel()->text();
        for (const QString &part : {u"Tested 2,150 recorded calls of “bulk”"_s, u"Decided by the rules: 1,100 calls; "_s,
                                    u"1,100 would be served another model"_s, u"Undecided: 1,050 calls reach a rule"_s,
                                    u"1,001 cache hits left out"_s})
            QVERIFY2(english.contains(part), qPrintable(u"no \"%1\" in: %2"_s.arg(part, english)));

        removeTranslations();
        QCOMPARE(Translations::install(u"zh_CN"_s), u"zh_CN"_s);
        QTest::mouseClick(panel->loadButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->isLoaded() && panel->summaryLabel()->text() != english, 10000);
        const QString chinese = panel->summaryLabel()->text();
        for (const QString &part : {u"测试了“bulk”的 2,150 次已记录调用"_s, u"由规则判定：1,100 次调用"_s,
                                    u"无法判定：1,050 次调用"_s, u"略去 1,001 次缓存命中"_s})
            QVERIFY2(chinese.contains(part), qPrintable(u"no \"%1\" in: %2"_s.arg(part, chinese)));
    }

    // The built-in keyword rule has Chinese and English words: the cell shows the UI language's first, so an
    // English cell cut short starts "analyze, analyse, …" instead of "分析, 推断, …". What is stored keeps its order.
    void keywordsShowTheUiLanguagesScriptFirst()
    {
        const auto restore = qScopeGuard([] { QLocale::setDefault(QLocale::c()); });
        ComplexityRulesModel model;
        const QList<ComplexityRule> defaults = RouterConfig::defaultRules();
        model.setRules(defaults);
        int row = 0;
        while (row < defaults.size() && defaults.at(row).name != u"reasoning-words")
            ++row;
        QVERIFY(row < defaults.size());
        const QModelIndex cell = model.index(row, ComplexityRulesModel::Keywords);

        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY2(cell.data().toString().startsWith(u"analyze, analyse, analysis, infer, why, compare, comparison, "
                                                   u"trade-off, tradeoff, trade off, 分析, 推断"_s),
                 qPrintable(cell.data().toString()));
        QVERIFY(cell.data(Qt::ToolTipRole).toString().endsWith(u"\n\nanalyze, analyse, analysis, infer, why, compare, "
                                                                u"comparison, trade-off, tradeoff, trade off, 分析, 推断, "
                                                                u"原因, 为什么, 比较, 权衡"_s));
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
        QVERIFY2(cell.data().toString().startsWith(u"分析, 推断, 原因, 为什么, 比较, 权衡, analyze, analyse"_s),
                 qPrintable(cell.data().toString()));
        QCOMPARE(model.rules().at(row).keywords, defaults.at(row).keywords);
        QCOMPARE(cell.data(Qt::EditRole).toString(), defaults.at(row).keywords.join(u", "_s));
    }

    void useInSimulatorHandsOverTheEditedConfig()
    {
        test::TempLedger t;
        auto page = makePage(t);
        RouterConfig c = page->config();
        c.endpoints[u"*"_s].allowCostIncrease = true;
        page->setConfig(c);
        QSignalSpy spy(page.get(), &RoutingPage::useInSimulatorRequested);
        QTest::mouseClick(page->simulatorButton(), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().value<RouterConfig>(), c);
    }
};

} // namespace tl

QTEST_MAIN(tl::RoutingPageTest)
#include "RoutingPageTest.moc"
