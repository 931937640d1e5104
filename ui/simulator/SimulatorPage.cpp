#include "SimulatorPage.h"

#include "ApplyToProxyDialog.h"
#include "common/FutureGuard.h"
#include "EndpointOutcomeModel.h"
#include "ScenarioEditor.h"
#include "StrategyOutcomeModel.h"
#include "charts/EndpointSavingsChart.h"
#include "charts/SimulationTimeChart.h"
#include "common/Format.h"
#include "common/Prompter.h"
#include "common/TileGrid.h"
#include "dashboard/DateRangePicker.h"
#include "dashboard/EmptyState.h"
#include "dashboard/KpiPanel.h"
#include "ledger/Ledger.h"
#include "settings/Settings.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsOpacityEffect>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QSaveFile>
#include <QScrollArea>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

constexpr auto kScenarioKey = "simulator/scenario"_L1;
constexpr auto kRangeKey = "simulator/range"_L1;

// What one run computes on the reader thread.
struct RunOutput
{
    bool empty = false; // the ledger has no calls at all
    std::pair<qint64, qint64> resolved {0, 0};
    Result<SimulationResult> result = SimulationResult {};
};

Result<Scenario> parseScenario(const QByteArray &bytes, const QString &what)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(
            ErrorCode::Parse,
            SimulatorPage::tr("%1 is not a scenario (a JSON object): %2")
                .arg(what,
                     err.error != QJsonParseError::NoError ? err.errorString() : SimulatorPage::tr("not an object")));
    auto sc = Scenario::fromJson(doc.object());
    if (!sc)
        return fail(ErrorCode::Parse, SimulatorPage::tr("%1: %2").arg(what, sc.error().message));
    return sc;
}

} // namespace

