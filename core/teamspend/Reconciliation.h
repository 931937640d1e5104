#pragma once

#include "common/Money.h"
#include "common/Result.h"

#include <QList>
#include <QString>

#include <optional>

class QSqlDatabase;

namespace tl {

// One UTC day and model: what the provider billed against what TokenLedger recorded itself (proxy calls
// and Batch API jobs it ran), and where the difference comes from. All amounts nano-USD.
//
//   billed      B: the provider's cost report lines for the day and model (OpenAI costs line items
//                  "<model>, input|cached input|output"; Anthropic cost report rows), as billed.
//   usageCost   U: the provider's usage report for the day and model, priced with TokenLedger's price
//                  book (nullopt when the model has no price: "unpriced").
//   recorded    P: priced cost of the proxy's and batch jobs' records for the day and model.
//   difference  D = B - P (B taken as U when the provider sent no cost line; `billedFromUsage` then).
// Attribution, which adds up to D exactly:
//   outsideProxy    = U - P  calls the team made that did not go through TokenLedger
//   priceDifference = B - U  the provider's prices differ from the price book (discounts, tiers,
//                            a stale book)
//   unpriced        = D      when U is unknown (model not in the price book), the whole difference
//                            (outsideProxy and priceDifference are then 0)
struct ReconciliationRow
{
    qint64 dayUs = 0; // UTC midnight
    QString provider;
    QString model;
    NanoUsd billed = 0;
    bool billedFromUsage = false;
    std::optional<NanoUsd> usageCost;
    qint64 reportedCalls = 0; // usage report num_model_requests (OpenAI; Anthropic reports none: 0)
    NanoUsd recorded = 0;
    qint64 recordedCalls = 0;
    qint64 recordedUnpricedCalls = 0;
    NanoUsd difference = 0;
    std::optional<double> differencePercent; // 100 * D / B; nullopt when B == 0 (display only)
    NanoUsd outsideProxy = 0;
    NanoUsd priceDifference = 0;
    NanoUsd unpriced = 0;
    // The provider sent a cost line or a usage report for the day and model. When not (never synced, or
    // a day the reports do not cover), billed stands in as the recorded cost (difference 0): nothing else
    // is known, and the UI says "no report" rather than show it as billed.
    bool providerReported = false;
};

struct Reconciliation
{
    QList<ReconciliationRow> rows; // by day, provider, model
    NanoUsd billed = 0;
    NanoUsd recorded = 0;
    NanoUsd difference = 0;
    NanoUsd outsideProxy = 0;
    NanoUsd priceDifference = 0;
    NanoUsd unpriced = 0;
    // Rows whose billed amount is unknown: no cost line and a usage-reported model the price book
    // does not know (billedFromUsage && !usageCost). Their billed 0 is not a cost; the totals above
    // leave them out and the UI says how many there are.
    int billedUnknownRows = 0;
    // Rows without any provider report (ReconciliationRow::providerReported false): their "billed" is the
    // recorded cost standing in, so the totals' billed figure includes it; the UI says how many there are.
    int unreportedRows = 0;
};

namespace Reconcile {
// The pure arithmetic of one row, from its inputs (fills difference, percent and attribution).
void attribute(ReconciliationRow &row, std::optional<NanoUsd> billedFromReport);
// Reads the ledger for [fromUs, toUs) (UTC) and builds the rows. Runs on any thread owning `db`
// (Ledger::read). Errors: Database.
Result<Reconciliation> compute(QSqlDatabase &db, qint64 fromUs, qint64 toUs);
} // namespace Reconcile

} // namespace tl
