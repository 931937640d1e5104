#pragma once

#include "ledger/CallRecord.h"
#include "proxy/ProxyConfig.h"

#include <QHash>
#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTimer;

namespace tl {

class Proxy;
class ProxyLimitsPanel;
class ProxyLogModel;
class SecretStore;
class Settings;
class UpstreamEditor;

// The Proxy page: on/off toggle, port and bind address (127.0.0.1 by default; another address needs an
// access token), upstreams with their keys kept in the OS keychain (SecretStore), cache settings and
// Clear cache, a copyable client snippet, and the live request log (bounded, filterable) whose rows
// open the record's details. Widgets hold no business logic: starting, stopping and recording are
// Proxy's. Settings keys: proxy/port, proxy/bind, proxy/upstreams (JSON), proxy/cacheEnabled,
// proxy/cacheTtlSeconds, proxy/cacheMaxMiB, proxy/cacheStoreTruncated, proxy/callerSalt, the limits and
// timeouts of the collapsible "Limits and timeouts" group (ProxyLimitsPanel: proxy/<key> for each
// proxyLimits() key, the --config file's names and units), and proxy/savings_policy (read only: the
// Simulator page's "Apply to proxy" writes it; the Savings section shows the per-endpoint policy in
// force and a running proxy takes a new one at once). The request log's "Mark semantic hit wrong"
// removes the semantic-cache entry that answered the selected record (Proxy::markSemanticHitWrong).
// Upstream rows are edited in an UpstreamEditor (kind from a list, add/remove, checks per row); a row
// that cannot be used keeps the proxy from starting. The request log (ProxyLogModel, newest first:
// Time sorted descending) opens a RecordDetailsDialog on Enter or double-click. The state label says
// only the proxy's state ("Running on ...", "Stopped.", why it could not start); results of actions
// (cache cleared, key saved) show for a while in a notice label below it (proxyNotice).
// The client snippet names the base URLs, and for the default upstream of each SDK (the first of its
// dialect) whose key is in the keychain also OPENAI_API_KEY / ANTHROPIC_API_KEY = "tokenledger", which
// the proxy takes as "use this upstream's keychain key" (docs/proxy.md); without a keychain key it
// says that the client's own key passes through. Whether a key is there is read from the SecretStore
// when the page opens and after a key is saved (the key itself is not kept), and from the running
// proxy's config while it runs.
// Thread affinity: GUI thread.
class ProxyPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyPage)

public:
    ProxyPage(Proxy &proxy, Settings &settings, std::shared_ptr<SecretStore> secrets, QWidget *parent = nullptr);

    ProxyLogModel *logModel() const { return m_log; }
    const SavingsPolicy &savingsPolicy() const { return m_policy; }
    // The config the widgets describe (keys not read yet).
    ProxyConfig configFromWidgets() const;
    QString snippet() const;
    // The request log's view (sorted by Time, descending, at first).
    QTableView *logView() const { return m_logView; }
    // The text over the request log while it shows no row (proxyLogEmpty): what to do to fill it, or
    // that the filter hides every row. Hidden while rows show.
    QLabel *logEmptyState() const { return m_logEmpty; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void toggle(bool on);
    void startWithKeys(ProxyConfig config, qsizetype next);
    // Upstreams whose keychain entry could not be read for a reason other than "no key stored"
    // (keychain locked, absent, access refused): shown beside "Running", since their clients must
    // then send their own key. Set by startWithKeys(), cleared by the next start.
    QStringList m_keyWarnings;
    void saveSettings();
    void loadSettings();
    void saveKeyForSelectedUpstream();
    void showRecord(const QModelIndex &index);
    // A result of the user's action, shown in proxyNotice for 10 s (the state label keeps the state).
    void showNotice(const QString &text);
    // Reads which keychain entries of the upstream rows hold a key (m_keyStored), then the snippet.
    void checkStoredKeys();
    bool hasStoredKey(const UpstreamConfig &upstream) const;
    void refreshState();
    void loadSavingsPolicy();
    void markSelectedHitWrong();
    void updateMarkWrong();
    void refreshLogEmptyState();
    const CallRecord *selectedRecord() const;

    Proxy &m_proxy;
    Settings &m_settings;
    std::shared_ptr<SecretStore> m_secrets;
    ProxyLogModel *m_log = nullptr;
    QSortFilterProxyModel *m_filter = nullptr;
    QCheckBox *m_enabled = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_bind = nullptr;
    QLineEdit *m_accessToken = nullptr;
    UpstreamEditor *m_upstreams = nullptr;
    QLineEdit *m_key = nullptr;
    QPushButton *m_saveKey = nullptr;
    QCheckBox *m_cacheEnabled = nullptr;
    QSpinBox *m_cacheTtl = nullptr;
    QSpinBox *m_cacheMax = nullptr;
    QCheckBox *m_cacheStoreTruncated = nullptr;
    ProxyLimitsPanel *m_limits = nullptr;
    QLineEdit *m_storeText = nullptr; // endpoints whose request/response text is kept (comma-separated)
    QPushButton *m_clearCache = nullptr;
    QPlainTextEdit *m_snippet = nullptr;
    QPushButton *m_copySnippet = nullptr;
    QLineEdit *m_logFilter = nullptr;
    QTableView *m_logView = nullptr;
    QLabel *m_logEmpty = nullptr; // a child of m_logView's viewport, covering it
    QLabel *m_status = nullptr;
    QLabel *m_notice = nullptr;
    QTimer *m_noticeTimer = nullptr;
    QHash<QString, bool> m_keyStored; // keychain entry -> a key is stored there (never the key)
    SavingsPolicy m_policy;
    QTableWidget *m_savings = nullptr;
    QLabel *m_savingsNote = nullptr;
    QPushButton *m_markWrong = nullptr;
};

} // namespace tl
