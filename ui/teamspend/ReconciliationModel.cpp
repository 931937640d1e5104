#include "ReconciliationModel.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace tl {

ReconciliationModel::ReconciliationModel(QObject *parent) : QAbstractTableModel(parent) {}

void ReconciliationModel::setRows(const QList<ReconciliationRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int ReconciliationModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int ReconciliationModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ReconciliationModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ReconciliationRow &r = m_rows[index.row()];
    if (role == SortRole) {
        switch (index.column()) {
        case Day: return r.dayUs;
        case Provider: return r.provider;
        case Model: return r.model;
        case Billed: return r.billed;
        case Recorded: return r.recorded;
        case Difference: return r.difference;
        case Percent: return r.differencePercent.value_or(0.0);
        case OutsideProxy: return r.outsideProxy;
        case PriceDifference: return r.priceDifference;
        case Unpriced: return r.unpriced;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Billed)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    // No cost line and a model the price book does not know: what the provider billed is unknown, not $0.
    const bool billedUnknown = r.billedFromUsage && !r.usageCost;
    if (role == Qt::ToolTipRole && index.column() == Billed && billedUnknown)
        return tr("No cost line from the provider, and the price book has no price for this model: the amount billed is unknown.");
    if (role == Qt::ToolTipRole && index.column() == Billed && !r.providerReported)
        return tr("No cost or usage report from the provider for this day and model (not synced, or a day the "
                  "reports do not cover): the recorded cost stands in, so the difference is 0. Sync to compare.");
    if (role == Qt::ToolTipRole && index.column() == Billed && r.billedFromUsage)
        return tr("No cost line from the provider: the usage report priced with the price book stands in.");
    if (role != Qt::DisplayRole)
        return {};
    // Neither billed nor the usage cost is known: so is none of the differences (the sort role keeps the 0s).
    if (billedUnknown && index.column() >= Difference)
        return u"–"_s;
    switch (index.column()) {
    case Day: return QDateTime::fromMSecsSinceEpoch(r.dayUs / 1000, QTimeZone::utc()).date().toString(Qt::ISODate);
    case Provider: return r.provider;
    case Model: return r.model;
    case Billed:
        if (billedUnknown)
            return tr("unpriced");
        if (!r.providerReported) // session-17 look-over: the recorded cost read as billed although nothing was synced
            return tr("no report");
        return QString(formatUsd(r.billed) + (r.billedFromUsage ? u" *"_s : QString()));
    case Recorded: return r.recordedUnpricedCalls > 0 ? tr("%1 (+%n unpriced)", nullptr, int(r.recordedUnpricedCalls)).arg(formatUsd(r.recorded))
                                                      : formatUsd(r.recorded);
    case Difference: return formatUsd(r.difference);
    case Percent: return r.differencePercent ? QString(QString::number(*r.differencePercent, 'f', 1) + u'%') : u"–"_s;
    case OutsideProxy: return formatUsd(r.outsideProxy);
    case PriceDifference: return formatUsd(r.priceDifference);
    case Unpriced: return formatUsd(r.unpriced);
    }
    return {};
}

QVariant ReconciliationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Day: return tr("Day (UTC)");
    case Provider: return tr("Provider");
    case Model: return tr("Model");
    case Billed: return tr("Billed");
    case Recorded: return tr("Recorded");
    case Difference: return tr("Difference");
    case Percent: return tr("Difference %");
    case OutsideProxy: return tr("Outside the proxy");
    case PriceDifference: return tr("Price difference");
    case Unpriced: return tr("Unpriced");
    }
    return {};
}

} // namespace tl
