#include "RoutingTestPanel.h"

#include "ComplexityRulesModel.h"
#include "common/FutureGuard.h"
#include "EndpointRoutingModel.h"
#include "RoutingTestModel.h"
#include "RoutingTiersModel.h"
#include "common/Format.h"
#include "dashboard/DateRangePicker.h"
#include "ledger/Ledger.h"
#include "routing/RoutingFeatures.h"
#include "tokenizer/Tokenizers.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <limits>

using namespace Qt::StringLiterals;

namespace tl {

using namespace routing;

namespace {

constexpr int kCallLimit = 5000;

qint64 systemNowUs()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

QString signedUsd(NanoUsd d)
{
    return d > 0 ? u"+"_s + Format::usd(d) : Format::usd(d);
}

// Every endpoint's mode set to On: the tests show what routing would do, not what the mode allows.
RouterConfig asIfOn(RouterConfig config)
{
    config.endpoints[u"*"_s];
    for (EndpointRouting &e : config.endpoints)
        e.mode = RouteMode::On;
    return config;
}

} // namespace

RoutingTestPanel::RoutingTestPanel(Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers, Clock clock,
                                   QWidget *parent)
    : QWidget(parent)
    , m_ledger(ledger)
    , m_tokenizers(std::move(tokenizers))
    , m_clock(clock ? std::move(clock) : Clock(systemNowUs))
    , m_zone(QTimeZone::systemTimeZone())
    , m_config(RouterConfig::defaults())
    , m_tabs(new QTabWidget(this))
    , m_endpoint(new QComboBox(this))
    , m_range(new DateRangePicker(this))
    , m_load(new QPushButton(tr("&Test"), this))
    , m_summary(new QLabel(this))
    , m_model(new RoutingTestModel(this))
    , m_sort(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_shape(new QComboBox(this))
    , m_taskType(new QLineEdit(this))
    , m_request(new QPlainTextEdit(this))
    , m_try(new QPushButton(tr("&Decide"), this))
    , m_decision(new QLabel(this))
{
    setObjectName(u"routingTestPanel"_s);
    m_tabs->setObjectName(u"routingTestTabs"_s);
    m_endpoint->setObjectName(u"routingTestEndpoint"_s);
    m_endpoint->setMinimumContentsLength(14);
    m_endpoint->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_range->setObjectName(u"routingTestRange"_s);
    m_load->setObjectName(u"routingTestRun"_s);
    m_load->setToolTip(tr("Read the endpoint's newest %1 calls in the range and test the edited rules on them "
                          "(nothing is saved)")
                           .arg(Format::count(kCallLimit)));
    m_summary->setObjectName(u"routingTestSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setText(tr("Choose an endpoint and a range, then Test: the edited rules run on the recorded calls "
                          "before you save them."));

    DateRange range;
    range.preset = DateRange::Preset::Last30d;
    m_range->setRange(range);

    m_sort->setSourceModel(m_model);
    m_sort->setSortRole(RoutingTestModel::SortRole);
    m_view->setObjectName(u"routingTestResults"_s);
    m_view->setModel(m_sort);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    // Until results come, each column is as wide as its header's text (not cut to the default width).
    for (int column = 0; column < m_sort->columnCount(); ++column)
        m_view->setColumnWidth(column, m_view->horizontalHeader()->sectionSizeHint(column));

    auto *recorded = new QWidget(m_tabs);
    auto *recordedLayout = new QVBoxLayout(recorded);
    auto *controls = new QHBoxLayout;
    auto *endpointLabel = new QLabel(tr("&Endpoint:"), recorded);
    endpointLabel->setBuddy(m_endpoint);
    controls->addWidget(endpointLabel);
    controls->addWidget(m_endpoint);
    controls->addSpacing(12);
    controls->addWidget(m_range);
    controls->addWidget(m_load);
    controls->addStretch(1);
    recordedLayout->addLayout(controls);
    recordedLayout->addWidget(m_summary);
    recordedLayout->addWidget(m_view, 1);
    m_tabs->addTab(recorded, tr("Recorded requests"));

    auto *tryPage = new QWidget(m_tabs);
    auto *tryLayout = new QHBoxLayout(tryPage);
    auto *form = new QFormLayout;
    m_shape->setObjectName(u"routingTryShape"_s);
    m_shape->addItem(tr("Detect from the body"), -1);
    m_shape->addItem(tr("OpenAI chat completions"), int(BodyShape::ChatCompletions));
    m_shape->addItem(tr("OpenAI responses"), int(BodyShape::Responses));
    m_shape->addItem(tr("Anthropic messages"), int(BodyShape::Messages));
    m_taskType->setObjectName(u"routingTryTaskType"_s);
    m_taskType->setPlaceholderText(tr("X-TokenLedger-Task header (empty: the endpoint's default)"));
    m_request->setObjectName(u"routingTryRequest"_s);
    m_request->setPlaceholderText(tr("Paste a request body, e.g. {\"model\": \"gpt-4o\", \"max_tokens\": 100, "
                                     "\"messages\": [{\"role\": \"user\", \"content\": \"Why is the sky blue?\"}]}"));
    m_request->setTabChangesFocus(true);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_request->setFont(mono);
    m_try->setObjectName(u"routingTryDecide"_s);
    form->addRow(tr("API &shape:"), m_shape);
    form->addRow(tr("&Task type:"), m_taskType);
    form->addRow(tr("Request &body:"), m_request);
    form->addRow(QString(), m_try);
    tryLayout->addLayout(form, 3);
    m_decision->setObjectName(u"routingTryDecision"_s);
    m_decision->setWordWrap(true);
    m_decision->setTextFormat(Qt::RichText);
    m_decision->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_decision->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_decision->setText(tr("The decision for the pasted request shows here, keyword rules included."));
    tryLayout->addWidget(m_decision, 2);
    m_tabs->addTab(tryPage, tr("Try a request"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &RoutingTestPanel::runTest);
    connect(m_load, &QPushButton::clicked, this, &RoutingTestPanel::loadAndTest);
    connect(m_try, &QPushButton::clicked, this, &RoutingTestPanel::tryRequest);
    connect(&m_ledger, &Ledger::recordsAdded, this, [this] {
        if (m_started)
            refreshEndpoints();
    });
    connect(m_range, &DateRangePicker::rangeChanged, this, [this] {
        if (m_started)
            refreshEndpoints();
    });
}

RoutingTestPanel::~RoutingTestPanel() = default;

void RoutingTestPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_started) {
        m_started = true;
        refreshEndpoints();
    }
}

