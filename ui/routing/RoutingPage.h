#pragma once

#include "routing/RecordedSamples.h"
#include "routing/RouterConfig.h"

#include <QJsonObject>
#include <QWidget>

#include <functional>
#include <memory>

class QAction;
class QBoxLayout;
class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableView;
class QTableWidget;
class QUndoStack;

namespace tl {

namespace tokenizer {
class Tokenizers;
}

class ComplexityRulesModel;
class EndpointRoutingModel;
class Ledger;
class Prompter;
class RoutingTestPanel;
class RoutingTiersModel;
class Settings;

// The Routing page: the model router's configuration (issue #5 section 1) made editable and testable
// before it is saved.
//  - Rules and endpoints: per endpoint its mode (off / shadow / on), "allow cost increase" and default
//    task type, and its complexity rules (add, edit in place, delete, move up and down; Insert,
//    Delete, Ctrl+Up and Ctrl+Down on the table). An endpoint without its own rules shows the built-in
//    ones; editing them makes them its own.
//  - Tiers: a model per tier (nano, standard, premium) per provider family, its context window and
//    capabilities, completed from the price book; the complexity -> tier map.
//  - Model rules (read-only): the explicit routing rules of the saved policy per entry (a scenario's
//    "routing.rules", set from the Simulator page with "Apply to proxy" and edited there), which the
//    proxy tries before the complexity rules; saving this page keeps them.
//  - Test (RoutingTestPanel): the edited rules on recorded calls of an endpoint and range, and on a
//    pasted request.
// Every edit is undoable (Ctrl+Z / Ctrl+Shift+Z; snapshots of the whole RouterConfig). Save stores the
// config in the proxy's savings policy (RoutingPolicyStore: Settings "proxy/savings_policy", which
// the running proxy takes at once); Revert reloads it; Restore defaults is an undoable edit, saved
// only by Save. "Use in simulator" emits useInSimulatorRequested() with the edited config (the
// composition root hands it to the Simulator page's scenario as its complexity router).
// Thread affinity: GUI thread.
class RoutingPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoutingPage)

