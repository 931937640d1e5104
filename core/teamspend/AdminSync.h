#pragma once

#include "batch/ApiHttp.h"
#include "common/Result.h"

#include <QCoroTask>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace tl {

class Ledger;
class SecretStore;

// The five organisation reports the Admin APIs publish.
//  - OpenAiUsage: GET /v1/organization/usage/completions (bucket_width=1d, grouped by project_id,
//    api_key_id, model, batch; OpenAI API reference "Usage").
//  - OpenAiEmbeddingsUsage: GET /v1/organization/usage/embeddings (bucket_width=1d, grouped by project_id,
//    api_key_id, model; OpenAI API reference "Usage", embeddings: input_tokens, num_model_requests).
//  - OpenAiCosts: GET /v1/organization/costs (bucket_width=1d, grouped by project_id, line_item;
//    "Costs"). Amounts in USD.
//  - AnthropicUsage: GET /v1/organizations/usage_report/messages (bucket_width=1d, grouped by api_key_id,
//    workspace_id, model, service_tier, context_window; Anthropic Admin API "Usage and Cost API").
//  - AnthropicCost: GET /v1/organizations/cost_report (grouped by workspace_id, description); amounts are
//    decimal strings in cents.
// Pagination: has_more / next_page, passed back as `page`.
// Each source has its own import format and record source keys "<toString(source)>:..."; a resync of one
// source deletes only keys in ["<name>:", "<name>;"), so it never touches another source's records.
enum class ReportSource { OpenAiUsage, OpenAiEmbeddingsUsage, OpenAiCosts, AnthropicUsage, AnthropicCost };
// "openai-usage", "openai-embeddings-usage", "openai-costs", "anthropic-usage", "anthropic-cost"
QString toString(ReportSource s);
QList<ReportSource> allReportSources(); // in the order above

struct AdminSyncConfig
{
    QUrl openAiBaseUrl = QUrl(QStringLiteral("https://api.openai.com/v1"));
    QUrl anthropicBaseUrl = QUrl(QStringLiteral("https://api.anthropic.com/v1"));
    // Keychain entries (SecretStore names) of the admin keys. The keys are nowhere else.
    QString openAiAdminKeyName = QStringLiteral("admin/openai");
    QString anthropicAdminKeyName = QStringLiteral("admin/anthropic");
    int firstSyncDays = 30;             // history the first sync of a source fetches, in days
    qint64 settleUs = 6ll * 3600 * 1'000'000; // a UTC day is complete once it ended this long ago
    int pageLimit = 31;                 // buckets per page asked for (both APIs allow 31 daily buckets)
    RetryPolicy retry;                  // 429 (Retry-After), 5xx and network errors
    Sleeper sleeper = defaultSleeper();
    std::function<qint64()> nowUs;      // UTC microseconds; default: the system clock
    // The install's caller salt (Settings::callerSalt(), as `import` and the proxy use): a report's key id that
    // looks like an API key (keyIdLooksSecret) is stored as callerIdentity(callerSalt, key), the id the proxy
    // gives calls made with that key. Empty: hashed with an empty salt (not the proxy's id).
    QByteArray callerSalt;
};

// What one source's sync did.
struct SourceSyncReport
{
    ReportSource source = ReportSource::OpenAiUsage;
    bool ok = false;
    QString error;           // what failed ("" when ok); never contains a key
    qint64 fromUs = 0;       // first day fetched (UTC midnight)
    qint64 toUs = 0;         // end of the window (exclusive)
    int pages = 0;           // pages fetched
    qint64 replaced = 0;     // records of re-fetched (incomplete) days removed before the new ones went in
    qint64 imported = 0;     // records added
    qint64 duplicates = 0;   // lines already in the ledger (same source key)
    qint64 completeBeforeUs = 0; // days before this are complete and are not fetched again
};

struct SyncReport
{
    QList<SourceSyncReport> sources;
    bool ok() const;
    QString summary() const; // one line per source, for the UI and the CLI
};

// Pulls organisation usage and cost reports from the OpenAI and Anthropic Admin APIs into the ledger as
// aggregate records (SourceKind::ProviderReport), through ReportImport (the same parser as a saved
// report file).
//
// Incremental: per source, the ledger's report_sync table keeps a watermark; days before it are complete
// and never fetched again. A sync fetches every page from the watermark to now, and only when all of
// them arrived does it replace the source's records of those days (delete + rollup rebuild in one
// transaction on the writer thread, then the import) and move the watermark to the start of the first
// day that is not yet complete. A failed sync (network, HTTP error after retries, bad page) changes
// nothing for that source, so earlier data stays intact and the next sync fetches the same window again;
// the source keys of ReportImport keep a repeated import from adding anything.
//
// Thread affinity: the thread of `network` (GUI thread). Keys are read from `secrets` per sync.
class AdminSync final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminSync)

public:
    AdminSync(Ledger &ledger, SecretStore &secrets, QNetworkAccessManager &network, AdminSyncConfig config = {},
              QObject *parent = nullptr);
    // The same, sharing ownership of the keychain and the network manager: they stay alive as long as
    // this service, whatever else (a window) goes first. What the app's composition root uses.
    AdminSync(Ledger &ledger, std::shared_ptr<SecretStore> secrets, std::shared_ptr<QNetworkAccessManager> network,
              AdminSyncConfig config = {}, QObject *parent = nullptr);
    ~AdminSync() override;

    // Stores an admin key in the keychain (and nowhere else). provider: "openai" or "anthropic".
    QCoro::Task<Async<void>> setAdminKey(QString provider, QByteArray key);

    // The sources of every provider whose admin key is in the keychain (a missing or unreadable key
    // leaves that provider out), in allReportSources() order.
    QCoro::Task<QList<ReportSource>> sourcesWithKeys();
    // The same, with why each provider was left out: the keychain's error text ("No key is stored ...",
    // "No keychain is available ...", a D-Bus failure), or that its entry is empty; identical texts
    // once. Never the key itself.
    struct KeyedSources
    {
        QList<ReportSource> sources;
        QStringList leftOut;
    };
    QCoro::Task<KeyedSources> sourcesWithKeysAndReasons();

    // Syncs the given sources one after the other; a failure of one does not stop the others.
    QCoro::Task<SyncReport> sync(QList<ReportSource> sources = allReportSources());

    const ApiHttp &http() const { return m_http; }

Q_SIGNALS:
    void progress(const QString &message);

private:
    QCoro::Task<SourceSyncReport> syncSource(ReportSource source);
    qint64 now() const;

    // Declared first, so destroyed last: m_http and m_secrets refer to them (null when not owned).
    std::shared_ptr<SecretStore> m_secretsOwner;
    std::shared_ptr<QNetworkAccessManager> m_networkOwner;
    Ledger &m_ledger;
    SecretStore &m_secrets;
    AdminSyncConfig m_config;
    ApiHttp m_http;
};

} // namespace tl
