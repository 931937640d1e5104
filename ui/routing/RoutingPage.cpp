#include "RoutingPage.h"

#include "ComplexityRulesModel.h"
#include "common/FutureGuard.h"
#include "EndpointRoutingModel.h"
#include "RoutingDelegates.h"
#include "RoutingPolicyStore.h"
#include "RoutingTestPanel.h"
#include "RoutingTiersModel.h"
#include "common/Prompter.h"
#include "ledger/Ledger.h"
#include "proxy/SavingsPolicy.h"
#include "settings/Settings.h"

#include <QAction>
#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QStyle>
#include <QTableView>
#include <QTableWidget>
#include <QUndoStack>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

using namespace routing;

namespace {

const QStringList kTaskTypes {u"classification"_s,  u"sentiment"_s,  u"entity_extraction"_s,
                              u"code_generation"_s, u"code"_s,       u"summarization"_s,
                              u"translation"_s,     u"extraction"_s, u"chat"_s};

QTableView *makeTable(const QString &name, QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
                          | QAbstractItemView::AnyKeyPressed);
    view->setWordWrap(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    return view;
}

QAction *addShortcut(QWidget *to, const QKeySequence &key, QObject *context, std::function<void()> fn)
{
    auto *action = new QAction(to);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetShortcut);
    QObject::connect(action, &QAction::triggered, context, std::move(fn));
    to->addAction(action);
    return action;
}

} // namespace

// One undoable edit: the whole config before and after (a RouterConfig is a few kilobytes).
class RoutingPage::Snapshot final : public QUndoCommand
{
public:
    Snapshot(RoutingPage *page, RouterConfig before, RouterConfig after)
        : m_page(page)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
        setText(QCoreApplication::translate("tl::RoutingPage", "routing edit"));
    }
    void undo() override { m_page->restore(m_before); }
    void redo() override
    {
        if (m_first) { // the edit is already on screen
            m_first = false;
            return;
        }
        m_page->restore(m_after);
    }

private:
    RoutingPage *m_page;
    RouterConfig m_before;
    RouterConfig m_after;
    bool m_first = true;
};

