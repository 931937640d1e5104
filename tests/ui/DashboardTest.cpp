// The dashboard on a real temporary SQLite ledger, driven offscreen: empty state, live update, the date
// picker, the filter box, a table-row click and a real mouse click on a chart bar narrowing the views.
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "charts/ParetoChart.h"
#include "charts/TopSpendersChart.h"
#include "charts/CostOverTimeChart.h"
#include "dashboard/BreakdownModel.h"
#include "dashboard/BreakdownPanel.h"
#include "dashboard/DashboardPage.h"
#include "dashboard/DateRangePicker.h"
#include "dashboard/EmptyState.h"
#include "dashboard/FilterChip.h"
#include "dashboard/KeyLabelDialog.h"
#include "common/Format.h"
#include "common/RecordExport.h"
#include "dashboard/KpiPanel.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QUndoStack>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class DashboardTest : public QObject
{
    Q_OBJECT

private:
    // A fixed "now" so ranges are reproducible: 2026-06-15 12:00 UTC.
    const qint64 m_now = test::usFromIso(u"2026-06-15T12:00:00Z"_s);

    std::unique_ptr<DashboardPage> makePage(test::TempLedger &t, test::ScriptedPrompter &prompter, const QString &range)
    {
        t.settings->setDashboardRange(range);
        t.settings->setTimeZone(u"UTC"_s);
        auto page = std::make_unique<DashboardPage>(*t.ledger, *t.settings, prompter, [this] { return m_now; });
        page->resize(1400, 900);
        page->show();
        return page;
    }

    // An openai gpt-4o-mini call of 1,000 prompt and 200 completion tokens (270,000 nano-USD at list prices),
    // `hoursAgo` hours before m_now, not yet priced.
    CallRecord miniCall(int hoursAgo, const QString &endpoint, const QString &sourceKey) const
    {
        CallRecord r;
        r.startedAtUs = m_now - hoursAgo * 3'600'000'000ll;
        r.endpoint = endpoint;
        r.provider = u"openai"_s;
        r.requestedModel = r.servedModel = u"gpt-4o-mini"_s;
        r.usage.promptTokens = 1000;
        r.usage.completionTokens = 200;
        r.sourceKey = sourceKey;
        return r;
    }

    static qint64 costOf(Ledger &ledger, const QString &endpoint)
    {
        BreakdownQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max();
        q.filter.endpoint = endpoint;
        return ledger.breakdown(q).result()->totals.cost;
    }

private Q_SLOTS:
    void emptyLedgerShowsHowToGetDataInAndUpdatesLive()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(page->isShowingEmptyState());
        QVERIFY(page->emptyState()->isVisible());
        QSignalSpy importSpy(page.get(), &DashboardPage::importRequested);
        QTest::mouseClick(page->emptyState()->findChild<QPushButton *>(u"emptyStateImport"_s), Qt::LeftButton);
        QCOMPARE(importSpy.count(), 1);

        // Records landing in the ledger replace the empty state by themselves (Ledger::recordsAdded).
        test::fillLedger(*t.ledger, m_now);
        QTRY_VERIFY_WITH_TIMEOUT(!page->isShowingEmptyState(), 10000);
        QTRY_COMPARE(page->breakdownModel()->breakdown().totals.calls, 22);
    }

    // Session 14: a proxy record amended after it was written (Ledger::markAnswerCut: its client did not take the
    // whole answer) counts as a failed call; the calls tile says so at once (Ledger::recordMarkedCut). Before,
    // the dashboard kept "2" until the next record or price change made it re-query.
    void answerCutMarkedAfterwardsShowsAsAFailedCall()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        QSignalSpy added(t.ledger.get(), &Ledger::recordsAdded);
        qint64 ids[2] = {};
        for (int i = 0; i < 2; ++i) {
            CallRecord r = miniCall(i + 1, u"proxy-chat"_s, u"answer-cut-%1"_s.arg(i));
            r.httpStatus = 200;
            t.ledger->pricer()->apply(r);
            ids[i] = t.ledger->writer().submit(r);
        }
        t.ledger->writer().flush().waitForFinished();
        QTRY_VERIFY(added.count() > 0); // (coalesced, 250 ms): not a refresh that would come after the amendment
        auto page = makePage(t, prompter, u"7d"_s);
        QTRY_VERIFY(page->isLoaded());
        QTRY_COMPARE(page->breakdownModel()->breakdown().totals.calls, 2);
        QCOMPARE(page->kpis()->calls()->detail(), u"2"_s);
        QSignalSpy marked(t.ledger.get(), &Ledger::recordMarkedCut);
        auto cut = t.ledger->markAnswerCut(ids[1], u"client_stalled"_s);
        QTRY_VERIFY(cut.isFinished());
        QVERIFY(cut.result().has_value() && *cut.result());
        QTRY_COMPARE(marked.count(), 1);
        QCOMPARE(marked.first().at(0).toLongLong(), ids[1]);
        QCOMPARE(marked.first().at(1).toString(), u"client_stalled"_s);
        QTRY_COMPARE(page->breakdownModel()->breakdown().totals.errorCalls, 1);
        QTRY_COMPARE(page->kpis()->calls()->detail(), u"1 failed"_s);
        QCOMPARE(page->kpis()->calls()->value(), u"2"_s);
        // A record that has an error kind already is not amended, and nothing is announced.
        auto again = t.ledger->markAnswerCut(ids[1], u"client_closed"_s);
        QTRY_VERIFY(again.isFinished());
        QVERIFY(again.result().has_value() && !*again.result());
        QTest::qWait(50);
        QCOMPARE(marked.count(), 1);
    }

    // Batch against real-time spend: gpt-4o-mini 1000 prompt + 200 completion tokens costs 270,000
    // nano-USD at list prices and 135,000 through the Batch API; two batch calls save 270,000.
    void batchTileShowsBatchAgainstRealTimeSpend()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        for (int i = 0; i < 3; ++i) {
            CallRecord r = miniCall(i + 1, u"nightly-classify"_s, u"batch-tile-%1"_s.arg(i));
            r.batch = i < 2;
            t.ledger->pricer()->apply(r);
            t.ledger->writer().submit(r);
        }
        t.ledger->writer().flush().waitForFinished();
        auto page = makePage(t, prompter, u"7d"_s);
        QTRY_VERIFY(page->isLoaded());
        QTRY_COMPARE(page->breakdownModel()->breakdown().totals.calls, 3);
        const Aggregate totals = page->breakdownModel()->breakdown().totals;
        QCOMPARE(totals.batchCalls, 2);
        QCOMPARE(totals.batchCost, NanoUsd(270'000));
        QCOMPARE(totals.batchSaved, NanoUsd(270'000));
        QCOMPARE(totals.saved, NanoUsd(0)); // the batch discount is not a cache saving
        QCOMPARE(totals.cost, NanoUsd(540'000));
        QCOMPARE(page->kpis()->batch()->value(), Format::usd(270'000));
        QCOMPARE(page->kpis()->batch()->detail(),
                 u"saved %1 · real-time %2"_s.arg(Format::usd(270'000), Format::usd(270'000)));
        QCOMPARE(page->kpis()->savings()->value(), Format::usd(0));
    }

    // Session-20 review: a range without calls said "all calls priced" under its $0.00 spend. It says there are
    // no calls in the range; a range with priced calls still says they are all priced.
    void spendTileSaysARangeHasNoCalls()
    {
        test::TempLedger t;
        test::ScriptedPrompter prompter;
        CallRecord r = miniCall(100, u"nightly-classify"_s, u"no-calls-range"_s); // about 4 days before "now"
        t.ledger->pricer()->apply(r);
        t.ledger->writer().submit(r);
        t.ledger->writer().flush().waitForFinished();
        auto page = makePage(t, prompter, u"24h"_s);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(!page->isShowingEmptyState()); // the ledger has a call, the range has none
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 0);
        QCOMPARE(page->kpis()->spend()->value(), Format::usd(0));
        QCOMPARE(page->kpis()->spend()->detail(), u"no calls in this range"_s);

        QSignalSpy loaded(page.get(), &DashboardPage::dataLoaded);
        page->rangePicker()->presetBox()->setCurrentIndex(1); // the last 7 days
        QTRY_VERIFY(loaded.count() >= 1 && page->isLoaded());
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 1);
        QCOMPARE(page->kpis()->spend()->detail(), u"all calls priced"_s);

        // Provider report lines count no calls: their spend is shown, and still no claim about calls.
        KpiPanel panel;
        Aggregate lines;
        lines.cost = 1'250'000'000;
        lines.promptTokens = 1'000'000;
        panel.setData(lines, {});
        QCOMPARE(panel.spend()->value(), Format::usd(1'250'000'000));
        QCOMPARE(panel.spend()->detail(), u"no calls in this range"_s);
    }

    void datePickerNarrowsTheRange_data()
    {
        QTest::addColumn<int>("presetIndex");
        QTest::addColumn<qint64>("calls");
        QTest::addColumn<int>("rows");
        QTest::newRow("the last 24 hours hold only the chat calls") << 0 << qint64(10) << 1;
        QTest::newRow("the last 7 days add the code-assist calls") << 1 << qint64(15) << 2;
        QTest::newRow("the last 30 days add the summaries") << 2 << qint64(19) << 3;
        QTest::newRow("all time includes the unpriced legacy calls") << 4 << qint64(22) << 4;
    }

    void datePickerNarrowsTheRange()
    {
        QFETCH(int, presetIndex);
        QFETCH(qint64, calls);
        QFETCH(int, rows);
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"90d"_s);
        QTRY_VERIFY(page->isLoaded());
        QSignalSpy loaded(page.get(), &DashboardPage::dataLoaded);

        // Drive the real combo box the user sees.
        QComboBox *preset = page->rangePicker()->presetBox();
        preset->setFocus();
        preset->setCurrentIndex(presetIndex);
        QTRY_VERIFY(loaded.count() >= 1 && page->isLoaded());
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, calls);
        QCOMPARE(page->breakdownModel()->rowCount(), rows);
        QCOMPARE(page->kpis()->calls()->value(), QString::number(calls));
        QCOMPARE(t.settings->dashboardRange(), page->range().id(page->range().preset));
        // The spend tile shows the exact sum of the priced calls.
        qint64 expected = costOf(*t.ledger, u"chat"_s);
        if (calls >= 15)
            expected += costOf(*t.ledger, u"code-assist"_s);
        if (calls >= 19)
            expected += costOf(*t.ledger, u"summarise"_s);
        QCOMPARE(page->breakdownModel()->breakdown().totals.cost, expected);
        QCOMPARE(page->kpis()->spend()->value(), formatUsd(expected, 2));
        // Unpriced calls are counted, never priced at $0.
        QCOMPARE(page->kpis()->unpriced()->value(), calls == 22 ? u"3"_s : u"0"_s);
        QCOMPARE(page->kpis()->findChild<QPushButton *>(u"addPriceButton"_s)->isVisibleTo(page.get()), calls == 22);
    }

    // Session-17 trial: an unpriced call without a model (a forwarded files call) made the tile read "e.g." with
    // nothing after it, and "Add price…" offered a price for no model. The example and the button name a model.
    void unpricedTileNamesOnlyModelsThatHaveAName()
    {
        KpiPanel panel;
        Aggregate totals;
        totals.calls = 3;
        totals.unpricedCalls = 3;
        auto *addPrice = panel.findChild<QPushButton *>(u"addPriceButton"_s);
        QVERIFY(addPrice);
        panel.setData(totals, {UnpricedModel{u"openai"_s, QString(), 3}});
        QCOMPARE(panel.unpriced()->value(), u"3"_s);
        QCOMPARE(panel.unpriced()->detail(), u"calls without a model"_s);
        QVERIFY(!addPrice->isVisibleTo(&panel));
        panel.setData(totals, {UnpricedModel{u"openai"_s, QString(), 2}, UnpricedModel{u"acme"_s, u"acme-llm"_s, 1}});
        QCOMPARE(panel.unpriced()->detail(), u"e.g. acme-llm"_s);
        QVERIFY(addPrice->isVisibleTo(&panel));
        QSignalSpy asked(&panel, &KpiPanel::addPriceRequested);
        addPrice->click();
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.first().at(1).toString(), u"acme-llm"_s);
    }

    // Session-17 look-over: 39.7 ms read "39 ms" (cut, not rounded); sub-10 ms latencies keep a tenth.
    void latencyIsRoundedNotCut()
    {
        QCOMPARE(Format::latency(39'700), u"40 ms"_s);
        QCOMPARE(Format::latency(39'400), u"39 ms"_s);
        QCOMPARE(Format::latency(420), u"0.4 ms"_s);
        QCOMPARE(Format::latency(9'940), u"9.9 ms"_s);
        QCOMPARE(Format::latency(9'960), u"10 ms"_s);
        QCOMPARE(Format::latency(999'600), u"1.0 s"_s);
        QCOMPARE(Format::latency(-1), u"–"_s);
    }

    void listPricesGiveTheExpectedCosts()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        // 10 x (1,000 x $2.50 + 200 x $10.00) / 1M = $0.045 (gpt-4o-2024-08-06, genai-prices 0.1.8)
        QCOMPARE(costOf(*t.ledger, u"chat"_s), 45'000'000LL);
        // 5 x (2,000 x $0.15 + 100 x $0.60) / 1M = $0.0018 (gpt-4o-mini-2024-07-18)
        QCOMPARE(costOf(*t.ledger, u"code-assist"_s), 1'800'000LL);
    }

    void customRangeUsesWholeDays()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        DateRangePicker *picker = page->rangePicker();
        picker->presetBox()->setCurrentIndex(5); // Custom…
        QVERIFY(picker->fromEdit()->isVisible());
        // 2026-06-12 is the day of the code-assist calls (3 days before "now").
        picker->fromEdit()->setDate(QDate(2026, 6, 12));
        picker->toEdit()->setDate(QDate(2026, 6, 12));
        QTRY_VERIFY(page->isLoaded() && page->breakdownModel()->breakdown().totals.calls == 5);
        QCOMPARE(page->breakdownModel()->rowCount(), 1);
        QCOMPARE(page->breakdownModel()->data(page->breakdownModel()->index(0, BreakdownModel::Endpoint)).toString(),
                 u"code-assist"_s);
    }

    void filterBoxNarrowsTheTable()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        BreakdownPanel *panel = page->breakdownPanel();
        QCOMPARE(panel->proxy()->rowCount(), 4);
        QTest::keyClicks(panel->filterBox(), u"gpt-4o"_s);
        QCOMPARE(panel->proxy()->rowCount(), 2); // gpt-4o-2024-08-06 and gpt-4o-mini-2024-07-18
        panel->filterBox()->clear();
        QTest::keyClicks(panel->filterBox(), u"SUMMAR"_s);
        QCOMPARE(panel->proxy()->rowCount(), 1);
        QCOMPARE(panel->table()->model()->index(0, BreakdownModel::Endpoint).data().toString(), u"summarise"_s);

        // Copy gives the visible rows as tab-separated text with a header.
        const QStringList lines = panel->selectionText().split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.at(1).startsWith(u"summarise\tclaude-3-5-sonnet-20241022\t4\t"_s));

        // Export CSV through the file-picker seam.
        const QString csv = t.dir.filePath(u"breakdown.csv"_s);
        prompter.fileAnswers.push_back(csv);
        QTest::mouseClick(panel->findChild<QPushButton *>(u"breakdownExport"_s), Qt::LeftButton);
        const QString text = QString::fromUtf8(test::readFile(csv));
        QVERIFY(text.startsWith(u"Endpoint,Model,Calls,"_s));
        QVERIFY2(text.contains(u"summarise,claude-3-5-sonnet-20241022,4,20000,0,2000,0,0.09,"_s), qPrintable(text));
#ifdef Q_OS_UNIX
        // Spend data, as the ledger: its owner's only (session-17 trial: exports were 0644).
        QCOMPARE(QFileInfo(csv).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        // The records export (File ▸ Export records) too.
        const QString jsonl = t.dir.filePath(u"records.jsonl"_s);
        const auto exported = exportRecords(*t.ledger, jsonl, ExportFormat::Jsonl, 0, m_now + test::kDayUs);
        QTRY_VERIFY_WITH_TIMEOUT(exported.isFinished(), 10000);
        QVERIFY2(exported.result().has_value() && *exported.result() == 22, qPrintable(exported.result() ? QString() : exported.result().error().message));
        QCOMPARE(QFileInfo(jsonl).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
#endif
    }

    void clickingARowNarrowsTheOtherViews()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        QTableView *table = page->breakdownPanel()->table();
        // Rows are sorted by cost: summarise ($0.09) first, then chat ($0.045).
        const QModelIndex chat = table->model()->index(1, BreakdownModel::Endpoint);
        QCOMPARE(chat.data().toString(), u"chat"_s);
        QVERIFY(!page->filterChip()->isVisible());
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(chat).center());
        QCOMPARE(page->filter().endpoint, u"chat"_s);
        QCOMPARE(page->filter().model, u"gpt-4o-2024-08-06"_s);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(page->filterChip()->isVisible());
        QVERIFY(page->filterChip()->text().contains(u"chat"_s));
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 10);
        QCOMPARE(page->kpis()->calls()->value(), u"10"_s);
        QCOMPARE(page->topSpendersChart()->barCount(), 1);
        QCOMPARE(page->costChart()->seriesCount(), 1);

        QTest::mouseClick(page->filterChip()->clearButton(), Qt::LeftButton);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(!page->filterChip()->isVisible());
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 22);
    }

    // Grouped by API key, the table shows each identity with its label; "Label this key…" (context menu)
    // asks through the dialog (which refuses text that looks like a key), stores the label in the ledger,
    // and Ctrl+Z / Ctrl+Y in the table undo and redo it; a row click narrows to that key.
    void groupingByKeyShowsLabelsAndLabelsAKeyWithUndo()
    {
        test::TempLedger t;
        QList<CallRecord> records;
        for (int i = 0; i < 15; ++i) {
            CallRecord r = test::makeRecord(m_now - test::kHourUs - i * 1'000'000LL, u"chat"_s, u"openai"_s,
                                            u"gpt-4o-2024-08-06"_s, 1000, 200);
            r.keyId = i < 10 ? u"k_aaaaaaaaaaaaaaaa"_s : u"k_bbbbbbbbbbbbbbbb"_s;
            r.sourceKey = u"keys:%1"_s.arg(i);
            t.ledger->pricer()->apply(r);
            records << r;
        }
        QCOMPARE(t.ledger->writer().submitBatch(records).result().inserted, 15);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        BreakdownPanel *panel = page->breakdownPanel();
        QVERIFY(!panel->labelKeyAction()->isVisible());
        panel->groupByBox()->setCurrentIndex(1);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(page->breakdownModel()->breakdown().groupBy == QList<Dimension>{Dimension::Key});
        QTableView *table = panel->table();
        QAbstractItemModel *m = table->model();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->headerData(BreakdownModel::Endpoint, Qt::Horizontal).toString(), u"Key label"_s);
        QCOMPARE(m->headerData(BreakdownModel::Model, Qt::Horizontal).toString(), u"Key identity"_s);
        QCOMPARE(m->index(0, BreakdownModel::Model).data().toString(), u"k_aaaaaaaaaaaaaaaa"_s);
        QCOMPARE(m->index(0, BreakdownModel::Endpoint).data().toString(), u"(no label)"_s);
        QCOMPARE(m->index(0, BreakdownModel::Calls).data(BreakdownModel::SortRole).toLongLong(), 10);

        table->setCurrentIndex(m->index(0, BreakdownModel::Endpoint));
        QVERIFY(panel->labelKeyAction()->isVisible());
        QVERIFY(panel->labelKeyAction()->isEnabled());
        panel->labelKeyAction()->trigger();
        auto *dialog = prompter.lastDialog<KeyLabelDialog>();
        QVERIFY(dialog);
        QCOMPARE(dialog->keyId(), u"k_aaaaaaaaaaaaaaaa"_s);
        QPushButton *ok = dialog->buttons()->button(QDialogButtonBox::Ok);
        dialog->edit()->setText(u"sk-proj-0123456789abcdefghij"_s);
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog->findChild<QLabel *>(u"keyLabelProblem"_s)->isVisible());
        dialog->edit()->setText(u"billing service"_s);
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_COMPARE(m->index(0, BreakdownModel::Endpoint).data().toString(), u"billing service"_s);
        QTRY_VERIFY(page->isLoaded());
        // Stored in the ledger: the CLI and a restart see it.
        BreakdownQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max();
        q.groupBy = {Dimension::Key};
        QCOMPARE(t.ledger->breakdown(q).result()->keyLabels.value(u"k_aaaaaaaaaaaaaaaa"_s), u"billing service"_s);

        // Shortcuts reach only the active window (the dialog was the last one shown).
        page->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE(m->index(0, BreakdownModel::Endpoint).data().toString(), u"(no label)"_s);
        QVERIFY(t.ledger->breakdown(q).result()->keyLabels.isEmpty());
        QTRY_VERIFY(page->isLoaded());
        page->undoStack()->redo();
        QTRY_COMPARE(m->index(0, BreakdownModel::Endpoint).data().toString(), u"billing service"_s);
        QTRY_VERIFY(page->isLoaded());
        // To look at it: TOKENLEDGER_SCREENSHOT_DIR=/tmp/shots ctest -R DashboardTest
        if (const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(page->grab().save(dir + u"/dashboard-by-key.png"_s));

        // A plain click on the other key's row narrows every view to that key.
        const QModelIndex other = m->index(1, BreakdownModel::Calls);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(other).center());
        QCOMPARE(page->filter().key, u"k_bbbbbbbbbbbbbbbb"_s);
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 5);
    }

    // At a 1440 px window the breakdown fits its third of the page without scrolling sideways (the columns
    // that do not fit are hidden by default); the header's context menu shows a hidden column again, and the
    // choice is kept for the next start. Copy and export keep every column.
    void breakdownColumnsFitAt1440AndTheChoiceIsKept()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        page->resize(1440 - 120, 900 - 60); // the main window's navigation list and status bar take the rest
        QTRY_VERIFY(page->isLoaded());
        BreakdownPanel *panel = page->breakdownPanel();
        QTableView *table = panel->table();
        QCOMPARE(panel->hiddenColumns(), BreakdownPanel::defaultHiddenColumns());
        QTRY_COMPARE(table->horizontalScrollBar()->maximum(), 0);
        panel->setHiddenColumns({}); // every column: it would scroll (why some are hidden by default)
        QTRY_VERIFY(table->horizontalScrollBar()->maximum() > 0);
        panel->setHiddenColumns(BreakdownPanel::defaultHiddenColumns());
        QVERIFY(!table->isColumnHidden(BreakdownModel::P95Latency));
        QVERIFY(table->isColumnHidden(BreakdownModel::CachedTokens));
        QVERIFY(!panel->columnAction(BreakdownModel::Endpoint)); // names and cost are always shown
        QVERIFY(panel->selectionText().section(u'\n', 0, 0).contains(u"Cached tokens"_s));

        panel->columnAction(BreakdownModel::CachedTokens)->trigger();
        QVERIFY(!table->isColumnHidden(BreakdownModel::CachedTokens));
        auto again = makePage(t, prompter, u"all"_s);
        QVERIFY(!again->breakdownPanel()->table()->isColumnHidden(BreakdownModel::CachedTokens));
        QVERIFY(again->breakdownPanel()->table()->isColumnHidden(BreakdownModel::ReasoningTokens));
    }

    void clickingAParetoBarNarrowsTheTable()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        ParetoChart *pareto = page->paretoChart();
        QCOMPARE(pareto->barCount(), 4);
        // A real mouse click in the middle of the second bar (chat, the second highest cost).
        QChart *chart = pareto->chart();
        QAbstractSeries *bars = nullptr;
        for (QAbstractSeries *s : chart->series()) {
            if (qobject_cast<QBarSeries *>(s))
                bars = s;
        }
        QVERIFY(bars);
        const double height = double(costOf(*t.ledger, u"chat"_s)) / 1e9;
        const QPointF inChart = chart->mapToPosition(QPointF(1, height / 2), bars);
        const QPoint inView = pareto->view()->mapFromScene(chart->mapToScene(inChart));
        QSignalSpy clicked(pareto, &ParetoChart::barClicked);
        QTest::mouseMove(pareto->view()->viewport(), inView);
        QTest::mouseClick(pareto->view()->viewport(), Qt::LeftButton, {}, inView);
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.first().first().toString(), u"chat"_s);
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->filter().endpoint, u"chat"_s);
        QCOMPARE(page->breakdownModel()->rowCount(), 1);
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 10);
        QVERIFY(page->filterChip()->isVisible());
    }

    void clickingATopSpenderOrACostSeriesNarrows()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->topSpendersChart()->barCount(), 4);
        page->topSpendersChart()->clickBar(0); // the highest: summarise · claude
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->filter().endpoint, u"summarise"_s);
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 4);
        page->clearFilter();
        QTRY_VERIFY(page->isLoaded());
        // The cost chart is stacked by model; a series click narrows to that model.
        QCOMPARE(page->costChart()->seriesCount(), 4);
        page->costChart()->clickSeries(0);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(!page->filter().model.isEmpty());
        QCOMPARE(page->breakdownModel()->rowCount(), 1);
        QCOMPARE(page->breakdownModel()->breakdown().rows.first().keys.at(1), page->filter().model);
    }

    // A series whose name is empty (calls without a served model) has a visible legend name, not a blank one
    // (session-9 trial), and clicking it narrows nothing.
    void unnamedCostSeriesIsLabelled()
    {
        TimeSeries series;
        series.bucketStartsUs = {0, 3'600'000'000};
        series.bucketLabels = {u"2026-06-15 10:00"_s, u"2026-06-15 11:00"_s};
        series.seriesNames = {u"gpt-4o"_s, QString()};
        series.cost = {{1'000'000, 2'000'000}, {0, 500'000}};
        series.callsPerBucket = {1, 2};
        series.costPerBucket = {1'000'000, 2'500'000};
        CostOverTimeChart chart;
        chart.setSeries(series, u"Other"_s);
        QCOMPARE(chart.seriesCount(), 2);
        const auto *bars = qobject_cast<QAbstractBarSeries *>(chart.chart()->series().value(0));
        QVERIFY(bars);
        QCOMPARE(bars->barSets().at(0)->label(), u"gpt-4o"_s);
        QCOMPARE(bars->barSets().at(1)->label(), u"(none)"_s);
        QSignalSpy clicked(&chart, &CostOverTimeChart::seriesClicked);
        chart.clickSeries(1);
        QCOMPARE(clicked.count(), 0);
    }

    void staleResultsAreIgnored()
    {
        test::TempLedger t;
        test::fillLedger(*t.ledger, m_now);
        test::ScriptedPrompter prompter;
        auto page = makePage(t, prompter, u"all"_s);
        // Several requests in a row: only the last one's results may land.
        DateRange r24;
        r24.preset = DateRange::Preset::Last24h;
        DateRange all;
        all.preset = DateRange::Preset::All;
        page->setRange(r24);
        page->setRange(all);
        page->setRange(r24);
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->breakdownModel()->breakdown().totals.calls, 10);
    }
};

} // namespace tl

QTEST_MAIN(tl::DashboardTest)
#include "DashboardTest.moc"
