#include "Reconciliation.h"

#include "ledger/CallRecord.h"

#include <QSqlError>
#include <QSqlQuery>

#include <map>
#include <tuple>

using namespace Qt::StringLiterals;

namespace tl::Reconcile {

void attribute(ReconciliationRow &row, std::optional<NanoUsd> billedFromReport)
{
    row.billedFromUsage = !billedFromReport.has_value();
    row.billed = billedFromReport ? *billedFromReport : row.usageCost.value_or(0);
    row.difference = row.billed - row.recorded;
    row.differencePercent = row.billed != 0 ? std::optional<double>(100.0 * double(row.difference) / double(row.billed))
                                            : std::nullopt;
    if (row.usageCost) {
        row.outsideProxy = *row.usageCost - row.recorded;
        row.priceDifference = row.billed - *row.usageCost;
        row.unpriced = 0;
    } else {
        row.outsideProxy = 0;
        row.priceDifference = 0;
        row.unpriced = row.difference;
    }
}

Result<Reconciliation> compute(QSqlDatabase &db, qint64 fromUs, qint64 toUs)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(uR"(SELECT (c.started_at_us - ((c.started_at_us % 86400000000) + 86400000000) % 86400000000) AS day,
        p.name, m.name, c.source_kind, (c.price_entry LIKE 'given:%') AS given,
        SUM(COALESCE(c.cost_nano, 0)), SUM(c.call_count), SUM(CASE WHEN c.cost_nano IS NULL THEN 1 ELSE 0 END)
        FROM calls c JOIN labels p ON p.id = c.provider_id JOIN labels m ON m.id = c.served_model_id
        WHERE c.started_at_us >= :from AND c.started_at_us < :to AND c.source_kind IN (:proxy, :batch, :report)
        GROUP BY 1, 2, 3, 4, 5)"_s);
    q.bindValue(u":from"_s, fromUs);
    q.bindValue(u":to"_s, toUs);
    q.bindValue(u":proxy"_s, int(SourceKind::Proxy));
    q.bindValue(u":batch"_s, int(SourceKind::BatchJob));
    q.bindValue(u":report"_s, int(SourceKind::ProviderReport));
    if (!q.exec())
        return fail(ErrorCode::Database, QObject::tr("Database error: %1").arg(q.lastError().text()));

    struct Acc
    {
        std::optional<NanoUsd> billed;
        bool hasUsage = false;
        bool usageUnpriced = false;
        NanoUsd usage = 0;
        qint64 reportedCalls = 0;
        NanoUsd recorded = 0;
        qint64 recordedCalls = 0;
        qint64 recordedUnpriced = 0;
    };
    std::map<std::tuple<qint64, QString, QString>, Acc> acc;
    while (q.next()) {
        Acc &a = acc[{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString()}];
        const auto kind = SourceKind(q.value(3).toInt());
        const bool given = q.value(4).toInt() != 0;
        const NanoUsd cost = q.value(5).toLongLong();
        const qint64 calls = q.value(6).toLongLong();
        const qint64 unpricedRows = q.value(7).toLongLong();
        if (kind == SourceKind::ProviderReport && given) {
            a.billed = a.billed.value_or(0) + cost;
        } else if (kind == SourceKind::ProviderReport) {
            a.hasUsage = true;
            a.usage += cost;
            a.usageUnpriced = a.usageUnpriced || unpricedRows > 0;
            a.reportedCalls += calls;
        } else {
            a.recorded += cost;
            a.recordedCalls += calls;
            a.recordedUnpriced += unpricedRows;
        }
    }

    Reconciliation out;
    for (const auto &[k, a] : acc) {
        ReconciliationRow row;
        row.dayUs = std::get<0>(k);
        row.provider = std::get<1>(k);
        row.model = std::get<2>(k);
        if (a.hasUsage && !a.usageUnpriced)
            row.usageCost = a.usage;
        else if (!a.hasUsage && a.recordedUnpriced == 0)
            row.usageCost = a.recorded; // no usage report: nothing outside the proxy is known
        row.providerReported = a.hasUsage || a.billed.has_value();
        row.reportedCalls = a.reportedCalls;
        row.recorded = a.recorded;
        row.recordedCalls = a.recordedCalls;
        row.recordedUnpricedCalls = a.recordedUnpriced;
        attribute(row, a.billed);
        out.rows.append(row);
        out.billed += row.billed;
        out.recorded += row.recorded;
        out.difference += row.difference;
        out.outsideProxy += row.outsideProxy;
        out.priceDifference += row.priceDifference;
        out.unpriced += row.unpriced;
        if (row.billedFromUsage && !row.usageCost)
            ++out.billedUnknownRows;
        if (!row.providerReported)
            ++out.unreportedRows;
    }
    return out;
}

} // namespace tl::Reconcile
