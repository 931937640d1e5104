#include "ProxyPage.h"

#include "ProxyLimitsPanel.h"
#include "ProxyLogModel.h"
#include "RecordDetailsDialog.h"
#include "UpstreamEditor.h"
#include "common/FutureGuard.h"
#include "ledger/RecordCodec.h"
#include "proxy/CallerIdentity.h"
#include "proxy/Proxy.h"
#include "proxy/SavingsPolicy.h"
#include "routing/RoutingFeatures.h"
#include "secrets/SecretStore.h"
#include "settings/Settings.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProxyStyle>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStyleOptionHeader>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
enum SavingsColumn { SavEndpoint, SavRouting, SavExact, SavSemantic, SavCompression, SavColumns };

// The request log's header: its sort arrow points the way the rows run (down: largest, newest, first),
// as on Windows and macOS. Fusion on Linux draws GTK's convention instead (QHeaderView passes SortUp for
// a descending sort and Fusion draws it pointing up there), which read as "oldest first" over a log
// whose newest row is on top.
class SortArrowStyle final : public QProxyStyle
{
public:
    using QProxyStyle::QProxyStyle;
    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
                       const QWidget *widget) const override
    {
#if defined(Q_OS_LINUX)
        if (const auto *header = qstyleoption_cast<const QStyleOptionHeader *>(option);
            header && element == PE_IndicatorHeaderArrow && header->sortIndicator != QStyleOptionHeader::None) {
            QStyleOptionHeader flipped(*header);
            flipped.sortIndicator = header->sortIndicator == QStyleOptionHeader::SortUp ? QStyleOptionHeader::SortDown
                                                                                         : QStyleOptionHeader::SortUp;
            QProxyStyle::drawPrimitive(element, &flipped, painter, widget);
            return;
        }
#endif
        QProxyStyle::drawPrimitive(element, option, painter, widget);
    }
};
}

