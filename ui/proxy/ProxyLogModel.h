#pragma once

#include "ledger/CallRecord.h"
#include "ledger/PendingUsage.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <deque>
#include <optional>

namespace tl {

// The proxy's live request log: the last `capacity` records, newest first. Appends arrive in batches
// (Proxy::recordsFinished, at most every 100 ms) and evict the oldest rows; a pending row is updated
// in place when its record is settled (applySettlement), a row whose answer its client did not take whole
// when its record is amended (applyCut). Sort role (Qt::UserRole)
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
    // A record was amended after its client did not take the whole answer (Proxy::recordMarkedCut): its row,
    // if still in the log, takes `errorKind` ("client_stalled", "client_closed", "shutdown"), which the Status
    // column shows after the status code (dataChanged for that cell). An amendment whose row has not come yet is
    // kept and applied when it is appended, as a settlement that came first is.
    void applyCut(qint64 recordId, const QString &errorKind);
    // How many settlements and amendments whose rows have not come are kept (the oldest are dropped).
    static constexpr int kEarlySettlements = 256;
    void clear();
    const CallRecord &record(int row) const { return m_rows[size_t(row)]; }
    int capacity() const { return m_capacity; }

private:
    std::deque<CallRecord> m_rows; // front = newest
    // What came for a record not appended yet: its settlement, its amendment's error kind, or both.
    struct Early
    {
        std::optional<PendingUsage::Settled> settled;
        QString cutKind;
    };
    Early &early(qint64 recordId);
    std::optional<int> rowOf(qint64 recordId) const;
    QHash<qint64, Early> m_early;
    std::deque<qint64> m_earlyOrder; // their ids, oldest first (bounded: kEarlySettlements)
    int m_capacity;
};

} // namespace tl
