#pragma once

#include "common/Result.h"
#include "pricing/Pricer.h"

#include <QSqlDatabase>

class QSqlQuery;

namespace tl {

class Labels;

struct RepriceReport
{
    qint64 calls = 0;   // records re-priced
    qint64 changed = 0; // records whose cost, status or price entry changed
    NanoUsd costBefore = 0;
    NanoUsd costAfter = 0;
    QString priceVersion;
    qint64 overrideRevision = 0;
    qint64 atUs = 0;
};

// Re-prices every record of the ledger (except those whose cost came with the data: price entry
// "given:<source>", e.g. provider cost reports or a CSV cost column; and calls no provider bills: price
// entry "free:<what>", PendingUsage::kFreePriceEntry) with `pricer` (a new price book or new overrides), rebuilds
// the rollups and logs the run in `reprice_log`, all in one transaction: on error nothing changes.
// Thread affinity: the thread owning `db` (the ledger writer's, via LedgerWriter::runExclusive).
namespace Repricer {
Result<RepriceReport> run(QSqlDatabase &db, const Pricer &pricer, qint64 nowUs);
// What Pricer::apply() needs of a stored call, as a SELECT list: id, started_at_us, provider, requested and
// served model label ids, the usage columns (kUsageColumns), usage_status, web_search_requests and
// context_window (schema v13), the usage parts (kUsagePartColumns, schema v15). Shared by every re-pricing
// reader (this one, batch::backfillBatchSavings) so they map the columns the same way.
QString pricingInputColumns();
// Reads pricingInputColumns() from the current row of `q`, starting at `column` and advancing past them,
// into `r` (label ids resolved through `labels`). Thread affinity: the query's.
void readPricingInput(const QSqlQuery &q, int &column, const Labels &labels, CallRecord &r);
// The latest re-pricing, if any.
Result<std::optional<RepriceReport>> last(QSqlDatabase &db);
} // namespace Repricer

} // namespace tl
