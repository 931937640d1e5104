#include "BreakdownModel.h"

#include "common/Format.h"

#include <QPalette>

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace tl {

BreakdownModel::BreakdownModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void BreakdownModel::setBreakdown(const Breakdown &breakdown)
{
    beginResetModel();
    m_data = breakdown;
    endResetModel();
}

int BreakdownModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_data.rows.size());
}

int BreakdownModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString BreakdownModel::keyAt(const BreakdownRow &row, Dimension d) const
{
    const qsizetype i = m_data.groupBy.indexOf(d);
    return i >= 0 ? row.keys.value(i) : QString();
}

QVariant BreakdownModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_data.rows.size() || index.column() >= ColumnCount)
        return {};
    const BreakdownRow &r = m_data.rows.at(index.row());
    const Aggregate &a = r.agg;
    if (role == KeysRole)
        return r.keys;
    const bool byKey = groupedByKey();
    if (role == KeyIdRole)
        return byKey ? QVariant(r.keys.value(0)) : QVariant();
    if (role == KeyLabelRole)
        return byKey ? QVariant(m_data.keyLabels.value(r.keys.value(0))) : QVariant();
    if (byKey && index.column() <= Model) {
        const QString id = r.keys.value(0);
        const QString label = m_data.keyLabels.value(id);
        if (role == Qt::ForegroundRole && ((index.column() == Endpoint && label.isEmpty()) || id.isEmpty()))
            return QPalette().brush(QPalette::PlaceholderText);
        if (role == Qt::ToolTipRole && index.column() == Model)
            return tr("The salted hash of the API key that made these calls (never the key itself)");
        if (role == SortRole)
            return index.column() == Endpoint ? label : id;
        if (role == Qt::DisplayRole) {
            if (index.column() == Endpoint)
                return label.isEmpty() ? tr("(no label)") : label;
            return id.isEmpty() ? tr("(no key)") : id;
        }
    }
    // A name cut short in a narrow table is whole in its tooltip.
    if (role == Qt::ToolTipRole && index.column() <= Model)
        return data(index, Qt::DisplayRole);
    if (role == Qt::TextAlignmentRole)
        return index.column() <= Model ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                       : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && (index.column() == Cost || index.column() == CostStatus)) {
        QStringList tips;
        if (a.anyEstimated())
            tips << tr("≈ Estimated: %n call(s) in this row were priced from estimated usage or a price the "
                       "data lacks (e.g. local token counts, a tier priced at the base rate).",
                       nullptr, int(std::min<qint64>(a.estimatedCalls + a.estimatedLines, INT_MAX)));
        if (a.unpricedCalls > 0)
            tips << tr("%n call(s) in this row have no price; the cost covers priced calls only.", nullptr,
                       int(a.unpricedCalls));
        return tips.isEmpty() ? QVariant() : QVariant(tips.join(u'\n'));
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool raw = role == SortRole;
    switch (Column(index.column())) {
    case Endpoint: return keyAt(r, Dimension::Endpoint);
    case Model: return keyAt(r, Dimension::Model);
    case Calls: return raw ? QVariant(a.calls) : Format::count(a.calls);
    case PromptTokens: return raw ? QVariant(a.promptTokens) : Format::count(a.promptTokens);
    case CachedTokens: return raw ? QVariant(a.cachedTokens) : Format::count(a.cachedTokens);
    case CompletionTokens: return raw ? QVariant(a.completionTokens) : Format::count(a.completionTokens);
    case ReasoningTokens: return raw ? QVariant(a.reasoningTokens) : Format::count(a.reasoningTokens);
    case Cost:
        if (raw)
            return QVariant(a.cost);
        // "≈" before an estimated cost, "*" after a cost that leaves unpriced calls out.
        if (a.allUnpriced())
            return tr("unpriced");
        return QString((a.anyEstimated() ? u"≈"_s : QString()) + Format::usd(a.cost)
                       + (a.anyUnpriced() ? u" *"_s : QString()));
    case CostPer1kCalls: return raw ? QVariant(a.costPer1kCalls()) : Format::usd(a.costPer1kCalls());
    case AvgLatency: return raw ? QVariant(a.avgLatencyUs()) : Format::latency(a.avgLatencyUs());
    case P95Latency: return raw ? QVariant(a.p95LatencyUs()) : Format::latency(a.p95LatencyUs());
    case Share: return raw ? QVariant(r.share) : Format::share(r.share);
    case CumulativeShare: return raw ? QVariant(r.cumulativeShare) : Format::share(r.cumulativeShare);
    case UnpricedCalls: return raw ? QVariant(a.unpricedCalls) : Format::count(a.unpricedCalls);
    case CostStatus: return raw ? QVariant(costStatusName(a)) : costStatusText(a);
    case ColumnCount: break;
    }
    return {};
}

