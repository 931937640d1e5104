#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"
#include "pricing/Pricer.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tl::PendingUsage {

// Usage a provider reports after the call that incurred it: an OpenAI background response (guide
// "Background mode", developers.openai.com/docs/guides/background; API reference "Responses": create,
// retrieve, cancel). The shapes relied on:
//  - POST /v1/responses with "background": true answers at once with the response object whose "status"
//    is "queued" or "in_progress" and whose "usage" is null; its "id" ("resp_...") names it.
//  - GET /v1/responses/{id} (and POST /v1/responses/{id}/cancel) answer the same response object; once
//    "status" is terminal ("completed", "failed", "cancelled", "incomplete": "When it leaves these states,
//    it has reached a final (terminal) state") its "usage" is the whole call's, in the create's shape
//    (ProviderUsage::fromOpenAiResponses; web searches from its "output" items). A streamed retrieve
//    (?stream=true) carries it in response.completed / response.incomplete / response.failed.
//  - A streamed background create ("stream": true) carries its usage in response.completed like any
//    stream; if that stream is cut, the response runs on and a retrieve tells its usage.
//
// The proxy records the create with UsageStatus::Pending (cost NULL, never $0) and links it to the
// response by the record's source key: sourceKey(caller id, response id, record id), unique per record, so
// the link is written with the record (same transaction) and survives restarts. The first retrieve through
// the proxy, by the same caller, that returns a terminal status settles it once: settle() gives the create
// record that usage and its cost; a later retrieve finds no pending record and changes nothing. The
// retrieves themselves are free calls (ClientConnection: cost 0, price entry kFreePriceEntry).

// The price entry of a call the provider does not bill (retrieving or cancelling a response): cost 0,
// exact, and kept as it is by re-pricing (Repricer skips "free:" entries as it skips "given:" ones).
inline constexpr QLatin1StringView kFreePriceEntry{"free:responses.retrieve"};

// "openai-response:<callerId>:<responseId>#<recordId>". Caller id: CallRecord::keyId (k_ + 16 hex).
QString sourceKey(const QString &callerId, const QString &responseId, qint64 recordId);

struct Settlement
{
    QString callerId;   // the retrieving caller's identity (CallRecord::keyId): only its own records match
    QString responseId; // "resp_..."
    Usage usage;        // the terminal response's usage (tokens; webSearchRequests: searches)
    // Complete with the provider's usage; Unknown for a terminal response without usage (the record is
    // then settled unpriced, no longer pending).
    UsageStatus usageStatus = UsageStatus::Complete;
    QString status;     // the terminal status: "completed", "failed", "cancelled", "incomplete"
};

// What a settlement gave a pending record: the columns it changed, for views that hold a copy of the
// record (the Proxy page's live log: Ledger::recordSettled). applyTo() writes them into such a copy.
struct Settled
{
    qint64 id = 0; // the record's (CallRecord::id)
    Usage usage;
    UsageStatus usageStatus = UsageStatus::Complete;
    std::optional<NanoUsd> cost; // nullopt: unpriced
    CostStatus costStatus = CostStatus::Unpriced;
    QString priceEntry;
    QString priceVersion;
    NanoUsd savedCost = 0;
    bool truncated = false;
    QString errorKind; // "upstream_failed", "cancelled"; "" leaves the record's own

    void applyTo(CallRecord &record) const;
};

// Settles the caller's pending record of `responseId`, if any: its usage columns, usage status, cost
// (Pricer::apply with the record's own provider, model and start time), cost status, price entry and
// version; "incomplete" marks it truncated, "failed" / "cancelled" set error_kind "upstream_failed" /
// "cancelled". The hourly, daily and weekly rollups get the row's difference (the same expressions as
// LedgerQueries' raw metrics), in one transaction with the row: on error nothing changes.
// Returns what the settled record now holds (its id and the changed columns), or nullopt when no pending record matched
// (another caller's, settled already, or not a background create recorded by this proxy). Errors: Database with
// SQLite's message. Thread affinity: the thread owning `db` (the ledger writer's: Ledger::settlePendingUsage()).
Result<std::optional<Settled>> settle(QSqlDatabase &db, const Pricer &pricer, const Settlement &settlement);

} // namespace tl::PendingUsage