RoutingPage::RoutingPage(Ledger &ledger, Settings &settings, std::shared_ptr<const tokenizer::Tokenizers> tokenizers,
                         std::shared_ptr<Prompter> prompter, Clock clock, QWidget *parent)
    : QWidget(parent)
    , m_ledger(ledger)
    , m_settings(settings)
    , m_prompter(prompter ? std::move(prompter) : std::make_shared<Prompter>())
    , m_undo(new QUndoStack(this))
    , m_tabs(new QTabWidget(this))
    , m_rules(new ComplexityRulesModel(this))
    , m_endpoints(new EndpointRoutingModel(this))
    , m_tiers(new RoutingTiersModel(ledger.pricer()->bookPtr(), this))
    , m_test(new RoutingTestPanel(ledger, std::move(tokenizers), std::move(clock), this))
    , m_save(new QPushButton(tr("&Save"), this))
    , m_revert(new QPushButton(tr("Re&vert"), this))
    , m_defaults(new QPushButton(tr("Restore de&faults"), this))
    , m_simulator(new QPushButton(tr("Use in si&mulator"), this))
    , m_undoButton(new QPushButton(tr("Undo"), this))
    , m_redoButton(new QPushButton(tr("Redo"), this))
    , m_status(new QLabel(this))
{
    setObjectName(u"routingPage"_s);
    m_save->setObjectName(u"routingSave"_s);
    m_save->setToolTip(tr("Store these settings in the proxy's savings policy; a running proxy uses them at once"));
    m_revert->setObjectName(u"routingRevert"_s);
    m_revert->setToolTip(tr("Reload the saved settings (undoable)"));
    m_defaults->setObjectName(u"routingDefaults"_s);
    m_defaults->setToolTip(tr("The built-in tiers and rules with routing off everywhere (undoable; saved only by "
                              "Save)"));
    m_simulator->setObjectName(u"routingUseInSimulator"_s);
    m_simulator->setToolTip(tr("Open the Simulator with these tiers as its complexity router (the simulator replays "
                               "the complexity the proxy recorded per call)"));
    m_undoButton->setObjectName(u"routingUndo"_s);
    m_redoButton->setObjectName(u"routingRedo"_s);
    m_status->setObjectName(u"routingStatus"_s);
    m_status->setWordWrap(true);

    auto *title = new QLabel(tr("Model routing"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto *intro = new QLabel(tr("The proxy's router gives each request a complexity by the first rule that matches, "
                                "then moves it to that tier's model of its provider family when the guards allow "
                                "(context window, images, audio, tools, structured output, price). Test your edits "
                                "on recorded calls below before you save them."),
                             this);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);

    auto *actions = new QHBoxLayout;
    actions->addWidget(title);
    actions->addSpacing(16);
    for (QPushButton *b : {m_save, m_revert, m_defaults, m_simulator})
        actions->addWidget(b);
    actions->addSpacing(12);
    actions->addWidget(m_undoButton);
    actions->addWidget(m_redoButton);
    actions->addStretch(1);

    m_tabs->setObjectName(u"routingTabs"_s);
    m_tabs->addTab(buildRulesTab(), tr("&Rules and endpoints"));
    m_tabs->addTab(buildTiersTab(), tr("T&iers"));
    m_tabs->addTab(buildModelRulesTab(), tr("&Model rules"));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(u"routingSplitter"_s);
    split->setChildrenCollapsible(false);
    split->addWidget(m_tabs);
    split->addWidget(m_test);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 5);
    split->setSizes({450, 450});

    // The tabs and the test panel scroll down in a window too short for their tables and buttons at their
    // minimum (a 900x600 window, with the buttons in rows already): they keep their size instead of being
    // squashed. Only the splitter scrolls:
    // word-wrapped labels in the scrolled widget would make the scroll area size it by its preferred height.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(u"routingScroll"_s);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(split);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(actions);
    // Its own row: beside the buttons a narrow window wrapped it to a word a line (session-11 trial).
    layout->addWidget(m_status);
    layout->addWidget(intro);
    layout->addWidget(scroll, 1);

    QAction *undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(redo);
    m_undoButton->setToolTip(
        tr("Undo the last edit (%1)").arg(QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText)));
    m_redoButton->setToolTip(tr("Redo (%1)").arg(QKeySequence(QKeySequence::Redo).toString(QKeySequence::NativeText)));
    connect(m_undoButton, &QPushButton::clicked, m_undo, &QUndoStack::undo);
    connect(m_redoButton, &QPushButton::clicked, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::indexChanged, this, &RoutingPage::updateState);

    connect(m_save, &QPushButton::clicked, this, [this] { (void)save(); });
    connect(m_revert, &QPushButton::clicked, this, &RoutingPage::revert);
    connect(m_defaults, &QPushButton::clicked, this, &RoutingPage::restoreDefaults);
    connect(m_simulator, &QPushButton::clicked, this, &RoutingPage::useInSimulator);
    connect(m_test, &RoutingTestPanel::dataLoaded, this, &RoutingPage::dataLoaded);
    connect(m_test, &RoutingTestPanel::tested, this, [this](const QString &endpoint, const QList<RuleTally> &tallies) {
        m_talliesEndpoint = endpoint;
        m_tallies = tallies;
        showTallies();
    });
    connect(&m_settings, &Settings::changed, this, [this](const QString &key) {
        if (m_saving || key != QString::fromLatin1(SavingsPolicy::settingsKey))
            return;
        if (isDirty()) {
            m_externalChange = true;
            updateState();
        } else {
            load(false);
        }
    });

    load(false);
}

RoutingPage::~RoutingPage() = default;

void RoutingPage::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    setCompact(height() < fontMetrics().height() * kCompactLines);
}

void RoutingPage::setCompact(bool compact)
{
    if (compact == m_compact)
        return;
    m_compact = compact;
    for (QBoxLayout *row : {m_endpointRow, m_ruleRow})
        row->setDirection(compact ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
    for (QBoxLayout *buttons : {m_endpointButtons, m_ruleButtons})
        buttons->setDirection(compact ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
}

void RoutingPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_shown)
        return;
    m_shown = true;
    // The ledger's endpoint names for "Add endpoint", read once the page is first shown.
    continueOn(m_ledger.read<Result<QList<std::pair<QString, qint64>>>>([](QSqlDatabase &db) { return recordedEndpoints(db); }),
        this, [this](Result<QList<std::pair<QString, qint64>>> endpoints) {
            if (!endpoints)
                return;
            const QString typed = m_newEndpoint->currentText();
            for (const auto &e : *endpoints)
                m_newEndpoint->addItem(e.first);
            m_newEndpoint->setCurrentIndex(-1);
            m_newEndpoint->setEditText(typed);
        });
}

