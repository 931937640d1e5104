// The pages in the real main window at 900x600 (what a 1366x768 laptop with a docked panel, or a tiling
// window manager, gives), in English and Chinese, on a real temporary ledger: the window can be made that
// small, the Dashboard and the Simulator do not scroll sideways, and no button or label on the Dashboard,
// Simulator or Routing page is narrower or lower than its text needs. At 1280x800 the wide arrangements
// stay (seven KPI tiles in a row, top spenders beside the cost chart, the Routing page's buttons in a
// column beside their tables and nothing to scroll). A page that needs more than 900x600 is checked at the
// size a tiling window manager forces, and the window's own minimum is checked last.
#include "MainWindow.h"
#include "ScriptedPrompter.h"
#include "TestSupport.h"
#include "UiTestData.h"
#include "charts/CostOverTimeChart.h"
#include "charts/TopSpendersChart.h"
#include "common/Translations.h"
#include "dashboard/DashboardPage.h"
#include "dashboard/DateRangePicker.h"
#include "dashboard/KpiPanel.h"
#include "routing/RoutingPage.h"
#include "simulator/SimulatorPage.h"
#include "tokenizer/Tokenizers.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QGraphicsTextItem>
#include <QGraphicsView>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>
#include <QTranslator>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

class SmallWindowTest : public QObject
{
    Q_OBJECT

private:
    const qint64 m_now = test::usFromIso(u"2026-06-15T12:00:00Z"_s);

    // The main window as the app builds it (AppContext::createMainWindow) with the page under test added.
    std::unique_ptr<MainWindow> makeWindow(test::TempLedger &t, const QString &pageId)
    {
        t.settings->setTimeZone(u"UTC"_s);
        t.settings->setDashboardRange(u"all"_s);
        const auto clock = [this] { return m_now; };
        auto window = std::make_unique<MainWindow>(*t.ledger, *t.settings, std::make_shared<test::ScriptedPrompter>(),
                                                   clock);
        MainWindow *w = window.get();
        w->addPage(u"simulator"_s, u"Simulator"_s, MainWindow::PageFactory([&t, w, clock] {
                       return new SimulatorPage(*t.ledger, *t.settings, std::make_shared<test::ScriptedPrompter>(),
                                                clock, w);
                   }));
        w->addPage(u"routing"_s, u"Routing"_s, MainWindow::PageFactory([&t, w, clock] {
                       return new RoutingPage(*t.ledger, *t.settings, std::make_shared<tokenizer::Tokenizers>(),
                                              std::make_shared<test::ScriptedPrompter>(), clock, w);
                   }));
        w->showPage(pageId);
        return window;
    }

    // A month of a team's traffic on top of test::fillLedger: fourteen endpoints in all, some with long names,
    // on four models, every day (long axis labels, a Pareto chart and top spenders with many bars, a full
    // endpoint table on the Simulator page).
    void fillBusyLedger(Ledger &ledger)
    {
        test::fillLedger(ledger, m_now);
        const QStringList endpoints{u"search-rerank"_s,  u"support-bot"_s,       u"billing-service"_s,
                                    u"doc-translate"_s,  u"email-drafts"_s,      u"analytics-sql"_s,
                                    u"moderation"_s,     u"onboarding-wizard"_s, u"voice-transcripts"_s,
                                    u"internal-tools"_s};
        const QList<std::pair<QString, QString>> models{{u"openai"_s, u"gpt-4o-2024-08-06"_s},
                                                        {u"openai"_s, u"gpt-4o-mini-2024-07-18"_s},
                                                        {u"anthropic"_s, u"claude-3-5-sonnet-20241022"_s},
                                                        {u"anthropic"_s, u"claude-3-5-haiku-20241022"_s}};
        QList<CallRecord> records;
        for (int day = 0; day < 30; ++day)
            for (qsizetype e = 0; e < endpoints.size(); ++e)
                for (qsizetype i = 0; i < endpoints.size() - e; ++i) {
                    const auto &[provider, model] = models.at((day + e + i) % models.size());
                    CallRecord r = test::makeRecord(m_now - day * test::kDayUs - (e * 60 + i) * 1'000'000LL,
                                                    endpoints.at(e), provider, model, 1500 + 100 * i, 300);
                    r.sourceKey = u"busy:%1:%2:%3"_s.arg(day).arg(e).arg(i);
                    ledger.pricer()->apply(r);
                    records << r;
                }
        const WriteReport report = ledger.writer().submitBatch(records).result();
        QCOMPARE(report.inserted, records.size());
    }

