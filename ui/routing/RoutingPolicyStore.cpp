#include "RoutingPolicyStore.h"

#include "proxy/SavingsPolicy.h"
#include "settings/Settings.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace tl::RoutingPolicyStore {

namespace {

using routing::EndpointRouting;
using routing::RouteMode;
using routing::RouterConfig;

// The entry's routing mode as SavingsPolicy::endpointFromStrategies reads it: enabled without a mode
// means on; not enabled means off.
RouteMode modeOf(const QJsonObject &strategies)
{
    const QJsonObject r = strategies.value("routing"_L1).toObject();
    if (!r.value("enabled"_L1).toBool())
        return RouteMode::Off;
    return routing::routeModeFromString(r.value("mode"_L1).toString(u"on"_s)).value_or(RouteMode::On);
}

std::optional<RouterConfig> routerOf(const QJsonObject &strategies, const QString &entry, QStringList &notes)
{
    const QJsonObject r = strategies.value("routing"_L1).toObject();
    if (!r.contains("router"_L1))
        return std::nullopt;
    auto config = RouterConfig::fromJson(r.value("router"_L1).toObject());
    if (!config) {
        notes << QCoreApplication::translate("RoutingPolicyStore",
                                             "The stored router of “%1” cannot be read (%2); the defaults are shown.")
                     .arg(entry, config.error().message);
        return std::nullopt;
    }
    return *config;
}

QJsonObject routingJson(QJsonObject routing, RouteMode mode, const QJsonObject &router)
{
    routing.insert(u"enabled"_s, mode != RouteMode::Off);
    routing.insert(u"mode"_s, routing::toString(mode));
    // An entry with explicit rules and no router routes by its rules only (SavingsPolicy); saving the
    // router must not turn the complexity router on there behind the user's back.
    const bool rulesOnly = !routing.value("rules"_L1).toArray().isEmpty() && !routing.contains("router"_L1);
    if (!rulesOnly)
        routing.insert(u"router"_s, router);
    return routing;
}

} // namespace

Loaded fromPolicy(const QJsonObject &policy)
{
    Loaded out;
    const QJsonObject def = policy.value("default"_L1).toObject();
    const QJsonObject eps = policy.value("endpoints"_L1).toObject();
    const QString defaultName = QCoreApplication::translate("RoutingPolicyStore", "other endpoints");

    std::optional<RouterConfig> defRouter = routerOf(def, defaultName, out.notes);
    RouterConfig base = defRouter.value_or(RouterConfig::defaults());
    if (!defRouter) {
        for (auto it = eps.begin(); it != eps.end(); ++it) {
            QStringList ignored;
            if (auto c = routerOf(it.value().toObject(), it.key(), ignored)) {
                base.tiers = c->tiers;
                base.complexityTiers = c->complexityTiers;
                break;
            }
        }
    }
    RouterConfig &config = out.config;
    config = base;
    EndpointRouting star = defRouter.value_or(RouterConfig::defaults()).endpoint(u"*"_s);
    star.mode = modeOf(def);
    // The default entry's router applies, with the default mode, to every endpoint without an entry.
    for (EndpointRouting &e : config.endpoints)
        e.mode = star.mode;
    config.endpoints.insert(u"*"_s, star);

    for (auto it = eps.begin(); it != eps.end(); ++it) {
        const QJsonObject strategies = it.value().toObject();
        const RouterConfig own = routerOf(strategies, it.key(), out.notes).value_or(RouterConfig::defaults());
        if (own.tiers != config.tiers || own.complexityTiers != config.complexityTiers)
            out.notes << QCoreApplication::translate(
                             "RoutingPolicyStore",
                             "Endpoint “%1” had its own tiers in the stored policy; saving gives it the tiers shown "
                             "here.")
                             .arg(it.key());
        EndpointRouting settings = own.endpoint(it.key());
        settings.mode = modeOf(strategies);
        if (settings != config.endpoint(it.key()))
            config.endpoints.insert(it.key(), settings);
    }
    return out;
}

Result<QJsonObject> withRouter(const QJsonObject &policy, const RouterConfig &config)
{
    const QJsonObject router = config.toJson();
    const RouteMode starMode = config.endpoint(u"*"_s).mode;
    QJsonObject out = policy;
    if (!out.contains("version"_L1))
        out.insert(u"version"_s, 1);
    QJsonObject def = out.value("default"_L1).toObject();
    QJsonObject template_ = def;
    template_.remove(u"exact_cache"_s); // the Proxy page's switch keeps governing the new entry
    def.insert(u"routing"_s, routingJson(def.value("routing"_L1).toObject(), starMode, router));
    out.insert(u"default"_s, def);

    QJsonObject eps = out.value("endpoints"_L1).toObject();
    for (auto it = config.endpoints.cbegin(); it != config.endpoints.cend(); ++it) {
        if (it.key() == u"*")
            continue;
        QJsonObject entry = eps.contains(it.key()) ? eps.value(it.key()).toObject() : template_;
        entry.insert(u"routing"_s, routingJson(entry.value("routing"_L1).toObject(), it->mode, router));
        eps.insert(it.key(), entry);
    }
    for (auto it = eps.begin(); it != eps.end(); ++it) {
        if (config.endpoints.contains(it.key()))
            continue;
        QJsonObject entry = it.value().toObject();
        entry.insert(u"routing"_s, routingJson(entry.value("routing"_L1).toObject(), starMode, router));
        it.value() = entry;
    }
    out.insert(u"endpoints"_s, eps);

    if (auto check = SavingsPolicy::fromSettingsJson(out); !check)
        return std::unexpected(check.error());
    return out;
}

Result<QJsonObject> readPolicy(const Settings &settings)
{
    const QByteArray text = settings.value(QString::fromLatin1(SavingsPolicy::settingsKey)).toString().toUtf8();
    if (text.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError err {};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(
            ErrorCode::Parse,
            QCoreApplication::translate("RoutingPolicyStore", "The stored savings policy is not a JSON object: %1")
                .arg(err.errorString()));
    return doc.object();
}

void writePolicy(Settings &settings, const QJsonObject &policy)
{
    settings.setValue(QString::fromLatin1(SavingsPolicy::settingsKey),
                      QString::fromUtf8(QJsonDocument(policy).toJson(QJsonDocument::Compact)));
}

} // namespace tl::RoutingPolicyStore
