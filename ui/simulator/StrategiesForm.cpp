#include "StrategiesForm.h"

#include "RoutingRulesModel.h"
#include "StrategyOutcomeModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

// Editors of the rules table: "any"-able spin boxes for the limits, line edits that complete names.
class RuleDelegate final : public QStyledItemDelegate
{
public:
    explicit RuleDelegate(const QStringList *endpoints, const QStringList *models, const QStringList *targets,
                          QObject *parent)
        : QStyledItemDelegate(parent)
        , m_endpoints(endpoints)
        , m_models(models)
        , m_targets(targets)
    {
    }

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        switch (index.column()) {
        case RoutingRulesModel::MaxPromptTokens:
        case RoutingRulesModel::MaxCompletionTokens:
        case RoutingRulesModel::MaxPromptChars: {
            auto *spin = new QSpinBox(parent);
            spin->setRange(-1, 100'000'000);
            spin->setSingleStep(100);
            spin->setSpecialValueText(RoutingRulesModel::tr("any"));
            spin->setGroupSeparatorShown(true);
            return spin;
        }
        case RoutingRulesModel::Model:
        case RoutingRulesModel::Endpoints:
        case RoutingRulesModel::RouteTo: {
            auto *edit = new QLineEdit(parent);
            const QStringList *names = index.column() == RoutingRulesModel::Model ? m_models
                : index.column() == RoutingRulesModel::Endpoints                  ? m_endpoints
                                                                                  : m_targets;
            auto *completer = new QCompleter(*names, edit);
            completer->setCaseSensitivity(Qt::CaseInsensitive);
            completer->setFilterMode(Qt::MatchContains);
            edit->setCompleter(completer);
            return edit;
        }
        default:
            return QStyledItemDelegate::createEditor(parent, option, index);
        }
    }

private:
    const QStringList *m_endpoints;
    const QStringList *m_models;
    const QStringList *m_targets;
};

QSpinBox *ttlSpin(QWidget *parent, const QString &objectName)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(1, 30 * 24 * 3600);
    spin->setSingleStep(60);
    spin->setGroupSeparatorShown(true);
    spin->setSuffix(StrategiesForm::tr(" s"));
    spin->setToolTip(StrategiesForm::tr("How long a stored answer may be served, in seconds"));
    return spin;
}

QString strategyKey(Strategy s)
{
    return toString(s); // the JSON key of the strategy object, e.g. "exact_cache"
}

} // namespace

