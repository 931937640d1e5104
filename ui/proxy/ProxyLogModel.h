#pragma once

#include "ledger/CallRecord.h"
#include "ledger/PendingUsage.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <deque>

namespace tl {

// The proxy's live request log: the last `capacity` records, newest first. Appends arrive in batches
// (Proxy::recordsFinished, at most every 100 ms) and evict the oldest rows; a pending row is updated
// in place when its record is settled (applySettlement). Sort role (Qt::UserRole)
// gives raw values (µs, tokens, nano-USD), display text is formatted.
// Thread affinity: GUI thread.
class ProxyLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyLogModel)

public:
    // Path: the request's method and path (CallRecord::requestPath), "POST /v1/chat/completions".
    enum Column { Time, Path, Endpoint, Model, Status, Tokens, Cost, Latency, Cache, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    explicit ProxyLogModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void append(const QList<CallRecord> &records);
    // A pending record was settled (Proxy::recordSettled): its row, if still in the log, takes the new
    // usage, cost and status (dataChanged for the row). A settlement can overtake its record (the proxy
    // announces records in batches, every 100 ms; a quick retrieve settles sooner): one whose row has not
    // come yet is kept (the last kEarlySettlements) and applied when the row is appended.
    void applySettlement(const PendingUsage::Settled &settled);
    static constexpr int kEarlySettlements = 256;
    void clear();
    const CallRecord &record(int row) const { return m_rows[size_t(row)]; }
    int capacity() const { return m_capacity; }

private:
    std::deque<CallRecord> m_rows; // front = newest
    QHash<qint64, PendingUsage::Settled> m_early; // settlements whose record was not appended yet
    std::deque<qint64> m_earlyOrder; // their ids, oldest first (bounded: kEarlySettlements)
    int m_capacity;
};

} // namespace tl
