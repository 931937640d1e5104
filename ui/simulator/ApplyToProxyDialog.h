#pragma once

#include "simulate/Scenario.h"

#include <QDialog>
#include <QJsonObject>

class QListWidget;
class QLabel;

namespace tl {

// The Settings key the Simulator page's "Apply to proxy" writes and the proxy reads.
inline constexpr char kSavingsPolicyKey[] = "proxy/savings_policy";

// The proxy's savings policy after applying a scenario to the chosen endpoints: `stored` (the policy in
// Settings under kSavingsPolicyKey, compact JSON text; {} when none) with the scenario's strategies
// turned on for those endpoints, and everything the scenario does not set kept (a merge):
//   {"version": 1, "scenario": "<name>", "applied_at": "<UTC ISO 8601>",
//    "applied_endpoints": ["<endpoint>", ...],             (this apply's endpoints, for the dialog)
//    "endpoints": {"<endpoint>": <strategies object>, ...}, "default": <strategies object>, ...}
// For each chosen endpoint, with S = Scenario::forEndpoint(endpoint) (the scenario's strategies with
// that endpoint's overrides applied) in the scenario JSON's own format:
//  - its entry is the stored one, else a copy of the stored "default" without "exact_cache" (so the
//    Proxy page's exact-cache switch keeps governing it), else every strategy off;
//  - each of "exact_cache", "semantic_cache", "compression" that S has enabled replaces the entry's;
//  - "routing", when S routes (enabled, mode not off, rules or a router): S's routing object; it keeps
//    the entry's "router" (the Routing page's tiers and rules) when S has no router of its own;
//  - "batch", when S batches the endpoint: {"enabled": true, "endpoints": ["<endpoint>"]};
//  - strategies S has off are left as they are (applying never turns anything off).
// "default", the other endpoints and other members of `stored` are kept; "default" is every strategy
// off when `stored` has none. `appliedAtIso` is the time stamp to write.
QJsonObject mergeSavingsPolicy(const QJsonObject &stored, const Scenario &scenario, const QStringList &endpoints,
                               const QString &appliedAtIso);

// The endpoints the last apply chose ("applied_endpoints"; for a policy written before that member
// existed, by an apply, its "endpoints" keys).
QStringList appliedEndpoints(const QJsonObject &stored);

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