SimulatorPage::SimulatorPage(Ledger &ledger, Settings &settings, std::shared_ptr<Prompter> prompter, Clock clock,
                             QWidget *parent)
    : QWidget(parent)
    , m_ledger(ledger)
    , m_settings(settings)
    , m_prompter(prompter ? std::move(prompter) : std::make_shared<Prompter>())
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch() * 1000; }))
{
    setObjectName(u"simulatorPage"_s);
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(300);
    connect(&m_debounce, &QTimer::timeout, this, &SimulatorPage::run);
    m_dataDebounce.setSingleShot(true);
    m_dataDebounce.setInterval(1000);
    connect(&m_dataDebounce, &QTimer::timeout, this, [this] {
        refreshChoices();
        run();
    });
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &SimulatorPage::updateProgress);

    m_stack = new QStackedWidget(this);
    m_empty = new EmptyState(m_stack);
    connect(m_empty, &EmptyState::importRequested, this, &SimulatorPage::importRequested);
    connect(m_empty, &EmptyState::proxyRequested, this, &SimulatorPage::proxyRequested);

    auto *main = new QWidget(m_stack);
    // Top bar: range and scenario files.
    m_picker = new DateRangePicker(main);
    m_picker->setObjectName(u"simulatorRange"_s);
    DateRange initial;
    initial.preset
        = DateRange::fromId(m_settings.value(kRangeKey, u"all"_s).toString()).value_or(DateRange::Preset::All);
    if (initial.preset == DateRange::Preset::Custom)
        initial.preset = DateRange::Preset::All; // custom days are not stored
    m_picker->setRange(initial);
    connect(m_picker, &DateRangePicker::rangeChanged, this, [this](const DateRange &r) {
        m_settings.setValue(kRangeKey, DateRange::id(r.preset));
        scheduleRun();
    });
    m_example = new QPushButton(tr("Load e&xample"), main);
    m_example->setObjectName(u"loadExample"_s);
    m_example->setToolTip(tr("The example scenario: short gpt-4o calls routed to gpt-4o-mini"));
    m_load = new QPushButton(tr("&Open…"), main);
    m_load->setObjectName(u"loadScenario"_s);
    m_load->setShortcut(QKeySequence::Open);
    m_load->setToolTip(tr("Open a scenario file (JSON) (%1)")
                           .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
    m_save = new QPushButton(tr("&Save…"), main);
    m_save->setObjectName(u"saveScenario"_s);
    m_save->setShortcut(QKeySequence::Save);
    m_save->setToolTip(tr("Save this scenario as a JSON file (%1); `tokenledger simulate --scenario FILE` reads it")
                           .arg(QKeySequence(QKeySequence::Save).toString(QKeySequence::NativeText)));
    m_apply = new QPushButton(tr("Apply to pro&xy…"), main);
    m_apply->setObjectName(u"applyToProxy"_s);
    m_apply->setToolTip(tr("Turn this scenario's strategies on in the local proxy for the endpoints you choose"));
    connect(m_example, &QPushButton::clicked, this, &SimulatorPage::loadExample);
    connect(m_load, &QPushButton::clicked, this, &SimulatorPage::loadScenario);
    connect(m_save, &QPushButton::clicked, this, &SimulatorPage::saveScenario);
    connect(m_apply, &QPushButton::clicked, this, &SimulatorPage::applyToProxy);
    auto *top = new QHBoxLayout;
    top->addWidget(m_picker);
    top->addStretch(1);
    for (QPushButton *b : {m_example, m_load, m_save, m_apply})
        top->addWidget(b);

    m_editor = new ScenarioEditor(main);
    m_editor->setMinimumWidth(440);
    connect(m_editor, &ScenarioEditor::changed, this, &SimulatorPage::scenarioEdited);

    m_splitter = new QSplitter(Qt::Horizontal, main);
    m_splitter->setObjectName(u"simulatorSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_editor);
    m_splitter->addWidget(buildResults());
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({520, 880});

    auto *mainLayout = new QVBoxLayout(main);
    mainLayout->addLayout(top);
    mainLayout->addWidget(m_splitter, 1);
    m_stack->addWidget(main);
    m_stack->addWidget(m_empty);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    // The scenario the user worked on last, else the example.
    const QString stored = m_settings.value(kScenarioKey).toString();
    auto restored = stored.isEmpty() ? Result<Scenario>(exampleScenario())
                                     : parseScenario(stored.toUtf8(), tr("The stored scenario"));
    m_editor->setScenario(restored ? *restored : exampleScenario());

    connect(&m_ledger, &Ledger::recordsAdded, this, [this] { m_dataDebounce.start(); });
    connect(&m_ledger, &Ledger::pricingChanged, this, [this] { m_dataDebounce.start(); });
    connect(&m_settings, &Settings::changed, this, [this](const QString &key) {
        if (key == u"ui/timeZone")
            scheduleRun();
    });
    refreshChoices();
    run();
}

SimulatorPage::~SimulatorPage()
{
    if (m_state)
        m_state->cancel = true; // the reader thread stops at its next progress check
}

QWidget *SimulatorPage::buildResults()
{
    auto *scroll = new QScrollArea;
    scroll->setObjectName(u"simulatorResults"_s);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // No minimum width of its own: the tiles wrap and the two charts stack in a narrow pane (arrangeResults),
    // so the pane never scrolls sideways; the splitter keeps it at least this wide.
    scroll->setMinimumWidth(fontMetrics().height() * 22);
    auto *content = new QWidget;

    // Run, Cancel, progress, status: outside the greyed area.
    m_run = new QPushButton(tr("&Run"), content);
    m_run->setObjectName(u"runSimulation"_s);
    m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_run->setToolTip(tr("Recompute now (%1); results also update by themselves as you edit")
                          .arg(QKeySequence(Qt::CTRL | Qt::Key_R).toString(QKeySequence::NativeText)));
    m_cancel = new QPushButton(tr("&Cancel"), content);
    m_cancel->setObjectName(u"cancelSimulation"_s);
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setToolTip(tr("Stop the computation (Esc)"));
    m_cancel->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &SimulatorPage::run);
    connect(m_cancel, &QPushButton::clicked, this, &SimulatorPage::cancel);
    m_progress = new QProgressBar(content);
    m_progress->setObjectName(u"simulationProgress"_s);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(220);
    m_progress->setVisible(false);
    m_status = new QLabel(content);
    m_status->setObjectName(u"simulationStatus"_s);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_run);
    statusRow->addWidget(m_cancel);
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_status, 1);

    m_results = new QWidget(content);
    m_results->setObjectName(u"simulationResultsPane"_s);
    auto *effect = new QGraphicsOpacityEffect(m_results);
    effect->setOpacity(1.0);
    effect->setEnabled(false);
    m_results->setGraphicsEffect(effect);

    m_baselineTile = new KpiTile(u"simBaseline"_s, tr("Baseline (recorded cost)"), m_results);
    m_projectedTile = new KpiTile(u"simProjected"_s, tr("Projected cost"), m_results);
    m_savingTile = new KpiTile(u"simSaving"_s, tr("Combined saving"), m_results);
    auto *tiles = new TileGrid(fontMetrics().height() * 8, m_results);
    tiles->setObjectName(u"simulationTiles"_s);
    for (KpiTile *t : {m_baselineTile, m_projectedTile, m_savingTile})
        tiles->addTile(t);

    m_strategyModel = new StrategyOutcomeModel(this);
    m_strategyTable = new QTableView(m_results);
    m_strategyTable->setObjectName(u"strategyTable"_s);
    m_strategyTable->setModel(m_strategyModel);
    m_strategyTable->verticalHeader()->setVisible(false);
    m_strategyTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_strategyTable->setFocusPolicy(Qt::TabFocus);
    m_strategyTable->setWordWrap(true);
    m_strategyTable->setTextElideMode(Qt::ElideRight);
    m_strategyTable->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_strategyTable->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *sh = m_strategyTable->horizontalHeader();
    sh->setSectionResizeMode(StrategyOutcomeModel::StrategyName, QHeaderView::ResizeToContents);
    sh->setSectionResizeMode(StrategyOutcomeModel::Saving, QHeaderView::Stretch);
    sh->setSectionResizeMode(StrategyOutcomeModel::SavingShare, QHeaderView::ResizeToContents);
    sh->setSectionResizeMode(StrategyOutcomeModel::CallsAffected, QHeaderView::ResizeToContents);
    sh->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_strategyTable->installEventFilter(this); // its resizes choose how the columns share its width
    connect(sh, &QHeaderView::sectionResized, this,
            [this] { QTimer::singleShot(0, this, [this] { fitStrategyRows(); }); });

    m_timeChart = new SimulationTimeChart(m_results);
    m_timeChart->setMinimumHeight(290);
    m_savingsChart = new EndpointSavingsChart(m_results);
    m_savingsChart->setMinimumHeight(290);

    m_endpointModel = new EndpointOutcomeModel(this);
    m_endpointSort = new QSortFilterProxyModel(this);
    m_endpointSort->setSourceModel(m_endpointModel);
    m_endpointSort->setSortRole(EndpointOutcomeModel::SortRole);
    m_endpointTable = new QTableView(m_results);
    m_endpointTable->setObjectName(u"endpointTable"_s);
    m_endpointTable->setModel(m_endpointSort);
    m_endpointTable->setSortingEnabled(true);
    m_endpointTable->sortByColumn(EndpointOutcomeModel::Saving, Qt::DescendingOrder);
    m_endpointTable->verticalHeader()->setVisible(false);
    m_endpointTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_endpointTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Sized by fitEndpointColumns() at each viewport resize (QHeaderView::Stretch keeps a width from a wider
    // table when the figures leave no room, and pushed them out of view at 900x600).
    m_endpointTable->horizontalHeader()->setSectionResizeMode(EndpointOutcomeModel::Endpoint, QHeaderView::Interactive);
    m_endpointTable->viewport()->installEventFilter(this);

    m_assumptions = new QLabel(m_results);
    m_assumptions->setObjectName(u"simulationAssumptions"_s);
    m_assumptions->setWordWrap(true);
    m_assumptions->setTextFormat(Qt::RichText);
    m_assumptions->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_assumptions->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_resultsGrid = new QGridLayout(m_results);
    m_resultsGrid->setContentsMargins(0, 0, 0, 0);
    m_resultsGrid->addWidget(tiles, 0, 0, 1, 2);
    m_resultsGrid->addWidget(m_strategyTable, 1, 0, 1, 2);
    m_resultsGrid->addWidget(m_endpointTable, 4, 0, 1, 2);
    m_resultsGrid->addWidget(m_assumptions, 5, 0, 1, 2);
    m_resultsGrid->setRowStretch(6, 1); // spare height goes below the results, not into the charts
    arrangeResults(false);

    auto *v = new QVBoxLayout(content);
    v->addLayout(statusRow);
    v->addWidget(m_results, 1);
    scroll->setWidget(content);
    content->installEventFilter(this); // its resizes choose the charts' arrangement
    setTabOrder(m_run, m_cancel);
    return scroll;
}