std::pair<qint64, qint64> RoutingTestPanel::resolvedRange() const
{
    const qint64 big = std::numeric_limits<qint64>::max() / 4;
    return m_range->range().resolve(m_clock(), {-big, big}, m_zone);
}

void RoutingTestPanel::refreshEndpoints()
{
    // Each endpoint with the calls a test reads in the panel's range, so its count is the test's.
    const std::pair<qint64, qint64> range = resolvedRange();
    const quint64 generation = ++m_endpointsGeneration;
    continueOn(m_ledger.read<Result<QList<std::pair<QString, qint64>>>>([range](QSqlDatabase &db) {
                   return recordedEndpoints(db, range.first, range.second);
               }),
        this, [this, generation](Result<QList<std::pair<QString, qint64>>> endpoints) {
            if (generation != m_endpointsGeneration)
                return; // the range changed again: a newer count is on its way
            const QString current = endpoint();
            const QSignalBlocker block(m_endpoint);
            m_endpoint->clear();
            if (!endpoints) {
                m_summary->setText(endpoints.error().message);
            } else {
                for (const auto &[name, calls] : *endpoints)
                    m_endpoint->addItem(u"%1 (%2)"_s.arg(name, Format::count(calls)), name);
            }
            const int at = m_endpoint->findData(current);
            m_endpoint->setCurrentIndex(at >= 0 ? at : 0);
            m_load->setEnabled(m_endpoint->count() > 0);
            if (m_endpoint->count() == 0)
                m_summary->setText(tr("The ledger has no calls yet: route calls through the proxy or import some, "
                                      "then test the rules on them here."));
            const bool first = !m_endpointsKnown;
            m_endpointsKnown = true;
            if (first && m_endpoint->count() > 0)
                loadAndTest();
            else if (first)
                Q_EMIT dataLoaded();
        });
}

void RoutingTestPanel::setConfig(const RouterConfig &config)
{
    m_config = config;
    if (m_loaded)
        m_debounce.start();
}

void RoutingTestPanel::setEndpoint(const QString &name)
{
    const int at = m_endpoint->findData(name);
    if (at >= 0)
        m_endpoint->setCurrentIndex(at);
}

QString RoutingTestPanel::endpoint() const
{
    return m_endpoint->currentData().toString();
}

void RoutingTestPanel::setRange(const DateRange &range)
{
    m_range->setRange(range);
    if (m_started)
        refreshEndpoints();
}