ProxyPage::ProxyPage(Proxy &proxy, Settings &settings, std::shared_ptr<SecretStore> secrets, QWidget *parent)
    : QWidget(parent)
    , m_proxy(proxy)
    , m_settings(settings)
    , m_secrets(std::move(secrets))
    , m_log(new ProxyLogModel(2000, this))
    , m_filter(new QSortFilterProxyModel(this))
{
    setObjectName(u"proxyPage"_s);
    // Settings above (scrolling when the window is short), the live request log below, in a splitter
    // the user can move: the log keeps its rows however many settings there are.
    auto *pageLayout = new QVBoxLayout(this);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    auto *settingsPane = new QWidget;
    settingsPane->setObjectName(u"proxySettingsPane"_s);
    auto *layout = new QVBoxLayout(settingsPane);

    // Listening.
    auto *listen = new QGroupBox(tr("Local proxy"), this);
    auto *form = new QFormLayout(listen);
    m_enabled = new QCheckBox(tr("Run the proxy"), listen);
    m_enabled->setObjectName(u"proxyEnabled"_s);
    m_port = new QSpinBox(listen);
    m_port->setObjectName(u"proxyPort"_s);
    m_port->setRange(1, 65535);
    m_bind = new QLineEdit(listen);
    m_bind->setObjectName(u"proxyBind"_s);
    m_accessToken = new QLineEdit(listen);
    m_accessToken->setObjectName(u"proxyAccessToken"_s);
    m_accessToken->setEchoMode(QLineEdit::Password);
    m_accessToken->setPlaceholderText(tr("Needed only for an address other than 127.0.0.1 (16+ characters)"));
    m_status = new QLabel(listen);
    m_status->setObjectName(u"proxyState"_s);
    m_status->setWordWrap(true);
    form->addRow(m_enabled, m_status);
    form->addRow(tr("Port"), m_port);
    form->addRow(tr("Bind address"), m_bind);
    form->addRow(tr("Access token"), m_accessToken);
    m_notice = new QLabel(listen);
    m_notice->setObjectName(u"proxyNotice"_s);
    m_notice->setWordWrap(true);
    m_notice->hide();
    form->addRow(QString(), m_notice);
    m_noticeTimer = new QTimer(this);
    m_noticeTimer->setSingleShot(true);
    m_noticeTimer->setInterval(10'000);
    layout->addWidget(listen);

    // Upstreams and keys.
    auto *ups = new QGroupBox(tr("Upstreams"), this);
    auto *upsLayout = new QVBoxLayout(ups);
    m_upstreams = new UpstreamEditor(ups);
    upsLayout->addWidget(m_upstreams);
    auto *keyRow = new QHBoxLayout;
    m_key = new QLineEdit(ups);
    m_key->setObjectName(u"proxyUpstreamKey"_s);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("API key for the selected upstream (kept in the OS keychain only)"));
    m_saveKey = new QPushButton(tr("Save &key to keychain"), ups);
    m_saveKey->setObjectName(u"proxySaveKey"_s);
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_saveKey);
    upsLayout->addLayout(keyRow);
    layout->addWidget(ups);

    // Cache.
    auto *cacheBox = new QGroupBox(tr("Exact cache"), this);
    auto *cacheLayout = new QVBoxLayout(cacheBox);
    auto *cacheRow = new QHBoxLayout;
    m_cacheEnabled = new QCheckBox(tr("Serve repeated requests from the cache"), cacheBox);
    m_cacheEnabled->setObjectName(u"proxyCacheEnabled"_s);
    m_cacheTtl = new QSpinBox(cacheBox);
    m_cacheTtl->setObjectName(u"proxyCacheTtl"_s);
    m_cacheTtl->setRange(1, 30 * 24 * 3600);
    m_cacheTtl->setSuffix(tr(" s TTL"));
    m_cacheMax = new QSpinBox(cacheBox);
    m_cacheMax->setObjectName(u"proxyCacheMax"_s);
    m_cacheMax->setRange(1, 64 * 1024);
    m_cacheMax->setSuffix(tr(" MiB max"));
    m_clearCache = new QPushButton(tr("C&lear cache"), cacheBox);
    m_clearCache->setObjectName(u"proxyClearCache"_s);
    cacheRow->addWidget(m_cacheEnabled);
    cacheRow->addWidget(m_cacheTtl);
    cacheRow->addWidget(m_cacheMax);
    cacheRow->addStretch();
    cacheRow->addWidget(m_clearCache);
    cacheLayout->addLayout(cacheRow);
    m_cacheStoreTruncated = new QCheckBox(tr("Also cache answers cut at the token limit"), cacheBox);
    m_cacheStoreTruncated->setObjectName(u"proxyCacheStoreTruncated"_s);
    m_cacheStoreTruncated->setToolTip(tr("By default an answer that stopped at max tokens (finish_reason \"length\", "
                                         "stop_reason \"max_tokens\") is not stored, so a repeat asks the provider "
                                         "again. Key in the --config file: cache.storeTruncated."));
    cacheLayout->addWidget(m_cacheStoreTruncated);
    layout->addWidget(cacheBox);

    // Request text: off by default; only token counts and the other record fields are kept.
    auto *textBox = new QGroupBox(tr("Request text"), this);
    auto *textRow = new QHBoxLayout(textBox);
    auto *textLabel = new QLabel(tr("Keep request and response text for endpoints:"), textBox);
    m_storeText = new QLineEdit(textBox);
    m_storeText->setObjectName(u"proxyStoreText"_s);
    m_storeText->setPlaceholderText(tr("none (comma-separated endpoint names)"));
    m_storeText->setToolTip(tr("By default the ledger keeps token counts, costs and timings, never the text of "
                               "prompts or answers. For the endpoints named here it also keeps the request and "
                               "response bodies (never headers or keys), in the ledger file on this machine. "
                               "Takes effect when the proxy starts."));
    textLabel->setBuddy(m_storeText);
    textRow->addWidget(textLabel);
    textRow->addWidget(m_storeText, 1);
    layout->addWidget(textBox);

    // Savings policy in force (written by the Simulator page's "Apply to proxy").
    auto *savingsBox = new QGroupBox(tr("Savings"), this);
    auto *savingsLayout = new QVBoxLayout(savingsBox);
    m_savingsNote = new QLabel(savingsBox);
    m_savingsNote->setObjectName(u"proxySavingsNote"_s);
    m_savingsNote->setWordWrap(true);
    m_savings = new QTableWidget(0, SavColumns, savingsBox);
    m_savings->setObjectName(u"proxySavings"_s);
    m_savings->setHorizontalHeaderLabels({tr("Endpoint"), tr("Routing"), tr("Exact cache"), tr("Semantic cache"),
                                          tr("Compression")});
    m_savings->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_savings->horizontalHeader()->setStretchLastSection(true);
    m_savings->verticalHeader()->hide();
    m_savings->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_savings->setMaximumHeight(130);
    savingsLayout->addWidget(m_savingsNote);
    savingsLayout->addWidget(m_savings);
    layout->addWidget(savingsBox);

    // Client snippet.
    auto *snippetBox = new QGroupBox(tr("Point your clients at the proxy"), this);
    auto *snippetRow = new QHBoxLayout(snippetBox);
    m_snippet = new QPlainTextEdit(snippetBox);
    m_snippet->setObjectName(u"proxySnippet"_s);
    m_snippet->setReadOnly(true);
    m_snippet->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_snippet->setMaximumHeight(m_snippet->fontMetrics().lineSpacing() * 6 + 12);
    m_copySnippet = new QPushButton(tr("Co&py"), snippetBox);
    m_copySnippet->setObjectName(u"proxyCopySnippet"_s);
    snippetRow->addWidget(m_snippet, 1);
    snippetRow->addWidget(m_copySnippet, 0, Qt::AlignTop);
    layout->addWidget(snippetBox);

    // Advanced: collapsed so the page stays simple.
    m_limits = new ProxyLimitsPanel(settingsPane);
    layout->addWidget(m_limits);
    layout->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(u"proxySettingsScroll"_s);
    scroll->setWidget(settingsPane);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    // Live request log.
    m_logFilter = new QLineEdit(this);
    m_logFilter->setObjectName(u"proxyLogFilter"_s);
    m_logFilter->setPlaceholderText(tr("Filter the request log (endpoint, model, status, cache)"));
    m_logFilter->setClearButtonEnabled(true);
    m_filter->setSourceModel(m_log);
    m_filter->setFilterKeyColumn(-1);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setSortRole(ProxyLogModel::SortRole);
    m_logView = new QTableView(this);
    m_logView->setObjectName(u"proxyLog"_s);
    m_logView->setModel(m_filter);
    m_logView->setSortingEnabled(true);
    m_logView->sortByColumn(ProxyLogModel::Time, Qt::DescendingOrder);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->verticalHeader()->hide();
    auto *arrowStyle = new SortArrowStyle(QApplication::style()->name());
    arrowStyle->setParent(m_logView->horizontalHeader());
    m_logView->horizontalHeader()->setStyle(arrowStyle);
    m_logView->horizontalHeader()->setStretchLastSection(true);
    // Wide enough for the usual paths; a live log does not measure its rows (ResizeToContents would).
    m_logView->setColumnWidth(ProxyLogModel::Path, m_logView->fontMetrics().horizontalAdvance(u"POST /v1/chat/completions"_s) + 24);
    m_logEmpty = new QLabel(m_logView->viewport());
    m_logEmpty->setObjectName(u"proxyLogEmpty"_s);
    m_logEmpty->setAlignment(Qt::AlignCenter);
    m_logEmpty->setWordWrap(true);
    m_logEmpty->setTextFormat(Qt::PlainText); // it quotes the filter as typed
    m_logEmpty->setForegroundRole(QPalette::PlaceholderText);
    m_logEmpty->setContentsMargins(24, 12, 24, 12);
    m_logEmpty->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_logView->viewport()->installEventFilter(this);
    m_markWrong = new QPushButton(tr("&Mark semantic hit wrong"), this);
    m_markWrong->setObjectName(u"proxyMarkWrong"_s);
    m_markWrong->setToolTip(tr("Removes the cached answer that served the selected semantic-cache hit, so the "
                               "next similar request goes to the provider."));
    m_markWrong->setEnabled(false);
    auto *logPane = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPane);
    auto *logRow = new QHBoxLayout;
    logRow->addWidget(m_logFilter, 1);
    logRow->addWidget(m_markWrong);
    logLayout->addLayout(logRow);
    logLayout->addWidget(m_logView, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(u"proxySplitter"_s);
    split->setChildrenCollapsible(false);
    split->addWidget(scroll);
    split->addWidget(logPane);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    pageLayout->addWidget(split);

    loadSettings();
    loadSavingsPolicy();

    connect(m_enabled, &QCheckBox::toggled, this, &ProxyPage::toggle);
    connect(m_saveKey, &QPushButton::clicked, this, &ProxyPage::saveKeyForSelectedUpstream);
    connect(m_clearCache, &QPushButton::clicked, this, [this]() {
        continueOn(m_proxy.clearCache(), this, [this](Result<void> r) {
            showNotice(r ? tr("Cache cleared.") : r.error().message);
        });
    });
    connect(m_copySnippet, &QPushButton::clicked, this, [this]() { QApplication::clipboard()->setText(snippet()); });
    connect(m_logFilter, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_logFilter, &QLineEdit::textChanged, this, &ProxyPage::refreshLogEmptyState);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_filter, signal, this, &ProxyPage::refreshLogEmptyState);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &ProxyPage::refreshLogEmptyState);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &ProxyPage::refreshLogEmptyState);
    // Enter or a double-click (QAbstractItemView::activated) opens the details.
    connect(m_logView, &QTableView::activated, this, &ProxyPage::showRecord);
    connect(m_noticeTimer, &QTimer::timeout, m_notice, [this]() {
        m_notice->clear();
        m_notice->hide();
    });
    connect(&m_proxy, &Proxy::recordsFinished, m_log, &ProxyLogModel::append);
    connect(&m_proxy, &Proxy::recordSettled, m_log, &ProxyLogModel::applySettlement);
    connect(&m_proxy, &Proxy::recordMarkedCut, m_log, &ProxyLogModel::applyCut);
    connect(&m_proxy, &Proxy::runningChanged, this, &ProxyPage::refreshState);
    for (QSpinBox *box : {m_port, m_cacheTtl, m_cacheMax})
        connect(box, &QSpinBox::valueChanged, this, &ProxyPage::saveSettings);
    connect(m_bind, &QLineEdit::editingFinished, this, &ProxyPage::saveSettings);
    connect(m_storeText, &QLineEdit::editingFinished, this, &ProxyPage::saveSettings);
    connect(m_cacheEnabled, &QCheckBox::toggled, this, &ProxyPage::saveSettings);
    connect(m_cacheStoreTruncated, &QCheckBox::toggled, this, &ProxyPage::saveSettings);
    connect(m_limits, &ProxyLimitsPanel::edited, this, &ProxyPage::saveSettings);
    connect(m_limits, &ProxyLimitsPanel::expandedChanged, this, [scroll, this](bool expanded) {
        // Opened below the fold: bring the whole group into view once the scroll area has taken the
        // pane's new height (its layout request is a posted event, handled before this queued call).
        if (expanded)
            QTimer::singleShot(0, scroll, [scroll, this]() { scroll->ensureWidgetVisible(m_limits, 0, 0); });
    });
    connect(m_upstreams, &UpstreamEditor::edited, this, &ProxyPage::saveSettings);
    connect(m_upstreams, &UpstreamEditor::edited, this, &ProxyPage::checkStoredKeys);
    connect(&m_settings, &Settings::changed, this, [this](const QString &key) {
        if (key == QString::fromLatin1(SavingsPolicy::settingsKey))
            loadSavingsPolicy();
    });
    connect(m_markWrong, &QPushButton::clicked, this, &ProxyPage::markSelectedHitWrong);
    connect(m_logView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ProxyPage::updateMarkWrong);
    refreshState();
    checkStoredKeys();
}

