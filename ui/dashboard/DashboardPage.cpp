#include "DashboardPage.h"

#include "BreakdownModel.h"
#include "common/FutureGuard.h"
#include "BreakdownPanel.h"
#include "DateRangePicker.h"
#include "EmptyState.h"
#include "FilterChip.h"
#include "KeyLabelDialog.h"
#include "KpiPanel.h"
#include "charts/CostOverTimeChart.h"
#include "charts/ParetoChart.h"
#include "charts/TopSpendersChart.h"
#include "common/Format.h"
#include "ledger/Ledger.h"
#include "common/Prompter.h"
#include "settings/Settings.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <climits>
#include <limits>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
// One key label change: redo sets `after`, undo restores `before` (both through the ledger's writer).
class KeyLabelCommand final : public QUndoCommand
{
public:
    KeyLabelCommand(std::function<void(const QString &)> apply, const QString &keyId, QString before, QString after)
        : m_apply(std::move(apply))
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
        setText(m_after.isEmpty() ? DashboardPage::tr("remove the label of %1").arg(keyId)
                                  : DashboardPage::tr("label %1 as \"%2\"").arg(keyId, m_after));
    }
    void undo() override { m_apply(m_before); }
    void redo() override { m_apply(m_after); }

private:
    std::function<void(const QString &)> m_apply;
    QString m_before;
    QString m_after;
};
} // namespace

