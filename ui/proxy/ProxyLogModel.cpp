#include "ProxyLogModel.h"

#include "common/Money.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace tl {

ProxyLogModel::ProxyLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(capacity)
{
}

int ProxyLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProxyLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProxyLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Path: return tr("Path");
    case Endpoint: return tr("Endpoint");
    case Model: return tr("Model");
    case Status: return tr("Status");
    case Tokens: return tr("Tokens");
    case Cost: return tr("Cost");
    case Latency: return tr("Latency");
    case Cache: return tr("Cache");
    default: return {};
    }
}

QVariant ProxyLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const CallRecord &r = m_rows[size_t(index.row())];
    const QString model = r.servedModel.isEmpty() ? r.requestedModel : r.servedModel;
    if (role == SortRole) {
        switch (index.column()) {
        case Time: return r.startedAtUs;
        case Path: return r.requestPath;
        case Endpoint: return r.endpoint;
        case Model: return model;
        case Status: return r.httpStatus;
        case Tokens: return r.usage.totalTokens();
        case Cost: return r.cost ? QVariant(*r.cost) : QVariant(qint64(-1));
        case Latency: return r.latencyUs;
        case Cache: return int(r.cacheOutcome);
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Tokens || index.column() == Cost || index.column() == Latency))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(r.startedAtUs / 1000, QTimeZone::systemTimeZone()).toString(u"HH:mm:ss.zzz"_s);
    case Path: return r.requestPath;
    case Endpoint: return r.endpoint;
    case Model: return model;
    case Status: return r.errorKind.isEmpty() ? QString::number(r.httpStatus) : u"%1 %2"_s.arg(r.httpStatus).arg(r.errorKind);
    case Tokens:
        if (r.usageStatus == UsageStatus::Pending)
            return tr("pending");
        return r.usageStatus == UsageStatus::Unknown ? tr("unknown")
                                                     : (r.usageStatus == UsageStatus::Complete ? QString() : u"~"_s)
                                                           + QLocale().toString(r.usage.totalTokens());
    case Cost:
        if (r.cacheOutcome == CacheOutcome::ExactHit || r.cacheOutcome == CacheOutcome::SemanticHit)
            return tr("%1 saved").arg(formatUsd(r.savedCost, 4));
        if (!r.cost && r.usageStatus == UsageStatus::Pending)
            return tr("pending");
        return r.cost ? formatUsd(*r.cost, 4) : tr("unpriced");
    case Latency: return r.latencyUs < 0 ? QString() : tr("%1 ms").arg(double(r.latencyUs) / 1000.0, 0, 'f', 1);
    case Cache:
        switch (r.cacheOutcome) {
        case CacheOutcome::ExactHit: return tr("hit");
        case CacheOutcome::SemanticHit: return tr("semantic %1").arg(r.similarity, 0, 'f', 3);
        case CacheOutcome::Miss: return tr("miss");
        case CacheOutcome::Bypass: return tr("bypass");
        default: return QString();
        }
    default: return {};
    }
}

void ProxyLogModel::append(const QList<CallRecord> &records)
{
    if (records.isEmpty())
        return;
    const int n = int(std::min<qsizetype>(records.size(), m_capacity));
    // Evict first so the model never holds more than `capacity` rows.
    const int overflow = int(m_rows.size()) + n - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, int(m_rows.size()) - overflow, int(m_rows.size()) - 1);
        m_rows.erase(m_rows.end() - overflow, m_rows.end());
        endRemoveRows();
    }
    beginInsertRows({}, 0, n - 1);
    for (qsizetype i = records.size() - n; i < records.size(); ++i) {
        m_rows.push_front(records[i]); // newest (last) ends up first
        if (!m_early.isEmpty()) {
            if (const auto early = m_early.constFind(records[i].id); early != m_early.constEnd()) {
                if (early->settled && records[i].usageStatus == UsageStatus::Pending)
                    early->settled->applyTo(m_rows.front());
                if (!early->cutKind.isEmpty())
                    m_rows.front().errorKind = early->cutKind;
                m_earlyOrder.erase(std::find(m_earlyOrder.begin(), m_earlyOrder.end(), records[i].id));
                m_early.erase(early);
            }
        }
    }
    endInsertRows();
}

std::optional<int> ProxyLogModel::rowOf(qint64 recordId) const
{
    // Newest first, and a settlement or an amendment follows its record soon: the search usually ends near the
    // top.
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].id == recordId)
            return int(i);
    }
    return std::nullopt;
}

ProxyLogModel::Early &ProxyLogModel::early(qint64 recordId)
{
    // Not in the log: not appended yet (or evicted, or made by another run: then it never comes, and the bound
    // drops it).
    if (!m_early.contains(recordId)) {
        m_earlyOrder.push_back(recordId);
        if (m_earlyOrder.size() > size_t(kEarlySettlements)) {
            m_early.remove(m_earlyOrder.front());
            m_earlyOrder.pop_front();
        }
    }
    return m_early[recordId];
}

void ProxyLogModel::applySettlement(const PendingUsage::Settled &settled)
{
    if (const std::optional<int> row = rowOf(settled.id)) {
        settled.applyTo(m_rows[size_t(*row)]);
        Q_EMIT dataChanged(index(*row, 0), index(*row, ColumnCount - 1));
        return;
    }
    early(settled.id).settled = settled;
}

void ProxyLogModel::applyCut(qint64 recordId, const QString &errorKind)
{
    if (const std::optional<int> row = rowOf(recordId)) {
        m_rows[size_t(*row)].errorKind = errorKind;
        Q_EMIT dataChanged(index(*row, Status), index(*row, Status));
        return;
    }
    early(recordId).cutKind = errorKind;
}

void ProxyLogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

} // namespace tl
