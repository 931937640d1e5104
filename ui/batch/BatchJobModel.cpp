#include "BatchJobModel.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace tl {

BatchJobModel::BatchJobModel(QObject *parent) : QAbstractTableModel(parent) {}

void BatchJobModel::setJobs(const QList<BatchJob> &jobs)
{
    beginResetModel();
    m_jobs = jobs;
    endResetModel();
}

void BatchJobModel::upsert(const BatchJob &job)
{
    for (int i = 0; i < m_jobs.size(); ++i) {
        if (m_jobs[i].id == job.id) {
            m_jobs[i] = job;
            Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
            return;
        }
    }
    beginInsertRows({}, int(m_jobs.size()), int(m_jobs.size()));
    m_jobs.append(job);
    endInsertRows();
}

const BatchJob *BatchJobModel::job(int row) const
{
    return row >= 0 && row < m_jobs.size() ? &m_jobs[row] : nullptr;
}

int BatchJobModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_jobs.size()); }
int BatchJobModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant BatchJobModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_jobs.size())
        return {};
    const BatchJob &j = m_jobs[index.row()];
    if (role == SortRole) {
        switch (index.column()) {
        case Provider: return toString(j.provider);
        case Job: return j.remoteId;
        case Status: return int(j.status);
        case Progress: return j.completed;
        case Failed: return j.failed;
        case Endpoint: return j.endpoint;
        case Created: return j.createdAtUs;
        }
    }
    if (role == Qt::ToolTipRole && !j.error.isEmpty())
        return j.error;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Provider: return j.provider == BatchProvider::OpenAi ? tr("OpenAI") : tr("Anthropic");
    case Job: return j.remoteId;
    case Status: return j.resultsRecorded ? tr("%1 (recorded)").arg(toString(j.status)) : toString(j.status);
    case Progress: return tr("%1 / %2").arg(j.completed).arg(j.total);
    case Failed: return j.failed;
    case Endpoint: return j.endpoint;
    case Created:
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(j.createdAtUs / 1000), QLocale::ShortFormat);
    }
    return {};
}

QVariant BatchJobModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Provider: return tr("Provider");
    case Job: return tr("Job");
    case Status: return tr("Status");
    case Progress: return tr("Done");
    case Failed: return tr("Failed");
    case Endpoint: return tr("Endpoint");
    case Created: return tr("Created");
    }
    return {};
}

} // namespace tl
