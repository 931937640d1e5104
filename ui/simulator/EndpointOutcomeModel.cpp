#include "EndpointOutcomeModel.h"

#include "StrategyOutcomeModel.h"
#include "common/Format.h"

using namespace Qt::StringLiterals;

namespace tl {

EndpointOutcomeModel::EndpointOutcomeModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void EndpointOutcomeModel::setResult(const SimulationResult &result)
{
    beginResetModel();
    m_rows = result.endpoints;
    endResetModel();
}

int EndpointOutcomeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EndpointOutcomeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EndpointOutcomeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EndpointOutcome &e = m_rows.at(index.row());
    const NanoUsd saving = e.baseline - e.projected;
    const double share = e.baseline > 0 ? double(saving) / double(e.baseline) : 0.0;
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Endpoint:
            return e.endpoint.isEmpty() ? tr("(no endpoint)") : e.endpoint;
        case Calls:
            return Format::count(e.calls);
        case Baseline:
            return Format::usd(e.baseline);
        case Projected:
            return Format::usd(e.projected);
        case Saving:
            return Format::usd(saving);
        case SavingShare:
            return Format::share(share);
        case ColumnCount:
            break;
        }
        return {};
    case SortRole:
        switch (Column(index.column())) {
        case Endpoint:
            return e.endpoint;
        case Calls:
            return e.calls;
        case Baseline:
            return e.baseline;
        case Projected:
            return e.projected;
        case Saving:
            return saving;
        case SavingShare:
            return share;
        case ColumnCount:
            break;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Endpoint ? QVariant() : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole: {
        QStringList lines {e.endpoint};
        for (const StrategyOutcome &o : e.strategies) {
            if (o.enabled && o.simulated)
                lines << tr("%1: %2 saved on %3 calls")
                             .arg(StrategyOutcomeModel::displayName(o.strategy), Format::usd(o.saving),
                                  Format::count(o.callsAffected));
        }
        return lines.join(u'\n');
    }
    default:
        return {};
    }
}

QVariant EndpointOutcomeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Endpoint:
        return tr("Endpoint");
    case Calls:
        return tr("Calls");
    case Baseline:
        return tr("Baseline");
    case Projected:
        return tr("Projected");
    case Saving:
        return tr("Saving");
    case SavingShare:
        return tr("Saving %");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace tl