bool SimulatorPage::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize && watched == m_results->parentWidget())
        arrangeResults(static_cast<QResizeEvent *>(event)->size().width() < fontMetrics().height() * kChartsSideBySideLines);
    else if (event->type() == QEvent::Resize && watched == m_strategyTable)
        fitStrategyColumns(static_cast<QResizeEvent *>(event)->size().width() - 2 * m_strategyTable->frameWidth());
    else if (event->type() == QEvent::Resize && watched == m_endpointTable->viewport())
        fitEndpointColumns();
    return QWidget::eventFilter(watched, event);
}

void SimulatorPage::fitStrategyColumns(int width)
{
    // Where the name, share and calls columns at their contents' and full titles' width leave the saving column
    // room for a figure, they keep that width; in a narrower table the four share it: names wrap, and the
    // header shows the short titles ("Saving", "Share", "Calls"; the full ones in their tooltips), which fit
    // where the full ones were cut ("Projected sa", "% of bas", "Calls affe" at 900x600 before session 20).
    QHeaderView *header = m_strategyTable->horizontalHeader();
    const QFontMetrics headerFont(header->font());
    const auto fullTitleHint = [&](int c) {
        const auto column = StrategyOutcomeModel::Column(c);
        return header->sectionSizeHint(c)
            - headerFont.horizontalAdvance(StrategyOutcomeModel::columnTitle(column, m_strategyModel->compactHeaders()))
            + headerFont.horizontalAdvance(StrategyOutcomeModel::columnTitle(column, false));
    };
    int need = std::max(fontMetrics().horizontalAdvance(u"$00,000.00"_s) + 12, fullTitleHint(StrategyOutcomeModel::Saving));
    for (int c : {StrategyOutcomeModel::StrategyName, StrategyOutcomeModel::SavingShare, StrategyOutcomeModel::CallsAffected})
        need += std::max(fullTitleHint(c), static_cast<QAbstractItemView *>(m_strategyTable)->sizeHintForColumn(c));
    const bool shared = need > width;
    m_strategyModel->setCompactHeaders(shared);
    for (int c : {StrategyOutcomeModel::StrategyName, StrategyOutcomeModel::SavingShare, StrategyOutcomeModel::CallsAffected})
        header->setSectionResizeMode(c, shared ? QHeaderView::Interactive : QHeaderView::ResizeToContents);
    if (shared) {
        // The name column has room for the longest word of a strategy's name, so names wrap between words
        // ("Prompt" / "compression") instead of being cut ("Prompt compressi...").
        int longestWord = 0;
        for (int row = 0; row < m_strategyModel->rowCount(); ++row) {
            const QString name = m_strategyModel->index(row, StrategyOutcomeModel::StrategyName).data().toString();
            for (const QString &word : name.split(u' ', Qt::SkipEmptyParts))
                longestWord = std::max(longestWord, fontMetrics().horizontalAdvance(word));
        }
        header->resizeSection(StrategyOutcomeModel::StrategyName, std::max(width * 30 / 100, longestWord + 16));
        for (int c : {StrategyOutcomeModel::SavingShare, StrategyOutcomeModel::CallsAffected})
            header->resizeSection(c, std::max(width * 20 / 100, header->sectionSizeHint(c)));
    }
    fitStrategyRows(); // the wrapped texts' heights follow the columns' new widths
}