namespace {
// The host clients on this machine use for a bind address (urlHost: IPv6 in brackets): the wildcard
// addresses (listening everywhere) become the loopback ones.
QString clientHost(QString address)
{
    address = address.trimmed();
    if (address == "0.0.0.0"_L1)
        return u"127.0.0.1"_s;
    return urlHost(address == "::"_L1 ? u"::1"_s : address);
}

// "chat, code-assist" -> {"chat", "code-assist"}; blanks dropped.
QSet<QString> storeTextEndpoints(const QString &text)
{
    QSet<QString> endpoints;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        if (const QString name = part.trimmed(); !name.isEmpty())
            endpoints.insert(name);
    }
    return endpoints;
}
} // namespace

void ProxyPage::loadSettings()
{
    m_port->setValue(m_settings.value(u"proxy/port"_s, 8787).toInt());
    m_bind->setText(m_settings.value(u"proxy/bind"_s, u"127.0.0.1"_s).toString());
    m_cacheEnabled->setChecked(m_settings.value(u"proxy/cacheEnabled"_s, true).toBool());
    m_cacheTtl->setValue(m_settings.value(u"proxy/cacheTtlSeconds"_s, 3600).toInt());
    m_cacheMax->setValue(m_settings.value(u"proxy/cacheMaxMiB"_s, 256).toInt());
    m_cacheStoreTruncated->setChecked(m_settings.value(u"proxy/cacheStoreTruncated"_s, false).toBool());
    m_limits->load(m_settings);
    m_storeText->setText(m_settings.value(u"proxy/storeTextEndpoints"_s).toStringList().join(u", "_s));
    const QVariant stored = m_settings.value(u"proxy/upstreams"_s);
    QJsonArray ups = QJsonDocument::fromJson(stored.toByteArray()).array();
    if (!stored.isValid()) { // never saved: the two official upstreams (an empty list saved stays empty)
        for (UpstreamKind k : {UpstreamKind::OpenAi, UpstreamKind::Anthropic}) {
            const UpstreamConfig u = UpstreamConfig::defaults(k);
            ups.append(QJsonObject{{"id"_L1, u.id}, {"kind"_L1, toString(k)}, {"baseUrl"_L1, u.baseUrl.toString()},
                                   {"keychainEntry"_L1, UpstreamConfig::defaultKeychainEntry(u.id)}});
        }
    }
    m_upstreams->setRows(ups);
}

