#pragma once

#include "batch/BatchJob.h"

#include <QAbstractTableModel>

namespace tl {

// The batch jobs of the ledger, one row each. The sort role gives raw values (numbers, times).
class BatchJobModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchJobModel)

public:
    enum Column { Provider, Job, Status, Progress, Failed, Endpoint, Created, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit BatchJobModel(QObject *parent = nullptr);

    void setJobs(const QList<BatchJob> &jobs);
    // Inserts or updates one job (by local id).
    void upsert(const BatchJob &job);
    const BatchJob *job(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<BatchJob> m_jobs;
};

} // namespace tl