StrategiesForm::StrategiesForm(Mode mode, QWidget *parent)
    : QWidget(parent)
    , m_mode(mode)
{
    m_prefix = mode == Mode::Defaults ? u"default"_s : u"override"_s;
    const QString &prefix = m_prefix;
    setObjectName(prefix + u"StrategiesForm"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // Exact cache.
    {
        auto *params = new QWidget(this);
        auto *form = new QFormLayout(params);
        form->setContentsMargins(0, 0, 0, 0);
        m_exactTtl = ttlSpin(params, prefix + u"ExactTtl"_s);
        auto *label = new QLabel(tr("&TTL:"), params);
        label->setBuddy(m_exactTtl);
        form->addRow(label, m_exactTtl);
        connect(m_exactTtl, &QSpinBox::valueChanged, this, &StrategiesForm::edited);
        addSection(Strategy::ExactCache, params);
    }
    // Semantic cache.
    {
        auto *params = new QWidget(this);
        auto *form = new QFormLayout(params);
        form->setContentsMargins(0, 0, 0, 0);
        m_threshold = new QDoubleSpinBox(params);
        m_threshold->setObjectName(prefix + u"SemanticThreshold"_s);
        m_threshold->setRange(0.50, 1.00);
        m_threshold->setDecimals(2);
        m_threshold->setSingleStep(0.01);
        m_threshold->setToolTip(tr("Cosine similarity at or above which a request counts as the same question "
                                   "(0.95 in the seed design)"));
        auto *thresholdLabel = new QLabel(tr("Similarity t&hreshold:"), params);
        thresholdLabel->setBuddy(m_threshold);
        form->addRow(thresholdLabel, m_threshold);
        m_semanticTtl = ttlSpin(params, prefix + u"SemanticTtl"_s);
        auto *ttlLabel = new QLabel(tr("T&TL:"), params);
        ttlLabel->setBuddy(m_semanticTtl);
        form->addRow(ttlLabel, m_semanticTtl);
        m_embedding = new QComboBox(params);
        m_embedding->setObjectName(prefix + u"EmbeddingModel"_s);
        m_embedding->setEditable(true);
        m_embedding->addItems({u"local"_s, u"text-embedding-3-small"_s, u"text-embedding-3-large"_s});
        m_embedding->setToolTip(tr("\"local\": the built-in embedder (no network, no cost); otherwise an "
                                   "OpenAI-compatible embedding model whose calls are priced and counted against "
                                   "the saving"));
        auto *embeddingLabel = new QLabel(tr("&Embeddings:"), params);
        embeddingLabel->setBuddy(m_embedding);
        form->addRow(embeddingLabel, m_embedding);
        connect(m_embedding, &QComboBox::currentTextChanged, this, &StrategiesForm::edited);
        connect(m_threshold, &QDoubleSpinBox::valueChanged, this, &StrategiesForm::edited);
        connect(m_semanticTtl, &QSpinBox::valueChanged, this, &StrategiesForm::edited);
        addSection(Strategy::SemanticCache, params);
    }
    // Compression.
    {
        auto *params = new QWidget(this);
        auto *form = new QFormLayout(params);
        form->setContentsMargins(0, 0, 0, 0);
        m_budget = new QSpinBox(params);
        m_budget->setObjectName(prefix + u"CompressionBudget"_s);
        m_budget->setRange(256, 2'000'000);
        m_budget->setSingleStep(256);
        m_budget->setGroupSeparatorShown(true);
        m_budget->setSuffix(tr(" tokens"));
        m_budget->setToolTip(tr("Histories longer than this are trimmed: the system message and the most recent "
                                "messages that fit in 70% of the budget are kept, the middle is summarised"));
        auto *label = new QLabel(tr("&Budget:"), params);
        label->setBuddy(m_budget);
        form->addRow(label, m_budget);
        m_summaryModel = new QLineEdit(params);
        m_summaryModel->setObjectName(prefix + u"SummaryModel"_s);
        m_summaryModel->setToolTip(tr("The cheap model that writes the [Conversation summary] (its calls are "
                                      "priced and counted against the saving)"));
        auto *summaryLabel = new QLabel(tr("Summar&y model:"), params);
        summaryLabel->setBuddy(m_summaryModel);
        form->addRow(summaryLabel, m_summaryModel);
        m_redundancy = new QCheckBox(tr("Remove redundant blank lines and trailing spaces"), params);
        m_redundancy->setObjectName(prefix + u"RemoveRedundancy"_s);
        form->addRow(m_redundancy);
        connect(m_budget, &QSpinBox::valueChanged, this, &StrategiesForm::edited);
        connect(m_summaryModel, &QLineEdit::textEdited, this, &StrategiesForm::edited);
        connect(m_redundancy, &QCheckBox::toggled, this, &StrategiesForm::edited);
        addSection(Strategy::Compression, params);
    }
    addSection(Strategy::Routing, buildRouting());
    // Batch.
    {
        auto *params = new QWidget(this);
        auto *v = new QVBoxLayout(params);
        v->setContentsMargins(0, 0, 0, 0);
        if (mode == Mode::Defaults) {
            auto *label = new QLabel(tr("&Endpoints that tolerate a 24-hour turnaround:"), params);
            label->setWordWrap(true);
            m_batchList = new QListWidget(params);
            m_batchList->setObjectName(u"defaultBatchEndpoints"_s);
            m_batchList->setMaximumHeight(110);
            m_batchList->setToolTip(tr("Calls of the checked endpoints are priced at the Batch API rate"));
            label->setBuddy(m_batchList);
            v->addWidget(label);
            v->addWidget(m_batchList);
            connect(m_batchList, &QListWidget::itemChanged, this, &StrategiesForm::edited);
        } else {
            auto *note = new QLabel(tr("When on, this endpoint's calls are priced at the Batch API rate."), params);
            note->setWordWrap(true);
            note->setForegroundRole(QPalette::PlaceholderText);
            v->addWidget(note);
        }
        addSection(Strategy::Batch, params);
    }
    layout->addStretch(1);
    updateEnabling();
}

StrategiesForm::Section StrategiesForm::addSection(Strategy s, QWidget *params)
{
    Section sec;
    const QString id = strategyKey(s);
    sec.box = new QGroupBox(StrategyOutcomeModel::displayName(s), this);
    sec.box->setObjectName(m_prefix + u"_"_s + id + u"Section"_s);
    sec.box->setToolTip(StrategyOutcomeModel::description(s));
    auto *v = new QVBoxLayout(sec.box);
    auto *header = new QHBoxLayout;
    if (m_mode == Mode::Override) {
        sec.override = new QCheckBox(tr("Override"), sec.box);
        sec.override->setObjectName(m_prefix + u"_"_s + id + u"Override"_s);
        sec.override->setToolTip(tr("Use different settings for this endpoint; unchecked, it inherits the "
                                    "scenario's settings shown here"));
        header->addWidget(sec.override);
        connect(sec.override, &QCheckBox::toggled, this, [this](bool on) {
            if (!on && !m_updating)
                setOverride(m_endpoint, overrideJson(), m_defaults); // show the inherited settings again
            edited();
        });
    }
    QString onText;
    switch (s) {
    case Strategy::ExactCache:
        onText = tr("Simulate the e&xact cache");
        break;
    case Strategy::SemanticCache:
        onText = tr("Simulate the se&mantic cache");
        break;
    case Strategy::Compression:
        onText = tr("Simulate prompt com&pression");
        break;
    case Strategy::Routing:
        onText = tr("Simulate model &routing");
        break;
    case Strategy::Batch:
        onText
            = m_mode == Mode::Defaults ? tr("Simulate the Batch &API") : tr("Batch this endpoint (24-hour turnaround)");
        break;
    }
    sec.enabled = new QCheckBox(onText, sec.box);
    sec.enabled->setObjectName(m_prefix + u"_"_s + id + u"Enabled"_s);
    sec.enabled->setToolTip(StrategyOutcomeModel::description(s));
    header->addWidget(sec.enabled);
    header->addStretch(1);
    v->addLayout(header);
    sec.params = params;
    params->setParent(sec.box);
    v->addWidget(params);
    connect(sec.enabled, &QCheckBox::toggled, this, &StrategiesForm::edited);
    static_cast<QVBoxLayout *>(layout())->addWidget(sec.box);
    m_sections.insert(s, sec);
    return sec;
}

QWidget *StrategiesForm::buildRouting()
{
    auto *params = new QWidget(this);
    auto *v = new QVBoxLayout(params);
    v->setContentsMargins(0, 0, 0, 0);
    auto *modeRow = new QHBoxLayout;
    m_routeMode = new QComboBox(params);
    m_routeMode->setObjectName(m_prefix + u"RoutingMode"_s);
    m_routeMode->addItem(tr("On"), int(routing::RouteMode::On));
    m_routeMode->addItem(tr("Shadow (record only)"), int(routing::RouteMode::Shadow));
    m_routeMode->addItem(tr("Off"), int(routing::RouteMode::Off));
    m_routeMode->setToolTip(tr("What \"Apply to proxy\" turns on: route, only record what would be routed, or "
                               "nothing. The simulation replays routing as if on."));
    auto *modeLabel = new QLabel(tr("Pro&xy mode:"), params);
    modeLabel->setBuddy(m_routeMode);
    m_router = new QCheckBox(tr("Complexity router"), params);
    m_router->setObjectName(m_prefix + u"ComplexityRouter"_s);
    m_router->setToolTip(tr("After the rules below, route by the complexity the proxy recorded per call "
                            "(low, medium, high) to the model tiers; imported calls have no complexity"));
    modeRow->addWidget(modeLabel);
    modeRow->addWidget(m_routeMode);
    modeRow->addSpacing(12);
    modeRow->addWidget(m_router);
    modeRow->addStretch(1);
    v->addLayout(modeRow);
    connect(m_routeMode, &QComboBox::currentIndexChanged, this, &StrategiesForm::edited);
    connect(m_router, &QCheckBox::toggled, this, &StrategiesForm::edited);
    m_rules = new RoutingRulesModel(this);
    m_rulesView = new QTableView(params);
    m_rulesView->setObjectName(m_prefix + u"RoutingRules"_s);
    m_rulesView->setModel(m_rules);
    m_rulesView->setItemDelegate(new RuleDelegate(&m_endpoints, &m_models, &m_targets, m_rulesView));
    m_rulesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_rulesView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_rulesView->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                                 | QAbstractItemView::AnyKeyPressed);
    m_rulesView->setTabKeyNavigation(false); // Tab leaves the table, arrows move inside it
    m_rulesView->setWordWrap(false);
    m_rulesView->horizontalHeader()->setStretchLastSection(true);
    m_rulesView->verticalHeader()->setDefaultSectionSize(m_rulesView->fontMetrics().height() + 10);
    m_rulesView->setMinimumHeight(120);
    m_rulesView->setMaximumHeight(150);
    m_rulesView->setToolTip(tr("Calls matching every condition of a rule are re-priced on its target model; "
                               "the first matching rule wins. Double-click a cell to edit it."));
    connect(m_rules, &RoutingRulesModel::rulesEdited, this, &StrategiesForm::edited);
    connect(m_rulesView->selectionModel(), &QItemSelectionModel::currentChanged, this, &StrategiesForm::updateEnabling);
    v->addWidget(m_rulesView);

    auto *buttons = new QHBoxLayout;
    m_addRule = new QPushButton(tr("A&dd rule"), params);
    m_addRule->setObjectName(m_prefix + u"AddRule"_s);
    m_removeRule = new QPushButton(tr("Remo&ve"), params);
    m_removeRule->setObjectName(m_prefix + u"RemoveRule"_s);
    m_ruleUp = new QPushButton(tr("Move &up"), params);
    m_ruleUp->setObjectName(m_prefix + u"RuleUp"_s);
    m_ruleDown = new QPushButton(tr("Move do&wn"), params);
    m_ruleDown->setObjectName(m_prefix + u"RuleDown"_s);
    for (QPushButton *b : {m_addRule, m_removeRule, m_ruleUp, m_ruleDown})
        buttons->addWidget(b);
    buttons->addStretch(1);
    v->addLayout(buttons);

    auto currentRow = [this] {
        const QModelIndex i = m_rulesView->currentIndex();
        return i.isValid() ? i.row() : -1;
    };
    connect(m_addRule, &QPushButton::clicked, this, [this] {
        RoutingRule rule;
        if (!m_rules->rules().isEmpty())
            rule = m_rules->rules().last(); // a copy to adjust is quicker than a blank row
        else {
            rule.model = m_models.value(0);
            rule.maxPromptTokens = 500;
            rule.maxCompletionTokens = 200;
        }
        const int row = m_rules->addRule(rule);
        const QModelIndex target = m_rules->index(row, RoutingRulesModel::RouteTo);
        m_rulesView->setCurrentIndex(target);
        if (rule.routeTo.isEmpty())
            m_rulesView->edit(target);
    });
    connect(m_removeRule, &QPushButton::clicked, this, [this, currentRow] { m_rules->removeRule(currentRow()); });
    auto move = [this, currentRow](int delta) {
        const int row = currentRow();
        const int column = std::max(0, m_rulesView->currentIndex().column());
        if (m_rules->moveRule(row, delta))
            m_rulesView->setCurrentIndex(m_rules->index(row + delta, column));
    };
    connect(m_ruleUp, &QPushButton::clicked, this, [move] { move(-1); });
    connect(m_ruleDown, &QPushButton::clicked, this, [move] { move(+1); });
    return params;
}