QString BreakdownModel::costStatusText(const Aggregate &a)
{
    const QString name = costStatusName(a);
    QStringList parts;
    for (const QString &part : name.split(u"; "_s)) {
        if (part == "exact"_L1)
            parts << tr("exact");
        else if (part == "estimated"_L1)
            parts << tr("≈ estimated");
        else if (part == "partly estimated"_L1)
            parts << tr("≈ partly estimated");
        else if (part == "unpriced"_L1)
            parts << tr("unpriced");
        else
            parts << tr("partly unpriced");
    }
    return parts.join(u"; "_s);
}

QVariant BreakdownModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case CachedTokens: return tr("Input tokens read from the provider's prompt cache (part of prompt tokens)");
        case ReasoningTokens: return tr("Reasoning tokens (part of completion tokens, billed once as output)");
        case P95Latency: return tr("95th percentile of the total latency");
        case CumulativeShare: return tr("Running share of the cost, highest rows first");
        case CostStatus: return tr("Whether the cost is exact, estimated (≈) or leaves unpriced calls out");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Endpoint: return groupedByKey() ? tr("Key label") : tr("Endpoint");
    case Model: return groupedByKey() ? tr("Key identity") : tr("Model");
    case Calls: return tr("Calls");
    case PromptTokens: return tr("Prompt tokens");
    case CachedTokens: return tr("Cached tokens");
    case CompletionTokens: return tr("Completion tokens");
    case ReasoningTokens: return tr("Reasoning tokens");
    case Cost: return tr("Cost");
    case CostPer1kCalls: return tr("Cost / 1k calls");
    case AvgLatency: return tr("Avg latency");
    case P95Latency: return tr("p95 latency");
    case Share: return tr("Share");
    case CumulativeShare: return tr("Cumulative");
    case UnpricedCalls: return tr("Unpriced calls");
    case CostStatus: return tr("Cost status");
    case ColumnCount: break;
    }
    return {};
}

QList<QStringList> BreakdownModel::csvRows(const QList<int> &rows, bool rawNumbers) const
{
    QList<QStringList> out;
    QStringList header;
    for (int c = 0; c < ColumnCount; ++c)
        header << headerData(c, Qt::Horizontal).toString();
    out << header;
    for (int r : rows) {
        QStringList line;
        for (int c = 0; c < ColumnCount; ++c) {
            const QModelIndex i = index(r, c);
            if (rawNumbers && c == Cost)
                line << (m_data.rows.at(r).agg.allUnpriced() ? u"unpriced"_s : toDecimalUsd(m_data.rows.at(r).agg.cost));
            else if (rawNumbers && c == CostPer1kCalls)
                line << toDecimalUsd(m_data.rows.at(r).agg.costPer1kCalls());
            else if (rawNumbers && (c > Model || groupedByKey())) // key names: "" rather than "(no label)"
                line << data(i, SortRole).toString();
            else
                line << data(i).toString();
        }
        out << line;
    }
    return out;
}

} // namespace tl