void SimulatorPage::fitEndpointColumns()
{
    // The figure columns are as wide as their contents and titles (ResizeToContents); the name column takes
    // the room they leave. Where they leave too little, it is as wide as the names, at most two fifths of the
    // table (longer names elide, whole in their tooltips), and the table scrolls sideways to the last figures.
    QHeaderView *header = m_endpointTable->horizontalHeader();
    const auto *view = static_cast<const QAbstractItemView *>(m_endpointTable);
    int figures = 0;
    for (int c = EndpointOutcomeModel::Calls; c < EndpointOutcomeModel::ColumnCount; ++c)
        figures += std::max(header->sectionSizeHint(c), view->sizeHintForColumn(c));
    const int room = m_endpointTable->viewport()->width();
    const int title = header->sectionSizeHint(EndpointOutcomeModel::Endpoint);
    const int names = std::max(title, view->sizeHintForColumn(EndpointOutcomeModel::Endpoint));
    header->resizeSection(EndpointOutcomeModel::Endpoint,
                          std::max(room - figures, std::min(names, std::max(title, room * 2 / 5))));
}

void SimulatorPage::arrangeResults(bool stacked)
{
    if (m_chartsPlaced && stacked == m_chartsStacked)
        return;
    m_chartsPlaced = true;
    m_chartsStacked = stacked;
    m_resultsGrid->removeWidget(m_timeChart);
    m_resultsGrid->removeWidget(m_savingsChart);
    // Side by side in rows 2 and 3 when the pane is wide enough, else one above the other.
    m_resultsGrid->addWidget(m_timeChart, 2, 0, 1, stacked ? 2 : 1);
    m_resultsGrid->addWidget(m_savingsChart, stacked ? 3 : 2, stacked ? 0 : 1, 1, stacked ? 2 : 1);
    m_resultsGrid->setColumnStretch(0, 1);
    m_resultsGrid->setColumnStretch(1, 1);
}

