// Every table model of the UI under QAbstractItemModelTester, with raw sort values checked.
#include "TestSupport.h"
#include "dashboard/BreakdownModel.h"
#include "pricing/PriceBookModel.h"
#include "pricing/PricingTableModels.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class UiModelsTest : public QObject
{
    Q_OBJECT

private:
    static Breakdown sampleBreakdown()
    {
        Breakdown b;
        b.groupBy = {Dimension::Endpoint, Dimension::Model};
        BreakdownRow a;
        a.keys = {u"chat"_s, u"gpt-4o"_s};
        a.agg.calls = 1200;
        a.agg.promptTokens = 5'000'000;
        a.agg.completionTokens = 90'000;
        a.agg.cost = 9'000'000'000; // $9
        a.share = 0.9;
        a.cumulativeShare = 0.9;
        BreakdownRow c;
        c.keys = {u"code"_s, u"gpt-4o-mini"_s};
        c.agg.calls = 30'000;
        c.agg.cost = 1'000'000'000; // $1
        c.agg.unpricedCalls = 2;
        c.share = 0.1;
        c.cumulativeShare = 1.0;
        b.rows = {a, c};
        b.totals.add(a.agg);
        b.totals.add(c.agg);
        return b;
    }

private Q_SLOTS:
    void breakdownModelPassesTheTesterAndSortsByRawValues()
    {
        BreakdownModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBreakdown(sampleBreakdown());
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(BreakdownModel::ColumnCount));
        QCOMPARE(model.data(model.index(0, BreakdownModel::Cost), BreakdownModel::SortRole).toLongLong(),
                 9'000'000'000LL);
        QCOMPARE(model.data(model.index(0, BreakdownModel::Cost)).toString(), u"$9.00"_s);
        QCOMPARE(model.data(model.index(1, BreakdownModel::Calls)).toString(), u"30,000"_s);
        // A row with unpriced calls is marked, its cost covers priced calls only.
        QCOMPARE(model.data(model.index(1, BreakdownModel::Cost)).toString(), u"$1.00 *"_s);

        // Sorting by calls is numeric: 30,000 > 1,200 (text order would put "1,200" after "30,000").
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(BreakdownModel::SortRole);
        proxy.sort(BreakdownModel::Calls, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, BreakdownModel::Endpoint).data().toString(), u"code"_s);
        proxy.sort(BreakdownModel::Cost, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, BreakdownModel::Endpoint).data().toString(), u"chat"_s);

        model.setBreakdown(Breakdown{});
        QCOMPARE(model.rowCount(), 0);
    }

    // Session-8 trial findings 7 and 14: an estimated cost looks different from an exact one (a "≈"
    // before it, a tooltip, a Cost status column that the CSV export carries as cost_status), and a
    // sub-cent amount keeps its digits ($0.0075 read "$0.01").
    void estimatedAndSubCentCostsLookAsTheyAre()
    {
        Breakdown b = sampleBreakdown();
        b.rows[0].agg.estimatedCalls = 3;
        b.rows[1].agg.cost = 7'500'000; // $0.0075
        BreakdownModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setBreakdown(b);
        QCOMPARE(model.data(model.index(0, BreakdownModel::Cost)).toString(), u"≈$9.00"_s);
        QVERIFY(model.data(model.index(0, BreakdownModel::Cost), Qt::ToolTipRole).toString().contains(u"Estimated"_s));
        QCOMPARE(model.data(model.index(0, BreakdownModel::CostStatus)).toString(), u"≈ partly estimated"_s);
        QCOMPARE(model.data(model.index(1, BreakdownModel::Cost)).toString(), u"$0.0075 *"_s);
        QCOMPARE(model.data(model.index(1, BreakdownModel::CostStatus)).toString(), u"partly unpriced"_s);
        const QList<QStringList> csv = model.csvRows({0, 1}, true);
        QCOMPARE(csv[0].last(), u"Cost status"_s);
        QCOMPARE(csv[1].last(), u"partly estimated"_s);
        QCOMPARE(csv[2].last(), u"partly unpriced"_s);
        QCOMPARE(csv[2][BreakdownModel::Cost], u"0.0075"_s);
    }

    void breakdownCsvRowsUseExactDecimalCosts()
    {
        BreakdownModel model;
        model.setBreakdown(sampleBreakdown());
        const auto rows = model.csvRows({0, 1}, true);
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).at(BreakdownModel::Endpoint), u"Endpoint"_s);
        QCOMPARE(rows.at(1).at(BreakdownModel::Cost), u"9.00"_s);
        QCOMPARE(rows.at(2).at(BreakdownModel::Calls), u"30000"_s);
    }

    void priceBookModelListsEveryModelWithPricesPerMTok()
    {
        PriceBookModel model(test::builtInBook());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        int expected = 0;
        for (const ProviderEntry &p : test::builtInBook()->providers())
            expected += int(p.models.size());
        QCOMPARE(model.rowCount(), expected);
        QVERIFY(expected > 1000);
        // gpt-4o (which also prices gpt-4o-2024-08-06) is $2.50 in, $10 out per MTok in genai-prices 0.1.8.
        bool found = false;
        for (int r = 0; r < model.rowCount(); ++r) {
            if (model.data(model.index(r, 0), PriceBookModel::ProviderIdRole).toString() == u"openai"_s
                && model.data(model.index(r, PriceBookModel::Model)).toString() == u"gpt-4o"_s) {
                QCOMPARE(model.data(model.index(r, PriceBookModel::Input)).toString(), u"$2.50"_s);
                QCOMPARE(model.data(model.index(r, PriceBookModel::Output), PriceBookModel::SortRole).toLongLong(),
                         10'000'000'000LL);
                found = true;
            }
        }
        QVERIFY(found);
    }

    void overridesAliasesAndUnpricedModelsPassTheTester()
    {
        OverridesModel overrides;
        QAbstractItemModelTester t1(&overrides, QAbstractItemModelTester::FailureReportingMode::QtTest);
        PriceOverride o;
        o.model = u"acme-private-llm"_s;
        o.prices.input = TieredPrice{1'250'000'000, {}};
        o.revision = 3;
        overrides.setOverrides({o});
        QCOMPARE(overrides.rowCount(), 1);
        QCOMPARE(overrides.data(overrides.index(0, OverridesModel::Provider)).toString(), u"any"_s);
        QCOMPARE(overrides.data(overrides.index(0, OverridesModel::Input)).toString(), u"$1.25"_s);
        QCOMPARE(overrides.data(overrides.index(0, OverridesModel::Output)).toString(), u"–"_s);
        QCOMPARE(overrides.data(overrides.index(0, OverridesModel::Output), OverridesModel::SortRole).toLongLong(), -1);

        AliasesModel aliases;
        QAbstractItemModelTester t2(&aliases, QAbstractItemModelTester::FailureReportingMode::QtTest);
        aliases.setAliases({{u"prod-gpt4o"_s, u"openai"_s, u"gpt-4o"_s}});
        QCOMPARE(aliases.data(aliases.index(0, AliasesModel::Model)).toString(), u"gpt-4o"_s);

        UnpricedModelsModel unpriced;
        QAbstractItemModelTester t3(&unpriced, QAbstractItemModelTester::FailureReportingMode::QtTest);
        unpriced.setModels({{u"acme"_s, u"acme-private-llm"_s, 12345}});
        QCOMPARE(unpriced.data(unpriced.index(0, UnpricedModelsModel::Calls)).toString(), u"12,345"_s);
        QCOMPARE(unpriced.data(unpriced.index(0, UnpricedModelsModel::Calls), UnpricedModelsModel::SortRole)
                     .toLongLong(),
                 12345);
    }
};

} // namespace tl

QTEST_MAIN(tl::UiModelsTest)
#include "UiModelsTest.moc"