void RoutingTestPanel::loadAndTest()
{
    const QString name = endpoint();
    if (name.isEmpty())
        return;
    RecordedCallQuery query;
    query.endpoint = name;
    std::tie(query.fromUs, query.toUs) = resolvedRange();
    query.limit = kCallLimit;
    const quint64 generation = ++m_generation;
    m_busy = true;
    m_load->setEnabled(false);
    m_summary->setText(tr("Reading the recorded calls of “%1”…").arg(name));
    continueOn(m_ledger.read<Result<RecordedCalls>>([query](QSqlDatabase &db) { return loadRecordedCalls(db, query); }),
        this, [this, generation, name](Result<RecordedCalls> calls) {
            if (generation != m_generation)
                return;
            m_load->setEnabled(true);
            if (!calls) {
                m_busy = false;
                m_summary->setText(calls.error().message);
                return;
            }
            m_calls = calls->calls;
            m_testedEndpoint = name;
            m_matching = calls->matching;
            m_skipped = calls->skippedCacheHits;
            m_limit = kCallLimit;
            m_loaded = true;
            runTest();
        });
}

void RoutingTestPanel::runTest()
{
    m_debounce.stop();
    const quint64 generation = ++m_generation;
    m_busy = true;
    const QList<RecordedCall> calls = m_calls;
    const RouterConfig config = m_config;
    const std::shared_ptr<const Pricer> pricer = m_ledger.pricer();
    continueOn(QtConcurrent::run([config, pricer, calls] {
        return testRecordedCalls(config, pricer, calls);
    }), this, [this, generation](RecordedTestRun run) {
        if (generation != m_generation)
            return;
        m_busy = false;
        m_run = std::move(run);
        m_model->setResults(m_calls, m_run.tests);
        showRun(m_testedEndpoint, m_matching, m_skipped, m_limit);
        if (!m_columnsFitted && !m_run.tests.empty()) {
            m_columnsFitted = true;
            m_view->resizeColumnsToContents();
            // An undecided call's rule text is long: elided, whole in its tooltip.
            const int charWidth = m_view->fontMetrics().averageCharWidth();
            for (const auto &[column, chars] : {std::pair {RoutingTestModel::Rule, 30}, {RoutingTestModel::Target, 26}})
                m_view->setColumnWidth(column, std::min(m_view->columnWidth(column), charWidth * chars));
        }
        Q_EMIT tested(m_testedEndpoint, m_run.summary.rules);
        Q_EMIT dataLoaded();
    });
}

void RoutingTestPanel::showRun(const QString &name, qint64 matching, qint64 skipped, int limit)
{
    // Counts with %Ln: grouped in the UI language's way ("12,345"), as Format::count() writes the others.
    const RecordedTestSummary &s = m_run.summary;
    QStringList lines;
    if (s.calls == 0) {
        lines << tr("No recorded calls of “%1” in this range.").arg(name);
    } else {
        QString head = tr("Tested %Ln recorded call(s) of “%1” as if routing were on.", nullptr, int(s.calls)).arg(name);
        if (matching > s.calls)
            head += u' '
                + tr("Only the newest %1 of the %2 calls in the range.")
                      .arg(Format::count(limit), Format::count(matching));
        lines << head;
        if (s.determined > 0) {
            const NanoUsd diff = s.projected - s.baseline;
            const QString share = s.baseline > 0 ? Format::share(double(-diff) / double(s.baseline)) : Format::share(0);
            lines << tr("Decided by the rules: %Ln call(s); %1 would be served another model. Cost as requested %2, "
                        "routed %3: %4 (%5 saved).", nullptr, int(s.determined))
                         .arg(Format::count(s.routed), Format::usd(s.baseline), Format::usd(s.projected),
                              signedUsd(diff), share);
        }
        if (s.undetermined > 0)
            lines << tr("Undecided: %Ln call(s) reach a rule that needs data the ledger does not keep (request text is "
                        "not recorded, so keyword rules cannot be tested on recorded calls). Depending on that rule, "
                        "their cost would change by %1 to %2; they are not in the totals above.",
                        nullptr, int(s.undetermined))
                         .arg(signedUsd(s.undeterminedMinDifference), signedUsd(s.undeterminedMaxDifference));
        if (!s.guards.isEmpty()) {
            QStringList guards;
            for (auto it = s.guards.cbegin(); it != s.guards.cend(); ++it) {
                for (int g = 0; g <= int(RouteGuard::NotCheaper); ++g) {
                    if (toString(RouteGuard(g)) == it.key())
                        guards << tr("%1: %2").arg(RoutingTestModel::guardName(RouteGuard(g)), Format::count(*it));
                }
            }
            guards.sort();
            lines << tr("Guards that kept the requested model: %1.").arg(guards.join(u", "_s));
        }
        if (s.unpriced > 0)
            lines << tr("%Ln call(s) with an unpriced model are not in the totals.", nullptr, int(s.unpriced));
    }
    if (skipped > 0)
        lines << tr("%Ln cache hit(s) left out: they cost nothing whichever model is asked for.", nullptr, int(skipped));
    m_summary->setText(lines.join(u'\n'));
}

