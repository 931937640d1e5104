#include "AnswerCut.h"

#include "ledger/RollupPeriods.h"
#include "query/LedgerQueries.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace tl::AnswerCut {

Result<bool> mark(QSqlDatabase &db, qint64 recordId, const QString &errorKind)
{
    auto dbFail = [&](const QString &message) {
        db.rollback();
        return fail(ErrorCode::Database, QObject::tr("Marking call %1 as cut failed: %2").arg(recordId).arg(message));
    };
    if (!db.transaction())
        return fail(ErrorCode::Database,
                    QObject::tr("Marking call %1 as cut failed: %2").arg(recordId).arg(db.lastError().text()));
    QSqlQuery q(db);
    q.prepare(uR"(SELECT started_at_us, endpoint_id, served_model_id, key_id, provider_id, batch, call_count,
        http_status FROM calls WHERE id = ? AND error_kind = '')"_s);
    q.addBindValue(recordId);
    if (!q.exec())
        return dbFail(q.lastError().text());
    if (!q.next()) {
        db.rollback();
        return false;
    }
    const qint64 startedAt = q.value(0).toLongLong();
    const qint64 endpoint = q.value(1).toLongLong(), model = q.value(2).toLongLong(), key = q.value(3).toLongLong();
    const qint64 provider = q.value(4).toLongLong(), batch = q.value(5).toLongLong();
    const qint64 callCount = q.value(6).toLongLong();
    // An http_status of 400 or more counted the call as an error already.
    const qint64 newErrors = q.value(7).toInt() >= 400 ? 0 : callCount;
    q.finish();
    QSqlQuery update(db);
    update.prepare(u"UPDATE calls SET error_kind = ? WHERE id = ?"_s);
    update.addBindValue(errorKind);
    update.addBindValue(recordId);
    if (!update.exec())
        return dbFail(update.lastError().text());
    if (newErrors != 0) {
        const std::pair<const char16_t *, qint64> levels[] = {
            {u"rollup_hour SET error_calls = error_calls + ? WHERE hour_us", RollupPeriods::hourOf(startedAt)},
            {u"rollup_day SET error_calls = error_calls + ? WHERE day_us", RollupPeriods::dayOf(startedAt)},
            {u"rollup_week SET error_calls = error_calls + ? WHERE week_us", RollupPeriods::weekOf(startedAt)},
        };
        for (const auto &[table, period] : levels) {
            QSqlQuery roll(db);
            roll.prepare(u"UPDATE "_s + QString::fromUtf16(table)
                         + u" = ? AND endpoint_id = ? AND model_id = ? AND key_id = ? AND provider_id = ? AND batch = ?"_s);
            for (qint64 v : {newErrors, period, endpoint, model, key, provider, batch})
                roll.addBindValue(v);
            if (!roll.exec())
                return dbFail(roll.lastError().text());
            if (roll.numRowsAffected() != 1) {
                // No rollup row for the call (not expected for a proxy record): rebuild its span from the rows.
                if (auto rebuilt = LedgerQueries::rebuildRollups(db, startedAt, startedAt + 1); !rebuilt) {
                    db.rollback();
                    return std::unexpected(rebuilt.error());
                }
                break;
            }
        }
    }
    if (!db.commit())
        return dbFail(db.lastError().text());
    return true;
}

} // namespace tl::AnswerCut