public:
    using Clock = std::function<qint64()>; // now, UTC microseconds

    RoutingPage(Ledger &ledger, Settings &settings, std::shared_ptr<const tokenizer::Tokenizers> tokenizers,
                std::shared_ptr<Prompter> prompter, Clock clock = {}, QWidget *parent = nullptr);
    ~RoutingPage() override;

    const routing::RouterConfig &config() const { return m_config; }
    bool isDirty() const { return m_config != m_saved; }
    // Replaces the edited config as one undoable edit.
    void setConfig(const routing::RouterConfig &config);
    // Save / Revert / Restore defaults / Use in simulator, as the buttons do. save() reports errors
    // through the Prompter and returns them.
    Result<void> save();
    void revert();
    void restoreDefaults();
    void useInSimulator();
    // Shows the rules of `endpoint` ("*" = other endpoints) and tests that endpoint when it has calls.
    void selectEndpoint(const QString &endpoint);
    QString selectedEndpoint() const { return m_endpoint; }

    Q_INVOKABLE bool isLoaded() const;

    QUndoStack *undoStack() const { return m_undo; }
    QTabWidget *tabs() const { return m_tabs; }
    ComplexityRulesModel *rulesModel() const { return m_rules; }
    QTableView *rulesView() const { return m_rulesView; }
    EndpointRoutingModel *endpointsModel() const { return m_endpoints; }
    QTableView *endpointsView() const { return m_endpointsView; }
    RoutingTiersModel *tiersModel() const { return m_tiers; }
    QTableView *tiersView() const { return m_tiersView; }
    QComboBox *complexityTierBox(routing::Complexity c) const { return m_map[size_t(c)]; }
    QComboBox *newEndpointBox() const { return m_newEndpoint; }
    RoutingTestPanel *testPanel() const { return m_test; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *revertButton() const { return m_revert; }
    QPushButton *defaultsButton() const { return m_defaults; }
    QPushButton *simulatorButton() const { return m_simulator; }
    QPushButton *addRuleButton() const { return m_addRule; }
    QPushButton *removeRuleButton() const { return m_removeRule; }
    QPushButton *ruleUpButton() const { return m_ruleUp; }
    QPushButton *ruleDownButton() const { return m_ruleDown; }
    QPushButton *builtInRulesButton() const { return m_builtInRules; }
    QLabel *statusLabel() const { return m_status; }
    // The saved policy's explicit model rules: columns endpoint, order, rule, mode (read-only).
    QTableWidget *modelRulesTable() const { return m_modelRules; }

protected:
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

Q_SIGNALS:
    void useInSimulatorRequested(const tl::routing::RouterConfig &config);
    // The first test of recorded calls is shown (or there was nothing to test); the screenshot command
    // waits for it.
    void dataLoaded();
    void saved();

private:
    class Snapshot;
    friend class Snapshot;

    // Below this page height (in lines of text) the endpoint and rule buttons go in a row under their
    // tables instead of a column beside them: a column of five is taller than a 900x600 window leaves.
    static constexpr int kCompactLines = 45;
    void setCompact(bool compact);
    QWidget *buildRulesTab();
    QWidget *buildTiersTab();
    QWidget *buildModelRulesTab();
    void showModelRules(const QJsonObject &policy);
    void load(bool asEdit);
    void display(const routing::RouterConfig &config); // models follow `config` (no undo entry)
    // One undo entry; `redisplay` when the models do not show `next` yet.
    void commit(const routing::RouterConfig &next, bool redisplay);
    void restore(const routing::RouterConfig &config);
    routing::RouterConfig fromModels() const;
    void showRules();
    void rulesEdited();
    void addRule();
    void removeRule();
    void moveRule(int delta);
    void addEndpoint();
    void removeEndpoint();
    void updateState();
    void showTallies();

    Ledger &m_ledger;
    Settings &m_settings;
    std::shared_ptr<Prompter> m_prompter;
    routing::RouterConfig m_config;
    routing::RouterConfig m_saved;
    QStringList m_notes;
    QString m_endpoint = QStringLiteral("*"); // whose rules the rules table shows
    QString m_talliesEndpoint;
    QList<routing::RuleTally> m_tallies;
    bool m_updating = false;
    bool m_saving = false;
    bool m_externalChange = false;
    bool m_shown = false;

    QUndoStack *m_undo;
    QTabWidget *m_tabs;
    ComplexityRulesModel *m_rules;
    QTableView *m_rulesView = nullptr;
    QLabel *m_rulesTitle = nullptr;
    EndpointRoutingModel *m_endpoints;
    QTableView *m_endpointsView = nullptr;
    QComboBox *m_newEndpoint = nullptr;
    QPushButton *m_addEndpoint = nullptr;
    QPushButton *m_removeEndpoint = nullptr;
    RoutingTiersModel *m_tiers;
    QTableView *m_tiersView = nullptr;
    QComboBox *m_newFamily = nullptr;
    QPushButton *m_addFamily = nullptr;
    QPushButton *m_removeFamily = nullptr;
    std::array<QComboBox *, 3> m_map {};
    RoutingTestPanel *m_test;
    QTableWidget *m_modelRules = nullptr;
    QLabel *m_modelRulesNote = nullptr;
    QPushButton *m_save;
    QPushButton *m_revert;
    QPushButton *m_defaults;
    QPushButton *m_simulator;
    QPushButton *m_addRule = nullptr;
    // Table beside (or above) its buttons, and the buttons' own column (or row).
    QBoxLayout *m_endpointRow = nullptr;
    QBoxLayout *m_endpointButtons = nullptr;
    QBoxLayout *m_ruleRow = nullptr;
    QBoxLayout *m_ruleButtons = nullptr;
    bool m_compact = false;
    QPushButton *m_removeRule = nullptr;
    QPushButton *m_ruleUp = nullptr;
    QPushButton *m_ruleDown = nullptr;
    QPushButton *m_builtInRules = nullptr;
    QPushButton *m_undoButton;
    QPushButton *m_redoButton;
    QLabel *m_status;
};

} // namespace tl
