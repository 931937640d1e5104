#pragma once

#include "common/DateRange.h"
#include "routing/RecordedSamples.h"

#include <QTimer>
#include <QWidget>

#include <functional>
#include <utility>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace tl {

namespace tokenizer {
class Tokenizers;
}

class DateRangePicker;
class Ledger;
class RoutingTestModel;

// Tests the routing editor's unsaved config:
//  - "Recorded requests": an endpoint and a date range; the newest calls (at most
//    RecordedCallQuery::limit) are read on the ledger's reader thread, then tested on a worker thread
//    (routing::testRecordedCalls: Router::testRules with the edited config, as if routing were on,
//    each call repriced with its own token counts) and shown per call and in aggregate. Calls a
//    keyword rule leaves undecided (request text is not recorded) are shown with every possible
//    outcome and kept out of the decided totals. setConfig() re-tests the loaded calls (debounced).
//  - "Try a request": a pasted request body (OpenAI chat / Responses or Anthropic messages JSON) and a
//    task type; the decision, with every rule's match, keyword rules included.
// Thread affinity: GUI thread.
class RoutingTestPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingTestPanel)

public:
    using Clock = std::function<qint64()>; // now, UTC microseconds

    RoutingTestPanel(Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers, Clock clock,
                     QWidget *parent = nullptr);
    ~RoutingTestPanel() override;

    void setConfig(const routing::RouterConfig &config);
    // Chooses the endpoint to test (when the ledger has it); no load.
    void setEndpoint(const QString &endpoint);
    QString endpoint() const;
    // Sets the range to test and counts each endpoint's calls in it again (the counts in the endpoint box).
    void setRange(const DateRange &range);
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }

    // Loads the endpoint's calls in the range and tests them.
    void loadAndTest();
    // Decides the request in the "Try a request" box.
    void tryRequest();

    bool isLoaded() const { return m_loaded && !m_busy; }
    const routing::RecordedTestRun &lastRun() const { return m_run; }
    QString testedEndpoint() const { return m_testedEndpoint; }

    QComboBox *endpointBox() const { return m_endpoint; }
    DateRangePicker *rangePicker() const { return m_range; }
    QPushButton *loadButton() const { return m_load; }
    QLabel *summaryLabel() const { return m_summary; }
    QTableView *resultsView() const { return m_view; }
    RoutingTestModel *resultsModel() const { return m_model; }
    QTabWidget *tabs() const { return m_tabs; }
    QPlainTextEdit *requestEdit() const { return m_request; }
    QLineEdit *taskTypeEdit() const { return m_taskType; }
    QComboBox *shapeBox() const { return m_shape; }
    QPushButton *tryButton() const { return m_try; }
    QLabel *decisionLabel() const { return m_decision; }

protected:
    // The first time the panel shows, it reads the ledger's endpoints and tests the busiest one (not
    // at construction: the page is built at startup and most sessions never open it).
    void showEvent(QShowEvent *event) override;

Q_SIGNALS:
    // A test of recorded calls finished and is shown (per-rule tallies for `endpoint`'s rules).
    void tested(const QString &endpoint, const QList<tl::routing::RuleTally> &tallies);
    // The endpoint list is known (and, when there were calls to test, the first test is shown).
    void dataLoaded();

private:
    void refreshEndpoints(); // the endpoint list with each one's calls in the panel's range
    std::pair<qint64, qint64> resolvedRange() const; // the picker's range now, [from, to) UTC microseconds
    void runTest();
    void showRun(const QString &endpoint, qint64 matching, qint64 skipped, int limit);

    Ledger &m_ledger;
    std::shared_ptr<const tokenizer::Tokenizers> m_tokenizers;
    Clock m_clock;
    QTimeZone m_zone;
    routing::RouterConfig m_config;
    QList<routing::RecordedCall> m_calls;
    routing::RecordedTestRun m_run;
    QString m_testedEndpoint;
    qint64 m_matching = 0;
    qint64 m_skipped = 0;
    int m_limit = 0;
    quint64 m_generation = 0;
    quint64 m_endpointsGeneration = 0;
    bool m_loaded = false;
    bool m_busy = false;
    bool m_endpointsKnown = false;
    bool m_started = false;
    bool m_columnsFitted = false; // fitted to the first results (before them: to the header texts)
    QTimer m_debounce;

    QTabWidget *m_tabs;
    QComboBox *m_endpoint;
    DateRangePicker *m_range;
    QPushButton *m_load;
    QLabel *m_summary;
    RoutingTestModel *m_model;
    QSortFilterProxyModel *m_sort;
    QTableView *m_view;
    QComboBox *m_shape;
    QLineEdit *m_taskType;
    QPlainTextEdit *m_request;
    QPushButton *m_try;
    QLabel *m_decision;
};

} // namespace tl