DashboardPage::DashboardPage(Ledger &ledger, Settings &settings, Prompter &prompter, Clock clock, QWidget *parent)
    : QWidget(parent)
    , m_ledger(ledger)
    , m_settings(settings)
    , m_prompter(prompter)
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch() * 1000; }))
{
    setObjectName(u"dashboardPage"_s);
    m_stack = new QStackedWidget(this);
    m_empty = new EmptyState(m_stack);
    connect(m_empty, &EmptyState::importRequested, this, &DashboardPage::importRequested);
    connect(m_empty, &EmptyState::proxyRequested, this, &DashboardPage::proxyRequested);

    auto *content = new QWidget;
    m_content = content;
    m_picker = new DateRangePicker(content);
    DateRange initial;
    initial.preset = DateRange::fromId(m_settings.dashboardRange()).value_or(DateRange::Preset::Last30d);
    if (initial.preset == DateRange::Preset::Custom)
        initial.preset = DateRange::Preset::Last30d; // custom days are not stored
    m_picker->setRange(initial);
    connect(m_picker, &DateRangePicker::rangeChanged, this, &DashboardPage::setRange);

    m_stackBox = new QComboBox(content);
    m_stackBox->setObjectName(u"stackBy"_s);
    m_stackBox->addItem(tr("by model"), int(Dimension::Model));
    m_stackBox->addItem(tr("by endpoint"), int(Dimension::Endpoint));
    connect(m_stackBox, &QComboBox::currentIndexChanged, this,
            [this] { setStackBy(Dimension(m_stackBox->currentData().toInt())); });
    auto *stackLabel = new QLabel(tr("&Stack cost:"), content);
    stackLabel->setBuddy(m_stackBox);

    m_chip = new FilterChip(content);
    connect(m_chip, &FilterChip::clearRequested, this, &DashboardPage::clearFilter);
    m_notice = new QLabel(content);
    m_notice->setObjectName(u"repriceNotice"_s);
    m_notice->setForegroundRole(QPalette::PlaceholderText);
    m_notice->setVisible(false);
    m_error = new QLabel(content);
    m_error->setObjectName(u"dashboardError"_s);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(u"color: #d9534f;"_s);
    m_error->setVisible(false);

    // The range and stacking controls, and beside them (below them in a narrow window) the filter chip
    // and the re-pricing notice.
    m_headerBar = new QWidget(content);
    auto *header = new QHBoxLayout(m_headerBar);
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_picker);
    header->addSpacing(16);
    header->addWidget(stackLabel);
    header->addWidget(m_stackBox);
    header->addStretch(1);
    m_filterBar = new QWidget(content);
    auto *filters = new QHBoxLayout(m_filterBar);
    filters->setContentsMargins(0, 0, 0, 0);
    filters->addWidget(m_chip);
    filters->addStretch(1);
    filters->addWidget(m_notice);
    m_topBar = new QWidget(content);
    m_top = new QGridLayout(m_topBar);
    m_top->setContentsMargins(0, 0, 0, 0);
    m_top->setHorizontalSpacing(16);

    m_kpis = new KpiPanel(content);
    connect(m_kpis, &KpiPanel::addPriceRequested, this, &DashboardPage::addPriceRequested);
    m_model = new BreakdownModel(this);
    m_table = new BreakdownPanel(m_model, m_prompter, content);
    connect(m_table, &BreakdownPanel::rowClicked, this, &DashboardPage::narrowTo);
    connect(m_table, &BreakdownPanel::groupByChanged, this, &DashboardPage::refresh);
    connect(m_table, &BreakdownPanel::labelKeyRequested, this, &DashboardPage::askForKeyLabel);
    // The columns the user chose to hide (header context menu), kept across runs.
    const QVariant hidden = m_settings.value(u"dashboard/breakdownHiddenColumns"_s);
    if (hidden.isValid()) {
        QList<int> columns;
        for (const QString &c : hidden.toStringList()) {
            if (c != u"none")
                columns << c.toInt();
        }
        m_table->setHiddenColumns(columns);
    }
    connect(m_table, &BreakdownPanel::columnsChanged, this, [this](const QList<int> &columns) {
        QStringList stored;
        for (int c : columns)
            stored << QString::number(c);
        if (stored.isEmpty())
            stored << u"none"_s; // QSettings reads an empty list back as no value (the defaults)
        m_settings.setValue(u"dashboard/breakdownHiddenColumns"_s, stored);
    });
    m_undo = new QUndoStack(this);
    QAction *undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setObjectName(u"undoKeyLabel"_s);
    undo->setShortcut(QKeySequence::Undo);
    m_table->addTableAction(undo);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setObjectName(u"redoKeyLabel"_s);
    redo->setShortcut(QKeySequence::Redo);
    m_table->addTableAction(redo);
    m_costChart = new CostOverTimeChart(content);
    connect(m_costChart, &CostOverTimeChart::seriesClicked, this, [this](const QString &name) {
        Filter f = m_filter;
        (m_stackBy == Dimension::Endpoint ? f.endpoint : f.model) = name;
        setFilter(f);
    });
    m_topChart = new TopSpendersChart(content);
    connect(m_topChart, &TopSpendersChart::barClicked, this, [this](int index) {
        if (index >= 0 && index < m_model->breakdown().rows.size())
            narrowTo(m_model->breakdown().rows.at(index).keys);
    });
    m_paretoChart = new ParetoChart(content);
    connect(m_paretoChart, &ParetoChart::barClicked, this, [this](const QString &endpoint) {
        Filter f = m_filter;
        f.endpoint = endpoint;
        setFilter(f);
    });

    m_grid = new QGridLayout(content);
    arrange(false);

    auto *scroll = new QScrollArea(m_stack);
    scroll->setObjectName(u"dashboardScroll"_s);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    m_stack->addWidget(scroll);
    m_stack->addWidget(m_empty);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(&m_ledger, &Ledger::recordsAdded, this, &DashboardPage::scheduleRefresh);
    connect(&m_ledger, &Ledger::pricingChanged, this, &DashboardPage::scheduleRefresh);
    // A proxy record amended once its client did not take the whole answer: the calls tile counts it as failed.
    connect(&m_ledger, &Ledger::recordMarkedCut, this, &DashboardPage::scheduleRefresh);
    connect(&m_ledger, &Ledger::keyLabelsChanged, this, &DashboardPage::scheduleRefresh);
    connect(&m_settings, &Settings::changed, this, [this](const QString &key) {
        if (key == u"ui/timeZone")
            scheduleRefresh();
    });
    refresh();
}

void DashboardPage::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // The page's own width, not the scroll area's viewport: a vertical scroll bar coming or going with the
    // other arrangement must not flip it back.
    arrange(width() < fontMetrics().height() * kWideLines);
}

