#pragma once

#include "simulate/Scenario.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;

namespace tl {

class StrategiesForm;

// The scenario editor of the Simulator page: the scenario's name, its strategies (a StrategiesForm in
// Defaults mode) and per-endpoint overrides (pick an endpoint, then override any strategy's
// parameters for it in a StrategiesForm in Override mode). scenario() builds a tl::Scenario from the
// widgets; setScenario() shows one without emitting changed(). Thread affinity: GUI thread.
class ScenarioEditor final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioEditor)

public:
    explicit ScenarioEditor(QWidget *parent = nullptr);

    // The ledger's endpoints and served models, and routing targets (price-book model names).
    void setChoices(const QStringList &endpoints, const QStringList &models, const QStringList &targetModels);

    Scenario scenario() const;
    void setScenario(const Scenario &scenario);

    // Adds an (empty) override for `endpoint` and selects it; emits changed().
    void addOverride(const QString &endpoint);
    void removeOverride(const QString &endpoint);
    void selectOverride(const QString &endpoint);

    QLineEdit *nameEdit() const { return m_name; }
    QTabWidget *tabs() const { return m_tabs; }
    StrategiesForm *defaultsForm() const { return m_defaults; }
    StrategiesForm *overrideForm() const { return m_override; }
    QComboBox *overrideEndpointBox() const { return m_endpointBox; }
    QListWidget *overrideList() const { return m_overrideList; }

Q_SIGNALS:
    void changed();

private:
    void refreshOverrideList();
    void showCurrentOverride();

    QLineEdit *m_name;
    QTabWidget *m_tabs;
    StrategiesForm *m_defaults;
    StrategiesForm *m_override;
    QComboBox *m_endpointBox;
    QPushButton *m_addOverride;
    QPushButton *m_removeOverride;
    QListWidget *m_overrideList;
    QWidget *m_overridePane;
    Scenario m_base; // the scenario last set: the values of fields without a widget
    QMap<QString, QJsonObject> m_overrides; // endpoint -> strategies object
    QString m_current;
    bool m_updating = false;
};

} // namespace tl