QWidget *RoutingPage::buildRulesTab()
{
    auto *tab = new QWidget(m_tabs);
    auto *split = new QSplitter(Qt::Vertical, tab);
    split->setChildrenCollapsible(false);

    // Endpoints.
    auto *endpointsBox = new QGroupBox(tr("Endpoints"), split);
    auto *endpointsLayout = new QVBoxLayout(endpointsBox);
    endpointsLayout->setContentsMargins(6, 4, 6, 6);
    m_endpointsView = makeTable(u"routingEndpoints"_s, m_endpoints, endpointsBox);
    auto *endpointDelegate = new RoutingDelegate(m_endpointsView);
    endpointDelegate->setChoices(EndpointRoutingModel::Mode,
                                 {{EndpointRoutingModel::modeName(RouteMode::Off), int(RouteMode::Off)},
                                  {EndpointRoutingModel::modeName(RouteMode::Shadow), int(RouteMode::Shadow)},
                                  {EndpointRoutingModel::modeName(RouteMode::On), int(RouteMode::On)}});
    endpointDelegate->setCompletions(EndpointRoutingModel::TaskType, [](const QModelIndex &) { return kTaskTypes; });
    m_endpointsView->setItemDelegate(endpointDelegate);
    m_endpointsView->setAccessibleName(tr("Endpoints"));
    m_newEndpoint = new QComboBox(endpointsBox);
    m_newEndpoint->setObjectName(u"routingNewEndpoint"_s);
    m_newEndpoint->setEditable(true);
    m_newEndpoint->setInsertPolicy(QComboBox::NoInsert);
    m_newEndpoint->lineEdit()->setPlaceholderText(tr("endpoint name"));
    m_newEndpoint->setMinimumContentsLength(14);
    m_addEndpoint = new QPushButton(tr("&Add endpoint"), endpointsBox);
    m_addEndpoint->setObjectName(u"routingAddEndpoint"_s);
    m_removeEndpoint = new QPushButton(tr("Remove endpoint"), endpointsBox);
    m_removeEndpoint->setObjectName(u"routingRemoveEndpoint"_s);
    m_removeEndpoint->setToolTip(tr("The endpoint then follows “(other endpoints)”"));
    // A column beside the table; a row under it in a short window (setCompact).
    m_endpointButtons = new QVBoxLayout;
    m_endpointButtons->addWidget(m_newEndpoint);
    m_endpointButtons->addWidget(m_addEndpoint);
    m_endpointButtons->addWidget(m_removeEndpoint);
    m_endpointButtons->addStretch(1);
    m_endpointRow = new QHBoxLayout;
    m_endpointRow->addWidget(m_endpointsView, 1);
    m_endpointRow->addLayout(m_endpointButtons);
    endpointsLayout->addLayout(m_endpointRow);
    connect(m_addEndpoint, &QPushButton::clicked, this, &RoutingPage::addEndpoint);
    connect(m_newEndpoint->lineEdit(), &QLineEdit::returnPressed, this, &RoutingPage::addEndpoint);
    connect(m_removeEndpoint, &QPushButton::clicked, this, &RoutingPage::removeEndpoint);
    addShortcut(m_endpointsView, QKeySequence::Delete, this, [this] { removeEndpoint(); });
    connect(m_endpoints, &EndpointRoutingModel::endpointsEdited, this, [this] {
        if (!m_updating)
            commit(fromModels(), false);
    });
    connect(m_endpointsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_updating && current.isValid())
                    selectEndpoint(m_endpoints->nameAt(current.row()));
            });

    // Rules of the selected endpoint.
    auto *rulesBox = new QGroupBox(tr("Complexity rules"), split);
    auto *rulesLayout = new QVBoxLayout(rulesBox);
    rulesLayout->setContentsMargins(6, 4, 6, 6);
    m_rulesTitle = new QLabel(rulesBox);
    m_rulesTitle->setObjectName(u"routingRulesTitle"_s);
    m_rulesTitle->setWordWrap(true);
    m_rulesView = makeTable(u"routingRules"_s, m_rules, rulesBox);
    m_rulesView->setAccessibleName(tr("Complexity rules"));
    // Four rules in view (and a horizontal scroll bar) whatever the window's height: a short window scrolls
    // the page down instead (at 900x600 the table was squashed to a row and a half).
    m_rulesView->setMinimumHeight(m_rulesView->horizontalHeader()->sizeHint().height()
                                  + 4 * m_rulesView->verticalHeader()->defaultSectionSize()
                                  + m_rulesView->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, m_rulesView)
                                  + 2 * m_rulesView->frameWidth());
    auto *ruleDelegate = new RoutingDelegate(m_rulesView);
    ruleDelegate->setChoices(ComplexityRulesModel::Result,
                             {{ComplexityRulesModel::complexityName(Complexity::Low), int(Complexity::Low)},
                              {ComplexityRulesModel::complexityName(Complexity::Medium), int(Complexity::Medium)},
                              {ComplexityRulesModel::complexityName(Complexity::High), int(Complexity::High)}});
    for (int c :
         {ComplexityRulesModel::MinChars, ComplexityRulesModel::MaxChars, ComplexityRulesModel::MaxOutputTokens})
        ruleDelegate->setLimit(c, -1, ComplexityRulesModel::tr("any"));
    ruleDelegate->setCompletions(ComplexityRulesModel::TaskTypes, [](const QModelIndex &) { return kTaskTypes; });
    m_rulesView->setItemDelegate(ruleDelegate);
    m_addRule = new QPushButton(tr("A&dd rule"), rulesBox);
    m_addRule->setObjectName(u"routingAddRule"_s);
    m_addRule->setToolTip(tr("Insert a rule below the selected one (Insert)"));
    m_removeRule = new QPushButton(tr("De&lete rule"), rulesBox);
    m_removeRule->setObjectName(u"routingRemoveRule"_s);
    m_removeRule->setToolTip(tr("Delete the selected rule (Delete)"));
    m_ruleUp = new QPushButton(tr("Move &up"), rulesBox);
    m_ruleUp->setObjectName(u"routingRuleUp"_s);
    m_ruleUp->setToolTip(tr("Try this rule earlier (Ctrl+Up)"));
    m_ruleDown = new QPushButton(tr("Move do&wn"), rulesBox);
    m_ruleDown->setObjectName(u"routingRuleDown"_s);
    m_ruleDown->setToolTip(tr("Try this rule later (Ctrl+Down)"));
    m_builtInRules = new QPushButton(tr("Use built-in rules"), rulesBox);
    m_builtInRules->setObjectName(u"routingBuiltInRules"_s);
    m_builtInRules->setToolTip(tr("Drop this endpoint's own rules and use the built-in ones"));
    m_ruleButtons = new QVBoxLayout;
    for (QPushButton *b : {m_addRule, m_removeRule, m_ruleUp, m_ruleDown})
        m_ruleButtons->addWidget(b);
    m_ruleButtons->addStretch(1);
    m_ruleButtons->addWidget(m_builtInRules);
    m_ruleRow = new QHBoxLayout;
    m_ruleRow->addWidget(m_rulesView, 1);
    m_ruleRow->addLayout(m_ruleButtons);
    rulesLayout->addWidget(m_rulesTitle);
    rulesLayout->addLayout(m_ruleRow, 1);
    connect(m_addRule, &QPushButton::clicked, this, &RoutingPage::addRule);
    connect(m_removeRule, &QPushButton::clicked, this, &RoutingPage::removeRule);
    connect(m_ruleUp, &QPushButton::clicked, this, [this] { moveRule(-1); });
    connect(m_ruleDown, &QPushButton::clicked, this, [this] { moveRule(+1); });
    connect(m_builtInRules, &QPushButton::clicked, this, [this] { m_endpoints->setRules(m_endpoint, std::nullopt); });
    addShortcut(m_rulesView, QKeySequence(Qt::Key_Insert), this, [this] { addRule(); });
    addShortcut(m_rulesView, QKeySequence::Delete, this, [this] { removeRule(); });
    addShortcut(m_rulesView, QKeySequence(Qt::CTRL | Qt::Key_Up), this, [this] { moveRule(-1); });
    addShortcut(m_rulesView, QKeySequence(Qt::CTRL | Qt::Key_Down), this, [this] { moveRule(+1); });
    connect(m_rules, &ComplexityRulesModel::rulesEdited, this, &RoutingPage::rulesEdited);
    connect(m_rulesView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RoutingPage::updateState);

    split->addWidget(endpointsBox);
    split->addWidget(rulesBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(tab);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);
    return tab;
}