void ProxyPage::saveSettings()
{
    m_settings.setValue(u"proxy/port"_s, m_port->value());
    m_settings.setValue(u"proxy/bind"_s, m_bind->text().trimmed());
    m_settings.setValue(u"proxy/cacheEnabled"_s, m_cacheEnabled->isChecked());
    m_settings.setValue(u"proxy/cacheTtlSeconds"_s, m_cacheTtl->value());
    m_settings.setValue(u"proxy/cacheMaxMiB"_s, m_cacheMax->value());
    m_settings.setValue(u"proxy/cacheStoreTruncated"_s, m_cacheStoreTruncated->isChecked());
    m_limits->save(m_settings);
    m_settings.setValue(u"proxy/storeTextEndpoints"_s, QStringList(storeTextEndpoints(m_storeText->text()).values()));
    m_settings.setValue(u"proxy/upstreams"_s, QJsonDocument(m_upstreams->rows()).toJson(QJsonDocument::Compact));
    m_proxy.setCacheConfig(configFromWidgets().cache);
    m_snippet->setPlainText(snippet());
}

void ProxyPage::refreshLogEmptyState()
{
    const bool empty = m_filter->rowCount() == 0;
    if (empty) {
        if (m_log->rowCount() > 0)
            m_logEmpty->setText(tr("No request in the log matches “%1”.").arg(m_logFilter->text()));
        else if (m_proxy.isRunning())
            // The log is live: calls recorded before (an earlier run, the headless proxy) are not in it.
            m_logEmpty->setText(tr("No requests since the app started. The proxy listens on %1:%2: point a client at "
                                   "it (see “Point your clients at the proxy” above) and each call shows here as it is "
                                   "answered. Calls recorded before are on the Dashboard.")
                                    .arg(urlHost(m_proxy.config().bindAddress.toString()))
                                    .arg(m_proxy.port()));
        else
            m_logEmpty->setText(tr("No requests since the app started. Turn on “Run the proxy”, point a client at it "
                                   "(see “Point your clients at the proxy” above), and each call shows here as it is "
                                   "answered. Calls recorded before are on the Dashboard."));
        m_logEmpty->setGeometry(m_logView->viewport()->rect());
    }
    m_logEmpty->setVisible(empty);
}