Scenario SimulatorPage::scenario() const
{
    return m_editor->scenario();
}

void SimulatorPage::setScenario(const Scenario &scenario)
{
    m_editor->setScenario(scenario);
    scenarioEdited();
}

DateRange SimulatorPage::range() const
{
    return m_picker->range();
}

void SimulatorPage::setRange(const DateRange &range)
{
    m_picker->setRange(range);
    m_settings.setValue(kRangeKey, DateRange::id(range.preset));
    scheduleRun();
}

bool SimulatorPage::isShowingEmptyState() const
{
    return m_stack->currentWidget() == m_empty;
}

QTimeZone SimulatorPage::zone() const
{
    const QString id = m_settings.timeZone();
    if (!id.isEmpty()) {
        QTimeZone z(id.toUtf8());
        if (z.isValid())
            return z;
    }
    return QTimeZone::systemTimeZone();
}

void SimulatorPage::scenarioEdited()
{
    storeScenario();
    scheduleRun();
}

void SimulatorPage::storeScenario()
{
    m_settings.setValue(kScenarioKey,
                        QString::fromUtf8(QJsonDocument(scenario().toJson()).toJson(QJsonDocument::Compact)));
}

void SimulatorPage::scheduleRun()
{
    setStale(true);
    m_debounce.start();
}

void SimulatorPage::setStale(bool stale)
{
    auto *effect = static_cast<QGraphicsOpacityEffect *>(m_results->graphicsEffect());
    effect->setOpacity(0.45);
    effect->setEnabled(stale && m_loaded);
}

void SimulatorPage::refreshChoices()
{
    // Endpoints (by cost, all time) for the batch list, overrides and Apply to proxy; models for the
    // rules; routing targets from the price book.
    BreakdownQuery q;
    q.fromUs = 0;
    q.toUs = std::numeric_limits<qint64>::max();
    q.groupBy = {Dimension::Endpoint};
    // Both queries are queued at once, ahead of any run, so the editor has its choices by the time the
    // first results arrive (the reader thread answers in order).
    struct Pending
    {
        QStringList endpoints;
        QStringList models;
        int left = 2;
    };
    auto pending = std::make_shared<Pending>();
    auto done = [this, pending] {
        if (--pending->left > 0)
            return;
        QStringList targets = pending->models;
        const auto pricer = m_ledger.pricer();
        for (const ProviderEntry &p : pricer->book().providers())
            for (const ModelEntry &e : p.models)
                if (!targets.contains(e.id))
                    targets << e.id;
        m_endpoints = pending->endpoints;
        m_editor->setChoices(m_endpoints, pending->models, targets);
    };
    continueOn(m_ledger.breakdown(q), this, [pending, done](Result<Breakdown> b) {
        if (b)
            for (const BreakdownRow &row : std::as_const(b->rows))
                pending->endpoints << row.keys.value(0);
        done();
    });
    BreakdownQuery mq = q;
    mq.groupBy = {Dimension::Model};
    continueOn(m_ledger.breakdown(mq), this, [pending, done](Result<Breakdown> m) {
        if (m)
            for (const BreakdownRow &row : std::as_const(m->rows))
                pending->models << row.keys.value(0);
        done();
    });
}

void SimulatorPage::run()
{
    m_debounce.stop();
    if (m_state)
        m_state->cancel = true; // a run still going is superseded
    auto state = std::make_shared<RunState>();
    m_state = state;
    const quint64 generation = ++m_generation;
    m_running = true;
    setStale(true);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0); // busy until the first progress report
    m_progress->setVisible(true);
    m_status->setText(tr("Computing…"));
    m_progressTimer.start();

    SimulationRequest request;
    request.zone = zone();
    request.scenario = scenario();
    const DateRange range = m_picker->range();
    const qint64 now = m_clock();
    const auto pricer = m_ledger.pricer();
    continueOn(m_ledger
        .read<RunOutput>([state, request, range, now, pricer](QSqlDatabase &db) mutable {
            RunOutput out;
            const auto span = LedgerQueries::timeSpan(db);
            if (!span) {
                out.result = std::unexpected(span.error());
                return out;
            }
            out.empty = span->first == 0 && span->second == 0;
            if (out.empty)
                return out;
            out.resolved = range.resolve(now, *span, request.zone);
            request.fromUs = out.resolved.first;
            request.toUs = out.resolved.second;
            out.result = Simulator::run(db, *pricer, request, [state](qint64 done, qint64 total) {
                state->done = done;
                state->total = total;
                return !state->cancel.load();
            });
            return out;
        }),
        this, [this, generation, state](RunOutput out) {
            if (generation != m_generation)
                return; // superseded by a newer run
            if (out.empty) {
                m_stack->setCurrentWidget(m_empty);
                finishRun(generation, state, SimulationResult {});
                return;
            }
            m_stack->setCurrentIndex(0);
            finishRun(generation, state, std::move(out.result));
        });
}

