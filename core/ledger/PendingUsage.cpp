#include "PendingUsage.h"

#include "ledger/Repricer.h"
#include "ledger/RollupPeriods.h"
#include "query/Labels.h"
#include "query/LedgerQueries.h"

#include <QSqlError>
#include <QSqlQuery>

#include <array>

using namespace Qt::StringLiterals;

namespace tl::PendingUsage {

namespace {

// One call's share of the rollups: its key and the metrics a settlement can change, with the same
// expressions as LedgerQueries' kRawMetrics (calls and latency do not change).
constexpr int kMetrics = 10;
struct Share
{
    qint64 hour = 0, endpoint = 0, model = 0, key = 0, provider = 0, batch = 0;
    std::array<qint64, kMetrics> metrics{};
};

const char16_t kShareSql[] = uR"(SELECT (started_at_us - ((started_at_us % 3600000000) + 3600000000) % 3600000000),
    endpoint_id, served_model_id, key_id, provider_id, batch, prompt_tokens, cached_tokens,
    cache_write_5m_tokens + cache_write_1h_tokens, completion_tokens, reasoning_tokens, COALESCE(cost_nano, 0),
    (cost_nano IS NULL) * call_count, (cost_status = 1) * call_count, saved_nano,
    (http_status >= 400 OR error_kind <> '') * call_count FROM calls WHERE id = ?)";

// The rollup columns of Share::metrics, in order.
const char16_t kRollupSet[] = uR"(prompt_tokens = prompt_tokens + ?, cached_tokens = cached_tokens + ?,
    cache_write_tokens = cache_write_tokens + ?, completion_tokens = completion_tokens + ?,
    reasoning_tokens = reasoning_tokens + ?, cost_nano = cost_nano + ?, unpriced_calls = unpriced_calls + ?,
    estimated_calls = estimated_calls + ?, saved_nano = saved_nano + ?, error_calls = error_calls + ?)";

Result<Share> shareOf(QSqlDatabase &db, qint64 id)
{
    QSqlQuery q(db);
    q.prepare(QString::fromUtf16(kShareSql));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return fail(ErrorCode::Database, QObject::tr("Cannot read the call %1: %2").arg(id).arg(q.lastError().text()));
    Share s;
    int i = 0;
    for (qint64 *v : {&s.hour, &s.endpoint, &s.model, &s.key, &s.provider, &s.batch})
        *v = q.value(i++).toLongLong();
    for (qint64 &m : s.metrics)
        m = q.value(i++).toLongLong();
    return s;
}

bool allDigits(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

} // namespace

QString sourceKey(const QString &callerId, const QString &responseId, qint64 recordId)
{
    return u"openai-response:"_s + callerId + u':' + responseId + u'#' + QString::number(recordId);
}

void Settled::applyTo(CallRecord &record) const
{
    record.usage = usage;
    record.usageStatus = usageStatus;
    record.cost = cost;
    record.costStatus = costStatus;
    record.priceEntry = priceEntry;
    record.priceVersion = priceVersion;
    record.savedCost = savedCost;
    record.truncated = truncated;
    if (!errorKind.isEmpty())
        record.errorKind = errorKind;
}

