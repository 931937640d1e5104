#include "Repricer.h"

#include "ledger/UsageColumns.h"
#include "query/Labels.h"
#include "query/LedgerQueries.h"

#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace tl {

namespace Repricer {

Result<RepriceReport> run(QSqlDatabase &db, const Pricer &pricer, qint64 nowUs)
{
    const Labels labels = Labels::load(db);
    RepriceReport report;
    report.priceVersion = pricer.book().version();
    for (const PriceOverride &o : pricer.overrides())
        report.overrideRevision = std::max(report.overrideRevision, o.revision);
    report.atUs = nowUs;

    auto dbFail = [&](const QSqlQuery &q) {
        db.rollback();
        return fail(ErrorCode::Database, QObject::tr("Re-pricing failed: %1").arg(q.lastError().text()));
    };
    if (!db.transaction())
        return fail(ErrorCode::Database, QObject::tr("Re-pricing failed: %1").arg(db.lastError().text()));

    QSqlQuery update(db);
    update.prepare(u"UPDATE calls SET cost_nano = ?, cost_status = ?, price_entry = ?, price_version = ?, "
                   u"saved_nano = ? WHERE id = ?"_s);
    qint64 lastId = 0;
    constexpr int kChunk = 20000;
    for (;;) {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        q.prepare(u"SELECT "_s + Repricer::pricingInputColumns() + uR"(, cost_nano, cost_status, price_entry, cache_outcome, batch, saved_nano,
            call_count FROM calls WHERE id > ? AND price_entry NOT LIKE 'given:%' AND price_entry NOT LIKE 'free:%'
            ORDER BY id LIMIT ?)"_s);
        q.addBindValue(lastId);
        q.addBindValue(kChunk);
        if (!q.exec())
            return dbFail(q);
        struct Change
        {
            qint64 id;
            CallRecord r;
        };
        std::vector<Change> changes;
        int rows = 0;
        while (q.next()) {
            ++rows;
            CallRecord r;
            int i = 0;
            Repricer::readPricingInput(q, i, labels, r);
            const QVariant oldCost = q.value(i++);
            const int oldStatus = q.value(i++).toInt();
            const QString oldEntry = q.value(i++).toString();
            r.cacheOutcome = CacheOutcome(q.value(i++).toInt());
            r.batch = q.value(i++).toInt() != 0;
            const qint64 oldSaved = q.value(i++).toLongLong();
            r.callCount = q.value(i++).toLongLong();
            lastId = r.id;
            report.costBefore += oldCost.toLongLong();
            pricer.apply(r);
            report.costAfter += r.cost.value_or(0);
            ++report.calls;
            const bool same = (oldCost.isNull() ? !r.cost : (r.cost && *r.cost == oldCost.toLongLong()))
                && oldStatus == int(r.costStatus) && oldEntry == r.priceEntry && oldSaved == r.savedCost;
            if (!same)
                changes.push_back({r.id, std::move(r)});
        }
        q.finish();
        for (const Change &c : changes) {
            update.bindValue(0, c.r.cost ? QVariant(*c.r.cost) : QVariant(QMetaType::fromType<qint64>()));
            update.bindValue(1, int(c.r.costStatus));
            update.bindValue(2, c.r.priceEntry);
            update.bindValue(3, c.r.priceVersion);
            update.bindValue(4, c.r.savedCost);
            update.bindValue(5, c.id);
            if (!update.exec())
                return dbFail(update);
            ++report.changed;
        }
        if (rows < kChunk)
            break;
    }
    if (auto r = LedgerQueries::rebuildRollups(db); !r) {
        db.rollback();
        return std::unexpected(r.error());
    }
    QSqlQuery log(db);
    log.prepare(u"INSERT INTO reprice_log (at_us, price_version, override_revision, calls, cost_before_nano, "
                u"cost_after_nano) VALUES (?, ?, ?, ?, ?, ?)"_s);
    for (const QVariant &v : QVariantList{report.atUs, report.priceVersion, report.overrideRevision, report.calls,
                                          report.costBefore, report.costAfter})
        log.addBindValue(v);
    if (!log.exec())
        return dbFail(log);
    if (!db.commit())
        return fail(ErrorCode::Database, QObject::tr("Re-pricing failed: %1").arg(db.lastError().text()));
    return report;
}

Result<std::optional<RepriceReport>> last(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(u"SELECT at_us, price_version, override_revision, calls, cost_before_nano, cost_after_nano "
                u"FROM reprice_log ORDER BY id DESC LIMIT 1"_s))
        return fail(ErrorCode::Database, q.lastError().text());
    if (!q.next())
        return std::optional<RepriceReport>();
    RepriceReport r;
    r.atUs = q.value(0).toLongLong();
    r.priceVersion = q.value(1).toString();
    r.overrideRevision = q.value(2).toLongLong();
    r.calls = q.value(3).toLongLong();
    r.costBefore = q.value(4).toLongLong();
    r.costAfter = q.value(5).toLongLong();
    return std::optional<RepriceReport>(r);
}

} // namespace Repricer

QString Repricer::pricingInputColumns()
{
    return u"id, started_at_us, provider_id, requested_model_id, served_model_id, "_s + kUsageColumns
           + u", usage_status, web_search_requests, context_window, "_s + kUsagePartColumns;
}

void Repricer::readPricingInput(const QSqlQuery &q, int &column, const Labels &labels, CallRecord &r)
{
    r.id = q.value(column++).toLongLong();
    r.startedAtUs = q.value(column++).toLongLong();
    r.provider = labels.name(q.value(column++).toLongLong());
    r.requestedModel = labels.name(q.value(column++).toLongLong());
    r.servedModel = labels.name(q.value(column++).toLongLong());
    r.usage = readUsage(q, column);
    r.usageStatus = UsageStatus(q.value(column++).toInt());
    r.usage.webSearchRequests = q.value(column++).toLongLong();
    r.contextWindow = q.value(column++).toString();
    readUsageParts(q, column, r.usage);
}

} // namespace tl
