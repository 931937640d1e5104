// The main window: pages and the page API, menus with keyboard access, About, "Add price…" from the
// dashboard into the pricing page, overrides persisted in the ledger, and re-pricing history.
#include "MainWindow.h"
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "dashboard/DashboardPage.h"
#include "dashboard/KpiPanel.h"
#include "dialogs/OverrideDialog.h"
#include "pricing/PricingPage.h"
#include "pricing/PricingTableModels.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class MainWindowTest : public QObject
{
    Q_OBJECT

private:
    const qint64 m_now = test::usFromIso(u"2026-06-15T12:00:00Z"_s);

private Q_SLOTS:
    void pagesCanBeAddedAndShown()
    {
        test::TempLedger t;
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        MainWindow window(*t.ledger, *t.settings, prompter, [this] { return m_now; });
        window.show();
        QCOMPARE(window.pageIds(), (QStringList{u"dashboard"_s, u"pricing"_s}));
        QCOMPARE(window.currentPageId(), u"dashboard"_s);
        auto *proxy = new QLabel(u"proxy page"_s);
        window.addPage(u"proxy"_s, u"Proxy"_s, proxy);
        QCOMPARE(window.page(u"proxy"_s), proxy);
        QSignalSpy shown(&window, &MainWindow::pageShown);
        window.showPage(u"proxy"_s);
        QCOMPARE(window.currentPageId(), u"proxy"_s);
        QVERIFY(proxy->isVisible());
        QCOMPARE(shown.count(), 1);
        // The View menu got a shortcut for it (Ctrl+3).
        auto *action = window.findChild<QAction *>(u"showPage_proxy"_s);
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_3));
        window.findChild<QAction *>(u"showPage_pricing"_s)->trigger();
        QCOMPARE(window.currentPageId(), u"pricing"_s);
        QCOMPARE(window.page(u"nope"_s), nullptr);
    }

    void menusHaveKeyboardAccess()
    {
        test::TempLedger t;
        MainWindow window(*t.ledger, *t.settings, std::make_shared<test::ScriptedPrompter>());
        QStringList titles;
        for (QAction *a : window.menuBar()->actions())
            titles << a->text();
        QCOMPARE(titles, (QStringList{u"&File"_s, u"&View"_s, u"&Settings"_s, u"&Help"_s}));
        QCOMPARE(window.findChild<QAction *>(u"actionImport"_s)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_I));
        QCOMPARE(window.findChild<QAction *>(u"actionQuit"_s)->shortcut(), QKeySequence(QKeySequence::Quit));
        QVERIFY(window.findChild<QAction *>(u"actionRange_24h"_s));
        QVERIFY(window.findChild<QAction *>(u"actionTheme_dark"_s));
        QVERIFY(window.findChild<QAction *>(u"actionLanguage_zh_CN"_s));
    }

    void aboutCreditsThePriceData()
    {
        test::TempLedger t;
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        MainWindow window(*t.ledger, *t.settings, prompter);
        window.findChild<QAction *>(u"actionAbout"_s)->trigger();
        QTRY_COMPARE(prompter->messages.size(), 1);
        QVERIFY(prompter->messages.first().contains(u"Price data: pydantic/genai-prices 0.1.8, MIT licence"_s));
        QVERIFY(!prompter->messages.first().contains(u"Azure"_s)); // no Azure data in this ledger
    }

    void settingsMenuStoresThemeAndLanguage()
    {
        test::TempLedger t;
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        MainWindow window(*t.ledger, *t.settings, prompter);
        window.findChild<QAction *>(u"actionTheme_dark"_s)->trigger();
        QCOMPARE(t.settings->theme(), u"dark"_s);
        QTRY_VERIFY(window.palette().color(QPalette::Window).lightness() < 128);
        window.findChild<QAction *>(u"actionTheme_light"_s)->trigger();
        QTRY_VERIFY(window.palette().color(QPalette::Window).lightness() > 128);
        window.findChild<QAction *>(u"actionLanguage_zh_CN"_s)->trigger();
        QCOMPARE(t.settings->language(), u"zh_CN"_s);
        QVERIFY(prompter->messages.last().contains(u"restart"_s)); // said so in the UI
    }

    void addPriceFromTheDashboardPricesTheModelAndRepricesHistory()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        t.settings->setDashboardRange(u"all"_s);
        auto prompter = std::make_shared<test::ScriptedPrompter>();
        MainWindow window(*t.ledger, *t.settings, prompter, [this] { return m_now; });
        window.show();
        QTRY_VERIFY(window.dashboard()->isLoaded() && window.pricing()->isLoaded());
        QCOMPARE(window.pricing()->unpricedModel()->rowCount(), 1);
        QCOMPARE(window.dashboard()->kpis()->unpriced()->value(), u"3"_s);

        // One click on the unpriced tile's "Add price…" opens the prefilled override dialog.
        auto *addPrice = window.dashboard()->kpis()->findChild<QPushButton *>(u"addPriceButton"_s);
        QVERIFY(addPrice->isVisible());
        QTest::mouseClick(addPrice, Qt::LeftButton);
        QCOMPARE(window.currentPageId(), u"pricing"_s);
        auto *dialog = prompter->lastDialog<OverrideDialog>();
        QVERIFY(dialog);
        QCOMPARE(dialog->field(u"overrideModel"_s)->text(), u"acme-private-llm"_s);
        QVERIFY(!dialog->validationError().isEmpty()); // no price yet
        QTest::keyClicks(dialog->field(u"overrideInput"_s), u"1.25"_s);
        QTest::keyClicks(dialog->field(u"overrideOutput"_s), u"5"_s);
        QVERIFY(dialog->validationError().isEmpty());
        QSignalSpy pricing(t.ledger.get(), &Ledger::pricingChanged);
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(pricing.count() >= 1, 10000);
        QTRY_COMPARE(window.pricing()->overridesModel()->rowCount(), 1);
        QCOMPARE(t.ledger->pricer()->overrides().first().prices.input->base, 1'250'000'000LL);

        // Re-price history: confirmed through the seam, then the unpriced calls have a cost.
        prompter->confirmAnswers.push_back(true);
        QSignalSpy repriced(window.pricing(), &PricingPage::repriceFinished);
        QTest::mouseClick(window.pricing()->findChild<QPushButton *>(u"repriceButton"_s), Qt::LeftButton);
        QCOMPARE(prompter->questions.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(repriced.count(), 1, 20000);
        QCOMPARE(repriced.first().first().toBool(), true);
        QVERIFY(window.pricing()->repriceResult()->text().contains(u"22"_s));
        QTRY_COMPARE(window.pricing()->unpricedModel()->rowCount(), 0);
        // 3 x (100 x $1.25 + 10 x $5) / 1M = $0.000525 more on the dashboard; the notice says it was re-priced.
        QTRY_VERIFY(window.dashboard()->isLoaded() && window.dashboard()->kpis()->unpriced()->value() == u"0"_s);
        auto *notice = window.dashboard()->findChild<QLabel *>(u"repriceNotice"_s);
        QTRY_VERIFY(notice->isVisibleTo(window.dashboard()));
        QVERIFY(notice->text().startsWith(u"Re-priced on "_s));
    }

    void priceBookSearchFilters()
    {
        test::TempLedger t;
        MainWindow window(*t.ledger, *t.settings, std::make_shared<test::ScriptedPrompter>());
        PricingPage *page = window.pricing();
        const int all = page->bookProxy()->rowCount();
        QTest::keyClicks(page->bookSearch(), u"gpt-4o-mini-2024-07-18"_s);
        QVERIFY(page->bookProxy()->rowCount() >= 1);
        QVERIFY(page->bookProxy()->rowCount() < all);
        for (int r = 0; r < page->bookProxy()->rowCount(); ++r) {
            bool matches = false;
            for (int c = 0; c < page->bookProxy()->columnCount(); ++c)
                matches |= page->bookProxy()->index(r, c).data().toString().contains(u"gpt-4o-mini-2024-07-18"_s);
            QVERIFY(matches);
        }
    }
};

} // namespace tl

QTEST_MAIN(tl::MainWindowTest)
#include "MainWindowTest.moc"