void StrategiesForm::setChoices(const QStringList &endpoints, const QStringList &models,
                                const QStringList &targetModels)
{
    m_endpoints = endpoints;
    m_models = models;
    m_targets = targetModels;
    if (m_batchList) {
        const QStringList checked = checkedBatchEndpoints();
        const bool was = std::exchange(m_updating, true);
        setBatchEndpoints(checked);
        m_updating = was;
    }
}

void StrategiesForm::setBatchEndpoints(const QStringList &checked)
{
    if (!m_batchList)
        return;
    m_batchList->clear();
    QStringList all = m_endpoints;
    for (const QString &e : checked)
        if (!all.contains(e))
            all << e; // named by the scenario but not in this ledger: keep it
    for (const QString &e : std::as_const(all)) {
        auto *item = new QListWidgetItem(e.isEmpty() ? tr("(no endpoint)") : e, m_batchList);
        item->setData(Qt::UserRole, e);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(e) ? Qt::Checked : Qt::Unchecked);
    }
}

QStringList StrategiesForm::checkedBatchEndpoints() const
{
    QStringList out;
    if (!m_batchList)
        return out;
    for (int i = 0; i < m_batchList->count(); ++i)
        if (m_batchList->item(i)->checkState() == Qt::Checked)
            out << m_batchList->item(i)->data(Qt::UserRole).toString();
    return out;
}