bool ProxyPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_logView->viewport() && event->type() == QEvent::Resize)
        m_logEmpty->setGeometry(m_logView->viewport()->rect());
    return QWidget::eventFilter(watched, event);
}

ProxyConfig ProxyPage::configFromWidgets() const
{
    ProxyConfig c;
    c.port = quint16(m_port->value());
    c.bindAddress = QHostAddress(m_bind->text().trimmed());
    c.accessToken = m_accessToken->text().toUtf8();
    c.cache.enabled = m_cacheEnabled->isChecked();
    c.cache.ttlSeconds = m_cacheTtl->value();
    c.cache.maxBytes = qint64(m_cacheMax->value()) * 1024 * 1024;
    c.cache.storeTruncated = m_cacheStoreTruncated->isChecked();
    m_limits->applyTo(c);
    c.storeTextEndpoints = storeTextEndpoints(m_storeText->text());
    c.upstreams = m_upstreams->configs();
    return c;
}

QString ProxyPage::snippet() const
{
    const QString host = clientHost(m_bind->text());
    const QString base = u"http://%1:%2"_s.arg(host).arg(m_port->value());
    // Each SDK reaches the first upstream of its dialect (ClientConnection: Anthropic's Messages API or
    // the OpenAI one); another upstream is chosen with the X-TokenLedger-Upstream header.
    const QList<UpstreamConfig> ups = m_proxy.isRunning() ? m_proxy.config().upstreams : m_upstreams->configs();
    const UpstreamConfig *openAi = nullptr;
    const UpstreamConfig *anthropic = nullptr;
    for (const UpstreamConfig &u : ups) {
        const UpstreamConfig *&slot = u.kind == UpstreamKind::Anthropic ? anthropic : openAi;
        if (!slot)
            slot = &u;
    }
    QStringList lines;
    const auto sdk = [&](const UpstreamConfig *u, const QString &prefix, const QString &url) {
        if (!u)
            return;
        lines << u"export %1_BASE_URL=%2"_s.arg(prefix, url);
        if (hasStoredKey(*u)) {
            lines << u"export %1_API_KEY=tokenledger"_s.arg(prefix);
            lines << u"# "_s + tr("%1_API_KEY=tokenledger: the proxy sends the key kept in the keychain for upstream \"%2\".")
                                   .arg(prefix, u->id);
        } else {
            lines << u"# "_s + tr("Upstream \"%1\" has no key in the keychain: set %2_API_KEY to your own key; the proxy "
                                   "passes it on.").arg(u->id, prefix);
        }
    };
    sdk(openAi, u"OPENAI"_s, base + u"/v1"_s);
    sdk(anthropic, u"ANTHROPIC"_s, base);
    for (const UpstreamConfig &u : ups) {
        if (&u == openAi || &u == anthropic)
            continue;
        lines << u"# "_s + (hasStoredKey(u) ? tr("Upstream \"%1\": send the header X-TokenLedger-Upstream: %1; the key "
                                                 "\"tokenledger\" uses its keychain key.").arg(u.id)
                                            : tr("Upstream \"%1\": send the header X-TokenLedger-Upstream: %1 and your "
                                                 "own key (none in the keychain).").arg(u.id));
    }
    return lines.join(u'\n') + u'\n';
}