QWidget *RoutingPage::buildTiersTab()
{
    auto *tab = new QWidget(m_tabs);
    m_tiersView = makeTable(u"routingTiers"_s, m_tiers, tab);
    m_tiersView->setAccessibleName(tr("Tiers"));
    auto *delegate = new RoutingDelegate(m_tiersView);
    delegate->setCompletions(RoutingTiersModel::Model, [this](const QModelIndex &index) {
        return m_tiers->modelsOf(m_tiers->familyAt(index.row()));
    });
    delegate->setLimit(RoutingTiersModel::ContextWindow, 0, tr("from the price book"));
    m_tiersView->setItemDelegate(delegate);
    connect(m_tiers, &RoutingTiersModel::tiersEdited, this, [this] {
        if (!m_updating)
            commit(fromModels(), false);
    });

    m_newFamily = new QComboBox(tab);
    m_newFamily->setObjectName(u"routingNewFamily"_s);
    m_addFamily = new QPushButton(tr("Add &family"), tab);
    m_addFamily->setObjectName(u"routingAddFamily"_s);
    m_removeFamily = new QPushButton(tr("Remove family"), tab);
    m_removeFamily->setObjectName(u"routingRemoveFamily"_s);
    connect(m_addFamily, &QPushButton::clicked, this, [this] {
        const int row = m_tiers->addFamily(m_newFamily->currentText());
        if (row >= 0) {
            m_tiersView->setCurrentIndex(m_tiers->index(row, RoutingTiersModel::Model));
            m_tiersView->edit(m_tiersView->currentIndex());
        }
    });
    connect(m_removeFamily, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_tiersView->currentIndex();
        if (current.isValid())
            m_tiers->removeFamily(m_tiers->familyAt(current.row()));
    });
    auto *familyRow = new QHBoxLayout;
    auto *familyLabel = new QLabel(tr("Provider famil&y:"), tab);
    familyLabel->setBuddy(m_newFamily);
    familyRow->addWidget(familyLabel);
    familyRow->addWidget(m_newFamily);
    familyRow->addWidget(m_addFamily);
    familyRow->addWidget(m_removeFamily);
    familyRow->addStretch(1);

    auto *mapBox = new QGroupBox(tr("Complexity to tier"), tab);
    auto *mapLayout = new QHBoxLayout(mapBox);
    for (int c = 0; c < 3; ++c) {
        auto *box = new QComboBox(mapBox);
        box->setObjectName(u"routingTierFor_"_s + toString(Complexity(c)));
        for (int t = 0; t < 3; ++t)
            box->addItem(RoutingTiersModel::tierName(ModelTier(t)), t);
        auto *label = new QLabel(ComplexityRulesModel::complexityName(Complexity(c)) + u" →"_s, mapBox);
        label->setBuddy(box);
        mapLayout->addWidget(label);
        mapLayout->addWidget(box);
        mapLayout->addSpacing(16);
        m_map[size_t(c)] = box;
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_updating)
                commit(fromModels(), false);
        });
    }
    mapLayout->addStretch(1);

    auto *note = new QLabel(tr("A request is only moved within its own provider family, to a model the price book "
                               "lists for that family, whose context window fits the prompt plus max tokens and that "
                               "accepts what the request uses. Prices and context windows: the built-in price book "
                               "(genai-prices 0.1.8)."),
                            tab);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(tab);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_tiersView, 1);
    layout->addLayout(familyRow);
    layout->addWidget(mapBox);
    layout->addWidget(note);
    return tab;
}