void RoutingTestPanel::tryRequest()
{
    QJsonParseError err {};
    const QJsonDocument doc = QJsonDocument::fromJson(m_request->toPlainText().toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        m_decision->setText(
            tr("<b>Not a JSON object:</b> %1")
                .arg((err.error != QJsonParseError::NoError ? err.errorString() : tr("the body must be one object"))
                         .toHtmlEscaped()));
        return;
    }
    const QJsonObject body = doc.object();
    BodyShape shape = BodyShape::ChatCompletions;
    if (m_shape->currentData().toInt() >= 0) {
        shape = BodyShape(m_shape->currentData().toInt());
    } else if (body.contains("input"_L1) || body.contains("instructions"_L1)) {
        shape = BodyShape::Responses;
    } else if (body.contains("system"_L1) || body.value("model"_L1).toString().startsWith(u"claude"_s)) {
        shape = BodyShape::Messages;
    }
    const RoutingFeatures f = extractFeatures(body, shape, m_tokenizers.get());
    const QString name = endpoint().isEmpty() ? u"*"_s : endpoint();
    const Router router(asIfOn(m_config), m_ledger.pricer()->bookPtr());
    const RouteDecision d = router.decide(f, name, m_taskType->text(), false);

    const auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    QStringList html;
    html << tr("For endpoint <b>%1</b> (mode now: %2), as if routing were on:")
                .arg(esc(EndpointRoutingModel::displayName(name)),
                     esc(EndpointRoutingModel::modeName(m_config.endpoint(name).mode)));
    html << tr("Complexity <b>%1</b> (%2) → %3 tier")
                .arg(esc(ComplexityRulesModel::complexityName(d.complexity)),
                     d.matchedRule.isEmpty() ? tr("no rule matched") : tr("rule “%1”").arg(esc(d.matchedRule)),
                     esc(RoutingTiersModel::tierName(d.tier)));
    if (d.guard == RouteGuard::None)
        html << tr("Would serve <b>%1</b> instead of %2.").arg(esc(d.targetModel), esc(d.requestedModel));
    else
        html << tr("Keeps <b>%1</b>: %2 (%3).")
                    .arg(esc(d.requestedModel.isEmpty() ? tr("(no model)") : d.requestedModel),
                         esc(RoutingTestModel::guardName(d.guard)), esc(d.guardText));
    html << tr("Task type: %1 · input %2 characters · max tokens %3 · prompt tokens %4")
                .arg(esc(d.taskType.isEmpty() ? tr("none") : d.taskType), Format::count(f.inputChars),
                     f.maxOutputTokens < 0 ? tr("none") : Format::count(f.maxOutputTokens),
                     f.estimatedPromptTokens < 0 ? tr("unknown")
                                                 : Format::count(f.estimatedPromptTokens)
                             + (f.promptTokensEstimate ? tr(" (estimate)") : QString()));
    QStringList uses;
    if (f.usesImages)
        uses << tr("images");
    if (f.usesAudio)
        uses << tr("audio");
    if (f.usesTools)
        uses << tr("tools");
    if (f.usesStructuredOutput)
        uses << tr("structured output");
    if (!uses.isEmpty())
        html << tr("Uses: %1").arg(esc(uses.join(u", "_s)));
    QStringList rules;
    bool matchedYet = false;
    for (const ComplexityRule &r : m_config.rulesFor(name)) {
        const bool m = Router::matches(r, f, d.taskType);
        QString line = (m ? u"✓ "_s : u"✗ "_s) + esc(r.name);
        if (m && !matchedYet)
            line = u"<b>"_s + line + u"</b> "_s + tr("(first match)");
        matchedYet = matchedYet || m;
        rules << line;
    }
    html << tr("Rules in order:") + u"<br>"_s + rules.join(u"<br>"_s);
    m_decision->setText(html.join(u"<br>"_s));
}

} // namespace tl
