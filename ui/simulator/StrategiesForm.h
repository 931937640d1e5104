#pragma once

#include "simulate/Simulator.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QDoubleSpinBox;
class QGroupBox;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableView;

namespace tl {

class RoutingRulesModel;

// Edits the strategies of a scenario, one section per strategy in the simulator's order (exact cache,
// semantic cache, compression, routing, batch), each a checkbox and its parameters: TTL (seconds),
// similarity threshold (0..1], budget (tokens), routing rules (a RoutingRulesModel table with add,
// remove and reorder), and the endpoints that tolerate a 24-hour turnaround.
//
// Defaults mode edits the scenario-wide strategies. Override mode edits one endpoint's override (the
// JSON strategies object Scenario::endpointOverrides holds): each section gets an "Override" checkbox;
// a section not overridden shows what the endpoint inherits, read-only, and is left out of
// overrideJson(). Emits changed() on every user edit (not on set*()). Thread affinity: GUI thread.
class StrategiesForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StrategiesForm)

public:
    enum class Mode { Defaults, Override };

    explicit StrategiesForm(Mode mode, QWidget *parent = nullptr);

    // Names the editors offer: the ledger's endpoints and served models, and routing targets.
    void setChoices(const QStringList &endpoints, const QStringList &models, const QStringList &targetModels);

    // Defaults mode.
    void setStrategies(const Scenario &scenario);
    void writeStrategies(Scenario &scenario) const;

    // Override mode: `strategies` is the endpoint's override object; `defaults` what it inherits.
    void setOverride(const QString &endpoint, const QJsonObject &strategies, const Scenario &defaults);
    QJsonObject overrideJson() const;

    Mode mode() const { return m_mode; }
    QCheckBox *enabledBox(Strategy s) const { return m_sections.value(s).enabled; }
    QCheckBox *overrideBox(Strategy s) const { return m_sections.value(s).override; } // null in Defaults mode
    QSpinBox *exactTtl() const { return m_exactTtl; }
    QDoubleSpinBox *semanticThreshold() const { return m_threshold; }
    QSpinBox *semanticTtl() const { return m_semanticTtl; }
    QSpinBox *compressionBudget() const { return m_budget; }
    RoutingRulesModel *rulesModel() const { return m_rules; }
    QTableView *rulesView() const { return m_rulesView; }
    QListWidget *batchEndpoints() const { return m_batchList; } // Defaults mode
    QComboBox *routingMode() const { return m_routeMode; }
    QCheckBox *complexityRouter() const { return m_router; }
    QComboBox *embeddingModel() const { return m_embedding; }
    QLineEdit *summaryModel() const { return m_summaryModel; }
    QCheckBox *removeRedundancy() const { return m_redundancy; }

Q_SIGNALS:
    void changed();

private:
    struct Section
    {
        QGroupBox *box = nullptr;
        QCheckBox *override = nullptr;
        QCheckBox *enabled = nullptr;
        QWidget *params = nullptr;
    };

    Section addSection(Strategy s, QWidget *params);
    QWidget *buildRouting();
    void showStrategies(const Scenario &sc);
    void setBatchEndpoints(const QStringList &checked);
    QStringList checkedBatchEndpoints() const;
    void updateEnabling();
    void edited();

    Mode m_mode;
    QString m_prefix; // objectName prefix: "default" or "override"
    QString m_endpoint; // Override mode
    Scenario m_defaults; // Override mode: what the endpoint inherits
    bool m_updating = false;
    QMap<Strategy, Section> m_sections;
    QStringList m_endpoints;
    QStringList m_models;
    QStringList m_targets;

    QSpinBox *m_exactTtl = nullptr;
    QDoubleSpinBox *m_threshold = nullptr;
    QSpinBox *m_semanticTtl = nullptr;
    QSpinBox *m_budget = nullptr;
    RoutingRulesModel *m_rules = nullptr;
    QTableView *m_rulesView = nullptr;
    QPushButton *m_addRule = nullptr;
    QPushButton *m_removeRule = nullptr;
    QPushButton *m_ruleUp = nullptr;
    QPushButton *m_ruleDown = nullptr;
    QListWidget *m_batchList = nullptr;
    QComboBox *m_routeMode = nullptr;
    QCheckBox *m_router = nullptr;
    std::optional<routing::RouterConfig> m_routerConfig; // kept as loaded; default rules when ticked
    QComboBox *m_embedding = nullptr;
    QLineEdit *m_summaryModel = nullptr;
    QCheckBox *m_redundancy = nullptr;
};

} // namespace tl