QWidget *RoutingPage::buildModelRulesTab()
{
    auto *tab = new QWidget(m_tabs);
    auto *layout = new QVBoxLayout(tab);
    m_modelRulesNote = new QLabel(tab);
    m_modelRulesNote->setObjectName(u"routingModelRulesNote"_s);
    m_modelRulesNote->setWordWrap(true);
    m_modelRules = new QTableWidget(0, 4, tab);
    m_modelRules->setObjectName(u"routingModelRules"_s);
    m_modelRules->setHorizontalHeaderLabels({tr("Endpoint"), tr("Order"), tr("Rule"), tr("Mode")});
    m_modelRules->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_modelRules->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_modelRules->verticalHeader()->hide();
    m_modelRules->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    auto *how
        = new QLabel(tr("Explicit rules come from a simulator scenario (Simulator page, Apply to proxy; edit them "
                        "there). The proxy tries them in order before the complexity rules; the first match "
                        "wins, with the same guards. A rule's bounds are checked on the request as it arrives, "
                        "the live counterpart of the simulator's recorded counts: prompt tokens by the local "
                        "tokenizer, completion tokens by the request's max_tokens (max_completion_tokens, "
                        "max_output_tokens), so a request without a max tokens value never matches a rule "
                        "with a completion bound."),
                     tab);
    how->setWordWrap(true);
    how->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_modelRulesNote);
    layout->addWidget(m_modelRules, 1);
    layout->addWidget(how);
    return tab;
}

