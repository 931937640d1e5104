#pragma once

#include "simulate/Scenario.h"

#include <QDialog>
#include <QJsonObject>

class QListWidget;
class QLabel;

namespace tl {

// The Settings key the Simulator page's "Apply to proxy" writes and the proxy reads.
inline constexpr char kSavingsPolicyKey[] = "proxy/savings_policy";

// The proxy's savings policy built from a scenario for the chosen endpoints (stored in Settings under
// kSavingsPolicyKey as compact JSON text):
//   {"version": 1, "scenario": "<name>", "applied_at": "<UTC ISO 8601>",
//    "endpoints": {"<endpoint>": <strategies object>, ...},
//    "default": <strategies object with every strategy off>}
// Each endpoint's strategies object is Scenario::forEndpoint(endpoint).toJson()["strategies"] (the
// scenario's strategies with that endpoint's overrides applied: "routing", "exact_cache",
// "semantic_cache", "compression", "batch", each with "enabled" and its parameters), except that
// "batch" is normalised to that endpoint alone: {"enabled": <batched>, "endpoints": ["<endpoint>"] or []}.
// Endpoints not listed use "default". `appliedAtIso` is the time stamp to write.
QJsonObject savingsPolicy(const Scenario &scenario, const QStringList &endpoints, const QString &appliedAtIso);

// Chooses the endpoints the scenario's strategies are turned on for in the proxy. Offers the ledger's
// endpoints plus any already in the stored policy (checked). Thread affinity: GUI thread.
class ApplyToProxyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplyToProxyDialog)

public:
    ApplyToProxyDialog(const Scenario &scenario, const QStringList &endpoints, const QStringList &checked,
                       QWidget *parent = nullptr);

    QStringList checkedEndpoints() const;
    // Checks exactly `endpoints` (tests, and "select all").
    void setChecked(const QStringList &endpoints);
    QListWidget *list() const { return m_list; }

private:
    void updateSummary();

    Scenario m_scenario;
    QListWidget *m_list;
    QLabel *m_summary;
};

} // namespace tl
