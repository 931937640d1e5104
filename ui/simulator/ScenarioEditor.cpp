#include "ScenarioEditor.h"

#include "StrategiesForm.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
QScrollArea *scrolled(QWidget *content, QWidget *parent)
{
    auto *scroll = new QScrollArea(parent);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    return scroll;
}
} // namespace

ScenarioEditor::ScenarioEditor(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"scenarioEditor"_s);
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"scenarioName"_s);
    m_name->setPlaceholderText(tr("Untitled scenario"));
    m_name->setClearButtonEnabled(true);
    auto *nameLabel = new QLabel(tr("Sce&nario:"), this);
    nameLabel->setBuddy(m_name);
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        if (!m_updating)
            Q_EMIT changed();
    });

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"scenarioTabs"_s);
    m_defaults = new StrategiesForm(StrategiesForm::Mode::Defaults);
    connect(m_defaults, &StrategiesForm::changed, this, [this] {
        if (!m_current.isEmpty())
            showCurrentOverride(); // inherited values follow the defaults
        Q_EMIT changed();
    });
    m_tabs->addTab(scrolled(m_defaults, m_tabs), tr("Strategies"));

    // Per-endpoint overrides.
    auto *overrides = new QWidget;
    m_endpointBox = new QComboBox(overrides);
    m_endpointBox->setObjectName(u"overrideEndpoint"_s);
    m_endpointBox->setEditable(true); // an endpoint that has no calls yet can be typed
    m_endpointBox->setInsertPolicy(QComboBox::NoInsert);
    m_endpointBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_endpointBox->setMinimumContentsLength(14);
    auto *endpointLabel = new QLabel(tr("&Endpoint:"), overrides);
    endpointLabel->setBuddy(m_endpointBox);
    m_addOverride = new QPushButton(tr("Add o&verride"), overrides);
    m_addOverride->setObjectName(u"addOverride"_s);
    m_addOverride->setToolTip(tr("Give this endpoint its own settings for some strategies"));
    connect(m_addOverride, &QPushButton::clicked, this,
            [this] { addOverride(m_endpointBox->currentText().trimmed()); });
    auto *pick = new QHBoxLayout;
    pick->addWidget(endpointLabel);
    pick->addWidget(m_endpointBox, 1);
    pick->addWidget(m_addOverride);

    m_overrideList = new QListWidget(overrides);
    m_overrideList->setObjectName(u"overrideList"_s);
    m_overrideList->setMaximumHeight(90);
    m_overrideList->setToolTip(tr("Endpoints with their own settings"));
    connect(m_overrideList, &QListWidget::currentTextChanged, this, [this](const QString &text) {
        if (m_updating)
            return;
        m_current = text;
        showCurrentOverride();
    });
    m_removeOverride = new QPushButton(tr("Re&move override"), overrides);
    m_removeOverride->setObjectName(u"removeOverride"_s);
    connect(m_removeOverride, &QPushButton::clicked, this, [this] { removeOverride(m_current); });
    auto *listRow = new QHBoxLayout;
    listRow->addWidget(m_overrideList, 1);
    listRow->addWidget(m_removeOverride, 0, Qt::AlignTop);

    m_override = new StrategiesForm(StrategiesForm::Mode::Override);
    connect(m_override, &StrategiesForm::changed, this, [this] {
        if (m_current.isEmpty())
            return;
        m_overrides.insert(m_current, m_override->overrideJson());
        Q_EMIT changed();
    });
    m_overridePane = scrolled(m_override, overrides);
    auto *ov = new QVBoxLayout(overrides);
    ov->addLayout(pick);
    ov->addLayout(listRow);
    ov->addWidget(m_overridePane, 1);
    m_tabs->addTab(overrides, tr("Endpoint overrides"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *nameRow = new QHBoxLayout;
    nameRow->addWidget(nameLabel);
    nameRow->addWidget(m_name, 1);
    layout->addLayout(nameRow);
    layout->addWidget(m_tabs, 1);
    refreshOverrideList();
}

void ScenarioEditor::setChoices(const QStringList &endpoints, const QStringList &models,
                                const QStringList &targetModels)
{
    m_defaults->setChoices(endpoints, models, targetModels);
    m_override->setChoices(endpoints, models, targetModels);
    const QString typed = m_endpointBox->currentText();
    m_endpointBox->clear();
    m_endpointBox->addItems(endpoints);
    m_endpointBox->setCurrentText(typed.isEmpty() ? endpoints.value(0) : typed);
}

Scenario ScenarioEditor::scenario() const
{
    // Fields this editor has no widget for (added to Scenario later) keep the values last set.
    Scenario sc = m_base;
    sc.name = m_name->text().trimmed();
    m_defaults->writeStrategies(sc);
    sc.endpointOverrides.clear();
    for (auto it = m_overrides.begin(); it != m_overrides.end(); ++it)
        sc.endpointOverrides.insert(it.key(), it.value());
    return sc;
}

void ScenarioEditor::setScenario(const Scenario &scenario)
{
    const bool was = std::exchange(m_updating, true);
    m_base = scenario;
    m_name->setText(scenario.name);
    m_defaults->setStrategies(scenario);
    m_overrides.clear();
    for (auto it = scenario.endpointOverrides.begin(); it != scenario.endpointOverrides.end(); ++it)
        m_overrides.insert(it.key(), it.value());
    if (!m_overrides.contains(m_current))
        m_current = m_overrides.isEmpty() ? QString() : m_overrides.firstKey();
    m_updating = was;
    refreshOverrideList();
}

void ScenarioEditor::addOverride(const QString &endpoint)
{
    if (endpoint.isEmpty())
        return;
    if (!m_overrides.contains(endpoint))
        m_overrides.insert(endpoint, QJsonObject {});
    m_current = endpoint;
    refreshOverrideList();
    Q_EMIT changed();
}

void ScenarioEditor::removeOverride(const QString &endpoint)
{
    if (!m_overrides.remove(endpoint))
        return;
    if (m_current == endpoint)
        m_current = m_overrides.isEmpty() ? QString() : m_overrides.firstKey();
    refreshOverrideList();
    Q_EMIT changed();
}

void ScenarioEditor::selectOverride(const QString &endpoint)
{
    if (!m_overrides.contains(endpoint))
        return;
    m_current = endpoint;
    refreshOverrideList();
}

void ScenarioEditor::refreshOverrideList()
{
    const bool was = std::exchange(m_updating, true);
    m_overrideList->clear();
    for (auto it = m_overrides.begin(); it != m_overrides.end(); ++it) {
        auto *item = new QListWidgetItem(it.key(), m_overrideList);
        if (it.key() == m_current)
            m_overrideList->setCurrentItem(item);
    }
    m_updating = was;
    m_removeOverride->setEnabled(!m_current.isEmpty());
    showCurrentOverride();
}

void ScenarioEditor::showCurrentOverride()
{
    m_overridePane->setVisible(!m_current.isEmpty());
    if (m_current.isEmpty())
        return;
    Scenario defaults = m_base;
    m_defaults->writeStrategies(defaults);
    defaults.endpointOverrides.clear();
    m_override->setOverride(m_current, m_overrides.value(m_current), defaults);
}

} // namespace tl