void SimulatorPage::cancel()
{
    if (!m_running || !m_state)
        return;
    m_state->cancel = true;
    m_running = false;
    m_progressTimer.stop();
    m_progress->setVisible(false);
    m_cancel->setEnabled(false);
    m_status->setText(m_loaded ? tr("Cancelled. The results shown are from the previous run; press Run to recompute.")
                               : tr("Cancelled. Press Run to compute the results."));
}

void SimulatorPage::finishRun(quint64 generation, const std::shared_ptr<RunState> &state,
                              Result<SimulationResult> result)
{
    Q_UNUSED(generation)
    const bool userCancelled = state->cancel.load();
    m_progressTimer.stop();
    m_progress->setVisible(false);
    m_cancel->setEnabled(false);
    m_running = false;
    if (userCancelled) {
        // Cancel already updated the status; the results of this run (complete or not) are dropped.
        Q_EMIT runFinished(result && result->cancelled);
        return;
    }
    if (!result) {
        m_status->setText(tr("The simulation failed: %1").arg(result.error().message));
        Q_EMIT runFinished(false);
        return;
    }
    applyResult(*result);
    m_loaded = true;
    setStale(m_debounce.isActive());
    Q_EMIT runFinished(false);
    Q_EMIT dataLoaded();
}

void SimulatorPage::updateProgress()
{
    if (!m_state)
        return;
    const qint64 total = m_state->total.load(), done = m_state->done.load();
    if (total <= 0)
        return;
    // The bar counts in thousandths: record counts can pass what an int holds.
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 1000)));
    m_status->setText(tr("Computing… %1 of %2 calls").arg(Format::count(done), Format::count(total)));
}

