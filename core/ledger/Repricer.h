#pragma once

#include "common/Result.h"
#include "pricing/Pricer.h"

#include <QSqlDatabase>

namespace tl {

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
// "given:<source>", e.g. provider cost reports or a CSV cost column) with `pricer` (a new price book or new overrides), rebuilds
// the rollups and logs the run in `reprice_log`, all in one transaction: on error nothing changes.
// Thread affinity: the thread owning `db` (the ledger writer's, via LedgerWriter::runExclusive).
namespace Repricer {
Result<RepriceReport> run(QSqlDatabase &db, const Pricer &pricer, qint64 nowUs);
// The latest re-pricing, if any.
Result<std::optional<RepriceReport>> last(QSqlDatabase &db);
} // namespace Repricer

} // namespace tl