void RoutingPage::showModelRules(const QJsonObject &policy)
{
    m_modelRules->setRowCount(0);
    auto parsed = SavingsPolicy::fromSettingsJson(policy);
    if (!parsed) {
        m_modelRulesNote->setText(parsed.error().message);
        return;
    }
    const auto modeText = [this](const EndpointSavings &e) {
        const QString mode = e.routeMode == RouteMode::On       ? tr("on")
                             : e.routeMode == RouteMode::Shadow ? tr("shadow (record only)")
                                                                : tr("off");
        return e.complexityRouting ? tr("%1, then the complexity rules").arg(mode) : tr("%1, rules only").arg(mode);
    };
    const auto add = [&](const QString &name, const EndpointSavings &e) {
        for (qsizetype i = 0; i < e.routingRules.size(); ++i) {
            const int row = m_modelRules->rowCount();
            m_modelRules->insertRow(row);
            m_modelRules->setItem(row, 0, new QTableWidgetItem(name));
            m_modelRules->setItem(row, 1, new QTableWidgetItem(QString::number(i + 1)));
            m_modelRules->setItem(row, 2, new QTableWidgetItem(e.routingRules[i].describe()));
            m_modelRules->setItem(row, 3, new QTableWidgetItem(modeText(e)));
        }
    };
    QStringList names = parsed->endpoints.keys();
    names.sort();
    for (const QString &name : std::as_const(names))
        add(name, parsed->endpoints.value(name));
    add(tr("(other endpoints)"), parsed->defaults);
    m_modelRules->resizeColumnToContents(0);
    m_modelRules->resizeColumnToContents(1);
    m_modelRules->resizeColumnToContents(3);
    const int count = m_modelRules->rowCount();
    m_modelRulesNote->setText(count == 0 ? tr("The saved policy has no explicit routing rules.")
                                         : tr("Explicit routing rules in the saved policy: %1.").arg(count));
    m_tabs->setTabText(m_tabs->indexOf(m_modelRules->parentWidget()),
                       count == 0 ? tr("&Model rules") : tr("&Model rules (%1)").arg(count));
}

void RoutingPage::load(bool asEdit)
{
    auto policy = RoutingPolicyStore::readPolicy(m_settings);
    showModelRules(policy ? *policy : QJsonObject());
    RoutingPolicyStore::Loaded loaded;
    if (policy) {
        loaded = RoutingPolicyStore::fromPolicy(*policy);
    } else {
        loaded.config = RouterConfig::defaults();
        loaded.notes << policy.error().message;
    }
    m_notes = loaded.notes;
    m_saved = loaded.config;
    m_externalChange = false;
    if (asEdit) {
        commit(loaded.config, true);
    } else {
        m_config = loaded.config;
        m_undo->clear();
        display(m_config);
        m_test->setConfig(m_config);
    }
    updateState();
}