    // Shows the window at `size` even where its minimum is larger (as a tiling window manager does) and
    // sets `minimum` to the minimum it asked for.
    static void showAt(MainWindow &window, QSize size, QSize &minimum)
    {
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        minimum = window.minimumSizeHint();
        window.setMinimumSize(1, 1);
        window.resize(size);
    }

    // Labels, buttons and combo boxes narrower or lower than their text needs.
    static QStringList clippedWidgets(QWidget *root)
    {
        QStringList clipped;
        for (QWidget *w : root->findChildren<QWidget *>()) {
            // Qt's own parts (a line edit's clear button) are sized by their owner.
            if (!w->isVisibleTo(root) || w->window() != root->window()
                || (w->objectName().isEmpty() && qobject_cast<QLineEdit *>(w->parentWidget())))
                continue;
            const auto *label = qobject_cast<QLabel *>(w);
            const auto *button = qobject_cast<QAbstractButton *>(w);
            // A word-wrapped label needs the height of its lines at its width.
            if (label && label->wordWrap() && !label->text().isEmpty() && w->height() < w->heightForWidth(w->width()))
                clipped << u"QLabel %1 \"%2\" %3 px high < %4 px"_s.arg(w->objectName(), label->text())
                               .arg(w->height())
                               .arg(w->heightForWidth(w->width()));
            if (!(label && !label->wordWrap() && !label->text().isEmpty()) && !button && !qobject_cast<QComboBox *>(w))
                continue;
            // A push button shows its whole text only at its size hint.
            const QSize need = qobject_cast<QPushButton *>(w) ? w->sizeHint() : w->minimumSizeHint();
            if (w->width() < need.width() || w->height() < need.height())
                clipped << u"%1 %2 \"%3\" %4x%5 < %6x%7"_s
                               .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(),
                                    button ? button->text() : label ? label->text() : QString())
                               .arg(w->width())
                               .arg(w->height())
                               .arg(need.width())
                               .arg(need.height());
        }
        return clipped;
    }

    // Scroll areas that scroll sideways, or that cut their content (no horizontal scroll bar, content
    // narrower than it needs).
    static QStringList sidewaysScrolling(QWidget *root)
    {
        QStringList found;
        for (QScrollArea *area : root->findChildren<QScrollArea *>()) {
            if (!area->isVisibleTo(root) || !area->widget())
                continue;
            if (area->horizontalScrollBar()->maximum() > 0)
                found << u"%1 scrolls %2 px sideways"_s.arg(area->objectName()).arg(area->horizontalScrollBar()->maximum());
            const int need = area->widget()->minimumSizeHint().width();
            if (area->widget()->width() < need)
                found << u"%1 cuts its content: %2 px < %3 px"_s.arg(area->objectName()).arg(area->widget()->width()).arg(need);
        }
        return found;
    }

    // Visible widgets of `root` (itself included) with a visible sibling whose geometry overlaps theirs: a
    // layout given less room than its minimum lays its widgets over each other. Qt's own parts (a scroll
    // area's scroll bars and viewport, a table's header, a splitter's handles) are placed by their owner.
    static QStringList overlappingSiblings(QWidget *root)
    {
        QStringList found;
        QList<QWidget *> parents{root};
        parents += root->findChildren<QWidget *>();
        const auto name = [](QWidget *w) {
            return u"%1 %2"_s.arg(QString::fromLatin1(w->metaObject()->className()), w->objectName());
        };
        for (QWidget *parent : std::as_const(parents)) {
            if (!parent->isVisibleTo(root) && parent != root)
                continue;
            if (qobject_cast<QAbstractScrollArea *>(parent)
                || qobject_cast<QAbstractScrollArea *>(parent->parentWidget()))
                continue;
            QList<QWidget *> children;
            for (QWidget *w : parent->findChildren<QWidget *>(Qt::FindDirectChildrenOnly))
                if (!w->isWindow() && w->isVisibleTo(root) && !w->objectName().startsWith(u"qt_"))
                    children << w;
            for (qsizetype i = 0; i < children.size(); ++i)
                for (qsizetype j = i + 1; j < children.size(); ++j)
                    if (children.at(i)->geometry().intersects(children.at(j)->geometry()))
                        found << u"%1 %2 overlaps %3 %4"_s.arg(name(children.at(i)))
                                     .arg(QVariant(children.at(i)->geometry()).toString(), name(children.at(j)))
                                     .arg(QVariant(children.at(j)->geometry()).toString());
        }
        return found;
    }

    // Chart texts (axis labels, titles, legend entries) that Qt Charts drew cut short: it elides a text that
    // does not fit the room the chart's layout gives it with "..." (the charts' own shortening of long names
    // uses "…", a single character, and says so in a tooltip). Read from the items the chart view draws.
    static QStringList elidedChartTexts(QWidget *root)
    {
        QStringList found;
        for (QGraphicsView *view : root->findChildren<QGraphicsView *>()) {
            if (!view->isVisibleTo(root) || !view->scene())
                continue;
            const auto items = view->scene()->items();
            for (QGraphicsItem *item : items) {
                const auto *text = dynamic_cast<QGraphicsTextItem *>(item);
                if (text && text->isVisible() && text->toPlainText().endsWith(u"..."))
                    found << u"%1: \"%2\""_s.arg(view->parentWidget()->objectName(), text->toPlainText());
            }
        }
        return found;
    }

    // Header sections of the visible tables narrower than their text (with the header's margins and sort
    // indicator: QHeaderView::sectionSizeHint) whose whole title is not in the section's tooltip either.
    static QStringList clippedHeaders(QWidget *root)
    {
        QStringList found;
        for (QTableView *table : root->findChildren<QTableView *>()) {
            if (!table->isVisibleTo(root))
                continue;
            QHeaderView *header = table->horizontalHeader();
            for (int c = 0; c < header->count(); ++c) {
                if (header->isSectionHidden(c))
                    continue;
                const QString text = table->model()->headerData(c, Qt::Horizontal).toString();
                const int need = header->sectionSizeHint(c);
                if (header->sectionSize(c) < need
                    && table->model()->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString() != text)
                    found << u"%1 column \"%2\" %3 px < %4 px"_s.arg(table->objectName(), text)
                                 .arg(header->sectionSize(c))
                                 .arg(need);
            }
        }
        return found;
    }

    // Header sections of `table` narrower than their text: the text's width in the header's font (each line of
    // it where the header wraps: Qt::TextWordWrap in its alignment) against the section's width less the
    // header's margins and, on the sorted column, its sort indicator; and a wrapped text taller than the header.
    // Unlike clippedHeaders(), a tooltip with the whole title does not excuse a title the header cuts.
    static QStringList headersCutInTheirSections(QTableView *table)
    {
        QStringList found;
        QHeaderView *header = table->horizontalHeader();
        const QFontMetrics fm(header->font());
        const int margin = header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
        const int indicator = header->style()->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header);
        for (int c = 0; c < header->count(); ++c) {
            if (header->isSectionHidden(c))
                continue;
            const QString text = table->model()->headerData(c, Qt::Horizontal).toString();
            int room = header->sectionSize(c) - 2 * margin;
            if (header->isSortIndicatorShown() && header->sortIndicatorSection() == c)
                room -= indicator + margin;
            const bool wraps = header->defaultAlignment() & Qt::TextWordWrap;
            const QRect need = wraps ? fm.boundingRect(QRect(0, 0, std::max(1, room), 10'000), Qt::TextWordWrap, text)
                                     : QRect(0, 0, fm.horizontalAdvance(text), fm.height());
            if (need.width() > room || need.height() > header->height() - 2)
                found << u"%1 column \"%2\": %3x%4 px of text, %5 px of room in a %6x%7 px section"_s
                             .arg(table->objectName(), text)
                             .arg(need.width())
                             .arg(need.height())
                             .arg(room)
                             .arg(header->sectionSize(c))
                             .arg(header->height());
        }
        return found;
    }

    // To look at it: TOKENLEDGER_SCREENSHOT_DIR=/tmp/shots ctest -R SmallWindowTest (the window, and the whole
    // of the page's scrolling content when it has one).
    static void saveScreenshots(QWidget *window, QScrollArea *scroll, const QString &page)
    {
        const QString dir = qEnvironmentVariable("TOKENLEDGER_SCREENSHOT_DIR");
        if (dir.isEmpty())
            return;
        QFETCH(QString, language);
        const QString stem
            = u"%1/%2-%3x%4-%5"_s.arg(dir, page).arg(window->width()).arg(window->height()).arg(language);
        QVERIFY(window->grab().save(stem + u".png"_s));
        if (scroll)
            QVERIFY(scroll->widget()->grab().save(stem + u"-content.png"_s));
    }

    static void useLanguage(const QString &language)
    {
        if (language == u"en")
            removeTranslations();
        else if (QCoreApplication::translate("tl::MainWindow", "Dashboard") == u"Dashboard")
            QCOMPARE(Translations::install(language), language);
        QCOMPARE(QCoreApplication::translate("tl::MainWindow", "Dashboard") == u"Dashboard", language == u"en");
    }

    static void removeTranslations()
    {
        for (QTranslator *translator : QCoreApplication::instance()->findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
        QLocale::setDefault(QLocale::c());
    }

    static void languages()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QSize>("size");
        QTest::newRow("English at 900x600") << u"en"_s << QSize(900, 600);
        QTest::newRow("English at 1280x800") << u"en"_s << QSize(1280, 800);
        QTest::newRow("Chinese at 900x600") << u"zh_CN"_s << QSize(900, 600);
        QTest::newRow("Chinese at 1280x800") << u"zh_CN"_s << QSize(1280, 800);
    }

    static void verifyWindowFits(const QSize &minimum, const QSize &size)
    {
        QVERIFY2(minimum.width() <= size.width() && minimum.height() <= size.height(),
                 qPrintable(u"the window cannot be made %1x%2: its minimum is %3x%4"_s.arg(size.width())
                                .arg(size.height())
                                .arg(minimum.width())
                                .arg(minimum.height())));
    }

    // In the test row's language, a ledger filled with calls and the main window on `pageId`, shown at the row's
    // size (`shownSize`; `minimum`: the window's own minimum size). Null when that failed (the test has failed).
    template<typename Page>
    Page *openPage(test::TempLedger &t, std::unique_ptr<MainWindow> &window, const QString &pageId, QSize &shownSize,
                   QSize &minimum)
    {
        QFETCH(QString, language);
        QFETCH(QSize, size);
        shownSize = size;
        useLanguage(language);
        fillBusyLedger(*t.ledger);
        if (QTest::currentTestFailed())
            return nullptr;
        window = makeWindow(t, pageId);
        auto *page = qobject_cast<Page *>(window->page(pageId));
        if (!page) {
            QTest::qFail("the page is missing", __FILE__, __LINE__);
            return nullptr;
        }
        showAt(*window, size, minimum);
        return QTest::currentTestFailed() ? nullptr : page;
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dashboardReflowsInsteadOfScrollingSideways_data() { languages(); }
    void dashboardReflowsInsteadOfScrollingSideways()
    {
        test::TempLedger t;
        std::unique_ptr<MainWindow> window;
        QSize size, minimum;
        auto *page = openPage<DashboardPage>(t, window, u"dashboard"_s, size, minimum);
        if (!page)
            return;
        QTRY_VERIFY(page->isLoaded());
        QTRY_COMPARE(window->size(), size);
        auto *scroll = page->findChild<QScrollArea *>(u"dashboardScroll"_s);
        QVERIFY(scroll && scroll->isVisible());
        QTRY_COMPARE(scroll->horizontalScrollBar()->maximum(), 0);
        QTRY_COMPARE(scroll->widget()->width(), scroll->viewport()->width());
        QTRY_VERIFY2(clippedWidgets(page).isEmpty(), qPrintable(clippedWidgets(page).join(u"; "_s)));
        QVERIFY2(sidewaysScrolling(page).isEmpty(), qPrintable(sidewaysScrolling(page).join(u"; "_s)));
        QTRY_VERIFY2(overlappingSiblings(page).isEmpty(), qPrintable(overlappingSiblings(page).join(u"; "_s)));
        QTRY_VERIFY2(elidedChartTexts(page).isEmpty(), qPrintable(elidedChartTexts(page).join(u"; "_s)));
        QTRY_VERIFY2(clippedHeaders(page).isEmpty(), qPrintable(clippedHeaders(page).join(u"; "_s)));
        // The breakdown shows its last column (Share) without scrolling sideways: the names give up width
        // first, whole in their tooltips (before session 19 an English 900 px window hid Share to the right).
        auto *breakdown = page->findChild<QTableView *>(u"breakdownTable"_s);
        QVERIFY(breakdown && breakdown->isVisible());
        QTRY_VERIFY2(breakdown->horizontalScrollBar()->maximum() == 0,
                     qPrintable(u"the breakdown scrolls %1 px sideways"_s.arg(breakdown->horizontalScrollBar()->maximum())));
        saveScreenshots(window.get(), scroll, u"dashboard"_s);
        const auto top = [page](QWidget *w) { return w->mapTo(page, QPoint()).y(); };
        if (size.width() >= 1280) {
            // As before: the seven tiles in one row, top spenders beside the cost chart.
            QCOMPARE(top(page->kpis()->unpriced()), top(page->kpis()->spend()));
            QCOMPARE(top(page->topSpendersChart()), top(page->costChart()));
        } else {
            QVERIFY(top(page->kpis()->unpriced()) > top(page->kpis()->spend()));
            QVERIFY(top(page->topSpendersChart()) > top(page->costChart()));
        }
        verifyWindowFits(minimum, size);

        // Session-17 look-over: at the 24 h range the cost chart's hour labels ("2026-11-30 08:00") were cut to
        // "2026-11-30 08..." (a fixed 110 px a label); the month range above has short day labels.
        QSignalSpy loaded(page, &DashboardPage::dataLoaded);
        page->rangePicker()->presetBox()->setCurrentIndex(0); // the last 24 hours
        QTRY_VERIFY(loaded.count() >= 1 && page->isLoaded());
        QCOMPARE(page->range().id(page->range().preset), u"24h"_s);
        QTRY_VERIFY2(elidedChartTexts(page).isEmpty(), qPrintable(elidedChartTexts(page).join(u"; "_s)));
    }

    void simulatorDoesNotScrollSideways_data() { languages(); }
    void simulatorDoesNotScrollSideways()
    {
        test::TempLedger t;
        std::unique_ptr<MainWindow> window;
        QSize size, minimum;
        auto *page = openPage<SimulatorPage>(t, window, u"simulator"_s, size, minimum);
        if (!page)
            return;
        QTRY_VERIFY_WITH_TIMEOUT(page->isLoaded(), 10000);
        QTRY_COMPARE(window->size(), size);
        auto *results = page->findChild<QScrollArea *>(u"simulatorResults"_s);
        QVERIFY(results && results->isVisible());
        QTRY_COMPARE(results->horizontalScrollBar()->maximum(), 0);
        // The strategy table shows every column (it has no scroll bars of its own).
        auto *strategies = page->findChild<QTableView *>(u"strategyTable"_s);
        QVERIFY(strategies);
        QTRY_VERIFY2(strategies->horizontalHeader()->length() <= strategies->viewport()->width(),
                     qPrintable(u"columns %1 px in %2 px"_s.arg(strategies->horizontalHeader()->length())
                                    .arg(strategies->viewport()->width())));
        QTRY_VERIFY2(sidewaysScrolling(page).isEmpty(), qPrintable(sidewaysScrolling(page).join(u"; "_s)));
        QTRY_VERIFY2(clippedWidgets(page).isEmpty(), qPrintable(clippedWidgets(page).join(u"; "_s)));
        QTRY_VERIFY2(overlappingSiblings(page).isEmpty(), qPrintable(overlappingSiblings(page).join(u"; "_s)));
        QTRY_VERIFY2(elidedChartTexts(page).isEmpty(), qPrintable(elidedChartTexts(page).join(u"; "_s)));
        // Strategy names wrap between words instead of being cut ("Prompt compressi..." at 900x600 before session
        // 16): every word fits the name column, and each row is as tall as its wrapped name.
        const auto namesCut = [strategies] {
            QStringList cut;
            const int width = strategies->columnWidth(0) - 8;
            for (int row = 0; row < strategies->model()->rowCount(); ++row) {
                const QString name = strategies->model()->index(row, 0).data().toString();
                const QRect wrapped = strategies->fontMetrics().boundingRect(QRect(0, 0, width, 10'000), Qt::TextWordWrap, name);
                bool wordTooWide = false;
                for (const QString &word : name.split(u' ', Qt::SkipEmptyParts))
                    wordTooWide = wordTooWide || strategies->fontMetrics().horizontalAdvance(word) > width;
                if (wordTooWide || wrapped.height() > strategies->rowHeight(row))
                    cut << u"%1 (column %2 px, row %3 px)"_s.arg(name).arg(width).arg(strategies->rowHeight(row));
            }
            return cut;
        };
        QTRY_VERIFY2(namesCut().isEmpty(), qPrintable(namesCut().join(u"; "_s)));
        saveScreenshots(window.get(), results, u"simulator"_s);
        QTRY_VERIFY2(clippedHeaders(page).isEmpty(), qPrintable(clippedHeaders(page).join(u"; "_s)));
        // Session-20 review: at 900x600 the strategy table's titles were cut ("Projected sa", "% of bas", "Calls
        // affe") and only in the tooltips whole; every title is whole in its section now.
        auto *endpoints = page->findChild<QTableView *>(u"endpointTable"_s);
        QVERIFY(endpoints && endpoints->isVisible());
        for (QTableView *table : {strategies, endpoints})
            QTRY_VERIFY2(headersCutInTheirSections(table).isEmpty(),
                         qPrintable(headersCutInTheirSections(table).join(u"; "_s)));
        // The endpoint table's name column leaves the first figures in view: it kept a 216 px width (268 px in
        // Chinese) from a wider table in a 260 px viewport and pushed "Calls" and the rest out of sight.
        const auto callsOutOfView = [endpoints] {
            const int end = endpoints->columnViewportPosition(1) + endpoints->columnWidth(1);
            return end <= endpoints->viewport()->width()
                ? QString()
                : u"the endpoint table's Calls column ends at %1 px of %2 px (names %3 px)"_s.arg(end)
                      .arg(endpoints->viewport()->width())
                      .arg(endpoints->columnWidth(0));
        };
        QTRY_VERIFY2(callsOutOfView().isEmpty(), qPrintable(callsOutOfView()));
        verifyWindowFits(minimum, size);
    }

    // The Simulator's first results in Chinese at 1280x800, as the screenshot command takes them: when the page
    // says its data is loaded (dataLoaded()) its layouts are still queued and its strategy table lies over
    // the charts; MainWindow::applyPendingLayouts() (which the command calls before grabbing) puts every
    // widget in place.
    void simulatorResultsAreInPlaceForAScreenshot()
    {
        test::TempLedger t;
        useLanguage(u"zh_CN"_s);
        fillBusyLedger(*t.ledger);
        auto window = makeWindow(t, u"dashboard"_s);
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        auto *page = qobject_cast<SimulatorPage *>(window->page(u"simulator"_s));
        QVERIFY(page);
        std::optional<QStringList> overlaps;
        connect(page, &SimulatorPage::dataLoaded, this, [&] {
            if (overlaps)
                return;
            window->applyPendingLayouts();
            overlaps = overlappingSiblings(page);
        });
        window->showPage(u"simulator"_s);
        QTRY_VERIFY_WITH_TIMEOUT(overlaps.has_value(), 10000);
        QVERIFY2(overlaps->isEmpty(), qPrintable(overlaps->join(u"; "_s)));
        QVERIFY(!page->findChildren<QTableView *>(u"strategyTable"_s).isEmpty());
    }

    void routingButtonsFitTheirText_data() { languages(); }
    void routingButtonsFitTheirText()
    {
        test::TempLedger t;
        std::unique_ptr<MainWindow> window;
        QSize size, minimum;
        auto *page = openPage<RoutingPage>(t, window, u"routing"_s, size, minimum);
        if (!page)
            return;
        QTRY_COMPARE(window->size(), size);
        for (const char *name : {"routingAddRule", "routingRemoveRule", "routingRuleUp", "routingRuleDown",
                                 "routingBuiltInRules", "routingAddEndpoint", "routingRemoveEndpoint"}) {
            auto *button = page->findChild<QPushButton *>(QString::fromLatin1(name));
            QVERIFY2(button && button->isVisible(), name);
        }
        QTRY_VERIFY2(clippedWidgets(page).isEmpty(), qPrintable(clippedWidgets(page).join(u"; "_s)));
        QVERIFY2(sidewaysScrolling(page).isEmpty(), qPrintable(sidewaysScrolling(page).join(u"; "_s)));
        auto *rules = page->findChild<QTableView *>(u"routingRules"_s);
        QVERIFY(rules);
        const auto at = [page](QWidget *w, QPoint p) { return w->mapTo(page, p); };
        if (size.height() >= 800) {
            // As before: the buttons in a column beside the table, at least four rules in view, no scrolling.
            QTRY_VERIFY(at(page->addRuleButton(), {}).x() >= at(rules, {rules->width(), 0}).x());
            QVERIFY2(rules->viewport()->height() >= 4 * rules->verticalHeader()->defaultSectionSize(),
                     qPrintable(u"%1 px for the rules"_s.arg(rules->viewport()->height())));
            if (auto *scroll = page->findChild<QScrollArea *>(u"routingScroll"_s))
                QTRY_COMPARE(scroll->verticalScrollBar()->maximum(), 0);
        } else {
            QTRY_VERIFY(at(page->addRuleButton(), {}).y() >= at(rules, {0, rules->height()}).y()); // a row under it
            // Four rules in view all the same (a row and a half before session 19): the page scrolls down.
            QTRY_VERIFY2(rules->viewport()->height() >= 4 * rules->verticalHeader()->defaultSectionSize(),
                         qPrintable(u"%1 px for the rules"_s.arg(rules->viewport()->height())));
        }
        verifyWindowFits(minimum, size);
    }

    void cleanupTestCase() { removeTranslations(); }
};

} // namespace tl

QTEST_MAIN(tl::SmallWindowTest)
#include "SmallWindowTest.moc"
