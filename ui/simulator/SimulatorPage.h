#pragma once

#include "common/DateRange.h"
#include "simulate/Simulator.h"

#include <QTimer>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTableView;
class QSortFilterProxyModel;

namespace tl {

class DateRangePicker;
class EmptyState;
class EndpointOutcomeModel;
class EndpointSavingsChart;
class KpiTile;
class Ledger;
class Prompter;
class ScenarioEditor;
class Settings;
class SimulationTimeChart;
class StrategyOutcomeModel;

// The what-if Simulator page: a scenario editor (strategies, routing rules, per-endpoint overrides), a
// date range, and live results: the seed design's expected-savings table filled from the ledger
// (projected saving per strategy in the simulator's fixed order, "not simulated: <why>" rows, the
// combined saving), per-endpoint results, baseline against projected cost per day, the top endpoints
// by saving and the assumptions behind the figures.
//
// Results are computed by Simulator::run on the ledger's reader thread (Ledger::read) whenever the
// scenario or range changes (debounced 300 ms) or new records land (debounced 1 s), with a progress bar
// and Cancel (an atomic flag the simulator's progress callback reads). Stale results are greyed while a
// run is pending. Scenarios are saved and loaded as JSON files through the Prompter seam; the current
// one is kept in Settings ("simulator/scenario", JSON text) and restored on the next start. "Apply to
// proxy" merges the scenario's strategies into the savings policy under "proxy/savings_policy" for the
// chosen endpoints, keeping what the scenario does not set (see mergeSavingsPolicy in
// ApplyToProxyDialog.h), and emits applyToProxyRequested(). Money stays nano-USD until formatted. Thread affinity: GUI thread.
class SimulatorPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimulatorPage)

public:
    using Clock = std::function<qint64()>; // now, UTC microseconds since the epoch

    SimulatorPage(Ledger &ledger, Settings &settings, std::shared_ptr<Prompter> prompter, Clock clock = {},
                  QWidget *parent = nullptr);
    ~SimulatorPage() override;

    Scenario scenario() const;
    // Shows `scenario` in the editor and recomputes.
    void setScenario(const Scenario &scenario);
    DateRange range() const;
    void setRange(const DateRange &range);

    // Starts a run now (a pending or running one is cancelled first).
    void run();
    // Cancels the running computation; the results shown stay (greyed) until the next run.
    void cancel();
    bool isRunning() const { return m_running; }
    Q_INVOKABLE bool isLoaded() const { return m_loaded && !m_running && !m_debounce.isActive(); }
    bool isShowingEmptyState() const;
    // The last completed result (empty before the first).
    const SimulationResult &result() const { return m_result; }

    // Save… / Load… (file pickers through the Prompter), the built-in example, Apply to proxy….
    void saveScenario();
    void loadScenario();
    void loadExample();
    void applyToProxy();
    // Makes `config` the scenario's complexity router with routing on (the rest of the scenario is
    // kept) and recomputes: the Routing page's "Use in simulator" (AppContext connects
    // RoutingPage::useInSimulatorRequested here).
    void useRouterConfig(const tl::routing::RouterConfig &config);
    // Loads a scenario file; errors are shown through the Prompter and returned.
    Result<void> loadScenarioFile(const QString &path);

    // The built-in example (docs/examples/azure-routing-scenario.json, embedded).
    static Scenario exampleScenario();

    ScenarioEditor *editor() const { return m_editor; }
    DateRangePicker *rangePicker() const { return m_picker; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *statusLabel() const { return m_status; }
    StrategyOutcomeModel *strategyModel() const { return m_strategyModel; }
    EndpointOutcomeModel *endpointModel() const { return m_endpointModel; }
    QTableView *strategyTable() const { return m_strategyTable; }
    QTableView *endpointTable() const { return m_endpointTable; }
    SimulationTimeChart *timeChart() const { return m_timeChart; }
    EndpointSavingsChart *savingsChart() const { return m_savingsChart; }
    QLabel *assumptionsLabel() const { return m_assumptions; }
    KpiTile *savingTile() const { return m_savingTile; }
    KpiTile *projectedTile() const { return m_projectedTile; }
    EmptyState *emptyState() const { return m_empty; }

Q_SIGNALS:
    // A run finished and its results are shown (the screenshot command and tests wait for it).
    void dataLoaded();
    // A run ended: completed, or cancelled (by Cancel or by a newer run).
    void runFinished(bool cancelled);
    // "Apply to proxy" confirmed: the scenario and the endpoints its strategies are turned on for. The
    // policy is already stored in Settings when this is emitted.
    void applyToProxyRequested(const tl::Scenario &scenario, const QStringList &endpoints);
    void importRequested();
    void proxyRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Below this results-pane width (in lines of text) the two charts are stacked instead of side by side.
    static constexpr int kChartsSideBySideLines = 34;
    void arrangeResults(bool stacked);
    // The strategy table's columns for a table `width` px wide (its frame excluded).
    void fitStrategyColumns(int width);
    // The endpoint table's name column: the room the figure columns leave in its viewport.
    void fitEndpointColumns();
    struct RunState
    {
        std::atomic<bool> cancel {false};
        std::atomic<qint64> done {0};
        std::atomic<qint64> total {0};
    };

    QWidget *buildResults();
    void scenarioEdited();
    void scheduleRun();
    void refreshChoices();
    void setStale(bool stale);
    void finishRun(quint64 generation, const std::shared_ptr<RunState> &state, Result<SimulationResult> result);
    void applyResult(const SimulationResult &result);
    void fitStrategyRows();
    void updateProgress();
    void storeScenario();
    QTimeZone zone() const;

    Ledger &m_ledger;
    Settings &m_settings;
    std::shared_ptr<Prompter> m_prompter;
    Clock m_clock;
    QTimer m_debounce;
    QTimer m_dataDebounce;
    QTimer m_progressTimer;
    quint64 m_generation = 0;
    std::shared_ptr<RunState> m_state;
    bool m_running = false;
    bool m_loaded = false;
    SimulationResult m_result;
    QStringList m_endpoints; // the ledger's endpoints, by cost

    QStackedWidget *m_stack;
    EmptyState *m_empty;
    QSplitter *m_splitter;
    ScenarioEditor *m_editor;
    DateRangePicker *m_picker;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QPushButton *m_example;
    QPushButton *m_load;
    QPushButton *m_save;
    QPushButton *m_apply;
    QProgressBar *m_progress;
    QLabel *m_status;
    QWidget *m_results;
    QGridLayout *m_resultsGrid = nullptr;
    bool m_chartsPlaced = false;
    bool m_chartsStacked = false;
    KpiTile *m_baselineTile;
    KpiTile *m_projectedTile;
    KpiTile *m_savingTile;
    StrategyOutcomeModel *m_strategyModel;
    EndpointOutcomeModel *m_endpointModel;
    QSortFilterProxyModel *m_endpointSort;
    QTableView *m_strategyTable;
    QTableView *m_endpointTable;
    SimulationTimeChart *m_timeChart;
    EndpointSavingsChart *m_savingsChart;
    QLabel *m_assumptions;
};

} // namespace tl
