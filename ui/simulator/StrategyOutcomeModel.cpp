#include "StrategyOutcomeModel.h"

#include "common/Format.h"

#include <QFont>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace tl {

StrategyOutcomeModel::StrategyOutcomeModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QString StrategyOutcomeModel::displayName(Strategy s)
{
    switch (s) {
    case Strategy::ExactCache:
        return tr("Exact cache");
    case Strategy::SemanticCache:
        return tr("Semantic cache");
    case Strategy::Compression:
        return tr("Prompt compression");
    case Strategy::Routing:
        return tr("Model routing");
    case Strategy::Batch:
        return tr("Batch API");
    }
    return {};
}

QString StrategyOutcomeModel::description(Strategy s)
{
    switch (s) {
    case Strategy::ExactCache:
        return tr("Serves a repeated request (same caller, same request hash) from the cache at no cost "
                  "while the stored answer is younger than the TTL. Needs request hashes, which the proxy records; "
                  "imported calls have none.");
    case Strategy::SemanticCache:
        return tr("Serves a request that means the same as an earlier one (similarity at or above the threshold, "
                  "same caller, model and conversation) from the cache. Needs stored embeddings or request text.");
    case Strategy::Compression:
        return tr("Trims long conversation histories to a token budget, replacing the dropped middle with a "
                  "summary. Needs the messages' text and structure.");
    case Strategy::Routing:
        return tr("Re-prices matching calls on a cheaper model with the same token counts (first matching rule "
                  "wins). Answer quality is not simulated.");
    case Strategy::Batch:
        return tr("Prices the calls of endpoints that tolerate a 24-hour turnaround at the Batch API rate "
                  "(50% of list where the price book has no batch price).");
    }
    return {};
}

void StrategyOutcomeModel::setResult(const SimulationResult &result)
{
    beginResetModel();
    m_rows = result.strategies;
    m_baseline = result.baseline;
    m_combined = result.saving();
    endResetModel();
}

int StrategyOutcomeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || m_rows.isEmpty() ? 0 : int(m_rows.size()) + 1;
}

int StrategyOutcomeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StrategyOutcomeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int col = index.column();
    const auto share = [this](NanoUsd saving) { return m_baseline > 0 ? double(saving) / double(m_baseline) : 0.0; };
    if (index.row() == combinedRow()) {
        qint64 affected = 0;
        for (const StrategyOutcome &o : m_rows)
            affected += o.simulated ? o.callsAffected : 0;
        switch (role) {
        case Qt::DisplayRole:
            switch (Column(col)) {
            case StrategyName:
                return tr("Combined");
            case Saving:
                return Format::usd(m_combined);
            case SavingShare:
                return Format::share(share(m_combined));
            case CallsAffected:
                return QVariant(); // a call can be affected by several strategies: no honest sum
            case ColumnCount:
                break;
            }
            return {};
        case SortRole:
            return col == Saving ? QVariant(m_combined) : col == SavingShare ? QVariant(share(m_combined)) : QVariant();
        case Qt::FontRole: {
            QFont f;
            f.setBold(true);
            return f;
        }
        case Qt::ToolTipRole:
            return tr("Baseline minus the projection after every strategy, in the order above; "
                      "no saving is counted twice.");
        case Qt::TextAlignmentRole:
            return col == StrategyName ? QVariant() : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        case IsMutedRole:
        case NotSimulatedRole:
            return false;
        default:
            return {};
        }
    }

    const StrategyOutcome &o = m_rows.at(index.row());
    const bool notSimulated = o.enabled && !o.simulated;
    const bool muted = !o.enabled || notSimulated;
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(col)) {
        case StrategyName:
            return displayName(o.strategy);
        case Saving:
            if (!o.enabled)
                return tr("off");
            if (notSimulated)
                return tr("not simulated: %1").arg(o.whyNot);
            return Format::usd(o.saving);
        case SavingShare:
            return o.simulated ? Format::share(share(o.saving)) : QString();
        case CallsAffected:
            return o.simulated ? Format::count(o.callsAffected) : QString();
        case ColumnCount:
            break;
        }
        return {};
    case SortRole:
        switch (Column(col)) {
        case StrategyName:
            return int(o.strategy);
        case Saving:
            return o.simulated ? QVariant(o.saving) : QVariant();
        case SavingShare:
            return o.simulated ? QVariant(share(o.saving)) : QVariant();
        case CallsAffected:
            return o.simulated ? QVariant(o.callsAffected) : QVariant();
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip = description(o.strategy);
        if (notSimulated)
            tip += u"\n\n"_s + tr("Not simulated: %1").arg(o.whyNot);
        for (const QString &a : o.assumptions)
            tip += u"\n• "_s + a;
        return tip;
    }
    case Qt::ForegroundRole:
        return muted ? QVariant(QPalette().brush(QPalette::Disabled, QPalette::Text)) : QVariant();
    case Qt::FontRole:
        if (notSimulated && col == Saving) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (col == StrategyName || (col == Saving && muted))
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case IsMutedRole:
        return muted;
    case NotSimulatedRole:
        return notSimulated;
    default:
        return {};
    }
}

QString StrategyOutcomeModel::columnTitle(Column column, bool compact)
{
    switch (column) {
    case StrategyName:
        return tr("Strategy");
    case Saving:
        return compact ? tr("Saving") : tr("Projected saving");
    case SavingShare:
        return compact ? tr("Share") : tr("% of baseline");
    case CallsAffected:
        return compact ? tr("Calls") : tr("Calls affected");
    case ColumnCount:
        break;
    }
    return {};
}

void StrategyOutcomeModel::setCompactHeaders(bool compact)
{
    if (compact == m_compactHeaders)
        return;
    m_compactHeaders = compact;
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

QVariant StrategyOutcomeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    // The tooltip has the full title: a narrow table shows the short ones.
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount
        || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    return columnTitle(Column(section), role == Qt::DisplayRole && m_compactHeaders);
}

} // namespace tl
