#include "SpendCoverage.h"

#include "common/Logging.h"
#include "ledger/CallRecord.h"
#include "ledger/RollupPeriods.h"

#include <QObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl::SpendCoverage {

namespace {
const QString kReportKind = QString::number(int(SourceKind::ProviderReport));
} // namespace

const QString kReportRowsSql = u"source_kind = "_s + kReportKind;
const QString kRankSql = u"(CASE WHEN source_kind = "_s + kReportKind
    + u" THEN 1 + (price_entry LIKE 'given:%') ELSE 0 END)"_s;
const QString kDaySql = u"(started_at_us - ((started_at_us % 86400000000) + 86400000000) % 86400000000)"_s;
const QString kCallLevelRowsSql = u" AND source_kind <> "_s + kReportKind;

Result<Coverage> load(QSqlDatabase &db, qint64 fromUs, qint64 toUs)
{
    using RollupPeriods::kUsPerDay;
    constexpr qint64 kLimit = qint64(1) << 62; // as LedgerQueries' splitRange: no overflow when rounding
    const qint64 from = RollupPeriods::floorTo(std::max(fromUs, -kLimit), kUsPerDay);
    const qint64 to = RollupPeriods::ceilTo(std::min(toUs, kLimit), kUsPerDay, 0);
    Coverage c;
    if (to <= from)
        return c;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT provider_id, "_s + kDaySql + u", MAX("_s + kRankSql + u") FROM calls WHERE "_s + kReportRowsSql
              + u" AND started_at_us >= ? AND started_at_us < ? GROUP BY 1, 2 ORDER BY 1, 2"_s);
    q.addBindValue(from);
    q.addBindValue(to);
    if (!q.exec()) {
        qCWarning(lcQuery) << "coverage query failed:" << q.lastError().text();
        return fail(ErrorCode::Database, QObject::tr("Ledger query failed: %1").arg(q.lastError().text()));
    }
    while (q.next()) {
        const qint64 provider = q.value(0).toLongLong();
        const qint64 day = q.value(1).toLongLong();
        c.ranks[{provider, day}] = q.value(2).toInt();
        auto &spans = c.superseded[provider];
        if (!spans.isEmpty() && spans.last().second == day)
            spans.last().second = day + kUsPerDay;
        else
            spans.append({day, day + kUsPerDay});
    }
    return c;
}

} // namespace tl::SpendCoverage