Result<std::optional<Settled>> settle(QSqlDatabase &db, const Pricer &pricer, const Settlement &s)
{
    auto dbFail = [&](const QSqlQuery &q) {
        db.rollback();
        return fail(ErrorCode::Database, QObject::tr("Settling a background response failed: %1").arg(q.lastError().text()));
    };
    if (s.callerId.isEmpty() || s.responseId.isEmpty())
        return std::optional<Settled>();
    if (!db.transaction())
        return fail(ErrorCode::Database, QObject::tr("Settling a background response failed: %1").arg(db.lastError().text()));
    // The caller's pending records of this response (one, unless an upstream gave an id twice: the
    // oldest first); the source key's unique index finds them.
    const QString prefix = sourceKey(s.callerId, s.responseId, 0).chopped(1);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT source_key, "_s + Repricer::pricingInputColumns()
              + u", cache_outcome, batch, call_count FROM calls WHERE source_key >= ? AND source_key < ? "
                u"AND usage_status = ? ORDER BY id"_s);
    q.addBindValue(prefix);
    q.addBindValue(QString(prefix + QChar(0x7f)));
    q.addBindValue(int(UsageStatus::Pending));
    if (!q.exec())
        return dbFail(q);
    std::optional<CallRecord> found;
    const Labels labels = Labels::load(db);
    while (q.next()) {
        // The key names exactly this response: "<prefix><record id>" (a longer response id sharing the
        // prefix has more than digits after it).
        if (!allDigits(QStringView(q.value(0).toString()).mid(prefix.size())))
            continue;
        CallRecord r;
        int i = 1;
        Repricer::readPricingInput(q, i, labels, r);
        r.cacheOutcome = CacheOutcome(q.value(i++).toInt());
        r.batch = q.value(i++).toInt() != 0;
        r.callCount = q.value(i++).toLongLong();
        found = std::move(r);
        break;
    }
    q.finish();
    if (!found) {
        db.rollback();
        return std::optional<Settled>();
    }
    CallRecord &r = *found;
    const auto before = shareOf(db, r.id);
    if (!before) {
        db.rollback();
        return std::unexpected(before.error());
    }
    r.usage = s.usage;
    r.usageStatus = s.usageStatus;
    pricer.apply(r); // Unknown (or untrustworthy) usage: unpriced, cost NULL
    const QString errorKind = s.status == "failed"_L1 ? u"upstream_failed"_s
        : s.status == "cancelled"_L1                  ? u"cancelled"_s
                                                      : QString();
    QSqlQuery update(db);
    update.prepare(uR"(UPDATE calls SET prompt_tokens = ?, cached_tokens = ?, cache_write_5m_tokens = ?,
        cache_write_1h_tokens = ?, completion_tokens = ?, reasoning_tokens = ?, audio_input_tokens = ?,
        audio_output_tokens = ?, image_input_tokens = ?, web_search_requests = ?, cached_audio_tokens = ?,
        cached_image_tokens = ?, output_image_tokens = ?, citation_tokens = ?, file_search_calls = ?,
        usage_status = ?, cost_nano = ?, cost_status = ?, price_entry = ?, price_version = ?, saved_nano = ?, truncated = ?,
        error_kind = CASE WHEN ? = '' THEN error_kind ELSE ? END WHERE id = ?)"_s);
    const Usage &u = r.usage;
    for (qint64 v : {u.promptTokens, u.cachedTokens, u.cacheWrite5mTokens, u.cacheWrite1hTokens, u.completionTokens,
                     u.reasoningTokens, u.audioInputTokens, u.audioOutputTokens, u.imageInputTokens, u.webSearchRequests,
                     u.cachedAudioTokens, u.cachedImageTokens, u.outputImageTokens, u.citationTokens,
                     u.fileSearchCalls})
        update.addBindValue(v);
    update.addBindValue(int(r.usageStatus));
    update.addBindValue(r.cost ? QVariant(*r.cost) : QVariant(QMetaType::fromType<qint64>()));
    update.addBindValue(int(r.costStatus));
    update.addBindValue(r.priceEntry.isNull() ? u""_s : r.priceEntry);
    update.addBindValue(r.priceVersion.isNull() ? u""_s : r.priceVersion);
    update.addBindValue(r.savedCost);
    update.addBindValue(s.status == "incomplete"_L1 ? 1 : 0);
    update.addBindValue(errorKind.isNull() ? u""_s : errorKind);
    update.addBindValue(errorKind.isNull() ? u""_s : errorKind);
    update.addBindValue(r.id);
    if (!update.exec())
        return dbFail(update);
    const auto after = shareOf(db, r.id);
    if (!after) {
        db.rollback();
        return std::unexpected(after.error());
    }
    // The rollups get the row's difference at each level (the row's key did not change).
    const std::pair<const char16_t *, qint64> levels[] = {
        {u"rollup_hour SET %1 WHERE hour_us", before->hour},
        {u"rollup_day SET %1 WHERE day_us", RollupPeriods::dayOf(before->hour)},
        {u"rollup_week SET %1 WHERE week_us", RollupPeriods::weekOf(before->hour)},
    };
    for (const auto &[table, period] : levels) {
        QSqlQuery roll(db);
        roll.prepare(u"UPDATE "_s + QString::fromUtf16(table).arg(QString::fromUtf16(kRollupSet))
                     + u" = ? AND endpoint_id = ? AND model_id = ? AND key_id = ? AND provider_id = ? AND batch = ?"_s);
        for (int m = 0; m < kMetrics; ++m)
            roll.addBindValue(after->metrics[size_t(m)] - before->metrics[size_t(m)]);
        for (qint64 v : {period, before->endpoint, before->model, before->key, before->provider, before->batch})
            roll.addBindValue(v);
        if (!roll.exec())
            return dbFail(roll);
        if (roll.numRowsAffected() != 1) {
            // No rollup row for the call (not expected for a proxy record): rebuild that day from the rows.
            if (auto rebuilt = LedgerQueries::rebuildRollups(db, r.startedAtUs, r.startedAtUs + 1); !rebuilt) {
                db.rollback();
                return std::unexpected(rebuilt.error());
            }
            break;
        }
    }
    if (!db.commit())
        return fail(ErrorCode::Database, QObject::tr("Settling a background response failed: %1").arg(db.lastError().text()));
    Settled settled;
    settled.id = r.id;
    settled.usage = r.usage;
    settled.usageStatus = r.usageStatus;
    settled.cost = r.cost;
    settled.costStatus = r.costStatus;
    settled.priceEntry = r.priceEntry.isNull() ? u""_s : r.priceEntry;
    settled.priceVersion = r.priceVersion.isNull() ? u""_s : r.priceVersion;
    settled.savedCost = r.savedCost;
    settled.truncated = s.status == "incomplete"_L1;
    settled.errorKind = errorKind.isNull() ? u""_s : errorKind;
    return std::optional<Settled>(std::move(settled));
}

} // namespace tl::PendingUsage