void DashboardPage::arrange(bool narrow)
{
    if (m_arranged && narrow == m_narrow)
        return;
    m_arranged = true;
    m_narrow = narrow;
    for (QWidget *w : {m_headerBar, m_filterBar})
        m_top->removeWidget(w);
    m_top->addWidget(m_headerBar, 0, 0);
    m_top->addWidget(m_filterBar, narrow ? 1 : 0, narrow ? 0 : 1);
    m_top->setColumnStretch(0, narrow ? 1 : 0);
    m_top->setColumnStretch(1, narrow ? 0 : 1);

    for (QWidget *w : std::initializer_list<QWidget *>{m_topBar, m_error, m_kpis, m_costChart, m_topChart, m_table,
                                                       m_paretoChart})
        m_grid->removeWidget(w);
    for (int r = 0; r < m_grid->rowCount(); ++r) {
        m_grid->setRowStretch(r, 0);
        m_grid->setRowMinimumHeight(r, 0);
    }
    const int chartHeight = fontMetrics().height() * 15; // a readable chart or about eight table rows
    if (narrow) {
        // Two columns: cost over time and the table full width, then top spenders beside the Pareto
        // chart; the page scrolls down instead of sideways.
        m_grid->addWidget(m_topBar, 0, 0, 1, 2);
        m_grid->addWidget(m_error, 1, 0, 1, 2);
        m_grid->addWidget(m_kpis, 2, 0, 1, 2);
        m_grid->addWidget(m_costChart, 3, 0, 1, 2);
        m_grid->addWidget(m_table, 4, 0, 1, 2);
        m_grid->addWidget(m_topChart, 5, 0);
        m_grid->addWidget(m_paretoChart, 5, 1);
        m_grid->setColumnStretch(2, 0);
        for (int r : {3, 4, 5}) {
            m_grid->setRowStretch(r, 1);
            m_grid->setRowMinimumHeight(r, chartHeight);
        }
        m_content->setMinimumHeight(0);
    } else {
        m_grid->addWidget(m_topBar, 0, 0, 1, 3);
        m_grid->addWidget(m_error, 1, 0, 1, 3);
        m_grid->addWidget(m_kpis, 2, 0, 1, 3);
        m_grid->addWidget(m_costChart, 3, 0, 1, 2);
        m_grid->addWidget(m_topChart, 3, 2);
        m_grid->addWidget(m_table, 4, 0, 1, 2);
        m_grid->addWidget(m_paretoChart, 4, 2);
        m_grid->setColumnStretch(2, 1);
        m_grid->setRowStretch(3, 5);
        m_grid->setRowStretch(4, 6);
        m_content->setMinimumHeight(680);
    }
    m_grid->setColumnStretch(0, 1);
    m_grid->setColumnStretch(1, 1);
}

DateRange DashboardPage::range() const
{
    return m_picker->range();
}

void DashboardPage::setRange(const DateRange &range)
{
    if (m_picker->range() != range)
        m_picker->setRange(range);
    m_settings.setDashboardRange(DateRange::id(range.preset));
    refresh();
}

void DashboardPage::setFilter(const Filter &filter)
{
    m_filter = filter;
    m_chip->setFilter(filter);
    refresh();
}

void DashboardPage::clearFilter()
{
    setFilter(Filter{});
}

void DashboardPage::setStackBy(Dimension d)
{
    m_stackBy = d;
    const int i = m_stackBox->findData(int(d));
    if (i >= 0 && i != m_stackBox->currentIndex())
        m_stackBox->setCurrentIndex(i); // re-enters through the signal once
    refresh();
}

void DashboardPage::setProxyAvailable(bool available)
{
    m_empty->setProxyAvailable(available);
}

bool DashboardPage::isShowingEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

QTimeZone DashboardPage::zone() const
{
    const QString id = m_settings.timeZone();
    if (!id.isEmpty()) {
        QTimeZone z(id.toUtf8());
        if (z.isValid())
            return z;
    }
    return QTimeZone::systemTimeZone();
}

void DashboardPage::scheduleRefresh()
{
    // Bursts of signals (recordsAdded every 250 ms during an import) become one request.
    if (m_refreshQueued)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_refreshQueued = false;
        refresh();
    });
}