void SimulatorPage::applyResult(const SimulationResult &r)
{
    m_result = r;
    m_strategyModel->setResult(r);
    m_endpointModel->setResult(r);
    fitStrategyRows();
    fitEndpointColumns();
    // The endpoint table is as tall as its rows (3 to 10 of them; it scrolls beyond).
    const int rowHeight = m_endpointTable->verticalHeader()->defaultSectionSize();
    const int shown = int(std::clamp<qsizetype>(r.endpoints.size(), 3, 10));
    m_endpointTable->setFixedHeight(m_endpointTable->horizontalHeader()->sizeHint().height() + shown * rowHeight
                                    + 2 * m_endpointTable->frameWidth() + 2);

    const QString share = r.baseline > 0 ? Format::share(double(r.saving()) / double(r.baseline)) : u"–"_s;
    const qint64 replayed = r.replayedCalls();
    m_baselineTile->setValue(Format::usd(r.baseline), tr("%1 calls replayed").arg(Format::count(replayed)));
    m_projectedTile->setValue(Format::usd(r.projected),
                              r.scenarioName.isEmpty() ? tr("under this scenario") : r.scenarioName);
    m_savingTile->setValue(Format::usd(r.saving()), tr("%1 of the baseline").arg(share));

    m_timeChart->setData(r.bucketLabels, r.baselinePerBucket, r.projectedPerBucket);
    QList<EndpointSavingsChart::Bar> bars;
    for (const EndpointOutcome &e : r.endpoints)
        bars.append({e.endpoint, e.baseline - e.projected, e.baseline});
    m_savingsChart->setBars(bars);

    // Assumptions behind the figures, what could not be simulated, and what is left out.
    QStringList items;
    QSet<QString> seen;
    for (const StrategyOutcome &o : r.strategies) {
        if (!o.enabled)
            continue;
        const QString name = StrategyOutcomeModel::displayName(o.strategy).toHtmlEscaped();
        if (!o.simulated) {
            items << tr("<b>%1</b> not simulated: %2").arg(name, o.whyNot.toHtmlEscaped());
            continue;
        }
        for (const QString &a : o.assumptions)
            if (!seen.contains(a)) {
                seen.insert(a);
                items << tr("<b>%1</b>: %2").arg(name, a.toHtmlEscaped());
            }
    }
    if (r.fewShot.calls > 0)
        items << tr("<b>Dynamic few-shot</b> (already in the recorded costs, not subtracted again): %1 calls sent "
                    "only the most similar examples instead of the whole set, %2 input tokens and %3 less.")
                     .arg(Format::count(r.fewShot.calls), Format::count(r.fewShot.tokensSaved),
                          Format::usd(r.fewShot.saving));
    if (r.unpricedRecords > 0)
        items << tr("Calls with no price (unknown model), left out of the baseline and the savings: %1.")
                     .arg(Format::count(r.unpricedRecords));
    if (r.reportLines > 0)
        items << tr("<b>Provider report lines</b> not simulated: %1 lines, %2, in the baseline and the projected "
                    "cost as they are (a report line has no per-call detail to replay).")
                     .arg(Format::count(r.reportLines), Format::usd(r.reportCost));
    if (r.coveredCalls > 0)
        items << tr("<b>Calls a provider report covers</b>, replayed: %1 recorded calls, %2, on provider days whose "
                    "report lines count. Their cost is in those lines (not added again); their saving, %3, is taken "
                    "off the lines' figure, assuming the report covers these calls.")
                     .arg(Format::count(r.coveredCalls), Format::usd(r.coveredCost), Format::usd(r.coveredSaving));
    if (r.overReportCalls > 0)
        items << tr("Not replayed: %1 recorded calls, %2, on %3 provider days where they cost more than the report "
                    "lines that count (so the report cannot cover them; another organisation's?). No saving is taken "
                    "for them.")
                     .arg(Format::count(r.overReportCalls), Format::usd(r.overReportCost),
                          Format::count(r.overReportDays));
    if (r.supersededCalls > 0 || r.supersededReportLines > 0)
        items << tr("Left out as on the dashboard, because a provider report covers their provider and UTC day "
                    "(its lines count instead): %1 recorded calls and %2 usage report lines, %3.")
                     .arg(Format::count(r.supersededCalls), Format::count(r.supersededReportLines),
                          Format::usd(r.supersededCost));
    items << tr("Strategies apply in this order, each to what the previous ones left, so no saving counts twice: "
                "exact cache, semantic cache, compression, routing, batch.");
    QString html = u"<b>%1</b><ul style=\"margin-left:-20px\">"_s.arg(tr("Assumptions").toHtmlEscaped());
    for (const QString &i : std::as_const(items))
        html += u"<li>"_s + i + u"</li>"_s;
    html += u"</ul>"_s;
    m_assumptions->setText(html);

    QString when;
    if (!r.bucketLabels.isEmpty())
        when = r.bucketLabels.size() == 1 ? r.bucketLabels.first()
                                          : tr("%1 to %2").arg(r.bucketLabels.first(), r.bucketLabels.last());
    m_status->setText(replayed == 0        ? tr("No calls in this range. Choose a longer range, or All time.")
                          : when.isEmpty() ? tr("%1 calls replayed.").arg(Format::count(replayed))
                                           : tr("%1 calls replayed, %2.").arg(Format::count(replayed), when));
}