bool ProxyPage::hasStoredKey(const UpstreamConfig &u) const
{
    if (u.keychainEntry.isEmpty())
        return false;
    if (m_proxy.isRunning()) {
        // What the running proxy read at its start (the key stays in its memory only).
        for (const UpstreamConfig &running : m_proxy.config().upstreams) {
            if (running.id == u.id)
                return !running.apiKey.isEmpty();
        }
        return false;
    }
    return m_keyStored.value(u.keychainEntry, false);
}

void ProxyPage::checkStoredKeys()
{
    for (const UpstreamConfig &u : m_upstreams->configs()) {
        if (u.keychainEntry.isEmpty() || m_keyStored.contains(u.keychainEntry))
            continue;
        m_keyStored.insert(u.keychainEntry, false); // asked once; a saved key sets it
        const QString entry = u.keychainEntry;
        continueOn(m_secrets->read(entry), this, [this, entry](Result<QByteArray> key) {
            m_keyStored.insert(entry, key && !key->isEmpty());
            m_snippet->setPlainText(snippet());
        });
    }
}

void ProxyPage::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
    m_noticeTimer->start();
}

void ProxyPage::toggle(bool on)
{
    if (!on) {
        continueOn(m_proxy.stop(), this, [this]() { refreshState(); });
        m_status->setText(tr("Stopping: finishing in-flight requests..."));
        return;
    }
    ProxyConfig config = configFromWidgets();
    config.callerSalt = m_settings.callerSalt();
    config.savings = m_policy;
    if (const QStringList problems = m_upstreams->problems(); !problems.isEmpty()) {
        m_status->setText(tr("Not started: %1").arg(problems.first()));
        const QSignalBlocker block(m_enabled);
        m_enabled->setChecked(false);
        return;
    }
    if (const QString bind = m_bind->text().trimmed(); QHostAddress(bind).isNull()) {
        // Not an address (a name such as "localhost", a typo): refused, never taken for "any address".
        m_status->setText(tr("Not started: the bind address \"%1\" is not an IP address (for example 127.0.0.1, ::1 "
                             "or 0.0.0.0).").arg(bind));
        const QSignalBlocker block(m_enabled);
        m_enabled->setChecked(false);
        return;
    }
    if (auto v = config.validate(); !v) {
        m_status->setText(v.error().message);
        const QSignalBlocker block(m_enabled);
        m_enabled->setChecked(false);
        return;
    }
    m_status->setText(tr("Starting..."));
    m_keyWarnings.clear();
    startWithKeys(std::move(config), 0);
}