void RoutingPage::display(const RouterConfig &config)
{
    const bool was = m_updating;
    m_updating = true;
    m_tiers->setTiers(config.tiers);
    m_endpoints->setEndpoints(config.endpoints);
    for (int c = 0; c < 3; ++c)
        m_map[size_t(c)]->setCurrentIndex(int(config.complexityTiers[size_t(c)]));
    m_newFamily->clear();
    m_newFamily->addItems(m_tiers->familiesNotConfigured());
    if (!config.endpoints.contains(m_endpoint))
        m_endpoint = u"*"_s;
    m_endpointsView->setCurrentIndex(m_endpoints->index(m_endpoints->rowOf(m_endpoint), 0));
    m_updating = was;
    m_rules->setRules(config.rulesFor(m_endpoint));
    showRules();
    for (QTableView *v : {m_endpointsView, m_rulesView, m_tiersView})
        v->resizeColumnsToContents();
    // Long lists are elided (the tooltip and the editor show them whole) so the Recorded calls column stays
    // in view.
    const int cap = fontMetrics().averageCharWidth() * 26;
    for (int c : {int(ComplexityRulesModel::TaskTypes), int(ComplexityRulesModel::Keywords)})
        m_rulesView->setColumnWidth(c, std::min(m_rulesView->columnWidth(c), cap));
}

void RoutingPage::commit(const RouterConfig &next, bool redisplay)
{
    if (next == m_config) {
        if (redisplay)
            display(m_config);
        return;
    }
    const RouterConfig before = m_config;
    m_config = next;
    if (redisplay)
        display(m_config);
    else
        showRules();
    m_undo->push(new Snapshot(this, before, next));
    m_test->setConfig(m_config);
    updateState();
}

void RoutingPage::restore(const RouterConfig &config)
{
    const int ruleRow = m_rulesView->currentIndex().row();
    m_config = config;
    display(config);
    if (ruleRow >= 0 && ruleRow < m_rules->rowCount())
        m_rulesView->setCurrentIndex(m_rules->index(ruleRow, 0));
    m_test->setConfig(m_config);
    updateState();
}

RouterConfig RoutingPage::fromModels() const
{
    RouterConfig c = m_config;
    c.tiers = m_tiers->tiers();
    c.endpoints = m_endpoints->endpoints();
    for (int i = 0; i < 3; ++i)
        c.complexityTiers[size_t(i)] = ModelTier(m_map[size_t(i)]->currentData().toInt());
    return c;
}

void RoutingPage::showRules()
{
    const bool own = m_config.endpoint(m_endpoint).rules.has_value() && m_config.endpoints.contains(m_endpoint);
    const QString name = EndpointRoutingModel::displayName(m_endpoint);
    m_rulesTitle->setText(
        own ? tr("Rules of “%1”, tried in order (the first match sets the complexity).").arg(name)
            : tr("“%1” uses the built-in rules, tried in order; editing them makes them its own.").arg(name));
    if (m_rules->rules() != m_config.rulesFor(m_endpoint)) {
        const bool was = m_updating;
        m_updating = true;
        m_rules->setRules(m_config.rulesFor(m_endpoint));
        m_updating = was;
    }
    showTallies();
    updateState();
}

void RoutingPage::rulesEdited()
{
    if (m_updating)
        return;
    m_endpoints->setRules(m_endpoint, m_rules->rules());
}

void RoutingPage::addRule()
{
    ComplexityRule rule;
    rule.name = m_rules->unusedName();
    rule.result = Complexity::Medium;
    const int current = m_rulesView->currentIndex().row();
    const int row = m_rules->insertRule(current < 0 ? -1 : current + 1, rule);
    m_rulesView->setCurrentIndex(m_rules->index(row, ComplexityRulesModel::Name));
    m_rulesView->setFocus();
}

void RoutingPage::removeRule()
{
    const QModelIndex current = m_rulesView->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int column = current.column();
    m_rules->removeRule(row);
    if (m_rules->rowCount() > 0)
        m_rulesView->setCurrentIndex(m_rules->index(std::min(row, m_rules->rowCount() - 1), column));
}

void RoutingPage::moveRule(int delta)
{
    const QModelIndex current = m_rulesView->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int column = current.column();
    if (m_rules->moveRule(row, delta))
        m_rulesView->setCurrentIndex(m_rules->index(row + delta, column));
}