void StrategiesForm::showStrategies(const Scenario &sc)
{
    m_sections[Strategy::ExactCache].enabled->setChecked(sc.exactCache.enabled);
    m_exactTtl->setValue(int(std::clamp<qint64>(sc.exactCache.ttlSeconds, 1, m_exactTtl->maximum())));
    m_sections[Strategy::SemanticCache].enabled->setChecked(sc.semanticCache.enabled);
    m_threshold->setValue(sc.semanticCache.threshold);
    m_semanticTtl->setValue(int(std::clamp<qint64>(sc.semanticCache.ttlSeconds, 1, m_semanticTtl->maximum())));
    m_sections[Strategy::Compression].enabled->setChecked(sc.compression.enabled);
    m_budget->setValue(int(std::clamp<qint64>(sc.compression.budgetTokens, m_budget->minimum(), m_budget->maximum())));
    m_embedding->setCurrentText(sc.semanticCache.embeddingModel);
    m_summaryModel->setText(sc.compression.summaryModel);
    m_redundancy->setChecked(sc.compression.removeRedundancy);
    m_sections[Strategy::Routing].enabled->setChecked(sc.routing.enabled);
    m_routeMode->setCurrentIndex(std::max(0, m_routeMode->findData(int(sc.routing.mode))));
    m_routerConfig = sc.routing.router;
    m_router->setChecked(sc.routing.router.has_value());
    m_rules->setRules(sc.routing.rules);
    if (m_mode == Mode::Defaults) {
        m_sections[Strategy::Batch].enabled->setChecked(sc.batch.enabled);
        setBatchEndpoints(sc.batch.endpoints);
    } else {
        m_sections[Strategy::Batch].enabled->setChecked(sc.batch.enabled && sc.batch.endpoints.contains(m_endpoint));
    }
    m_rulesView->resizeColumnsToContents();
}

