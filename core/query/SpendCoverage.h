#pragma once

#include "common/Result.h"

#include <QList>
#include <QString>
#include <QtGlobal>

#include <algorithm>
#include <map>
#include <utility>

class QSqlDatabase;

namespace tl {

// Which records the spend views (breakdowns, cost over time, unpriced models; so the dashboard and
// `tokenledger report`) count, so that the same spend is never counted twice.
//
// The ledger can hold the same money up to three times: a call the proxy recorded (or a Batch API job
// TokenLedger ran, or a row of an imported file) is also in the provider's organisation usage report
// (Admin API, synced or imported), and the usage report's tokens are billed again as the cost report's
// line items. The rule, per provider and UTC day (the reports' bucket):
//   1. cost report lines (OpenAI costs, Anthropic cost report: what the provider billed) count when
//      there are any for that provider and day;
//   2. else usage report lines (OpenAI completions/embeddings usage, Anthropic usage report, priced
//      with the price book) count when there are any;
//   3. else the call-level records (proxy, batch jobs, imported files) count.
// Why this order: the organisation reports cover every call of the organisation, the ones that never
// went through TokenLedger included, so they are a superset of what TokenLedger recorded; and the cost
// report is the bill itself (discounts, tiers and prices the price book may lack), where a usage report
// is only priced by TokenLedger. A lower kind on a covered day is left out, never added. What was left
// out is reported (SpendSources) and the Team spend page reconciles the kinds against each other.
// Assumption: the admin keys' organisation is the one the proxy's calls are billed to.
namespace SpendCoverage {

enum Rank : int { kRecorded = 0, kUsageReport = 1, kCostReport = 2 };

// SQL fragments over the `calls` table (fixed text, no user values): the report rows, a row's rank,
// its UTC day (microseconds), and the condition that keeps call-level rows only.
extern const QString kReportRowsSql; // source_kind = ProviderReport
extern const QString kRankSql;
extern const QString kDaySql;
extern const QString kCallLevelRowsSql; // " AND source_kind <> <ProviderReport>"

struct Coverage
{
    // (provider label id, UTC day start us) -> highest report rank that day (kUsageReport or kCostReport).
    std::map<std::pair<qint64, qint64>, int> ranks;
    // Per provider label id: [from, to) spans of whole UTC days a report covers (consecutive days merged),
    // where call-level records do not count.
    std::map<qint64, QList<std::pair<qint64, qint64>>> superseded;

    // Calls `take(providerId, from, to)` for each superseded span clipped to [fromUs, toUs), in order;
    // stops at the first error `take` returns (a Result<void>) and returns it.
    template <typename Take>
    Result<void> forEachSuperseded(qint64 fromUs, qint64 toUs, Take &&take) const
    {
        for (const auto &[providerId, spans] : superseded) {
            for (const auto &[from, to] : spans) {
                if (auto r = take(providerId, std::max(from, fromUs), std::min(to, toUs)); !r)
                    return r;
            }
        }
        return {};
    }

    // The rank that counts on that provider's day (kRecorded when no report covers it).
    int rankOf(qint64 providerId, qint64 dayUs) const
    {
        const auto it = ranks.find({providerId, dayUs});
        return it == ranks.end() ? kRecorded : it->second;
    }
};

// The report coverage of the UTC days that [fromUs, toUs) touches. Reads the report rows only (partial
// index calls_reports, schema v12). Thread: the one owning `db`. Errors: Database.
Result<Coverage> load(QSqlDatabase &db, qint64 fromUs, qint64 toUs);

} // namespace SpendCoverage

} // namespace tl
