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

QJsonObject savingsPolicy(const Scenario &scenario, const QStringList &endpoints, const QString &appliedAtIso)
{
    QJsonObject perEndpoint;
    for (const QString &endpoint : endpoints) {
        const Scenario effective = scenario.forEndpoint(endpoint);
        QJsonObject strategies = effective.toJson().value("strategies"_L1).toObject();
        const bool batched = effective.batch.enabled && effective.batch.endpoints.contains(endpoint);
        strategies.insert(
            u"batch"_s,
            QJsonObject {{u"enabled"_s, batched}, {u"endpoints"_s, batched ? QJsonArray {endpoint} : QJsonArray {}}});
        perEndpoint.insert(endpoint, strategies);
    }
    const QJsonObject off = Scenario {}.toJson().value("strategies"_L1).toObject();
    return QJsonObject {{u"version"_s, 1},
                        {u"scenario"_s, scenario.name},
                        {u"applied_at"_s, appliedAtIso},
                        {u"endpoints"_s, perEndpoint},
                        {u"default"_s, off}};
}

ApplyToProxyDialog::ApplyToProxyDialog(const Scenario &scenario, const QStringList &endpoints,
                                       const QStringList &checked, QWidget *parent)
    : QDialog(parent)
    , m_scenario(scenario)
{
    setObjectName(u"applyToProxyDialog"_s);
    setWindowTitle(tr("Apply to proxy"));
    auto *intro = new QLabel(tr("The local proxy will use this scenario's strategies for the checked endpoints. "
                                "Other endpoints are left with every strategy off."),
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
            enabled = m_scenario.routing.enabled && !m_scenario.routing.rules.isEmpty();
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