void StrategiesForm::setStrategies(const Scenario &scenario)
{
    const bool was = std::exchange(m_updating, true);
    showStrategies(scenario);
    updateEnabling();
    m_updating = was;
}

void StrategiesForm::writeStrategies(Scenario &sc) const
{
    sc.exactCache.enabled = m_sections[Strategy::ExactCache].enabled->isChecked();
    sc.exactCache.ttlSeconds = m_exactTtl->value();
    sc.semanticCache.enabled = m_sections[Strategy::SemanticCache].enabled->isChecked();
    sc.semanticCache.threshold = m_threshold->value();
    sc.semanticCache.ttlSeconds = m_semanticTtl->value();
    sc.compression.enabled = m_sections[Strategy::Compression].enabled->isChecked();
    sc.compression.budgetTokens = m_budget->value();
    sc.semanticCache.embeddingModel
        = m_embedding->currentText().trimmed().isEmpty() ? u"local"_s : m_embedding->currentText().trimmed();
    sc.compression.summaryModel = m_summaryModel->text().trimmed();
    sc.compression.removeRedundancy = m_redundancy->isChecked();
    sc.routing.enabled = m_sections[Strategy::Routing].enabled->isChecked();
    sc.routing.mode = routing::RouteMode(m_routeMode->currentData().toInt());
    sc.routing.router = m_router->isChecked() ? m_routerConfig.value_or(routing::RouterConfig::defaults())
                                              : std::optional<routing::RouterConfig> {};
    sc.routing.rules = m_rules->rules();
    sc.batch.enabled = m_sections[Strategy::Batch].enabled->isChecked();
    if (m_mode == Mode::Defaults)
        sc.batch.endpoints = checkedBatchEndpoints();
    else
        sc.batch.endpoints = sc.batch.enabled ? QStringList {m_endpoint} : QStringList {};
}

void StrategiesForm::setOverride(const QString &endpoint, const QJsonObject &strategies, const Scenario &defaults)
{
    const bool was = std::exchange(m_updating, true);
    m_endpoint = endpoint;
    m_defaults = defaults;
    // What the endpoint gets: the defaults with its own strategy objects applied.
    Scenario probe = defaults;
    probe.endpointOverrides = {{endpoint, strategies}};
    showStrategies(probe.forEndpoint(endpoint));
    for (auto it = m_sections.begin(); it != m_sections.end(); ++it)
        it->override->setChecked(strategies.contains(strategyKey(it.key())));
    updateEnabling();
    m_updating = was;
}

QJsonObject StrategiesForm::overrideJson() const
{
    Scenario sc = m_defaults;
    writeStrategies(sc);
    const QJsonObject all = sc.toJson().value("strategies"_L1).toObject();
    QJsonObject out;
    for (auto it = m_sections.begin(); it != m_sections.end(); ++it) {
        if (it->override && it->override->isChecked())
            out.insert(strategyKey(it.key()), all.value(strategyKey(it.key())));
    }
    return out;
}

void StrategiesForm::updateEnabling()
{
    for (auto it = m_sections.begin(); it != m_sections.end(); ++it) {
        const bool editable = !it->override || it->override->isChecked();
        it->enabled->setEnabled(editable);
        it->params->setEnabled(editable && it->enabled->isChecked());
    }
    const bool hasRow = m_rulesView->currentIndex().isValid();
    m_removeRule->setEnabled(hasRow);
    m_ruleUp->setEnabled(hasRow && m_rulesView->currentIndex().row() > 0);
    m_ruleDown->setEnabled(hasRow && m_rulesView->currentIndex().row() < m_rules->rowCount() - 1);
}

void StrategiesForm::edited()
{
    updateEnabling();
    if (!m_updating)
        Q_EMIT changed();
}

} // namespace tl