void ProxyPage::startWithKeys(ProxyConfig config, qsizetype next)
{
    // Keys named by a keychain entry are read one after another; an entry that is not there means
    // "clients send their own key" for that upstream. A keychain that cannot be read at all does not
    // stop the proxy either, but is said (m_keyWarnings): a user who stored a key expects it used.
    while (next < config.upstreams.size() && config.upstreams[next].keychainEntry.isEmpty())
        ++next;
    if (next < config.upstreams.size()) {
        continueOn(m_secrets->read(config.upstreams[next].keychainEntry), this, [this, config, next](Result<QByteArray> key) mutable {
            if (key)
                config.upstreams[next].apiKey = *key;
            else if (key.error().code != ErrorCode::NotFound)
                m_keyWarnings << tr("Upstream %1 runs without its stored key (%2); its clients must send their own key.")
                                     .arg(config.upstreams[next].id, key.error().message);
            startWithKeys(std::move(config), next + 1);
        });
        return;
    }
    continueOn(m_proxy.start(std::move(config)), this, [this](Result<quint16> port) {
        if (!port) {
            m_status->setText(port.error().message);
            const QSignalBlocker block(m_enabled);
            m_enabled->setChecked(false);
        }
        refreshState();
    });
}

void ProxyPage::saveKeyForSelectedUpstream()
{
    const int row = m_upstreams->currentRow();
    const QString entry = row >= 0 ? m_upstreams->keychainEntry(row) : QString();
    if (entry.isEmpty() || m_key->text().isEmpty()) {
        showNotice(tr("Select an upstream with a keychain entry and type its key."));
        return;
    }
    const QByteArray key = m_key->text().toUtf8();
    m_key->clear();
    continueOn(m_secrets->write(entry, key), this, [this, entry](Result<void> r) {
        if (r) {
            m_keyStored.insert(entry, true);
            m_snippet->setPlainText(snippet());
        }
        showNotice(r ? tr("Key saved in the keychain as \"%1\"; it applies the next time the proxy starts.").arg(entry)
                     : r.error().message);
    });
}

