#pragma once

#include "ledger/CallRecord.h"

#include <QAbstractTableModel>
#include <QList>

#include <deque>

namespace tl {

// The proxy's live request log: the last `capacity` records, newest first. Appends arrive in batches
// (Proxy::recordsFinished, at most every 100 ms) and evict the oldest rows. Sort role (Qt::UserRole)
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
    void clear();
    const CallRecord &record(int row) const { return m_rows[size_t(row)]; }
    int capacity() const { return m_capacity; }

private:
    std::deque<CallRecord> m_rows; // front = newest
    int m_capacity;
};

} // namespace tl