void DashboardPage::refresh()
{
    const quint64 generation = ++m_generation;
    m_pending = 1;
    auto showEmptyState = [this](bool empty) {
        m_stack->setCurrentWidget(empty ? static_cast<QWidget *>(m_empty) : m_stack->widget(0));
    };
    if (m_picker->range().preset == DateRange::Preset::All) {
        // "All time" is the ledger's time span.
        continueOn(m_ledger.timeSpan(), this, [this, generation, showEmptyState](Result<std::pair<qint64, qint64>> span) {
            if (generation != m_generation)
                return;
            if (!span) {
                showError(span.error().message);
                finishOne(generation);
                return;
            }
            const bool empty = span->first == 0 && span->second == 0;
            showEmptyState(empty);
            if (!empty)
                queryRange(generation, *span);
            finishOne(generation);
        });
        return;
    }
    // Any other range is known without the span: its queries are queued on the reader thread now,
    // right behind "is there any record at all?" (the newest record, read through the time index),
    // instead of after a round trip through the GUI thread, which at start is busy laying out and
    // painting the first frame meanwhile. Ledger::timeSpan() is not used here: its MIN and MAX in one
    // SELECT make SQLite scan the whole time index (about 3 s over ten million records).
    RecordQuery any;
    any.fromUs = std::numeric_limits<qint64>::min();
    any.toUs = std::numeric_limits<qint64>::max();
    any.limit = 1;
    continueOn(m_ledger.records(any), this, [this, generation, showEmptyState](Result<QList<CallRecord>> newest) {
        if (generation != m_generation)
            return;
        if (newest)
            showEmptyState(newest->isEmpty());
        else
            showError(newest.error().message);
        finishOne(generation);
    });
    queryRange(generation, {0, 0});
}

void DashboardPage::queryRange(quint64 generation, std::pair<qint64, qint64> span)
{
    const QTimeZone tz = zone();
    m_resolved = m_picker->range().resolve(m_clock(), span, tz);
    const auto [from, to] = m_resolved;
    m_pending += 5;

    BreakdownQuery bq;
    bq.fromUs = from;
    bq.toUs = to;
    bq.filter = m_filter;
    bq.groupBy = m_table->groupBy();
    continueOn(m_ledger.breakdown(bq), this, [this, generation](Result<Breakdown> b) {
        if (generation != m_generation)
            return;
        if (b)
            applyBreakdown(*b);
        else
            showError(b.error().message);
        finishOne(generation);
    });

    BreakdownQuery byEndpoint = bq;
    byEndpoint.groupBy = {Dimension::Endpoint};
    continueOn(m_ledger.breakdown(byEndpoint), this, [this, generation](Result<Breakdown> b) {
        if (generation != m_generation)
            return;
        if (b)
            m_paretoChart->setPareto(LedgerQueries::pareto(*b), tr("endpoints"));
        else
            showError(b.error().message);
        finishOne(generation);
    });

    TimeSeriesQuery tq;
    tq.fromUs = from;
    tq.toUs = to;
    tq.granularity = DateRange::granularityFor(from, to);
    tq.zone = tz;
    tq.stackBy = m_stackBy;
    tq.filter = m_filter;
    continueOn(m_ledger.timeSeries(tq), this, [this, generation](Result<TimeSeries> ts) {
        if (generation != m_generation)
            return;
        if (ts)
            m_costChart->setSeries(*ts, tr("Other"));
        else
            showError(ts.error().message);
        finishOne(generation);
    });

    continueOn(m_ledger.unpricedModels(from, to), this, [this, generation](Result<QList<UnpricedModel>> u) {
        if (generation != m_generation)
            return;
        m_unpriced = u ? *u : QList<UnpricedModel>{};
        std::sort(m_unpriced.begin(), m_unpriced.end(),
                  [](const UnpricedModel &a, const UnpricedModel &b) { return a.calls > b.calls; });
        m_kpis->setData(m_totals, m_unpriced);
        finishOne(generation);
    });

    continueOn(m_ledger.lastReprice(), this, [this, generation](Result<std::optional<RepriceReport>> r) {
        if (generation != m_generation)
            return;
        if (r && r->has_value()) {
            const RepriceReport &rep = **r;
            const QString when = QDateTime::fromMSecsSinceEpoch(rep.atUs / 1000, zone()).toString(u"yyyy-MM-dd HH:mm"_s);
            const QString with = rep.overrideRevision > 0
                ? tr("%1 and your overrides (revision %2)").arg(rep.priceVersion).arg(rep.overrideRevision)
                : rep.priceVersion;
            m_notice->setText(tr("Re-priced on %1 with %2").arg(when, with));
            m_notice->setToolTip(tr("%1 calls re-priced, %2 changed; total %3 → %4")
                                     .arg(Format::count(rep.calls), Format::count(rep.changed),
                                          Format::usd(rep.costBefore), Format::usd(rep.costAfter)));
            m_notice->setVisible(true);
        } else {
            m_notice->setVisible(false);
        }
        finishOne(generation);
    });
}

