#include "ApplyToProxyDialog.h"

#include "StrategyOutcomeModel.h"

#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

QJsonObject mergeSavingsPolicy(const QJsonObject &stored, const Scenario &scenario, const QStringList &endpoints,
                               const QString &appliedAtIso)
{
    const QJsonObject off = Scenario {}.toJson().value("strategies"_L1).toObject();
    QJsonObject out = stored;
    out.insert(u"version"_s, 1);
    out.insert(u"scenario"_s, scenario.name);
    out.insert(u"applied_at"_s, appliedAtIso);
    out.insert(u"applied_endpoints"_s, QJsonArray::fromStringList(endpoints));
    const QJsonObject def = stored.contains("default"_L1) ? stored.value("default"_L1).toObject() : off;
    out.insert(u"default"_s, def);
    QJsonObject newEntry = def;
    newEntry.remove(u"exact_cache"_s);

    QJsonObject perEndpoint = stored.value("endpoints"_L1).toObject();
    for (const QString &endpoint : endpoints) {
        const Scenario effective = scenario.forEndpoint(endpoint);
        const QJsonObject strategies = effective.toJson().value("strategies"_L1).toObject();
        QJsonObject entry = perEndpoint.contains(endpoint) ? perEndpoint.value(endpoint).toObject() : newEntry;
        if (effective.exactCache.enabled)
            entry.insert(u"exact_cache"_s, strategies.value("exact_cache"_L1));
        if (effective.semanticCache.enabled)
            entry.insert(u"semantic_cache"_s, strategies.value("semantic_cache"_L1));
        if (effective.compression.enabled)
            entry.insert(u"compression"_s, strategies.value("compression"_L1));
        const RoutingStrategy &rs = effective.routing;
        if (rs.enabled && rs.mode != routing::RouteMode::Off && (!rs.rules.isEmpty() || rs.router)) {
            QJsonObject routingJson = strategies.value("routing"_L1).toObject();
            const QJsonObject before = entry.value("routing"_L1).toObject();
            if (!routingJson.contains("router"_L1) && before.contains("router"_L1))
                routingJson.insert(u"router"_s, before.value("router"_L1));
            entry.insert(u"routing"_s, routingJson);
        }
        if (effective.batch.enabled && effective.batch.endpoints.contains(endpoint))
            entry.insert(u"batch"_s, QJsonObject {{u"enabled"_s, true}, {u"endpoints"_s, QJsonArray {endpoint}}});
        perEndpoint.insert(endpoint, entry);
    }
    out.insert(u"endpoints"_s, perEndpoint);
    return out;
}

QStringList appliedEndpoints(const QJsonObject &stored)
{
    if (stored.contains("applied_endpoints"_L1)) {
        QStringList out;
        for (const QJsonValue &v : stored.value("applied_endpoints"_L1).toArray())
            out << v.toString();
        return out;
    }
    return stored.contains("applied_at"_L1) ? stored.value("endpoints"_L1).toObject().keys() : QStringList();
}

ApplyToProxyDialog::ApplyToProxyDialog(const Scenario &scenario, const QStringList &endpoints,
                                       const QStringList &checked, QWidget *parent)
    : QDialog(parent)
    , m_scenario(scenario)
{
    setObjectName(u"applyToProxyDialog"_s);
    setWindowTitle(tr("Apply to proxy"));
    auto *intro = new QLabel(tr("The local proxy turns this scenario's strategies on for the checked endpoints. "
                                "Strategies the scenario leaves off, and the endpoints left unchecked, keep their "
                                "current settings (the Routing and Proxy pages show them)."),
                             this);
    intro->setWordWrap(true);
    m_list = new QListWidget(this);
    m_list->setObjectName(u"applyEndpoints"_s);
    QStringList all = endpoints;
    for (const QString &e : checked)
        if (!all.contains(e))
            all << e;
    for (const QString &e : std::as_const(all)) {
        auto *item = new QListWidgetItem(e, m_list);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(e) ? Qt::Checked : Qt::Unchecked);
    }
    auto *listLabel = new QLabel(tr("&Endpoints:"), this);
    listLabel->setBuddy(m_list);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"applySummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Apply"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(u"applyButton"_s);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemChanged, this, &ApplyToProxyDialog::updateSummary);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(listLabel);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);
    resize(460, 420);
    updateSummary();
}

QStringList ApplyToProxyDialog::checkedEndpoints() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            out << m_list->item(i)->text();
    return out;
}

void ApplyToProxyDialog::setChecked(const QStringList &endpoints)
{
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setCheckState(endpoints.contains(m_list->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
}

void ApplyToProxyDialog::updateSummary()
{
    QStringList on;
    for (Strategy s : kStrategyOrder) {
        bool enabled = false;
        switch (s) {
        case Strategy::ExactCache:
            enabled = m_scenario.exactCache.enabled;
            break;
        case Strategy::SemanticCache:
            enabled = m_scenario.semanticCache.enabled;
            break;
        case Strategy::Compression:
            enabled = m_scenario.compression.enabled;
            break;
        case Strategy::Routing:
            // As mergeSavingsPolicy applies it: rules (tried first by the proxy) or a complexity router.
            enabled = m_scenario.routing.enabled && m_scenario.routing.mode != routing::RouteMode::Off
                && (!m_scenario.routing.rules.isEmpty() || m_scenario.routing.router.has_value());
            break;
        case Strategy::Batch:
            enabled = m_scenario.batch.enabled && !m_scenario.batch.endpoints.isEmpty();
            break;
        }
        if (enabled)
            on << StrategyOutcomeModel::displayName(s);
    }
    const int n = int(checkedEndpoints().size());
    m_summary->setText(on.isEmpty()
                           ? tr("The scenario turns no strategy on (before endpoint overrides).")
                           : tr("Strategies on (before endpoint overrides): %1. %n endpoint(s) checked.", "", n)
                                 .arg(on.join(u", "_s)));
}

} // namespace tl