void RoutingPage::addEndpoint()
{
    const QString name = m_newEndpoint->currentText().trimmed();
    if (name.isEmpty() || name == u"*")
        return;
    if (m_endpoints->rowOf(name) < 0)
        m_endpoints->addEndpoint(name);
    m_newEndpoint->setCurrentIndex(-1);
    m_newEndpoint->clearEditText();
    selectEndpoint(name);
}

void RoutingPage::removeEndpoint()
{
    const QString name = m_endpoint;
    if (name == u"*")
        return;
    m_endpoints->removeEndpoint(name);
    selectEndpoint(u"*"_s);
}

void RoutingPage::selectEndpoint(const QString &endpoint)
{
    m_endpoint = m_config.endpoints.contains(endpoint) ? endpoint : u"*"_s;
    const int row = m_endpoints->rowOf(m_endpoint);
    if (m_endpointsView->currentIndex().row() != row) {
        const bool was = m_updating;
        m_updating = true;
        m_endpointsView->setCurrentIndex(m_endpoints->index(row, 0));
        m_updating = was;
    }
    showRules();
    if (m_endpoint != u"*" && m_test->endpoint() != m_endpoint) {
        m_test->setEndpoint(m_endpoint);
        if (m_test->endpoint() == m_endpoint)
            m_test->loadAndTest();
    }
}

void RoutingPage::setConfig(const RouterConfig &config)
{
    commit(config, true);
}

Result<void> RoutingPage::save()
{
    auto policy = RoutingPolicyStore::readPolicy(m_settings);
    Result<QJsonObject> next = policy ? RoutingPolicyStore::withRouter(*policy, m_config)
                                      : Result<QJsonObject>(std::unexpected(policy.error()));
    if (!next) {
        m_prompter->warning(this, tr("Save routing"),
                            tr("The routing settings were not saved: %1").arg(next.error().message));
        return std::unexpected(next.error());
    }
    m_saving = true;
    RoutingPolicyStore::writePolicy(m_settings, *next);
    m_saving = false;
    showModelRules(*next); // their modes follow the saved ones
    m_saved = m_config;
    m_notes.clear();
    m_externalChange = false;
    updateState();
    Q_EMIT saved();
    return {};
}

void RoutingPage::revert()
{
    load(true);
}

void RoutingPage::restoreDefaults()
{
    commit(RouterConfig::defaults(), true);
}

void RoutingPage::useInSimulator()
{
    Q_EMIT useInSimulatorRequested(m_config);
}

bool RoutingPage::isLoaded() const
{
    return m_test->isLoaded() || (m_test->endpointBox()->count() == 0 && !m_test->loadButton()->isEnabled());
}

void RoutingPage::showTallies()
{
    const bool same = !m_talliesEndpoint.isEmpty() && m_config.rulesFor(m_talliesEndpoint) == m_rules->rules();
    m_rules->setTallies(same ? m_tallies : QList<RuleTally>());
}

void RoutingPage::updateState()
{
    const bool dirty = isDirty();
    m_save->setEnabled(dirty || m_externalChange);
    m_revert->setEnabled(dirty || m_externalChange);
    m_undoButton->setEnabled(m_undo->canUndo());
    m_redoButton->setEnabled(m_undo->canRedo());
    const int row = m_rulesView ? m_rulesView->currentIndex().row() : -1;
    m_removeRule->setEnabled(row >= 0);
    m_ruleUp->setEnabled(row > 0);
    m_ruleDown->setEnabled(row >= 0 && row + 1 < m_rules->rowCount());
    m_builtInRules->setEnabled(m_config.endpoints.contains(m_endpoint)
                               && m_config.endpoints.value(m_endpoint).rules.has_value());
    m_removeEndpoint->setEnabled(m_endpoint != u"*");
    m_removeFamily->setEnabled(m_tiers->rowCount() > 3);
    m_addFamily->setEnabled(m_newFamily->count() > 0);

    QStringList text;
    if (m_externalChange)
        text << tr("The saved routing changed elsewhere (for example the Simulator's “Apply to proxy”): Revert loads "
                   "it, Save replaces it with these settings.");
    text << (dirty ? tr("Unsaved changes: the proxy still uses the saved settings.")
                   : tr("Saved: the proxy uses these settings."));
    text << m_notes;
    m_status->setText(text.join(u' '));
}

} // namespace tl