void ProxyPage::showRecord(const QModelIndex &index)
{
    const QModelIndex source = m_filter->mapToSource(index);
    if (!source.isValid())
        return;
    // Not modal: the log goes on, and several records can be compared side by side.
    auto *dialog = new RecordDetailsDialog(m_log->record(source.row()), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void ProxyPage::refreshState()
{
    const bool running = m_proxy.isRunning();
    {
        const QSignalBlocker block(m_enabled);
        m_enabled->setChecked(running);
    }
    for (QWidget *w : std::initializer_list<QWidget *>{m_port, m_bind, m_accessToken, m_upstreams, m_storeText})
        w->setEnabled(!running);
    m_limits->setLocked(running);
    if (running)
        m_status->setText((QStringList{tr("Running on %1:%2.").arg(urlHost(m_proxy.config().bindAddress.toString())).arg(m_proxy.port())}
                           + m_keyWarnings)
                              .join(u' '));
    else if (m_status->text().isEmpty() || m_status->text().startsWith(tr("Running")) || m_status->text().startsWith(tr("Stopping")))
        m_status->setText(tr("Stopped."));
    m_snippet->setPlainText(snippet());
    refreshLogEmptyState();
}

void ProxyPage::loadSavingsPolicy()
{
    auto policy = SavingsPolicy::fromSettingsText(m_settings.value(QString::fromLatin1(SavingsPolicy::settingsKey)).toByteArray());
    if (!policy) {
        // A bad stored policy is shown, not applied: the proxy keeps the one it runs with.
        m_savingsNote->setText(tr("The stored savings policy cannot be used: %1").arg(policy.error().message));
        return;
    }
    m_policy = *policy;
    const auto onOff = [this](bool on) { return on ? tr("on") : tr("off"); };
    const auto row = [&](int r, const QString &name, const EndpointSavings &e) {
        m_savings->setItem(r, SavEndpoint, new QTableWidgetItem(name));
        const QString routeMode = e.routeMode == routing::RouteMode::On       ? tr("on")
                                  : e.routeMode == routing::RouteMode::Shadow ? tr("shadow (record only)")
                                                                              : tr("off");
        auto *routingItem = new QTableWidgetItem(routeMode);
        if (e.routeMode != routing::RouteMode::Off && !e.routingRules.isEmpty()) {
            // A scenario's explicit rules (tried first); the Routing page's Model rules tab lists them.
            routingItem->setText(tr("%1; explicit rules: %2").arg(routeMode).arg(e.routingRules.size()));
            QStringList rules;
            for (const routing::ModelRule &rule : e.routingRules)
                rules << rule.describe();
            routingItem->setToolTip(rules.join(u'\n'));
        }
        m_savings->setItem(r, SavRouting, routingItem);
        m_savings->setItem(r, SavExact, new QTableWidgetItem(
                                            !e.exactCache ? tr("proxy-wide setting")
                                            : *e.exactCache ? tr("on, TTL %1 s").arg(e.exactCacheTtlSeconds.value_or(3600))
                                                            : onOff(false)));
        m_savings->setItem(r, SavSemantic, new QTableWidgetItem(
                                               e.semanticCache ? tr("on, threshold %1, TTL %2 s, %3 embeddings")
                                                                     .arg(e.semanticThreshold, 0, 'f', 2)
                                                                     .arg(e.semanticTtlSeconds)
                                                                     .arg(e.embeddingModel)
                                                               : onOff(false)));
        m_savings->setItem(r, SavCompression, new QTableWidgetItem(
                                                  e.compression ? tr("on, budget %1 tokens, summaries by %2")
                                                                      .arg(e.budgetTokens)
                                                                      .arg(e.summaryModel.isEmpty() ? tr("the nano tier") : e.summaryModel)
                                                                : onOff(false)));
    };
    QStringList names = m_policy.endpoints.keys();
    names.sort();
    m_savings->setRowCount(int(names.size()) + 1);
    for (int i = 0; i < names.size(); ++i)
        row(i, names[i], m_policy.endpoints.value(names[i]));
    row(int(names.size()), tr("(other endpoints)"), m_policy.defaults);
    m_savingsNote->setText(m_policy.anyEnabled()
                               ? tr("Savings policy in force (set from the Simulator page with \"Apply to proxy\").")
                               : tr("No savings lever is on. Turn them on per endpoint from the Simulator page with "
                                    "\"Apply to proxy\"."));
    if (m_proxy.isRunning()) {
        continueOn(m_proxy.setSavingsPolicy(m_policy), this, [this](Result<void> r) {
            if (!r)
                m_savingsNote->setText(tr("The new savings policy could not be applied: %1").arg(r.error().message));
        });
    }
}

const CallRecord *ProxyPage::selectedRecord() const
{
    const QModelIndex source = m_filter->mapToSource(m_logView->currentIndex());
    return source.isValid() ? &m_log->record(source.row()) : nullptr;
}

void ProxyPage::updateMarkWrong()
{
    const CallRecord *r = selectedRecord();
    m_markWrong->setEnabled(r && r->cacheOutcome == CacheOutcome::SemanticHit);
}

void ProxyPage::markSelectedHitWrong()
{
    const CallRecord *r = selectedRecord();
    if (!r || r->cacheOutcome != CacheOutcome::SemanticHit)
        return;
    const qint64 id = r->id;
    m_markWrong->setEnabled(false);
    continueOn(m_proxy.markSemanticHitWrong(id), this, [this, id](Result<void> result) {
        showNotice(result ? tr("Record %1: the cached answer was removed; the next similar request goes to the "
                               "provider.")
                                .arg(id)
                          : result.error().message);
    });
}

} // namespace tl
