#pragma once

#include "common/DateRange.h"
#include "query/LedgerQueries.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QGridLayout;
class QLabel;
class QStackedWidget;
class QUndoStack;

namespace tl {

class BreakdownModel;
class BreakdownPanel;
class CostOverTimeChart;
class DateRangePicker;
class EmptyState;
class FilterChip;
class KpiPanel;
class Ledger;
class ParetoChart;
class Prompter;
class Settings;
class TopSpendersChart;

// The cost dashboard: KPI tiles, range picker, cost over time, top spenders, Pareto and the breakdown
// table, all for one range and one narrowing Filter (set by clicking a row or a bar, shown as a chip).
// Queries run on the ledger's reader thread; results arrive through QFuture continuations on this
// object, and results of an older request (range, filter or data changed meanwhile) are dropped.
// Re-queries by itself on Ledger::recordsAdded, pricingChanged and recordMarkedCut. dataLoaded() is
// emitted when every query of the latest request has been applied (the screenshot command and tests wait
// for it).
// Thread affinity: GUI thread.
class DashboardPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardPage)

public:
    using Clock = std::function<qint64()>; // now, UTC microseconds since the epoch

    DashboardPage(Ledger &ledger, Settings &settings, Prompter &prompter, Clock clock = {},
                  QWidget *parent = nullptr);

    DateRange range() const;
    void setRange(const DateRange &range); // also stored in settings
    Filter filter() const { return m_filter; }
    void setFilter(const Filter &filter);
    void clearFilter();
    // Dimension::Model or Dimension::Endpoint.
    void setStackBy(Dimension d);
    void setProxyAvailable(bool available);

    // Starts a new request now (pending results of older requests are dropped).
    void refresh();
    Q_INVOKABLE bool isLoaded() const { return m_pending == 0 && m_loadedOnce; }
    bool isShowingEmptyState() const;
    // The resolved range of the last request, UTC microseconds [from, to).
    std::pair<qint64, qint64> resolvedRange() const { return m_resolved; }

    DateRangePicker *rangePicker() const { return m_picker; }
    KpiPanel *kpis() const { return m_kpis; }
    BreakdownModel *breakdownModel() const { return m_model; }
    BreakdownPanel *breakdownPanel() const { return m_table; }
    CostOverTimeChart *costChart() const { return m_costChart; }
    TopSpendersChart *topSpendersChart() const { return m_topChart; }
    ParetoChart *paretoChart() const { return m_paretoChart; }
    FilterChip *filterChip() const { return m_chip; }
    EmptyState *emptyState() const { return m_empty; }
    // Key label edits made from the breakdown (undo/redo; Ctrl+Z in the table).
    QUndoStack *undoStack() const { return m_undo; }
    // Sets the label of a caller identity through the undo stack (what the "Label this key…" dialog does).
    void setKeyLabel(const QString &keyId, const QString &before, const QString &after);

Q_SIGNALS:
    void dataLoaded();
    void importRequested();
    void proxyRequested();
    void addPriceRequested(const QString &provider, const QString &model);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // Below this page width (in lines of text, so it follows the font and DPI) the charts and the table
    // are stacked in two columns instead of three, and the filter chip gets a row of its own.
    static constexpr int kWideLines = 58;
    void arrange(bool narrow);
    void scheduleRefresh();
    void queryRange(quint64 generation, std::pair<qint64, qint64> span);
    void finishOne(quint64 generation);
    void showError(const QString &message);
    void applyBreakdown(const Breakdown &b);
    // The note under the table saying which records the spend counts (empty without provider reports).
    static QString sourcesNote(const SpendSources &sources);
    void narrowTo(const QStringList &keys);
    void askForKeyLabel(const QString &keyId, const QString &currentLabel);
    void applyKeyLabel(const QString &keyId, const QString &label);
    QTimeZone zone() const;

    Ledger &m_ledger;
    Settings &m_settings;
    Prompter &m_prompter;
    Clock m_clock;
    Filter m_filter;
    Dimension m_stackBy = Dimension::Model;
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_loadedOnce = false;
    bool m_refreshQueued = false;
    std::pair<qint64, qint64> m_resolved{0, 0};
    Aggregate m_totals;
    QList<UnpricedModel> m_unpriced;

    QStackedWidget *m_stack;
    QWidget *m_content;
    QGridLayout *m_grid;
    QWidget *m_topBar;
    QGridLayout *m_top;
    QWidget *m_headerBar;
    QWidget *m_filterBar;
    bool m_arranged = false;
    bool m_narrow = false;
    EmptyState *m_empty;
    DateRangePicker *m_picker;
    QComboBox *m_stackBox;
    FilterChip *m_chip;
    QLabel *m_notice;
    QLabel *m_error;
    KpiPanel *m_kpis;
    BreakdownModel *m_model;
    BreakdownPanel *m_table;
    CostOverTimeChart *m_costChart;
    TopSpendersChart *m_topChart;
    ParetoChart *m_paretoChart;
    QUndoStack *m_undo;
};

} // namespace tl