void SimulatorPage::fitStrategyRows()
{
    // "not simulated" rows span the figure columns and wrap; the table is as tall as its rows.
    m_strategyTable->clearSpans();
    const int line = m_strategyTable->fontMetrics().height() + 10;
    int height = m_strategyTable->horizontalHeader()->height() + 2 * m_strategyTable->frameWidth();
    for (int row = 0; row < m_strategyModel->rowCount(); ++row) {
        const QModelIndex index = m_strategyModel->index(row, StrategyOutcomeModel::Saving);
        // A strategy's name wraps in a narrow name column ("Prompt" / "compression").
        const QRect name = m_strategyTable->fontMetrics().boundingRect(
            QRect(0, 0, std::max(40, m_strategyTable->columnWidth(StrategyOutcomeModel::StrategyName) - 12), 10'000),
            Qt::TextWordWrap, m_strategyModel->index(row, StrategyOutcomeModel::StrategyName).data().toString());
        int rowHeight = std::max(line, name.height() + 10);
        if (index.data(StrategyOutcomeModel::NotSimulatedRole).toBool()) {
            m_strategyTable->setSpan(row, StrategyOutcomeModel::Saving, 1, 3);
            int width = 0;
            for (int c = StrategyOutcomeModel::Saving; c < StrategyOutcomeModel::ColumnCount; ++c)
                width += m_strategyTable->columnWidth(c);
            QFont italic = m_strategyTable->font();
            italic.setItalic(true);
            const QRect r = QFontMetrics(italic).boundingRect(QRect(0, 0, std::max(80, width - 12), 10'000),
                                                              Qt::TextWordWrap, index.data().toString());
            rowHeight = std::max(rowHeight, r.height() + 10);
        }
        m_strategyTable->setRowHeight(row, rowHeight);
        height += rowHeight;
    }
    m_strategyTable->setFixedHeight(std::max(height, line * 3));
}

// Scenario files.

Scenario SimulatorPage::exampleScenario()
{
    QFile file(u":/simulator/azure-routing-scenario.json"_s);
    if (file.open(QIODevice::ReadOnly)) {
        if (auto sc = parseScenario(file.readAll(), file.fileName()))
            return *sc;
    }
    // The resource is built in; this only guards a broken build.
    Scenario sc;
    sc.name = tr("Example");
    return sc;
}

void SimulatorPage::loadExample()
{
    setScenario(exampleScenario());
}

void SimulatorPage::loadScenario()
{
    const QString path = m_prompter->openFileName(this, tr("Open scenario"), tr("Scenario (*.json);;All files (*)"));
    if (!path.isEmpty())
        (void)loadScenarioFile(path);
}

Result<void> SimulatorPage::loadScenarioFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        auto err
            = fail(ErrorCode::Io, tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
        m_prompter->warning(this, tr("Open scenario"), err.error().message);
        return err;
    }
    auto sc = parseScenario(file.readAll(), QFileInfo(path).fileName());
    if (!sc) {
        m_prompter->warning(this, tr("Open scenario"), sc.error().message);
        return std::unexpected(sc.error());
    }
    setScenario(*sc);
    return {};
}

void SimulatorPage::saveScenario()
{
    const Scenario sc = scenario();
    // Save only what loads back: the same validation as Open.
    const QByteArray bytes = QJsonDocument(sc.toJson()).toJson(QJsonDocument::Indented);
    if (auto check = parseScenario(bytes, tr("This scenario")); !check) {
        m_prompter->warning(this, tr("Save scenario"), check.error().message);
        return;
    }
    QString suggested = sc.name.isEmpty() ? u"scenario"_s : sc.name;
    suggested.replace(QRegularExpression(u"[^\\w.-]+"_s), u"-"_s);
    const QString path
        = m_prompter->saveFileName(this, tr("Save scenario"), suggested + u".json"_s, tr("Scenario (*.json)"));
    if (path.isEmpty())
        return;
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
        m_prompter->warning(this, tr("Save scenario"),
                            tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), out.errorString()));
}

void SimulatorPage::applyToProxy()
{
    const Scenario sc = scenario();
    const QByteArray text = m_settings.value(QString::fromLatin1(kSavingsPolicyKey)).toString().toUtf8();
    QJsonObject stored;
    if (!text.trimmed().isEmpty()) {
        QJsonParseError err {};
        const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            // Merging into a policy that cannot be read would lose it: nothing is written.
            m_prompter->warning(this, tr("Apply to proxy"),
                                tr("The stored savings policy is not a JSON object (%1); nothing was applied.")
                                    .arg(err.error != QJsonParseError::NoError ? err.errorString()
                                                                                : tr("not an object")));
            return;
        }
        stored = doc.object();
    }
    auto *dialog = new ApplyToProxyDialog(sc, m_endpoints, appliedEndpoints(stored), this);
    connect(dialog, &QDialog::accepted, this, [this, dialog, sc, stored] {
        const QStringList endpoints = dialog->checkedEndpoints();
        const QString now
            = QDateTime::fromMSecsSinceEpoch(m_clock() / 1000, QTimeZone::utc()).toUTC().toString(Qt::ISODate);
        const QJsonObject policy = mergeSavingsPolicy(stored, sc, endpoints, now);
        m_settings.setValue(QString::fromLatin1(kSavingsPolicyKey),
                            QString::fromUtf8(QJsonDocument(policy).toJson(QJsonDocument::Compact)));
        m_status->setText(endpoints.isEmpty()
                              ? tr("No endpoint checked: the proxy's savings settings are unchanged.")
                              : tr("Applied to the proxy for %1; other settings kept.").arg(endpoints.join(u", "_s)));
        Q_EMIT applyToProxyRequested(sc, endpoints);
    });
    m_prompter->showDialog(dialog);
}

void SimulatorPage::useRouterConfig(const routing::RouterConfig &config)
{
    Scenario sc = scenario();
    sc.routing.enabled = true;
    sc.routing.router = config;
    setScenario(sc);
}

} // namespace tl
