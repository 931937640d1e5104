#pragma once

#include "common/Money.h"
#include "common/Result.h"

#include <QFuture>
#include <QSqlDatabase>

namespace tl {

class Ledger;
class Pricer;

namespace batch {

struct SavingsBackfillReport
{
    bool alreadyDone = false; // the ledger had been backfilled before: nothing was read
    qint64 checked = 0;       // batch records without a saving that were looked at
    qint64 filled = 0;        // records that got their saving
    qint64 stale = 0;         // records whose stored cost no longer matches the pricer (left alone)
    NanoUsd saved = 0;        // sum of the savings filled in, nano-USD
};

// Batch records priced before TokenLedger kept a batch call's saving (list cost - batch cost, see
// Pricer::apply) have saved_nano = 0. This fills it in, once per ledger (marker "batch_saved_backfill"
// in the meta table), for every batch record with a cost, no saving and a price of its own (not
// "given:" by a report): the record is priced again with `pricer`; when that gives its stored cost and
// price entry (the price it used is still the current one), its saving is written; otherwise its cost
// is stale and it is left for an explicit re-price (Ledger::reprice(), which recomputes both). The
// rollups of the days touched are rebuilt. One transaction: on error nothing changes.
// Units: nano-USD. Errors: Database. Thread affinity: the thread owning `db` (the ledger writer's).
Result<SavingsBackfillReport> backfillBatchSavings(QSqlDatabase &db, const Pricer &pricer);

// The same on the ledger's writer thread, with the ledger's current pricer; non-blocking. The
// composition root queues it when a ledger is opened, before any new record.
QFuture<Result<SavingsBackfillReport>> backfillBatchSavings(Ledger &ledger);

} // namespace batch
} // namespace tl