void DashboardPage::applyBreakdown(const Breakdown &b)
{
    m_error->setVisible(false);
    m_totals = b.totals;
    m_model->setBreakdown(b);
    m_kpis->setData(m_totals, m_unpriced);
    QList<TopSpendersChart::Bar> bars;
    for (qsizetype i = 0; i < std::min<qsizetype>(b.rows.size(), 10); ++i) {
        const BreakdownRow &row = b.rows.at(i);
        const QString label = b.keyLabels.value(row.keys.value(0));
        const bool byKey = b.groupBy == QList<Dimension>{Dimension::Key};
        bars.append({byKey ? (label.isEmpty() ? row.keys.value(0) : label) : row.keys.join(u" · "_s), row.agg.cost});
    }
    m_topChart->setBars(bars);
    if (b.totals.isEmpty()) {
        const QDateTime from = QDateTime::fromMSecsSinceEpoch(m_resolved.first / 1000, zone());
        const QDateTime to = QDateTime::fromMSecsSinceEpoch(m_resolved.second / 1000, zone());
        m_table->setNote(m_filter.isEmpty()
                             ? tr("No calls between %1 and %2. Choose a longer range, or All time.")
                                   .arg(from.toString(u"yyyy-MM-dd HH:mm"_s), to.toString(u"yyyy-MM-dd HH:mm"_s))
                             : tr("No calls match the filter in this range."));
    } else {
        m_table->setNote(sourcesNote(b.sources));
    }
}

QString DashboardPage::sourcesNote(const SpendSources &s)
{
    // Said only when provider reports are involved: then spend counts one kind of record per provider and
    // UTC day (query/SpendCoverage.h), and the user should know which and what was left out.
    if (!s.fromReports() && !s.anySuperseded())
        return {};
    QStringList counted;
    if (s.recordedCost != 0)
        counted << tr("recorded calls %1").arg(Format::usd(s.recordedCost));
    if (s.usageReportCost != 0)
        counted << tr("provider usage reports %1").arg(Format::usd(s.usageReportCost));
    if (s.costReportCost != 0)
        counted << tr("provider cost reports %1").arg(Format::usd(s.costReportCost));
    QString note = tr("Spend from: %1. Each provider's day counts once: its cost report, else its usage report, "
                      "else the calls recorded here.")
                       .arg(counted.join(u" · "_s));
    if (s.anySuperseded())
        note += u' '
            + tr("Not counted, as a provider report covers their day: %n recorded call(s) (%1), usage report "
                 "lines %2. Team spend compares them.",
                 nullptr, int(std::min<qint64>(s.supersededCalls, INT_MAX)))
                  .arg(Format::usd(s.supersededRecordedCost), Format::usd(s.supersededUsageCost));
    return note;
}

void DashboardPage::narrowTo(const QStringList &keys)
{
    Filter f = m_filter;
    if (m_model->groupedByKey()) {
        f.key = keys.value(0);
    } else {
        f.endpoint = keys.value(0);
        f.model = keys.value(1);
    }
    setFilter(f);
}

void DashboardPage::askForKeyLabel(const QString &keyId, const QString &currentLabel)
{
    auto *dialog = new KeyLabelDialog(keyId, currentLabel, this);
    connect(dialog, &QDialog::accepted, this, [this, dialog, currentLabel] {
        if (dialog->label() != currentLabel)
            setKeyLabel(dialog->keyId(), currentLabel, dialog->label());
    });
    m_prompter.showDialog(dialog);
}

void DashboardPage::setKeyLabel(const QString &keyId, const QString &before, const QString &after)
{
    m_undo->push(new KeyLabelCommand([this, keyId](const QString &label) { applyKeyLabel(keyId, label); }, keyId,
                                     before, after));
}

void DashboardPage::applyKeyLabel(const QString &keyId, const QString &label)
{
    continueOn(m_ledger.setKeyLabel(keyId, label), this, [this](Result<void> result) {
        if (!result)
            m_prompter.warning(this, tr("Label this key"), result.error().message);
    });
}

void DashboardPage::finishOne(quint64 generation)
{
    if (generation != m_generation || m_pending <= 0)
        return;
    if (--m_pending == 0) {
        m_loadedOnce = true;
        Q_EMIT dataLoaded();
    }
}

void DashboardPage::showError(const QString &message)
{
    m_error->setText(tr("A query failed: %1").arg(message));
    m_error->setVisible(true);
}

} // namespace tl
