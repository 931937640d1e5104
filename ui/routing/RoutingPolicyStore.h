#pragma once

#include "common/Result.h"
#include "routing/RouterConfig.h"

#include <QJsonObject>
#include <QStringList>

namespace tl {

class Settings;

// Where the routing editor keeps its RouterConfig: inside the proxy's savings policy, the Settings
// value "proxy/savings_policy" (SavingsPolicy::settingsKey, compact JSON text) that the live proxy
// (app and headless command) reads. The policy has one "routing" strategy per entry ("default" and
// each of "endpoints"): {"enabled", "mode", "router": RouterConfig JSON}; the proxy builds one Router
// per entry from its "router" with every endpoint mode replaced by the entry's "mode"
// (ProxyServer::routerFor).
//
// The editor shows one RouterConfig: one set of tiers, and per endpoint its mode, default task type,
// cost rule and rules ("*" = endpoints without their own settings). Pure functions, no widgets.
namespace RoutingPolicyStore {

struct Loaded
{
    routing::RouterConfig config;
    // Things the single editor cannot show as stored (an entry with its own tiers), for the user.
    QStringList notes;
};

// The editor's config from a stored policy (an empty object gives RouterConfig::defaults() with
// routing off). Tiers and the complexity map come from the "default" entry's router (else the first
// endpoint entry's, else the defaults); "*" takes the default entry's mode and its router's "*"
// settings; a policy endpoint gets its own row when its settings differ from those of "*".
Loaded fromPolicy(const QJsonObject &policy);

// `policy` with every entry's routing replaced by `config`'s: "default" gets the "*" mode, each
// endpoint of `config` an entry (a new entry copies the default entry's other strategies, without
// "exact_cache", so only its routing changes), and policy endpoints `config` does not list follow
// "*". Every entry's "router" is the whole `config`, except an entry whose routing has explicit
// "rules" and no "router" (applied from a scenario): it keeps routing by its rules only, with the new
// mode. The routing objects' "rules" and other members and strategies are kept. The
// result is checked with SavingsPolicy::fromSettingsJson; errors are its errors.
Result<QJsonObject> withRouter(const QJsonObject &policy, const routing::RouterConfig &config);

// The stored policy object ({} when absent). Errors: Parse when the stored text is not a JSON object.
Result<QJsonObject> readPolicy(const Settings &settings);
// Stores `policy` as compact JSON text (emits Settings::changed for the key, which the Proxy page
// follows).
void writePolicy(Settings &settings, const QJsonObject &policy);

} // namespace RoutingPolicyStore

} // namespace tl
